"""Serve the demo negotiations and load the revision and compare pages on loopback.

Builds the demo database (the real texts in ../shared/data, else the sample), serves it
with uvicorn as in production (httptools, uvloop, ``--workers``) and drives 100 keep-alive
connections at the latest revision's text and at the redline between the last two
revisions, anonymous (so from the page cache after the first request), asking for gzip as
browsers do, then for plain bytes (six times larger: the worst case). Reports requests/s
and p99 latency, and the ratio of each to a reference measured in the same run: the same
uvicorn settings serving the same bytes from memory with a bare ASGI app (the most any
page of ours could get from this server). Rounds are interleaved; medians are reported.

The load generator shares the machine's cores with the server: ``wrk`` (C, event-driven)
when it is installed (``apt-get install wrk``), else a lean asyncio client, which costs
more CPU and so understates the server.

    .venv/bin/python bench/bench_web.py [--workers 2] [--connections 100] [--duration 5] [--rounds 3]

Goal (issue 5): at least 1,000 requests/s on 2 cores for cached pages, p99 within 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_RPS = 1000
GOAL_P99_MS = 50.0
# wrk's threads, one a core (one or two made no difference beyond the noise here)
WRK_THREADS = 2


# --- what the server processes import (uvicorn --factory) -------------------------------

def app() -> Any:
    """The tracker over the database named by BENCH_DB."""
    from web.app import create_app

    return create_app(os.environ["BENCH_DB"])


def reference() -> Any:
    """A bare ASGI app answering every request with the bytes of BENCH_BODY (gzipped, from
    BENCH_BODY.gz, when the request accepts gzip): what our cache does, without us."""
    body = Path(os.environ["BENCH_BODY"]).read_bytes()
    zipped = Path(os.environ["BENCH_BODY"] + ".gz").read_bytes()
    kind = (b"content-type", b"text/html; charset=utf-8")
    plain = ({"type": "http.response.start", "status": 200,
              "headers": [kind, (b"content-length", str(len(body)).encode())]},
             {"type": "http.response.body", "body": body})
    gzipped = ({"type": "http.response.start", "status": 200,
                "headers": [kind, (b"content-encoding", b"gzip"), (b"content-length", str(len(zipped)).encode())]},
               {"type": "http.response.body", "body": zipped})

    async def answer(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            accepted = b"".join(v for k, v in scope["headers"] if k == b"accept-encoding")
            start, done = gzipped if b"gzip" in accepted else plain
            await send(start)
            await send(done)

    return answer


# --- the benchmark ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(factory: str, env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", f"bench_web:{factory}", "--factory", "--app-dir", str(ROOT / "bench"),
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--loop", "uvloop",
               "--http", "httptools", "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "2"]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            sys.exit(f"the server stopped: {command}")
    stop_server(process)
    sys.exit("the server did not answer in time")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def fetch(url: str, zipped: bool = False) -> bytes:
    request = urllib.request.Request(url, headers={"accept-encoding": "gzip"} if zipped else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, (url, response.status)
        return response.read()


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def load_wrk(url: str, connections: int, duration: float, zipped: bool) -> tuple[float, float, int]:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration:g}s", "--latency", url]
    if zipped:
        command[1:1] = ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(n) for n in re.findall(r"\d+", errors.group(1)))
    return rate, p99, failed


async def _load_asyncio(url: str, connections: int, duration: float, zipped: bool) -> tuple[float, float, int]:
    host, port = url.removeprefix("http://").split("/", 1)[0].split(":")
    path = "/" + url.removeprefix("http://").split("/", 1)[1]
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               + ("Accept-Encoding: gzip\r\n" if zipped else "") + "\r\n").encode()
    latencies: list[float] = []
    failed = 0
    end = time.perf_counter() + duration

    async def client() -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < end:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 200"):
                    failed += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.99)] * 1000, failed


def load(url: str, connections: int, duration: float, zipped: bool) -> tuple[float, float, int]:
    if shutil.which("wrk"):
        return load_wrk(url, connections, duration, zipped)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    return asyncio.run(_load_asyncio(url, connections, duration, zipped))


def build_demo(db: str) -> None:
    from tracker.application import Tracker
    from tracker.demo import build_demo as build

    tracker = Tracker.open(db)
    try:
        for line in build(tracker):
            if not line.startswith(" "):
                print(f"  {line}")
    finally:
        tracker.close()


def pages(url: str) -> tuple[str, str]:
    """The latest revision of the negotiation with most revisions, and the redline of its
    last two."""
    slugs = [n["slug"] for n in json.loads(fetch(url + "/index.json"))["negotiations"]]
    labels = {slug: [r["label"] for r in json.loads(fetch(f"{url}/{quote(slug)}.json"))["revisions"]] for slug in slugs}
    slug = max(slugs, key=lambda s: len(labels[s]))
    last, before = labels[slug][-1], labels[slug][-2]
    return (f"/{quote(slug)}/revisions/{quote(last)}",
            f"/{quote(slug)}/compare?from={quote(before)}&to={quote(last)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    encodings = {"gzip": True, "identity": False}  # browsers ask for gzip; plain is the worst case
    runs: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    sizes: dict[tuple[str, str], int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        db = str(Path(folder) / "demo.sqlite")
        print("building the demo database")
        build_demo(db)
        server, url = start_server("app", {"BENCH_DB": db}, args.workers)
        reference_server = None
        try:
            revision, compare = pages(url)
            targets = {"revision page": url + revision, "compare page": url + compare}
            for (name, target), (encoding, zipped) in itertools.product(targets.items(), encodings.items()):
                for _ in range(10 * args.workers):  # every worker renders and keeps it: then cached
                    fetch(target, zipped)
                plain = fetch(target)
                sizes[name, encoding] = len(gzip.compress(plain, 6) if zipped else plain)
            # The same bytes as the revision page, gzipped as the cache does.
            body_file = Path(folder) / "reference.html"
            body_file.write_bytes(fetch(url + revision))
            Path(f"{body_file}.gz").write_bytes(gzip.compress(body_file.read_bytes(), 6))
            for encoding in encodings:
                sizes["reference", encoding] = sizes["revision page", encoding]
            reference_server, reference_url = start_server("reference", {"BENCH_BODY": str(body_file)}, args.workers)
            targets = {"reference": reference_url + "/", **targets}
            generator = f"wrk -t{WRK_THREADS}" if shutil.which("wrk") else "an asyncio client (wrk not installed)"
            print(f"uvicorn, {args.workers} worker(s), httptools + uvloop; {args.connections} keep-alive connections "
                  f"from {generator}; {args.rounds} interleaved rounds of {args.duration:g} s; {os.cpu_count()} cores")
            for _ in range(args.rounds):
                for (name, target), (encoding, zipped) in itertools.product(targets.items(), encodings.items()):
                    runs.setdefault((name, encoding), []).append(load(target, args.connections, args.duration, zipped))
        finally:
            stop_server(server)
            if reference_server is not None:
                stop_server(reference_server)

    print(f"\n{'':<16}{'encoding':<10}{'bytes':>8}{'requests/s':>12}{'vs ref':>8}{'p99 ms':>8}{'vs ref':>8}{'failed':>8}")
    met = True
    for encoding in encodings:
        ref_rate = statistics.median(r[0] for r in runs["reference", encoding])
        ref_p99 = statistics.median(r[1] for r in runs["reference", encoding])
        for name in ("reference", "revision page", "compare page"):
            rate = statistics.median(r[0] for r in runs[name, encoding])
            p99 = statistics.median(r[1] for r in runs[name, encoding])
            failed = sum(r[2] for r in runs[name, encoding])
            if name != "reference":
                met &= rate >= GOAL_RPS and p99 <= GOAL_P99_MS and not failed
            print(f"{name:<16}{encoding:<10}{sizes[name, encoding]:>8}{rate:>12,.0f}{rate / ref_rate:>8.2f}"
                  f"{p99:>8.1f}{p99 / ref_p99:>8.2f}{failed:>8}")
    print(f"\npages: {revision}  {compare}")
    print(f"goal (>= {GOAL_RPS:,} requests/s, p99 <= {GOAL_P99_MS:g} ms, no failures, every row): "
          f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
