"""What every lifecycle entity module shares: reading stored payload values, evolving.

Payloads are read as the store holds them (JSON values; times as ISO strings, money as
decimal strings), so live application and replay go through the same code.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from matchmaker.lifecycle._events import normalize_time
from matchmaker.model import LifecycleError

__all__ = [
    "append_unique",
    "evolve",
    "float_or_none",
    "int_or_none",
    "money_or_none",
    "parse_time",
    "split_cell",
    "time_or_none",
]

E = TypeVar("E")


def time_or_none(value: Any) -> datetime | None:
    if value is None:
        return None
    return normalize_time(datetime.fromisoformat(str(value)))


def parse_time(value: Any) -> datetime:
    moment = time_or_none(value)
    if moment is None:
        raise LifecycleError("a required time is missing")
    return moment


def money_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def split_cell(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    return tuple(str(v) for v in value)


def float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def evolve(entity: E, **changes: Any) -> E:
    """``dataclasses.replace`` without re-running ``__init__``: the changes come from a
    handler that already checked them, and replay applies thousands of them."""
    new = object.__new__(type(entity))
    new.__dict__.update(entity.__dict__)
    new.__dict__.update(changes)
    return new


def append_unique(items: tuple[str, ...], *new: str) -> tuple[str, ...]:
    out = list(items)
    for item in new:
        if item not in out:
            out.append(item)
    return tuple(out)
