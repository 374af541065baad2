"""Property tests of money: whatever the prices and adjustments, lines add up to totals."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.lifecycle import (
    EventStore,
    Operations,
    OpsPolicy,
    PayPolicy,
    PayRate,
    analytics,
    customer_statement,
    money_by_service_month,
    quote_visit,
    quote_visits,
    visit_margins,
)
from matchmaker.model import LifecycleError
from tests.clock import TZ

from .factory import ev, served, visit, world
from .test_money import BOOK, SCHEDULE

CENTS = st.integers(min_value=0, max_value=1_000_000).map(lambda c: Decimal(c) / 100)
POSITIVE = st.integers(min_value=1, max_value=100_000).map(lambda c: Decimal(c) / 100)
ADJUSTMENT = st.fixed_dictionaries(
    {"reason": st.sampled_from(["discount", "surcharge", "refund"]), "amount": POSITIVE}
)
SIGN = {"discount": -1, "refund": -1, "surcharge": 1}
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def _operations(policy: OpsPolicy | None = None) -> Iterator[Operations]:
    with (
        tempfile.TemporaryDirectory() as folder,
        EventStore(Path(folder) / "ops.db", durable=False) as store,
    ):
        ops = Operations(store, policy or OpsPolicy())
        ops.submit(world())
        yield ops


def _accepted(visit_id: str, start: int, price: Decimal, service: str) -> list[Any]:
    return [
        visit(visit_id, start=start, price=str(price), service_type=service),
        *served(visit_id, "W1", start),
        ev("visit_accepted", visit_id, start + 130),
    ]


@FAST
@given(price=CENTS, adjustments=st.lists(ADJUSTMENT, max_size=4))
def test_settlement_lines_add_up_to_the_amount(
    price: Decimal, adjustments: list[dict[str, Any]]
) -> None:
    """Price plus signed adjustments is the amount, exactly; below zero is refused."""
    expected = price + sum((SIGN[a["reason"]] * a["amount"] for a in adjustments), Decimal(0))
    payload = [{**a, "amount": str(a["amount"])} for a in adjustments]
    with _operations() as ops:
        ops.submit(_accepted("V1", 60, price, "daily_cleaning"))
        settle = ev("visit_settled", "V1", 200, adjustments=payload)
        if expected < 0:
            try:
                ops.submit([settle])
            except LifecycleError as error:
                assert "below 0" in str(error)
            else:
                raise AssertionError("a total below 0 was accepted")
            return
        ops.submit([settle])
        settled = ops.ledger().visits["V1"]
    assert settled.settlement_amount == expected
    assert sum((line.amount for line in settled.money), Decimal(0)) == expected
    assert settled.net_amount == expected


@FAST
@given(
    visits=st.lists(
        st.tuples(
            CENTS,
            CENTS,
            st.sampled_from(["daily_cleaning", "deep_cleaning"]),
            st.integers(0, 40),
            st.sampled_from(["discount", "surcharge", "refund"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_report_statement_and_tables_agree_to_the_cent(
    visits: list[tuple[Decimal, Decimal, str, int, str, bool]],
) -> None:
    """Revenue in the summary = per service and month = per visit = the statements' totals."""
    pay = PayPolicy(services={"daily_cleaning": PayRate(hourly=Decimal("33.33"))})
    with _operations(OpsPolicy(pay=pay)) as ops:
        events: list[Any] = []
        for number, (price, other, service, day, reason, refund) in enumerate(visits):
            visit_id = f"V{number}"
            start = day * 1440 + 60
            events += _accepted(visit_id, start, price, service)
            amount = {"discount": min(price, other), "refund": min(price, other)}.get(
                reason, price + other
            )
            extra = {} if amount == price else {"reason": reason}
            events.append(ev("visit_settled", visit_id, start + 140, amount=str(amount), **extra))
            if refund and amount > 0:
                events.append(ev("visit_refunded", visit_id, start + 200, reason="goodwill"))
        ops.submit(events)
        ledger = ops.ledger()
    as_of = datetime(2027, 3, 1, tzinfo=TZ)
    summary = analytics.report(ledger, OpsPolicy(pay=pay), as_of=as_of).summary
    lines = sum((x.amount for v in ledger.visits.values() for x in v.money), Decimal(0))
    money = money_by_service_month(ledger)
    margins = visit_margins(ledger)
    statements = [customer_statement(ledger, "C1", month).total for month in ("2026-12", "2027-01")]
    assert summary["revenue"] == lines == sum(money["revenue"], Decimal(0))
    assert summary["revenue"] == sum(margins["revenue"], Decimal(0)) == sum(statements)
    assert summary["pay"] == sum(money["pay"], Decimal(0))
    assert summary["margin"] == summary["revenue"] - summary["pay"]
    for row in money.itertuples():
        parts = row.price + row.discount + row.surcharge + row.refund + row.cancellation_fee
        assert parts == row.revenue


@FAST
@given(hours=st.lists(st.integers(1, 12), min_size=14, max_size=14))
def test_a_contracts_visits_add_up_to_its_quote(hours: list[int]) -> None:
    """Each visit is priced from its date's quote lines; together they are the quote total."""
    first = datetime(2026, 12, 14, 9, 0, tzinfo=TZ)
    quotes = [
        quote_visit(
            BOOK, service_type="daily_cleaning", start=first + timedelta(days=i), quantity=h
        )
        for i, h in enumerate(hours)
    ]
    quote = quote_visits(BOOK, quotes)
    with _operations() as ops:
        ops.submit(
            [
                ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
                ev("order_quoted", "O1", 1, **quote.to_payload()),
                ev("order_contracted", "O1", 2, schedule=SCHEDULE, visit={"duration_minutes": 60}),
            ]
        )
        prices = [v.job.price for v in ops.ledger().visits.values()]
    assert len(prices) == 14 and all(p is not None for p in prices)
    assert sum((p for p in prices if p is not None), Decimal(0)) == quote.total
