"""Follow-ups: due 24 hours after acceptance for a new customer, 7 days otherwise."""

from __future__ import annotations

from datetime import timedelta

from matchmaker.lifecycle import (
    Event,
    EventStore,
    Operations,
    OpsPolicy,
    followup_done,
    followups,
    followups_due,
)

from .factory import at, customer, ev, served, visit, world


def _accepted(visit_id: str, customer_id: str, start: float) -> list[Event]:
    return [
        visit(visit_id, customer_id, start=start),
        *served(visit_id, "W1", start),
        ev("visit_accepted", visit_id, start + 130),
        ev("visit_settled", visit_id, start + 140),
    ]


def test_new_customer_is_followed_up_within_a_day(ops: Operations) -> None:
    """A customer's first accepted visit is due 24 h after acceptance, later ones 7 days."""
    ops.submit([*_accepted("V1", "C1", 60), *_accepted("V2", "C1", 1500)])
    items = {f.visit_id: f for f in followups(ops.ledger(), ops.policy, as_of=at(0))}
    assert items["V1"].new_customer and items["V1"].due_at == at(190) + timedelta(hours=24)
    assert not items["V2"].new_customer
    assert items["V2"].due_at == at(1630) + timedelta(days=7)


def test_imported_history_makes_a_returning_customer(ops: Operations) -> None:
    """A customer registered with previous workers is not new."""
    ops.submit([customer("C3", previous_workers="W2"), *_accepted("V1", "C3", 60)])
    (item,) = followups(ops.ledger(), ops.policy, as_of=at(0))
    assert not item.new_customer and item.due_at == at(190) + timedelta(days=7)


def test_due_list_and_completion(ops: Operations) -> None:
    """Open follow-ups are listed most urgent first; done ones leave the list."""
    ops.submit([*_accepted("V1", "C1", 60), *_accepted("V2", "C2", 120)])
    late = at(190) + timedelta(hours=30)
    due = followups_due(ops.ledger(), ops.policy, as_of=late)
    assert [(f.visit_id, f.status) for f in due] == [("V1", "overdue"), ("V2", "overdue")]
    ops.submit([followup_done("V2", time=at(600), actor="service", satisfied=True)])
    items = {f.visit_id: f for f in followups(ops.ledger(), ops.policy, as_of=late)}
    assert items["V2"].status == "done_on_time"
    assert [f.visit_id for f in followups_due(ops.ledger(), ops.policy, as_of=late)] == ["V1"]


def test_delays_are_configurable(store: EventStore) -> None:
    """The follow-up delays come from the ops policy."""
    ops = Operations(store, OpsPolicy(followup_new_customer_hours=4, followup_returning_days=2))
    ops.submit([*world(), *_accepted("V1", "C1", 60)])
    (item,) = followups(ops.ledger(), ops.policy, as_of=at(0))
    assert item.due_at == at(190) + timedelta(hours=4)
    assert item.ready
