"""Reading single cells: from whatever a file or DataFrame holds to text, and from text to values.

Every table is first turned into text (:func:`cell_text`) so that validation sees what the
user wrote, whatever the format. The parsers below turn one cell's text into a value or
raise :class:`CellError` with a sentence saying what is wrong and what is expected; the
row models of :mod:`matchmaker.io._schemas` call them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DATETIME_EXAMPLE",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_CELL_CHARS",
    "MAX_ID_CHARS",
    "CellError",
    "cell_text",
    "check_id",
    "parse_certificates",
    "parse_date",
    "parse_datetime",
    "parse_ids",
    "parse_number",
    "parse_skills",
    "split_list",
]

DATETIME_EXAMPLE = "2026-12-01T09:00:00+08:00"
MAX_CELL_CHARS = 10_000
"""The longest cell accepted (a long ``;`` list of worker ids fits); longer is an error."""
MAX_ID_CHARS = 128
"""The longest id accepted (worker, customer, job ids; each id of a list)."""
FIRST_YEAR = 1900
LAST_YEAR = 2200
"""Dates and times must lie in these years (inclusive): beyond them no real record lies and
date arithmetic (time zones, minutes from the round's start) overflows."""
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CellError(ValueError):
    """One cell cannot be read; the message says what is wrong and what is expected."""


def cell_text(value: Any) -> str:
    """The text a cell holds, as a user would have typed it; blank for missing values.

    Whole floats lose their ``.0`` (spreadsheets and Parquet store ``3`` as ``3.0``),
    datetimes become ISO 8601, lists join with ``;`` and mappings become ``key:value``.
    """
    if isinstance(value, str):
        return value.strip()
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ";".join(f"{cell_text(k)}:{cell_text(v)}" for k, v in value.items())
    if isinstance(value, set | frozenset):
        return ";".join(sorted(cell_text(v) for v in value))
    if isinstance(value, list | tuple | np.ndarray):
        return ";".join(cell_text(v) for v in value)
    return str(value).strip()


def split_list(text: str) -> list[str]:
    """The items of a ``;`` list cell, stripped; empty items (``a;;b``, ``a;``) are skipped."""
    return [item for item in (part.strip() for part in text.split(";")) if item]


def _short(text: str) -> str:
    """An item of a cell as a message quotes it: long ones are cut."""
    return text if len(text) <= 40 else f"{text[:40]}..."


def check_id(text: str, what: str = "an id") -> str:
    """``text`` when it is not longer than :data:`MAX_ID_CHARS`."""
    if len(text) > MAX_ID_CHARS:
        raise CellError(
            f"has {what} of {len(text):,} characters; ids are at most {MAX_ID_CHARS} characters"
        )
    return text


def parse_ids(text: str, what: str) -> tuple[str, ...]:
    """A ``;`` list of ids, in the order given; an id listed twice is an error."""
    ids = split_list(text)
    seen: set[str] = set()
    for ident in ids:
        check_id(ident, f"a {what} id")
        if ident in seen:
            raise CellError(f"lists {what} {_short(ident)!r} twice; list each id once")
        seen.add(ident)
    return tuple(ids)


def parse_number(
    text: str,
    *,
    whole: bool = False,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
) -> float:
    """A finite number, optionally whole and within ``[low, high]`` or ``> above``."""
    kind = "a whole number" if whole else "a number"
    try:
        number = float(text)
    except ValueError:
        raise CellError(f"is not {kind}") from None
    if not math.isfinite(number):
        raise CellError(f"is not {kind} (a finite value is expected)")
    if whole and not number.is_integer():
        raise CellError("is not a whole number")
    if low is not None and high is not None and not low <= number <= high:
        raise CellError(f"must be between {_num(low)} and {_num(high)}")
    if low is not None and high is None and number < low:
        raise CellError(f"must be {_num(low)} or more")
    if above is not None and number <= above:
        raise CellError(f"must be more than {_num(above)}")
    return number


def _in_years(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise CellError(
            f"lies in the year {value.year}; dates must lie in {FIRST_YEAR}-{LAST_YEAR}"
        )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_FLAGS = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
}


def parse_flag(text: str) -> bool:
    """A yes/no cell: true/false, yes/no, y/n or 1/0 (any case)."""
    try:
        return _FLAGS[text.lower()]
    except KeyError:
        raise CellError("is not a yes/no value; expected true or false (or yes/no, 1/0)") from None


def parse_date(text: str) -> date:
    """A ``YYYY-MM-DD`` date."""
    if not _DATE_PATTERN.match(text):
        raise CellError("is not a date; expected YYYY-MM-DD, e.g. 2027-05-01")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise CellError("is not a valid calendar date; expected YYYY-MM-DD") from None
    _in_years(value)
    return value


def parse_datetime(text: str, zone: tzinfo | None) -> datetime:
    """An ISO 8601 date and time; without a UTC offset it is localised to ``zone``.

    A time with an offset is taken as given. A wall-clock time without one is read in
    ``zone``: inside the hour the clocks skip (spring forward) it does not exist and is an
    error; inside the hour they repeat (fall back) it is the first occurrence, still on
    summer time (``fold=0``), as documented in datasets/README.md.
    """
    if len(text) <= 10:
        raise CellError(f"has no time of day; expected a date and time like {DATETIME_EXAMPLE}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(
            f"is not an ISO 8601 date and time; expected e.g. {DATETIME_EXAMPLE}"
        ) from None
    _in_years(value)
    if value.tzinfo is None:
        if zone is None:
            raise CellError(
                "has no UTC offset and dataset.toml names no timezone; write the offset "
                f"(e.g. {DATETIME_EXAMPLE}) or set timezone in dataset.toml"
            )
        local = value.replace(tzinfo=zone)
        # A time in a spring-forward gap comes back from UTC as another wall-clock time.
        if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
            name = getattr(zone, "key", None) or str(zone)
            raise CellError(
                f"does not exist in {name}: the clocks skip {value:%H:%M} on "
                f"{value.date().isoformat()} (daylight saving time begins); write a time "
                f"that exists, or give the UTC offset (e.g. {DATETIME_EXAMPLE})"
            )
        value = local
    return value


def _pairs(text: str) -> list[tuple[str, str, str]]:
    """``name:value`` items of a list cell as ``(item, name, value)``; malformed items raise."""
    pairs = []
    for item in split_list(text):
        name, sep, value = item.partition(":")
        if not sep or not name.strip() or not value.strip():
            raise CellError(f"has item {_short(item)!r} that is not name:value")
        pairs.append((item, name.strip(), value.strip()))
    return pairs


def parse_skills(text: str) -> dict[str, int]:
    """``cleaning:3;elderly_care:2``: skill names with levels 1-5, each name once."""
    skills: dict[str, int] = {}
    problems: list[str] = []
    try:
        pairs = _pairs(text)
    except CellError as error:
        raise CellError(
            f"{error}; expected skill:level items like cleaning:3;elderly_care:2"
        ) from None
    for item, name, level in pairs:
        if not level.isdigit():
            problems.append(
                f"has skill {_short(item)!r} whose level {_short(level)!r} is not a whole number"
            )
        elif not 1 <= int(level) <= 5:
            problems.append(f"has skill {_short(item)!r} whose level {level} is outside 1-5")
        elif name in skills:
            problems.append(f"lists skill {_short(name)!r} twice")
        else:
            skills[name] = int(level)
    if problems:
        raise CellError("; ".join(problems) + "; expected skill:level items with levels 1-5")
    return skills


def parse_certificates(text: str) -> tuple[tuple[str, date], ...]:
    """``health:2027-05-01;nursing:2028-01-31``: certificate names with expiry dates."""
    certificates: list[tuple[str, date]] = []
    problems: list[str] = []
    try:
        pairs = _pairs(text)
    except CellError as error:
        raise CellError(f"{error}; expected name:YYYY-MM-DD items like health:2027-05-01") from None
    names: set[str] = set()
    for item, name, expiry in pairs:
        try:
            expires = parse_date(expiry)
        except CellError as error:
            problems.append(f"has certificate {_short(item)!r} whose expiry {error}")
            continue
        if name in names:
            problems.append(f"lists certificate {_short(name)!r} twice")
            continue
        names.add(name)
        certificates.append((name, expires))
    if problems:
        raise CellError(
            "; ".join(problems) + "; expected name:YYYY-MM-DD items like health:2027-05-01"
        )
    return tuple(certificates)
