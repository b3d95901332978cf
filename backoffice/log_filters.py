"""Logging filters (LOGGING in backoffice/settings.py)."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """On ``django.request``: a refusal (a 4xx response) is logged without its traceback.

    Django logs a 403 or 404 raised as an exception (PermissionDenied, Http404) with that
    exception's traceback, a screenful per refused request that tells nothing the status
    does not. ``keep_line=False`` leaves refusals out altogether, where the server's
    access log already has their line (the development server). 5xx records pass
    untouched, traceback included.
    """

    def __init__(self, keep_line: bool = True) -> None:
        super().__init__()
        self.keep_line = keep_line

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        if not self.keep_line:
            return False
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
