"""Benchmark: GET scorecard throughput and latency of `riderperf serve` on 100,000 riders.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_api.py --riders 100000 --seconds 20 --concurrency 16

For each app database (SQLite file; PostgreSQL database created on 127.0.0.1:5432 and
dropped afterwards) it stores the riders and one published evaluation with a scorecard per
rider in bulk (no simulation), issues an admin API token, starts the server (uvicorn, the
`serve` command of riderperf.cli.serve) in a process of its own on 127.0.0.1, and drives
`GET /api/v1/riders/{id}/scorecards/{period}` for random riders from a separate load
process (Python threads, one keep-alive httpx client each). Prints JSON: requests/s, p50 and
p99 latency in milliseconds, errors.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

PERIOD = "2026-W02"
PG_ADMIN_URL = os.environ.get(
    "RIDERPERF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
KPIS = ("on_time_rate", "rider_cancel_rate", "customer_rating", "complaint_rate",
        "acceptance_rate", "safety_incidents", "document_compliance")  # fmt: skip
# The shape `Scorecard.as_dict()` publishes, with made-up but plausible numbers.
KPI = dict(num=30.0, den=32.0, rate=0.9375, peer_rate=0.95, shrunk=0.94, normalised=0.8,
           weight=1 / 7, contribution=114.29)  # fmt: skip
IMPROVEMENT = dict(kpi="on_time_rate", gain=12.5, current=0.94, target=0.97,
                   sentence="Deliver 1 more order on time.")  # fmt: skip
BATCH = 5_000


def rider_id(n: int) -> str:
    return f"R{n:07d}"


def card(n: int, rng: random.Random) -> dict[str, Any]:
    score = round(rng.uniform(300, 1000), 2)
    return dict(
        rider_id=rider_id(n), period=PERIOD, policy_version="bench", policy_date="2026-01-05",
        capacity_type="full_time", city="Bench City", status="ranked", score=score,
        tier="silver", previous_tier=None, tier_reason=f"A score of {score} is in silver.",
        orders=32, kpis={name: {"name": name} | KPI for name in KPIS}, improvements=[IMPROVEMENT],
    )  # fmt: skip


def store(database_url: str, home: Path, riders: int) -> str:
    """Riders, one evaluation, a scorecard each, an admin with a token; returns the token."""
    from sqlalchemy import insert

    from riderperf.evaluation.orm import Evaluation, Scorecard, ScorecardTable
    from riderperf.metrics.card_table import table_from_cards, to_parquet
    from riderperf.storage.db import make_engine, unit_of_work, upgrade
    from riderperf.storage.models import Rider
    from riderperf.users.identity import issue_api_token
    from riderperf.users.service import create_user

    engine = make_engine(database_url)
    upgrade(engine)
    at = datetime(2026, 1, 12, 8, tzinfo=UTC)
    rng = random.Random(7)
    every_card: list[dict[str, Any]] = []
    with unit_of_work(engine) as session:
        session.add(
            Evaluation(
                evaluation_id="bench-eval",
                period=PERIOD,
                period_start=date(2026, 1, 5),
                period_end=date(2026, 1, 12),
                policy_version="bench",
                started_at=at,
                finished_at=at,
                judgments=0,
                riders=riders,
                summary={},
                published=True,
            )
        )
        for start in range(0, riders, BATCH):
            numbers = range(start, min(start + BATCH, riders))
            session.execute(
                insert(Rider),
                [
                    {
                        "rider_id": rider_id(n),
                        "capacity_type": "full_time",
                        "fleet_id": None,
                        "city": "Bench City",
                        "zone_id": f"Z{n % 40:02d}",
                        "vehicle": "ebike",
                        "joined_on": date(2025, 1, 1),
                        "language": "en",
                        "status": "active",
                        "registered_at": at,
                    }
                    for n in numbers
                ],
            )
            cards = [card(n, rng) for n in numbers]
            session.execute(
                insert(Scorecard),
                [
                    {
                        "evaluation_id": "bench-eval",
                        "rider_id": c["rider_id"],
                        "period": PERIOD,
                        "period_end": date(2026, 1, 12),
                        "policy_version": "bench",
                        "status": "ranked",
                        "score": c["score"],
                        "tier": "silver",
                        "previous_tier": None,
                        "explanation": c["tier_reason"],
                    }
                    for c in cards
                ],
            )
            every_card += cards
        # The cards themselves: one card table for the evaluation (metrics.card_table).
        session.add(
            ScorecardTable(
                evaluation_id="bench-eval",
                riders=riders,
                parquet=to_parquet(table_from_cards(every_card)),
            )
        )
        create_user(session, "bench", "admin", at=at)
        token = issue_api_token(session, "bench", label="bench", at=at)
    engine.dispose()
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """`riderperf serve` in a process of its own (the serve command through typer)."""
    code = "import typer; from riderperf.cli.serve import serve_command; typer.run(serve_command)"
    command = [
        sys.executable,
        "-c",
        code,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(
        f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}"
    )


def drive(base: str, token: str, riders: int, seconds: float, concurrency: int, out: Any) -> None:
    """The load process: `concurrency` threads with keep-alive clients, for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        rng = random.Random(index)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while time.monotonic() < stop_at:
                url = f"/api/v1/riders/{rider_id(rng.randrange(riders))}/scorecards/{PERIOD}"
                began = time.perf_counter()
                status = client.get(url).status_code
                latencies[index].append(time.perf_counter() - began)
                if status != 200:
                    errors[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    every = sorted(x for chunk in latencies for x in chunk)
    out.put(
        {
            "requests": len(every),
            "seconds": round(elapsed, 2),
            "requests_per_s": round(len(every) / elapsed, 1),
            "p50_ms": round(every[len(every) // 2] * 1000, 2),
            "p99_ms": round(every[int(len(every) * 0.99)] * 1000, 2),
            "errors": sum(errors),
        }
    )


def make_stores(backend: str, prefix: str) -> tuple[Path, Any, str, str]:
    """A work folder and an empty app database on `backend`: the folder, the PostgreSQL
    admin engine (None for SQLite), the database's name and its URL; `clean_up` undoes it."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    admin = None
    name = f"riderperf_bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        return work, admin, name, f"sqlite:///{work / 'app.db'}"
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f'CREATE DATABASE "{name}"'))
    return work, admin, name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    work, admin, name, url = make_stores(backend, f"rp-api-{backend}-")
    server = None
    try:
        began = time.monotonic()
        token = store(url, work, args.riders)
        stored = round(time.monotonic() - began, 1)
        env = os.environ | {"RIDERPERF_HOME": str(work / "home"), "RIDERPERF_DATABASE_URL": url}
        port = free_port()
        server = start_server(env, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        httpx.get(
            f"{base}/api/v1/riders/{rider_id(0)}/scorecards/{PERIOD}",
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
        results: Any = multiprocessing.Queue()
        load = multiprocessing.Process(
            target=drive, args=(base, token, args.riders, args.seconds, args.concurrency, results)
        )
        load.start()
        outcome: dict[str, Any] = results.get(timeout=args.seconds + 120)
        load.join()
        return {
            "backend": backend,
            "riders": args.riders,
            "store_seconds": stored,
            "workers": args.workers,
            "concurrency": args.concurrency,
        } | outcome
    finally:
        clean_up(server, admin, name, work)


def clean_up(server: Any, admin: Any, name: str, work: Path) -> None:
    """Stops the server, drops the bench's PostgreSQL database (when one was made) and
    removes the work folder."""
    if server is not None:
        server.terminate()
        server.wait(timeout=30)
    if admin is not None:
        from sqlalchemy import text

        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riders", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        print(json.dumps(bench_backend(backend, args)), flush=True)


if __name__ == "__main__":
    main()
