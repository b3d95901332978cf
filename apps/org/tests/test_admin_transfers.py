import datetime
import uuid

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from apps.org.models import Transfer
from apps.org.services import department_deactivate, employee_create
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db

EMPLOYEES = reverse("admin:org_employee_changelist")
TRANSFERS = reverse("admin:org_transfer_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


@pytest.fixture
def alice(tree):
    return employee_create(
        actor=None, username="alice", first_name="Alice", last_name="Archer", department=tree["web"]
    )


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def _open(client, *employees):
    return client.post(
        EMPLOYEES,
        {
            "action": "transfer_selected",
            "index": "0",
            ACTION_CHECKBOX_NAME: [e.pk for e in employees],
        },
    )


def _submit(client, *employees, department, when=None, reason="Team change"):
    return client.post(
        EMPLOYEES,
        {
            "action": "transfer_selected",
            "post": "yes",
            ACTION_CHECKBOX_NAME: [e.pk for e in employees],
            "to_department": getattr(department, "pk", department),
            "effective_date": str(when or _tomorrow()),
            "reason": reason,
        },
        follow=True,
    )


# --- the "Transfer…" action --------------------------------------------------------


def test_the_action_shows_a_form_for_the_selected_employees(hr_client, alice):
    response = _open(hr_client, alice)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Archer" in html
    assert 'name="to_department"' in html
    assert "admin-autocomplete" in html  # an autocomplete, not a <select> of every department
    assert 'data-model-name="transfer"' in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html  # today by default


def test_submitting_a_future_date_schedules_the_transfer(hr_client, alice, tree):
    response = _submit(hr_client, alice, department=tree["fin"])
    assert response.redirect_chain[-1][0] == EMPLOYEES
    transfer = Transfer.objects.get()
    assert transfer.status == Transfer.Status.SCHEDULED
    assert transfer.to_department == tree["fin"]
    html = response.content.decode()
    when = date_format(_tomorrow())
    assert f"Requested the transfer of Alice Archer to Finance (FIN), effective {when}." in html
    assert "Requested 1 transfer" not in html


def test_submitting_today_moves_the_employee_at_once(hr_client, alice, tree):
    response = _submit(hr_client, alice, department=tree["fin"], when=timezone.localdate())
    html = response.content.decode()
    assert "Moved Alice Archer to Finance (FIN)." in html
    assert "Requested" not in html
    alice.refresh_from_db()
    assert alice.department == tree["fin"]
    assert Transfer.objects.get().status == Transfer.Status.APPLIED


def test_each_refusal_names_the_employee_and_the_rest_still_go_through(hr_client, alice, tree):
    bob = employee_create(actor=None, username="bob", first_name="Bob", last_name="Baker")
    carol = employee_create(
        actor=None, username="carol", first_name="Carol", last_name="Cole", department=tree["fin"]
    )
    html = _submit(hr_client, alice, bob, carol, department=tree["fin"]).content.decode()
    assert "Carol Cole" in html
    assert "already in Finance (FIN)" in html
    assert "Requested 2 transfers for a later date." in html
    assert set(Transfer.objects.values_list("employee__username", flat=True)) == {"alice", "bob"}


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("to_department", "not-a-uuid", "is not a valid UUID"),
        ("to_department", str(uuid.uuid4()), "Choose an active department"),
        ("to_department", "", "This field is required"),
        ("effective_date", "31/02/2025", "Enter a valid date"),
        ("effective_date", "2999-01-01", "more than two years ahead"),
        ("reason", "x" * 10_000, "at most 2000 characters"),
        ("reason", "   ", "This field is required"),
    ],
)
def test_hostile_or_malformed_input_is_refused_cleanly(hr_client, alice, tree, field, value, error):
    data = {
        "action": "transfer_selected",
        "post": "yes",
        ACTION_CHECKBOX_NAME: [alice.pk],
        "to_department": tree["fin"].pk,
        "effective_date": str(_tomorrow()),
        "reason": "Team change",
        field: value,
    }
    response = hr_client.post(EMPLOYEES, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Transfer.objects.exists()


def test_an_inactive_department_is_outside_the_choices(hr_client, alice, tree):
    department_deactivate(department=tree["mob"], actor=None)
    response = hr_client.post(
        EMPLOYEES,
        {
            "action": "transfer_selected",
            "post": "yes",
            ACTION_CHECKBOX_NAME: [alice.pk],
            "to_department": tree["mob"].pk,
            "effective_date": str(_tomorrow()),
            "reason": "Team change",
        },
    )
    assert "Choose an active department" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_department_autocomplete_offers_active_departments_only(hr_client, tree):
    department_deactivate(department=tree["mob"], actor=None)
    response = hr_client.get(
        AUTOCOMPLETE,
        {"app_label": "org", "model_name": "transfer", "field_name": "to_department", "term": ""},
    )
    names = {item["text"] for item in response.json()["results"]}
    assert "Finance (FIN)" in names
    assert "Mobile (MOB)" not in names


@pytest.mark.parametrize("persona", ["staff", "auditor", "manager"])
def test_people_without_transfer_rights_cannot_run_the_action(
    client, make_user, alice, tree, persona
):
    client.force_login(make_user(persona))
    _submit(client, alice, department=tree["fin"])
    assert not Transfer.objects.exists()


def test_the_action_is_offered_to_hr_only(hr_client, client, make_user):
    assert "transfer_selected" in hr_client.get(EMPLOYEES).content.decode()
    client.force_login(make_user("manager"))
    assert "transfer_selected" not in client.get(EMPLOYEES).content.decode()


# --- the Transfers list ------------------------------------------------------------


@pytest.fixture
def scheduled(alice, tree, hr_user):
    return transfer_request(
        employee=alice,
        to_department=tree["fin"],
        effective_date=_tomorrow(),
        reason="Team change",
        actor=hr_user,
    )


def test_staff_is_refused_the_transfers_list(staff_client):
    assert staff_client.get(TRANSFERS).status_code == 403


@pytest.mark.parametrize("persona", ["auditor", "manager"])
def test_readers_see_the_list_but_cannot_cancel(client, make_user, scheduled, persona):
    client.force_login(make_user(persona, username=f"{persona}2"))
    response = client.get(TRANSFERS)
    assert response.status_code == 200
    assert "cancel_selected" not in response.content.decode()


def test_the_list_shows_the_transfer_with_its_status(hr_client, scheduled):
    html = hr_client.get(TRANSFERS).content.decode()
    assert "Alice Archer" in html
    assert "Finance (FIN)" in html
    assert "scheduled" in html


def test_transfers_cannot_be_added_or_edited_through_forms(hr_client, scheduled):
    assert hr_client.get(reverse("admin:org_transfer_add")).status_code == 403
    change = reverse("admin:org_transfer_change", args=[scheduled.pk])
    assert hr_client.get(change).status_code == 200
    hr_client.post(change, {"reason": "Edited"})
    assert Transfer.objects.get().reason == "Team change"


def test_a_malformed_transfer_id_is_a_404(hr_client):
    assert hr_client.get(f"{TRANSFERS}not-a-uuid/change/").status_code == 404


@pytest.mark.parametrize("query", ["", "?q=Alice", "?status__exact=scheduled"])
def test_the_transfers_list_query_count_does_not_grow_with_rows(hr_client, tree, hr_user, query):
    def add(n, start):
        for i in range(start, start + n):
            person = employee_create(
                actor=None, username=f"p{i}", first_name="Alice", department=tree["web"]
            )
            transfer_request(
                employee=person,
                to_department=tree["fin"],
                effective_date=_tomorrow(),
                reason="Team change",
                actor=hr_user,
            )

    def count():
        from django.db import connection

        hr_client.get(TRANSFERS + query)
        with CaptureQueriesContext(connection) as ctx:
            assert hr_client.get(TRANSFERS + query).status_code == 200
        return len(ctx.captured_queries)

    add(2, 0)
    few = count()
    add(20, 2)
    assert count() == few


def test_cancel_asks_for_confirmation_then_cancels(hr_client, scheduled):
    data = {"action": "cancel_selected", ACTION_CHECKBOX_NAME: [scheduled.pk]}
    confirm = hr_client.post(TRANSFERS, {**data, "index": "0"})
    assert confirm.status_code == 200
    assert "Cancel these transfers?" in confirm.content.decode()
    assert Transfer.objects.get().status == Transfer.Status.SCHEDULED

    done = hr_client.post(TRANSFERS, {**data, "post": "yes"}, follow=True)
    assert "Cancelled 1 transfer." in done.content.decode()
    assert Transfer.objects.get().status == Transfer.Status.CANCELLED


def test_cancelling_an_applied_transfer_is_refused_with_a_message(hr_client, alice, tree, hr_user):
    applied = transfer_request(
        employee=alice,
        to_department=tree["fin"],
        effective_date=timezone.localdate(),
        reason="Now",
        actor=hr_user,
    )
    response = hr_client.post(
        TRANSFERS,
        {"action": "cancel_selected", "post": "yes", ACTION_CHECKBOX_NAME: [applied.pk]},
        follow=True,
    )
    assert "Only scheduled transfers can be cancelled" in response.content.decode()
    assert Transfer.objects.get().status == Transfer.Status.APPLIED
