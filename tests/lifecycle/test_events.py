"""The JSONL event format: validation, line numbers, all-or-nothing import."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from matchmaker.lifecycle import (
    TABLES,
    EntityType,
    Operations,
    make_event,
    read_events_jsonl,
)
from matchmaker.lifecycle._schema import EVENT_MODELS, KIND_NAMES
from matchmaker.lifecycle._schema_base import In
from matchmaker.lifecycle._states import entity_type_of
from matchmaker.model import DatasetError

from .factory import at


def _write(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
        encoding="utf-8",
    )
    return path


def _line(kind: str, entity: str, minutes: int = 0, **payload: object) -> dict[str, object]:
    return {
        "kind": kind,
        "entity": entity,
        "time": at(minutes).isoformat(),
        "actor": "test",
        **payload,
    }


def test_every_kind_of_every_table_has_a_model() -> None:
    """The boundary models and the transition tables name the same event kinds."""
    assert set(KIND_NAMES) == {k for t in TABLES.values() for k in t.kinds}
    assert len(EVENT_MODELS) == len(KIND_NAMES)


def _kind(model: type[In]) -> str:
    return str(model.model_fields["kind"].annotation.__args__[0])  # type: ignore[union-attr]


def test_each_kind_model_sits_with_its_entity_and_is_registered() -> None:
    """A kind's model is in its entity's ``_<entity>_schema`` module, and every event model
    of those modules is in the registry (a model added there but not to ``EVENT_MODELS``
    would silently never validate a line)."""
    for model in EVENT_MODELS:
        entity = entity_type_of(_kind(model))
        assert model.__module__ == f"matchmaker.lifecycle._{entity}_schema", model
    defined = {
        model
        for entity in EntityType
        for _, model in inspect.getmembers(
            importlib.import_module(f"matchmaker.lifecycle._{entity}_schema"), inspect.isclass
        )
        if issubclass(model, In) and model is not In
    }
    assert defined == set(EVENT_MODELS)


def test_valid_file_is_read_with_line_numbers(tmp_path: Path) -> None:
    """Blank lines are skipped; each command keeps its line number and expected version."""
    path = _write(
        tmp_path / "e.jsonl",
        [
            _line("customer_registered", "C9", preferred_workers="W1;W2"),
            "",
            _line("customer_updated", "C9", 1, name="Wang", expected_version=1),
        ],
    )
    commands = read_events_jsonl(path)
    assert [c.line for c in commands] == [1, 3]
    assert commands[0].event.payload["preferred_workers"] == ["W1", "W2"]
    assert commands[1].expected_version == 1
    assert dict(commands[1].event.payload) == {"name": "Wang"}


def test_every_bad_line_is_reported(tmp_path: Path) -> None:
    """Bad JSON, an unknown kind, a misspelt field and a naive time are each reported."""
    path = _write(
        tmp_path / "e.jsonl",
        [
            _line("customer_registered", "C9"),
            "{not json",
            _line("customer_exploded", "C9"),
            _line("visit_rated", "V1", stars=5, starz=4),
            {**_line("visit_confirmed", "V1"), "time": "2026-12-01T09:00:00"},
        ],
    )
    with pytest.raises(DatasetError) as caught:
        read_events_jsonl(path)
    rows = {(i.row, i.column) for i in caught.value.issues}
    assert (2, None) in rows
    assert any(row == 3 for row, _ in rows)
    assert (4, "starz") in rows
    assert (5, "time") in rows
    assert 1 not in {row for row, _ in rows}


def test_bad_line_writes_nothing(ops: Operations, tmp_path: Path) -> None:
    """A file with one bad line stores none of its events."""
    before = ops.store.count()
    path = _write(
        tmp_path / "e.jsonl",
        [
            _line("customer_registered", "C9"),
            _line("visit_rated", "V1", stars=9),
        ],
    )
    with pytest.raises(DatasetError):
        ops.import_events(path)
    assert ops.store.count() == before


def test_illegal_transition_is_reported_with_its_line(ops: Operations, tmp_path: Path) -> None:
    """An event its entity's state does not allow names the line; nothing is written."""
    before = ops.store.count()
    path = _write(
        tmp_path / "e.jsonl",
        [
            _line("customer_registered", "C9"),
            _line("worker_reinstated", "W1", 1),
        ],
    )
    with pytest.raises(DatasetError) as caught:
        ops.import_events(path)
    (issue,) = caught.value.issues
    assert issue.row == 2 and issue.value == "worker_reinstated"
    assert "not allowed in state 'active'" in issue.message
    assert ops.store.count() == before


def test_make_event_validates_the_payload() -> None:
    """Building an event in Python goes through the same validation."""
    with pytest.raises(ValidationError):
        make_event("visit_rated", "V1", time=at(0), actor="c", stars=0)
    event = make_event(
        "worker_registered",
        "W9",
        time=at(0),
        actor="hr",
        gender="M",
        home_lat=31.0,
        home_lon=121.0,
        skills={"cleaning": 2},
    )
    assert event.payload["skills"] == "cleaning:2"
    assert event.to_json()["entity"] == "W9"
