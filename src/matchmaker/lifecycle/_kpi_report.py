"""The report's KPIs from the store's counters, without pandas: ``ops report``.

The figures are those of :func:`matchmaker.lifecycle.analytics.report` (same definitions,
same numbers, exact Decimal money): the summary and the ``workers``, ``services``,
``revenue``, ``money`` and ``problems`` tables. They are built from the sums of
:mod:`matchmaker.lifecycle._kpi_parts` (read from the store by
:mod:`matchmaker.lifecycle._kpi_read`), so the report reads a few thousand rows whatever
the history. The tables with one row per visit or per customer and month (``margins``,
``followups``, ``continuity``) grow with the history: ``ops report --details`` adds them,
computed from every entity (the full report).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from matchmaker.lifecycle._kpi_parts import SEP, Part, from_cents
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._states import WorkerState
from matchmaker.lifecycle._worker import WorkerRecord

__all__ = [
    "MONEY_KINDS",
    "FollowupCounts",
    "KpiReport",
    "KpiTable",
    "WorkerFigures",
    "build_report",
    "worker_figures",
]

MONEY_KINDS = ("price", "discount", "surcharge", "refund", "cancellation_fee")

_NAN = float("nan")


@dataclass(frozen=True, kw_only=True)
class KpiTable:
    """A table as rows of plain values, its columns in order."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkerFigures:
    """What the report shows of a worker's own record."""

    worker_id: str
    state: str
    rating: float | None
    rating_count: int


def worker_figures(worker: WorkerRecord) -> WorkerFigures:
    return WorkerFigures(
        worker_id=worker.worker_id,
        state=str(worker.state),
        rating=worker.rating,
        rating_count=worker.rating_count,
    )


@dataclass(frozen=True, kw_only=True)
class FollowupCounts:
    """Follow-ups by where they stand at the report's instant."""

    pending: int = 0
    overdue: int = 0
    done_on_time: int = 0
    done_late: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.overdue + self.done_on_time + self.done_late


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True, kw_only=True)
class KpiReport:
    """The KPIs: a flat ``summary`` and the aggregate tables (JSON as the full report's)."""

    summary: dict[str, Any]
    tables: dict[str, KpiTable] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: the summary and every table as a list of records (NaN as null)."""
        return {
            "summary": {k: _clean(v) for k, v in self.summary.items()},
            "tables": {
                name: [{k: _clean(row[k]) for k in table.columns} for row in table.rows]
                for name, table in self.tables.items()
            },
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")

    def write_csv(self, folder: Path) -> list[Path]:
        """Write ``summary.csv`` and one CSV per table into ``folder``; returns the files."""
        folder.mkdir(parents=True, exist_ok=True)
        summary = KpiTable(
            columns=("kpi", "value"),
            rows=[{"kpi": k, "value": v} for k, v in self.summary.items()],
        )
        written = []
        for name, table in {"summary": summary, **self.tables}.items():
            written.append(folder / f"{name}.csv")
            with written[-1].open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(table.columns)
                for row in table.rows:
                    writer.writerow([_csv_cell(row[c]) for c in table.columns])
        return written


def _csv_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _rate(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else _NAN


def _by_scope(counts: Mapping[Part, int]) -> dict[str, dict[str, dict[str, int]]]:
    scopes: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for (scope, key, name), value in counts.items():
        scopes[scope][key][name] = value
    return scopes


def _late(cells: Mapping[str, int], grace: int) -> tuple[int, int]:
    """(on time, with minutes late) from a ``late:<m>`` histogram."""
    on_time = known = 0
    for name, count in cells.items():
        if not name.startswith("late:") or name == "late:none":
            continue
        known += count
        on_time += count if int(name[5:]) <= grace else 0
    return on_time, known


def _late_sum(cells: Mapping[str, int]) -> int:
    return sum(
        int(name[5:]) * count
        for name, count in cells.items()
        if name.startswith("late:") and name != "late:none"
    )


def _workers(
    scope: Mapping[str, Mapping[str, int]], workers: Sequence[WorkerFigures], grace: int
) -> KpiTable:
    rows = []
    for worker in sorted(workers, key=lambda w: w.worker_id):
        c = scope.get(worker.worker_id, {})
        confirmed, declined = c.get("offers_confirmed", 0), c.get("offers_declined", 0)
        served = c.get("served", 0)
        on_time, _known = _late(c, grace)
        complaints = c.get("complaints", 0)
        stars_n = c.get("stars_n", 0)
        rows.append(
            {
                "worker_id": worker.worker_id,
                "status": worker.state,
                "rating": _NAN if worker.rating is None else float(worker.rating),
                "rating_count": worker.rating_count,
                "offers_confirmed": confirmed,
                "offers_declined": declined,
                "fill_rate": _rate(confirmed, confirmed + declined),
                "visits_served": served,
                "on_time_rate": _rate(on_time, served),
                "mean_minutes_late": _rate(_late_sum(c), served),
                "rework_rate": _rate(c.get("rework", 0), served),
                "no_shows": c.get("no_shows", 0),
                "complaints": complaints,
                "complaints_upheld": c.get("upheld", 0),
                "complaint_rate": _rate(complaints, served),
                "ratings_received": stars_n,
                "average_rating": _rate(c.get("stars_sum", 0), stars_n),
            }
        )
    return KpiTable(columns=tuple(rows[0]) if rows else _WORKER_COLUMNS, rows=rows)


_WORKER_COLUMNS = (
    "worker_id",
    "status",
    "rating",
    "rating_count",
    "offers_confirmed",
    "offers_declined",
    "fill_rate",
    "visits_served",
    "on_time_rate",
    "mean_minutes_late",
    "rework_rate",
    "no_shows",
    "complaints",
    "complaints_upheld",
    "complaint_rate",
    "ratings_received",
    "average_rating",
)


def _services(scope: Mapping[str, Mapping[str, int]], grace: int) -> KpiTable:
    rows = []
    for service in sorted(s for s, c in scope.items() if c.get("n", 0) > 0):
        c = scope[service]
        live, filled, served = c.get("live", 0), c.get("filled", 0), c.get("served", 0)
        on_time, known = _late(c, grace)
        revenue, pay = from_cents(c.get("revenue", 0)), from_cents(c.get("pay", 0))
        rows.append(
            {
                "service_type": service,
                "visits": live,
                "visits_filled": filled,
                "fill_rate": _rate(filled, live),
                "visits_served": served,
                "on_time_rate": _rate(on_time, known),
                "rework_rate": _rate(c.get("rework", 0), served),
                "complaints": c.get("complaints", 0),
                "complaint_rate": _rate(c.get("complaints", 0), served),
                "average_rating": _rate(c.get("stars_sum", 0), c.get("stars_n", 0)),
                "revenue": revenue,
                "pay": pay,
                "margin": revenue - pay,
            }
        )
    columns = (
        "service_type",
        "visits",
        "visits_filled",
        "fill_rate",
        "visits_served",
        "on_time_rate",
        "rework_rate",
        "complaints",
        "complaint_rate",
        "average_rating",
        "revenue",
        "pay",
        "margin",
    )
    return KpiTable(columns=columns, rows=rows)


def _revenue(scope: Mapping[str, Mapping[str, int]]) -> KpiTable:
    rows = []
    for key in sorted(k for k, c in scope.items() if c.get("visits", 0) > 0):
        month, service, method = key.split(SEP)
        c = scope[key]
        rows.append(
            {
                "month": month,
                "service_type": service,
                "method": method,
                "visits": c["visits"],
                "amount": from_cents(c.get("amount", 0)),
            }
        )
    return KpiTable(columns=("month", "service_type", "method", "visits", "amount"), rows=rows)


def _money(scope: Mapping[str, Mapping[str, int]]) -> KpiTable:
    rows = []
    keys = (k for k, c in scope.items() if c.get("lines", 0) > 0 or c.get("settled", 0) > 0)
    for key in sorted(keys, key=lambda k: tuple(k.split(SEP))):
        month, service = key.split(SEP)
        c = scope[key]
        revenue, pay = from_cents(c.get("revenue", 0)), from_cents(c.get("pay", 0))
        rows.append(
            {
                "month": month,
                "service_type": service,
                "visits_settled": c.get("settled", 0),
                **{kind: from_cents(c.get(kind, 0)) for kind in MONEY_KINDS},
                "revenue": revenue,
                "pay": pay,
                "margin": revenue - pay,
                "visits_without_pay_rate": c.get("without_pay_rate", 0),
            }
        )
    columns = (
        "month",
        "service_type",
        "visits_settled",
        *MONEY_KINDS,
        "revenue",
        "pay",
        "margin",
        "visits_without_pay_rate",
    )
    return KpiTable(columns=columns, rows=rows)


def _problems(scope: Mapping[str, Mapping[str, int]]) -> KpiTable:
    rows: list[dict[str, Any]] = []
    for key, c in scope.items():
        complaints, reports = c.get("complaints", 0), c.get("worker_reports", 0)
        if complaints + reports == 0:
            continue
        worker_id, service, category = key.split(SEP)
        rows.append(
            {
                "worker_id": worker_id,
                "service_type": service,
                "category": category,
                "complaints": complaints,
                "upheld": c.get("upheld", 0),
                "worker_reports": reports,
                "total": complaints + reports,
            }
        )
    rows.sort(key=lambda r: (r["worker_id"], r["service_type"], -r["total"], r["category"]))
    rank: dict[tuple[str, str], int] = {}
    for row in rows:
        pair = (row["worker_id"], row["service_type"])
        rank[pair] = rank.get(pair, 0) + 1
        row["rank"] = rank[pair]
    columns = (
        "worker_id",
        "service_type",
        "category",
        "complaints",
        "upheld",
        "worker_reports",
        "total",
        "rank",
    )
    return KpiTable(columns=columns, rows=rows)


def build_report(
    counts: Mapping[Part, int],
    workers: Sequence[WorkerFigures],
    *,
    policy: OpsPolicy,
    as_of: datetime,
    continuity: tuple[int, int],
    followups: FollowupCounts,
) -> KpiReport:
    """The report from the counters of visits due by ``as_of`` (those starting later
    already taken off ``live`` and ``filled``), every worker, the continuity (worker
    pairs, customer months) and the follow-ups at ``as_of``."""
    scopes = _by_scope(counts)
    grace = policy.on_time_grace_minutes
    services = scopes["svc"].values()
    everything = scopes["all"][""]
    live = sum(c.get("live", 0) for c in services)
    filled = sum(c.get("filled", 0) for c in services)
    served = sum(c.get("served", 0) for c in services)
    on_time = known = 0
    for cells in services:
        ok, late = _late(cells, grace)
        on_time, known = on_time + ok, known + late
    complaints = everything.get("complaints", 0)
    revenue, pay = from_cents(everything.get("revenue", 0)), from_cents(everything.get("pay", 0))
    held = everything.get("deposit_held", 0) - everything.get("deposit_applied", 0)
    pairs, groups = continuity
    closed_or_late = followups.done_on_time + followups.done_late + followups.overdue
    summary: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "visits": live,
        "visits_filled": filled,
        "fill_rate": _rate(filled, live),
        "visits_served": served,
        "on_time_rate": _rate(on_time, known),
        "rework_rate": _rate(sum(c.get("rework", 0) for c in services), served),
        "complaints": complaints,
        "complaint_rate": _rate(complaints, served),
        "average_rating": _rate(everything.get("ratings_sum", 0), everything.get("ratings_n", 0)),
        "no_shows": everything.get("no_shows", 0),
        "revenue": revenue,
        "pay": pay,
        "margin": revenue - pay,
        "deposits_held": from_cents(held),
        "mean_distinct_workers_per_customer_month": _rate(pairs, groups),
        "workers_suspended": sum(w.state == WorkerState.SUSPENDED for w in workers),
        "followups": followups.total,
        "followups_pending": followups.pending,
        "followups_overdue": followups.overdue,
        "followups_done_on_time": followups.done_on_time,
        "followups_done_late": followups.done_late,
        "followup_on_time_rate": _rate(followups.done_on_time, closed_or_late),
    }
    tables = {
        "workers": _workers(scopes["w"], workers, grace),
        "services": _services(scopes["svc"], grace),
        "revenue": _revenue(scopes["rev"]),
        "money": _money(scopes["money"]),
        "problems": _problems(scopes["prob"]),
    }
    return KpiReport(summary=summary, tables=tables)
