"""The analytics tables one row per thing: visits, assignments, offers, complaints, settlements.

The KPIs of :mod:`matchmaker.lifecycle._analytics_report` are aggregated from them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._pricing import Settlement
from matchmaker.lifecycle._states import ComplaintState, VisitState

__all__ = [
    "FILLED_STATES",
    "assignments_frame",
    "complaints_frame",
    "offers_frame",
    "settlements",
    "typed_frame",
    "visits_frame",
]


FILLED_STATES = frozenset(
    {
        VisitState.CONFIRMED,
        VisitState.CHECKED_IN,
        VisitState.COMPLETED,
        VisitState.REWORK,
        VisitState.ACCEPTED,
        VisitState.SETTLED,
        VisitState.FOLLOWED_UP,
    }
)


def typed_frame(rows: list[dict[str, Any]], dtypes: dict[str, str]) -> pd.DataFrame:
    """``rows`` as a frame with exactly these columns and dtypes, also when there are none.

    Without dtypes an empty frame has object columns, and an object mask selects columns
    instead of rows (``frame[~frame["is_rework"]]`` lost every column of an empty store).
    """
    return pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)


def visits_frame(
    ledger: Ledger, policy: OpsPolicy | None = None, *, as_of: datetime | None = None
) -> pd.DataFrame:
    """One row per visit with its outcome; ``due`` says it starts by ``as_of``."""
    policy = policy or OpsPolicy()
    rows = []
    for visit in ledger.visits.values():
        stars = [r.stars for r in visit.ratings]
        late = visit.minutes_late
        rows.append(
            {
                "visit_id": visit.visit_id,
                "order_id": visit.job.order_id,
                "customer_id": visit.job.customer_id,
                "service_type": visit.job.service_type,
                "state": str(visit.state),
                "is_rework": visit.rework_of is not None,
                "start": visit.start.isoformat(),
                "month": visit.start.strftime("%Y-%m"),
                "worker_ids": ";".join(visit.workers),
                "workers_needed": visit.job.workers_needed,
                "due": as_of is None or visit.start <= as_of,
                "cancelled": visit.state is VisitState.CANCELLED,
                "filled": visit.state in FILLED_STATES,
                "served": visit.served,
                "minutes_late": late,
                "on_time": None if late is None else late <= policy.on_time_grace_minutes,
                "rework_count": visit.rework_count,
                "had_rework": visit.rework_count > 0,
                "ratings": len(stars),
                "mean_stars": float(np.mean(stars)) if stars else np.nan,
                "no_shows": len(visit.no_show_workers),
                "amount": visit.settlement_amount,
                "method": None if visit.settlement_method is None else str(visit.settlement_method),
            }
        )
    dtypes = {
        "visit_id": "str",
        "order_id": "str",
        "customer_id": "str",
        "service_type": "str",
        "state": "str",
        "is_rework": "bool",
        "start": "str",
        "month": "str",
        "worker_ids": "str",
        "workers_needed": "int64",
        "due": "bool",
        "cancelled": "bool",
        "filled": "bool",
        "served": "bool",
        "minutes_late": "float64",
        "on_time": "object",
        "rework_count": "int64",
        "had_rework": "bool",
        "ratings": "int64",
        "mean_stars": "float64",
        "no_shows": "int64",
        "amount": "object",
        "method": "object",
    }
    return typed_frame(rows, dtypes)


def assignments_frame(ledger: Ledger, policy: OpsPolicy | None = None) -> pd.DataFrame:
    """One row per worker of each served visit (team visits give one row per worker)."""
    policy = policy or OpsPolicy()
    rows = []
    for visit in ledger.visits.values():
        if not visit.served:
            continue
        late = visit.minutes_late if visit.minutes_late is not None else 0
        for worker_id in visit.workers:
            stars = [r.stars for r in visit.ratings if r.worker_id == worker_id]
            rows.append(
                {
                    "visit_id": visit.visit_id,
                    "worker_id": worker_id,
                    "customer_id": visit.job.customer_id,
                    "service_type": visit.job.service_type,
                    "month": visit.start.strftime("%Y-%m"),
                    "is_rework": visit.rework_of is not None,
                    "minutes_late": late,
                    "on_time": late <= policy.on_time_grace_minutes,
                    "had_rework": visit.rework_count > 0,
                    "stars": float(stars[0]) if stars else np.nan,
                }
            )
    dtypes = {
        "visit_id": "str",
        "worker_id": "str",
        "customer_id": "str",
        "service_type": "str",
        "month": "str",
        "is_rework": "bool",
        "minutes_late": "int64",
        "on_time": "bool",
        "had_rework": "bool",
        "stars": "float64",
    }
    return typed_frame(rows, dtypes)


def offers_frame(ledger: Ledger) -> pd.DataFrame:
    """Every proposal made to a worker and its answer."""
    rows = [
        {
            "visit_id": visit.visit_id,
            "worker_id": offer.worker_id,
            "service_type": visit.job.service_type,
            "outcome": offer.outcome,
            "proposed_at": offer.proposed_at.isoformat(),
        }
        for visit in ledger.visits.values()
        for offer in visit.offers
    ]
    columns = ["visit_id", "worker_id", "service_type", "outcome", "proposed_at"]
    return typed_frame(rows, dict.fromkeys(columns, "str"))


def complaints_frame(ledger: Ledger) -> pd.DataFrame:
    """One row per complaint; ``upheld`` says how it was resolved."""
    rows = [
        {
            "complaint_id": c.complaint_id,
            "visit_id": c.visit_id,
            "worker_id": c.worker_id,
            "customer_id": c.customer_id,
            "service_type": c.service_type,
            "category": c.category,
            "state": str(c.state),
            "upheld": c.state is ComplaintState.UPHELD,
        }
        for c in ledger.complaints.values()
    ]
    columns = ["complaint_id", "visit_id", "worker_id", "customer_id", "service_type"]
    return typed_frame(
        rows, {**dict.fromkeys([*columns, "category", "state"], "str"), "upheld": "bool"}
    )


def settlements(ledger: Ledger) -> list[Settlement]:
    """Every settled visit, for statements and revenue."""
    out = []
    for visit in ledger.visits.values():
        if visit.settled_at is None or visit.settlement_method is None:
            continue
        out.append(
            Settlement(
                visit_id=visit.visit_id,
                customer_id=visit.job.customer_id,
                service_type=visit.job.service_type,
                method=visit.settlement_method,
                amount=visit.settlement_amount or Decimal("0.00"),
                settled_at=visit.settled_at,
                visit_start=visit.start,
            )
        )
    return sorted(out, key=lambda s: (s.settled_at, s.visit_id))
