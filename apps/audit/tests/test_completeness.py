"""Every model of our apps keeps history (or is itself an append-only record), and every
history row has its audit entry."""

import pytest
from django.apps import apps
from django.contrib import admin
from simple_history.models import registered_models

from apps.audit.models import AuditEntry
from apps.audit.services import audited_models

# Records that are themselves the log of something: written once by a service, never
# edited by a person (their admins are read-only), so a history of them would only
# repeat them. A new model must either get history or be added here with its reason.
APPEND_ONLY = {
    "access.PermissionLog": "the log of grants, revocations and refusals",
    "security.LoginEvent": "one row per sign-in attempt",
    "security.UserSession": "session bookkeeping; officers ending sessions are SecurityActions",
    "security.SecurityAction": "the log of officers' actions",
    "audit.AuditEntry": "the trail itself, chained by hashes",
    "audit.ChainHead": "the end of the hash chain",
    "audit.ChainArchive": "the log of archived cuts of the chain",
    "audit.VerificationRun": "the log of chain verifications",
    "audit.TrailExport": "the log of trail exports",
    "notifications.Notification": "a message about a change whose history is kept where it was made",
    "notifications.NotificationCounter": "the last number given to a person's notifications",
    "notifications.AnnouncementDismissal": "that someone closed a banner",
}


def _our_models():
    for model in apps.get_models():
        if not model.__module__.startswith("apps."):
            continue
        if model._meta.proxy or model.__name__.startswith("Historical"):
            continue
        yield model


def test_every_model_of_our_apps_keeps_history_or_is_an_append_only_record():
    missing = []
    for model in _our_models():
        has_history = model._meta.db_table in registered_models
        if not has_history and model._meta.label not in APPEND_ONLY:
            missing.append(model._meta.label)
    assert missing == [], f"models without history: {missing}"


def test_the_exemptions_name_real_models_that_really_have_no_history():
    for label in APPEND_ONLY:
        model = apps.get_model(label)
        assert model._meta.db_table not in registered_models, label


@pytest.mark.django_db
def test_append_only_records_cannot_be_edited_in_the_admin(rf, make_user):
    request = rf.get("/")
    request.user = make_user("admin")
    for label in APPEND_ONLY:
        model_admin = admin.site._registry.get(apps.get_model(label))
        if model_admin is None:
            continue
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label


def test_every_model_with_history_is_in_the_trail():
    ours = {m._meta.label for m in _our_models() if m._meta.label not in APPEND_ONLY}
    assert {m._meta.label for m in audited_models()} == ours


@pytest.mark.django_db
def test_every_history_row_written_by_the_services_has_its_entry(make_user):
    from django.contrib.auth.models import Group

    from apps.access.roles import MANAGER
    from apps.access.services import assignment_create
    from apps.org.services import department_create, employee_create, employee_update
    from apps.org.transfers import transfer_request

    hr = make_user("hr")
    department = department_create(actor=hr, name="Audit Test", parent=hr.department)
    other = department_create(actor=hr, name="Audit Other", parent=hr.department)
    person = employee_create(actor=hr, username="audit.person", department=department)
    employee_update(employee=person, actor=hr, position="Clerk")
    transfer_request(
        employee=person,
        to_department=other,
        effective_date=person.created_at.date(),
        reason="Reorganisation",
        actor=hr,
    )
    admin_user = make_user("admin")
    assignment_create(
        actor=admin_user,
        user=person,
        role=Group.objects.get(name=MANAGER),
        department=department,
        reason="Cover",
    )
    from apps.notifications.services import announcement_publish, announcement_update

    notice = announcement_publish(actor=hr, title="Audit", body="b", department=department)
    announcement_update(announcement=notice, actor=hr, reason="typo", title="Audited")
    from django.test import TestCase

    from apps.jobs.services import job_create

    with TestCase.captureOnCommitCallbacks(execute=True):  # started, run, ended
        job_create(kind_name="org.apply_due_transfers", user=hr, params={})
    for model in audited_models():
        history_model = model.history.model
        versions = set(history_model.objects.values_list("history_id", flat=True))
        recorded = set(
            AuditEntry.objects.filter(
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
            ).values_list("history_id", flat=True)
        )
        assert versions, f"the test wrote no {model._meta.label}"
        assert versions == recorded, model._meta.label
    assert not AuditEntry.objects.filter(actor__isnull=True).exists()
    assert set(AuditEntry.objects.values_list("actor_name", flat=True)) >= {"hr", "admin"}


@pytest.mark.django_db
def test_a_sign_in_adds_no_version_but_a_real_change_does(make_user):
    from django.contrib.auth.models import update_last_login

    from apps.org.models import Employee

    person = make_user("staff")
    before = Employee.history.filter(id=person.pk).count()
    update_last_login(None, person)  # what Django does at every sign-in
    assert Employee.history.filter(id=person.pk).count() == before
    person.position = "Clerk"
    person.save(update_fields=["position", "updated_at"])
    assert Employee.history.filter(id=person.pk).count() == before + 1
