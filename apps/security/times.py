"""Moments as the security screens and mails write them: the reader's DATETIME_FORMAT
(backoffice/formats: to the second), in the site's time zone."""

import datetime

from django.conf import settings
from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language


def moment_shown(value: datetime.datetime) -> str:
    """ "Dec. 2, 2026, 10:28:05" (English), "2026年12月2日 10:28:05" (Chinese)."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def moment_in_mail(value: datetime.datetime) -> str:
    """As ``moment_shown``, with the time zone named: a mail is read far from the server.

    Mails are written in the site's language (``override(None)``), where Django would
    fall back to its own settings.DATETIME_FORMAT ("1:15 a.m."): the format is the site
    language's, from our format modules, then.
    """
    local = timezone.localtime(value)
    language = get_language() or settings.LANGUAGE_CODE
    written = dateformat.format(local, formats.get_format("DATETIME_FORMAT", lang=language))
    return f"{written} {local.tzname() or ''}".strip()


def time_shown(value: datetime.datetime) -> str:
    """ "10:28:05": the time of day alone (TIME_FORMAT), for a moment later today."""
    return formats.time_format(timezone.localtime(value), "TIME_FORMAT")
