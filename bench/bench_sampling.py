"""Benchmark: risk-based inspection plans on a simulated city against simple random plans.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_sampling.py --riders 4000 --days 28 --seeds 1000

It simulates a city (CSV), builds each rider's risk features as the planner does from the
canonical files (incidents of the policy's kinds in the 28 days before the plan, document
types expired or expiring within 30 days, uniform and rude complaints per 100 delivered
orders, newcomers), and draws, for every seed, each zone's ISO 2859-1 sample (level II,
AQL 2.5) twice: with the bundled policy's risk weights and random share, and with equal
probabilities (a simple random plan of the same size). An inspection finds a major
failure with probability FINDS by the rider's planted archetype (an assumption: the
simulator plants gear neglect, not inspections). It prints JSON: gear-neglecting riders
found per plan (risk and random), their ratio, and the coverage of the 95 % interval of
the Hájek estimate of fleet compliance, with seconds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.sampling.estimates import hajek_mean
from riderperf.sampling.iso2859 import single_sampling_plan
from riderperf.sampling.params import SamplingParams
from riderperf.sampling.risk import RiderFeatures, risk_scores
from riderperf.sampling.selection import draw_sample
from riderperf.simulate import simulate_city

START = date(2026, 1, 5)
FINDS = {"gear_neglecting": 0.6, "reckless": 0.1}  # others: OTHER_FINDS
OTHER_FINDS = 0.03


def frame(out: Path, days: int, params: SamplingParams) -> pd.DataFrame:
    """One row per active rider: zone, archetype and the planner's risk features."""
    plan_day = pd.Timestamp(START + timedelta(days=days), tz="UTC")
    since = plan_day - pd.Timedelta(days=params.frame.lookback_days)
    riders = pd.read_csv(out / "riders.csv", parse_dates=["joined_on"])
    riders = riders[riders["status"] == "active"].copy()
    truth = pd.read_csv(out / "truth" / "riders.csv")
    riders = riders.merge(truth, on="rider_id")
    incidents = pd.read_csv(out / "incidents.csv", parse_dates=["occurred_at"])
    recent = incidents[
        incidents["kind"].isin(params.frame.incident_kinds)
        & (incidents["occurred_at"] >= since)
        & (incidents["occurred_at"] < plan_day)
    ]
    docs = pd.read_csv(out / "documents.csv", parse_dates=["expires_on"])
    newest = docs.groupby(["rider_id", "doc_type"])["expires_on"].max().reset_index()
    horizon = plan_day.tz_localize(None) + pd.Timedelta(days=params.frame.document_horizon_days)
    expiring = newest[newest["expires_on"] < horizon].groupby("rider_id").size()
    orders = pd.read_csv(out / "orders.csv", usecols=["rider_id", "status"])
    delivered = orders[orders["status"] == "delivered"].groupby("rider_id").size()
    complaints = pd.read_csv(out / "complaints.csv", usecols=["rider_id", "category"])
    conduct = complaints[complaints["category"].isin(["uniform", "rude"])].groupby("rider_id")
    riders["incidents"] = riders["rider_id"].map(recent.groupby("rider_id").size()).fillna(0)
    riders["expiring"] = riders["rider_id"].map(expiring).fillna(0)
    riders["orders"] = riders["rider_id"].map(delivered).fillna(0)
    riders["complaints"] = riders["rider_id"].map(conduct.size()).fillna(0)
    new_since = plan_day.tz_localize(None) - pd.Timedelta(days=params.frame.newcomer_days)
    riders["newcomer"] = riders["joined_on"] >= new_since
    return riders.sort_values(["zone_id", "rider_id"]).reset_index(drop=True)


def features(rows: pd.DataFrame) -> list[RiderFeatures]:
    return [
        RiderFeatures(
            rider_id=str(r["rider_id"]),
            complaint_rate=100 * r["complaints"] / r["orders"] if r["orders"] else float("nan"),
            incidents=int(r["incidents"]),
            newcomer=bool(r["newcomer"]),
            expiring_documents=int(r["expiring"]),
        )
        for r in rows.to_dict("records")
    ]


def run(riders: int, days: int, seeds: int, seed: int) -> dict[str, Any]:
    params = SamplingParams.from_parameters(load_policy(default_policy_folder()).at(START))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        simulate_city(riders=riders, days=days, seed=seed, start=START, out=Path(tmp), fmt="csv")
        simulated = time.perf_counter() - t
        table = frame(Path(tmp), days, params)
    rng = np.random.default_rng(seed)
    finds = table["archetype"].map(FINDS).fillna(OTHER_FINDS).to_numpy()
    failing = rng.random(len(table)) < finds
    neglecting = (table["archetype"] == "gear_neglecting").to_numpy()
    truth = 1.0 - float(failing.mean())
    zones = []
    for zone, rows in table.groupby("zone_id"):
        n = single_sampling_plan(len(rows), params.level, params.aql).sample_size
        risk = risk_scores(
            features(rows), params.risk_weights, strength=params.risk_strength, cap=params.risk_cap
        )
        zones.append((str(zone), rows.index.to_numpy(), n, risk))
    t = time.perf_counter()
    found_risk, found_random, covered = [], [], 0
    for s in range(seeds):
        picked, pi, strata, simple = [], [], [], []
        for zone, index, n, risk in zones:
            _, drawn = draw_sample(risk, n, random_share=params.random_share, seed=s, stream=zone)
            picked += [int(index[d.index]) for d in drawn]
            pi += [d.inclusion_probability for d in drawn]
            strata += [zone] * len(drawn)
            _, equal = draw_sample(risk, n, random_share=1.0, seed=s, stream=zone)
            simple += [int(index[d.index]) for d in equal]
        found_risk.append(int(neglecting[picked].sum()))
        found_random.append(int(neglecting[simple].sum()))
        estimate = hajek_mean([0.0 if failing[i] else 1.0 for i in picked], pi, strata)
        covered += estimate.lower <= truth <= estimate.upper
    return {
        "riders": len(table),
        "zones": len(zones),
        "sample_per_plan": int(sum(n for _, _, n, _ in zones)),
        "gear_neglecting": int(neglecting.sum()),
        "true_compliance": round(truth, 4),
        "found_per_plan_risk": round(float(np.mean(found_risk)), 2),
        "found_per_plan_random": round(float(np.mean(found_random)), 2),
        "ratio": round(float(np.mean(found_risk)) / max(float(np.mean(found_random)), 1e-9), 2),
        "coverage_95": round(covered / seeds, 3),
        "seeds": seeds,
        "seconds": {"simulate": round(simulated, 1), "plans": round(time.perf_counter() - t, 1)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riders", type=int, default=4000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="simulation seed")
    args = parser.parse_args()
    print(json.dumps(run(args.riders, args.days, args.seeds, args.seed), indent=2))


if __name__ == "__main__":
    main()
