"""The money policy: what an input event left out about money, filled in and checked.

Before an event is applied, :func:`money_defaults` makes its money explicit, so the stored
event says exactly what was charged and replay needs no policy:

- ``visit_settled``: the amount defaults to the visit's price; an amount that differs
  from the price needs a ``reason`` (``discount``, ``surcharge``, ``refund``), recorded
  as an adjustment line of its own (or give ``adjustments`` yourself); a total below zero
  is refused. The order's deposit pays for it first (``deposit_applied``), and each
  worker's pay is fixed from :class:`~matchmaker.lifecycle.PayPolicy` (``pay``).
- ``visit_cancelled``: a visit cancelled less than ``cancellation_notice_hours`` before
  its start is charged ``cancellation_fee_rate`` of its price (``fee``; give ``"0.00"``
  to waive it). A visit without a price, or one whose worker did not show up, pays none.
- ``visit_refunded``: the amount defaults to all the visit earned, and may not exceed it.
- ``order_deposit_paid``: the amount defaults to ``deposit_rate`` of the quote's total;
  ``order_refunded`` to the deposit still held (paid, less refunds and what settlements
  used).
- ``visit_created`` of an order whose quote has lines for that visit id takes its price
  from them; a recurring contract prices each visit from its date's lines
  (:func:`contract_prices`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._money_lines import (
    ADJUSTMENT_SIGNS,
    ZERO,
    adjustment_lines,
    cents,
    money_sum,
)
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._states import VisitState
from matchmaker.lifecycle._visit import JobSpec, Visit
from matchmaker.model import LifecycleError, elapsed_minutes

__all__ = ["contract_prices", "deposit_balance", "money_defaults"]


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def money_defaults(ledger: Ledger, event: Event, policy: OpsPolicy) -> Event:
    """``event`` with its money filled in from the ledger and the policy, or an error."""
    handler = _HANDLERS.get(event.kind)
    if handler is None:
        return event
    payload = dict(event.payload)
    handler(ledger, event, policy, payload)
    return event if payload == dict(event.payload) else replace(event, payload=payload)


def deposit_balance(ledger: Ledger, order: Order) -> Decimal:
    """The order's deposit still held: paid, less refunded, less what settlements used."""
    if not order.deposits:
        return ZERO
    used = money_sum(
        v.deposit_applied for v in ledger.visits.values() if v.job.order_id == order.order_id
    )
    return order.deposit_held - used


def _visit(ledger: Ledger, event: Event) -> Visit | None:
    return ledger.visits.get(event.entity_id)


def _settled(ledger: Ledger, event: Event, policy: OpsPolicy, p: dict[str, Any]) -> None:
    visit = _visit(ledger, event)
    if visit is None or visit.state is not VisitState.ACCEPTED:
        return  # apply() names the unknown id or the illegal transition
    who = f"visit {visit.visit_id}"
    price = visit.job.price
    amount = _money(p.get("amount"))
    reason = p.get("reason")
    adjustments: list[dict[str, Any]] = [dict(a) for a in p.get("adjustments") or ()]
    if reason is not None and adjustments:
        raise LifecycleError(f"{who}: give a reason or adjustments, not both")
    signed = money_sum(line.amount for line in adjustment_lines(adjustments, event.time))
    if adjustments:
        if amount is None:
            if price is None:
                raise LifecycleError(f"{who}: the visit has no price; give the amount")
            amount = price + signed
        elif price is not None and amount != price + signed:
            raise LifecycleError(
                f"{who}: amount {amount} is not the price {price} with the adjustments "
                f"({signed:+}) = {price + signed}"
            )
    elif price is not None and amount is not None and amount != price:
        difference = amount - price
        if reason is None:
            raise LifecycleError(
                f"{who}: amount {amount} differs from the visit's price {price} by "
                f"{difference:+}; give a reason (discount, surcharge or refund), recorded "
                "as a line of its own, or adjustments"
            )
        if (difference > 0) != (ADJUSTMENT_SIGNS[str(reason)] > 0):
            way = "raises" if ADJUSTMENT_SIGNS[str(reason)] > 0 else "lowers"
            raise LifecycleError(
                f"{who}: a {reason} {way} the amount, but {amount} is "
                f"{'above' if difference > 0 else 'below'} the price {price}"
            )
        adjustments = [
            {"reason": reason, "amount": str(abs(difference)), "note": p.get("note", "")}
        ]
    if amount is None:
        amount = price
    if amount is not None:
        if amount < 0:
            raise LifecycleError(f"{who}: the amount would be {amount}; a total below 0 is refused")
        if price is None and amount - signed < 0:
            raise LifecycleError(f"{who}: the adjustments ({signed:+}) exceed the amount {amount}")
        p["amount"] = str(amount)
    p["adjustments"] = adjustments
    p["price"] = None if price is None else str(price)
    order = ledger.orders.get(visit.job.order_id)
    if p.get("deposit_applied") is None and order is not None and amount is not None:
        held = deposit_balance(ledger, order)
        if held > 0:
            p["deposit_applied"] = str(min(held, amount))
    if p.get("pay") is None:
        p["pay"] = _pay(visit, policy)


def _pay(visit: Visit, policy: OpsPolicy) -> list[dict[str, str]]:
    lines = []
    for worker_id in visit.workers:
        rate = policy.pay.rate(worker_id, visit.job.service_type)
        if rate is None:
            continue
        amount, basis = rate.amount(visit.job.duration_minutes)
        lines.append({"worker_id": worker_id, "amount": str(amount), "basis": basis})
    return lines


def _cancelled(ledger: Ledger, event: Event, policy: OpsPolicy, p: dict[str, Any]) -> None:
    visit = _visit(ledger, event)
    if visit is None or p.get("fee") is not None:
        return
    price = visit.job.price
    notice = elapsed_minutes(event.time, visit.start)
    late = notice < 60 * policy.cancellation_notice_hours
    fee = ZERO
    if price is not None and late and visit.state is not VisitState.NO_SHOW:
        fee = cents(price * policy.cancellation_fee_rate)
    p["fee"] = str(fee)


def _refunded(ledger: Ledger, event: Event, policy: OpsPolicy, p: dict[str, Any]) -> None:
    visit = _visit(ledger, event)
    if visit is not None and p.get("amount") is None:
        p["amount"] = str(visit.net_amount)


def _deposit_paid(ledger: Ledger, event: Event, policy: OpsPolicy, p: dict[str, Any]) -> None:
    order = ledger.orders.get(event.entity_id)
    if order is None:
        return
    if p.get("method") is None:
        p["method"] = str(order.payment_method)
    if p.get("amount") is not None:
        return
    if order.quote is None or policy.deposit_rate <= 0:
        raise LifecycleError(
            f"order {order.order_id}: give the deposit's amount (the policy's deposit_rate "
            f"is {policy.deposit_rate} and the order {'has' if order.quote else 'has no'} quote)"
        )
    p["amount"] = str(cents(order.quote.total * policy.deposit_rate))


def _order_refunded(ledger: Ledger, event: Event, policy: OpsPolicy, p: dict[str, Any]) -> None:
    order = ledger.orders.get(event.entity_id)
    if order is None:
        return
    held = deposit_balance(ledger, order)
    amount = _money(p.get("amount"))
    if amount is None:
        if held <= 0:
            raise LifecycleError(f"order {order.order_id}: no deposit is held to refund")
        p["amount"] = str(held)
    elif amount > held:
        raise LifecycleError(
            f"order {order.order_id}: refund {amount} exceeds the deposit still held, {held}"
        )


def _created(ledger: Ledger, event: Event, policy: OpsPolicy, p: dict[str, Any]) -> None:
    order = ledger.orders.get(str(p.get("order_id") or ""))
    if p.get("price") is not None or order is None or order.quote is None:
        return
    lines = [line for line in order.quote.lines if line.visit_id == event.entity_id]
    if lines:
        p["price"] = str(money_sum(line.amount for line in lines))


_HANDLERS = {
    "visit_settled": _settled,
    "visit_cancelled": _cancelled,
    "visit_refunded": _refunded,
    "order_deposit_paid": _deposit_paid,
    "order_refunded": _order_refunded,
    "visit_created": _created,
}


def contract_prices(order: Order, jobs: Sequence[tuple[str, JobSpec]]) -> list[tuple[str, JobSpec]]:
    """The contract's visits priced from the order's quote lines, surcharges included.

    A quote whose lines name a visit (``visit_id``) or a date prices each visit with the
    lines of its id, else those of its date (in the schedule's timezone): the weekend or
    holiday surcharge of a date reaches that date's visit. Every visit needs lines and
    every such line a visit, so the visits add up to the quoted lines exactly; the
    template may then not carry a price of its own. A quote without such lines leaves the
    template's price.
    """
    if order.quote is None:
        return list(jobs)
    linked = [line for line in order.quote.lines if line.date or line.visit_id]
    if not linked:
        return list(jobs)
    if any(job.price is not None for _, job in jobs):
        raise LifecycleError(
            f"order {order.order_id}: its quote prices each visit (lines with a date or "
            "visit_id); leave the price out of the visit template"
        )
    used: set[int] = set()
    out = []
    for visit_id, job in jobs:
        day = job.earliest_start.date()
        mine = [i for i, line in enumerate(linked) if line.visit_id == visit_id]
        if not mine:
            mine = [
                i
                for i, line in enumerate(linked)
                if line.visit_id is None and line.date == day and i not in used
            ]
        if not mine:
            raise LifecycleError(
                f"order {order.order_id}: the quote has no line for visit {visit_id} on "
                f"{day.isoformat()}; quote every date of the schedule"
            )
        used.update(mine)
        price = money_sum(linked[i].amount for i in mine)
        out.append((visit_id, replace(job, price=price)))
    left = [linked[i] for i in range(len(linked)) if i not in used]
    if left:
        named = ", ".join(f"{line.description!r} ({line.date})" for line in left[:3])
        raise LifecycleError(
            f"order {order.order_id}: {len(left)} quote line(s) price no visit of the "
            f"schedule: {named}"
        )
    return out
