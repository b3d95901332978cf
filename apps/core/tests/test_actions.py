"""The one action log: kinds declared once by their apps, rows written with a signal."""

import pytest
from django.db import models

from apps.access.models import PermissionLog
from apps.core.actions import action_kind_of, action_kinds, action_log, action_store_register
from apps.core.signals import action_logged

pytestmark = pytest.mark.django_db


class _Mixed(models.TextChoices):
    FRESH = "fresh", "fresh"
    GRANTED = "granted", "granted"


def test_a_kind_declared_twice_is_refused_and_nothing_is_kept():
    before = [kind.code for kind in action_kinds()]
    with pytest.raises(ValueError, match="access.granted is declared twice"):
        action_store_register(
            model="access.RoleAssignment",
            kind_field="reason",
            subject_field="user",
            reason_field="reason",
            choices=_Mixed,
        )
    assert [kind.code for kind in action_kinds()] == before
    assert action_kind_of("access.fresh") is None


def test_declaring_a_store_again_returns_the_same_store():
    kind = action_kind_of("access.granted")
    again = action_store_register(
        model="access.PermissionLog",
        kind_field="action",
        subject_field="user",
        reason_field="detail",
        choices=PermissionLog.Action,
    )
    assert again is kind.store


def test_action_log_writes_the_row_and_tells_the_receivers(root_department):
    heard = []

    def listen(sender, row, kind, actor, subject, reason, **kwargs):
        heard.append((sender, row.pk, kind.code, actor, subject, reason))

    action_logged.connect(listen)
    try:
        row = action_log(
            actor=None,
            kind=action_kind_of("access.denied"),
            subject=None,
            reason="/somewhere/",
            data={"permission": "org.view_employee"},
        )
    finally:
        action_logged.disconnect(listen)
    stored = PermissionLog.objects.get(pk=row.pk)
    assert (stored.action, stored.detail, stored.permission) == (
        "denied",
        "/somewhere/",
        "org.view_employee",
    )
    assert stored.actor is None
    assert heard == [(PermissionLog, row.pk, "access.denied", None, None, "/somewhere/")]


def test_a_receiver_that_fails_leaves_no_row(root_department):
    def fail(**kwargs):
        raise RuntimeError("entry not written")

    action_logged.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            action_log(actor=None, kind=action_kind_of("access.denied"), subject=None, reason="/x/")
    finally:
        action_logged.disconnect(fail)
    assert not PermissionLog.objects.exists()
