import pytest
from django.core.exceptions import ValidationError

from apps.org.models import Department
from apps.org.moves import (
    MAX_MOVES,
    Move,
    department_moves_apply,
    department_moves_preview,
    department_tree_version,
)
from apps.org.services import (
    department_create,
    department_deactivate,
    department_update,
    employee_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(tree, make_user):
    """The shared tree, with managers on ENG and FIN and people in WEB and MOB."""
    eng_boss = make_user("manager", department=tree["eng"], username="eng.boss")
    fin_boss = make_user("manager", department=tree["fin"], username="fin.boss")
    department_update(department=tree["eng"], actor=None, manager=eng_boss)
    department_update(department=tree["fin"], actor=None, manager=fin_boss)
    employee_create(actor=None, username="w1", department=tree["web"])
    employee_create(actor=None, username="m1", department=tree["mob"])
    employee_create(actor=None, username="m2", department=tree["mob"])
    return {**tree, "eng_boss": eng_boss, "fin_boss": fin_boss}


def _fresh(dept):
    return Department.objects.get(pk=dept.pk)


def test_preview_counts_the_subtree_and_names_both_paths(org):
    [preview] = department_moves_preview(moves=[Move(org["web"], org["fin"])])
    assert (preview.departments, preview.employees) == (2, 3)
    assert preview.old_path == ["Backoffice Group", "Engineering"]
    assert preview.new_path == ["Backoffice Group", "Finance"]


def test_preview_names_the_managers_who_lose_and_gain_people(org):
    [preview] = department_moves_preview(moves=[Move(org["web"], org["fin"])])
    assert preview.managers_losing == [org["eng_boss"]]
    assert preview.managers_gaining == [org["fin_boss"]]


def test_preview_sees_earlier_moves_of_the_same_batch(org):
    moves = [Move(org["web"], org["fin"]), Move(org["mob"], org["eng"])]
    first, second = department_moves_preview(moves=moves)
    # MOB sits under WEB, which the first move already put under Finance.
    assert second.old_path == ["Backoffice Group", "Finance", "Web"]
    assert second.managers_losing == [org["fin_boss"]]
    assert second.managers_gaining == [org["eng_boss"]]


def test_preview_changes_nothing(org):
    version = department_tree_version()
    department_moves_preview(moves=[Move(org["web"], org["fin"])])
    assert department_tree_version() == version
    assert _fresh(org["web"]).parent_id == org["eng"].pk


def test_preview_refuses_a_move_under_a_descendant(org):
    with pytest.raises(ValidationError, match="sub-departments"):
        department_moves_preview(moves=[Move(org["eng"], org["mob"])])


def test_preview_refuses_a_cycle_built_across_two_moves(org):
    moves = [Move(org["fin"], org["web"]), Move(org["eng"], org["fin"])]
    with pytest.raises(ValidationError):
        department_moves_preview(moves=moves)


def test_preview_refuses_an_inactive_target(org):
    leaf = department_create(actor=None, name="Tax", code="TAX", parent=org["fin"])
    department_deactivate(department=leaf, actor=None)
    with pytest.raises(ValidationError, match="inactive"):
        department_moves_preview(moves=[Move(org["web"], _fresh(leaf))])


def test_apply_moves_everything_with_the_reason_in_history(org, make_user):
    hr = make_user("hr")
    moves = [Move(org["web"], org["fin"]), Move(org["mob"], org["eng"])]
    department_moves_apply(
        moves=moves, reason="Reorg 2027", actor=hr, expected_version=department_tree_version()
    )
    assert _fresh(org["web"]).parent_id == org["fin"].pk
    assert _fresh(org["mob"]).parent_id == org["eng"].pk
    record = _fresh(org["mob"]).history.first()
    assert (record.history_change_reason, record.history_user) == ("Reorg 2027", hr)


def test_a_failing_move_in_a_batch_of_three_applies_none(org):
    version = department_tree_version()
    moves = [
        Move(org["web"], org["fin"]),
        Move(org["mob"], org["eng"]),
        Move(org["eng"], org["mob"]),  # MOB is under ENG again by now: a cycle
    ]
    with pytest.raises(ValidationError):
        department_moves_apply(moves=moves, reason="x", actor=None, expected_version=version)
    assert _fresh(org["web"]).parent_id == org["eng"].pk
    assert _fresh(org["mob"]).parent_id == org["web"].pk
    assert department_tree_version() == version


def test_apply_refuses_when_the_tree_changed_since_loading(org):
    version = department_tree_version()
    department_create(actor=None, name="Legal", code="LGL", parent=org["bog"])
    with pytest.raises(ValidationError, match="changed since you loaded"):
        department_moves_apply(
            moves=[Move(org["web"], org["fin"])], reason="x", actor=None, expected_version=version
        )
    assert _fresh(org["web"]).parent_id == org["eng"].pk


def test_another_users_move_changes_the_version(org):
    version = department_tree_version()
    department_moves_apply(
        moves=[Move(org["mob"], org["eng"])], reason="x", actor=None, expected_version=version
    )
    assert department_tree_version() != version


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_apply_refuses_a_missing_or_oversized_reason(org, reason):
    with pytest.raises(ValidationError):
        department_moves_apply(
            moves=[Move(org["web"], org["fin"])],
            reason=reason,
            actor=None,
            expected_version=department_tree_version(),
        )


def test_empty_and_oversized_batches_are_refused(org):
    with pytest.raises(ValidationError, match="no moves"):
        department_moves_preview(moves=[])
    with pytest.raises(ValidationError, match="At most"):
        department_moves_preview(moves=[Move(org["web"], org["fin"])] * (MAX_MOVES + 1))


def test_preview_gives_the_chains_and_the_departments_whose_managers_change(org):
    """The views filter these by what their reader may see (apps/org/tree_views.py)."""
    [preview] = department_moves_preview(moves=[Move(org["web"], org["fin"])])
    assert preview.old_chain == [org["bog"], org["eng"]]
    assert preview.new_chain == [org["bog"], org["fin"]]
    assert preview.losing == [org["eng"]]
    assert preview.gaining == [org["fin"]]


def test_a_manager_of_two_departments_above_is_named_once(org):
    department_update(department=org["web"], actor=None, manager=org["eng_boss"])
    [preview] = department_moves_preview(moves=[Move(org["mob"], org["fin"])])
    assert preview.losing == [org["web"], org["eng"]]
    assert preview.managers_losing == [org["eng_boss"]]
