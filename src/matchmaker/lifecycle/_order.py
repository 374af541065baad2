"""The order entity: a customer's contract, from inquiry to closing.

Its events' payload models are in :mod:`matchmaker.lifecycle._order_schema`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._entity_base import evolve, money_or_none, time_or_none
from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._money_lines import MoneyLine, money_sum
from matchmaker.lifecycle._pricing import PaymentMethod, Quote, QuoteLine
from matchmaker.lifecycle._schedule import Pause, amended, paused, resumed
from matchmaker.lifecycle._states import NEW, ORDER_TABLE, OrderState
from matchmaker.model import LifecycleError

__all__ = ["Order"]


@dataclass(frozen=True, kw_only=True)
class Order:
    """A customer's contract, from inquiry to closing."""

    order_id: str
    state: OrderState
    customer_id: str
    service_type: str
    created_at: datetime
    note: str = ""
    assessment_at: datetime | None = None
    assessed_at: datetime | None = None
    quote: Quote | None = None
    quoted_at: datetime | None = None
    contracted_at: datetime | None = None
    payment_method: PaymentMethod = PaymentMethod.ONLINE
    schedule: Mapping[str, Any] | None = None
    visit_template: Mapping[str, Any] | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    findings: Mapping[str, Any] | None = None
    """What the assessment found (``order_assessed.findings``)."""
    assessment_visit_id: str | None = None
    schedule_revision: int = 0
    """How many times the schedule was amended."""
    schedule_from: date | None = None
    """The day the current (amended) schedule took effect."""
    pauses: tuple[Pause, ...] = ()
    schedule_changed_at: datetime | None = None
    """When the schedule was last paused, resumed or amended (they must come in order)."""
    last_resumed: Pause | None = None
    """The pause the latest ``order_schedule_resumed`` ended, as it was."""
    deposits: tuple[MoneyLine, ...] = ()
    """Deposits paid (positive) and refunded (negative)."""

    @property
    def deposit_held(self) -> Decimal:
        """Deposits paid less deposits refunded (what its settlements may still use)."""
        return money_sum(line.amount for line in self.deposits)

    @classmethod
    def create(cls, event: Event) -> Order:
        state = ORDER_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        return cls(
            order_id=event.entity_id,
            state=OrderState(state),
            customer_id=str(event.payload["customer_id"]),
            service_type=str(event.payload["service_type"]),
            created_at=event.time,
            note=str(event.get("note", "")),
        )

    def apply(self, event: Event) -> Order:
        state = ORDER_TABLE.target(self.state, event.kind, entity_id=self.order_id)
        changes = _ORDER_HANDLERS[event.kind](self, event)
        return evolve(self, state=OrderState(state), **changes)


def _deposit_paid(o: Order, e: Event) -> dict[str, Any]:
    amount = money_or_none(e.get("amount"))
    if amount is None or amount <= 0:
        raise LifecycleError(f"order {o.order_id}: a deposit needs an amount > 0")
    line = MoneyLine(kind="deposit", amount=amount, time=e.time, note=str(e.get("note", "")))
    return {"deposits": (*o.deposits, line)}


def _refunded(o: Order, e: Event) -> dict[str, Any]:
    amount = money_or_none(e.get("amount"))
    if amount is None or amount <= 0:
        raise LifecycleError(f"order {o.order_id}: a refund needs an amount > 0")
    line = MoneyLine(
        kind="deposit_refund", amount=-amount, time=e.time, note=str(e.get("reason", ""))
    )
    return {"deposits": (*o.deposits, line)}


def _quote_from(payload: Mapping[str, Any]) -> Quote | None:
    currency = str(payload.get("currency") or "CNY")
    lines = tuple(
        QuoteLine(
            description=str(line["description"]),
            quantity=Decimal(str(line["quantity"])),
            unit=str(line["unit"]),
            unit_price=Decimal(str(line["unit_price"])),
            amount=Decimal(str(line["amount"])),
            date=None if line.get("date") is None else date.fromisoformat(str(line["date"])),
            visit_id=line.get("visit_id"),
        )
        for line in payload.get("lines") or ()
    )
    total = money_or_none(payload.get("total"))
    if not lines and total is not None:
        lines = (
            QuoteLine(
                description="quoted total",
                quantity=Decimal(1),
                unit="order",
                unit_price=total,
                amount=total,
            ),
        )
    return Quote(lines=lines, currency=currency) if lines else None


_ORDER_HANDLERS: dict[str, Callable[[Order, Event], dict[str, Any]]] = {
    "assessment_scheduled": lambda o, e: {"assessment_at": time_or_none(e.payload["at"])},
    "order_assessed": lambda o, e: {
        "assessed_at": e.time,
        "findings": e.get("findings"),
        "assessment_visit_id": e.get("visit_id"),
    },
    "order_quoted": lambda o, e: {"quote": _quote_from(e.payload), "quoted_at": e.time},
    "order_contracted": lambda o, e: {
        "contracted_at": e.time,
        "payment_method": PaymentMethod(e.get("payment_method") or "online"),
        "schedule": e.get("schedule"),
        "visit_template": e.get("visit"),
    },
    "order_started": lambda o, e: {"started_at": e.time},
    "order_completed": lambda o, e: {"completed_at": e.time},
    "order_closed": lambda o, e: {"closed_at": e.time},
    "order_schedule_paused": lambda o, e: {**paused(o, e), "schedule_changed_at": e.time},
    "order_schedule_resumed": lambda o, e: {**resumed(o, e), "schedule_changed_at": e.time},
    "order_schedule_amended": lambda o, e: {**amended(o, e), "schedule_changed_at": e.time},
    "order_deposit_paid": _deposit_paid,
    "order_refunded": _refunded,
    "order_cancelled": lambda o, e: {
        "cancelled_at": e.time,
        "cancel_reason": str(e.payload["reason"]),
    },
}
