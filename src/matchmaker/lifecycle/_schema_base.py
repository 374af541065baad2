"""What every event payload model shares: the envelope, strict models and cell types.

List cells take a JSON list or the dataset contract's ``;`` string; skills and
certificates take the contract string or a JSON object.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

__all__ = [
    "CertificatesCell",
    "Id",
    "In",
    "JobNeedsModel",
    "ListCell",
    "Money",
    "PaymentMethod",
    "ShiftCell",
    "SkillsCell",
    "StrictModel",
    "blank_to_none",
    "split_list",
]


def split_list(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _pairs(value: object) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        return [(str(k).strip(), str(v).strip()) for k, v in value.items()]
    if not isinstance(value, str):
        raise ValueError("expected a 'name:value;name:value' string or an object")
    pairs = []
    for part in value.split(";"):
        if not part.strip():
            continue
        name, sep, rest = part.partition(":")
        if not sep or not name.strip() or not rest.strip():
            raise ValueError(f"item {part.strip()!r} is not 'name:value'")
        pairs.append((name.strip(), rest.strip()))
    return pairs


def _skills_cell(value: object) -> str:
    if value is None:
        return ""
    items = []
    for name, level_text in _pairs(value):
        try:
            level = int(level_text)
        except ValueError:
            raise ValueError(
                f"skill {name!r}: level {level_text!r} is not a whole number"
            ) from None
        if not 1 <= level <= 5:
            raise ValueError(f"skill {name!r}: level {level} is outside 1..5")
        items.append(f"{name}:{level}")
    return ";".join(items)


def _certificates_cell(value: object) -> str:
    if value is None:
        return ""
    items = []
    for name, expiry in _pairs(value):
        try:
            day = date.fromisoformat(expiry)
        except ValueError:
            raise ValueError(f"certificate {name!r}: expiry {expiry!r} is not YYYY-MM-DD") from None
        items.append(f"{name}:{day.isoformat()}")
    return ";".join(items)


def _shift_cell(value: object) -> object:
    # A shift bound is either a full ISO datetime with offset or a time of day (HH:MM).
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("expected an ISO datetime or a time of day HH:MM")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            time.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is neither an ISO datetime nor a time HH:MM") from None
        return text
    if moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return text


def blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


ListCell = Annotated[list[str], BeforeValidator(split_list)]
SkillsCell = Annotated[str, BeforeValidator(_skills_cell)]
CertificatesCell = Annotated[str, BeforeValidator(_certificates_cell)]
ShiftCell = Annotated[str | None, BeforeValidator(_shift_cell)]
Id = Annotated[str, Field(min_length=1)]
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2),
    AfterValidator(lambda amount: amount.quantize(Decimal("0.01"))),
]
"""An amount in cents precision, always stored with two decimals."""
PaymentMethod = Literal["online", "cash", "monthly_billing"]


class StrictModel(BaseModel):
    # defer_build: a model's validator is built the first time it validates, so a command
    # that reads the store (or appends one kind of event) does not build all seventy.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class In(StrictModel):
    """The envelope every event line has."""

    entity: Id
    time: AwareDatetime
    actor: Id
    expected_version: int | None = Field(None, ge=0)


class JobNeedsModel(StrictModel):
    """Where a job is, how long it lasts, what it asks of its workers and what it costs:
    the dispatch contract's job columns that a visit and a recurring order's visit
    template share."""

    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    duration_minutes: int = Field(gt=0)
    required_skills: SkillsCell = ""
    min_experience_years: float = Field(0.0, ge=0)
    required_certificates: ListCell = Field(default_factory=list)
    workers_needed: int = Field(1, ge=1)
    gender_required: Literal["F", "M"] | None = None
    language_required: ListCell = Field(default_factory=list)
    priority: int = Field(3, ge=1, le=5)
    needs_car: bool = False
    price: Money | None = Field(None, ge=0)
