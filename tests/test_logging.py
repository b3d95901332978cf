"""The server log: one line per record, no traceback for a refusal, a traceback for a 500."""

import io
import logging

import pytest
from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.test import RequestFactory

from backoffice.log_filters import RefusalsWithoutTraceback


@pytest.fixture
def printed():
    """What the root logger's handlers print, formatted as the console handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def _respond(exception: Exception):
    request = RequestFactory().get("/admin/org/employee/")
    try:
        raise exception
    except Exception as exc:  # noqa: BLE001 - what Django's handler would catch
        return response_for_exception(request, exc)


def test_only_the_root_prints_so_each_record_is_printed_once():
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []
    ours = [h for h in logging.getLogger().handlers if not type(h).__module__.startswith("_pytest")]
    assert len(ours) == 1


@pytest.mark.parametrize("exception", [PermissionDenied(), BadRequest()], ids=["403", "400"])
def test_a_refusal_is_one_line_without_traceback(printed, exception):
    response = _respond(exception)
    assert 400 <= response.status_code < 500
    lines = printed.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "/admin/org/employee/" in lines[0]
    assert "Traceback" not in printed.getvalue()


def test_a_server_error_keeps_its_traceback(printed, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    response = _respond(RuntimeError("boom in the view"))
    assert response.status_code == 500
    output = printed.getvalue()
    assert output.startswith("Internal Server Error: /admin/org/employee/")
    assert "Traceback (most recent call last)" in output
    assert "RuntimeError: boom in the view" in output


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionDenied
    except PermissionDenied:
        import sys

        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), None)
        record.exc_info = sys.exc_info()
        record.status_code = status
        return record


def test_where_the_access_log_has_the_line_a_refusal_is_left_out():
    # Under DEBUG (the demo's development server) the access line says it already.
    dropping = RefusalsWithoutTraceback(keep_line=False)
    assert not dropping.filter(_record(403))
    server_error = _record(500)
    assert dropping.filter(server_error)
    assert server_error.exc_info is not None
    assert settings.LOGGING["filters"]["refusals"]["keep_line"] is (not settings.DEBUG)
