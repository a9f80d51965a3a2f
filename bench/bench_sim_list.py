"""Benchmark: list 30,000 pods from the `scale` simulator over loopback HTTPS, JSON vs Table.

The simulator runs in its own process (`kubechat sim serve --scenario scale`) so client and
server do not share a GIL. Run: .venv/bin/python bench/bench_sim_list.py [--limit 500]
Prints startup time, then per representation: pods, bytes, seconds, pods/s, MB/s.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ssl
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson
import yaml

from sim_process import start_sim, stop_sim

ACCEPT = {
    "json": "application/json",
    "table-none": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    "table-metadata": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
}
INCLUDE = {"json": "", "table-none": "None", "table-metadata": "Metadata"}


@dataclass
class Target:
    """Where and how to reach each cluster, read from the written kubeconfig."""

    urls: dict[str, str]
    tokens: dict[str, str]
    ca_pem: bytes


def read_kubeconfig(path: Path) -> Target:
    """Cluster URLs, admin tokens and the CA from a simulator kubeconfig."""
    doc = yaml.safe_load(path.read_text())
    urls = {c["name"]: c["cluster"]["server"] for c in doc["clusters"]}
    tokens = {u["name"].split("@", 1)[1]: u["user"]["token"] for u in doc["users"]
              if u["name"].startswith("admin@")}
    ca = base64.b64decode(doc["clusters"][0]["cluster"]["certificate-authority-data"])
    return Target(urls, tokens, ca)


async def list_cluster(session: aiohttp.ClientSession, target: Target, cluster: str,
                       mode: str, limit: int) -> tuple[int, int]:
    """All pods of one cluster, paginated; returns (pods, bytes)."""
    url = f"{target.urls[cluster]}/api/v1/pods"
    headers = {"Authorization": f"Bearer {target.tokens[cluster]}", "Accept": ACCEPT[mode]}
    pods = size = 0
    cont = ""
    while True:
        params = {"limit": str(limit)}
        if INCLUDE[mode]:
            params["includeObject"] = INCLUDE[mode]
        if cont:
            params["continue"] = cont
        async with session.get(url, headers=headers, params=params) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{cluster}: HTTP {resp.status}: {body[:200]!r}")
        doc = orjson.loads(body)
        size += len(body)
        pods += len(doc.get("rows") if "rows" in doc else doc["items"])
        cont = doc["metadata"].get("continue", "")
        if not cont:
            return pods, size


async def run(target: Target, mode: str, limit: int, concurrency: int
              ) -> tuple[int, int, float]:
    """List every cluster's pods; returns (pods, bytes, seconds)."""
    context = ssl.create_default_context(cadata=target.ca_pem.decode())
    connector = aiohttp.TCPConnector(ssl=context, limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        results = await asyncio.gather(*(list_cluster(session, target, c, mode, limit)
                                         for c in target.urls))
        elapsed = time.perf_counter() - start
    return sum(r[0] for r in results), sum(r[1] for r in results), elapsed


def main() -> None:
    """Start the scale scenario and print list throughput."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=500, help="page size (default 500)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per representation")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel connections")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, startup = start_sim(Path(tmp) / "kubeconfig")
        try:
            target = read_kubeconfig(Path(tmp) / "kubeconfig")
            print(f"scale scenario: {len(target.urls)} clusters, process start to listening "
                  f"{startup:.2f}s (includes interpreter start)")
            warm = asyncio.run(run(target, "table-none", args.limit, args.concurrency))
            print(f"first touch (generates 30k pods): {warm[0]} pods in {warm[2]:.2f}s")
            print(f"{'mode':<16}{'pods':>8}{'bytes':>14}{'seconds':>9}{'pods/s':>10}{'MB/s':>8}")
            for mode in ACCEPT:
                for _ in range(args.rounds):
                    pods, size, secs = asyncio.run(run(target, mode, args.limit,
                                                       args.concurrency))
                    print(f"{mode:<16}{pods:>8}{size:>14,}{secs:>9.2f}{pods / secs:>10,.0f}"
                          f"{size / secs / 1e6:>8.1f}")
        finally:
            stop_sim(proc)


if __name__ == "__main__":
    main()
