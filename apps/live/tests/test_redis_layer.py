"""The Redis channel layer as configured for production: an idle socket's wait survives.

redis-py 8 reads for at most 5 s by default, exactly as long as the layer's blocking pop
waits for a message: the read timed out on a quiet socket, the consumer died with
``redis.exceptions.TimeoutError`` and its pushes were lost while the page reconnected
(channels_redis issue 422). The settings take the read timeout off, as redis-py 7 had
it: a finite one longer than the pop hangs the cancellation of a consumer's receive
(``apps/security/tests/test_consumers.py`` hung for ever with 6 s or 15 s).
"""

import asyncio
import os

import pytest
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer

import backoffice.settings as configured

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


def _config() -> dict:
    layer = configured.CHANNEL_LAYERS["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    return layer["CONFIG"]


def test_the_layers_reads_have_no_timeout_and_a_keepalive():
    (host,) = _config()["hosts"]
    assert host["socket_timeout"] is None
    assert host["socket_keepalive"] is True


@pytest.mark.services
def test_a_receive_on_a_quiet_channel_waits_past_the_pop_timeout():
    async def run():
        layer = RedisChannelLayer(**_config())
        channel = await layer.new_channel()
        try:
            # Longer than the pop's 5 s: the old read timeout would raise first.
            await asyncio.wait_for(layer.receive(channel), RedisChannelLayer.brpop_timeout + 2)
        except TimeoutError:  # asyncio's, not redis.exceptions.TimeoutError
            return "still waiting"
        finally:
            await layer.close_pools()
        return "received"

    assert async_to_sync(run)() == "still waiting"
