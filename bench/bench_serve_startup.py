"""Benchmark: seconds until `riderperf serve --workers 2` answers, while every core is busy.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_serve_startup.py --workers 2 --runs 3

Each run starts the `riderperf` command beside this Python (the console script, as a user
starts it: uvicorn's workers are spawned and first run that script again) with
`serve --workers N` on a free port of 127.0.0.1 and a new RIDERPERF_HOME (empty, or with its
app database migrated beforehand with `--migrated`, as when a server is restarted), while
`--busy` processes (one per core by default) spin. It measures the seconds from the start
until `GET /api/v1/openapi.json` answers 200, and counts the workers uvicorn's supervisor
killed and started again. It also times `import riderperf.server` on its own in a fresh
interpreter, on the idle machine and beside the spinning processes. Prints JSON; the goal
is an answer within 10 s with every core busy.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

GOAL_SECONDS = 10.0
OPENAPI = "/api/v1/openapi.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def busy_cores(count: int) -> Any:
    """`count` processes that spin until the block ends."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        time.sleep(0.5)  # let them reach full speed
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def import_seconds() -> float:
    """Wall seconds of `import riderperf.server` in a fresh interpreter."""
    code = "import time; t = time.perf_counter(); import riderperf.server; "
    code += "print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(float(done.stdout.strip()), 2)


def serve_once(command: Path, workers: int, timeout: float, migrated: bool) -> dict[str, Any]:
    """Starts the server on a new home; seconds until the OpenAPI description answers."""
    with tempfile.TemporaryDirectory(prefix="riderperf-serve-") as work:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("RIDERPERF_DATABASE_URL", "RIDERPERF_WAREHOUSE_URL")
        }
        env["RIDERPERF_HOME"] = str(Path(work) / "home")
        if migrated:
            subprocess.run([str(command), "init"], env=env, capture_output=True, check=True)
        port = free_port()
        log = Path(work) / "serve.log"
        args = [str(command), "serve", "--port", str(port), "--workers", str(workers)]
        with log.open("wb") as out:
            began = time.monotonic()
            server = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
            seconds = None
            try:
                with httpx.Client(timeout=5) as client:
                    while time.monotonic() - began < timeout and server.poll() is None:
                        try:
                            if client.get(f"http://127.0.0.1:{port}{OPENAPI}").status_code == 200:
                                seconds = round(time.monotonic() - began, 2)
                                break
                        except httpx.HTTPError:
                            pass
                        time.sleep(0.1)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        text = log.read_text(errors="replace")
        return {
            "seconds_to_openapi": seconds,
            "worker_restarts": text.count(" died"),
            "exit": None if seconds else text[-2000:],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2, help="spinning processes")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--migrated", action="store_true", help="migrate the new home first, as for a restart"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to give up after")
    parser.add_argument(
        "--riderperf",
        type=Path,
        default=Path(sys.executable).with_name("riderperf"),
        help="the riderperf command to start (default: the one beside this Python)",
    )
    args = parser.parse_args()
    idle_import = import_seconds()
    with busy_cores(args.busy):
        busy_import = import_seconds()
        runs = [
            serve_once(args.riderperf, args.workers, args.timeout, args.migrated)
            for _ in range(args.runs)
        ]
    answered = [r["seconds_to_openapi"] for r in runs if r["seconds_to_openapi"] is not None]
    result = {
        "workers": args.workers,
        "busy_processes": args.busy,
        "migrated_home": args.migrated,
        "cores": os.cpu_count(),
        "import_server_seconds_idle": idle_import,
        "import_server_seconds_busy": busy_import,
        "runs": runs,
        "worst_seconds_to_openapi": max(answered) if len(answered) == len(runs) else None,
        "goal_seconds": GOAL_SECONDS,
        "goal_met": len(answered) == len(runs) and max(answered) <= GOAL_SECONDS,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
