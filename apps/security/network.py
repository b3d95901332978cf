"""Who is knocking: the client's IP address (the same for lockouts, login events and
sessions) and the username tried, as django-axes records them.

``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` says how many proxies of ours append to
``X-Forwarded-For``: then the address the outermost of them saw. A forged header cannot
change the address when no proxy is trusted, and entries a client sent before ours are
never read. The header is read by django-ipware (the library axes itself supports).
"""

import ipaddress
from typing import Any

from axes.conf import settings as axes_settings  # Django's settings, with axes' defaults
from django.conf import settings
from django.http import HttpRequest
from ipware.ip import get_client_ip


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    # ipware counts the proxies named in the header after the client; each of ours
    # appends the address it was reached from, so the outermost one's entry is the client
    # and N of ours name N - 1. Not strict: a client may send entries of its own first.
    # Fewer entries than proxies (or none parsable) fall back to REMOTE_ADDR.
    forwarded, _routable = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return forwarded or remote


def client_agent(request: HttpRequest) -> str:
    return (request.META.get("HTTP_USER_AGENT", "") or "")[:300]


USERNAME_MAX = 150  # Employee.username; axes stores at most 255


def tried_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username a sign-in tried, cut to a length every table holds (an over-long or
    NUL-laden one must be a failed sign-in, not a database error)."""
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get(axes_settings.AXES_USERNAME_FORM_FIELD) if source else None
    if value is None:
        return None
    return str(value).replace("\x00", "")[:USERNAME_MAX]
