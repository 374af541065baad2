"""Analytics of operations as DataFrames: the KPIs of the company's step 12.

Definitions (every rate is a share 0..1, ``NaN`` when its denominator is zero):

- **fill rate**, per service type: visits confirmed or beyond / visits not cancelled
  (in a report, those starting by its ``as_of``: later visits are not due yet);
  per worker: offers the worker confirmed / offers answered (confirmed or declined);
- **on-time arrival**: check-ins at most ``OpsPolicy.on_time_grace_minutes`` after the
  planned start / check-ins; ``mean_minutes_late`` over check-ins;
- **rework rate**: served visits with at least one rework request / served visits (rework
  visits themselves excluded);
- **complaint rate**: complaints opened / served visits; ``complaints_upheld`` counted too;
- **average rating**: mean stars given in the store (``rating`` in the worker table is the
  worker's current rating, imported history included);
- **continuity**: distinct workers per customer per month (1 is perfect continuity);
- **revenue**: settled amounts by month, service type and payment method;
- **follow-ups**: due, done on time, done late, overdue;
- **problem categories**: complaints and problems reported by workers, counted per worker,
  service type and category and ranked, the training needs of step 12.

Months are ``YYYY-MM`` of the visit's planned (else earliest) start in its own UTC offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matchmaker.lifecycle._followups import followups, followups_frame
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._pricing import Settlement
from matchmaker.lifecycle._states import ComplaintState, VisitState, WorkerState

__all__ = [
    "Report",
    "assignments_frame",
    "complaint_categories",
    "continuity",
    "followup_kpis",
    "offers_frame",
    "report",
    "revenue",
    "service_kpis",
    "settlements",
    "visits_frame",
    "worker_kpis",
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


def _rate(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` (Series or numbers), NaN where the denominator is 0."""
    if isinstance(denominator, pd.Series):
        return (numerator / denominator.where(denominator > 0)).astype(float)
    return float(numerator) / float(denominator) if denominator else float("nan")


def _typed(rows: list[dict[str, Any]], dtypes: dict[str, str]) -> pd.DataFrame:
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
                "amount": None
                if visit.settlement_amount is None
                else float(visit.settlement_amount),
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
        "amount": "float64",
        "method": "object",
    }
    return _typed(rows, dtypes)


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
    return _typed(rows, dtypes)


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
    return _typed(rows, dict.fromkeys(columns, "str"))


def _complaints_frame(ledger: Ledger) -> pd.DataFrame:
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
    return _typed(rows, {**dict.fromkeys([*columns, "category", "state"], "str"), "upheld": "bool"})


def worker_kpis(ledger: Ledger, policy: OpsPolicy | None = None) -> pd.DataFrame:
    """Per worker: fill rate, on-time arrival, rework, complaints and ratings."""
    work = assignments_frame(ledger, policy)
    work = work[~work["is_rework"]]
    offers = offers_frame(ledger)
    complaints = _complaints_frame(ledger)
    no_shows: dict[str, int] = {}
    for visit in ledger.visits.values():
        for worker_id in visit.no_show_workers:
            no_shows[worker_id] = no_shows.get(worker_id, 0) + 1
    frame = pd.DataFrame(index=pd.Index(sorted(ledger.workers), name="worker_id"))
    profiles = [ledger.workers[w] for w in frame.index]
    frame["status"] = pd.Series([str(w.state) for w in profiles], index=frame.index, dtype="str")
    frame["rating"] = pd.Series([w.rating for w in profiles], index=frame.index, dtype="float64")
    frame["rating_count"] = pd.Series(
        [w.rating_count for w in profiles], index=frame.index, dtype="int64"
    )
    outcome = offers.groupby(["worker_id", "outcome"]).size().unstack(fill_value=0)
    for name in ("confirmed", "declined"):
        frame[f"offers_{name}"] = outcome.get(name, 0)
    frame = frame.fillna({"offers_confirmed": 0, "offers_declined": 0})
    frame["fill_rate"] = _rate(
        frame["offers_confirmed"], frame["offers_confirmed"] + frame["offers_declined"]
    )
    grouped = work.groupby("worker_id")
    frame["visits_served"] = grouped.size().reindex(frame.index, fill_value=0)
    frame["on_time_rate"] = grouped["on_time"].mean().reindex(frame.index).astype(float)
    frame["mean_minutes_late"] = grouped["minutes_late"].mean().reindex(frame.index).astype(float)
    frame["rework_rate"] = grouped["had_rework"].mean().reindex(frame.index).astype(float)
    frame["no_shows"] = pd.Series(no_shows, dtype="int64").reindex(frame.index, fill_value=0)
    by_worker = complaints.groupby("worker_id")
    frame["complaints"] = by_worker.size().reindex(frame.index, fill_value=0)
    frame["complaints_upheld"] = by_worker["upheld"].sum().reindex(frame.index, fill_value=0)
    frame["complaint_rate"] = _rate(frame["complaints"], frame["visits_served"])
    frame["ratings_received"] = grouped["stars"].count().reindex(frame.index, fill_value=0)
    frame["average_rating"] = grouped["stars"].mean().reindex(frame.index).astype(float)
    for column in (
        "offers_confirmed",
        "offers_declined",
        "visits_served",
        "complaints",
        "complaints_upheld",
        "ratings_received",
    ):
        frame[column] = frame[column].astype("int64")
    return frame.reset_index()


def service_kpis(
    ledger: Ledger, policy: OpsPolicy | None = None, *, as_of: datetime | None = None
) -> pd.DataFrame:
    """Per service type: fill rate, on-time arrival, rework, complaints, ratings, revenue.

    The fill rate counts the visits starting by ``as_of`` (all visits without it).
    """
    visits = visits_frame(ledger, policy, as_of=as_of)
    live = visits[~visits["cancelled"] & visits["due"]]
    served = visits[visits["served"] & ~visits["is_rework"]]
    complaints = _complaints_frame(ledger)
    types = sorted(set(visits["service_type"]))
    frame = pd.DataFrame(index=pd.Index(types, name="service_type"))
    frame["visits"] = live.groupby("service_type").size().reindex(frame.index, fill_value=0)
    frame["visits_filled"] = (
        live.groupby("service_type")["filled"].sum().reindex(frame.index, fill_value=0)
    )
    frame["fill_rate"] = _rate(frame["visits_filled"], frame["visits"])
    grouped = served.groupby("service_type")
    frame["visits_served"] = grouped.size().reindex(frame.index, fill_value=0)
    frame["on_time_rate"] = grouped["on_time"].mean().reindex(frame.index).astype(float)
    frame["rework_rate"] = grouped["had_rework"].mean().reindex(frame.index).astype(float)
    frame["complaints"] = (
        complaints.groupby("service_type").size().reindex(frame.index, fill_value=0)
    )
    frame["complaint_rate"] = _rate(frame["complaints"], frame["visits_served"])
    stars = assignments_frame(ledger, policy)
    frame["average_rating"] = (
        stars.groupby("service_type")["stars"].mean().reindex(frame.index).astype(float)
    )
    frame["revenue"] = (
        visits.groupby("service_type")["amount"]
        .sum(min_count=1)
        .reindex(frame.index)
        .fillna(0.0)
        .astype(float)
    )
    for column in ("visits", "visits_filled", "visits_served", "complaints"):
        frame[column] = frame[column].astype("int64")
    return frame.reset_index()


def continuity(ledger: Ledger) -> pd.DataFrame:
    """Distinct workers per customer per month over served visits (fewer is better)."""
    work = assignments_frame(ledger)
    if work.empty:
        return _typed(
            [],
            {"customer_id": "str", "month": "str", "visits": "int64", "distinct_workers": "int64"},
        )
    grouped = work.groupby(["customer_id", "month"])
    frame = pd.DataFrame(
        {
            "visits": grouped["visit_id"].nunique(),
            "distinct_workers": grouped["worker_id"].nunique(),
        }
    )
    return frame.reset_index()


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


def revenue(ledger: Ledger) -> pd.DataFrame:
    """Settled amounts by month (of settlement), service type and payment method."""
    rows = [
        {
            "month": s.settled_at.strftime("%Y-%m"),
            "service_type": s.service_type,
            "method": str(s.method),
            "amount": float(s.amount),
        }
        for s in settlements(ledger)
    ]
    columns = ["month", "service_type", "method", "visits", "amount"]
    if not rows:
        return _typed(
            [], {**dict.fromkeys(columns[:3], "str"), "visits": "int64", "amount": "float64"}
        )
    frame = pd.DataFrame(rows)
    grouped = frame.groupby(["month", "service_type", "method"])
    out = pd.DataFrame({"visits": grouped.size(), "amount": grouped["amount"].sum()})
    return out.reset_index()[columns]


def followup_kpis(ledger: Ledger, policy: OpsPolicy, *, as_of: datetime) -> dict[str, Any]:
    items = followups(ledger, policy, as_of=as_of)
    counts = {
        s: sum(f.status == s for f in items)
        for s in ("pending", "overdue", "done_on_time", "done_late")
    }
    closed_or_late = counts["done_on_time"] + counts["done_late"] + counts["overdue"]
    return {
        "followups": len(items),
        **{f"followups_{k}": v for k, v in counts.items()},
        "followup_on_time_rate": _rate(counts["done_on_time"], closed_or_late),
    }


def complaint_categories(ledger: Ledger) -> pd.DataFrame:
    """Problems per worker, service type and category, most common first within each pair.

    Counts complaints (``complaints``, ``upheld``) and problems the workers reported on
    their visits (``worker_reports``); ``rank`` 1 is the most common category of that
    worker and service type.
    """
    rows = [
        {
            "worker_id": c.worker_id,
            "service_type": c.service_type,
            "category": c.category,
            "complaints": 1,
            "upheld": int(c.state is ComplaintState.UPHELD),
            "worker_reports": 0,
        }
        for c in ledger.complaints.values()
    ]
    for visit in ledger.visits.values():
        for category, _text in visit.issues:
            for worker_id in visit.workers or ("",):
                rows.append(
                    {
                        "worker_id": worker_id,
                        "service_type": visit.job.service_type,
                        "category": category,
                        "complaints": 0,
                        "upheld": 0,
                        "worker_reports": 1,
                    }
                )
    columns = [
        "worker_id",
        "service_type",
        "category",
        "complaints",
        "upheld",
        "worker_reports",
        "total",
        "rank",
    ]
    if not rows:
        return _typed(
            [], {**dict.fromkeys(columns[:3], "str"), **dict.fromkeys(columns[3:], "int64")}
        )
    frame = (
        pd.DataFrame(rows)
        .groupby(["worker_id", "service_type", "category"], as_index=False)[
            ["complaints", "upheld", "worker_reports"]
        ]
        .sum()
    )
    frame["total"] = frame["complaints"] + frame["worker_reports"]
    frame = frame.sort_values(
        ["worker_id", "service_type", "total", "category"], ascending=[True, True, False, True]
    )
    frame["rank"] = frame.groupby(["worker_id", "service_type"]).cumcount() + 1
    return frame.reset_index(drop=True)[columns]


@dataclass(frozen=True, kw_only=True)
class Report:
    """The KPIs: a flat ``summary`` and the tables behind it."""

    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary_frame(self) -> pd.DataFrame:
        """The summary as a two-column table (``kpi``, ``value``)."""
        summary = self.to_json()["summary"]
        return pd.DataFrame([{"kpi": k, "value": v} for k, v in summary.items()])

    def write_csv(self, folder: Path) -> list[Path]:
        """Write ``summary.csv`` and one CSV per table into ``folder``; returns the files."""
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / "summary.csv"]
        self.summary_frame().to_csv(written[0], index=False)
        for name, table in self.tables.items():
            written.append(folder / f"{name}.csv")
            table.to_csv(written[-1], index=False)
        return written

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: the summary and every table as a list of records (NaN as null)."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and value != value:
                return None
            if isinstance(value, np.generic):
                return clean(value.item())
            return value

        return {
            "summary": {k: clean(v) for k, v in self.summary.items()},
            "tables": {
                name: [
                    {k: clean(v) for k, v in row.items()} for row in table.to_dict(orient="records")
                ]
                for name, table in self.tables.items()
            },
        }


def report(ledger: Ledger, policy: OpsPolicy | None = None, *, as_of: datetime) -> Report:
    """Every KPI of operations at ``as_of``."""
    policy = policy or OpsPolicy()
    visits = visits_frame(ledger, policy, as_of=as_of)
    live = visits[~visits["cancelled"] & visits["due"]]
    served = visits[visits["served"] & ~visits["is_rework"]]
    cont = continuity(ledger)
    follow = followups(ledger, policy, as_of=as_of)
    summary: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "visits": len(live),
        "visits_filled": int(live["filled"].sum()),
        "fill_rate": _rate(int(live["filled"].sum()), len(live)),
        "visits_served": len(served),
        "on_time_rate": _rate(
            int((served["on_time"] == True).sum()),  # noqa: E712
            int(served["minutes_late"].notna().sum()),
        ),
        "rework_rate": _rate(int(served["had_rework"].sum()), len(served)),
        "complaints": len(ledger.complaints),
        "complaint_rate": _rate(len(ledger.complaints), len(served)),
        "average_rating": float(
            np.mean([r.stars for v in ledger.visits.values() for r in v.ratings])
        )
        if any(v.ratings for v in ledger.visits.values())
        else float("nan"),
        "no_shows": int(visits["no_shows"].sum()),
        "revenue": float(visits["amount"].fillna(0.0).sum()),
        "mean_distinct_workers_per_customer_month": float(cont["distinct_workers"].mean())
        if not cont.empty
        else float("nan"),
        "workers_suspended": sum(w.state is WorkerState.SUSPENDED for w in ledger.workers.values()),
        **followup_kpis(ledger, policy, as_of=as_of),
    }
    tables = {
        "workers": worker_kpis(ledger, policy),
        "services": service_kpis(ledger, policy, as_of=as_of),
        "continuity": cont,
        "revenue": revenue(ledger),
        "followups": followups_frame(follow),
        "problems": complaint_categories(ledger),
    }
    return Report(summary=summary, tables=tables)
