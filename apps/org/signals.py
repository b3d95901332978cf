"""Signals org sends for apps above it (declared once; receivers live in those apps)."""

from django.dispatch import Signal

# Sent inside the transaction of ``services.employee_update`` when a person's e-mail
# address changed. kwargs: ``employee`` (saved, with the new address), ``old_email``
# (str, may be ""), ``actor`` (Employee or None for the system). Receivers that mail
# must do so in ``transaction.on_commit``.
employee_email_changed = Signal()
