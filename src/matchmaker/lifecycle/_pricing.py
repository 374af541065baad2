"""Quotes and settlement: a price book per service type, quotes in ``Decimal``, statements.

A :class:`ServicePrice` charges ``quantity x unit_price`` (unit: hour, visit, square metre or
day), at least ``minimum_charge``. On top of that base, each surcharge is a fraction of the
base: one line per extra worker (``extra_worker_rate``), then weekend *or* public holiday
(the higher of the two applies, they do not stack), then urgent (booked less than
``urgent_hours`` before the start). Every line is rounded to cents (half up) and the total
is the sum of the lines, so a printed quote always adds up.

Settlement methods: ``online`` and ``cash`` are paid at settlement; ``monthly_billing``
puts the visit on the customer's monthly statement, due at the end of the month.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matchmaker.model import LifecycleError, PolicyError, elapsed_minutes

__all__ = [
    "PaymentMethod",
    "PriceBook",
    "PriceUnit",
    "Quote",
    "QuoteLine",
    "ServicePrice",
    "Settlement",
    "Statement",
    "load_price_book",
    "monthly_statement",
    "quote_visit",
    "quote_visits",
]

CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class PriceUnit(enum.StrEnum):
    HOUR = "hour"
    VISIT = "visit"
    SQUARE_METRE = "square_metre"
    DAY = "day"


class PaymentMethod(enum.StrEnum):
    ONLINE = "online"
    CASH = "cash"
    MONTHLY_BILLING = "monthly_billing"


@dataclass(frozen=True, kw_only=True, slots=True)
class ServicePrice:
    """How one service type is priced; surcharges are fractions of the base (0.2 = +20%)."""

    service_type: str
    unit: PriceUnit
    unit_price: Decimal
    minimum_charge: Decimal = Decimal(0)
    weekend_rate: Decimal = Decimal(0)
    holiday_rate: Decimal = Decimal(0)
    urgent_rate: Decimal = Decimal(0)
    urgent_hours: int = 24
    extra_worker_rate: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        for name in (
            "unit_price",
            "minimum_charge",
            "weekend_rate",
            "holiday_rate",
            "urgent_rate",
            "extra_worker_rate",
        ):
            if getattr(self, name) < 0:
                raise LifecycleError(f"price of {self.service_type}: {name} must be >= 0")


@dataclass(frozen=True, kw_only=True)
class PriceBook:
    """Prices by service type, and the public holidays that carry the holiday surcharge."""

    prices: Mapping[str, ServicePrice]
    public_holidays: frozenset[date] = frozenset()
    currency: str = "CNY"

    def __post_init__(self) -> None:
        object.__setattr__(self, "prices", MappingProxyType(dict(self.prices)))

    def price(self, service_type: str) -> ServicePrice:
        try:
            return self.prices[service_type]
        except KeyError:
            known = ", ".join(sorted(self.prices)) or "none"
            raise LifecycleError(
                f"no price for service type {service_type!r}; the price book has: {known}"
            ) from None


@dataclass(frozen=True, kw_only=True, slots=True)
class QuoteLine:
    """One line of a quote; ``date`` and ``visit_id`` say which visit it prices (a
    contract takes each visit's price from its lines, surcharges included)."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    date: date | None = None
    visit_id: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {
            "description": self.description,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "unit_price": str(self.unit_price),
            "amount": str(self.amount),
        }
        if self.date is not None:
            out["date"] = self.date.isoformat()
        if self.visit_id is not None:
            out["visit_id"] = self.visit_id
        return out


@dataclass(frozen=True, kw_only=True, slots=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    currency: str = "CNY"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def to_payload(self) -> dict[str, Any]:
        """The ``order_quoted`` event payload for this quote."""
        return {
            "lines": [line.to_json() for line in self.lines],
            "total": str(self.total),
            "currency": self.currency,
        }


def quote_visit(
    book: PriceBook,
    *,
    service_type: str,
    start: datetime,
    quantity: Decimal | int | float,
    workers: int = 1,
    booked_at: datetime | None = None,
    label: str = "",
    visit_id: str | None = None,
) -> Quote:
    """The quote of one visit: base, extra workers, weekend or holiday, urgent surcharge.

    ``quantity`` is in the service's unit (hours, visits, square metres or days).
    ``booked_at`` (when the customer ordered) decides the urgent surcharge. Every line
    carries the visit's date (of ``start`` in its own offset) and ``visit_id``, so a
    contract can give each visit the price of its own lines.
    """
    price = book.price(service_type)
    amount_of = Decimal(str(quantity))
    if amount_of <= 0:
        raise LifecycleError(f"quantity must be > 0, got {quantity}")
    if workers < 1:
        raise LifecycleError(f"workers must be >= 1, got {workers}")
    prefix = f"{label}: " if label else ""
    base = _money(max(amount_of * price.unit_price, price.minimum_charge))
    lines = [
        QuoteLine(
            description=f"{prefix}{service_type} {start.date().isoformat()}",
            quantity=amount_of,
            unit=str(price.unit),
            unit_price=price.unit_price,
            amount=base,
        )
    ]
    if workers > 1:
        lines.append(
            _surcharge(f"{prefix}extra worker", workers - 1, base * price.extra_worker_rate)
        )
    crew_base = base + (base * price.extra_worker_rate * (workers - 1))
    day_rate, day_name = _day_rate(book, price, start.date())
    if day_rate > 0:
        lines.append(_surcharge(f"{prefix}{day_name} surcharge", 1, crew_base * day_rate))
    urgent = booked_at is not None and elapsed_minutes(booked_at, start) < 60 * price.urgent_hours
    if urgent and price.urgent_rate > 0:
        lines.append(_surcharge(f"{prefix}urgent surcharge", 1, crew_base * price.urgent_rate))
    dated = (replace(line, date=start.date(), visit_id=visit_id) for line in lines)
    return Quote(lines=tuple(dated), currency=book.currency)


def _day_rate(book: PriceBook, price: ServicePrice, day: date) -> tuple[Decimal, str]:
    # A holiday that falls on a weekend pays the higher rate once, not both.
    candidates = []
    if day in book.public_holidays:
        candidates.append((price.holiday_rate, "public holiday"))
    if day.weekday() >= 5:
        candidates.append((price.weekend_rate, "weekend"))
    if not candidates:
        return Decimal(0), ""
    return max(candidates, key=lambda item: item[0])


def _surcharge(description: str, count: int, unit_amount: Decimal) -> QuoteLine:
    unit_price = _money(unit_amount)
    return QuoteLine(
        description=description,
        quantity=Decimal(count),
        unit="each",
        unit_price=unit_price,
        amount=_money(unit_price * count),
    )


def quote_visits(book: PriceBook, quotes: Iterable[Quote]) -> Quote:
    """One quote holding the lines of several visit quotes (an order's quote)."""
    lines: list[QuoteLine] = []
    for quote in quotes:
        lines.extend(quote.lines)
    return Quote(lines=tuple(lines), currency=book.currency)


# --- loading a price book -----------------------------------------------------------------


class _PriceModel(BaseModel):
    # Built when a price book is loaded, not when a command that never prices starts.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    unit: PriceUnit
    unit_price: Decimal = Field(ge=0)
    minimum_charge: Decimal = Field(Decimal(0), ge=0)
    weekend_rate: Decimal = Field(Decimal(0), ge=0)
    holiday_rate: Decimal = Field(Decimal(0), ge=0)
    urgent_rate: Decimal = Field(Decimal(0), ge=0)
    urgent_hours: int = Field(24, ge=0)
    extra_worker_rate: Decimal = Field(Decimal(1), ge=0)


class _PriceBookModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    currency: str = "CNY"
    public_holidays: list[date] = Field(default_factory=list)
    services: dict[str, _PriceModel]


def load_price_book(path: Path) -> PriceBook:
    """Read a price book from TOML: ``currency``, ``public_holidays`` and ``[services.<type>]``.

    Example::

        public_holidays = [2026-10-01]
        [services.daily_cleaning]
        unit = "hour"
        unit_price = "45.00"
        minimum_charge = "90.00"
        weekend_rate = "0.2"
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        model = _PriceBookModel.model_validate(data)
    except FileNotFoundError:
        raise PolicyError(f"{path}: price book not found") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML: {error}") from None
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise PolicyError(f"{path}: invalid price book: {details}") from None
    prices = {
        name: ServicePrice(service_type=name, **item.model_dump())
        for name, item in model.services.items()
    }
    return PriceBook(
        prices=prices, public_holidays=frozenset(model.public_holidays), currency=model.currency
    )


# --- settlement and statements ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Settlement:
    """One settled visit: how much, how, and when."""

    visit_id: str
    customer_id: str
    service_type: str
    method: PaymentMethod
    amount: Decimal
    settled_at: datetime
    visit_start: datetime


@dataclass(frozen=True, kw_only=True)
class Statement:
    """A customer's monthly statement: every visit settled in the month, by method.

    ``amount_due`` is what the customer owes for the month: the monthly-billing visits
    (online and cash were paid when they were settled).
    """

    customer_id: str
    month: str
    lines: tuple[Settlement, ...]
    totals: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def amount_due(self) -> Decimal:
        return self.totals.get(PaymentMethod.MONTHLY_BILLING.value, Decimal("0.00"))


def monthly_statement(
    settlements: Iterable[Settlement], *, customer_id: str, month: str
) -> Statement:
    """The statement of ``customer_id`` for ``month`` (``YYYY-MM``, by the settlement date)."""
    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise LifecycleError(f"month {month!r} is not YYYY-MM") from None
    lines = sorted(
        (
            s
            for s in settlements
            if s.customer_id == customer_id and s.settled_at.strftime("%Y-%m") == month
        ),
        key=lambda s: (s.settled_at, s.visit_id),
    )
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.method.value] = totals.get(line.method.value, Decimal("0.00")) + line.amount
    return Statement(customer_id=customer_id, month=month, lines=tuple(lines), totals=totals)
