"""Signals org sends for apps above it (declared once; receivers live in those apps)."""

from django.dispatch import Signal

# Sent inside the transaction of ``services.employee_update`` when a person's e-mail
# address changed. kwargs: ``employee`` (saved, with the new address), ``old_email``
# (str, may be ""), ``actor`` (Employee or None for the system). Receivers that mail
# must do so in ``transaction.on_commit``.
employee_email_changed = Signal()

# Sent inside the transaction of ``transfers.transfer_request`` when a transfer is left
# scheduled for a later date (one dated today applies at once: only transfer_applied).
# kwargs: ``transfer`` (saved), ``actor`` (Employee). Receivers act in on_commit.
transfer_scheduled = Signal()

# Sent inside the transaction of ``transfers.transfer_apply`` once the person has moved.
# kwargs: ``transfer`` (applied, with its employee and departments), ``actor`` (Employee).
# Receivers act in on_commit.
transfer_applied = Signal()
