"""Web chat throughput and latency through the real HTTP server (`siketan serve`).

For each database (SQLite always; PostgreSQL when --postgres URL is given) it starts the server in
its own process, opens N conversations and sends messages as fast as C concurrent clients can,
then measures latency at a fixed offered rate. Beside it, the same server answering `/bare` (no
work at all) gives the HTTP stack's own cost, and the ratio shows what our path adds.

    .venv/bin/python benchmarks/webchat_throughput.py [--conversations 1000] [--postgres URL]

Prints numbers; asserts nothing. Load goes only to 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db_url: str, workdir: Path, model: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "SIKETAN__DATABASE__URL": db_url,
        "SIKETAN__NLU__MODEL_PATH": str(model),
        "SIKETAN__FILES__ROOT": str(workdir / "files"),
        # The benchmark is one client hammering: lift the per-session limit for it.
        "SIKETAN__WEBCHAT__RATE_LIMIT_PER_MINUTE": "1000000",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


MESSAGES = ["menu", "halo", "jam buka kantor?", "cmd:menu", "menu:office"]


async def open_sessions(
    client: httpx.AsyncClient, base: str, n: int
) -> list[tuple[str, dict[str, str]]]:
    sem = asyncio.Semaphore(32)

    async def one() -> tuple[str, dict[str, str]]:
        async with sem:
            r = await client.post(f"{base}/api/webchat/sessions")
            data = r.json()
            return data["session_id"], {"Authorization": f"Bearer {data['token']}"}

    return await asyncio.gather(*(one() for _ in range(n)))


def body_for(i: int) -> dict[str, str]:
    item = MESSAGES[i % len(MESSAGES)]
    return {"payload": item} if ":" in item and " " not in item else {"text": item}


async def saturate(
    client: httpx.AsyncClient,
    base: str,
    sessions: list[tuple[str, dict[str, str]]],
    total: int,
    concurrency: int,
    bare: bool,
) -> tuple[float, list[float]]:
    """Closed loop: `concurrency` clients, each conversation's messages strictly in turn."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker(w: int) -> None:
        mine = sessions[w::concurrency]
        for k, i in enumerate(counter):
            sid, auth = mine[k % len(mine)]
            t0 = time.perf_counter()
            if bare:
                r = await client.get(f"{base}/bare")
            else:
                r = await client.post(
                    f"{base}/api/webchat/sessions/{sid}/messages", json=body_for(i), headers=auth
                )
            r.raise_for_status()
            latencies.append(time.perf_counter() - t0)

    # Each worker owns a disjoint slice of sessions, so a conversation never has two messages
    # in flight at once (as a real citizen would not).
    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def fixed_rate(
    client: httpx.AsyncClient,
    base: str,
    sessions: list[tuple[str, dict[str, str]]],
    rate: float,
    seconds: float,
) -> list[float]:
    """Open loop at `rate` messages/s: latency as a citizen sees it at that load."""
    latencies: list[float] = []
    tasks = []
    n = int(rate * seconds)

    async def one(i: int) -> None:
        sid, auth = sessions[i % len(sessions)]
        t0 = time.perf_counter()
        r = await client.post(
            f"{base}/api/webchat/sessions/{sid}/messages", json=body_for(i), headers=auth
        )
        r.raise_for_status()
        latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return latencies


async def run_one(name: str, db_url: str, args: argparse.Namespace, model: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(db_url, Path(tmp), model)
        try:
            limits = httpx.Limits(max_connections=args.concurrency * 2)
            async with httpx.AsyncClient(timeout=60, limits=limits) as client:
                sessions = await open_sessions(client, base, args.conversations)
                await saturate(client, base, sessions, 200, args.concurrency, bare=False)  # warm-up
                bare_rps, bare_lat = await saturate(
                    client, base, sessions, args.messages, args.concurrency, bare=True
                )
                rps, lat = await saturate(
                    client, base, sessions, args.messages, args.concurrency, bare=False
                )
                fixed = await fixed_rate(client, base, sessions, args.rate, args.seconds)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(20)
    print(
        f"\n== {name}: {args.conversations} conversations, {args.messages} messages, "
        f"{args.concurrency} concurrent clients"
    )
    print(
        f"bare endpoint     : {bare_rps:8.0f} req/s   p50 {pct(bare_lat, 0.5):6.1f} ms   p99 {pct(bare_lat, 0.99):6.1f} ms"
    )
    print(
        f"web chat message  : {rps:8.0f} msg/s   p50 {pct(lat, 0.5):6.1f} ms   p99 {pct(lat, 0.99):6.1f} ms"
    )
    print(f"ratio message/bare: {rps / bare_rps:8.2f}")
    print(
        f"at {args.rate:.0f} msg/s offered : p50 {pct(fixed, 0.5):6.1f} ms   p99 {pct(fixed, 0.99):6.1f} ms   "
        f"mean {statistics.mean(fixed) * 1000:6.1f} ms  ({len(fixed)} messages)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", default=os.environ.get("SIKETAN_BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()

    from nlu import NluEngine
    from permit_rules import load_everyday_words

    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "nlu.joblib"
        NluEngine.train(everyday_words=load_everyday_words()).save(model)
        sqlite_dir = Path(tmp) / "db"
        sqlite_dir.mkdir()
        asyncio.run(
            run_one("SQLite", f"sqlite+aiosqlite:///{sqlite_dir / 'bench.db'}", args, model)
        )
        if args.postgres:
            asyncio.run(run_one("PostgreSQL", args.postgres, args, model))
        else:
            print("\n(PostgreSQL skipped: pass --postgres URL or set SIKETAN_BENCH_POSTGRES_URL)")


if __name__ == "__main__":
    main()
