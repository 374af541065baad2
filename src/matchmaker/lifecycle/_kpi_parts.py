"""What one entity adds to the report's figures: integer counters, summed over the store.

The report's aggregates (:mod:`matchmaker.lifecycle._kpi_report`) are sums over entities:
visits served per service, stars per worker, revenue per service and month... Each entity
(a visit, complaint, order or customer) contributes :func:`parts` to them, a mapping of
``(scope, key, name)`` to an integer that depends on that entity's current state alone.
The store keeps the sums (table ``kpi_counts``, :mod:`matchmaker.lifecycle._views`): when
an event changes an entity, its old parts are taken off and its new parts added, in the
transaction of the append; a rebuild sums the parts of every entity again.

Counters are integers so sums are exact in any database: money is in cents (every amount
of the lifecycle is in cents, :mod:`matchmaker.lifecycle._money_lines`), counts are counts.
What depends on the ops policy (whether a minute late is on time) is kept as a histogram
(``late:<minutes>``) and decided when the report is read. What depends on the report's
instant (which visits are due) is taken off then too, from the visits still to start.

Scopes and keys (``key`` joins its parts with :data:`SEP`):

- ``svc`` / service type: ``n`` visits, ``live`` not cancelled, ``filled``, ``served``
  (not rework), ``rework`` (served with a rework request), ``late:<m>`` (served, not
  rework, by minutes late or ``none``), ``stars_n`` / ``stars_sum`` (each worker's first
  rating of served visits), ``complaints``, ``revenue`` / ``pay`` (cents);
- ``all`` / ``""``: ``ratings_n`` / ``ratings_sum`` (every rating), ``no_shows``,
  ``complaints``, ``revenue``, ``pay``, ``deposit_held``, ``deposit_applied`` (cents);
- ``w`` / worker: ``offers_confirmed``, ``offers_declined``, ``served``, ``late:<m>``,
  ``rework``, ``stars_n``, ``stars_sum`` (served visits, rework visits left out),
  ``no_shows``, ``complaints``, ``upheld``;
- ``money`` / month, service: ``lines``, each kind of money line, ``revenue``,
  ``settled``, ``pay``, ``without_pay_rate``;
- ``rev`` / settlement month, service, method: ``visits``, ``amount``;
- ``prob`` / worker, service, category: ``complaints``, ``upheld``, ``worker_reports``;
- ``cw`` / customer, month, worker and ``cm`` / customer, month: ``rows`` (continuity);
- ``known`` / customer: ``customer`` (1 when workers served the customer before the store).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._complaint import Complaint
from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._money_lines import money_sum
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._states import ComplaintState, VisitState
from matchmaker.lifecycle._visit import Visit
from matchmaker.model import LifecycleError

__all__ = [
    "DUE_NAMES",
    "FILLED",
    "SEP",
    "Part",
    "as_cents",
    "from_cents",
    "joined",
    "late_name",
    "parts",
    "sum_parts",
]

SEP = "\x1f"
"""Joins the parts of a counter's key (ids never hold it)."""

FILLED = frozenset(
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
"""Visit states that count as filled (the fill rate's numerator)."""

Part = tuple[str, str, str]
"""``(scope, key, name)`` of a counter."""

DUE_NAMES = ("live", "filled")
"""The ``svc`` counters that count only the visits starting by the report's instant."""


def joined(*words: str) -> str:
    return SEP.join(words)


def as_cents(amount: Decimal) -> int:
    """``amount`` in integer cents; an amount finer than a cent is an internal error (the
    lifecycle rounds every amount to cents), never silently rounded."""
    scaled = amount.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise LifecycleError(f"amount {amount} is not in cents")
    return int(scaled)


def from_cents(value: int) -> Decimal:
    """Integer cents as an exact Decimal with two places (``0.00`` for 0)."""
    return Decimal(value).scaleb(-2)


def late_name(minutes: int | None) -> str:
    return f"late:{'none' if minutes is None else minutes}"


def _visit(visit: Visit, out: Counter[Part]) -> None:
    service = visit.job.service_type
    month = visit.start.strftime("%Y-%m")
    cancelled = visit.state is VisitState.CANCELLED
    rework_visit = visit.rework_of is not None
    out["svc", service, "n"] += 1
    if not cancelled:
        out["svc", service, "live"] += 1
        out["svc", service, "filled"] += visit.state in FILLED
    if visit.served and not rework_visit:
        out["svc", service, "served"] += 1
        out["svc", service, "rework"] += visit.rework_count > 0
        out["svc", service, late_name(visit.minutes_late)] += 1
    revenue = as_cents(visit.net_amount)
    pay = as_cents(money_sum(p.amount for p in visit.pay))
    out["svc", service, "revenue"] += revenue
    out["svc", service, "pay"] += pay
    out["all", "", "revenue"] += revenue
    out["all", "", "pay"] += pay
    out["all", "", "no_shows"] += len(visit.no_show_workers)
    if visit.job.order_id:
        out["all", "", "deposit_applied"] += as_cents(visit.deposit_applied)
    for rating in visit.ratings:
        out["all", "", "ratings_n"] += 1
        out["all", "", "ratings_sum"] += rating.stars
    for offer in visit.offers:
        if offer.outcome in ("confirmed", "declined"):
            out["w", offer.worker_id, f"offers_{offer.outcome}"] += 1
    for worker_id in visit.no_show_workers:
        out["w", worker_id, "no_shows"] += 1
    if visit.served:
        _assignments(visit, service, month, out)
    for category, _text in visit.issues:
        for worker_id in visit.workers or ("",):
            out["prob", joined(worker_id, service, category), "worker_reports"] += 1
    _money(visit, service, out)


def _assignments(visit: Visit, service: str, month: str, out: Counter[Part]) -> None:
    """A served visit, one row per worker (as the analytics' assignments table)."""
    late = visit.minutes_late if visit.minutes_late is not None else 0
    customer = visit.job.customer_id
    for worker_id in visit.workers:
        stars = [r.stars for r in visit.ratings if r.worker_id == worker_id]
        if stars:
            out["svc", service, "stars_n"] += 1
            out["svc", service, "stars_sum"] += stars[0]
        out["cw", joined(customer, month, worker_id), "rows"] += 1
        out["cm", joined(customer, month), "rows"] += 1
        if visit.rework_of is not None:
            continue
        out["w", worker_id, "served"] += 1
        out["w", worker_id, late_name(late)] += 1
        out["w", worker_id, "rework"] += visit.rework_count > 0
        if stars:
            out["w", worker_id, "stars_n"] += 1
            out["w", worker_id, "stars_sum"] += stars[0]


def _money(visit: Visit, service: str, out: Counter[Part]) -> None:
    for line in visit.money:
        key = joined(line.time.strftime("%Y-%m"), service)
        amount = as_cents(line.amount)
        out["money", key, "lines"] += 1
        out["money", key, line.kind] += amount
        out["money", key, "revenue"] += amount
    if visit.settled_at is not None:
        key = joined(visit.settled_at.strftime("%Y-%m"), service)
        out["money", key, "settled"] += 1
        out["money", key, "pay"] += as_cents(money_sum(p.amount for p in visit.pay))
        out["money", key, "without_pay_rate"] += not (
            {p.worker_id for p in visit.pay} >= set(visit.workers)
        )
        if visit.settlement_method is not None:
            key = joined(visit.settled_at.strftime("%Y-%m"), service, str(visit.settlement_method))
            out["rev", key, "visits"] += 1
            out["rev", key, "amount"] += as_cents(visit.settlement_amount or Decimal(0))


def _complaint(complaint: Complaint, out: Counter[Part]) -> None:
    upheld = complaint.state is ComplaintState.UPHELD
    out["all", "", "complaints"] += 1
    out["svc", complaint.service_type, "complaints"] += 1
    out["w", complaint.worker_id, "complaints"] += 1
    out["w", complaint.worker_id, "upheld"] += upheld
    key = joined(complaint.worker_id, complaint.service_type, complaint.category)
    out["prob", key, "complaints"] += 1
    out["prob", key, "upheld"] += upheld


def parts(entity: Any) -> Counter[Part]:
    """What ``entity`` adds to the report's counters (nothing for a worker or placement:
    the report reads those entities themselves)."""
    out: Counter[Part] = Counter()
    if isinstance(entity, Visit):
        _visit(entity, out)
    elif isinstance(entity, Complaint):
        _complaint(entity, out)
    elif isinstance(entity, Order):
        out["all", "", "deposit_held"] += as_cents(entity.deposit_held)
    elif isinstance(entity, CustomerRecord) and entity.previous_workers:
        out["known", entity.customer_id, "customer"] += 1
    return out


def sum_parts(entities: Iterable[Any]) -> Counter[Part]:
    """The counters of these entities together (a rebuild, or the report of a ledger)."""
    total: Counter[Part] = Counter()
    for entity in entities:
        for part, value in parts(entity).items():
            total[part] += value
    return total
