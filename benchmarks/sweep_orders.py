"""The orders the sweep's event-store day (:mod:`benchmarks.sweep_ops`) adds to a seeded
store, each with what the next ``ops jobs`` round must then hold.

- A recurring order (:data:`RECURRING`): three daily visits from the drawn day, priced.
  In the evening its next visit is paused for a day, or paused from that day on and
  resumed the same day (the visit comes back under a new id), or the order is amended
  from that day to visits of another duration (new ids). The next day's round must show
  exactly that change, the visit at the contract's wall-clock time in the schedule's
  timezone (also the day after a change of the clocks).
- An order with an assessment visit (:data:`ASSESSED`): an inquiry, the assessment booked
  on the drawn day (sometimes booked again, which replaces the visit), so the day's round
  must hold the visit. After the day the findings are recorded with a price book: refused
  while the visit is still open (the store's own state says whether it is), accepted once
  it is completed; then the order is quoted and ``ops order-status`` must show it quoted
  at the price book's hourly price times the findings' quantity.
"""

from __future__ import annotations

import json
import random
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.sweep_commands import Sweep, event_line

__all__ = [
    "ASSESSED",
    "PRICE_CENTS",
    "RECURRING",
    "Assessment",
    "ScheduleChange",
    "Terms",
    "assessment_booked",
    "assessment_recorded",
    "change_schedule",
    "contract",
    "money",
]

RECURRING = "OS1"
"""The recurring order contracted before the day: daily, three visits."""
PRICE_CENTS = 15000
"""The price of each of its visits."""
ASSESSED = "OA1"
"""The order whose assessment visit is dispatched on the day."""
SERVICE = "daily_cleaning"
"""Its service, priced by the sweep's price book at :data:`HOUR_PRICE` an hour."""
HOUR_PRICE = Decimal("45.00")
OPEN_STATES = ("unassigned", "proposed", "confirmed", "checked_in", "no_show")
"""Assessment visit states in which the findings must be refused (not completed)."""


def money(cents: int) -> str:
    """An amount in the events' and the report's money format: ``"150.00"``."""
    return f"{cents // 100}.{cents % 100:02d}"


def _template(customer: dict[str, str], duration: int) -> dict[str, object]:
    template: dict[str, object] = {"duration_minutes": duration, "window_minutes": 90}
    template |= {"required_skills": "cleaning:2", "price": money(PRICE_CENTS)}
    if customer["lat"]:
        template |= {"lat": float(customer["lat"]), "lon": float(customer["lon"])}
    return template


@dataclass(frozen=True, kw_only=True)
class Terms:
    """What :data:`RECURRING` was contracted on."""

    customer: dict[str, str]
    start_time: str
    """Each visit's wall-clock start, ``HH:MM`` in :attr:`timezone`."""
    timezone: str


def contract(
    rng: random.Random, data: Path, customer: dict[str, str], day: datetime, at: datetime
) -> tuple[str, Terms]:
    """The JSONL of :data:`RECURRING` for ``customer`` (three daily visits from ``day``)
    and its terms."""
    timezone = tomllib.loads((data / "dataset.toml").read_text(encoding="utf-8"))["timezone"]
    terms = Terms(customer=customer, start_time=rng.choice(["08:00", "13:30"]), timezone=timezone)
    schedule = {
        "frequency": "daily",
        "start_date": day.date().isoformat(),
        "count": 3,
        "start_time": terms.start_time,
        "timezone": timezone,
    }
    cid = customer["customer_id"]
    lines = [
        event_line(
            "order_created", RECURRING, at, "sales", customer_id=cid, service_type="cleaning"
        ),
        event_line("order_quoted", RECURRING, at, "sales", total=money(3 * PRICE_CENTS)),
        event_line(
            "order_contracted",
            RECURRING,
            at,
            "sales",
            schedule=schedule,
            visit=_template(customer, 120),
        ),
    ]
    return "".join(lines), terms


@dataclass(frozen=True, kw_only=True)
class ScheduleChange:
    """What the evening did to :data:`RECURRING`'s next visit, and how the next round must
    show it."""

    kind: str
    """``pause``, ``resume`` or ``amend``."""
    terms: Terms
    day: str
    """The day of the changed visit, ``YYYY-MM-DD``."""
    duration: int = 120

    def check(self, sweep: Sweep, jobs: list[dict[str, str]], folder: Path) -> None:
        """Fail the sweep when the round in ``folder`` (its ``jobs``) does not show it: the
        visit the change leaves (none when paused), with its duration, starting at the
        contract's wall-clock time on its day (in the schedule's timezone, whatever the
        clocks did overnight)."""
        old = f"{RECURRING}-002"
        ours = [j for j in jobs if j["job_id"].startswith(f"{RECURRING}-")]
        zone = ZoneInfo(self.terms.timezone)
        found = [
            (
                j["job_id"],
                int(j["duration_minutes"]),
                datetime.fromisoformat(j["earliest_start"]).astimezone(zone).strftime("%F %H:%M"),
            )
            for j in ours
        ]
        start = f"{self.day} {self.terms.start_time}"
        expected = {
            "pause": [],
            "resume": [(f"{old}-2", self.duration, start)],
            "amend": [(f"{RECURRING}-r1-002", self.duration, start)],
        }[self.kind]
        if found != expected:
            what = f"{RECURRING} {self.kind}d"
            sweep.fail(f"{what}: the round {folder} holds {found}, not {expected}")


def change_schedule(
    sweep: Sweep,
    rng: random.Random,
    store_args: list[str],
    terms: Terms,
    following: str,
    at: datetime,
) -> ScheduleChange | None:
    """Pause, pause and resume, or amend :data:`RECURRING` from ``following``; the change,
    or ``None`` when a command failed."""
    order = ["--order", RECURRING, "--actor", "office"]
    when = ["--time", at.isoformat()]
    kind = rng.choice(["pause", "resume", "amend"])
    if kind == "amend":
        duration = rng.choice([60, 90, 180])
        change = ScheduleChange(kind=kind, terms=terms, day=following, duration=duration)
        visit = json.dumps(_template(terms.customer, duration))
        args = ["ops", "schedule-amend", *store_args, *order, "--effective-from", following]
        return change if sweep.run([*args, "--visit", visit, *when]) == 0 else None
    until = ["--until", following] if kind == "pause" else []
    args = ["ops", "schedule-pause", *store_args, *order, "--from", following, *until, *when]
    if sweep.run(args) != 0:
        return None
    if kind == "resume":
        later = ["--time", (at + timedelta(minutes=5)).isoformat()]
        args = ["ops", "schedule-resume", *store_args, *order, "--from", following, *later]
        if sweep.run(args) != 0:
            return None
    return ScheduleChange(kind=kind, terms=terms, day=following)


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """The assessment visit booked for :data:`ASSESSED` on the day."""

    visit: str


def assessment_booked(
    sweep: Sweep,
    rng: random.Random,
    store_args: list[str],
    customer: dict[str, str],
    day: datetime,
    at: datetime,
) -> Assessment | None:
    """An inquiry for ``customer`` and its assessment booked on ``day`` (sometimes twice:
    the second booking replaces the first visit); ``None`` when a command failed."""
    created = ["--kind", "order_created", "--entity", ASSESSED, "--actor", "sales"]
    data = json.dumps({"customer_id": customer["customer_id"], "service_type": SERVICE})
    created += ["--data", data, "--time", at.isoformat()]
    if sweep.run(["ops", "event", *store_args, *created]) != 0:
        return None
    bookings = rng.choice([1, 1, 2])
    for number in range(bookings):
        start = day.replace(hour=rng.choice([9, 11, 14]), minute=0)
        args = ["ops", "assessment-schedule", *store_args, "--order", ASSESSED, "--actor", "office"]
        args += ["--at", start.isoformat(), "--duration", str(rng.choice([30, 45, 60]))]
        args += ["--window", str(rng.choice([0, 60, 180]))]
        args += ["--time", (at + timedelta(minutes=5 * (number + 1))).isoformat()]
        if sweep.run(args) != 0:
            return None
    return Assessment(visit=f"{ASSESSED}-assessment-{bookings}")


def assessment_recorded(
    sweep: Sweep,
    rng: random.Random,
    store_args: list[str],
    root: Path,
    assessment: Assessment,
    at: datetime,
) -> None:
    """Record the findings after the day: refused while the visit is open; otherwise the
    quote that follows must be the price book's lines."""
    status = ["ops", "order-status", *store_args, "--order", ASSESSED, "--format", "json"]
    shown = sweep.capture(status)
    if shown is None:
        return
    states = {row["visit"]: row["state"] for row in json.loads(shown)["rows"]}
    state = states.get(assessment.visit)
    if state is None:
        sweep.fail(f"{assessment.visit} is not among {ASSESSED}'s visits: {states}")
        return
    book = root / "prices.toml"
    book.write_text(f'[services.{SERVICE}]\nunit = "hour"\nunit_price = "{HOUR_PRICE}"\n')
    quantity = rng.choice([2, 3, 4.5])
    args = ["ops", "assessment-record", *store_args, "--order", ASSESSED]
    args += ["--actor", "office", "--findings", "three rooms, a dog", "--quantity", str(quantity)]
    args += ["--price-book", str(book), "--time", at.isoformat()]
    refusal = "record the findings once the assessor has completed it"
    code = sweep.run(args, refusals=(refusal,) if state in OPEN_STATES else ())
    if state in OPEN_STATES:
        if code == 0:
            sweep.fail(f"findings recorded while {assessment.visit} is {state}: {' '.join(args)}")
        return
    if code != 0:
        return
    quoted = ["--kind", "order_quoted", "--entity", ASSESSED, "--actor", "office"]
    later = (at + timedelta(minutes=10)).isoformat()
    if sweep.run(["ops", "event", *store_args, *quoted, "--time", later]) != 0:
        return
    shown = sweep.capture(status)
    if shown is None:
        return
    summary = json.loads(shown)["summary"]
    total = summary["quote"]["total"] if summary["quote"] else None
    expected = str((HOUR_PRICE * Decimal(str(quantity))).quantize(Decimal("0.01")))
    if summary["state"] != "quoted" or total != expected:
        got = f"{summary['state']}, total {total}"
        sweep.fail(f"{ASSESSED} after its findings: {got}; expected quoted at {expected}")
