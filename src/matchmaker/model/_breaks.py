"""Break rules read from ``dataset.toml``'s ``[[breaks]]`` tables, and the break each
rule asks of one shift.

A rule such as "a 30-60 minute break starting between 11:30 and 14:00 when the shift is
over 6 h" is one :class:`BreakRule`. Its window is local wall-clock time of the round
(:func:`matchmaker.model.local_zone`), turned into instants through the zone, so that a
clock change on the day moves nothing: every comparison afterwards is in UTC.

:func:`shift_breaks` is what both sides read, the compiler (solver minutes) and the
verifier (instants): the breaks a shift must hold when the worker works in it. The rule
applies to a shift

* of more than ``min_shift_minutes`` (its length as the availability gives it),
* of a worker the rule is for (``workers.breaks``: blank = every rule of the dataset,
  ``none`` = no break, else the names of the rules that apply),
* whose time holds the window: the window is taken on the first local date, from the day
  before the shift's start on, where the window's starts clipped to the shift
  (``shift.start`` to ``shift.end - min_minutes``) are not empty. A window whose
  ``latest_start`` is before its ``earliest_start`` runs past midnight. A shift the
  window misses (an afternoon shift and a lunch window) gets no break from that rule.

A shift used for no job needs no break: the worker is not working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matchmaker.model._exceptions import DomainError
from matchmaker.model._time import add_minutes, utc

if TYPE_CHECKING:
    from matchmaker.model._domain import Shift, Worker

__all__ = [
    "NO_BREAKS",
    "BreakNeed",
    "BreakRule",
    "check_worker_breaks",
    "rule_names",
    "rules_of_worker",
    "shift_breaks",
]

NO_BREAKS = "none"
"""The word of ``workers.breaks`` for a worker who takes no break."""

_MAX_BREAK_MINUTES = 1440
_MAX_SHIFT_MINUTES = 527_040


class BreakRule(BaseModel):
    """One ``[[breaks]]`` table of ``dataset.toml`` (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        "",
        pattern=r"^[A-Za-z0-9_.-]*$",
        description="the rule's name, for workers.breaks (blank: break1, break2, ...)",
    )
    min_minutes: int = Field(ge=1, le=_MAX_BREAK_MINUTES, description="shortest break")
    max_minutes: int | None = Field(
        None, ge=1, le=_MAX_BREAK_MINUTES, description="longest break (blank: min_minutes)"
    )
    earliest_start: time = Field(description="local wall-clock time the break may start from")
    latest_start: time = Field(description="local wall-clock time the break starts by")
    min_shift_minutes: int = Field(
        0,
        ge=0,
        le=_MAX_SHIFT_MINUTES,
        description="the rule applies to shifts longer than this many minutes",
    )

    @model_validator(mode="after")
    def _lengths(self) -> BreakRule:
        if self.max_minutes is not None and self.max_minutes < self.min_minutes:
            raise ValueError("max_minutes must be >= min_minutes")
        if self.earliest_start.tzinfo is not None or self.latest_start.tzinfo is not None:
            raise ValueError("earliest_start and latest_start are local times, without offset")
        return self

    @property
    def longest(self) -> int:
        """``max_minutes``, else ``min_minutes``."""
        return self.min_minutes if self.max_minutes is None else self.max_minutes


def rule_names(rules: Sequence[BreakRule]) -> tuple[str, ...]:
    """Each rule's name: its own, else ``break1``, ``break2``, ... by position."""
    return tuple(rule.name or f"break{k + 1}" for k, rule in enumerate(rules))


def rules_of_worker(rules: Sequence[BreakRule], worker: Worker) -> tuple[int, ...]:
    """Positions in ``rules`` of the rules that apply to ``worker`` (``workers.breaks``)."""
    if worker.breaks is None:
        return tuple(range(len(rules)))
    wanted = set(worker.breaks)
    return tuple(k for k, name in enumerate(rule_names(rules)) if name in wanted)


def check_worker_breaks(workers: Sequence[Worker], rules: Sequence[BreakRule]) -> None:
    """Every break rule a worker names is a rule of the dataset."""
    known = set(rule_names(rules))
    for worker in workers:
        for name in worker.breaks or ():
            if name not in known:
                shown = ", ".join(sorted(known)) or "none in dataset.toml"
                raise DomainError(
                    f"worker {worker.worker_id}: unknown break rule {name!r} (rules: {shown})"
                )


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakNeed:
    """A break one shift must hold: its start lies in ``[earliest, latest]`` (UTC) and it
    lasts ``min_minutes`` to ``max_minutes``."""

    rule: int
    """Position of the rule in ``dataset.settings.breaks``."""
    name: str
    earliest: datetime
    latest: datetime
    min_minutes: int
    max_minutes: int


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    # The wall-clock time of that date in the zone, as a UTC instant (a time a clock
    # change skips counts with the offset before the change, as zoneinfo reads it).
    return utc(datetime.combine(day, clock, tzinfo=zone))


def shift_breaks(
    rules: Sequence[BreakRule], worker: Worker, shift: Shift, zone: tzinfo
) -> tuple[BreakNeed, ...]:
    """The breaks ``shift`` of ``worker`` must hold if the worker works in it, in rule
    order (see the module docstring)."""
    if not rules:
        return ()
    names = rule_names(rules)
    start, end = utc(shift.start), utc(shift.end)
    first = shift.start.astimezone(zone).date() - timedelta(days=1)
    last = shift.end.astimezone(zone).date()
    needs: list[BreakNeed] = []
    for k in rules_of_worker(rules, worker):
        rule = rules[k]
        if shift.minutes <= rule.min_shift_minutes:
            continue
        day = first
        while day <= last:
            opens = _at(day, rule.earliest_start, zone)
            closes_day = day if rule.latest_start >= rule.earliest_start else day + timedelta(1)
            closes = _at(closes_day, rule.latest_start, zone)
            low = max(opens, start)
            high = min(closes, utc(add_minutes(end, -rule.min_minutes)))
            if low <= high:
                needs.append(
                    BreakNeed(
                        rule=k,
                        name=names[k],
                        earliest=low,
                        latest=high,
                        min_minutes=rule.min_minutes,
                        max_minutes=rule.longest,
                    )
                )
                break
            day += timedelta(days=1)
    return tuple(needs)
