import threading

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext_noop

from apps.notifications import selectors, services
from apps.notifications.models import Kind, Notification
from apps.org.services import employee_create

HELLO = gettext_noop("Finished: %(label)s.")


@pytest.fixture
def alice(root_department):
    return employee_create(actor=None, username="alice", department=root_department)


@pytest.fixture
def bob(root_department):
    return employee_create(actor=None, username="bob", department=root_department)


def test_numbers_each_persons_notifications_one_after_another(alice, bob):
    services.notify(
        recipients=[alice, bob], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "A"}
    )
    services.notify(recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "B"})
    assert [n.seq for n in selectors.notifications_of(alice)] == [2, 1]
    assert [n.seq for n in selectors.notifications_of(bob)] == [1]


def test_publishes_after_commit_with_the_new_unread_count(
    alice, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "A"}
        )
        services.notify(
            recipients=[alice], kind=Kind.JOB_FAILED, msgid=HELLO, params={"label": "B"}, url="/x/"
        )
        assert pushed == []  # nothing before the commit
    topic, event = pushed[-1]
    assert topic == f"user:{alice.pk}"
    row = selectors.notifications_of(alice).first()
    assert event == {
        "kind": "notification",
        "id": str(row.id),
        "seq": 2,
        "text": "Finished: B.",
        "url": "/x/",
        "unread": 2,
    }


def test_the_push_is_in_the_sites_language_whoever_caused_it(
    alice, pushed, django_capture_on_commit_callbacks
):
    """A request read in Chinese (a stranger's failed sign-in, say) notifies an officer who
    may read English: the pushed text is the site's; the bell refetches in the reader's."""
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "A"}
        )
    assert pushed[-1][1]["text"] == "Finished: A."


def _notify_then_fail(alice):
    from django.db import transaction

    with transaction.atomic():
        services.notify(
            recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "A"}
        )
        raise RuntimeError


def test_a_rolled_back_notification_is_never_pushed(
    alice, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _notify_then_fail(alice)
    assert pushed == []
    assert not Notification.objects.exists()


def test_text_is_shown_in_the_readers_language(alice):
    from apps.core.texts import text_shown

    services.notify(recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "X"})
    row = selectors.notifications_of(alice).get()
    with translation.override("zh-hans"):
        assert text_shown(row.text) == "已完成：X。"
    assert text_shown(row.text) == "Finished: X."


def test_a_key_sends_once_per_person(alice, bob):
    services.notify(
        recipients=[alice], kind=Kind.ROLE_EXPIRING, msgid=HELLO, params={"label": "r"}, key="k1"
    )
    sent = services.notify(
        recipients=[alice, bob],
        kind=Kind.ROLE_EXPIRING,
        msgid=HELLO,
        params={"label": "r"},
        key="k1",
    )
    assert [n.recipient_id for n in sent] == [bob.pk]
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_since_lists_only_what_came_after_oldest_first(alice):
    for label in "ABC":
        services.notify(
            recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": label}
        )
    assert [n.seq for n in selectors.notifications_since(alice, 1)] == [2, 3]
    assert [n.seq for n in selectors.notifications_latest(alice, 2)] == [3, 2]


def test_marking_others_ids_read_changes_nothing(alice, bob):
    (theirs,) = services.notify(
        recipients=[bob], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "A"}
    )
    assert services.notifications_mark_read(user=alice, ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marks_own_read_one_by_one_and_all(alice):
    (first,) = services.notify(
        recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "A"}
    )
    services.notify(recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "B"})
    assert services.notifications_mark_read(user=alice, ids=[first.pk]) == 1
    assert selectors.unread_count(alice) == 1
    assert services.notifications_mark_all_read(user=alice) == 1
    assert selectors.unread_count(alice) == 0


def test_unread_count_is_one_query(alice, django_assert_num_queries):
    services.notify(recipients=[alice], kind=Kind.JOB_SUCCEEDED, msgid=HELLO, params={"label": "A"})
    with django_assert_num_queries(1):
        assert selectors.bell_figures(alice) == {"unread": 1, "last_seq": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_notifications_get_distinct_numbers(root_department):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    person = employee_create(actor=None, username="racer", department=root_department)
    errors = []

    def send():
        try:
            for _ in range(5):
                services.notify(
                    recipients=[person.pk],
                    kind=Kind.JOB_SUCCEEDED,
                    msgid=HELLO,
                    params={"label": "r"},
                )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = sorted(Notification.objects.filter(recipient=person).values_list("seq", flat=True))
    assert seqs == list(range(1, 21))
