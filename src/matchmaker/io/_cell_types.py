"""The cell types of the input tables' row models: how one cell is parsed, and its JSON
Schema (:mod:`matchmaker.io._schemas` builds the rows from them).

Each type is an ``Annotated`` value with a plain validator that takes the cell's text and
says what is wrong and what is expected, and the schema ``matchmaker schema`` prints.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from matchmaker.io._cells import (
    DATETIME_EXAMPLE,
    MAX_ID_CHARS,
    CellError,
    cell_text,
    check_id,
    parse_certificates,
    parse_date,
    parse_datetime,
    parse_flag,
    parse_ids,
    parse_number,
    parse_skills,
    split_list,
)
from matchmaker.model import (
    MAX_PLACEMENT_DAYS,
    NO_BREAKS,
    BackgroundCheckStatus,
    Certificate,
    Gender,
    LinkWorker,
    SkillRequirement,
    TravelMode,
    WorkerStatus,
)

__all__ = [
    "MAX_GAP_MINUTES",
    "Age",
    "BackgroundCheckCell",
    "BirthYear",
    "BreakRules",
    "Certificates",
    "Count",
    "Days",
    "Duration",
    "Flag",
    "GapMinutes",
    "GenderCell",
    "Identifier",
    "Latitude",
    "Limit",
    "LinkWorkerCell",
    "Longitude",
    "Moment",
    "Money",
    "OptionalDate",
    "OptionalGender",
    "OptionalIdentifier",
    "OptionalLatitude",
    "OptionalLongitude",
    "OptionalMoment",
    "PlacementDays",
    "Priority",
    "Rating",
    "SkillRequirements",
    "Skills",
    "StatusCell",
    "TeamSize",
    "Text",
    "TravelModeCell",
    "WordList",
    "WordSet",
    "WorkerIdSet",
    "WorkerIds",
    "Years",
]

T = TypeVar("T")

MAX_GAP_MINUTES = 527_040
"""Longest gap between linked visits: 366 days (the reach of a round)."""


def _cell(parse: Callable[[str], T]) -> PlainValidator:
    """A validator that reads the cell's text with ``parse`` and reports a one-line reason."""

    def validate(value: object) -> T:
        try:
            return parse(cell_text(value))
        except CellError as error:
            raise PydanticCustomError("cell", "{reason}", {"reason": str(error)}) from None

    return PlainValidator(validate)


def _zoned_datetime(value: object, info: ValidationInfo) -> datetime:
    context = info.context if isinstance(info.context, dict) else {}
    zone: tzinfo | None = context.get("zone")
    try:
        return parse_datetime(cell_text(value), zone)
    except CellError as error:
        raise PydanticCustomError("cell", "{reason}", {"reason": str(error)}) from None


def _break_rules(value: object, info: ValidationInfo) -> tuple[str, ...] | None:
    """``workers.breaks``: blank = every rule (``None``), ``none`` = no break (``()``), else
    the names of rules of ``dataset.toml``'s ``[[breaks]]`` (the context's ``break_names``)."""
    context = info.context if isinstance(info.context, dict) else {}
    known: tuple[str, ...] = context.get("break_names", ())
    try:
        names = _ordered_words(cell_text(value))
    except CellError as error:
        raise PydanticCustomError("cell", "{reason}", {"reason": str(error)}) from None
    if not names:
        return None
    if NO_BREAKS in names:
        if len(names) > 1:
            raise PydanticCustomError("cell", f"mixes {NO_BREAKS!r} with break rule names", {})
        return ()
    unknown = [n for n in names if n not in known]
    if unknown:
        rules = ", ".join(known) if known else "dataset.toml has no [[breaks]]"
        raise PydanticCustomError(
            "cell",
            "{reason}",
            {"reason": f"names unknown break rule(s) {', '.join(unknown)} (rules: {rules})"},
        )
    return names


def _identifier(text: str) -> str:
    if not text:
        raise CellError("is blank; an id is required")
    if ";" in text:
        raise CellError("must not contain ';' (ids are listed with ';' in other tables)")
    return check_id(text)


E = TypeVar("E", bound=enum.Enum)


def _choice(kind: type[E]) -> Callable[[str], E]:
    allowed = [member.value for member in kind]

    def parse(text: str) -> E:
        try:
            return kind(text)
        except ValueError:
            raise CellError(f"is not a known value; expected one of {', '.join(allowed)}") from None

    return parse


def _enum_schema(kind: type[enum.Enum], description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "enum": [m.value for m in kind], "description": description}
    )


def _number_schema(kind: str, description: str, **bounds: float) -> WithJsonSchema:
    return WithJsonSchema({"type": kind, "description": description, **bounds})


def _list_schema(description: str, pattern: str | None = None) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string", "description": description}
    if pattern is not None:
        schema["pattern"] = pattern
    return WithJsonSchema(schema)


def _words(text: str) -> frozenset[str]:
    return frozenset(split_list(text))


def _ordered_words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(split_list(text)))


def _skill_requirements(text: str) -> tuple[SkillRequirement, ...]:
    return tuple(SkillRequirement(name=n, level=v) for n, v in parse_skills(text).items())


def _certificates(text: str) -> tuple[Certificate, ...]:
    return tuple(Certificate(name=n, expires=d) for n, d in parse_certificates(text))


def _whole(low: float | None = None, high: float | None = None) -> Callable[[str], int]:
    return lambda text: int(parse_number(text, whole=True, low=low, high=high))


def _real(low: float | None = None, high: float | None = None) -> Callable[[str], float]:
    return lambda text: parse_number(text, low=low, high=high)


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError("is not an amount; expected e.g. 8500 or 8500.50") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise CellError("is not an amount; expected a number >= 0 with at most 2 decimals")
    return value


def _worker_ids(text: str) -> tuple[str, ...]:
    return parse_ids(text, "worker")


_SKILL_ITEM = r"[^:;]+:\s*[1-5]\s*"
_SKILLS_PATTERN = rf"^\s*({_SKILL_ITEM})?(;\s*({_SKILL_ITEM})?)*$"
_CERTIFICATE_ITEM = r"[^:;]+:\s*\d{4}-\d{2}-\d{2}\s*"
_CERTIFICATES_PATTERN = rf"^\s*({_CERTIFICATE_ITEM})?(;\s*({_CERTIFICATE_ITEM})?)*$"
_DATETIME_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "format": "date-time",
        "description": f"ISO 8601 with a UTC offset, e.g. {DATETIME_EXAMPLE}; without one, "
        "the timezone of dataset.toml applies",
    }
)

Identifier = Annotated[
    str,
    _cell(_identifier),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS, "pattern": "^[^;]+$"}
    ),
]
Text = Annotated[str, _cell(str), WithJsonSchema({"type": "string"})]
Latitude = Annotated[
    float, _cell(_real(-90, 90)), _number_schema("number", "degrees", minimum=-90, maximum=90)
]
Longitude = Annotated[
    float, _cell(_real(-180, 180)), _number_schema("number", "degrees", minimum=-180, maximum=180)
]
OptionalLatitude = Annotated[
    float | None,
    _cell(_real(-90, 90)),
    _number_schema("number", "degrees; blank = unknown", minimum=-90, maximum=90),
]
OptionalLongitude = Annotated[
    float | None,
    _cell(_real(-180, 180)),
    _number_schema("number", "degrees; blank = unknown", minimum=-180, maximum=180),
]
Years = Annotated[float, _cell(_real(0)), _number_schema("number", "years", minimum=0)]
Count = Annotated[int, _cell(_whole(0)), _number_schema("integer", "a count", minimum=0)]
OptionalIdentifier = Annotated[
    str | None,
    _cell(_identifier),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_ID_CHARS,
            "pattern": "^[^;]*$",
            "description": "blank = none",
        }
    ),
]
GapMinutes = Annotated[
    int | None,
    _cell(_whole(0, MAX_GAP_MINUTES)),
    _number_schema("integer", "minutes; blank = none", minimum=0, maximum=MAX_GAP_MINUTES),
]
LinkWorkerCell = Annotated[
    LinkWorker,
    _cell(_choice(LinkWorker)),
    _enum_schema(LinkWorker, "same, different or any; blank = any"),
]
Limit = Annotated[
    int | None, _cell(_whole(0)), _number_schema("integer", "blank = no limit", minimum=0)
]
Rating = Annotated[
    float | None,
    _cell(_real(0, 5)),
    _number_schema("number", "mean review score; blank = no rating", minimum=0, maximum=5),
]
Priority = Annotated[
    int, _cell(_whole(1, 5)), _number_schema("integer", "5 most important", minimum=1, maximum=5)
]
TeamSize = Annotated[
    int, _cell(_whole(1)), _number_schema("integer", "workers who start together", minimum=1)
]
Duration = Annotated[
    int,
    _cell(lambda text: int(parse_number(text, whole=True, above=0))),
    _number_schema("integer", "minutes of work", exclusiveMinimum=0),
]
Moment = Annotated[datetime, PlainValidator(_zoned_datetime), _DATETIME_SCHEMA]
OptionalMoment = Annotated[datetime | None, PlainValidator(_zoned_datetime), _DATETIME_SCHEMA]
BreakRules = Annotated[
    tuple[str, ...] | None,
    PlainValidator(_break_rules),
    _list_schema(
        "';' list of the names of dataset.toml [[breaks]] rules that apply to the worker; "
        "blank = every rule, none = no break"
    ),
]
OptionalDate = Annotated[
    date | None,
    _cell(parse_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
]
GenderCell = Annotated[Gender, _cell(_choice(Gender)), _enum_schema(Gender, "F or M")]
OptionalGender = Annotated[
    Gender | None, _cell(_choice(Gender)), _enum_schema(Gender, "F or M; blank = none")
]
BackgroundCheckCell = Annotated[
    BackgroundCheckStatus,
    _cell(_choice(BackgroundCheckStatus)),
    _enum_schema(BackgroundCheckStatus, "blank = pending"),
]
TravelModeCell = Annotated[
    TravelMode, _cell(_choice(TravelMode)), _enum_schema(TravelMode, "blank = transit")
]
StatusCell = Annotated[
    WorkerStatus, _cell(_choice(WorkerStatus)), _enum_schema(WorkerStatus, "blank = active")
]
WordSet = Annotated[
    frozenset[str], _cell(_words), _list_schema("';' list, e.g. mandarin;shanghainese")
]
WordList = Annotated[tuple[str, ...], _cell(_ordered_words), _list_schema("';' list")]
WorkerIds = Annotated[
    tuple[str, ...], _cell(_worker_ids), _list_schema("';' list of worker ids, e.g. w001;w017")
]
Flag = Annotated[
    bool,
    _cell(parse_flag),
    WithJsonSchema({"type": "boolean", "description": "true/false, yes/no or 1/0; blank = false"}),
]
WorkerIdSet = Annotated[
    frozenset[str],
    _cell(lambda text: frozenset(_worker_ids(text))),
    _list_schema("';' list of worker ids, e.g. w001;w017"),
]
Skills = Annotated[
    dict[str, int],
    _cell(parse_skills),
    _list_schema("';' list of skill:level (1-5), e.g. cleaning:3;elderly_care:2", _SKILLS_PATTERN),
]
SkillRequirements = Annotated[
    tuple[SkillRequirement, ...],
    _cell(_skill_requirements),
    _list_schema("';' list of skill:level (1-5), e.g. elderly_care:3", _SKILLS_PATTERN),
]
Money = Annotated[
    Decimal | None,
    _cell(_money),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d+(\.\d{1,2})?$",
            "description": "an amount per month, e.g. 8500 or 8500.50; blank = none",
        }
    ),
]
Days = Annotated[int, _cell(_whole(0, 366)), _number_schema("integer", "days", minimum=0)]
PlacementDays = Annotated[
    int,
    _cell(_whole(1, MAX_PLACEMENT_DAYS)),
    _number_schema("integer", "whole local dates", minimum=1, maximum=MAX_PLACEMENT_DAYS),
]
Age = Annotated[
    int | None, _cell(_whole(16, 99)), _number_schema("integer", "years", minimum=16, maximum=99)
]
BirthYear = Annotated[
    int | None,
    _cell(_whole(1900, 2100)),
    _number_schema("integer", "blank = unknown", minimum=1900, maximum=2100),
]
Certificates = Annotated[
    tuple[Certificate, ...],
    _cell(_certificates),
    _list_schema(
        "';' list of name:expiry, e.g. health:2027-05-01;nursing:2028-01-31",
        _CERTIFICATES_PATTERN,
    ),
]
