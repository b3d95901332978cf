"""Benchmark: the live socket (issue 15) with 500 clients on one topic, two server processes.

Starts two uvicorn processes (ports 8761, 8762) on the project's ASGI application with the
Redis channel layer, opens ``--clients`` authenticated sockets split over them, all
subscribed to ``global``, and measures:

- publish -> receive latency: ``--events`` events published one by one through the
  channel layer (as ``apps.core.live`` does after commit), each stamped with its send time;
  p50 / p95 over every (event, client) receipt, and how many receipts were lost;
- memory per open connection: the two servers' RSS with the clients connected, minus their
  RSS before, divided by the clients;
- a burst: 1,000 changes of one coalesced state in one second, published twice: through
  ``apps.core.live.Throttle`` as the product's publishers do (jobs' progress, the Tasks
  page), and raw, one layer message per change and socket; per client, the most pushes
  it got in any one second, and whether its last push carried the final state.

Then the same latency and memory with the floor (bench/live_floor.py: a bare Channels
consumer forwarding its group's messages; no gate, no topics, no frame rules). Clients use
the ``websockets`` library in this process. Prints Markdown tables; exits 0.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_live REDIS_URL=redis://127.0.0.1:6379/11 \\
    .venv/bin/python bench/live.py --clients 500
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from _common import ROOT, machine, percentile, setup_django, table

USERNAME = "bench-live"
PORTS = (8761, 8762)
SECRET = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(48)
os.environ["DJANGO_SECRET_KEY"] = SECRET


def bench_user():
    from apps.access.roles import STAFF, roles_ensure
    from apps.access.services import assignment_create
    from apps.org.models import Department, Employee
    from apps.org.services import department_create, employee_create

    user = Employee.objects.filter(username=USERNAME).first()
    if user is not None:
        return user
    root = Department.objects.filter(parent=None).first() or department_create(
        actor=None, name="Bench", code="BEN"
    )
    user = employee_create(
        actor=None,
        username=USERNAME,
        password=secrets.token_urlsafe(16),
        first_name="Bench",
        last_name="Live",
        department=root,
        is_staff=True,
    )
    assignment_create(
        actor=None, user=user, role=roles_ensure()[STAFF], department=None, reason="bench/live.py"
    )
    return user


def sessions_for(user, count: int) -> list[str]:
    """Session keys of ``user``, signed in (staff without a device: no code step)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for _ in range(count):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "apps.access.backends.AccessBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def servers(app: str):
    env = {**os.environ, "DJANGO_SECURE_SSL_REDIRECT": "0", "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--ws",
                "websockets-sansio",
                "--lifespan",
                "off",
            ],
            cwd=ROOT,
            env=env,
        )
        for port in PORTS
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # still closing sockets: measured already
                proc.kill()
                proc.wait()


async def wait_listening() -> None:
    for port in PORTS:
        for _ in range(300):
            try:
                _r, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)


class Client:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.latencies: dict[int, float] = {}
        self.bursts: dict[str, list[tuple[float, int]]] = defaultdict(list)  # (at, done)

    async def read(self) -> None:
        async for text in self.ws:
            frame = json.loads(text)
            if frame.get("type") != "event":
                continue
            event, now = frame["event"], time.time()
            if event.get("kind") == "bench":
                self.latencies[event["seq"]] = now - event["sent"]
            elif event.get("kind") == "burst":
                self.bursts[event["coalesce"]].append((now, event["done"]))


async def connect(count: int, keys: list[str] | None, subscribe: bool) -> list[Client]:
    import websockets
    from django.conf import settings

    clients = []
    for n in range(count):
        port = PORTS[n % len(PORTS)]
        headers = {}
        if keys:
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={keys[n % len(keys)]}"
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/live/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers=headers,
            max_queue=None,
            open_timeout=60,
        )
        if subscribe:
            await ws.send(json.dumps({"type": "subscribe", "topic": "global", "ref": n}))
            answer = json.loads(await ws.recv())
            assert answer["type"] == "subscribed", answer
        clients.append(Client(ws))
    return clients


def publish_throttled(changes: int, seconds: float) -> None:
    """``changes`` states in ``seconds``, published as the product's publishers do."""
    from apps.core import live

    latest: dict = {}
    throttle = live.Throttle(lambda: live.publish("global", dict(latest)), interval=0.1)
    started = time.time()
    for done in range(1, changes + 1):
        latest.update(kind="burst", done=done, coalesce="throttled")
        throttle()
        time.sleep(max(0.0, started + done * seconds / changes - time.time()))


async def burst(layer, group: str, clients: list[Client], name: str) -> tuple[float, float]:
    """1,000 changes within a second; wait (up to 60 s) for every client's final state."""
    from apps.core import live

    started = time.time()
    if name == "throttled":
        await asyncio.to_thread(publish_throttled, 1000, 1.0)
    else:
        for done in range(1, 1001):
            event = {"kind": "burst", "done": done, "coalesce": name}
            await layer.group_send(
                group, {"type": live.MESSAGE_TYPE, "topic": "global", "event": event}
            )
            await asyncio.sleep(max(0.0, started + done / 1000 - time.time()))
    sent = time.time() - started
    for _ in range(600):
        if all(c.bursts[name] and c.bursts[name][-1][1] == 1000 for c in clients):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # stragglers: a push after the final state would be counted
    return started, sent


def burst_figures(clients: list[Client], name: str, started: float, sent: float) -> dict:
    per_second, finals = [], 0
    for c in clients:
        pushes = c.bursts[name]
        buckets: dict[int, int] = defaultdict(int)
        for at, _done in pushes:
            buckets[int((at - started) * 10)] += 1  # 100 ms slots
        # the most pushes in any window of ten consecutive 100 ms slots
        slots = [buckets.get(i, 0) for i in range(max(buckets, default=0) + 10)]
        per_second.append(max((sum(slots[i : i + 10]) for i in range(len(slots))), default=0))
        finals += bool(pushes) and pushes[-1][1] == 1000
    last = [c.bursts[name][-1][0] - started for c in clients if c.bursts[name]]
    return {
        "max_per_s": max(per_second),
        "median": sorted(len(c.bursts[name]) for c in clients)[len(clients) // 2],
        "final_ok": finals,
        "sent_s": sent,
        "final_p95_s": percentile(last, 0.95) if last else float("nan"),
    }


async def run(
    app: str, clients_wanted: int, events: int, gap: float, keys: list[str] | None
) -> dict:
    from channels.layers import get_channel_layer

    from apps.core import live

    layer = get_channel_layer()
    group = live.group_name("global") if keys else "bench.floor"
    with servers(app) as procs:
        await wait_listening()
        await asyncio.sleep(1)
        before = sum(rss_kb(p.pid) for p in procs)
        clients = await connect(clients_wanted, keys, subscribe=keys is not None)
        readers = [asyncio.create_task(c.read()) for c in clients]
        await asyncio.sleep(2)
        after = sum(rss_kb(p.pid) for p in procs)
        for seq in range(events):
            event = {"kind": "bench", "seq": seq, "sent": time.time()}
            await layer.group_send(
                group, {"type": live.MESSAGE_TYPE, "topic": "global", "event": event}
            )
            await asyncio.sleep(gap)
        await asyncio.sleep(3)
        bursts = {}
        if keys:  # the burst, through the product's throttle, then raw
            for name in ("throttled", "raw"):
                bursts[name] = await burst(layer, group, clients, name)
        for c in clients:
            await c.ws.close()
        for task in readers:
            task.cancel()
    latencies = [v for c in clients for v in c.latencies.values()]
    lost = clients_wanted * events - len(latencies)
    result = {
        "p50": percentile(latencies, 0.5) * 1000 if latencies else float("nan"),
        "p95": percentile(latencies, 0.95) * 1000 if latencies else float("nan"),
        "max": max(latencies) * 1000 if latencies else float("nan"),
        "lost": lost,
        "kb_per_conn": (after - before) / clients_wanted,
    }
    for name, (started, sent) in bursts.items():
        result[name] = burst_figures(clients, name, started, sent)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between events")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if "channels_redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        sys.exit("Set REDIS_URL: two server processes need the Redis channel layer.")
    call_command("migrate", verbosity=0)
    keys = sessions_for(bench_user(), args.clients)
    print(machine())
    live = asyncio.run(
        run("backoffice.asgi:application", args.clients, args.events, args.gap, keys)
    )
    floor = asyncio.run(
        run("bench.live_floor:application", args.clients, args.events, args.gap, None)
    )
    print(
        f"{args.clients} clients on two uvicorn processes, {args.events} events {args.gap} s apart\n"
    )
    print(
        table(
            ["server", "p50 ms", "p95 ms", "max ms", "receipts lost", "RSS KB per connection"],
            [
                [
                    name,
                    f"{r['p50']:.1f}",
                    f"{r['p95']:.1f}",
                    f"{r['max']:.1f}",
                    r["lost"],
                    f"{r['kb_per_conn']:.1f}",
                ]
                for name, r in (("/ws/live/", live), ("floor", floor))
            ],
        )
    )
    print(
        "\nBurst of 1,000 changes of one coalesced state in 1 s, to every client:\n\n"
        + table(
            [
                "publisher",
                "most pushes a client got in 1 s",
                "median pushes per client",
                "clients whose last push was the final state",
                "final state reached, p95 s",
            ],
            [
                [
                    label,
                    live[name]["max_per_s"],
                    live[name]["median"],
                    f"{live[name]['final_ok']}/{args.clients}",
                    f"{live[name]['final_p95_s']:.2f}",
                ]
                for name, label in (("throttled", "live.Throttle (0.1 s)"), ("raw", "unthrottled"))
            ],
        )
    )


if __name__ == "__main__":
    main()
