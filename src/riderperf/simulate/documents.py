"""Decides riders' documents, their expiry and renewal, and the checks that catch expired ones."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import canonical_table, take
from riderperf.simulate.city import City
from riderperf.simulate.incidents import IncidentRows
from riderperf.simulate.riders import ARCHETYPE

I64 = NDArray[np.int64]
B = NDArray[np.bool_]

# Which vehicles need which document (everyone carries an id and a health certificate).
_NEEDS: dict[str, tuple[str, ...]] = {
    "id": schema.VEHICLES,
    "licence": ("motorbike", "car"),
    "health_certificate": schema.VEHICLES,
    "insurance": ("ebike", "motorbike", "car"),
    "vehicle_registration": ("motorbike", "car"),
}
_DOCUMENT_EXPIRED = schema.INCIDENT_KINDS.index("document_expired")
_YES = schema.AT_FAULT.index("yes")
_EPOCH = date(1970, 1, 1)


def _needs_matrix() -> B:
    """(vehicles, doc types): whether a vehicle's rider must hold the document."""
    return np.array([[v in _NEEDS[d] for d in schema.DOC_TYPES] for v in schema.VEHICLES])


def draw_documents(city: City, rng: np.random.Generator) -> tuple[pa.Table, IncidentRows]:
    """The documents table, and a document_expired incident for each expired, unrenewed
    document, raised by the document check on the first day it is out of date in the period."""
    p = city.params
    riders = city.riders
    held = _needs_matrix()[riders.vehicle]
    rider, doc = np.nonzero(held)
    rider, doc = rider.astype(np.int64), doc.astype(np.int64)
    n = len(rider)
    gear = (riders.archetype[rider] == ARCHETYPE["gear_neglecting"]).astype(np.int64)
    expired_p = np.asarray(p.document_expired_probability)[gear]
    expiring_p = np.asarray(p.document_expiring_probability)[gear]
    u = rng.random(n)
    expired = u < expired_p
    expiring = ~expired & (u < expired_p + expiring_p)
    expiry = np.where(
        expired,
        -rng.integers(1, 91, n),
        np.where(expiring, rng.integers(0, city.days, n), city.days + rng.integers(30, 1001, n)),
    )
    expiry = np.maximum(expiry, riders.join_day[rider] + 1)
    lapses = expired | expiring
    renewed = lapses & (rng.random(n) < np.asarray(p.document_renewal_probability)[gear])
    renewal = expiry + rng.integers(365, 731, n)
    verified = rng.random(n) < 0.97
    renewal_verified = rng.random(n) < 0.85

    rows = np.concatenate([np.arange(n), np.flatnonzero(renewed)])
    expires = np.concatenate([expiry, renewal[renewed]])
    checked = np.concatenate([verified, renewal_verified[renewed]])
    order = np.lexsort((expires, doc[rows], rider[rows]))
    rows, expires, checked = rows[order], expires[order], checked[order]
    start_day = (city.start - _EPOCH).days
    table = canonical_table(
        schema.DOCUMENTS,
        {
            "rider_id": take(city.rider_ids, rider[rows]),
            "doc_type": take(pa.array(schema.DOC_TYPES), doc[rows]),
            "expires_on": pa.array((start_day + expires).astype(np.int32), type=pa.date32()),
            "verified": pa.array(checked, type=pa.bool_()),
        },
    )

    caught_day = np.maximum(expiry + 1, np.maximum(riders.join_day[rider], 0))
    caught = lapses & ~renewed & (caught_day < city.days) & (caught_day < riders.leave_day[rider])
    hit = np.flatnonzero(caught)
    at = caught_day[hit] * 1440.0 + 540.0 + rng.random(len(hit)) * 480.0
    incidents = IncidentRows(
        rider=rider[hit],
        order=np.full(len(hit), -1, dtype=np.int64),
        occurred=at,
        kind=np.full(len(hit), _DOCUMENT_EXPIRED, dtype=np.int64),
        at_fault=np.full(len(hit), _YES, dtype=np.int64),
    )
    return table, incidents
