import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.json() == {"status": "ok"}


def test_health_refuses_post(client):
    assert client.post("/health/").status_code == 405


def test_ready_reports_each_check(client, settings):
    response = client.get("/ready/")
    assert response.status_code == 200
    expected = {"database": "ok", "cache": "ok"}
    if settings.REDIS_URL:
        expected["channel_layer"] = "ok"
    assert response.json() == {"status": "ok", "checks": expected}


def test_ready_is_503_and_names_the_cache_when_it_is_unreachable(client, settings):
    # A real Redis client against a port nothing listens on: a true failure, no mock.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    # Django's setting_changed handler rebuilds the cache handlers for the override.
    response = client.get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error")


def test_ready_checks_the_channel_layer_when_redis_is_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/ready/")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"].startswith("error")
