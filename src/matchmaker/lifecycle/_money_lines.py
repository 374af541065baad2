"""Money on an entity as lines: what the customer is charged or given back, what a worker earns.

Every amount is a :class:`~decimal.Decimal` in cents. A :class:`MoneyLine` is signed from
the company's side: positive is money the customer owes (the visit's price, a surcharge, a
cancellation fee), negative is money given back or not charged (a discount, a refund).
The lines of a visit add up to what it earned, exactly; ``deposit_applied`` (the part of a
settlement paid from the order's deposit) is recorded beside them, since it changes who
pays, not how much.

The entity modules read stored payloads through these functions, so live application and
replay check the same sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from matchmaker.model import LifecycleError

__all__ = [
    "ADJUSTMENT_SIGNS",
    "CENT",
    "ZERO",
    "MoneyLine",
    "PayLine",
    "adjustment_lines",
    "cents",
    "money_sum",
    "pay_lines",
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

ADJUSTMENT_SIGNS: Mapping[str, int] = {"discount": -1, "refund": -1, "surcharge": 1}
"""The reasons an amount may differ from the price, and which way each moves it."""


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half up to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_sum(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``amounts`` (``0.00`` for none)."""
    return sum(amounts, ZERO)


@dataclass(frozen=True, kw_only=True, slots=True)
class MoneyLine:
    """One line of money on a visit or an order, signed from the company's side."""

    kind: str
    """``price``, ``discount``, ``surcharge``, ``refund``, ``cancellation_fee``,
    ``deposit`` or ``deposit_refund``."""
    amount: Decimal
    time: datetime
    note: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "amount": str(self.amount),
            "time": self.time.isoformat(),
            "note": self.note,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class PayLine:
    """What one worker earns for one visit, and on what basis."""

    worker_id: str
    amount: Decimal
    basis: str
    """``per_visit`` or ``hourly`` (rate x the visit's planned hours)."""


def adjustment_lines(adjustments: Sequence[Mapping[str, Any]], time: datetime) -> list[MoneyLine]:
    """Stored ``adjustments`` (reason, positive amount, note) as signed lines."""
    lines = []
    for item in adjustments:
        reason = str(item["reason"])
        if reason not in ADJUSTMENT_SIGNS:
            raise LifecycleError(
                f"adjustment reason {reason!r} is not one of {', '.join(ADJUSTMENT_SIGNS)}"
            )
        amount = Decimal(str(item["amount"]))
        if amount <= 0:
            raise LifecycleError(f"a {reason} adjustment must be > 0, got {amount}")
        lines.append(
            MoneyLine(
                kind=reason,
                amount=ADJUSTMENT_SIGNS[reason] * amount,
                time=time,
                note=str(item.get("note") or ""),
            )
        )
    return lines


def pay_lines(items: Sequence[Mapping[str, Any]] | None) -> tuple[PayLine, ...]:
    """Stored ``pay`` entries as :class:`PayLine`."""
    return tuple(
        PayLine(
            worker_id=str(item["worker_id"]),
            amount=Decimal(str(item["amount"])),
            basis=str(item.get("basis") or "per_visit"),
        )
        for item in items or ()
    )
