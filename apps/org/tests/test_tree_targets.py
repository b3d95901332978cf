"""The "Move to…" choices: real moves only, inside what the reader may change."""

import pytest
from django.urls import reverse

from apps.access.roles import MANAGER
from apps.access.services import assignment_create
from apps.org.services import department_create, department_deactivate

pytestmark = pytest.mark.django_db

TARGETS = reverse("admin:org_department_tree_targets")


def _targets(client, node, **params):
    return client.get(TARGETS, {"node": getattr(node, "pk", node), **params})


def _names(response):
    return [r["name"] for r in response.json()["results"]]


@pytest.fixture
def admin_client_(client, admin_user_):
    client.force_login(admin_user_)
    return client


def test_the_parent_and_the_subtree_are_left_out(admin_client_, tree):
    # Engineering sits under the group, with Web and Mobile below it.
    response = _targets(admin_client_, tree["eng"])
    assert response.status_code == 200
    assert _names(response) == ["Finance"]
    assert response.json()["top"] is True


def test_a_leaf_may_go_anywhere_but_under_its_parent(admin_client_, tree):
    names = _names(_targets(admin_client_, tree["mob"]))
    assert names == ["Backoffice Group", "Engineering", "Finance"]


def test_each_choice_carries_its_path_for_the_page_to_reveal_it(admin_client_, tree):
    result = _targets(admin_client_, tree["fin"], q="Mob").json()["results"]
    assert [r["name"] for r in result] == ["Mobile"]
    assert result[0]["path"] == [str(tree[k].pk) for k in ("bog", "eng", "web")]


def test_inactive_departments_are_no_target(admin_client_, tree):
    department_deactivate(department=tree["mob"], actor=None)
    assert "Mobile" not in _names(_targets(admin_client_, tree["fin"]))


def test_a_root_cannot_go_to_the_top_again(admin_client_, tree):
    assert _targets(admin_client_, tree["bog"]).json()["top"] is False


def test_the_search_narrows_the_choices(admin_client_, tree):
    assert _names(_targets(admin_client_, tree["mob"], q="fin")) == ["Finance"]
    assert _names(_targets(admin_client_, tree["mob"], q="WEB")) == []  # its parent


def test_the_list_is_capped(admin_client_, tree):
    for i in range(25):
        department_create(
            actor=None,
            name=f"Team {i:02}",
            code="T" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] * 2,
            parent=tree["fin"],
        )
    assert len(_names(_targets(admin_client_, tree["mob"]))) == 20


def test_a_scoped_reader_is_offered_only_departments_they_may_change(
    client, make_user, roles, tree
):
    other = department_create(actor=None, name="Design", code="DES", parent=tree["bog"])
    user = make_user("manager", username="scoped", department=tree["eng"])
    assignment_create(actor=None, user=user, role=roles[MANAGER], department=other, reason="t")
    client.force_login(user)
    response = _targets(client, tree["mob"])
    assert response.status_code == 200
    # Inside ENG and DES; never Finance or the group, nor the top (that needs
    # organisation-wide rights).
    assert _names(response) == ["Design", "Engineering"]
    assert response.json()["top"] is False


def test_a_department_outside_the_scope_is_not_found(client, make_user, tree):
    client.force_login(make_user("manager", username="scoped", department=tree["eng"]))
    response = _targets(client, tree["fin"])
    assert response.status_code == 404
    assert "Finance" not in response.content.decode()


def test_readers_who_may_not_move_are_refused(client, make_user, tree):
    client.force_login(make_user("auditor"))
    assert _targets(client, tree["mob"]).status_code == 403


@pytest.mark.parametrize(
    ("node", "status"),
    [
        ("", 404),
        ("not-a-uuid", 404),
        ("9" * 10_000, 404),
        ("00000000-0000-0000-0000-000000000000", 404),
        ("abc\x00", 400),
    ],
)
def test_hostile_ids_are_refused_cleanly(admin_client_, tree, node, status):
    response = _targets(admin_client_, node)
    assert response.status_code == status
    assert "error" in response.json()


@pytest.mark.parametrize(("query", "status"), [("x" * 101, 400), ("a\x00", 400), ("%_", 200)])
def test_hostile_searches_are_refused_cleanly(admin_client_, tree, query, status):
    response = _targets(admin_client_, tree["mob"], q=query)
    assert response.status_code == status


def test_the_answer_is_a_fixed_number_of_queries(
    admin_client_, tree, django_assert_max_num_queries
):
    for i in range(10):
        department_create(
            actor=None,
            name=f"Team {i:02}",
            code="T" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] * 2,
            parent=tree["fin"],
        )
    _targets(admin_client_, tree["mob"])  # warm the session and rights caches
    # Session, user and rights; the node; its changeability; the targets; their paths.
    with django_assert_max_num_queries(6):
        response = _targets(admin_client_, tree["mob"])
    assert len(_names(response)) == 13
