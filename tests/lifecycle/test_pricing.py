"""Quotes in Decimal from a price book, and monthly statements."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from matchmaker.lifecycle import (
    Operations,
    PaymentMethod,
    PriceBook,
    PriceUnit,
    ServicePrice,
    analytics,
    load_price_book,
    monthly_statement,
    quote_visit,
    quote_visits,
)
from matchmaker.model import LifecycleError, PolicyError
from tests.clock import TZ

from .factory import ev, served, visit

BOOK = PriceBook(
    prices={
        "daily_cleaning": ServicePrice(
            service_type="daily_cleaning",
            unit=PriceUnit.HOUR,
            unit_price=Decimal("45.00"),
            minimum_charge=Decimal("90.00"),
            weekend_rate=Decimal("0.2"),
            holiday_rate=Decimal("0.5"),
            urgent_rate=Decimal("0.3"),
            extra_worker_rate=Decimal("0.9"),
        ),
        "deep_cleaning": ServicePrice(
            service_type="deep_cleaning",
            unit=PriceUnit.SQUARE_METRE,
            unit_price=Decimal("8.50"),
        ),
    },
    public_holidays=frozenset({date(2026, 12, 26)}),
)
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=TZ)
HOLIDAY_SATURDAY = datetime(2026, 12, 26, 9, 0, tzinfo=TZ)


def test_base_price_and_minimum_charge() -> None:
    """quantity x unit price, but never below the minimum charge."""
    short = quote_visit(BOOK, service_type="daily_cleaning", start=TUESDAY, quantity=1)
    assert short.total == Decimal("90.00")
    long = quote_visit(BOOK, service_type="daily_cleaning", start=TUESDAY, quantity=3)
    assert long.total == Decimal("135.00")
    assert [line.amount for line in long.lines] == [Decimal("135.00")]


def test_surcharges_are_lines_of_their_own() -> None:
    """Extra worker, weekend and urgent each add a line; the total is their sum."""
    quote = quote_visit(
        BOOK,
        service_type="daily_cleaning",
        start=SATURDAY,
        quantity=3,
        workers=2,
        booked_at=SATURDAY - timedelta(hours=5),
    )
    amounts = {line.description: line.amount for line in quote.lines}
    assert amounts["extra worker"] == Decimal("121.50")
    crew = Decimal("135.00") + Decimal("121.50")
    assert amounts["weekend surcharge"] == (crew * Decimal("0.2")).quantize(Decimal("0.01"))
    assert amounts["urgent surcharge"] == (crew * Decimal("0.3")).quantize(Decimal("0.01"))
    assert quote.total == sum(amounts.values())
    assert all(isinstance(line.amount, Decimal) for line in quote.lines)


def test_holiday_on_a_weekend_pays_the_higher_rate_once() -> None:
    """Holiday and weekend surcharges do not stack."""
    quote = quote_visit(BOOK, service_type="daily_cleaning", start=HOLIDAY_SATURDAY, quantity=2)
    surcharges = [line for line in quote.lines if "surcharge" in line.description]
    assert [line.description for line in surcharges] == ["public holiday surcharge"]
    assert surcharges[0].amount == Decimal("45.00")


def test_booking_a_day_ahead_is_not_urgent() -> None:
    """The urgent surcharge applies only under 24 hours before the start."""
    quote = quote_visit(
        BOOK,
        service_type="daily_cleaning",
        start=TUESDAY,
        quantity=2,
        booked_at=TUESDAY - timedelta(hours=30),
    )
    assert not any("urgent" in line.description for line in quote.lines)


def test_area_pricing_and_half_up_rounding() -> None:
    """Square-metre pricing rounds each line to cents, half up."""
    quote = quote_visit(BOOK, service_type="deep_cleaning", start=TUESDAY, quantity="80.57")
    assert quote.total == Decimal("684.85")  # 684.845, half up (half even gives .84)
    assert quote.lines[0].unit == "square_metre"


def test_order_quote_sums_visit_quotes_and_fits_the_event() -> None:
    """An order's quote holds every visit's lines; its payload validates as order_quoted."""
    quotes = [
        quote_visit(
            BOOK,
            service_type="daily_cleaning",
            start=TUESDAY + timedelta(days=d),
            quantity=2,
            label=f"visit {d + 1}",
        )
        for d in range(4)
    ]
    order = quote_visits(BOOK, quotes)
    assert order.total == sum(q.total for q in quotes)
    event = ev("order_quoted", "O1", **order.to_payload())
    assert event.payload["total"] == str(order.total)


def test_unknown_service_type_is_a_clear_error() -> None:
    """Quoting a service the book does not price names the ones it does."""
    with pytest.raises(LifecycleError, match="daily_cleaning, deep_cleaning"):
        quote_visit(BOOK, service_type="nanny", start=TUESDAY, quantity=1)


def test_price_book_loads_from_toml(tmp_path: Path) -> None:
    """A TOML price book gives the same quotes; unknown keys are refused."""
    path = tmp_path / "prices.toml"
    path.write_text(
        'public_holidays = [2026-12-26]\n[services.daily_cleaning]\nunit = "hour"\n'
        'unit_price = "45.00"\nminimum_charge = "90.00"\nholiday_rate = "0.5"\n'
    )
    book = load_price_book(path)
    quote = quote_visit(book, service_type="daily_cleaning", start=HOLIDAY_SATURDAY, quantity=2)
    assert quote.total == Decimal("135.00")
    path.write_text('[services.x]\nunit = "hour"\nunit_price = "1"\nsurcharge = "2"\n')
    with pytest.raises(PolicyError, match="surcharge"):
        load_price_book(path)


def test_monthly_statement(ops: Operations) -> None:
    """A statement lists the month's settled visits; monthly billing is what is due."""
    events = []
    for number, (method, day) in enumerate(
        [("monthly_billing", 0), ("cash", 1), ("monthly_billing", 2), ("online", 40)], start=1
    ):
        visit_id = f"V{number}"
        start = day * 1440 + 60
        events += [
            visit(visit_id, start=start),
            *served(visit_id, "W1", start),
            ev("visit_accepted", visit_id, start + 130),
            ev("visit_settled", visit_id, start + 140, method=method),
        ]
    ops.submit(events)
    statement = monthly_statement(
        analytics.settlements(ops.ledger()), customer_id="C1", month="2026-12"
    )
    assert [line.visit_id for line in statement.lines] == ["V1", "V2", "V3"]
    assert statement.total == Decimal("600.00")
    assert statement.amount_due == Decimal("400.00")
    assert statement.totals[PaymentMethod.CASH.value] == Decimal("200.00")
    with pytest.raises(LifecycleError, match="YYYY-MM"):
        monthly_statement([], customer_id="C1", month="December")
