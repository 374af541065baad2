"""Re-plans: frozen jobs never move, moves stay within the budget, no change gives the same
plan, every plan verifies, and the diff says what happened and why."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.live import Change, parse_changes, replan
from matchmaker.model import Dataset, DatasetError, SkillRequirement, TimeWindow, utc
from matchmaker.plan import Plan, dispatch, verify
from tests.clock import at
from tests.rules.world import followed, job, plan_of, shift, worker, world

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _lines(*records: dict[str, object]) -> list[str]:
    return [json.dumps(r) for r in records]


def _visits(plan: Plan) -> dict[str, tuple[tuple[str, ...], datetime]]:
    workers: dict[str, list[str]] = {}
    starts: dict[str, datetime] = {}
    for a in plan.assignments:
        workers.setdefault(a.job_id, []).append(a.worker_id)
        starts[a.job_id] = a.start
    return {j: (tuple(sorted(w)), starts[j]) for j, w in workers.items()}


@st.composite
def _changes(draw: st.DrawFn, dataset: Dataset, plan: Plan) -> list[Change]:
    """One to three random changes of every kind but job_added, about the plan's jobs."""
    records: list[dict[str, object]] = []
    served = sorted({a.job_id for a in plan.assignments})
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["worker_unavailable", "job_cancelled", "job_overrun", "job_declined"])
        )
        if kind == "worker_unavailable":
            w = draw(st.sampled_from([w.worker_id for w in dataset.workers]))
            moment = draw(st.sampled_from([a.start for a in plan.assignments] or [at(12)]))
            records.append({"kind": kind, "worker_id": w, "from": moment.isoformat()})
        elif served:
            a = draw(st.sampled_from([a for a in plan.assignments]))
            if kind == "job_cancelled" and a.job_id not in {r.get("job_id") for r in records}:
                records.append({"kind": kind, "job_id": a.job_id})
            elif kind == "job_overrun":
                records.append(
                    {"kind": kind, "job_id": a.job_id, "minutes": draw(st.integers(1, 90))}
                )
            elif kind == "job_declined":
                records.append({"kind": kind, "job_id": a.job_id, "worker_id": a.worker_id})
    cancelled = {r["job_id"] for r in records if r["kind"] == "job_cancelled"}
    records = [
        r for r in records if r["kind"] == "job_cancelled" or r.get("job_id") not in cancelled
    ]
    return parse_changes(_lines(*records), dataset, file="changes.jsonl")


@settings(max_examples=50, deadline=None, suppress_health_check=_SLOW)
@given(data=st.data(), budget=st.sampled_from([0, 1, 3]))
def test_frozen_jobs_stay_moves_keep_the_budget_and_the_plan_verifies(
    data: st.DataObject, budget: int
) -> None:
    """Random rounds (with home-care rules or not), random changes, a random freeze time:
    jobs starting before it that no change hit keep worker and start (an overrun may hit
    the visits after it on its workers); at most ``budget`` jobs no change hit move; the new
    plan passes verify on the changed round. (With the way home counted, an overrun to the
    end of a shift once left no time to get home, and the solver stopped with an internal
    error placing that visit: tests/live/test_replan_rules.py.)"""
    from tests.strategies import datasets

    # Home-care rules need the routing solver (greedy refuses them).
    rules = data.draw(st.booleans())
    dataset = data.draw(datasets(max_workers=5, max_jobs=7, rules=rules))
    solver = "routing" if rules else "greedy"
    plan = dispatch(dataset, solver=solver, time_limit=0.3 if rules else 10.0, seed=0).plan
    changes = data.draw(_changes(dataset, plan))
    starts = sorted({a.start for a in plan.assignments}, key=utc)
    freeze = data.draw(st.sampled_from([None, *starts]))
    result = replan(
        dataset,
        plan,
        changes,
        max_moves=budget,
        freeze_before=freeze,
        time_limit=0.5 if rules else 3.0,
        solver=solver,
    )
    assert result.violations == (), (
        [str(v.rule) + ": " + v.message for v in result.violations],
        [c.label for c in changes],
        freeze,
    )
    assert verify(result.dataset, result.plan) == []
    assert result.moved <= budget
    assert result.plan.kpis["replan"]["moved"] == result.moved
    before, after = _visits(plan), _visits(result.plan)
    for job_id in result.frozen:
        assert after.get(job_id) == before[job_id], (job_id, [c.label for c in changes])
    if freeze is not None:
        frozen_like = {j for j, (_, start) in before.items() if utc(start) < utc(freeze)} - {
            c.job_id for c in changes
        }
        hit_workers = {
            c.worker_id for c in changes if c.kind in ("worker_unavailable", "job_declined")
        }
        overrun = [before[c.job_id] for c in changes if c.kind == "job_overrun"]
        after_overrun = {
            job_id
            for job_id, (workers, start) in before.items()
            for over_workers, over_start in overrun
            if set(workers) & set(over_workers) and utc(start) >= utc(over_start)
        }
        for job_id in frozen_like - after_overrun:
            if not set(before[job_id][0]) & hit_workers:
                assert job_id in result.frozen, (job_id, [c.label for c in changes], freeze)
        for job_id, (_, start) in after.items():
            if job_id not in result.frozen and before.get(job_id) != after[job_id]:
                assert utc(start) >= utc(freeze), (job_id, [c.label for c in changes], freeze)


@settings(max_examples=40, deadline=None, suppress_health_check=_SLOW)
@given(data=st.data())
def test_no_changes_give_the_previous_plan_back(data: st.DataObject) -> None:
    """A re-plan without changes returns the previous assignments unchanged."""
    from tests.strategies import datasets

    dataset = data.draw(datasets(max_workers=5, max_jobs=7))
    plan = dispatch(dataset, solver="greedy", time_limit=10.0).plan
    result = replan(dataset, plan, [], max_moves=5, time_limit=2.0)
    assert result.plan.assignments == plan.assignments
    assert result.moved == 0
    assert all(row.change == "unchanged" for row in result.diff)


def _day() -> Dataset:
    """Two workers, three jobs in a row for W1 (09, 11, 14 h) and one for W2 (09 h)."""
    return world(
        workers=[worker("W1"), worker("W2", shifts=(shift(8, 18),))],
        jobs=[
            job("A", window=TimeWindow(start=at(9), end=at(9))),
            job("B", window=TimeWindow(start=at(11), end=at(11))),
            job("C", window=TimeWindow(start=at(14), end=at(15))),
            job("D", window=TimeWindow(start=at(9), end=at(9))),
        ],
    )


def _planned(dataset: Dataset) -> Plan:
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    assert len(plan.assignments) == 4
    return plan


def test_a_sick_worker_loses_the_jobs_after_they_leave_and_keeps_the_one_under_way() -> None:
    """W sick from 10:00: the job they started at 09:00 stays; their later jobs go to the
    other worker or are dropped, each with the sick change as its cause."""
    dataset = _day()
    plan = _planned(dataset)
    sick = next(a.worker_id for a in plan.assignments if a.job_id == "B")
    changes = parse_changes(
        _lines({"kind": "worker_unavailable", "worker_id": sick, "from": at(10).isoformat()}),
        dataset,
        file="c.jsonl",
    )
    result = replan(dataset, plan, changes, time_limit=3.0, freeze_before=at(10))
    assert result.ok
    rows = {row.job_id: row for row in result.diff}
    for job_id in ("B", "C"):
        assert rows[job_id].change in ("reassigned", "dropped")
        assert rows[job_id].cause.startswith(f"worker_unavailable {sick} (line 1)")
        assert sick not in rows[job_id].after_worker_id
    assert result.moved == 0
    assert result.plan.kpis["diff"] == result.diff_counts()
    assert result.plan.kpis["objective_terms"]["stability_cost"] == 0


def test_an_overrun_pushes_the_next_job_within_the_tolerance() -> None:
    """An overrun of 20 minutes with a tolerance of 30 keeps the next job on its worker,
    counted as unchanged; with no tolerance the next job is hit by the overrun."""
    dataset = world(
        workers=[worker("W1")],
        jobs=[
            job("A", window=TimeWindow(start=at(9), end=at(9))),
            job("B", window=TimeWindow(start=at(10), end=at(11))),
        ],
    )
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    changes = parse_changes(
        _lines({"kind": "job_overrun", "job_id": "A", "minutes": 20}), dataset, file="c.jsonl"
    )
    loose = replan(dataset, plan, changes, shift_tolerance=30, time_limit=2.0)
    assert {r.job_id: r.change for r in loose.diff} == {"A": "unchanged", "B": "unchanged"}
    strict = replan(dataset, plan, changes, time_limit=2.0)
    row = next(r for r in strict.diff if r.job_id == "B")
    assert row.change == "moved"
    assert row.cause == "job_overrun A +20 min (line 1)"
    assert strict.moved == 0
    assert strict.ok and loose.ok


def test_an_overrun_into_a_frozen_visit_hits_it_instead_of_overlapping_it() -> None:
    """Both visits start before the freeze, so both would stay; A's overrun runs into B, so
    B is hit by the overrun (not frozen, not counted as a move) and the plan verifies."""
    dataset = world(
        workers=[worker("W1")],
        jobs=[
            job("A", window=TimeWindow(start=at(9), end=at(9))),
            job("B", window=TimeWindow(start=at(10), end=at(12))),
        ],
    )
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    starts = {a.job_id: a.start for a in plan.assignments}
    changes = parse_changes(
        _lines({"kind": "job_overrun", "job_id": "A", "minutes": 90}), dataset, file="c.jsonl"
    )
    freeze = starts["B"] + timedelta(minutes=1)
    result = replan(dataset, plan, changes, freeze_before=freeze, time_limit=2.0)
    assert result.frozen == frozenset({"A"})
    row = next(r for r in result.diff if r.job_id == "B")
    assert row.cause == "job_overrun A +90 min (line 1)"
    assert row.change in ("moved", "dropped")
    assert result.moved == 0
    assert result.violations == ()
    assert verify(result.dataset, result.plan) == []


def test_a_worker_away_after_an_overrun_finishes_the_visit_under_way() -> None:
    """A runs 09:45-10:30 and overruns by a minute; its worker is away from 10:30. The
    visit under way stays with its worker to its new end (10:31): the shift is cut after
    it, not at 10:30, so the re-plan keeps A and verifies."""
    dataset = world(
        workers=[worker("W1")],
        jobs=[job("A", window=TimeWindow(start=at(9, 45), end=at(9, 45)), duration_minutes=45)],
    )
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    changes = parse_changes(
        _lines(
            {"kind": "job_overrun", "job_id": "A", "minutes": 1},
            {"kind": "worker_unavailable", "worker_id": "W1", "from": at(10, 30).isoformat()},
        ),
        dataset,
        file="c.jsonl",
    )
    result = replan(dataset, plan, changes, freeze_before=at(10, 30), time_limit=2.0)
    assert result.violations == ()
    assert [(a.job_id, a.worker_id, a.start) for a in result.plan.assignments] == [
        ("A", "W1", at(9, 45))
    ]
    assert verify(result.dataset, result.plan) == []


def test_overruns_into_the_next_shift_join_the_two_shifts() -> None:
    """W1 works 07:00-10:00 and 12:00-16:00; A starts at 08:00 for 105 minutes and is
    reported twice as overrun (57 and 79 minutes), so it now ends at 12:01, past the gap.
    The worker stayed on: the two shifts become one, A stays frozen where it was and the
    re-plan verifies, with nothing moved. (Found by the property test above: the morning
    shift used to be stretched only up to 12:00, so A broke inside_shift.)"""
    dataset = world(
        workers=[worker("W1", shifts=(shift(7, 10), shift(12, 16)))],
        jobs=[job("A", window=TimeWindow(start=at(8), end=at(8)), duration_minutes=105)],
    )
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    changes = parse_changes(
        _lines(
            {"kind": "job_overrun", "job_id": "A", "minutes": 57},
            {"kind": "job_overrun", "job_id": "A", "minutes": 79},
        ),
        dataset,
        file="c.jsonl",
    )
    result = replan(dataset, plan, changes, max_moves=0, freeze_before=at(8, 15), time_limit=2.0)
    assert result.violations == ()
    assert [(a.job_id, a.worker_id, a.start, a.end) for a in result.plan.assignments] == [
        ("A", "W1", at(8), at(12, 1))
    ]
    (joined,) = [s for s in result.dataset.workers[0].shifts if s.start == at(7)]
    assert joined.end == at(16)
    assert verify(result.dataset, result.plan) == []


def _pinned_after_a() -> Dataset:
    """W1 alone: A at 09:00 for an hour, then B pinned to W1 at 10:00."""
    return world(
        workers=[worker("W1")],
        jobs=[
            job("A", window=TimeWindow(start=at(9), end=at(9))),
            job(
                "B",
                window=TimeWindow(start=at(10), end=at(12)),
                pinned_worker_ids=("W1",),
                pinned_start=at(10),
            ),
        ],
    )


def test_an_overrun_into_a_pinned_visit_releases_the_pin() -> None:
    """B is pinned to W1 at 10:00 in the data; A's overrun keeps W1 busy until 10:30, so
    the pin cannot be kept: B is hit, its pin released (the reason says so), and the new
    plan verifies on the changed round instead of overlapping A."""
    dataset = _pinned_after_a()
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    changes = parse_changes(
        _lines({"kind": "job_overrun", "job_id": "A", "minutes": 90}), dataset, file="c.jsonl"
    )
    result = replan(dataset, plan, changes, time_limit=2.0)
    row = next(r for r in result.diff if r.job_id == "B")
    assert row.cause == "job_overrun A +90 min (line 1); its pin is released"
    assert row.change in ("moved", "dropped")
    assert not result.dataset.job("B").is_pinned
    assert result.violations == ()
    assert verify(result.dataset, result.plan) == []


def test_the_stability_cost_is_its_own_objective_term() -> None:
    """With ``stability_cost_per_move``, each job the budget moves costs that much, reported
    as ``stability_cost``; a declined job never goes back to its worker."""
    dataset = _day()
    plan = _planned(dataset)
    a = next(x for x in plan.assignments if x.job_id == "D")
    changes = parse_changes(
        _lines({"kind": "job_declined", "job_id": "D", "worker_id": a.worker_id}),
        dataset,
        file="c.jsonl",
    )
    policy = dataset.settings.policy.model_copy(update={"stability_cost_per_move": 7})
    result = replan(dataset, plan, changes, policy=policy, max_moves=2, time_limit=2.0)
    terms = result.plan.kpis["objective_terms"]
    assert terms["stability_cost"] == 7 * result.moved
    assert terms["total"] == result.plan.kpis["objective"]
    assert all(x.worker_id != a.worker_id for x in result.plan.assignments if x.job_id == "D")
    assert result.ok


def test_bad_change_lines_are_reported_with_their_numbers(ok_small: Dataset) -> None:
    """Every bad line is named by its number and field; nothing is returned."""
    lines = [
        json.dumps({"kind": "job_cancelled", "job_id": "J1"}),
        "{not json",
        json.dumps({"kind": "teleport"}),
        "",
        json.dumps({"kind": "job_overrun", "job_id": "J2", "minutes": -5}),
        json.dumps({"kind": "worker_unavailable", "worker_id": "NOPE", "from": "noon"}),
        json.dumps({"kind": "job_added", "job_id": "J1", "customer_id": "C1"}),
    ]
    with pytest.raises(DatasetError) as caught:
        parse_changes(lines, ok_small, file="changes.jsonl")
    where = {(i.row, i.column) for i in caught.value.issues}
    assert (2, None) in where
    assert (3, "kind") in where
    assert (5, "minutes") in where
    assert (6, "worker_id") in where
    assert (6, "from") in where
    assert any(row == 7 for row, _ in where)
    assert all(i.file == "changes.jsonl" for i in caught.value.issues if i.row != 7)


def test_an_added_job_is_validated_and_served(ok_small: Dataset) -> None:
    """A job_added line is read like a row of jobs.csv and the re-plan serves it."""
    plan = dispatch(ok_small, solver="greedy", time_limit=5.0).plan
    template = ok_small.job("J1")
    record = {
        "kind": "job_added",
        "job_id": "NEW",
        "customer_id": "C1",
        "service_type": "cleaning",
        "lat": template.location.lat,
        "lon": template.location.lon,
        "earliest_start": at(15).isoformat(),
        "latest_start": (at(15) + timedelta(hours=2)).isoformat(),
        "duration_minutes": 30,
        "required_skills": "cleaning:2",
        "required_certificates": ["health"],
        "language_required": "mandarin",
    }
    changes = parse_changes(_lines(record), ok_small, file="c.jsonl")
    result = replan(ok_small, plan, changes, time_limit=2.0)
    row = next(r for r in result.diff if r.job_id == "NEW")
    assert row.change == "added"
    assert row.cause == "job_added NEW (line 1)"
    assert result.ok


def test_a_pinned_team_losing_a_member_is_staffed_again_or_left_out_whole() -> None:
    """W1 and W2 are pinned to team job T at 08:00; W1 is unavailable from 08:00. The team
    is not forced in place with W2 alone: the re-plan verifies (a full team or none)."""
    team = job(
        "T",
        window=TimeWindow(start=at(8), end=at(8)),
        workers_needed=2,
        pinned_worker_ids=("W1", "W2"),
        pinned_start=at(8),
    )
    dataset = world(workers=[worker("W1"), worker("W2")], jobs=[team])
    plan = dispatch(dataset, solver="greedy", time_limit=10.0).plan
    assert {a.worker_id for a in plan.assignments} == {"W1", "W2"}
    change = Change(kind="worker_unavailable", line=1, worker_id="W1", start=at(8))
    result = replan(dataset, plan, [change], time_limit=3.0, solver="greedy")
    assert result.violations == ()
    assert verify(result.dataset, result.plan) == []
    assert [a.job_id for a in result.plan.assignments] == []


def _a_then_f() -> Dataset:
    """W1 alone: A at 09:00, and F following it 2 to 5 hours later."""
    return world(
        jobs=followed(
            job("A", window=TimeWindow(start=at(9), end=at(9))),
            TimeWindow(start=at(11), end=at(14)),
            120,
            300,
        )
    )


def test_a_linked_visit_whose_leader_a_change_hit_is_hit_too() -> None:
    """W1 serves A at 09:00 and F, which follows it 2 to 5 hours later, at 11:00. W1
    declines A and nobody else works: A cannot be served again, so F, served only with A,
    is hit by the same change instead of staying alone (the re-plan verifies)."""
    dataset = _a_then_f()
    plan = dispatch(dataset, solver="routing", time_limit=2.0).plan
    assert {a.job_id for a in plan.assignments} == {"A", "F"}
    changes = parse_changes(
        _lines({"kind": "job_declined", "job_id": "A", "worker_id": "W1"}),
        dataset,
        file="c.jsonl",
    )
    result = replan(dataset, plan, changes, time_limit=2.0)
    assert result.ok, result.violations
    rows = {row.job_id: row for row in result.diff}
    assert rows["A"].change == rows["F"].change == "dropped"
    assert rows["F"].cause.startswith("it follows A") and result.moved == 0


def test_the_budget_step_places_a_linked_visit_only_after_its_leader() -> None:
    """Nobody can serve A; F follows it; G is cancelled. With no solver, the budget step
    alone places what is unserved: it leaves F out, as serving it alone breaks
    linked_visits."""
    needs = (SkillRequirement(name="elderly_care", level=4),)
    dataset = world(
        jobs=[
            job("A", window=TimeWindow(start=at(9), end=at(9)), required_skills=needs),
            job("F", window=TimeWindow(start=at(11), end=at(14)), depends_on="A", priority=5),
            job("G", window=TimeWindow(start=at(15), end=at(16))),
        ]
    )
    plan = plan_of(dataset)
    changes = parse_changes(
        _lines({"kind": "job_cancelled", "job_id": "G"}), dataset, file="c.jsonl"
    )
    result = replan(dataset, plan, changes, solver="none", time_limit=2.0)
    assert result.ok, result.violations
    assert result.plan.assignments == ()


def test_a_freeze_after_a_due_start_still_places_the_job_after_the_freeze() -> None:
    """A is due at 09:30 and unserved; the re-plan freezes everything before 10:00. A may
    still be served from 10:00 (late, costing its lateness), and the re-plan verifies."""
    dataset = world(
        jobs=[
            job("A", window=TimeWindow(start=at(9), end=at(12)), due_start=at(9, 30)),
            job("B", window=TimeWindow(start=at(14), end=at(15))),
        ]
    )
    plan = plan_of(dataset)
    changes = parse_changes(
        _lines({"kind": "job_cancelled", "job_id": "B"}), dataset, file="c.jsonl"
    )
    result = replan(dataset, plan, changes, freeze_before=at(10), time_limit=2.0)
    assert result.ok, result.violations
    served = {a.job_id: a.start for a in result.plan.assignments}
    assert set(served) == {"A"} and served["A"] >= at(10)


def test_a_visit_under_way_goes_with_the_visit_it_follows_when_a_change_hit_that() -> None:
    """W1's A at 09:00 is followed by F on W2 at 09:30. W1 is away from 08:00; the freeze
    is 10:00, so F has started and would stay, but A cannot come back before the freeze:
    F is hit with A, and the re-plan verifies instead of failing on linked_visits."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=followed(
            job("A", window=TimeWindow(start=at(9), end=at(9))),
            TimeWindow(start=at(9, 30), end=at(9, 30)),
            30,
            60,
        ),
    )
    plan = dispatch(dataset, solver="routing", time_limit=2.0).plan
    workers = {a.job_id: a.worker_id for a in plan.assignments}
    assert set(workers) == {"A", "F"} and workers["A"] != workers["F"]
    away = {"kind": "worker_unavailable", "worker_id": workers["A"], "from": at(8).isoformat()}
    changes = parse_changes(_lines(away), dataset, file="c.jsonl")
    result = replan(dataset, plan, changes, freeze_before=at(10), time_limit=2.0)
    assert result.ok, result.violations
    rows = {row.job_id: row for row in result.diff}
    assert rows["A"].change == rows["F"].change == "dropped"
    assert rows["F"].cause.startswith("it follows A")


def test_a_pinned_visit_is_not_pushed_within_the_tolerance() -> None:
    """B is pinned to W1 at 10:00; A's overrun of 10 minutes would push it to 10:10, inside
    a 15-minute tolerance. A pin is kept to the minute, so B is hit and its pin released
    (then placed again after A), and the re-plan verifies: pushing the pinned B broke
    pins_kept."""
    dataset = _pinned_after_a()
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    changes = parse_changes(
        _lines({"kind": "job_overrun", "job_id": "A", "minutes": 10}), dataset, file="c.jsonl"
    )
    result = replan(dataset, plan, changes, shift_tolerance=15, time_limit=2.0)
    assert result.ok, result.violations
    assert not result.dataset.job("B").is_pinned
    assert {a.job_id: a.start for a in result.plan.assignments}["B"] >= at(10, 10)


def test_a_cancelled_visit_that_another_follows_leaves_that_one_unlinked() -> None:
    """A is cancelled; F followed it. F stays in the round without its link (as ops jobs
    writes a visit whose partner left the round) instead of the re-plan failing on a link
    to a job that is gone, and the re-plan verifies."""
    dataset = _a_then_f()
    plan = dispatch(dataset, solver="routing", time_limit=2.0).plan
    changes = parse_changes(
        _lines({"kind": "job_cancelled", "job_id": "A"}), dataset, file="c.jsonl"
    )
    result = replan(dataset, plan, changes, time_limit=2.0)
    assert result.ok, result.violations
    assert result.dataset.job("F").depends_on is None
    assert {a.job_id for a in result.plan.assignments} == {"F"}
