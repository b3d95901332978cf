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

# Sent by the jobs app once a background job has ended (succeeded, failed or cancelled),
# after its row is saved and committed. Kwargs:
#   job           the job row (apps.jobs.models.Job)
#   state         "succeeded", "failed" or "cancelled"
#   requested_by  who started it (an Employee, or None for the system)
#   label         what it was, readable ("Audit trail export")
#   url           where its person sees it (the job's page)
# The notifications app tells the requester from it: jobs never imports notifications.
job_finished = Signal()

# Sent by ``apps.security.events.event_record`` inside its transaction, for a successful
# sign-in whose risk reached the alert threshold (the one the officers are mailed about).
# Kwargs: ``event`` (the LoginEvent), ``link`` (absolute URL of the person's timeline).
# The notifications app tells the security officers: security never imports it.
high_risk_sign_in = Signal()

# Sent by ``apps.security.events.event_record`` inside its transaction for a recorded
# lockout. Kwargs: ``event`` (the LoginEvent, outcome "locked_out", its ``lock``).
lockout_recorded = Signal()

# Sent by ``apps.audit.services.verification_run`` when a walk of the hash chain found a
# broken link, after the run row is written. Kwargs: ``run`` (the VerificationRun),
# ``summary`` (what broke, in words).
chain_broken = Signal()
