"""Worker processes that run Django code beside a request, a job or a test.

They are spawned, never forked: forking a process that runs other threads (a web
server's, the job runner's, a test's live server) copies the locks and sockets those
threads hold, and a child can wait on them for ever. A spawned process starts Django
afresh, on the caller's database (a test run's is not the configured one) and with the
settings the caller names copied over.

This module imports no models: a spawned process unpickles the initializer before
Django is set up.
"""

import multiprocessing
import multiprocessing.pool
from collections.abc import Iterable, Mapping
from typing import Any

DATABASE_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


def pool(workers: int, *, keep: Iterable[str] = ()) -> multiprocessing.pool.Pool:
    """A pool of ``workers`` spawned processes on this process's default database.

    ``keep`` names settings whose current values the processes take (a value a test
    or the caller changed since start-up).
    """
    from django.conf import settings
    from django.db import connection

    database = {key: connection.settings_dict[key] for key in DATABASE_KEYS}
    kept = {name: getattr(settings, name) for name in keep}
    context = multiprocessing.get_context("spawn")
    return context.Pool(workers, initializer=_start, initargs=(database, kept))


def _start(database: Mapping[str, Any], kept: Mapping[str, Any]) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    connections["default"].settings_dict.update(database)
    for name, value in kept.items():
        setattr(settings, name, value)
