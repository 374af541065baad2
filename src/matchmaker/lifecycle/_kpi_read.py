"""``ops report`` from the store's views: the counters, the workers, and what the report's
instant changes.

:func:`store_report` reads ``kpi_counts`` (a few rows per service, month, worker and
problem category), the workers, two counts for continuity and one aggregate of the
follow-ups, and takes off ``live`` and ``filled`` of the visits starting after the
report's instant (read one by one: few when the instant is now; a report as of a
distant past reads every visit after it). :func:`ledger_report` builds the same report
from a ledger (every entity in memory), with the same parts and functions: the
reference the tests hold the store's counters to.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from matchmaker.lifecycle._kpi_parts import DUE_NAMES, Part, parts, sum_parts
from matchmaker.lifecycle._kpi_report import (
    FollowupCounts,
    KpiReport,
    WorkerFigures,
    build_report,
    worker_figures,
)
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._views import to_us
from matchmaker.lifecycle._visit import Visit

if TYPE_CHECKING:
    from matchmaker.lifecycle._store_sql import SqlStore, Transaction

__all__ = ["followup_status", "ledger_report", "store_report"]

_COUNTED = ("svc", "all", "w", "money", "rev", "prob")


def _delays(policy: OpsPolicy) -> tuple[int, int]:
    """(new customer, returning) follow-up delays in microseconds."""
    us = timedelta(microseconds=1)
    return (
        timedelta(hours=policy.followup_new_customer_hours) // us,
        timedelta(days=policy.followup_returning_days) // us,
    )


def followup_status(accepted_us: int, done_us: int | None, delay_us: int, as_of_us: int) -> str:
    """Where one follow-up stands (as :func:`matchmaker.lifecycle.followups` says)."""
    due = accepted_us + delay_us
    if done_us is not None:
        return "done_on_time" if done_us <= due else "done_late"
    return "overdue" if as_of_us > due else "pending"


def _not_due(counts: Counter[Part], later: Iterable[Visit]) -> None:
    for visit in later:
        for part, value in parts(visit).items():
            if part[2] in DUE_NAMES:
                counts[part] -= value


def _followups(
    rows: Iterable[tuple[str, str, int, int | None]],
    known: set[str],
    policy: OpsPolicy,
    as_of: datetime,
) -> FollowupCounts:
    """Follow-ups from ``(customer, visit, accepted, done)`` of accepted visits."""
    new_delay, returning = _delays(policy)
    items = list(rows)
    first: dict[str, tuple[int, str]] = {}
    for customer, visit_id, accepted, _done in items:
        if customer not in first or (accepted, visit_id) < first[customer]:
            first[customer] = (accepted, visit_id)
    tally: Counter[str] = Counter()
    as_of_us = to_us(as_of)
    for customer, visit_id, accepted, done in items:
        new = first[customer] == (accepted, visit_id) and customer not in known
        tally[followup_status(accepted, done, new_delay if new else returning, as_of_us)] += 1
    return FollowupCounts(**tally)


def ledger_report(ledger: Ledger, policy: OpsPolicy, *, as_of: datetime) -> KpiReport:
    """The report of every entity of ``ledger`` (the reference of :func:`store_report`)."""
    entities: list[Any] = [
        *ledger.visits.values(),
        *ledger.complaints.values(),
        *ledger.orders.values(),
        *ledger.customers.values(),
    ]
    counts = sum_parts(entities)
    _not_due(counts, (v for v in ledger.visits.values() if v.start > as_of))
    rows = [
        (v.job.customer_id, v.visit_id, to_us(v.accepted_at), _opt_us(v.followed_up_at))
        for v in ledger.visits.values()
        if v.accepted_at is not None and v.rework_of is None
    ]
    known = {key for (scope, key, _n), value in counts.items() if scope == "known" and value}
    pairs = {k for (scope, k, _n), value in counts.items() if scope == "cw" and value > 0}
    groups = {k for (scope, k, _n), value in counts.items() if scope == "cm" and value > 0}
    return build_report(
        {p: v for p, v in counts.items() if p[0] in _COUNTED},
        [worker_figures(w) for w in ledger.workers.values()],
        policy=policy,
        as_of=as_of,
        continuity=(len(pairs), len(groups)),
        followups=_followups(rows, known, policy, as_of),
    )


def _opt_us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def _store_followups(tx: Transaction, policy: OpsPolicy, as_of: datetime) -> FollowupCounts:
    """The follow-ups counted in the database as if every customer were returning, then
    the first accepted visit of each customer not known before (``first_accepted``)
    corrected in Python."""
    new_delay, returning = _delays(policy)
    as_of_us = to_us(as_of)
    row = tx.execute(
        "SELECT COUNT(*), "
        "SUM(CASE WHEN done_us IS NOT NULL AND done_us <= accepted_us + ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN done_us IS NOT NULL AND done_us > accepted_us + ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN done_us IS NULL AND ? > accepted_us + ? THEN 1 ELSE 0 END) "
        "FROM visit_index WHERE accepted_us IS NOT NULL",
        (returning, returning, as_of_us, returning),
    ).fetchone()
    total, on_time, late, overdue = (int(x or 0) for x in row)
    tally: Counter[str] = Counter(
        done_on_time=on_time,
        done_late=late,
        overdue=overdue,
        pending=total - on_time - late - overdue,
    )
    known = {
        str(r[0])
        for r in tx.execute(
            "SELECT key FROM kpi_counts WHERE scope = 'known' AND value > 0"
        ).fetchall()
    }
    first = {
        str(customer): (str(visit_id), int(accepted), None if done is None else int(done))
        for customer, visit_id, accepted, done in tx.execute(
            "SELECT customer_id, visit_id, accepted_us, done_us FROM first_accepted"
        ).fetchall()
    }
    for customer, (_visit, accepted, done) in first.items():
        if customer in known:
            continue
        tally[followup_status(accepted, done, returning, as_of_us)] -= 1
        tally[followup_status(accepted, done, new_delay, as_of_us)] += 1
    return FollowupCounts(**tally)


_WORKERS = "SELECT data FROM entity_state WHERE entity_type = 'worker'"


def _figures(data: str) -> WorkerFigures:
    # Four fields of the row's JSON (the whole record is not needed: a thousand workers
    # decode in a tenth of a second).
    fields = json.loads(data)
    return WorkerFigures(
        worker_id=str(fields["worker_id"]),
        state=str(fields["state"]),
        rating=None if fields.get("rating") is None else float(fields["rating"]),
        rating_count=int(fields.get("rating_count") or 0),
    )


def _count(tx: Transaction, scope: str) -> int:
    # Counters at zero are deleted (_views._add): every row of the scope counts.
    row = tx.execute("SELECT COUNT(*) FROM kpi_counts WHERE scope = ?", (scope,)).fetchone()
    return int(row[0])


def report_in(tx: Transaction, policy: OpsPolicy, *, as_of: datetime) -> KpiReport:
    """The report of the snapshot ``tx`` (see :func:`store_report`)."""
    marks = ", ".join("?" * len(_COUNTED))
    counts: Counter[Part] = Counter()
    for scope, key, name, value in tx.execute(
        f"SELECT scope, key, name, value FROM kpi_counts WHERE scope IN ({marks})", _COUNTED
    ).fetchall():
        counts[str(scope), str(key), str(name)] = int(value)
    # The visits starting after the instant: their share of "due" from the index.
    for service, *shares in tx.execute(
        "SELECT service_type, SUM(due_live), SUM(due_filled) FROM visit_index "
        "WHERE start_us > ? GROUP BY service_type",
        (to_us(as_of),),
    ).fetchall():
        for name, share in zip(DUE_NAMES, shares, strict=True):
            counts["svc", str(service), name] -= int(share or 0)
    workers = [_figures(str(row[0])) for row in tx.execute(_WORKERS).fetchall()]
    return build_report(
        counts,
        workers,
        policy=policy,
        as_of=as_of,
        continuity=(_count(tx, "cw"), _count(tx, "cm")),
        followups=_store_followups(tx, policy, as_of),
    )


def store_report(store: SqlStore, policy: OpsPolicy, *, as_of: datetime) -> KpiReport:
    """``ops report``: the KPIs at ``as_of`` from the store's views (caught up first)."""
    with store.snapshot() as tx:
        return report_in(tx, policy, as_of=as_of)


def counts_of(report_counts: Mapping[Part, int]) -> dict[Part, int]:
    """The non-zero counters (two sets of counters are equal when these are)."""
    return {part: value for part, value in report_counts.items() if value}
