"""Money is exact and checked: prices, adjustments, refunds, fees, deposits, pay, margins."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from matchmaker.lifecycle import (
    EventStore,
    Ledger,
    Operations,
    OpsPolicy,
    PayPolicy,
    PayRate,
    PriceBook,
    PriceUnit,
    ServicePrice,
    WorkerPay,
    analytics,
    customer_statement,
    load_ops_policy,
    money_by_service_month,
    quote_visit,
    quote_visits,
    visit_margins,
)
from matchmaker.model import LifecycleError
from tests.clock import TZ

from .factory import ev, served, visit, world


def _accepted(visit_id: str, start: float = 60, worker_id: str = "W1", **extra: Any) -> list[Any]:
    return [
        visit(visit_id, start=start, **extra),
        *served(visit_id, worker_id, start),
        ev("visit_accepted", visit_id, start + 130),
    ]


def _policy(**fields: Any) -> OpsPolicy:
    return OpsPolicy.model_validate(fields)


def _ops(store: EventStore, policy: OpsPolicy) -> Operations:
    ops = Operations(store, policy)
    ops.submit(world())
    return ops


# --- refusing what cannot be right -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("visit_created", {"price": "-50.00"}),
        ("order_quoted", {"total": "-1.00"}),
        ("order_quoted", {"lines": [{"description": "x", "amount": "-5.00"}]}),
        ("order_quoted", {"lines": [{"description": "x", "unit_price": "-5", "amount": "5"}]}),
        ("visit_settled", {"amount": "-1.00"}),
        ("visit_cancelled", {"reason": "x", "fee": "-1.00"}),
    ],
)
def test_negative_prices_and_totals_are_refused(kind: str, payload: dict[str, Any]) -> None:
    """A negative price, quote line, quote total, settlement or fee fails validation."""
    base = visit("V1").payload if kind == "visit_created" else {}
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        ev(kind, "X1", **{**base, **payload})


def test_an_amount_different_from_the_price_needs_a_reason(ops: Operations) -> None:
    """999.99 for a 100.00 visit is refused without a reason, naming both and the gap."""
    ops.submit(_accepted("V1", price="100.00"))
    with pytest.raises(LifecycleError) as caught:
        ops.submit([ev("visit_settled", "V1", 200, amount="999.99")])
    message = str(caught.value)
    assert "999.99" in message and "100.00" in message and "+899.99" in message
    assert "discount, surcharge or refund" in message
    with pytest.raises(LifecycleError, match="a discount lowers the amount"):
        ops.submit([ev("visit_settled", "V1", 200, amount="999.99", reason="discount")])
    assert ops.ledger().visits["V1"].settled_at is None


def test_a_reason_records_the_difference_as_its_own_line(ops: Operations) -> None:
    """A surcharge or discount given as a reason becomes a line; lines add up to the amount."""
    ops.submit(_accepted("V1", price="100.00"))
    ops.submit([ev("visit_settled", "V1", 200, amount="120.50", reason="surcharge", note="stairs")])
    visit_ = ops.ledger().visits["V1"]
    assert [(x.kind, x.amount, x.note) for x in visit_.money] == [
        ("price", Decimal("100.00"), ""),
        ("surcharge", Decimal("20.50"), "stairs"),
    ]
    assert visit_.net_amount == visit_.settlement_amount == Decimal("120.50")


def test_adjustments_give_the_amount_and_must_agree_with_one(ops: Operations) -> None:
    """Adjustments alone give the amount; an amount that disagrees with them is refused."""
    ops.submit([*_accepted("V1"), *_accepted("V2", start=600)])
    adjustments = [
        {"reason": "discount", "amount": "20.00", "note": "loyal"},
        {"reason": "surcharge", "amount": "5.25"},
    ]
    ops.submit([ev("visit_settled", "V1", 200, adjustments=adjustments)])
    assert ops.ledger().visits["V1"].settlement_amount == Decimal("185.25")
    with pytest.raises(LifecycleError, match=r"is not the price 200\.00 with the adjustments"):
        ops.submit([ev("visit_settled", "V2", 800, amount="190.00", adjustments=adjustments)])


def test_a_discount_below_zero_is_refused(ops: Operations) -> None:
    """A discount larger than the price would make a total below 0: refused."""
    ops.submit(_accepted("V1", price="50.00"))
    with pytest.raises(LifecycleError, match="below 0"):
        ops.submit(
            [ev("visit_settled", "V1", 200, adjustments=[{"reason": "discount", "amount": "60"}])]
        )


def test_a_refund_is_a_line_and_cannot_exceed_what_was_earned(ops: Operations) -> None:
    """visit_refunded adds a negative line in its month; more than earned is refused."""
    ops.submit([*_accepted("V1"), ev("visit_settled", "V1", 200)])
    with pytest.raises(LifecycleError, match=r"exceeds what the visit earned, 200\.00"):
        ops.submit([ev("visit_refunded", "V1", 300, amount="200.01", reason="vase")])
    ops.submit([ev("visit_refunded", "V1", 300, amount="30.00", reason="vase")])
    visit_ = ops.ledger().visits["V1"]
    assert visit_.net_amount == Decimal("170.00")
    assert analytics.report(ops.ledger(), ops.policy, as_of=visit_.start).summary[
        "revenue"
    ] == Decimal("170.00")


# --- cancellation fees and deposits -----------------------------------------------------------


def test_a_late_cancellation_pays_the_policy_fee(store: EventStore) -> None:
    """Cancelled under the notice: the fee rate of the price; early or waived: none."""
    ops = _ops(store, _policy(cancellation_notice_hours=24, cancellation_fee_rate="0.5"))
    ops.submit([visit("V1", start=600), visit("V2", start=3000), visit("V3", start=600)])
    ops.submit(
        [
            ev("visit_cancelled", "V1", 0, reason="away"),  # 10 hours before: late
            ev("visit_cancelled", "V2", 0, reason="away"),  # 50 hours before: in time
            ev("visit_cancelled", "V3", 0, reason="our fault", fee="0.00"),
        ]
    )
    visits = ops.ledger().visits
    assert [(x.kind, x.amount) for x in visits["V1"].money] == [
        ("cancellation_fee", Decimal("100.00"))
    ]
    assert visits["V2"].money == () and visits["V3"].money == ()


def test_default_policy_charges_no_cancellation_fee(ops: Operations) -> None:
    """Without a configured fee rate nothing is charged, however late."""
    ops.submit([visit("V1", start=60), ev("visit_cancelled", "V1", 0, reason="away")])
    assert ops.ledger().visits["V1"].money == ()


def _order_with_deposit(ops: Operations) -> None:
    ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, total="1000.00"),
            ev("order_contracted", "O1", 2, payment_method="monthly_billing"),
            ev("order_deposit_paid", "O1", 3),
            ev("order_started", "O1", 4),
        ]
    )


def test_a_deposit_pays_the_first_settlements_and_the_rest_is_refunded(
    store: EventStore,
) -> None:
    """Deposit = rate x quote; settlements use it first; a refund returns what is left."""
    ops = _ops(store, _policy(deposit_rate="0.15"))
    _order_with_deposit(ops)
    assert ops.ledger().orders["O1"].deposit_held == Decimal("150.00")
    # Both visits exist before the first is settled: the order completes with its last.
    ops.submit([*_accepted("V1", order_id="O1"), *_accepted("V2", start=600, order_id="O1")])
    ops.submit([ev("visit_settled", "V1", 200)])
    ops.submit([ev("visit_settled", "V2", 800)])
    visits = ops.ledger().visits
    assert visits["V1"].deposit_applied == Decimal("150.00")
    assert visits["V2"].deposit_applied == Decimal("0.00")
    with pytest.raises(LifecycleError, match="no deposit is held"):
        ops.submit([ev("order_refunded", "O1", 900)])
    statement = customer_statement(ops.ledger(), "C1", "2026-12")
    assert statement.amount_due == Decimal("250.00")  # 400.00 billed - 150.00 deposit
    assert [x.kind for x in statement.lines].count("deposit") == 1
    # The read models keep deposits and money lines exactly as a full replay has them.
    assert ops.ledger().snapshot() == Ledger.replay(store.read()).snapshot()


def test_a_cancelled_order_refunds_its_deposit_less_nothing_more(store: EventStore) -> None:
    """A refund may return the deposit held, not more."""
    ops = _ops(store, _policy(deposit_rate="0.2"))
    _order_with_deposit(ops)
    ops.submit([ev("order_cancelled", "O1", 10, reason="moved")])
    with pytest.raises(LifecycleError, match=r"exceeds the deposit still held, 200\.00"):
        ops.submit([ev("order_refunded", "O1", 11, amount="250.00")])
    ops.submit([ev("order_refunded", "O1", 11, reason="cancelled in time")])
    assert ops.ledger().orders["O1"].deposit_held == Decimal("0.00")
    summary = analytics.report(ops.ledger(), ops.policy, as_of=datetime.now(TZ)).summary
    assert summary["deposits_held"] == Decimal("0.00") and summary["revenue"] == Decimal("0.00")


def test_a_deposit_needs_an_amount_without_a_rate(ops: Operations) -> None:
    """No deposit rate in the policy: the deposit's amount must be given."""
    with pytest.raises(LifecycleError, match="give the deposit's amount"):
        _order_with_deposit(ops)


# --- pay and margin -----------------------------------------------------------------------


PAY = PayPolicy(
    services={"daily_cleaning": PayRate(hourly=Decimal("30.00"))},
    workers={
        "W2": WorkerPay(default=PayRate(per_visit=Decimal("90.00"))),
        "W3": WorkerPay(services={"deep_cleaning": PayRate(per_visit=Decimal("150.00"))}),
    },
)


def test_pay_is_fixed_at_settlement_by_the_most_specific_rate(store: EventStore) -> None:
    """Worker-and-service beats worker beats service; hourly pays the planned hours."""
    ops = _ops(store, OpsPolicy(pay=PAY))
    ops.submit(
        [
            *_accepted("V1", worker_id="W1"),
            *_accepted("V2", start=600, worker_id="W2"),
            *_accepted("V3", start=1200, worker_id="W3", service_type="deep_cleaning"),
            *_accepted("V4", start=1800, worker_id="W4", service_type="nanny"),
        ]
    )
    ops.submit([ev("visit_settled", v, 2100) for v in ("V1", "V2", "V3", "V4")])
    visits = ops.ledger().visits
    assert [(p.worker_id, p.amount, p.basis) for p in visits["V1"].pay] == [
        ("W1", Decimal("60.00"), "hourly")
    ]
    assert visits["V2"].pay[0].amount == Decimal("90.00")
    assert visits["V3"].pay[0].amount == Decimal("150.00")
    assert visits["V4"].pay == ()
    margins = visit_margins(ops.ledger()).set_index("visit_id")
    assert margins.loc["V1", "margin"] == Decimal("140.00")
    assert margins.loc["V3", "margin"] == Decimal("50.00")
    assert margins.loc["V4", "margin"] is None and not margins.loc["V4", "pay_known"]
    table = money_by_service_month(ops.ledger()).set_index(["month", "service_type"])
    row = table.loc[("2026-12", "daily_cleaning")]
    assert row["revenue"] == Decimal("400.00") and row["pay"] == Decimal("150.00")
    assert row["margin"] == Decimal("250.00") and row["visits_settled"] == 2
    assert table.loc[("2026-12", "nanny"), "visits_without_pay_rate"] == 1
    services = analytics.service_kpis(ops.ledger(), ops.policy).set_index("service_type")
    assert services.loc["daily_cleaning", "pay"] == Decimal("150.00")
    assert services.loc["deep_cleaning", "margin"] == Decimal("50.00")


def test_a_policy_pay_rate_needs_exactly_one_basis() -> None:
    """A pay rate is per visit or hourly, not both, not neither."""
    with pytest.raises(ValidationError, match="exactly one"):
        PayRate(per_visit=Decimal("1"), hourly=Decimal("1"))
    with pytest.raises(ValidationError, match="exactly one"):
        PayRate()


def test_settle_on_acceptance_settles_priced_visits(store: EventStore) -> None:
    """With settle_on_acceptance, acceptance settles a visit with a price, at its price."""
    ops = _ops(store, _policy(settle_on_acceptance=True))
    stored = ops.submit([*_accepted("V1"), *_accepted("V2", start=600, price=None)])
    rules = [s.event for s in stored if s.event.actor == "rule:settlement_on_acceptance"]
    assert [e.entity_id for e in rules] == ["V1"]
    visits = ops.ledger().visits
    assert visits["V1"].settlement_amount == Decimal("200.00")
    assert visits["V2"].settled_at is None


# --- quote lines to visit prices ------------------------------------------------------------

BOOK = PriceBook(
    prices={
        "daily_cleaning": ServicePrice(
            service_type="daily_cleaning",
            unit=PriceUnit.HOUR,
            unit_price=Decimal("39.00"),
            weekend_rate=Decimal("0.25"),
            holiday_rate=Decimal("0.5"),
        )
    },
    public_holidays=frozenset({date(2026, 12, 25)}),
)
SCHEDULE = {
    "frequency": "daily",
    "start_date": "2026-12-14",
    "count": 14,
    "start_time": "09:00",
    "timezone": "Asia/Shanghai",
}


def _contract_quote(days: int = 14) -> dict[str, Any]:
    first = datetime(2026, 12, 14, 9, 0, tzinfo=TZ)
    quotes = [
        quote_visit(
            BOOK, service_type="daily_cleaning", start=first + timedelta(days=i), quantity=3
        )
        for i in range(days)
    ]
    return quote_visits(BOOK, quotes).to_payload()


def _contract(ops: Operations, quote: dict[str, Any], template: dict[str, Any]) -> None:
    ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, **quote),
            ev("order_contracted", "O1", 2, schedule=SCHEDULE, visit=template),
        ]
    )


def test_a_recurring_contract_prices_each_visit_from_its_dates_quote_lines(
    ops: Operations,
) -> None:
    """Weekend and holiday surcharges reach their own dates; the visits add up to the quote."""
    quote = _contract_quote()
    _contract(ops, quote, {"duration_minutes": 180})
    visits = ops.ledger().visits
    prices = {v.job.earliest_start.date(): v.job.price for v in visits.values()}
    assert prices[date(2026, 12, 14)] == Decimal("117.00")  # Monday
    assert prices[date(2026, 12, 19)] == Decimal("146.25")  # Saturday: +25 %
    assert prices[date(2026, 12, 25)] == Decimal("175.50")  # holiday: +50 %
    assert sum(prices.values(), Decimal(0)) == Decimal(quote["total"]) == Decimal("1813.50")


def test_a_contract_and_its_quote_must_agree(ops: Operations) -> None:
    """A date without quote lines, or a template price beside dated lines, is refused."""
    with pytest.raises(LifecycleError, match="no line for visit O1-014 on 2026-12-27"):
        _contract(ops, _contract_quote(days=13), {"duration_minutes": 180})
    with pytest.raises(LifecycleError, match="leave the price out of the visit template"):
        _contract(ops, _contract_quote(), {"duration_minutes": 180, "price": "117.00"})
    assert "O1" not in ops.ledger().orders


def test_a_visit_named_by_quote_lines_takes_their_price(ops: Operations) -> None:
    """visit_created without a price takes the sum of the quote lines naming it."""
    start = datetime(2026, 12, 5, 9, 0, tzinfo=TZ)
    quote = quote_visit(BOOK, service_type="daily_cleaning", start=start, quantity=2, visit_id="V9")
    ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, **quote.to_payload()),
            ev("order_contracted", "O1", 2),
            visit("V9", order_id="O1", price=None),
        ]
    )
    assert ops.ledger().visits["V9"].job.price == quote.total == Decimal("97.50")


def test_report_json_writes_money_as_strings(ops: Operations) -> None:
    """Every amount in the report's JSON is an exact decimal string, never a float."""
    ops.submit([*_accepted("V1", price="0.10"), *_accepted("V2", start=600, price="0.20")])
    ops.submit([ev("visit_settled", "V1", 800), ev("visit_settled", "V2", 800)])
    data = analytics.report(ops.ledger(), ops.policy, as_of=datetime.now(TZ)).to_json()
    assert data["summary"]["revenue"] == "0.30"
    assert data["tables"]["money"][0]["revenue"] == "0.30"
    assert [r["revenue"] for r in data["tables"]["margins"]] == ["0.10", "0.20"]
    json.dumps(data, allow_nan=False)


def test_day_of_quote_lines_round_trips_through_the_order(ops: Operations) -> None:
    """Quote lines keep their date and visit id in the store."""
    quote = _contract_quote(days=1)
    ops.submit(
        [
            ev("order_created", "O1", customer_id="C1", service_type="daily_cleaning"),
            ev("order_quoted", "O1", 1, **quote),
        ]
    )
    order = ops.ledger().orders["O1"]
    assert order.quote is not None and order.quote.lines[0].date == date(2026, 12, 14)
    assert order.quote.total == Decimal(quote["total"])


def test_the_documented_money_policy_loads(tmp_path: Path) -> None:
    """The TOML example of docs/ops.md ("Money") is a valid policy with those rates."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ops.md").read_text(encoding="utf-8")
    block = doc.split("**The policy**", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "ops.toml"
    path.write_text(block, encoding="utf-8")
    policy = load_ops_policy(path)
    assert policy.deposit_rate == Decimal("0.2") and policy.cancellation_fee_rate == Decimal("0.5")
    assert policy.pay.rate("W07", "deep_cleaning") == PayRate(per_visit=Decimal("150.00"))
    assert policy.pay.rate("W07", "nanny") == PayRate(per_visit=Decimal("90.00"))
    assert policy.pay.rate("W01", "daily_cleaning") == PayRate(hourly=Decimal("30.00"))
    assert policy.pay.rate("W01", "nanny") is None
