"""Events: the only way state changes, and the JSONL format they are imported in.

Inside matchmaker an event is a frozen :class:`Event` (kind, entity id, time, actor,
payload). At the boundary every event is validated by a pydantic model (``extra="forbid"``,
a union discriminated on ``kind``), so a typo in a field name is an error, not a silently
ignored value.

JSONL format (one JSON object per line; blank lines are skipped)::

    {"kind": "visit_confirmed", "entity": "V1", "time": "2026-12-01T08:00:00+08:00",
     "actor": "worker:W1"}
    {"kind": "visit_rated", "entity": "V1", "time": "2026-12-01T12:10:00+08:00",
     "actor": "customer:C1", "stars": 5, "comment": "spotless"}

Every line has ``kind``, ``entity`` (the id of the order, visit, complaint, worker or
customer the kind belongs to), ``time`` (ISO 8601 with a UTC offset) and ``actor`` (who did
it, free text such as ``dispatcher``, ``worker:W1``, ``customer:C1``); an optional
``expected_version`` (the entity's last sequence number the writer saw) turns on optimistic
concurrency for that line. The other fields are the kind's payload, listed in
``docs/ops.md`` and in the ``_<entity>_schema`` modules (``<Kind>In``). List cells take
a JSON list or the dataset contract's ``;`` string; skills and certificates take the
contract string (``cleaning:3;elderly_care:2``, ``health:2027-05-01``) or a JSON object.

Events written by a rule carry ``actor = "rule:<rule name>"`` and the rule's name in the
payload, so the store shows why a state changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from matchmaker.lifecycle._states import EntityType, entity_type_of
from matchmaker.model import DatasetError, Issue

if TYPE_CHECKING:
    from matchmaker.lifecycle._schema_base import In

# The event kinds' boundary models (matchmaker.lifecycle._schema) are imported where an
# event is validated: commands that only read the store never load them.

__all__ = [
    "Command",
    "EntityKey",
    "Event",
    "StoredEvent",
    "event_from_mapping",
    "make_event",
    "read_events_jsonl",
    "validation_issues",
]

EntityKey = tuple[EntityType, str]
JsonValue = Any


def normalize_time(value: datetime) -> datetime:
    """The same instant with a plain fixed-offset tzinfo, so replay rebuilds it exactly."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"time {value.isoformat()} must carry a UTC offset")
    return value.replace(tzinfo=timezone(offset) if offset else UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """One state change: what happened (``kind``) to which entity, when and by whom.

    ``payload`` is JSON-compatible (datetimes as ISO strings, money as decimal strings).
    """

    kind: str
    entity_id: str
    time: datetime
    actor: str
    payload: Mapping[str, JsonValue]

    def __post_init__(self) -> None:
        entity_type_of(self.kind)
        if not self.entity_id:
            raise ValueError(f"{self.kind}: entity id must not be empty")
        object.__setattr__(self, "time", normalize_time(self.time))
        object.__setattr__(self, "payload", MappingProxyType(dict(self.payload)))

    @property
    def entity_type(self) -> EntityType:
        return entity_type_of(self.kind)

    @property
    def key(self) -> EntityKey:
        return (self.entity_type, self.entity_id)

    def get(self, name: str, default: JsonValue = None) -> JsonValue:
        return self.payload.get(name, default)

    def to_json(self) -> dict[str, JsonValue]:
        """The event as one JSONL line's object (the import format)."""
        return {
            "kind": self.kind,
            "entity": self.entity_id,
            "time": self.time.isoformat(),
            "actor": self.actor,
            **dict(self.payload),
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredEvent:
    """An event as the store holds it: global ``position`` and per-entity ``seq`` (1, 2, ...)."""

    position: int
    seq: int
    event: Event
    recorded_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class Command:
    """An event to submit; ``expected_version`` asks for optimistic concurrency.

    ``line`` is the input line the command came from, for error messages.
    """

    event: Event
    expected_version: int | None = None
    line: int | None = None


def _to_event(model: In) -> tuple[Event, int | None]:
    from matchmaker.lifecycle._schema import ENVELOPE_FIELDS, PARTIAL_KINDS

    kind = str(getattr(model, "kind"))  # noqa: B009 - every model has its own literal
    payload = model.model_dump(
        mode="json", exclude=set(ENVELOPE_FIELDS), exclude_unset=kind in PARTIAL_KINDS
    )
    event = Event(
        kind=kind, entity_id=model.entity, time=model.time, actor=model.actor, payload=payload
    )
    return event, model.expected_version


def event_from_mapping(data: Mapping[str, Any]) -> tuple[Event, int | None]:
    """Validate one event object (the JSONL line format); returns it and its expected version.

    Raises ``pydantic.ValidationError`` on a bad object.
    """
    from matchmaker.lifecycle._schema import validate_event

    return _to_event(validate_event(dict(data)))


def make_event(kind: str, entity: str, *, time: datetime, actor: str, **payload: Any) -> Event:
    """Build a validated event: ``make_event("visit_rated", "V1", time=t, actor=a, stars=5)``.

    Raises ``pydantic.ValidationError`` when the payload does not fit the kind.
    """
    event, _ = event_from_mapping(
        {"kind": kind, "entity": entity, "time": time, "actor": actor, **payload}
    )
    return event


def validation_issues(
    error: ValidationError, *, file: str, row: int | None, prefix: Sequence[str] = ()
) -> list[Issue]:
    """One :class:`Issue` per pydantic error, naming the field."""
    from matchmaker.lifecycle._schema import KIND_NAMES

    issues = []
    for item in error.errors():
        loc = [str(p) for p in item["loc"]]
        # A discriminated union puts the kind in front of the field path; drop it.
        if loc and loc[0] in KIND_NAMES:
            loc = loc[1:]
        column = ".".join([*prefix, *loc]) or None
        value = item.get("input")
        shown = None if isinstance(value, dict | list) else (None if value is None else str(value))
        issues.append(Issue(file=file, row=row, column=column, value=shown, message=item["msg"]))
    return issues


def read_events_jsonl(path: Path) -> list[Command]:
    """Read and validate a JSONL file of events; every bad line is reported with its number.

    Raises :class:`~matchmaker.model.DatasetError` listing every bad line.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(
            [Issue(file=name, row=None, column=None, value=None, message="file not found")]
        ) from None
    except UnicodeDecodeError as error:
        raise DatasetError(
            [
                Issue(
                    file=name, row=None, column=None, value=None, message=f"not UTF-8 text: {error}"
                )
            ]
        ) from None
    commands: list[Command] = []
    issues: list[Issue] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            issues.append(
                Issue(
                    file=name,
                    row=number,
                    column=None,
                    value=None,
                    message=f"not valid JSON: {error.msg} at column {error.colno}",
                )
            )
            continue
        if not isinstance(data, dict):
            issues.append(
                Issue(
                    file=name,
                    row=number,
                    column=None,
                    value=None,
                    message="a line must hold one JSON object",
                )
            )
            continue
        try:
            event, expected = event_from_mapping(data)
        except ValidationError as error:
            issues.extend(validation_issues(error, file=name, row=number))
            continue
        commands.append(Command(event=event, expected_version=expected, line=number))
    if issues:
        raise DatasetError(issues)
    return commands
