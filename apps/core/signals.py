"""Signals core sends: a documented extension API for the apps above it."""

from django.dispatch import Signal

# Sent by ``apps.core.actions.action_log`` once the action's row is written, inside the
# caller's transaction (a receiver's writes commit or roll back with the action).
# Kwargs:
#   row      the store's new row (a PermissionLog, a SecurityAction, ...)
#   kind     the ActionKind logged
#   actor    who acted (None: the system)
#   subject  whom the action is about (an employee, or None)
#   reason   why, as the row stores it
# The sender is the store model. The audit app writes the chain entry from it: the
# apps that log actions never import audit.
action_logged = Signal()
