"""docs/ops.md says what the code does: the event table, settlement, rework, imports."""

from __future__ import annotations

import re
import types
import typing
from datetime import datetime
from pathlib import Path

import pytest

from matchmaker.lifecycle import EventStore, Operations, OpsPolicy, VisitState, import_dataset
from matchmaker.lifecycle._schema import ENVELOPE_FIELDS, EVENT_MODELS
from matchmaker.lifecycle._states import TABLES, entity_type_of
from matchmaker.model import InvalidTransition, LifecycleError

from .factory import at, ev, served, visit, write_dataset

DOC = Path(__file__).resolve().parents[2] / "docs" / "ops.md"


def _event_table() -> dict[tuple[str, str], list[str]]:
    """(kind, field) -> the row's cells, from the table headed 'kind (from state ...'."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| kind (from state"))
    rows: dict[tuple[str, str], list[str]] = {}
    kind = ""
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0]:
            found = re.match(r"`(\w+)`<br>(.*)", cells[0])
            assert found, line
            kind = found.group(1)
            rows[(kind, "")] = [found.group(2)]
        rows[(kind, cells[1].strip("`"))] = cells
    return rows


def _literals(annotation: object) -> list[str]:
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    out: list[str] = []
    for arg in typing.get_args(annotation) if union else (annotation,):
        if typing.get_origin(arg) is typing.Literal:
            out += [str(a) for a in typing.get_args(arg)]
    return out


def test_event_table_lists_every_kind_and_field_as_the_models_do() -> None:
    """Every kind and payload field is in the docs' table and nothing else is; required
    fields say 'required', the others do not; every allowed value of a choice is listed;
    each kind names the states it is allowed in."""
    table = _event_table()
    expected: set[tuple[str, str]] = set()
    for model in EVENT_MODELS:
        kind = str(typing.get_args(model.model_fields["kind"].annotation)[0])
        expected.add((kind, ""))
        sources = {s for (s, k) in TABLES[entity_type_of(kind)].transitions if k == kind}
        for state in sources:
            assert re.search(rf"\b{state}\b", table[(kind, "")][0]), (kind, state)
        for name, info in model.model_fields.items():
            if name in ENVELOPE_FIELDS:
                continue
            expected.add((kind, name))
            cells = table.get((kind, name))
            assert cells is not None, f"{kind}.{name} is not in docs/ops.md"
            assert (cells[3] == "required") == info.is_required(), (kind, name, cells[3])
            for value in _literals(info.annotation):
                assert f"`{value}`" in cells[2], (kind, name, value)
    assert set(table) == expected


@pytest.fixture
def imported(store: EventStore, tmp_path: Path) -> Operations:
    ops = Operations(store, OpsPolicy())
    import_dataset(ops, write_dataset(tmp_path / "data"), time=at(-1440))
    return ops


def _serve_and_accept(ops: Operations, visit_id: str, start: datetime) -> None:
    begin = (start - at(0)).total_seconds() / 60
    ops.submit([*served(visit_id, "W1", begin), ev("visit_accepted", visit_id, begin + 130)])


def test_imported_orders_pay_online_and_their_visits_have_no_price(imported: Operations) -> None:
    """An imported order is contracted 'online'; its visit has no price, so settling it
    without an amount is refused, and with one it settles online."""
    ledger = imported.ledger()
    assert {str(o.payment_method) for o in ledger.orders.values()} == {"online"}
    assert all(v.job.price is None for v in ledger.visits.values())
    _serve_and_accept(imported, "J1", ledger.visits["J1"].job.earliest_start)
    with pytest.raises(LifecycleError, match="no price"):
        imported.submit([ev("visit_settled", "J1", 300)])
    imported.submit([ev("visit_settled", "J1", 300, amount="150.00")])
    settled = imported.ledger().visits["J1"]
    assert str(settled.settlement_method) == "online" and str(settled.settlement_amount) == "150.00"


def test_acceptance_does_not_settle(ops: Operations) -> None:
    """Accepting a visit with a price leaves it accepted: settlement is its own event."""
    ops.submit([visit("V1", price="200.00"), *served("V1"), ev("visit_accepted", "V1", 190)])
    assert ops.ledger().visits["V1"].state is VisitState.ACCEPTED
    assert ops.ledger().visits["V1"].settled_at is None
    ops.submit([ev("visit_settled", "V1", 200)])
    assert ops.ledger().visits["V1"].state is VisitState.SETTLED


def test_rework_comes_before_acceptance(ops: Operations) -> None:
    """Rework is requested on a completed visit; once accepted, it is refused."""
    ops.submit([visit("V1"), *served("V1"), ev("visit_rework_requested", "V1", 185, on_site=True)])
    ops.submit([ev("visit_rework_done", "V1", 186), ev("visit_accepted", "V1", 190)])
    with pytest.raises(InvalidTransition, match="accepted"):
        ops.submit([ev("visit_rework_requested", "V1", 200, on_site=True)])
