"""compare: KPI and per-job tables against the baseline, the same on any executor."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from matchmaker.model import (
    BreakRule,
    Dataset,
    DatasetSettings,
    DomainError,
    Shift,
    TimeWindow,
)
from matchmaker.plan import verify
from matchmaker.whatif import (
    ChangeShifts,
    ChangeWeights,
    Edit,
    RelaxRule,
    RemoveWorkers,
    Scenario,
    TightenRule,
    compare,
)
from tests.clock import at
from tests.rules.world import job, worker, world

SCENARIOS = (
    Scenario(name="fewer", edits=(RemoveWorkers(worker_ids=("W2",)),)),
    Scenario(name="any language", edits=(RelaxRule(rule="language_required"),)),
    Scenario(name="travel x3", edits=(ChangeWeights(changes={"travel_cost_per_minute": 3}),)),
)


def _round() -> Dataset:
    """Two workers, four jobs; J4 asks for cantonese, which nobody speaks."""
    window = TimeWindow(start=at(9), end=at(12))
    return world(
        workers=[worker("W1"), worker("W2", rating=4.0)],
        jobs=[
            job("J1", window=window),
            job("J2", window=window, priority=5),
            job("J3", window=window),
            job("J4", window=window, language_required=("cantonese",)),
        ],
    )


def test_compare_tables_say_what_each_scenario_changed() -> None:
    """One KPI row per scenario, baseline first, every plan verified; the jobs table names
    the jobs whose fate changed and how."""
    result = compare(_round(), SCENARIOS, time_limit=5, seed=1, solver="greedy")
    kpis = result.kpis
    assert list(kpis["scenario"]) == ["baseline", "fewer", "any language", "travel x3"]
    assert kpis["verified"].all()
    assert kpis.loc["baseline", "jobs_served"] == 3
    assert kpis.loc["any language", "served_change"] == 1
    jobs = result.jobs
    gained = jobs[(jobs["scenario"] == "any language") & (jobs["change"] == "now served")]
    assert list(gained["job_id"]) == ["J4"]
    fewer = jobs[jobs["scenario"] == "fewer"]
    assert set(fewer["change"]) <= {"no longer served", "other workers"}
    assert kpis.loc["fewer", "jobs_served"] + (fewer["change"] == "no longer served").sum() == 3
    assert result.results["fewer"].result.ok


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_parallel_runs_give_the_serial_tables(kind: str) -> None:
    """With deterministic solves, a thread or process pool gives exactly the serial
    tables for the same seed."""
    serial = compare(_round(), SCENARIOS, time_limit=20, seed=2, solver="routing")
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
    pool = ThreadPoolExecutor(3) if kind == "threads" else ProcessPoolExecutor(2, mp_context=spawn)
    with pool:
        parallel = compare(
            _round(), SCENARIOS, time_limit=20, seed=2, solver="routing", executor=pool
        )
    assert parallel.kpis.equals(serial.kpis)
    assert parallel.jobs.equals(serial.jobs)


def test_a_dataset_pickles_for_process_pools() -> None:
    """A dataset survives pickling, skills and all (a process pool sends it over)."""
    dataset = _round()
    back = pickle.loads(pickle.dumps(dataset))
    assert back == dataset
    assert dict(back.worker("W1").skills) == {"cleaning": 3}
    with pytest.raises(TypeError):
        back.worker("W1").skills["cleaning"] = 5  # type: ignore[index]


def test_scenario_names_must_be_unique() -> None:
    """Two scenarios of one name, or one called baseline, are refused."""
    with pytest.raises(DomainError):
        compare(_round(), [Scenario(name="baseline")])
    with pytest.raises(DomainError):
        compare(_round(), [Scenario(name="a"), Scenario(name="a")])


@pytest.mark.parametrize("solver", ["greedy", "routing", "cpsat"])
@pytest.mark.parametrize(
    "edit",
    [TightenRule(rule="experience", amount=10), ChangeShifts(start_minutes=120)],
    ids=["pair rule", "shift"],
)
def test_a_pin_the_edits_leave_impossible_is_released(solver: str, edit: Edit) -> None:
    """A scenario whose edits leave a pinned visit impossible for its worker (10 more years
    of experience than anyone has; a shift that now starts after the pinned start)
    releases that pin and dispatches the visit freely: the plan verifies on the scenario's
    round, and the KPI table and the result name the released pin. The baseline releases
    nothing."""
    window = TimeWindow(start=at(9), end=at(13))
    dataset = world(
        workers=[worker("W1"), worker("W2", experience_years=20.0)],
        jobs=[
            job("J1", window=window, pinned_worker_ids=("W1",), pinned_start=at(9)),
            job("J2", window=window),
        ],
    )
    scenario = Scenario(name="edited", edits=(edit,))
    result = compare(dataset, [scenario], time_limit=2, seed=1, solver=solver)
    edited = result.results["edited"]
    assert edited.released_pins == ("J1",)
    assert not edited.dataset.job("J1").is_pinned
    assert edited.result.ok and verify(edited.dataset, edited.result.plan) == []
    assert result.kpis.loc["edited", "pins_released"] == 1
    assert result.kpis["verified"].all()
    assert result.results["baseline"].released_pins == ()
    assert result.kpis.loc["baseline", "pins_released"] == 0


def test_a_pin_whose_shift_an_edit_gives_a_break_it_crowds_out_is_released() -> None:
    """W1 works 08:00-12:30 with J1 pinned at 11:30 for an hour; lunch (an hour starting
    11:30-12:00) applies only to shifts over five hours. Lengthening the shift by an hour
    makes lunch due, and the pin leaves it no room: the verifier names the worker, not the
    job, yet the scenario releases J1, which is served earlier beside the lunch, and the
    plan verifies. (Found by the sweep: a what-if plan kept such a pin and no break, since
    only violations naming a job released pins.)"""
    lunch = BreakRule(
        name="lunch", min_minutes=60, earliest_start="11:30", latest_start="12:00",
        min_shift_minutes=300,
    )  # fmt: skip
    dataset = world(
        workers=[worker("W1", shifts=(Shift(start=at(8), end=at(12, 30)),))],
        jobs=[
            job(
                "J1",
                window=TimeWindow(start=at(9), end=at(11, 30)),
                pinned_worker_ids=("W1",),
                pinned_start=at(11, 30),
            )
        ],
        settings=DatasetSettings(breaks=(lunch,)),
    )
    scenario = Scenario(name="longer", edits=(ChangeShifts(end_minutes=60),))
    result = compare(dataset, [scenario], time_limit=2, seed=1, solver="routing")
    baseline = result.results["baseline"]
    assert baseline.released_pins == () and baseline.result.ok
    longer = result.results["longer"]
    assert longer.released_pins == ("J1",)
    assert longer.result.ok and verify(longer.dataset, longer.result.plan) == []
    (served,) = longer.result.plan.assignments
    assert served.job_id == "J1" and served.end <= at(11, 30)
    (pause,) = longer.result.plan.breaks
    assert at(11, 30) <= pause.start <= at(12)
