"""Money in the report, exact: per visit (revenue, pay, margin) and per service and month.

Every amount is a :class:`~decimal.Decimal` (an ``object`` column in the frames; JSON
writes it as a string). A visit's **revenue** is the sum of its money lines: the price
settled, discounts and surcharges, refunds, a cancellation fee. Its **pay** is what its
workers earn (fixed at settlement by the pay rates), its **margin** revenue less pay.
Each line counts in the month it happened (a refund in the month it was given), pay in
the month of the settlement. ``pay_known`` is false for a settled visit whose workers had
no pay rate: its margin is then blank, not the whole revenue.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pandas as pd

from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._money_lines import ZERO, money_sum

__all__ = ["MONEY_KINDS", "money_by_service_month", "money_summary", "visit_margins"]

MONEY_KINDS = ("price", "discount", "surcharge", "refund", "cancellation_fee")
"""The kinds of a visit's money lines, as columns of the money tables."""

_MARGIN_COLUMNS = [
    "visit_id",
    "order_id",
    "customer_id",
    "service_type",
    "month",
    "state",
    "method",
    "worker_ids",
    *MONEY_KINDS,
    "revenue",
    "deposit_applied",
    "pay",
    "pay_known",
    "margin",
]


def _month(moment: Any) -> str:
    return str(moment.strftime("%Y-%m"))


def visit_margins(ledger: Ledger) -> pd.DataFrame:
    """One row per visit with money on it: its lines by kind, revenue, pay and margin."""
    rows = []
    for visit in ledger.visits.values():
        if not visit.money:
            continue
        by_kind = {kind: ZERO for kind in MONEY_KINDS}
        for line in visit.money:
            by_kind[line.kind] = by_kind.get(line.kind, ZERO) + line.amount
        revenue = visit.net_amount
        settled = visit.settled_at is not None
        pay = money_sum(p.amount for p in visit.pay)
        known = not settled or {p.worker_id for p in visit.pay} >= set(visit.workers)
        when = visit.settled_at or visit.cancelled_at or visit.money[0].time
        rows.append(
            {
                "visit_id": visit.visit_id,
                "order_id": visit.job.order_id,
                "customer_id": visit.job.customer_id,
                "service_type": visit.job.service_type,
                "month": _month(when),
                "state": str(visit.state),
                "method": None if visit.settlement_method is None else str(visit.settlement_method),
                "worker_ids": ";".join(visit.workers) if settled else "",
                **by_kind,
                "revenue": revenue,
                "deposit_applied": visit.deposit_applied,
                "pay": pay,
                "pay_known": known,
                "margin": revenue - pay if known else None,
            }
        )
    frame = pd.DataFrame(rows, columns=_MARGIN_COLUMNS)
    return frame.sort_values("visit_id", kind="stable").reset_index(drop=True)


def money_by_service_month(ledger: Ledger) -> pd.DataFrame:
    """Per month and service type: visits settled, each kind of line, revenue, pay, margin.

    Lines count in their own month, pay in the settlement's month; ``margin`` is revenue
    less pay, and ``visits_without_pay_rate`` says how many settled visits it misses.
    """
    sums: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "visits_settled": 0,
            **{kind: ZERO for kind in MONEY_KINDS},
            "revenue": ZERO,
            "pay": ZERO,
            "visits_without_pay_rate": 0,
        }
    )
    for visit in ledger.visits.values():
        service = visit.job.service_type
        for line in visit.money:
            cell = sums[(_month(line.time), service)]
            cell[line.kind] += line.amount
            cell["revenue"] += line.amount
        if visit.settled_at is not None:
            cell = sums[(_month(visit.settled_at), service)]
            cell["visits_settled"] += 1
            cell["pay"] += money_sum(p.amount for p in visit.pay)
            if not {p.worker_id for p in visit.pay} >= set(visit.workers):
                cell["visits_without_pay_rate"] += 1
    rows = [
        {"month": month, "service_type": service, **cell, "margin": cell["revenue"] - cell["pay"]}
        for (month, service), cell in sorted(sums.items())
    ]
    columns = [
        "month",
        "service_type",
        "visits_settled",
        *MONEY_KINDS,
        "revenue",
        "pay",
        "margin",
        "visits_without_pay_rate",
    ]
    return pd.DataFrame(rows, columns=columns).astype(
        {"visits_settled": "int64", "visits_without_pay_rate": "int64"}
    )


def money_summary(ledger: Ledger) -> dict[str, Decimal]:
    """The money KPIs of the summary: revenue, pay, margin, deposits held, exact."""
    revenue = money_sum(v.net_amount for v in ledger.visits.values())
    pay = money_sum(p.amount for v in ledger.visits.values() for p in v.pay)
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for visit in ledger.visits.values():
        used[visit.job.order_id] += visit.deposit_applied
    held = money_sum(o.deposit_held - used[o.order_id] for o in ledger.orders.values())
    return {"revenue": revenue, "pay": pay, "margin": revenue - pay, "deposits_held": held}
