"""Liveness and readiness probes for load balancers and orchestrators."""

import logging
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Answer that the process is alive; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"ready:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def _check_channel_layer() -> None:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.send)(channel, {"type": "ready.probe"})
    message = async_to_sync(layer.receive)(channel)
    if message.get("type") != "ready.probe":
        raise RuntimeError("channel layer returned an unexpected message")


def readiness_checks() -> dict[str, Callable[[], None]]:
    """The checks /ready/ runs: the channel layer only when it is a shared one (Redis)."""
    checks: dict[str, Callable[[], None]] = {
        "database": _check_database,
        "cache": _check_cache,
    }
    if settings.REDIS_URL:
        checks["channel_layer"] = _check_channel_layer
    return checks


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Check the services the product needs; 503 naming each failing check."""
    results: dict[str, str] = {}
    failed = False
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
            failed = True
        else:
            results[name] = "ok"
    return JsonResponse(
        {"status": "error" if failed else "ok", "checks": results},
        status=503 if failed else 200,
    )
