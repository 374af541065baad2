"""The sweep's placement loop (:mod:`benchmarks.sweep_ops`): one long placement request of
the round taken from request to its first month settled on the event store.

``ops placement-request`` and ``ops placement-shortlist``; when the shortlist has a
candidate, the first is interviewed, selected, contracted at a drawn monthly salary and
started on the request's start (or due) date (``ops import``); ``ops placement-settle``
settles the month it started in on the first of the next month; ``ops
placement-followups`` and ``ops placement-report`` follow. The report must say one
placement filled and the salary and service fee of ``docs/ops.md`` ("Placements"):
``round(monthly_salary * days / 30, 2)`` for the days worked that month, and that times
the fee rate, half up to the cent.
"""

from __future__ import annotations

import json
import random
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


def settled_first_month(start: date, duration_days: int, salary: str) -> tuple[str, str]:
    """Salary and service fee of the month ``start`` falls in (docs/ops.md)."""
    last = min(_next_month(start) - timedelta(days=1), start + timedelta(days=duration_days - 1))
    days = (last - start).days + 1
    pay = (Decimal(salary) * days / 30).quantize(CENT, ROUND_HALF_UP)
    fee = (pay * Decimal(FEE_RATE)).quantize(CENT, ROUND_HALF_UP)
    return str(pay), str(fee)


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
    args = ["ops", "placement-shortlist", *store_args, "--dataset", str(data), "--format", "json"]
    args += ["--placement", ENTITY, "--actor", "ops", "-k", str(rng.choice([1, 3]))]
    shortlist = sweep.capture([*args, "--time", (at + timedelta(hours=1)).isoformat()])
    report = ["ops", "placement-report", *store_args]
    candidates = [] if shortlist is None else json.loads(shortlist)["rows"]
    if not candidates:
        sweep.run(report)
        return
    worker = candidates[0]["worker_id"]
    start = date.fromisoformat(request["start_date"] or request["due_date"])
    salary = rng.choice(SALARIES)
    interview = at + timedelta(days=1)
    begins = max(datetime.combine(start, time(9), tzinfo=at.tzinfo), interview + timedelta(hours=3))
    events = [
        _line("placement_interview_scheduled", at + timedelta(hours=2), worker_id=worker,
              at=interview.isoformat()),
        _line("placement_selected", interview + timedelta(hours=1), worker_id=worker),
        _line("placement_contracted", interview + timedelta(hours=2), monthly_salary=salary,
              service_fee_rate=FEE_RATE),
        _line("placement_started", begins, start_date=start.isoformat()),
    ]  # fmt: skip
    path = data.parent / f"{data.name}-placement.jsonl"
    if not import_events(sweep, path, "".join(events), store_args):
        return
    month = start.isoformat()[:7]
    settled = datetime.combine(_next_month(start), time(10), tzinfo=at.tzinfo)
    args = ["ops", "placement-settle", *store_args, "--placement", ENTITY, "--month", month]
    if sweep.run([*args, "--actor", "finance", "--time", settled.isoformat()]) != 0:
        return
    sweep.run(["ops", "placement-followups", *store_args, "--as-of", settled.date().isoformat()])
    printed = sweep.capture(report)
    if printed is None:
        return
    kpis = json.loads(printed)
    pay, fee = settled_first_month(start, int(request["duration_days"]), salary)
    got = (kpis["filled"], kpis["salary_settled"], kpis["service_fee_settled"])
    if got != (1, pay, fee):
        sweep.fail(
            f"placement-report says filled, salary, fee {got}, the formula {(1, pay, fee)}: "
            f"request {request['request_id']} from {start}, {request['duration_days']} days "
            f"at {salary} ({' '.join(store_args)})"
        )
