"""A manager transferred out of their department: the warning, and who may take over."""

import datetime
import uuid

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from apps.org.models import Department, Employee, Transfer
from apps.org.services import department_update, employee_create
from apps.org.transfers import transfer_apply, transfer_request

pytestmark = pytest.mark.django_db

EMPLOYEES = reverse("admin:org_employee_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


def _person(username, department, **extra):
    return employee_create(
        actor=None,
        username=username,
        first_name=username.title(),
        last_name="Tester",
        department=department,
        **extra,
    )


@pytest.fixture
def alice(tree):
    """Alice manages Web, her own department."""
    alice = _person("alice", tree["web"])
    department_update(department=tree["web"], actor=None, manager=alice)
    return alice


@pytest.fixture
def bob(tree):
    """Bob works in Mobile, under Web: a possible successor."""
    return _person("bob", tree["mob"])


def _submit(client, *employees, department, new_manager="", when=None):
    return client.post(
        EMPLOYEES,
        {
            "action": "transfer_selected",
            "post": "yes",
            ACTION_CHECKBOX_NAME: [e.pk for e in employees],
            "to_department": department.pk,
            "effective_date": str(when or timezone.localdate()),
            "reason": "Leads finance now",
            "new_manager": getattr(new_manager, "pk", new_manager),
        },
        follow=True,
    )


def test_the_form_warns_when_a_manager_leaves_their_department(hr_client, alice):
    response = hr_client.post(
        EMPLOYEES, {"action": "transfer_selected", "index": "0", ACTION_CHECKBOX_NAME: [alice.pk]}
    )
    html = response.content.decode()
    assert 'data-testid="transfer-manager-warning"' in html
    assert "Alice Tester manages Web (WEB) and leaves it." in html
    assert 'name="new_manager"' in html


def test_no_warning_nor_successor_field_for_someone_who_manages_nothing(hr_client, bob):
    response = hr_client.post(
        EMPLOYEES, {"action": "transfer_selected", "index": "0", ACTION_CHECKBOX_NAME: [bob.pk]}
    )
    html = response.content.decode()
    assert "transfer-manager-warning" not in html
    assert 'name="new_manager"' not in html


def test_the_successor_takes_over_with_a_transfer_applied_at_once(hr_client, alice, bob, tree):
    html = _submit(hr_client, alice, department=tree["fin"], new_manager=bob).content.decode()
    assert "Moved Alice Tester to Finance (FIN)." in html
    assert "still manages" not in html
    web = Department.objects.get(pk=tree["web"].pk)
    assert web.manager == bob
    assert Employee.objects.get(pk=alice.pk).department == tree["fin"]
    # Logged: the department's history names the handover and its reason.
    latest = web.history.latest()
    assert latest.manager_id == bob.pk
    assert "Leads finance now" in latest.history_change_reason
    assert Transfer.objects.get().new_manager == bob


def test_the_successor_of_a_scheduled_transfer_takes_over_when_it_applies(alice, bob, tree, hr):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    transfer = transfer_request(
        employee=alice,
        to_department=tree["fin"],
        effective_date=tomorrow,
        reason="Later",
        actor=hr,
        new_manager=bob,
    )
    assert Department.objects.get(pk=tree["web"].pk).manager == alice
    transfer_apply(transfer=transfer, actor=hr)
    assert Department.objects.get(pk=tree["web"].pk).manager == bob


def test_without_a_successor_the_message_says_who_still_manages(hr_client, alice, tree):
    html = _submit(hr_client, alice, department=tree["fin"]).content.decode()
    assert "Moved Alice Tester to Finance (FIN)." in html
    assert "Alice Tester still manages Web (WEB); choose a new manager there." in html
    assert Department.objects.get(pk=tree["web"].pk).manager == alice


def test_a_successor_outside_the_department_is_refused(hr_client, alice, tree):
    carol = _person("carol", tree["fin"])
    html = _submit(hr_client, alice, department=tree["eng"], new_manager=carol).content.decode()
    assert "Carol Tester is not in Web (WEB) or one of its sub-departments." in html
    assert not Transfer.objects.exists()
    assert Employee.objects.get(pk=alice.pk).department == tree["web"]
    assert Department.objects.get(pk=tree["web"].pk).manager == alice


def test_the_person_moved_cannot_succeed_themselves(hr_client, alice, tree):
    html = _submit(hr_client, alice, department=tree["fin"], new_manager=alice).content.decode()
    assert "That is the person being transferred" in html
    assert not Transfer.objects.exists()


def test_the_service_refuses_the_person_moved_too(alice, tree, hr):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="the person being transferred"):
        transfer_request(
            employee=alice,
            to_department=tree["fin"],
            effective_date=timezone.localdate(),
            reason="x",
            actor=hr,
            new_manager=alice,
        )


@pytest.mark.parametrize("persona", ["security", "admin", "hr"])
def test_a_successor_of_the_same_or_a_higher_rank_is_refused(
    hr_client, alice, tree, make_user, persona
):
    senior = make_user(persona, department=tree["mob"], username=f"senior-{persona}")
    html = _submit(hr_client, alice, department=tree["fin"], new_manager=senior).content.decode()
    assert "same or a higher rank than yours" in html
    assert not Transfer.objects.exists()
    assert Department.objects.get(pk=tree["web"].pk).manager == alice


def test_a_scoped_hr_cannot_name_a_successor_outside_the_department(client, make_user, alice, tree):
    scoped = make_user("hr", username="hr-eng", department=tree["eng"], scope=tree["eng"])
    client.force_login(scoped)
    carol = _person("carol", tree["fin"])
    html = _submit(client, alice, department=tree["eng"], new_manager=carol).content.decode()
    assert "Carol Tester is not in Web (WEB) or one of its sub-departments." in html
    assert not Transfer.objects.exists()
    assert Department.objects.get(pk=tree["web"].pk).manager == alice


def test_a_successor_is_only_for_a_department_its_manager_leaves(bob, tree, hr):
    from django.core.exceptions import ValidationError

    carol = _person("carol", tree["mob"])
    with pytest.raises(ValidationError, match="does not manage their department"):
        transfer_request(
            employee=bob,
            to_department=tree["fin"],
            effective_date=timezone.localdate(),
            reason="x",
            actor=hr,
            new_manager=carol,
        )


def test_two_leaving_managers_and_one_successor_is_a_form_error(hr_client, alice, bob, tree):
    department_update(department=tree["mob"], actor=None, manager=bob)
    carol = _person("carol", tree["mob"])
    html = _submit(hr_client, alice, bob, department=tree["fin"], new_manager=carol)
    assert "transfer them one at a time" in html.content.decode()
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("not-a-uuid", "is not a valid UUID"),
        ("abc\x00def", "Null characters are not allowed"),
        ("9" * 5000, "is not a valid UUID"),
        (str(uuid.uuid4()), "Choose an active employee"),
    ],
)
def test_hostile_successor_ids_are_form_errors(hr_client, alice, tree, value, error):
    response = _submit(hr_client, alice, department=tree["fin"], new_manager=value)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Transfer.objects.exists()


def test_an_inactive_successor_is_not_a_choice(hr_client, alice, tree):
    gone = _person("gone", tree["mob"])
    Employee.objects.filter(pk=gone.pk).update(is_active=False)
    response = _submit(hr_client, alice, department=tree["fin"], new_manager=gone)
    assert "Choose an active employee" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_successor_autocomplete_answers(hr_client, alice, bob):
    response = hr_client.get(
        AUTOCOMPLETE,
        {"app_label": "org", "model_name": "transfer", "field_name": "new_manager", "term": "bob"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [str(bob)]


def test_the_action_page_loads_the_javascript_catalogue(hr_client, bob):
    response = hr_client.post(
        EMPLOYEES, {"action": "transfer_selected", "index": "0", ACTION_CHECKBOX_NAME: [bob.pk]}
    )
    assert reverse("admin:jsi18n") in response.content.decode()
