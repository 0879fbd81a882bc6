"""Benchmark: scorecard reads of `riderperf serve` on 100,000 riders, driven by `wrk`.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_api_wrk.py --riders 100000 --seconds 20 --connections 4 8 16

The same stores and server as bench/bench_api.py (riders, one published evaluation with a
scorecard each, an admin token; SQLite file, and a PostgreSQL database created on
127.0.0.1:5432 and dropped afterwards), but the load comes from `wrk`, a compiled load
generator (one thread, keep-alive connections, random riders chosen by
bench/bench_api_wrk.lua), instead of Python threads that compete with the server for the
same cores. Each backend is driven twice: plain reads, and reads that send the scorecard's
ETag in If-None-Match (answered 304 without a body). Prints one JSON line per run:
requests/s, p50 and p99 latency in milliseconds (`wrk --latency`), non-2xx/3xx answers and
socket errors. Installs Debian's `wrk` when it is missing (with sudo unless root).

`wrk` keeps every connection busy, so it measures a server at saturation, where latency is
mostly waiting in line (Little's law: connections / requests per second). `--connections
2 4 8 16` drives the server at several loads: the goal (at least 1,000 requests/s with a
p99 of at most 20 ms) is met at a load when one run reaches both; `goal_met` says which.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import (
    PERIOD,
    clean_up,
    free_port,
    make_stores,
    rider_id,
    start_server,
    store,
)

LUA = Path(__file__).with_suffix(".lua")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def ensure_wrk() -> str:
    """The path of `wrk`, installed from the Debian archive when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    # apt prints to stderr: standard output is the JSON lines.
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True, stdout=sys.stderr)
    return shutil.which("wrk") or "wrk"


def millis(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return round(float(number) * UNITS[unit], 2)


def parse(output: str) -> dict[str, Any]:
    """requests/s, p50, p99 and errors from `wrk --latency` output."""
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    requests = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.*)$", output, re.M)
    return {
        "requests": int(requests.group(1)) if requests else 0,
        "requests_per_s": float(rate.group(1)) if rate else 0.0,
        "p50_ms": millis(latency["50"]) if "50" in latency else None,
        "p99_ms": millis(latency["99"]) if "99" in latency else None,
        "errors": int(bad.group(1)) if bad else 0,
        "socket_errors": sockets.group(1).strip() if sockets else None,
    }


def tag_file(work: Path, riders: int) -> Path:
    """One ETag per rider, as the server names them (`riderperf.api.etags`)."""
    from riderperf.api.etags import strong_tag

    path = work / "tags.txt"
    lines = (strong_tag("scorecard", "bench-eval", rider_id(n)) for n in range(riders))
    path.write_text("\n".join(lines) + "\n")
    return path


GOAL_RATE, GOAL_P99_MS = 1000.0, 20.0


def run_wrk(
    wrk: str, base: str, token: str, args: argparse.Namespace, tags: str, connections: int
) -> str:
    command = [wrk, "-t", str(args.threads), "-c", str(connections),
               "-d", f"{args.seconds}s", "--latency", "-s", str(LUA), base,
               "--", token, str(args.riders), PERIOD, tags]  # fmt: skip
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def bench_backend(backend: str, args: argparse.Namespace, wrk: str) -> list[dict[str, Any]]:
    work, admin, name, url = make_stores(backend, f"rp-wrk-{backend}-")
    server = None
    try:
        token = store(url, work, args.riders)
        if backend == "postgres":
            from sqlalchemy import create_engine, text

            analysed = create_engine(url, isolation_level="AUTOCOMMIT")
            with analysed.connect() as con:
                con.execute(text("ANALYZE"))
            analysed.dispose()
        tags = tag_file(work, args.riders)
        env = os.environ | {"RIDERPERF_HOME": str(work / "home"), "RIDERPERF_DATABASE_URL": url}
        port = free_port()
        server = start_server(env, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        first = httpx.get(f"{base}/api/v1/riders/{rider_id(0)}/scorecards/{PERIOD}", headers=auth)
        first.raise_for_status()
        if first.headers["ETag"] != tags.read_text().split("\n", 1)[0]:
            raise RuntimeError("the bench's tags are not the server's")
        runs = []
        for connections in args.connections:
            for label, tag_path in (("plain", ""), ("if-none-match", str(tags))):
                found = parse(run_wrk(wrk, base, token, args, tag_path, connections))
                met = found["requests_per_s"] >= GOAL_RATE and (
                    found["p99_ms"] is not None and found["p99_ms"] <= GOAL_P99_MS
                )
                runs.append(
                    {"backend": backend, "riders": args.riders, "workers": args.workers,
                     "connections": connections, "requests_kind": label}
                    | found | {"goal_met": met}
                )  # fmt: skip
        return runs
    finally:
        clean_up(server, admin, name, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riders", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, nargs="+", default=[16])
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="uvicorn worker processes"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    wrk = ensure_wrk()
    for backend in args.backends.split(","):
        for run in bench_backend(backend, args, wrk):
            print(json.dumps(run), flush=True)


if __name__ == "__main__":
    main()
