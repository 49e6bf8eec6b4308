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
import json
import os
import signal
import socket
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


def start_server(
    db_url: str, workdir: Path, model: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
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
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers)],
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


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator must cost far less than the
    server it measures, and httpx costs about as much per request as our bare endpoint."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", token: str = ""
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


MESSAGES = ["menu", "halo", "jam buka kantor?", "cmd:menu", "menu:office"]
Session = tuple[str, str]  # (session id, token)


def body_for(i: int) -> bytes:
    item = MESSAGES[i % len(MESSAGES)]
    key = "payload" if ":" in item and " " not in item else "text"
    return json.dumps({key: item}).encode()


async def open_sessions(host: str, port: int, n: int) -> list[Session]:
    conns = [Connection(host, port) for _ in range(16)]
    sessions: list[Session] = []

    async def opener(conn: Connection, count: int) -> None:
        for _ in range(count):
            status, payload = await conn.request("POST", "/api/webchat/sessions")
            assert status == 201, payload
            data = json.loads(payload)
            sessions.append((data["session_id"], data["token"]))

    await asyncio.gather(*(opener(c, n // len(conns) + 1) for c in conns))
    return sessions[:n]


async def saturate(
    host: str, port: int, sessions: list[Session], total: int, concurrency: int, bare: bool
) -> tuple[float, list[float]]:
    """Closed loop: `concurrency` clients as fast as the server answers.

    Worker w only uses sessions w, w+concurrency, ...: a conversation never has two messages in
    flight at once, as with a real citizen.
    """
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker(w: int) -> None:
        conn = Connection(host, port)
        mine = sessions[w::concurrency]
        for k, i in enumerate(counter):
            sid, token = mine[k % len(mine)]
            t0 = time.perf_counter()
            if bare:
                status, _ = await conn.request("GET", "/bare")
            else:
                path = f"/api/webchat/sessions/{sid}/messages"
                status, _ = await conn.request("POST", path, body_for(i), token)
            assert status == 200, status
            latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def fixed_rate(
    host: str, port: int, sessions: list[Session], rate: float, seconds: float
) -> list[float]:
    """Open loop at `rate` messages/s: latency as a citizen sees it at that load."""
    latencies: list[float] = []
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(256):
        idle.put_nowait(Connection(host, port))

    async def one(i: int, scheduled: float) -> None:
        sid, token = sessions[i % len(sessions)]
        conn = await idle.get()
        try:
            path = f"/api/webchat/sessions/{sid}/messages"
            status, _ = await conn.request("POST", path, body_for(i), token)
            assert status == 200, status
        finally:
            idle.put_nowait(conn)
        # Measured from when the message was due, so queueing in the client counts too.
        latencies.append(time.perf_counter() - scheduled)

    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    return latencies


def line(label: str, rate: float, unit: str, lat: list[float]) -> str:
    return f"{label:<26}: {rate:8.0f} {unit}  p50 {pct(lat, 0.5):7.1f} ms  p99 {pct(lat, 0.99):7.1f} ms"


async def run_one(
    name: str, db_url: str, args: argparse.Namespace, model: Path, workers: int = 1
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(db_url, Path(tmp), model, workers)
        host, port = "127.0.0.1", int(base.rsplit(":", 1)[1])
        try:
            sessions = await open_sessions(host, port, args.conversations)
            await saturate(host, port, sessions, 300, args.concurrency, bare=False)  # warm-up
            bare_rps, bare_lat = await saturate(
                host, port, sessions, args.messages, args.concurrency, bare=True
            )
            rps, lat = await saturate(
                host, port, sessions, args.messages, args.concurrency, bare=False
            )
            fixed = await fixed_rate(host, port, sessions, args.rate, args.seconds)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(20)
    print(
        f"\n== {name}, {workers} server process(es): {args.conversations} conversations, "
        f"{args.messages} messages, {args.concurrency} concurrent clients"
    )
    print(line("bare endpoint (no work)", bare_rps, "req/s", bare_lat))
    print(line("web chat message", rps, "msg/s", lat))
    print(f"{'ratio message / bare':<26}: {rps / bare_rps:8.2f}")
    print(line(f"offered {args.rate:.0f} msg/s", len(fixed) / args.seconds, "msg/s", fixed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", default=os.environ.get("SIKETAN_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--postgres-workers", type=int, default=2)
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
            for workers in sorted({1, args.postgres_workers}):
                asyncio.run(run_one("PostgreSQL", args.postgres, args, model, workers))
        else:
            print("\n(PostgreSQL skipped: pass --postgres URL or set SIKETAN_BENCH_POSTGRES_URL)")


if __name__ == "__main__":
    main()
