"""The progress reporter a job's ``run`` gets: cheap to call, throttled by the clock.

A loop may call ``step`` a million times a second; the row is written and the event
published at most ``PUBLISH_EVERY`` seconds apart (about 4 times a second), and the
cancel flag read at most ``CANCEL_EVERY`` apart (about twice a second), whatever the loop
rate: each call costs one clock read and a comparison (bench/jobs_progress.py). The
clock is injectable, so tests move it by hand.
"""

import datetime
import time
import uuid
from collections.abc import Callable
from typing import IO, Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename

from apps.core.jobs import JobCancelled

PUBLISH_EVERY = 0.25
CANCEL_EVERY = 0.5
MESSAGE_MAX = 500


class Reporter:
    """``apps.core.jobs.Progress`` for one job; ``flush()`` writes what is pending."""

    def __init__(
        self,
        job_id: uuid.UUID,
        *,
        write: Callable[["Reporter"], None],
        is_cancelled: Callable[[uuid.UUID], bool],
        clock: Callable[[], float] = time.monotonic,
        publish_every: float = PUBLISH_EVERY,
        cancel_every: float = CANCEL_EVERY,
    ) -> None:
        self.job_id = job_id
        self.done = 0
        self.total: int | None = None
        self.message = ""
        self.file: File[Any] | None = None
        self.file_name = ""
        self.file_type = ""
        self.writes = 0
        self.cancel_checks = 0
        self._write = write
        self._is_cancelled = is_cancelled
        self._clock = clock
        self._publish_every = publish_every
        self._cancel_every = cancel_every
        now = clock()
        # The first step publishes at once (the bar appears), the cancel check waits.
        self._next_publish = now
        self._next_cancel = now + cancel_every
        self._next = now
        self._cancelled = False

    def step(self, done: int, total: int | None = None, message: str = "") -> None:
        self.done = done
        if total is not None:
            self.total = total
        if message:
            self.message = message[:MESSAGE_MAX]
        # One clock read and one comparison per call: the rest waits for the next moment due.
        now = self._clock()
        if now >= self._next:
            self._due(now)

    def _due(self, now: float) -> None:
        if now >= self._next_publish:
            self._next_publish = now + self._publish_every
            self.flush()
        if now >= self._next_cancel and self._check(now):
            raise JobCancelled
        self._next = min(self._next_publish, self._next_cancel)

    def cancelled(self) -> bool:
        now = self._clock()
        return self._cancelled or (now >= self._next_cancel and self._check(now))

    def _check(self, now: float) -> bool:
        self._next_cancel = now + self._cancel_every
        self._next = min(self._next_publish, self._next_cancel)
        self.cancel_checks += 1
        self._cancelled = self._is_cancelled(self.job_id)
        return self._cancelled

    def flush(self) -> None:
        self.writes += 1
        self._write(self)

    def result_file(self, name: str, content: bytes | IO[bytes], content_type: str) -> None:
        self.file_name = get_valid_filename(name)[:200] or "result"
        self.file_type = content_type[:100]
        if hasattr(content, "seek"):
            content.seek(0)
        if isinstance(content, bytes):
            self.file = ContentFile(content, name=self.file_name)
        else:
            self.file = File(content, name=self.file_name)


def eta_seconds(
    *, started: datetime.datetime | None, done: int, total: int | None, now: datetime.datetime
) -> int | None:
    """Seconds left at the rate so far; None before there is a rate to go by."""
    if started is None or not total or done <= 0 or done >= total:
        return None
    elapsed = (now - started).total_seconds()
    if elapsed <= 0:
        return None
    return max(0, round(elapsed * (total - done) / done))
