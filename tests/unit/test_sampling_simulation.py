"""The issue's bar on a simulated fleet: risk-based plans find gear-neglecting riders more
often than simple random plans of the same size, and the weighted estimate's 95 % interval
covers the true fleet compliance in at least 90 % of the draws.

The fleet is drawn from the simulator's own parameters for its planted gear-neglecting
riders (share, helmet/equipment findings per worked day, lapsing documents, uniform
complaints); what an inspection finds is the assumption stated in `FINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from riderperf.sampling.estimates import hajek_mean
from riderperf.sampling.iso2859 import single_sampling_plan
from riderperf.sampling.risk import RiderFeatures, risk_scores
from riderperf.sampling.selection import draw_sample
from riderperf.simulate.params import SimulationParams

WEIGHTS = {
    "complaint_rate": 0.15,
    "safety_rate": 0.1,
    "incidents": 0.3,
    "violations": 0.2,
    "newcomer": 0.05,
    "expiring_documents": 0.2,
}  # the bundled policy's weights (inspections.yaml)
FINDS = (0.03, 0.6)  # chance an inspection finds a major failure: other riders, neglecting
SEEDS = 200


@dataclass(frozen=True)
class Fleet:
    zones: list[str]
    features: list[RiderFeatures]
    neglecting: NDArray[np.bool_]
    nonconforming: NDArray[np.bool_]


def simulated_fleet(riders: int, seed: int) -> Fleet:
    p = SimulationParams()
    rng = np.random.default_rng(seed)
    share = p.archetype_table["gear_neglecting"][0]
    neglect = rng.random(riders) < share
    g = neglect.astype(int)
    worked = rng.binomial(28, 0.7, riders)
    gear_p = np.asarray(p.gear_incident_probability)[g]
    incidents = rng.binomial(worked, gear_p) + rng.binomial(worked, gear_p)
    lapse = (
        np.asarray(p.document_expired_probability)[g]
        + np.asarray(p.document_expiring_probability)[g]
    )
    kept = 1 - np.asarray(p.document_renewal_probability)[g]
    documents = rng.binomial(3, lapse * kept)
    orders = np.maximum(worked * 12, 1)
    uniform = p.archetype_complaints["gear_neglecting"][1] * g
    complaints = rng.poisson(orders * (0.004 + uniform))
    features = [
        RiderFeatures(
            rider_id=f"R{i:05d}",
            complaint_rate=100 * complaints[i] / orders[i],
            safety_rate=float(rng.gamma(2.0, 0.5)),
            incidents=int(incidents[i]),
            violations=0,
            newcomer=bool(rng.random() < 0.08),
            expiring_documents=int(documents[i]),
        )
        for i in range(riders)
    ]
    nonconforming = rng.random(riders) < np.asarray(FINDS)[g]
    zones = [f"Z{i % 3}" for i in range(riders)]
    return Fleet(zones, features, neglect, nonconforming)


def plan_each_zone(
    fleet: Fleet, seed: int, random_share: float
) -> tuple[list[int], list[float], list[str]]:
    """The riders drawn in every zone lot at its ISO 2859-1 sample size, with their π."""
    drawn, pi, strata = [], [], []
    for zone in sorted(set(fleet.zones)):
        members = [i for i, z in enumerate(fleet.zones) if z == zone]
        n = single_sampling_plan(len(members), "II", 2.5).sample_size
        risk = risk_scores([fleet.features[i] for i in members], WEIGHTS, strength=2.0, cap=5.0)
        _, units = draw_sample(risk, n, random_share=random_share, seed=seed, stream=zone)
        drawn += [members[u.index] for u in units]
        pi += [u.inclusion_probability for u in units]
        strata += [zone] * len(units)
    return drawn, pi, strata


def test_risk_plans_find_more_gear_neglecting_riders_and_intervals_cover_the_truth() -> None:
    fleet = simulated_fleet(3600, seed=12)  # three zones of 1,200: code K, n = 125 each
    truth = 1.0 - float(fleet.nonconforming.mean())
    found_risk, found_random, covered = [], [], 0
    for seed in range(SEEDS):
        drawn, pi, strata = plan_each_zone(fleet, seed, random_share=0.3)
        found_risk.append(int(fleet.neglecting[drawn].sum()))
        simple, _, _ = plan_each_zone(fleet, seed, random_share=1.0)
        found_random.append(int(fleet.neglecting[simple].sum()))
        assert len(simple) == len(drawn)
        conforming = [0.0 if fleet.nonconforming[i] else 1.0 for i in drawn]
        estimate = hajek_mean(conforming, pi, strata)
        covered += estimate.lower <= truth <= estimate.upper
    assert np.mean(found_risk) >= 1.5 * np.mean(found_random)
    assert covered / SEEDS >= 0.90
