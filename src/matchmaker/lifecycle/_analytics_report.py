"""The KPIs of operations, aggregated from the analytics tables, and the :class:`Report`.

The definitions are in :mod:`matchmaker.lifecycle._analytics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matchmaker.lifecycle._analytics_frames import (
    assignments_frame,
    complaints_frame,
    offers_frame,
    settlements,
    typed_frame,
    visits_frame,
)
from matchmaker.lifecycle._followups import followups, followups_frame
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._money_lines import ZERO, money_sum
from matchmaker.lifecycle._money_report import (
    money_by_service_month,
    money_summary,
    visit_margins,
)
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._states import ComplaintState, WorkerState

__all__ = [
    "Report",
    "complaint_categories",
    "continuity",
    "followup_kpis",
    "report",
    "revenue",
    "service_kpis",
    "worker_kpis",
]


def _rate(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` (Series or numbers), NaN where the denominator is 0."""
    if isinstance(denominator, pd.Series):
        return (numerator / denominator.where(denominator > 0)).astype(float)
    return float(numerator) / float(denominator) if denominator else float("nan")


def worker_kpis(ledger: Ledger, policy: OpsPolicy | None = None) -> pd.DataFrame:
    """Per worker: fill rate, on-time arrival, rework, complaints and ratings."""
    work = assignments_frame(ledger, policy)
    work = work[~work["is_rework"]]
    offers = offers_frame(ledger)
    complaints = complaints_frame(ledger)
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
    """Per service type: fill rate, on-time arrival, rework, complaints, ratings, revenue,
    pay and margin (exact ``Decimal``).

    The fill rate counts the visits starting by ``as_of`` (all visits without it).
    """
    visits = visits_frame(ledger, policy, as_of=as_of)
    live = visits[~visits["cancelled"] & visits["due"]]
    served = visits[visits["served"] & ~visits["is_rework"]]
    complaints = complaints_frame(ledger)
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
    earned: dict[str, Decimal] = dict.fromkeys(frame.index, ZERO)
    paid: dict[str, Decimal] = dict.fromkeys(frame.index, ZERO)
    for visit in ledger.visits.values():
        earned[visit.job.service_type] += visit.net_amount
        paid[visit.job.service_type] += money_sum(p.amount for p in visit.pay)
    frame["revenue"] = pd.Series(earned, dtype="object").reindex(frame.index)
    frame["pay"] = pd.Series(paid, dtype="object").reindex(frame.index)
    frame["margin"] = frame["revenue"] - frame["pay"]
    for column in ("visits", "visits_filled", "visits_served", "complaints"):
        frame[column] = frame[column].astype("int64")
    return frame.reset_index()


def continuity(ledger: Ledger) -> pd.DataFrame:
    """Distinct workers per customer per month over served visits (fewer is better)."""
    work = assignments_frame(ledger)
    if work.empty:
        return typed_frame(
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


def revenue(ledger: Ledger) -> pd.DataFrame:
    """Settled amounts (exact ``Decimal``) by month of settlement, service type and method."""
    sums: dict[tuple[str, str, str], list[Any]] = {}
    for s in settlements(ledger):
        key = (s.settled_at.strftime("%Y-%m"), s.service_type, str(s.method))
        cell = sums.setdefault(key, [0, ZERO])
        cell[0] += 1
        cell[1] += s.amount
    rows = [
        {"month": m, "service_type": t, "method": k, "visits": n, "amount": amount}
        for (m, t, k), (n, amount) in sorted(sums.items())
    ]
    return typed_frame(
        rows,
        {
            "month": "str",
            "service_type": "str",
            "method": "str",
            "visits": "int64",
            "amount": "object",
        },
    )


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
        return typed_frame(
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
            if isinstance(value, Decimal):
                return str(value)
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
        **money_summary(ledger),
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
        "money": money_by_service_month(ledger),
        "margins": visit_margins(ledger),
        "followups": followups_frame(follow),
        "problems": complaint_categories(ledger),
    }
    return Report(summary=summary, tables=tables)
