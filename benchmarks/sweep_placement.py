"""The sweep's placement loop (:mod:`benchmarks.sweep_ops`): one long placement request of
the round taken from request to its first month settled on the event store.

``ops placement-request`` and ``ops placement-shortlist``; when the shortlist has a
candidate, the first is interviewed, selected, contracted at a drawn monthly salary and
started on the request's start (or due) date (``ops import``); on some postpartum requests
the due date is first moved a few days (``ops placement-move-due``), and the held worker
is re-checked (``ops placement-recheck``, exit 1 on a conflict). On half the runs that
worker is replaced after a few days: the next shortlist must leave them out, and its
first candidate is hired at another salary from the day after the replaced worker's last
day. On some runs the placement then completes early (``placement_completed`` on a drawn
day, its end date blank when recorded that day). ``ops placement-settle`` settles the
month it started in on the first of the next month; ``ops placement-followups`` and
``ops placement-report`` follow. The report must
say one placement filled and the salary and service fee of ``docs/ops.md``
("Placements"): per worker, ``round(monthly_salary * days / 30, 2)`` for their days that
month, and that times the fee rate, half up to the cent, summed.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from benchmarks.sweep_commands import Sweep, event_line, import_events

__all__ = ["placement_loop"]

ENTITY = "PL1"
SALARIES = ("9000", "13500", "16666")
"""Monthly salaries drawn for the contract (the last one rounds)."""
FEE_RATE = "0.12"
CENT = Decimal("0.01")


def _line(kind: str, when: datetime, /, **data: object) -> str:
    return event_line(kind, ENTITY, when, "ops", **data)


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True, kw_only=True)
class Stint:
    """A worker's dates on the placement (inclusive) at a monthly salary."""

    worker: str
    first: date
    last: date
    salary: str


def settled_month(month_start: date, stints: list[Stint]) -> tuple[str, str]:
    """Salary and service fee of the month starting ``month_start``, summed over the
    stints' lines (docs/ops.md: per worker, their days in the month)."""
    month_end = _next_month(month_start) - timedelta(days=1)
    pay_total, fee_total = Decimal(0), Decimal(0)
    for stint in stints:
        days = (min(stint.last, month_end) - max(stint.first, month_start)).days + 1
        if days > 0:
            pay = (Decimal(stint.salary) * days / 30).quantize(CENT, ROUND_HALF_UP)
            pay_total += pay
            fee_total += (pay * Decimal(FEE_RATE)).quantize(CENT, ROUND_HALF_UP)
    return str(pay_total.quantize(CENT)), str(fee_total.quantize(CENT))


def _shortlist(sweep: Sweep, args: list[str], at: datetime) -> list[str] | None:
    """The candidates ``ops placement-shortlist`` records at ``at``; ``None`` on a failure."""
    printed = sweep.capture([*args, "--time", at.isoformat()])
    return None if printed is None else [row["worker_id"] for row in json.loads(printed)["rows"]]


def _hired(
    worker: str, at: datetime, salary: str, start: date | None
) -> tuple[list[str], datetime]:
    """Interview, selection, contract and start of ``worker`` from ``at``: the JSONL lines
    and the start event's time (``start``: its date; ``None``: the placement's own)."""
    interview = at + timedelta(days=1)
    begins = interview + timedelta(hours=3)
    if start is not None:
        begins = max(datetime.combine(start, time(9), tzinfo=at.tzinfo), begins)
    started = {} if start is None else {"start_date": start.isoformat()}
    lines = [
        _line("placement_interview_scheduled", at, worker_id=worker, at=interview.isoformat()),
        _line("placement_selected", interview + timedelta(hours=1), worker_id=worker),
        _line("placement_contracted", interview + timedelta(hours=2), monthly_salary=salary,
              service_fee_rate=FEE_RATE),
        _line("placement_started", begins, **started),
    ]  # fmt: skip
    return lines, begins


def placement_loop(
    sweep: Sweep,
    rng: random.Random,
    data: Path,
    store_args: list[str],
    requests: list[dict[str, str]],
    at: datetime,
) -> None:
    """The loop of the module docstring for a drawn request; events from ``at`` on."""
    request = rng.choice(requests)
    args = ["ops", "placement-request", *store_args, "--dataset", str(data), "--entity", ENTITY]
    args += ["--request", request["request_id"], "--actor", "ops"]
    if sweep.run([*args, "--time", at.isoformat()]) != 0:
        return
    shortlist = ["ops", "placement-shortlist", *store_args, "--dataset", str(data)]
    shortlist += ["--format", "json", "--placement", ENTITY, "--actor", "ops"]
    shortlist += ["-k", str(rng.choice([1, 3]))]
    candidates = _shortlist(sweep, shortlist, at + timedelta(hours=1))
    report = ["ops", "placement-report", *store_args]
    if not candidates:
        sweep.run(report)
        return
    start = date.fromisoformat(request["start_date"] or request["due_date"])
    if not request["start_date"] and rng.random() < 0.4:  # the birth is expected another day
        start += timedelta(days=rng.choice([-3, 2, 5]))
        move = ["ops", "placement-move-due", *store_args, "--placement", ENTITY, "--actor", "ops"]
        move += ["--due-date", start.isoformat(), "--dataset", str(data)]
        if sweep.run([*move, "--time", (at + timedelta(minutes=90)).isoformat()]) != 0:
            return
    end = start + timedelta(days=int(request["duration_days"]) - 1)
    stints = [Stint(worker=candidates[0], first=start, last=end, salary=rng.choice(SALARIES))]
    events, begins = _hired(stints[0].worker, at + timedelta(hours=2), stints[0].salary, start)
    path = data.parent / f"{data.name}-placement.jsonl"
    if not import_events(sweep, path, "".join(events), store_args):
        return
    recheck = ["ops", "placement-recheck", *store_args, "--dataset", str(data)]
    # Exit 1 is the documented answer when the held worker now has a conflict.
    sweep.run([*recheck, "--placement", ENTITY], codes=(0, 1))
    last_event = begins
    if end > start and rng.random() < 0.5:  # the first worker replaced within days
        last_day = start + timedelta(days=rng.randint(0, min(9, (end - start).days - 1)))
        asked = max(datetime.combine(last_day, time(18), tzinfo=at.tzinfo), begins)
        asked += timedelta(hours=1)
        replaced = _line("placement_replacement_requested", asked, last_day=last_day.isoformat())
        if not import_events(sweep, path, replaced, store_args):
            return
        stints[0] = replace(stints[0], last=last_day)
        last_event = asked
        again = _shortlist(sweep, shortlist, asked + timedelta(hours=1))
        if again is None:
            return
        if stints[0].worker in again:
            sweep.fail(f"replaced worker {stints[0].worker} is shortlisted again: {shortlist}")
            return
        if again:
            salary = rng.choice(SALARIES)
            events, last_event = _hired(again[0], asked + timedelta(hours=2), salary, None)
            if not import_events(sweep, path, "".join(events), store_args):
                return
            nxt = last_day + timedelta(days=1)
            stints.append(Stint(worker=again[0], first=nxt, last=end, salary=salary))
    # The family ends the placement early (only while a worker is on it).
    if stints[-1].last == end and rng.random() < 0.3:
        done = stints[-1].first + timedelta(days=rng.randint(0, (end - stints[-1].first).days))
        when = max(datetime.combine(done, time(18), tzinfo=at.tzinfo), last_event)
        when += timedelta(hours=1)
        # A blank end date is the day the completion is recorded (before the planned end).
        ended = {} if when.date() == done else {"end_date": done.isoformat()}
        if not import_events(sweep, path, _line("placement_completed", when, **ended), store_args):
            return
        stints[-1] = replace(stints[-1], last=done)
        end, last_event = done, when
    # A worker replaced with no one hired after them leaves no running stint to settle.
    if stints[-1].last < end:
        sweep.run(report)
        return
    settled = datetime.combine(_next_month(start), time(10), tzinfo=at.tzinfo)
    settled = max(settled, last_event + timedelta(hours=1))
    args = ["ops", "placement-settle", *store_args, "--placement", ENTITY]
    args += ["--month", start.isoformat()[:7], "--actor", "finance"]
    if sweep.run([*args, "--time", settled.isoformat()]) != 0:
        return
    sweep.run(["ops", "placement-followups", *store_args, "--as-of", settled.date().isoformat()])
    printed = sweep.capture(report)
    if printed is None:
        return
    kpis = json.loads(printed)
    pay, fee = settled_month(start.replace(day=1), stints)
    got = (kpis["filled"], kpis["salary_settled"], kpis["service_fee_settled"])
    if got != (1, pay, fee):
        sweep.fail(
            f"placement-report says filled, salary, fee {got}, the formula {(1, pay, fee)}: "
            f"request {request['request_id']}, stints {stints} ({' '.join(store_args)})"
        )
