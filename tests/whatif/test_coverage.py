"""coverage: demand and supply hours, thin jobs and why, expiring documents, idle workers."""

from __future__ import annotations

import json
from datetime import date

from matchmaker.model import Certificate, Dataset, TimeWindow, WorkerStatus
from matchmaker.whatif import Districts, coverage
from tests.clock import at
from tests.rules.world import HOME, NEAR, job, shift, worker, world

TOWN = Districts.named({"town": HOME})


def _round() -> Dataset:
    """Two days. W1 cleans and cooks (health certificate expires on day 1), W2 cleans,
    W3 is on leave, W4 has no shift; J3 asks for cantonese, J2 for cooking (W1 only)."""
    return world(
        workers=[
            worker(
                "W1",
                skills={"cleaning": 3, "cooking": 3},
                certificates=(Certificate(name="health", expires=date(2026, 12, 1)),),
                shifts=(shift(8, 18), shift(8, 12, day=1)),
                max_work_minutes=480,
            ),
            worker("W2", shifts=(shift(8, 18),)),
            worker("W3", status=WorkerStatus.ON_LEAVE),
            worker("W4", shifts=()),
        ],
        jobs=[
            job("J1", duration_minutes=120),
            job(
                "J2",
                required_skills=(),
                required_certificates=(),
                service_type="cooking",
                location=NEAR,
            ),
            job("J3", language_required=("cantonese",)),
            job("J4", window=TimeWindow(start=at(9, day=1), end=at(10, day=1))),
        ],
    )


def test_hours_per_skill_day_and_district() -> None:
    """Demand is duration x team under each required skill; supply is the active workers'
    shift hours (capped by max_work_minutes) under each skill they hold."""
    report = coverage(_round(), districts=TOWN)
    hours = report.hours.set_index(["skill", "day"])
    day0, day1 = date(2026, 12, 1), date(2026, 12, 2)
    assert hours.loc[("cleaning", day0), "demand_hours"] == 3.0  # J1 2 h + J3 1 h
    assert hours.loc[("cleaning", day0), "supply_hours"] == 18.0  # W1 8 h (capped) + W2 10 h
    assert hours.loc[("(none)", day0), "demand_hours"] == 1.0
    assert hours.loc[("(none)", day0), "supply_hours"] == 0.0
    assert bool(hours.loc[("(none)", day0), "short"])
    assert hours.loc[("cleaning", day1), "supply_hours"] == 4.0
    assert set(report.hours["district"]) == {"town"}
    assert report.summary["short_cells"] == 1


def test_thin_jobs_say_why() -> None:
    """A job nobody may serve gets the unassigned reason sentence; a job one worker may
    serve names that worker and what the others fail."""
    jobs = coverage(_round(), districts=TOWN).jobs.set_index("job_id")
    assert jobs.loc["J3", "eligible_workers"] == 0
    assert jobs.loc["J3", "reason_code"] == "LANGUAGE"
    assert "do not speak cantonese" in jobs.loc["J3", "reason"]
    # J4 on day 1: W1's certificate expired on day 0 and W2 has no shift that day.
    assert jobs.loc["J4", "eligible_workers"] == 0
    assert "J1" not in jobs.index


def test_documents_expiring_inside_the_round_and_idle_workers() -> None:
    """A certificate valid on the first day and expired by the last is listed with the
    jobs that need it afterwards; a worker with no shift in the round is listed."""
    report = coverage(_round(), districts=TOWN)
    docs = report.documents
    assert list(docs["worker_id"]) == ["W1"]
    assert docs.loc[0, "document"] == "certificate health"
    assert docs.loc[0, "jobs_needing_it_after"] == 1  # J4
    assert list(report.workers["worker_id"]) == ["W4"]  # W3 is on leave, but has a shift
    assert report.summary["workers_without_shifts"] == 1


def test_summary_line_and_json() -> None:
    """The dispatch line gives the headline numbers; to_dict is plain JSON."""
    report = coverage(_round(), districts=TOWN)
    line = report.summary_line()
    assert "4 jobs" in line and "2 with no eligible worker" in line
    back = json.loads(json.dumps(report.to_dict()))
    assert back["summary"]["jobs"] == 4
    assert back["documents"][0]["expires"] == "2026-12-01"


def test_an_empty_side_still_gives_the_tables() -> None:
    """No jobs, or nobody on shift: the tables are empty or all short, never an error."""
    empty = coverage(world(jobs=[]))
    assert len(empty.hours) == 0 and len(empty.jobs) == 0
    idle = coverage(world(workers=[worker("W1", shifts=())]))
    assert idle.hours["short"].all() and idle.summary["jobs_no_eligible"] == 1
