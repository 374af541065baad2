"""The read models' JSON gives back each entity exactly (fast reader and pydantic alike)."""

from __future__ import annotations

from dataclasses import fields

from pydantic import TypeAdapter

from matchmaker.lifecycle import EventStore, Operations, OpsPolicy
from matchmaker.lifecycle._readmodel_codec import decode, encode

from .factory import ev, served, visit, world


def test_every_entity_of_a_history_round_trips(store: EventStore) -> None:
    """Workers, customers, visits (offers, ratings, settlement) and complaints come back
    equal, field for field, with their UTC offsets, by the fast reader and by pydantic."""
    ops = Operations(store, OpsPolicy())
    ops.submit(
        [
            *world(),
            visit("V1"),
            *served("V1"),
            ev("visit_rated", "V1", 200, stars=4, comment="ok"),
            ev("visit_accepted", "V1", 210),
            ev("visit_settled", "V1", 220),
            visit("V2", start=90),
            *served("V2", "W2", 90),
            ev("complaint_opened", "K1", 300, visit_id="V2", category="late", description="x"),
        ]
    )
    ledger = ops.ledger()
    entities = [
        *ledger.workers.values(),
        *ledger.customers.values(),
        *ledger.visits.values(),
        *ledger.complaints.values(),
    ]
    assert len(entities) == 6 + 2 + 1
    for entity in entities:
        text = encode(entity)
        for again in (decode(type(entity), text), TypeAdapter(type(entity)).validate_json(text)):
            assert again == entity
            for field in fields(entity):
                value = getattr(entity, field.name)
                if hasattr(value, "utcoffset"):
                    assert getattr(again, field.name).utcoffset() == value.utcoffset()
    settled = decode(type(ledger.visits["V1"]), encode(ledger.visits["V1"]))
    assert str(settled.settlement_amount) == "200.00"
    assert settled.ratings[0].stars == 4
