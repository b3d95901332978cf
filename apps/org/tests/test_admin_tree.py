import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from apps.access.roles import MANAGER
from apps.access.services import assignment_create
from apps.org.models import Department
from apps.org.moves import department_tree_version
from apps.org.services import department_create, department_update, employee_create

pytestmark = pytest.mark.django_db

TREE = reverse("admin:org_department_tree")
CHILDREN = reverse("admin:org_department_tree_children")
SEARCH = reverse("admin:org_department_tree_search")
PREVIEW = reverse("admin:org_department_tree_preview")
APPLY = reverse("admin:org_department_tree_apply")

# Session, user, the rights snapshot (the verified second-factor device is kept in the
# session: apps.security.middleware.OTPSessionMiddleware).
AUTH_QUERIES = 3


@pytest.fixture
def people(tree):
    lead = employee_create(
        actor=None, username="lead", first_name="Ada", last_name="King", department=tree["eng"]
    )
    department_update(department=tree["eng"], actor=None, manager=lead)
    boss = employee_create(
        actor=None, username="boss", first_name="Fin", last_name="Boss", department=tree["fin"]
    )
    department_update(department=tree["fin"], actor=None, manager=boss)
    employee_create(actor=None, username="w1", department=tree["web"])
    employee_create(actor=None, username="m1", department=tree["mob"])
    return {"lead": lead, "boss": boss}


def _post(client, url, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


def _moves(*pairs, version=None, **extra):
    return {
        "moves": [{"department": str(d.pk), "parent": str(p.pk)} for d, p in pairs],
        "version": version or department_tree_version(),
        **extra,
    }


def _grow(parent, n):
    for i in range(n):
        department_create(
            actor=None,
            name=f"Team {i}",
            code="T" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] * 2,
            parent=parent,
        )


def test_it_lives_under_the_department_admin():
    assert TREE == "/admin/org/department/tree/"
    assert CHILDREN == "/admin/org/department/tree/children/"


@pytest.mark.parametrize("extra", [0, 20])
def test_the_page_renders_in_at_most_six_queries(
    hr_client, tree, extra, django_assert_max_num_queries
):
    _grow(tree["fin"], extra)
    # Five, and the header's notification bell (apps.notifications: one on every page).
    with django_assert_max_num_queries(6):
        response = hr_client.get(TREE)
    assert response.status_code == 200
    data = json.loads(
        response.content.decode()
        .split('id="dept-tree-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert data == {"version": department_tree_version(), "can_move": True}
    assert b"vendor/sortablejs/Sortable.min.js" in response.content
    assert b"org/tree.js" in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_without_parent_the_endpoint_returns_the_roots(hr_client, tree):
    response = hr_client.get(CHILDREN)
    assert response.status_code == 200
    (bog,) = response.json()["children"]
    assert bog["code"] == "BOG"
    assert bog["has_children"] is True
    assert bog["subtree_headcount"] == 1  # hr itself


@pytest.mark.parametrize("extra", [0, 20])
def test_children_are_one_query_per_call(hr_client, people, tree, extra, django_assert_num_queries):
    _grow(tree["eng"], extra)
    with django_assert_num_queries(AUTH_QUERIES + 1):
        response = hr_client.get(CHILDREN, {"parent": str(tree["eng"].pk)})
    children = response.json()["children"]
    assert len(children) == 1 + extra
    web = next(c for c in children if c["code"] == "WEB")
    assert web == {
        "id": str(tree["web"].pk),
        "name": "Web",
        "code": "WEB",
        "manager": "",
        "direct_headcount": 1,
        "subtree_headcount": 2,
        "is_active": True,
        "has_children": True,
    }


def test_children_carry_the_manager_name(hr_client, people, tree):
    (bog,) = hr_client.get(CHILDREN).json()["children"]
    children = hr_client.get(CHILDREN, {"parent": bog["id"]}).json()["children"]
    eng = next(c for c in children if c["code"] == "ENG")
    assert eng["manager"] == "Ada King"
    assert eng["direct_headcount"] == 1
    assert eng["subtree_headcount"] == 3


def test_a_leaf_has_no_children(hr_client, tree):
    response = hr_client.get(CHILDREN, {"parent": str(tree["mob"].pk)})
    assert response.json()["children"] == []


@pytest.mark.parametrize("parent", ["", "not-a-uuid", "' OR 1=1 --", str(uuid.uuid4())])
def test_a_malformed_or_unknown_parent_is_a_json_404(hr_client, tree, parent):
    response = hr_client.get(CHILDREN, {"parent": parent})
    assert response.status_code == 404
    assert response.json()["error"] == "No such department."


def test_search_finds_by_name_or_code_with_the_path(hr_client, tree):
    results = hr_client.get(SEARCH, {"q": "mob"}).json()["results"]
    assert [r["code"] for r in results] == ["MOB"]
    assert results[0]["path"] == [str(tree[k].pk) for k in ("bog", "eng", "web")]
    by_code = hr_client.get(SEARCH, {"q": "FIN"}).json()["results"]
    assert [r["code"] for r in by_code] == ["FIN"]
    assert by_code[0]["path"] == [str(tree["bog"].pk)]


def test_search_returns_at_most_twenty(hr_client, tree):
    _grow(tree["fin"], 25)
    assert len(hr_client.get(SEARCH, {"q": "team"}).json()["results"]) == 20


def test_one_cjk_character_is_enough_to_search(hr_client, tree):
    department_create(actor=None, name="财务部", code="CWB", parent=tree["fin"])
    results = hr_client.get(SEARCH, {"q": "财"}).json()["results"]
    assert [r["code"] for r in results] == ["CWB"]


@pytest.mark.parametrize("q", ["", "a", " b ", "x" * 101, "财" * 101])
def test_search_refuses_too_short_or_long_queries(hr_client, tree, q):
    response = hr_client.get(SEARCH, {"q": q})
    assert response.status_code == 400
    assert "characters" in response.json()["error"]


def test_preview_describes_each_move(hr_client, people, tree):
    response = _post(hr_client, PREVIEW, _moves((tree["web"], tree["fin"])))
    assert response.status_code == 200
    (preview,) = response.json()["previews"]
    assert preview["departments"] == 2
    assert preview["employees"] == 2
    assert preview["old_path"] == ["Backoffice Group", "Engineering"]
    assert preview["new_path"] == ["Backoffice Group", "Finance"]
    assert preview["managers_losing"] == ["Ada King"]
    assert preview["managers_gaining"] == ["Fin Boss"]
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["eng"].pk


def test_preview_refuses_a_move_under_its_own_descendant(hr_client, tree):
    response = _post(hr_client, PREVIEW, _moves((tree["eng"], tree["mob"])))
    assert response.status_code == 400
    assert "own sub-departments" in response.json()["error"]


def test_apply_moves_with_the_reason_in_history(hr_client, hr_user, tree):
    response = _post(hr_client, APPLY, _moves((tree["web"], tree["fin"]), reason="Reorg 2025"))
    assert response.status_code == 200
    assert response.json()["applied"] == 1
    web = Department.objects.get(pk=tree["web"].pk)
    assert web.parent_id == tree["fin"].pk
    latest = web.history.latest()
    assert latest.history_change_reason == "Reorg 2025"
    assert latest.history_user_id == hr_user.pk


def test_apply_refuses_when_the_tree_changed(hr_client, tree):
    body = _moves((tree["web"], tree["fin"]), reason="Reorg")
    department_create(actor=None, name="Legal", code="LEG", parent=tree["bog"])
    response = _post(hr_client, APPLY, body)
    assert response.status_code == 400
    assert "changed since you loaded this page" in response.json()["error"]
    assert response.json()["stale"] is True
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["eng"].pk


def _bad_bodies(tree):
    web, fin = str(tree["web"].pk), str(tree["fin"].pk)
    version = department_tree_version()
    good = {"department": web, "parent": fin}
    return {
        "not json": ("{nope", "not valid JSON"),
        "not utf8": (b"\xff\xfe", "not valid JSON"),
        "a list": ("[]", "JSON object"),
        "no moves": ({"version": version, "reason": "r"}, "non-empty list"),
        "moves not a list": ({"moves": "x", "version": version, "reason": "r"}, "non-empty list"),
        "empty moves": ({"moves": [], "version": version, "reason": "r"}, "non-empty list"),
        "move not an object": ({"moves": [1], "version": version, "reason": "r"}, "needs"),
        "missing parent": (
            {"moves": [{"department": web}], "version": version, "reason": "r"},
            "needs",
        ),
        "int id": (
            {"moves": [{"department": 1, "parent": fin}], "version": version, "reason": "r"},
            "strings",
        ),
        "not a uuid": (
            {"moves": [{"department": "x", "parent": fin}], "version": version, "reason": "r"},
            "not a valid",
        ),
        "unknown id": (
            {
                "moves": [{"department": str(uuid.uuid4()), "parent": fin}],
                "version": version,
                "reason": "r",
            },
            "No such department",
        ),
        "too many": ({"moves": [good] * 51, "version": version, "reason": "r"}, "At most 50"),
        "too large": ({"moves": [good], "version": version, "reason": "r" * 110_000}, "too large"),
    }


@pytest.mark.parametrize("url", [PREVIEW, APPLY])
def test_bad_input_is_a_400_with_a_message(hr_client, tree, url):
    for name, (body, message) in _bad_bodies(tree).items():
        response = _post(hr_client, url, body)
        assert response.status_code == 400, name
        assert message in response.json()["error"], name


@pytest.mark.parametrize("body", [{"reason": ""}, {"reason": "   "}, {"reason": 5}, {}])
def test_apply_requires_a_reason(hr_client, tree, body):
    response = _post(hr_client, APPLY, _moves((tree["web"], tree["fin"]), **body))
    assert response.status_code == 400
    assert "Give a reason" in response.json()["error"]
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["eng"].pk


@pytest.mark.parametrize("version", [None, 3, ""])
def test_apply_requires_the_version(hr_client, tree, version):
    body = _moves((tree["web"], tree["fin"]), reason="r")
    body["version"] = version
    response = _post(hr_client, APPLY, body)
    assert response.status_code == 400
    assert "version" in response.json()["error"]


def test_the_endpoints_take_only_their_method(hr_client, tree):
    assert hr_client.get(PREVIEW).status_code == 405
    assert hr_client.get(APPLY).status_code == 405
    assert _post(hr_client, CHILDREN, {}).status_code == 405


@pytest.mark.parametrize("url", [TREE, CHILDREN, SEARCH + "?q=eng"])
def test_staff_without_view_department_is_refused(staff_client, url):
    assert staff_client.get(url).status_code == 403


@pytest.mark.parametrize("url", [PREVIEW, APPLY])
def test_staff_cannot_post_moves(staff_client, tree, url):
    response = _post(staff_client, url, _moves((tree["web"], tree["fin"]), reason="r"))
    assert response.status_code == 403
    assert "error" in response.json()


def test_the_auditor_may_look_but_not_move(client, auditor_user, tree):
    client.force_login(auditor_user)
    response = client.get(TREE)
    assert response.status_code == 200
    assert b'"can_move": false' in response.content
    assert b'data-testid="tree-pending-panel"' not in response.content
    assert client.get(CHILDREN).status_code == 200
    assert client.get(SEARCH, {"q": "web"}).status_code == 200
    for url in (PREVIEW, APPLY):
        response = _post(client, url, _moves((tree["web"], tree["fin"]), reason="r"))
        assert response.status_code == 403
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["eng"].pk


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(CHILDREN)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_apply_enforces_csrf(hr_user, tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr_user)
    body = _moves((tree["web"], tree["fin"]), reason="Reorg")
    assert _post(client, APPLY, body).status_code == 403
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["eng"].pk
    client.get(TREE)
    token = client.cookies["csrftoken"].value
    response = _post(client, APPLY, body, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["fin"].pk


def test_the_department_list_links_to_the_tree(hr_client):
    response = hr_client.get(reverse("admin:org_department_changelist"))
    assert f'href="{TREE}"'.encode() in response.content


def test_the_sidebar_offers_the_tree(hr_client):
    response = hr_client.get(reverse("admin:index"))
    assert TREE.encode() in response.content
    assert b"Department tree" in response.content


# --- Scope: the preview names only what the reader may see -----------------------------


@pytest.fixture
def top_boss(tree):
    boss = employee_create(
        actor=None, username="top", first_name="Top", last_name="Boss", department=tree["bog"]
    )
    department_update(department=tree["bog"], actor=None, manager=boss)
    return boss


@pytest.fixture
def manager_of(client, make_user, roles):
    """Log in a manager whose scope is the subtrees of the departments (one assignment each)."""

    def login(*departments):
        user = make_user("manager", username="scoped", department=departments[0])
        for extra in departments[1:]:
            assignment_create(
                actor=None, user=user, role=roles[MANAGER], department=extra, reason="t"
            )
        client.force_login(user)
        return client

    return login


def test_the_preview_names_no_manager_above_the_readers_scope(manager_of, people, top_boss, tree):
    client = manager_of(tree["eng"])
    body = {"moves": [{"department": str(tree["web"].pk), "parent": None}]}
    response = _post(client, PREVIEW, {**body, "version": department_tree_version()})
    assert response.status_code == 200
    (preview,) = response.json()["previews"]
    assert preview["managers_losing"] == ["Ada King"]
    assert preview["old_path"] == ["Engineering"]
    assert "Top Boss" not in response.content.decode()
    assert "Backoffice Group" not in response.content.decode()


def test_the_preview_between_two_scopes_names_no_manager_in_between(
    manager_of, people, top_boss, tree
):
    """WEB and FIN in scope; ENG (Ada King's) and the root between them are not."""
    client = manager_of(tree["web"], tree["fin"])
    response = _post(client, PREVIEW, _moves((tree["mob"], tree["fin"])))
    assert response.status_code == 200
    (preview,) = response.json()["previews"]
    assert preview["managers_losing"] == []
    assert preview["managers_gaining"] == ["Fin Boss"]
    assert preview["old_path"] == ["Web"]
    assert preview["new_path"] == ["Finance"]
    for hidden in ("Ada King", "Top Boss", "Engineering", "Backoffice Group"):
        assert hidden not in response.content.decode()


def test_hr_sees_every_manager_and_the_whole_path(hr_client, people, top_boss, tree):
    body = {"moves": [{"department": str(tree["web"].pk), "parent": None}]}
    response = _post(hr_client, PREVIEW, {**body, "version": department_tree_version()})
    (preview,) = response.json()["previews"]
    assert preview["managers_losing"] == ["Ada King", "Top Boss"]
    assert preview["old_path"] == ["Backoffice Group", "Engineering"]


# --- Hostile input: a 400 with a JSON message, never a 500 ------------------------------


@pytest.mark.parametrize("url", [PREVIEW, APPLY])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_a_deeply_nested_body_is_a_json_400(hr_client, tree, url, opening):
    body = opening * (100_000 // len(opening))
    response = _post(hr_client, url, body)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


@pytest.mark.parametrize("reason", ["\ud800", "a\udfffb", "nul\x00here"])
def test_a_reason_that_cannot_be_stored_is_a_json_400(hr_client, tree, reason):
    response = _post(hr_client, APPLY, _moves((tree["web"], tree["fin"]), reason=reason))
    assert response.status_code == 400
    assert "not allowed" in response.json()["error"]
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["eng"].pk


@pytest.mark.parametrize("url", [PREVIEW, APPLY])
def test_a_lone_surrogate_anywhere_in_the_body_is_a_json_400(hr_client, tree, url):
    body = _moves((tree["web"], tree["fin"]), reason="r")
    body["\ud800"] = ["x", {"y": "\udc00"}]
    response = _post(hr_client, url, body)
    assert response.status_code == 400
    assert "not allowed" in response.json()["error"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (SEARCH, {"q": "en\x00g"}),
        (SEARCH, {"q": "eng", "x\x00": "1"}),
        (CHILDREN, {"parent": "\x00"}),
    ],
)
def test_a_nul_in_the_query_string_is_a_json_400(hr_client, tree, url, params):
    response = hr_client.get(url, params)
    assert response.status_code == 400
    assert "not allowed" in response.json()["error"]
