"""The sweep's event-store day (:mod:`benchmarks.sweep`): a generated round seeded into a
store (SQLite, or a schema of a PostgreSQL cluster) and run through the loop of
``docs/ops.md``, with drawn events.

1. ``ops import-dataset`` the day before; a recurring order contracted (three daily visits
   from the drawn day, priced) and an inquiry whose assessment is booked on the day
   (:mod:`benchmarks.sweep_orders`).
2. ``ops jobs`` for the day (it must hold the assessment visit), ``dispatch``, ``verify``
   and ``ops apply-plan``.
3. The morning's answers by ``ops import``: confirmations, declines, cancellations, a
   worker's leave; then ``ops replan --apply``, ``verify`` of the re-plan, and ``ops
   recommend`` for a visit left open.
4. The day's service of the visits that stayed confirmed: check-in or no-show,
   completion, rework on site, acceptance, a rating, settlement, a follow-up, an issue, a
   complaint investigated.
5. The reports (``report``, ``followups``, ``statement``, ``log``, ``order-status``). A
   customer's statement must total what they were settled in the day's month (in the
   store's timezone). A week after the day, ``ops report`` must count the served visits,
   no-shows, complaints, revenue and mean rating the events fed it, and print the same
   after ``ops rebuild`` (replay equals the live state).
6. The assessment's findings recorded with a price book: refused while its visit is open,
   else the order quoted at the book's price.
7. With placement requests, one placement from request to its first month settled
   (:mod:`benchmarks.sweep_placement`).
8. The evening: a customer replacing the worker who served them, a new worker screened and
   approved, the recurring order's next visit paused, resumed or amended. The next day's
   ``ops jobs``, ``dispatch`` and ``verify`` follow; that round must hold the new worker
   and show the schedule's change, and the customer's block reaches it as a rule
   ``verify`` checks.

Every event the sweep draws is valid for its entity's state, so an ``ops`` command that
does not exit 0 is a failure, like any other command's.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.sweep_commands import REFUSALS, Sweep, event_line, import_events, read_rows
from benchmarks.sweep_orders import (
    ASSESSED,
    PRICE_CENTS,
    RECURRING,
    assessment_booked,
    assessment_recorded,
    change_schedule,
    contract,
    money,
)
from benchmarks.sweep_placement import placement_loop

__all__ = ["ops_day"]

NOTHING = "nothing to dispatch"
"""What ``ops jobs`` prints for a day without visits (exit 0, nothing written)."""
HIRED = "N1"
"""The worker who applies, is screened and approved in the evening."""


def _visits(plan: Path) -> dict[str, list[dict[str, str]]]:
    """The plan's visits: job id -> its rows in ``assignments.csv`` (a team has several)."""
    visits: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_rows(plan / "assignments.csv"):
        if row.get("kind", "visit") == "visit":
            visits[row["job_id"]].append(row)
    return dict(visits)


def _morning(
    rng: random.Random,
    visits: dict[str, list[dict[str, str]]],
    pinned: set[str],
    open_jobs: list[str],
    at: datetime,
) -> tuple[str, set[str]]:
    """The answers before the day: most visits confirmed (a pinned visit was confirmed when
    the store was seeded), some declined, one cancelled, one worker on leave. Returns the
    JSONL and the visits confirmed."""
    lines: list[str] = []
    confirmed: set[str] = set()
    for job_id, rows in visits.items():
        worker = rng.choice(rows)["worker_id"]
        draw = rng.random()
        if draw < 0.65:
            if job_id not in pinned:
                lines.append(event_line("visit_confirmed", job_id, at, f"worker:{worker}"))
            confirmed.add(job_id)
        elif draw < 0.8:
            lines.append(
                event_line("visit_declined", job_id, at, f"worker:{worker}", worker_id=worker)
            )
        elif draw < 0.85:
            lines.append(
                event_line("visit_cancelled", job_id, at, "dispatcher", reason="customer away")
            )
    if open_jobs and rng.random() < 0.5:
        lines.append(
            event_line("visit_cancelled", rng.choice(open_jobs), at, "dispatcher", reason="no need")
        )
    if visits and rng.random() < 0.4:
        rows = visits[rng.choice(sorted(visits))]
        lines.append(
            event_line(
                "worker_leave_started", rows[0]["worker_id"], at, "dispatcher", reason="sick"
            )
        )
    return "".join(lines), confirmed


@dataclass(kw_only=True)
class Fed:
    """What the day's service events amount to: what ``ops report`` must count."""

    lines: list[str] = field(default_factory=list)
    no_shows: int = 0
    complaints: int = 0
    stars: list[int] = field(default_factory=list)
    settlements: list[tuple[str, int, datetime]] = field(default_factory=list)
    """Each settlement's customer, amount in cents and time."""
    served_visits: list[str] = field(default_factory=list)

    @property
    def revenue_cents(self) -> int:
        return sum(cents for _, cents, _ in self.settlements)

    def add(self, kind: str, entity: str, time: datetime, actor: str, **data: object) -> None:
        self.lines.append(event_line(kind, entity, time, actor, **data))

    def jsonl(self) -> str:
        return "".join(self.lines)


def _service(rng: random.Random, visits: dict[str, list[dict[str, str]]], kept: set[str]) -> Fed:
    """The day's service of the visits in ``kept`` (confirmed, and left alone by the
    re-plan)."""
    fed = Fed()
    for number, job_id in enumerate(sorted(kept)):
        rows = visits[job_id]
        worker = rows[0]["worker_id"]
        start = datetime.fromisoformat(rows[0]["start"])
        end = datetime.fromisoformat(rows[0]["end"])
        crew, customer = f"worker:{worker}", f"customer:{rows[0]['customer_id']}"
        if rng.random() < 0.08:
            fed.add("visit_no_show", job_id, start + timedelta(minutes=20), "dispatcher")
            fed.no_shows += len(rows)  # every worker of the visit
            continue
        late = timedelta(minutes=rng.choice([0, 0, 5, 25]))
        fed.add("visit_checked_in", job_id, start + late, crew)
        if rng.random() < 0.15:
            category = rng.choice(["no_supplies", "pet"])
            fed.add("visit_issue_reported", job_id, start + late, crew, category=category)
        fed.add("visit_completed", job_id, end + late, crew)
        fed.served_visits.append(job_id)
        after = end + late + timedelta(minutes=30)
        if rng.random() < 0.3:
            stars = rng.randint(1, 5)
            fed.add("visit_rated", job_id, after, customer, stars=stars, worker_id=worker)
            fed.stars.append(stars)
        if rng.random() < 0.1:
            reason = "missed a room"
            fed.add("visit_rework_requested", job_id, after, customer, on_site=True, reason=reason)
            after += timedelta(minutes=30)
            fed.add("visit_rework_done", job_id, after, crew)
        if rng.random() < 0.1:
            complaint = f"K{number:04d}"
            about = {"visit_id": job_id, "worker_id": worker, "category": "late"}
            fed.add("complaint_opened", complaint, after, customer, **about)
            fed.add("complaint_investigation_started", complaint, after, "dispatcher")
            verdict = rng.choice(["complaint_upheld", "complaint_rejected"])
            fed.add(verdict, complaint, after + timedelta(hours=1), "dispatcher")
            fed.complaints += 1
        if rng.random() < 0.2:
            continue
        fed.add("visit_accepted", job_id, after, customer)
        if rng.random() < 0.3:
            continue
        method = rng.choice(["online", "cash", "monthly_billing"])
        settled = after + timedelta(hours=3)
        if job_id.startswith(f"{RECURRING}-"):  # settled at its price
            amount = PRICE_CENTS
            fed.add("visit_settled", job_id, settled, "finance", method=method)
        else:  # imported visits have no price
            amount = 100 * rng.choice([80, 120, 300])
            paid = {"amount": money(amount), "method": method}
            fed.add("visit_settled", job_id, settled, "finance", **paid)
        fed.settlements.append((rows[0]["customer_id"], amount, settled))
        if rng.random() < 0.5:
            satisfied = rng.random() < 0.8
            fed.add("visit_followed_up", job_id, settled, "dispatcher", satisfied=satisfied)
    return fed


def _evening(
    sweep: Sweep,
    rng: random.Random,
    data: Path,
    store_args: list[str],
    visits: dict[str, list[dict[str, str]]],
    fed: Fed,
    at: datetime,
) -> bool:
    """After the day: a customer asking to replace the worker who served them, a new worker
    screened; whether :data:`HIRED` was approved."""
    time = ["--time", at.isoformat(), "--actor", "office"]
    if fed.served_visits:
        rows = visits[rng.choice(fed.served_visits)]
        customer, worker = rows[0]["customer_id"], rows[0]["worker_id"]
        args = ["ops", "replace-worker", *store_args, "--customer", customer, "--worker", worker]
        sweep.run([*args, "--reason", "asked for another", *time])
    model = rng.choice(read_rows(data / "workers.csv"))
    profile = {
        "gender": model["gender"],
        "skills": model["skills"],
        "home_lat": float(model["home_lat"]),
        "home_lon": float(model["home_lon"]),
        "shift_start": "08:00",
        "shift_end": "18:00",
    }
    later = ["--time", (at + timedelta(minutes=10)).isoformat(), "--actor", "hr"]
    apply = ["ops", "worker-apply", *store_args, "--worker", HIRED, "--data", json.dumps(profile)]
    if sweep.run([*apply, *time]) != 0:
        return False
    screen = ["ops", "worker-screen", *store_args, "--worker", HIRED, *later, "--step"]
    steps = [
        ["interview", "--outcome", "passed"],
        ["training", "--course", "home care"],
        ["background-check", "--result", "passed", "--expires", "2030-01-01"],
        ["approve"],
    ]
    return all(sweep.run([*screen, *step]) == 0 for step in steps)


def _dispatched(
    sweep: Sweep, store_args: list[str], day: str, folder: Path, seed: int
) -> Path | None:
    """``ops jobs`` for ``day``, then ``dispatch`` and ``verify``: the plan folder, or
    ``None`` when the day has nothing to dispatch or a command failed."""
    done = sweep.capture(["ops", "jobs", *store_args, "--date", day, "--out", str(folder)])
    if done is None or NOTHING in done:
        return None
    plan = folder.parent / f"{folder.name}-plan"
    args = ["dispatch", str(folder), "--out", str(plan), "--time-limit", "2", "--seed", str(seed)]
    if sweep.run(args, refusals=REFUSALS) != 0:
        return None
    if sweep.run(["verify", str(folder), str(plan)]) != 0:
        return None
    return plan


def ops_day(
    sweep: Sweep,
    rng: random.Random,
    data: Path,
    root: Path,
    number: int,
    seed: int,
    store: str,
) -> None:
    """The event-store day of the module docstring on the round in ``data``, in ``store``
    (an SQLite file or a PostgreSQL URL)."""
    store_args = ["--store", store]
    jobs = read_rows(data / "jobs.csv")
    starts = sorted(datetime.fromisoformat(j["earliest_start"]) for j in jobs)
    # The jobs' offsets are the round's own, so these dates are its local days.
    first = starts[0]
    before = (first - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    args = ["ops", "import-dataset", str(data), *store_args, "--time", before.isoformat()]
    if sweep.run(args) != 0:
        return
    day_start = rng.choice(starts)
    day = day_start.date().isoformat()
    customers = read_rows(data / "customers.csv")
    recurring, terms = contract(rng, data, rng.choice(customers), day_start, before)
    if not import_events(sweep, root / f"ops{number}-contract.jsonl", recurring, store_args):
        return
    assessment = assessment_booked(sweep, rng, store_args, rng.choice(customers), day_start, before)
    if assessment is None:
        return
    plan = _dispatched(sweep, store_args, day, root / f"ops{number}-round", seed)
    if plan is None:
        return
    round_jobs = read_rows(plan / "input" / "jobs.csv")
    exported = {j["job_id"] for j in round_jobs}
    others = {j for j in exported if j.startswith(f"{ASSESSED}-")} - {assessment.visit}
    if assessment.visit not in exported or others:
        sweep.fail(f"the round {plan} holds {ASSESSED}'s {others or 'no'} visit, not {assessment}")
    # The store's events of the import are at ``before``; the day's come after it.
    prepared = max(before, (day_start - timedelta(days=1)).replace(hour=13, minute=0))
    apply = ["ops", "apply-plan", str(plan), *store_args, "--time", prepared.isoformat()]
    if sweep.run(apply) != 0:
        return
    visits = _visits(plan)
    open_jobs = [r["job_id"] for r in read_rows(plan / "unassigned.csv")]
    pinned = {j["job_id"] for j in round_jobs if j["pinned_worker_id"]}
    morning, confirmed = _morning(rng, visits, pinned, open_jobs, prepared + timedelta(hours=1))
    if not import_events(sweep, root / f"ops{number}-morning.jsonl", morning, store_args):
        return
    again = root / f"ops{number}-replan"
    args = ["ops", "replan", *store_args, "--plan", str(plan), "--date", day, "--out", str(again)]
    args += ["--time", (prepared + timedelta(hours=2)).isoformat(), "--apply"]
    args += ["--time-limit", "2", "--max-moves", str(rng.choice([0, 3]))]
    if sweep.run(args) != 0:
        return
    kept = confirmed
    if again.exists():
        if sweep.run(["verify", str(again / "input"), str(again)]) != 0:
            return
        unchanged = {
            r["job_id"] for r in read_rows(again / "diff.csv") if r["change"] == "unchanged"
        }
        kept = confirmed & unchanged
        still_open = [r["job_id"] for r in read_rows(again / "unassigned.csv")]
        if still_open:
            visit = rng.choice(still_open)
            sweep.run(["ops", "recommend", *store_args, "--plan", str(again), "--visit", visit])
    fed = _service(rng, visits, kept)
    if not import_events(sweep, root / f"ops{number}-service.jsonl", fed.jsonl(), store_args):
        return
    orders = sorted({j["order_id"] for j in jobs if j.get("order_id")})
    _reports(sweep, rng, store_args, day_start, fed, orders, terms.timezone)
    evening = day_start.replace(hour=21, minute=0)
    assessment_recorded(sweep, rng, store_args, root, assessment, evening)
    requests = data / "placement_requests.csv"
    if requests.exists():
        placement_loop(sweep, rng, data, store_args, read_rows(requests), prepared)
    hired = _evening(sweep, rng, data, store_args, visits, fed, evening)
    following = (day_start + timedelta(days=1)).date().isoformat()
    change = change_schedule(sweep, rng, store_args, terms, following, evening)
    folder = root / f"ops{number}-next"
    _dispatched(sweep, store_args, following, folder, seed)
    written = folder / "jobs.csv"
    if change is not None:  # a day with nothing to dispatch writes no round: no visit
        change.check(sweep, read_rows(written) if written.exists() else [], folder)
    if not written.exists():
        return
    workers_next = {w["worker_id"] for w in read_rows(folder / "workers.csv")}
    if hired and HIRED not in workers_next:
        sweep.fail(f"approved worker {HIRED} is not in the round {folder}")


def _reports(
    sweep: Sweep,
    rng: random.Random,
    store_args: list[str],
    day: datetime,
    fed: Fed,
    orders: list[str],
    timezone: str,
) -> None:
    """The reports on the store. A customer's statement for the day's month must total
    what they were settled in that month (in the store's ``timezone``); a week after the
    day, ``ops report`` must count what the service events fed it, and print the same
    after ``ops rebuild``."""
    date = day.date().isoformat()
    as_of = ["--as-of", date]
    sweep.run(["ops", "report", *store_args, *as_of, "--format", "json", "--details"])
    sweep.run(["ops", "followups", *store_args, *as_of, "--format", rng.choice(["table", "csv"])])
    sweep.run(["ops", "log", *store_args, "--limit", "20"])
    if fed.settlements:
        customer, month, zone = rng.choice(fed.settlements)[0], date[:7], ZoneInfo(timezone)
        args = ["ops", "statement", *store_args, "--customer", customer, "--month", month]
        shown = sweep.capture([*args, "--format", "json"])
        settled = money(
            sum(
                cents
                for who, cents, time in fed.settlements
                if who == customer and time.astimezone(zone).strftime("%Y-%m") == month
            )
        )
        total = None if shown is None else json.loads(shown)["summary"]["total"]
        if shown is not None and total != settled:
            sweep.fail(f"ops statement totals {total}, the events settled {settled}: {args}")
    if orders:
        sweep.run(["ops", "order-status", *store_args, "--order", rng.choice(orders)])
    week = (day + timedelta(days=7)).date().isoformat()
    report = ["ops", "report", *store_args, "--as-of", week, "--format", "json"]
    before = sweep.capture(report)
    if before is None:
        return
    summary = json.loads(before)["summary"]
    expected = {
        "visits_served": len(fed.served_visits),
        "no_shows": fed.no_shows,
        "complaints": fed.complaints,
        "revenue": money(fed.revenue_cents),
        "average_rating": sum(fed.stars) / len(fed.stars) if fed.stars else None,
    }
    for key, value in expected.items():
        if summary.get(key) != value:
            got = summary.get(key)
            sweep.fail(f"ops report {key} is {got!r}, the events fed {value!r}: {' '.join(report)}")
    if sweep.run(["ops", "rebuild", *store_args]) != 0:
        return
    if sweep.capture(report) != before:
        sweep.fail(f"ops report changed after ops rebuild: {' '.join(report)}")
