"""Generated container log lines: steady traffic, error bursts, crash and OOM sequences."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from kubechat_tui.sim.clock import rfc3339_micro

MAX_LINES = 1500
PATHS = ("/v1/payments", "/v1/charges", "/v1/refunds", "/v1/orders", "/healthz", "/ready",
         "/v1/cart", "/v1/checkout/session")
CLIENTS = ("checkout-web/3.8.4", "orders-api/5.2.0", "kube-probe/1.36", "mobile-ios/7.12.0")


def _steady(kind: str, rng: random.Random, at: float, image: str, failing_peer: bool) -> str:
    path = rng.choice(PATHS)
    if kind == "sidecar":
        if failing_peer and rng.random() < 0.7:
            return (f'[{rfc3339_micro(at)[:-4]}Z] "POST {path} HTTP/1.1" 503 UF,URX 0 91 '
                    f'{rng.randint(1, 30)} - "10.244.{rng.randint(0, 9)}.{rng.randint(2, 250)}" '
                    f'"{rng.choice(CLIENTS)}" "{rng.getrandbits(64):016x}" '
                    '"payments-api.payments.svc:80" "127.0.0.1:8080" upstream connect error or '
                    "disconnect/reset before headers. reset reason: connection failure")
        return (f'[{rfc3339_micro(at)[:-4]}Z] "GET {path} HTTP/1.1" 200 - 0 '
                f'{rng.randint(80, 4000)} {rng.randint(2, 80)} {rng.randint(1, 70)} '
                f'"10.244.{rng.randint(0, 9)}.{rng.randint(2, 250)}" "{rng.choice(CLIENTS)}" '
                f'"{rng.getrandbits(64):016x}" "{path}" "127.0.0.1:8080"')
    if kind == "worker":
        return (f'time="{rfc3339_micro(at)[:-8]}Z" level=info msg="processed batch" '
                f"batch={int(at) % 100000} items={rng.randint(200, 500)} "
                f"duration={rng.uniform(0.2, 2.5):.2f}s rss_mb={rng.randint(120, 180)}")
    if kind == "dns":
        client = f"10.244.{rng.randint(0, 9)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)}"
        name = rng.choice(("payments-api.payments", "orders-api.orders", "checkout-web.checkout"))
        return (f'[INFO] {client} - {rng.randint(1000, 65000)} "A IN {name}'
                '.svc.cluster.local. udp 62 false 512" NOERROR qr,aa,rd 118 '
                f"{rng.uniform(0.0001, 0.002):.6f}s")
    status = 200 if rng.random() > 0.02 else rng.choice((404, 409, 499))
    if rng.random() < 0.04:
        return (f'{{"level":"warn","ts":"{rfc3339_micro(at)}","logger":"http","msg":"slow request",'
                f'"path":"{path}","duration_ms":{rng.randint(800, 2400)},"image":"{image}"}}')
    return (f'{{"level":"info","ts":"{rfc3339_micro(at)}","logger":"http","msg":"request",'
            f'"method":"{rng.choice(("GET", "POST"))}","path":"{path}","status":{status},'
            f'"duration_ms":{rng.randint(1, 120)},"client":"{rng.choice(CLIENTS)}"}}')


def _kind(container: str, image: str) -> str:
    if "envoy" in image or container == "sidecar":
        return "sidecar"
    if "worker" in container or "worker" in image:
        return "worker"
    if "coredns" in image:
        return "dns"
    return "app"


def steady(uid: str, container: str, image: str, start: float, until: float,
           failing_peer: bool = False) -> Iterator[tuple[float, str]]:
    """Traffic lines from start to until (the most recent MAX_LINES of them)."""
    seed = random.Random(f"{uid}/{container}")
    period = seed.uniform(2.0, 6.0)
    kind = _kind(container, image)
    first = max(0, int((until - start) / period) - MAX_LINES)
    k = first
    while True:
        at = start + k * period
        if at > until:
            return
        rng = random.Random(f"{uid}/{container}/{k}")
        yield at, _steady(kind, rng, at, image, failing_peer)
        k += 1


def startup(image: str, start: float) -> list[tuple[float, str]]:
    """The first lines any of our services print."""
    version = image.rsplit(":", 1)[-1]
    return [(start, f'{{"level":"info","ts":"{rfc3339_micro(start)}","msg":"starting",'
                    f'"version":"{version}","pid":1}}'),
            (start + 0.05, f'{{"level":"info","ts":"{rfc3339_micro(start + 0.05)}",'
                           '"msg":"loaded configuration","source":"env","keys":4}')]


def env_dump(env: list[dict[str, object]], start: float) -> list[tuple[float, str]]:
    """What a service run with LOG_ENV_AT_START=true prints first: its literal environment
    (the way debug settings leak credentials into logs)."""
    values = {str(e.get("name")): e["value"] for e in env if isinstance(e.get("value"), str)}
    if values.get("LOG_ENV_AT_START") != "true":
        return []
    return [(start, json.dumps({"level": "debug", "ts": rfc3339_micro(start),
                                "msg": "environment", **values}))]


def crash(image: str, start: float, end: float) -> list[tuple[float, str]]:
    """A run that dies at startup: connection errors, then a traceback and exit 1."""
    lines = startup(image, start)
    step = max(0.1, (end - start) / 8)
    t = start + 0.2
    lines.append((t, f'{{"level":"info","ts":"{rfc3339_micro(t)}","msg":"feature flags",'
                     '"ledger_v2":true}'))
    for attempt in (1, 2, 3):
        t += step
        lines.append((t, f'{{"level":"error","ts":"{rfc3339_micro(t)}","msg":"ledger connect '
                         'failed","dsn":"postgres://ledger-db-v2.payments.svc:5432/ledger",'
                         f'"error":"dial tcp: lookup ledger-db-v2.payments.svc on 172.20.0.10:53:'
                         f' no such host","attempt":{attempt},"max_attempts":3}}'))
    t = end - 0.01
    trace = [
        "Traceback (most recent call last):",
        '  File "/app/payments/main.py", line 88, in <module>',
        "    app = create_app(settings)",
        '  File "/app/payments/app.py", line 41, in create_app',
        "    ledger = LedgerClient.connect(settings.ledger_dsn, pool_size=settings.db_pool_size)",
        '  File "/app/payments/ledger.py", line 112, in connect',
        '    raise LedgerUnavailable(f"ledger {dsn} unreachable after {retries} attempts")',
        "payments.ledger.LedgerUnavailable: ledger "
        "postgres://ledger-db-v2.payments.svc:5432/ledger unreachable after 3 attempts",
    ]
    lines.extend((t, text) for text in trace)
    return lines


def oom(uid: str, start: float, end: float) -> list[tuple[float, str]]:
    """A worker run whose memory climbs until the kernel kills it (no last words)."""
    rng = random.Random(f"{uid}/oom/{int(start)}")
    lines = []
    steps = 12
    for i in range(steps):
        at = start + (end - start) * i / steps
        rss = 140 + i * 10 + rng.randint(0, 6)
        level = "warning" if rss > 220 else "info"
        msg = "memory high, GC did not reclaim" if level == "warning" else "processed batch"
        lines.append((at, f'time="{rfc3339_micro(at)[:-8]}Z" level={level} msg="{msg}" '
                          f"batch={int(at) % 100000} items={rng.randint(900, 1500)} "
                          f"rss_mb={rss} limit_mb=256"))
    return lines
