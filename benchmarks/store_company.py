"""The synthetic company of the store benchmark (:mod:`benchmarks.store`) and the stores it
writes: 1,000 workers, 5,000 customers, 300 visits a day, each served visit created,
proposed, confirmed, checked in, completed, rated (with the worker's rating update),
accepted and settled (9 events), one in ten cancelled instead; the open round of the day
after the last one; and a copy of a store with half that round proposed.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from matchmaker.lifecycle import Event, EventStore

__all__ = ["START", "ZONE", "Company", "company_events", "fill_store", "open_round", "pinned_copy"]

SEED = 20261201
ZONE = timezone(timedelta(hours=8))
START = datetime(2026, 1, 5, tzinfo=ZONE)


@dataclass(frozen=True, kw_only=True)
class Company:
    workers: int = 1000
    customers: int = 5000
    visits_per_day: int = 300


def _e(kind: str, entity: str, when: datetime, actor: str, **payload: object) -> Event:
    return Event(kind=kind, entity_id=entity, time=when, actor=actor, payload=payload)


def _setup(company: Company, rng: random.Random) -> list[Event]:
    at = START - timedelta(days=1)
    events = [
        _e(
            "worker_registered",
            f"W{w:04d}",
            at,
            "import",
            background_check="passed",
            background_check_expires=None,
            certificates="",
            experience_years=float(rng.randint(0, 10)),
            gender=rng.choice("FM"),
            home_lat=31.0 + rng.random() * 0.4,
            home_lon=121.2 + rng.random() * 0.5,
            languages=["mandarin"],
            max_jobs=None,
            max_work_minutes=None,
            name=f"worker {w}",
            rating=4.5,
            rating_count=10,
            shift_end=None,
            shift_start=None,
            skills="cleaning:3",
            travel_mode="transit",
        )
        for w in range(company.workers)
    ]
    events += [
        _e(
            "customer_registered",
            f"C{c:05d}",
            at,
            "import",
            blocked_workers=[],
            lat=31.0 + rng.random() * 0.4,
            lon=121.2 + rng.random() * 0.5,
            name=f"customer {c}",
            preferred_gender=None,
            preferred_languages=[],
            preferred_workers=[],
            previous_workers=[],
        )
        for c in range(company.customers)
    ]
    return events


def _created(visit_id: str, customer: str, start: datetime) -> Event:
    return _e(
        "visit_created",
        visit_id,
        start - timedelta(days=2),
        "import",
        customer_id=customer,
        duration_minutes=120,
        earliest_start=start.isoformat(),
        gender_required=None,
        language_required=[],
        lat=None,
        latest_start=(start + timedelta(hours=1)).isoformat(),
        lon=None,
        min_experience_years=0.0,
        needs_car=False,
        order_id="",
        pinned_worker_id=[],
        price="200.00",
        priority=3,
        required_certificates=[],
        required_skills="cleaning:2",
        rework_of=None,
        rule=None,
        service_type="daily_cleaning",
        workers_needed=1,
    )


def _served(visit_id: str, worker: str, customer: str, start: datetime, stars: int) -> list[Event]:
    by = f"worker:{worker}"
    end = start + timedelta(hours=2)
    return [
        _e(
            "visit_proposed",
            visit_id,
            start - timedelta(days=1),
            "dispatcher",
            end=end.isoformat(),
            match_score=None,
            plan=None,
            start=start.isoformat(),
            travel_minutes=None,
            worker_ids=[worker],
        ),
        _e("visit_confirmed", visit_id, start - timedelta(hours=20), by, note=""),
        _e("visit_checked_in", visit_id, start, by, lat=None, lon=None, minutes_late=0),
        _e("visit_completed", visit_id, end, by, note=""),
        _e(
            "visit_rated",
            visit_id,
            end + timedelta(hours=1),
            f"customer:{customer}",
            comment="",
            stars=stars,
            worker_id=worker,
        ),
        _e(
            "worker_rating_updated",
            worker,
            end + timedelta(hours=1),
            "rule:rating_update",
            rating=4.5,
            rating_count=11,
            rule="rating_update",
            stars=stars,
            visit_id=visit_id,
        ),
        _e("visit_accepted", visit_id, end + timedelta(hours=2), "customer", note=""),
        _e(
            "visit_settled",
            visit_id,
            end + timedelta(hours=3),
            "billing",
            amount="200.00",
            method="online",
        ),
    ]


def company_events(
    company: Company, *, skip_days: int = 0, seed: int = SEED
) -> Iterator[tuple[int, list[Event]]]:
    """``(day, events)`` of the company, one day at a time (the setup first, as day -1)."""
    rng = random.Random(seed)
    setup = _setup(company, rng)
    if skip_days == 0:
        yield -1, setup
    day = 0
    while True:
        rng_day = random.Random(seed * 1000 + day)
        if day >= skip_days:
            events: list[Event] = []
            base = START + timedelta(days=day)
            for k in range(company.visits_per_day):
                visit_id = f"V{day:04d}-{k:03d}"
                customer = f"C{rng_day.randrange(company.customers):05d}"
                start = base + timedelta(hours=8 + (k % 10))
                events.append(_created(visit_id, customer, start))
                if rng_day.random() < 0.1:
                    events.append(
                        _e(
                            "visit_cancelled",
                            visit_id,
                            start - timedelta(days=1),
                            "customer",
                            reason="plans changed",
                        )
                    )
                else:
                    worker = f"W{rng_day.randrange(company.workers):04d}"
                    events += _served(visit_id, worker, customer, start, rng_day.randint(3, 5))
            yield day, events
        day += 1


def fill_store(path: Path, target: int, company: Company) -> tuple[int, int]:
    """Append whole days until the store holds at least ``target`` events; returns the
    number of the last full day and the seconds spent."""
    started = time.perf_counter()
    with EventStore(path, durable=False) as store:
        have = store.count()
        done_days = int(store.get_meta("bench_days") or 0)
        last = done_days - 1
        batch: list[Event] = []
        for day, events in company_events(company, skip_days=done_days):
            if have >= target:
                break
            batch += events
            have += len(events)
            last = day
            if len(batch) >= 20_000 or have >= target:
                with store.transaction() as tx:
                    tx.append(batch)
                    tx.set_meta("bench_days", str(last + 1))
                    tx.set_meta("timezone", "Asia/Shanghai")
                batch = []
    return last, round(time.perf_counter() - started)


def open_round(path: Path, day: int, company: Company) -> str:
    """Add the open visits of the day after the last full one (once); returns the date."""
    with EventStore(path, durable=False) as store:
        round_day = (START + timedelta(days=day + 1)).date()
        if store.get_meta("bench_round") != round_day.isoformat():
            rng = random.Random(SEED + day)
            base = START + timedelta(days=day + 1)
            events = [
                _created(
                    f"R{round_day:%Y%m%d}-{k:03d}",
                    f"C{rng.randrange(company.customers):05d}",
                    base + timedelta(hours=8 + k % 10),
                )
                for k in range(company.visits_per_day)
            ]
            with store.transaction() as tx:
                tx.append(events)
                tx.set_meta("bench_round", round_day.isoformat())
    return round_day.isoformat()


def pinned_copy(path: Path, round_day: str, company: Company, folder: Path) -> Path:
    """A copy of the store where every other visit of the open round is proposed to a
    worker (pinned in the round): ``ops jobs`` then loads the round to check the pins."""
    copy = folder / "pinned.db"
    shutil.copyfile(path, copy)
    midnight = datetime.fromisoformat(f"{round_day}T00:00:00").replace(tzinfo=ZONE)
    with EventStore(copy, durable=False) as store:
        prefix = f"R{midnight:%Y%m%d}-"
        events = [
            _e(
                "visit_proposed",
                f"{prefix}{k:03d}",
                midnight - timedelta(hours=2),
                "dispatcher",
                end=(midnight + timedelta(hours=10 + k % 10)).isoformat(),
                match_score=None,
                plan=None,
                start=(midnight + timedelta(hours=8 + k % 10)).isoformat(),
                travel_minutes=None,
                worker_ids=[f"W{k:04d}"],
            )
            for k in range(0, company.visits_per_day, 2)
        ]
        with store.transaction() as tx:
            tx.append(events)
    return copy
