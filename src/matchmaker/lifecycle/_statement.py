"""A customer's monthly statement with every money line: prices, adjustments, refunds,
cancellation fees and deposits, exact.

Lines fall in the month they happened (a settlement's lines in its month, a refund in
its own). ``amount_due`` is what the monthly bill asks: the lines of the customer's
``monthly_billing`` visits less the part their settlements took from a deposit (online
and cash visits were paid when settled). Deposits paid and refunded are listed too; they
are money held for an order, not revenue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._money_lines import ZERO, money_sum
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._pricing import PaymentMethod
from matchmaker.lifecycle._visit import Visit
from matchmaker.model import LifecycleError

__all__ = [
    "CustomerStatement",
    "StatementLine",
    "check_month",
    "customer_statement",
    "statement_of",
    "unknown_customer",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class StatementLine:
    time: datetime
    visit_id: str
    order_id: str
    service_type: str
    kind: str
    method: str
    amount: Decimal
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CustomerStatement:
    customer_id: str
    month: str
    lines: tuple[StatementLine, ...]
    deposit_applied: Decimal
    amount_due: Decimal

    @property
    def total(self) -> Decimal:
        """What the month's visits earned: every line but deposits."""
        return money_sum(x.amount for x in self.lines if not x.kind.startswith("deposit"))

    def totals(self) -> dict[str, Decimal]:
        """The month's visit lines per payment method."""
        out: dict[str, Decimal] = {}
        for line in self.lines:
            if not line.kind.startswith("deposit"):
                out[line.method] = out.get(line.method, ZERO) + line.amount
        return out


def check_month(month: str) -> None:
    """Refuse a month that is not ``YYYY-MM``."""
    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise LifecycleError(f"month {month!r} is not YYYY-MM") from None


def unknown_customer(customer_id: str) -> LifecycleError:
    return LifecycleError(f"unknown customer {customer_id!r}")


def customer_statement(ledger: Ledger, customer_id: str, month: str) -> CustomerStatement:
    """The statement of ``customer_id`` for ``month`` (``YYYY-MM``)."""
    check_month(month)
    if customer_id not in ledger.customers:
        raise unknown_customer(customer_id)
    visits = [v for v in ledger.visits.values() if v.job.customer_id == customer_id]
    return statement_of(customer_id, month, visits, ledger.orders)


def statement_of(
    customer_id: str, month: str, visits: Iterable[Visit], orders: Mapping[str, Order]
) -> CustomerStatement:
    """The statement from the customer's ``visits`` and ``orders`` (holding at least the
    customer's orders and those of its visits)."""
    lines: list[StatementLine] = []
    applied = ZERO
    due = ZERO
    billing = PaymentMethod.MONTHLY_BILLING.value
    for visit in visits:
        if not visit.money:
            continue
        order = orders.get(visit.job.order_id)
        method = str(visit.settlement_method or (order.payment_method if order else "online"))
        for line in visit.money:
            if line.time.strftime("%Y-%m") != month:
                continue
            lines.append(
                StatementLine(
                    time=line.time,
                    visit_id=visit.visit_id,
                    order_id=visit.job.order_id,
                    service_type=visit.job.service_type,
                    kind=line.kind,
                    method=method,
                    amount=line.amount,
                    note=line.note,
                )
            )
            if method == billing:
                due += line.amount
        if visit.settled_at is not None and visit.settled_at.strftime("%Y-%m") == month:
            applied += visit.deposit_applied
            if method == billing:
                due -= visit.deposit_applied
    for order in orders.values():
        if order.customer_id != customer_id:
            continue
        for line in order.deposits:
            if line.time.strftime("%Y-%m") == month:
                lines.append(
                    StatementLine(
                        time=line.time,
                        visit_id="",
                        order_id=order.order_id,
                        service_type=order.service_type,
                        kind=line.kind,
                        method=str(order.payment_method),
                        amount=line.amount,
                        note=line.note,
                    )
                )
    lines.sort(key=lambda x: (x.time, x.visit_id, x.order_id))
    return CustomerStatement(
        customer_id=customer_id,
        month=month,
        lines=tuple(lines),
        deposit_applied=applied,
        amount_due=due,
    )
