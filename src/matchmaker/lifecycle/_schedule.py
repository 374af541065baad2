"""A recurring order's schedule over time: pauses, resumptions and amendments.

A contract with a schedule expands into its visits when it is signed
(:mod:`~matchmaker.lifecycle._recurring`). Afterwards:

- **paused** (``order_schedule_paused``, ``from_date`` to ``until_date`` inclusive, or
  open-ended): no visit of the schedule takes place in the pause. Its visits not yet
  served on those days are cancelled (rule ``schedule_pause``). A pause drops those
  occurrences: it does not lengthen the contract (amend it for that).
- **resumed** (``order_schedule_resumed``, ``from_date``): the pause ends the day before
  ``from_date``; the occurrences from ``from_date`` to the pause's old end (all later ones
  for an open-ended pause) are created again (rule ``schedule_resume``).
- **amended** (``order_schedule_amended``, ``effective_from``): a new schedule and/or visit
  template from that day on. Visits before it are never touched; from it on, a visit not
  yet served whose job is exactly what the new schedule asks stays (with its worker),
  every other one is cancelled and the new occurrences are created (rule
  ``schedule_amendment``). Visits served already stay as they are.

Days are the schedule's own timezone. Pauses and amendments may not start before the day
they are recorded (the past is not rewritten). Visit ids: ``<order>-NNN`` for the
contract's schedule, ``<order>-rK-NNN`` for its K-th amendment; an id taken already (a
visit cancelled by a pause and created again) gets ``-2``, ``-3`` ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._recurring import Recurrence, VisitTemplate, expand
from matchmaker.lifecycle._visit import JobSpec
from matchmaker.model import LifecycleError

if TYPE_CHECKING:
    from matchmaker.lifecycle._order import Order

__all__ = [
    "Pause",
    "amended",
    "in_pause",
    "local_day",
    "occurrences",
    "open_pause",
    "paused",
    "resumed",
]

Pause = tuple[date, date | None]
"""First and last paused day (``None``: until resumed)."""


def local_day(moment: datetime, timezone: str) -> date:
    """The day of ``moment`` in the schedule's timezone."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def in_pause(pauses: tuple[Pause, ...], day: date) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in pauses)


def open_pause(order: Order, day: date) -> Pause | None:
    """The pause that covers ``day`` or starts after it (the one a resumption ends)."""
    for pause in order.pauses:
        if pause[1] is None or day <= pause[1]:
            return pause
    return None


def _schedule(order: Order, kind: str) -> Mapping[str, Any]:
    if order.schedule is None or order.visit_template is None:
        raise LifecycleError(
            f"order {order.order_id}: {kind} needs a recurring schedule (the contract has none)"
        )
    return order.schedule


def _not_before_today(order: Order, event: Event, day: date, name: str) -> None:
    today = local_day(event.time, str(_schedule(order, event.kind)["timezone"]))
    if day < today:
        raise LifecycleError(
            f"order {order.order_id}: {event.kind} {name} {day.isoformat()} is before the day "
            f"it is recorded ({today.isoformat()}); past visits are not changed"
        )


def paused(order: Order, event: Event) -> dict[str, Any]:
    start = date.fromisoformat(str(event.payload["from_date"]))
    until = event.get("until_date")
    end = None if until is None else date.fromisoformat(str(until))
    _not_before_today(order, event, start, "from_date")
    for other_start, other_end in order.pauses:
        if other_start <= (end or date.max) and start <= (other_end or date.max):
            shown = "open-ended" if other_end is None else f"to {other_end.isoformat()}"
            raise LifecycleError(
                f"order {order.order_id}: the schedule is paused already from "
                f"{other_start.isoformat()} {shown}; resume it first"
            )
    return {"pauses": (*order.pauses, (start, end))}


def resumed(order: Order, event: Event) -> dict[str, Any]:
    timezone = str(_schedule(order, event.kind)["timezone"])
    value = event.get("from_date")
    day = local_day(event.time, timezone) if value is None else date.fromisoformat(str(value))
    pause = open_pause(order, day)
    if pause is None:  # refused by the ledger (check_step) with its reason
        return {"last_resumed": None}
    start, _end = pause
    rest = tuple(p for p in order.pauses if p != pause)
    if day > start:
        rest = (*rest, (start, day - timedelta(days=1)))
    return {"pauses": tuple(sorted(rest, key=lambda p: p[0])), "last_resumed": pause}


def amended(order: Order, event: Event) -> dict[str, Any]:
    _schedule(order, event.kind)
    effective = date.fromisoformat(str(event.payload["effective_from"]))
    _not_before_today(order, event, effective, "effective_from")
    changes: dict[str, Any] = {
        "schedule_revision": order.schedule_revision + 1,
        "schedule_from": effective,
    }
    if event.get("schedule") is not None:
        changes["schedule"] = event.payload["schedule"]
    if event.get("visit") is not None:
        changes["visit_template"] = event.payload["visit"]
    return changes


def occurrences(
    order: Order, *, first: date | None = None, last: date | None = None
) -> list[tuple[str, JobSpec]]:
    """The current schedule's visits (``(base id, job)``) from ``first`` to ``last``
    (inclusive), without the days of a pause and before the schedule took effect."""
    schedule = _schedule(order, "schedule")
    assert order.visit_template is not None  # checked by _schedule
    timezone = str(schedule["timezone"])
    prefix = (
        order.order_id
        if order.schedule_revision == 0
        else (f"{order.order_id}-r{order.schedule_revision}")
    )
    jobs = expand(
        Recurrence.from_payload(schedule),
        VisitTemplate.from_payload(order.visit_template),
        order_id=prefix,
        customer_id=order.customer_id,
        service_type=order.service_type,
    )
    out = []
    for visit_id, job in jobs:
        day = local_day(job.earliest_start, timezone)
        if order.schedule_from is not None and day < order.schedule_from:
            continue
        if (first is not None and day < first) or (last is not None and day > last):
            continue
        if in_pause(order.pauses, day):
            continue
        out.append((visit_id, _with_order(job, order.order_id)))
    return out


def _with_order(job: JobSpec, order_id: str) -> JobSpec:
    # expand() names the visits after its order_id; the jobs belong to the order itself.
    return replace(job, order_id=order_id)
