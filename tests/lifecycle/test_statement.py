"""A customer's monthly statement lists every money line in the month it happened."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matchmaker.lifecycle import Operations, customer_statement
from matchmaker.model import LifecycleError

from .factory import ev, served, visit

JANUARY = 45 * 1440  # minutes after T0 (1 December 2026, 08:00) into January 2027


def test_lines_fall_in_their_own_month_and_billing_is_due(ops: Operations) -> None:
    """December has the price and the discount; January the refund, a credit on the bill."""
    ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, total="200.00"),
            ev("order_contracted", "O1", 2, payment_method="monthly_billing"),
            ev("order_started", "O1", 3),
            visit("V1", order_id="O1"),
            *served("V1"),
            ev("visit_accepted", "V1", 190),
            ev("visit_settled", "V1", 200, amount="180.00", reason="discount"),
            ev("visit_refunded", "V1", JANUARY, amount="30.00", reason="stain"),
        ]
    )
    december = customer_statement(ops.ledger(), "C1", "2026-12")
    assert [(x.kind, x.amount) for x in december.lines] == [
        ("price", Decimal("200.00")),
        ("discount", Decimal("-20.00")),
    ]
    assert december.total == december.amount_due == Decimal("180.00")
    assert december.totals() == {"monthly_billing": Decimal("180.00")}
    january = customer_statement(ops.ledger(), "C1", "2027-01")
    assert [(x.kind, x.amount, x.note) for x in january.lines] == [
        ("refund", Decimal("-30.00"), "stain")
    ]
    assert january.amount_due == Decimal("-30.00")


def test_an_online_visit_is_paid_and_not_due(ops: Operations) -> None:
    """Online and cash visits are on the statement but not on the monthly bill."""
    ops.submit(
        [
            visit("V1"),
            *served("V1"),
            ev("visit_accepted", "V1", 190),
            ev("visit_settled", "V1", 200),
        ]
    )
    statement = customer_statement(ops.ledger(), "C1", "2026-12")
    assert statement.total == Decimal("200.00") and statement.amount_due == Decimal("0.00")


def test_a_statement_names_a_bad_month_or_customer(ops: Operations) -> None:
    """An unknown customer or a month not YYYY-MM is an error naming it."""
    with pytest.raises(LifecycleError, match="unknown customer 'C9'"):
        customer_statement(ops.ledger(), "C9", "2026-12")
    with pytest.raises(LifecycleError, match="'2026-13' is not YYYY-MM"):
        customer_statement(ops.ledger(), "C1", "2026-13")
