"""Follow-ups, statements and the audit log read from the store's indexes give what every
entity (or every event) in memory gives, on both backends."""

from __future__ import annotations

import pytest

from matchmaker.lifecycle import (
    Operations,
    OpsPolicy,
    customer_statement,
    followups_due,
    store_followups_due,
    store_statement,
)
from matchmaker.model import LifecycleError

from .test_views import INSTANTS, POLICIES


@pytest.mark.parametrize("policy", POLICIES, ids=["default", "strict"])
def test_store_followups_equal_those_of_every_entity(
    history: Operations, policy: OpsPolicy
) -> None:
    """At instants before, inside and after the history, the follow-ups still to do read
    from the index are those of the full ledger: same visits, due times, status, new
    customer and ready flags, in the same order."""
    ledger = history.ledger()
    statuses = set()
    for as_of in INSTANTS:
        fast = store_followups_due(history.store, policy, as_of=as_of)
        assert fast == followups_due(ledger, policy, as_of=as_of), as_of
        statuses |= {(f.status, f.ready, f.new_customer) for f in fast}
    assert {"pending", "overdue"} <= {s for s, _, _ in statuses}
    assert {True, False} <= {r for _, r, _ in statuses}


def test_store_statements_equal_those_of_every_entity(history: Operations) -> None:
    """Every customer's statement of every month of the history, read from the indexes,
    equals the one made from every entity: lines, totals, deposit applied, amount due."""
    ledger = history.ledger()
    months = sorted(
        {line.time.strftime("%Y-%m") for v in ledger.visits.values() for line in v.money}
        | {line.time.strftime("%Y-%m") for o in ledger.orders.values() for line in o.deposits}
    )
    lines = 0
    for customer_id in ledger.customers:
        for month in months:
            fast = store_statement(history.store, customer_id, month)
            assert fast == customer_statement(ledger, customer_id, month), (customer_id, month)
            lines += len(fast.lines)
    assert lines > 0 and any(o.deposits for o in ledger.orders.values())


def test_a_store_statement_names_a_bad_month_or_customer(history: Operations) -> None:
    """An unknown customer or a month not YYYY-MM is the error the full statement gives."""
    with pytest.raises(LifecycleError, match="unknown customer 'C-none'"):
        store_statement(history.store, "C-none", "2026-12")
    customer_id = next(iter(history.ledger().customers))
    with pytest.raises(LifecycleError, match="not YYYY-MM"):
        store_statement(history.store, customer_id, "2026-13")


@pytest.mark.parametrize("last", [1, 7, None])
def test_the_log_reads_the_last_events_of_an_entity_or_of_the_store(
    history: Operations, last: int | None
) -> None:
    """The store's latest events (of one entity id, whatever its type), as a frame or as
    stored events, are the tail of the whole event frame, in store order."""
    everything = history.store.frame()
    visit_id = str(everything.loc[everything["entity_type"] == "visit", "entity_id"].iloc[0])
    for entity_id in (None, visit_id):
        expected = everything
        if entity_id is not None:
            expected = everything[everything["entity_id"] == entity_id]
        if last is not None:
            expected = expected.tail(last)
        got = history.store.frame(last=last, entity_id=entity_id)
        assert got.reset_index(drop=True).equals(expected.reset_index(drop=True)), entity_id
        assert len(got) == (len(expected) if last is None else min(last, len(expected)))
        if last is not None:
            events = history.store.latest(last, entity_id=entity_id)
            assert [e.position for e in events] == list(expected["position"])
            assert [e.event.kind for e in events] == list(expected["kind"])
    assert len(history.store.frame(entity_id=visit_id)) > 1
