"""smallest_changes: the cheapest candidate change that serves an unserved job, proven."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from matchmaker.io import read_plan, write_plan
from matchmaker.model import Gender, SkillRequirement, TimeWindow
from matchmaker.plan import Assignment, explain_job, verify
from matchmaker.whatif import changes_frame, smallest_changes, with_smallest_changes
from matchmaker.whatif._probe import prove
from tests.clock import at
from tests.rules.world import (
    customer,
    followed,
    job,
    plan_of,
    shift,
    with_job,
    worker,
    world,
)

NINE = TimeWindow(start=at(9), end=at(9))


def _only(changes: tuple, job_id: str):  # type: ignore[no-untyped-def, type-arg]
    return next(c for c in changes if c.job_id == job_id)


def test_a_wider_window_is_proven_by_verify() -> None:
    """W1 serves J1 09:00-10:00; J2 wants 09:30 sharp. Starting up to 30 minutes later is
    the cheapest change, and the plan with it passes verify on the edited round."""
    dataset = world(
        jobs=[
            job("J1", window=NINE),
            job("J2", window=TimeWindow(start=at(9, 30), end=at(9, 30))),
        ]
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    assert verify(dataset, plan) == []
    change = _only(smallest_changes(dataset, plan), "J2")
    assert (change.kind, change.cost, change.workers) == ("widen_window", 10, ("W1",))
    assert "30 min later" in change.change and change.start == at(10)
    edited = with_job(dataset, "J2", window=TimeWindow(start=at(9, 30), end=at(10)))
    served = Assignment(
        job_id="J2",
        worker_id="W1",
        start=at(10),
        end=at(11),
        travel_minutes=0,
        sequence=2,
        match_score=0.0,
    )
    assert (
        verify(edited, replace(plan, assignments=(*plan.assignments, served), unassigned=())) == []
    )


def test_moving_one_planned_job_frees_the_only_eligible_worker() -> None:
    """J2 may only be served by W1 (C2 blocked W2) at 09:00, where W1 serves J1 (which
    cannot wait past 09:30); moving J1 to W2 serves both."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9, 30))),
            job("J2", customer_id="C2", window=NINE),
        ],
        customers=[customer("C1"), customer("C2", blocked_workers=frozenset({"W2"}))],
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    change = _only(smallest_changes(dataset, plan), "J2")
    assert change.kind == "move_planned_job"
    assert change.change.startswith("move J1 from W1 to W2")
    assert change.workers == ("W1",) and change.start == at(9)


def test_a_customer_preference_is_relaxed_before_anyone_is_hired() -> None:
    """Only women work today and the customer asks for a man: accepting any gender is
    cheaper than hiring."""
    dataset = world(jobs=[job("J1", gender_required=Gender.MALE)])
    change = _only(smallest_changes(dataset, plan_of(dataset)), "J1")
    assert (change.kind, change.cost) == ("relax_preference", 30)
    assert "any gender" in change.change


def test_another_day_when_nobody_works_on_the_jobs_day() -> None:
    """The only shift is the next day: the job moves there, at the same clock time."""
    dataset = world(workers=[worker("W1", shifts=(shift(8, 18, day=1),))])
    change = _only(smallest_changes(dataset, plan_of(dataset)), "J1")
    assert change.kind == "another_day" and change.cost == 60
    assert change.start is not None and change.start.date() == at(9, day=1).date()


def test_a_skill_nobody_has_is_a_hiring_signal() -> None:
    """A job needing a skill nobody holds gets a hire with that skill, in its district,
    free in whole hours around its window."""
    needs = (SkillRequirement(name="elderly_care", level=4),)
    dataset = world(jobs=[job("J1", required_skills=needs, service_type="elderly_care")])
    change = _only(smallest_changes(dataset, plan_of(dataset)), "J1")
    assert change.kind == "hire" and change.hire is not None
    assert change.hire.skills == needs and change.hire.count == 1
    assert (change.hire.shift_start, change.hire.shift_end) == (at(8), at(12))
    assert "elderly_care>=4" in change.sentence()
    assert "the new worker can serve it" in change.sentence()


def test_the_column_travels_through_the_plan_folder_and_explain(tmp_path: Path) -> None:
    """with_smallest_changes fills unassigned.csv's smallest_change; read_plan reads it
    back and explain shows it."""
    dataset = world(jobs=[job("J1", gender_required=Gender.MALE)])
    plan = plan_of(dataset)
    changes = smallest_changes(dataset, plan)
    frame = changes_frame(changes)
    assert list(frame["kind"]) == ["relax_preference"]
    marked = with_smallest_changes(plan, changes)
    write_plan(marked, tmp_path / "plan", dataset=dataset, policy=dataset.settings.policy)
    text = (tmp_path / "plan" / "unassigned.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("job_id,reason_code,reason,smallest_change,")
    back = read_plan(tmp_path / "plan")
    assert back.unassigned[0].smallest_change.startswith("relax_preference (cost 30)")
    told = explain_job(dataset, back, "J1", policy=dataset.settings.policy)
    assert "Smallest change that would serve it: relax_preference" in told.to_text()
    assert told.to_dict()["smallest_change"] == back.unassigned[0].smallest_change


def test_a_plan_on_a_travel_matrix_is_judged_with_it() -> None:
    """On the round's own matrix: J2 (cleaning>=4, W1 has 3) is served by one level less,
    right after J1, which only the matrix's 3 minutes allow; J3 needs a skill nobody has,
    and a new worker's home is not on the matrix, so no hire is claimed."""
    from dataclasses import replace as swap

    from matchmaker.plan import dispatch
    from tests.matrix_world import FAR2, matrix_world

    dataset, travel = matrix_world()
    dataset = with_job(dataset, "J2", required_skills=(SkillRequirement(name="cleaning", level=4),))
    care = job(
        "J3",
        location=FAR2,
        required_skills=(SkillRequirement(name="elderly_care", level=2),),
        window=TimeWindow(start=at(11), end=at(11)),
    )
    dataset = swap(dataset, jobs=(*dataset.jobs, care))
    result = dispatch(dataset, solver="greedy", time_limit=5, travel=travel)
    assert sorted(u.job_id for u in result.plan.unassigned) == ["J2", "J3"]
    changes = {c.job_id: c for c in smallest_changes(dataset, result.plan)}
    assert changes["J2"].kind == "relax_requirement" and changes["J2"].start == at(9, 15)
    assert changes["J3"].kind == "none"


def test_a_spent_time_limit_leaves_jobs_not_searched_in_plan_order() -> None:
    """With no time left the search stops before any job: every unassigned job is returned,
    in the plan's order, as ``not_searched``, and its column says so (no change claimed)."""
    dataset = world(
        jobs=[
            job("J1", window=NINE),
            job("J2", window=TimeWindow(start=at(9, 30), end=at(9, 30))),
            job("J3", window=TimeWindow(start=at(9, 15), end=at(9, 15)), priority=5),
        ]
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    changes = smallest_changes(dataset, plan, time_limit=0.0)
    assert [c.job_id for c in changes] == [u.job_id for u in plan.unassigned]
    assert {c.kind for c in changes} == {"not_searched"}
    assert all(c.sentence() == "not searched: the time ran out" for c in changes)
    searched = smallest_changes(dataset, plan, time_limit=60.0)
    assert {c.kind for c in searched} <= {"widen_window", "move_planned_job", "hire", "none"}
    assert "not_searched" not in {c.kind for c in searched}


def test_another_day_moves_the_due_start_with_the_window() -> None:
    """A job with a due start, on a day nobody works: the change to the next day moves its
    due start along (the job stays valid), and the change is proven there."""
    window = TimeWindow(start=at(9), end=at(11))
    dataset = world(
        workers=[worker("W1", shifts=(shift(8, 18, day=1),))],
        jobs=[job("J1", window=window, due_start=at(9, 30))],
    )
    change = _only(smallest_changes(dataset, plan_of(dataset)), "J1")
    assert change.kind == "another_day"
    assert change.start is not None and change.start.date() == at(9, day=1).date()


def test_a_linked_visit_is_not_proven_served_without_the_visit_it_follows() -> None:
    """F follows A (2 to 5 hours after it); nobody holds A's skill, so A is unserved and
    so must F be. Hiring for A is proven (A alone keeps every rule); no change serving F
    alone is reported, since the plan with it breaks linked_visits."""
    needs = (SkillRequirement(name="elderly_care", level=4),)
    dataset = world(
        jobs=followed(
            job("A", window=NINE, required_skills=needs, service_type="elderly_care"),
            TimeWindow(start=at(11), end=at(14)),
            120,
            300,
        )
    )
    changes = smallest_changes(dataset, plan_of(dataset))
    assert _only(changes, "A").kind == "hire"
    assert _only(changes, "F").kind == "none"


def test_a_proof_reads_the_customers_other_workers_when_the_customer_caps_them() -> None:
    """C1 allows one worker; W1 serves its J1. J2 of C1 given to W2 (free, untouched by
    J1) breaks the cap: the proof reads J1 and W1 too and fails. Without the cap it holds."""
    capped = customer("C1", max_distinct_workers=1)
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[job("J1", window=NINE), job("J2", window=NINE)],
        customers=[capped],
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    row = Assignment(
        job_id="J2", worker_id="W2", start=at(9), end=at(10),
        travel_minutes=0, sequence=1, match_score=0.0,
    )  # fmt: skip
    assert not prove(dataset, plan, [row])
    uncapped = replace(dataset, customers=(customer("C1"),))
    assert prove(uncapped, plan_of(uncapped, ("J1", "W1", at(9))), [row])
