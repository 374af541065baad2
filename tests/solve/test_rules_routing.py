"""The routing backend on rounds with soft windows (due_start) and the way home: worlds
where each binds, and the objective terms and KPIs they show up in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matchmaker.compile import compile_problem
from matchmaker.model import DatasetSettings, LinkWorker, Policy, RequestError, TimeWindow
from matchmaker.plan import DispatchResult, dispatch, verify
from matchmaker.solve import Route
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_start import insert_all
from tests.rules.world import HOME, at, job, worker, world


def _routing(dataset, policy: Policy | None = None) -> DispatchResult:  # type: ignore[no-untyped-def]
    result = dispatch(dataset, solver="routing", time_limit=1.0, seed=0, policy=policy)
    assert verify(dataset, result.plan) == []
    return result


def _two_jobs_one_worker(due: int) -> list:  # type: ignore[type-arg]
    """Two one-hour jobs with the same 09:00-12:00 window; J2 is due at ``due`` o'clock."""
    window = TimeWindow(start=at(9), end=at(12))
    return [job("J1", window=window), job("J2", window=window, due_start=at(due))]


def test_a_due_start_puts_its_job_first() -> None:
    """One worker, two jobs that could go in either order: the one due at 09:00 starts at
    09:00 (no lateness), the other after it."""
    dataset = world(jobs=_two_jobs_one_worker(9))
    result = _routing(dataset)
    order = [a.job_id for a in sorted(result.plan.assignments, key=lambda a: a.start)]
    assert order == ["J2", "J1"]
    assert result.plan.kpis["lateness_minutes_total"] == 0
    assert result.plan.kpis["objective_terms"]["lateness_cost"] == 0


def test_lateness_is_counted_and_priced() -> None:
    """Both jobs due at 09:00 with one worker: one starts late; the KPIs give its minutes
    and the objective prices them at lateness_cost_per_minute (and the largest at
    max_lateness_cost_per_minute)."""
    window = TimeWindow(start=at(9), end=at(12))
    jobs = [job("J1", window=window, due_start=at(9)), job("J2", window=window, due_start=at(9))]
    policy = Policy(lateness_cost_per_minute=3, max_lateness_cost_per_minute=7)
    result = _routing(world(jobs=jobs), policy)
    kpis = result.plan.kpis
    late = kpis["lateness_minutes_total"]
    assert late >= 60  # the second starts an hour (plus travel) after the first
    assert kpis["lateness_minutes_max"] == late
    assert kpis["late_jobs"] == 1
    assert kpis["objective_terms"]["lateness_cost"] == 3 * late
    assert kpis["objective_terms"]["max_lateness_cost"] == 7 * late


def test_a_due_start_outside_the_window_is_refused() -> None:
    """due_start is soft but must lie inside the hard window."""
    with pytest.raises(ValueError, match="outside the window"):
        job("J1", due_start=at(13))


def test_the_way_home_is_counted_when_asked() -> None:
    """With policy travel_home, the trip back counts in travel minutes and in the
    objective, and is as long as the trip out (the default model is symmetric)."""
    dataset = world()
    plain = _routing(dataset)
    home = _routing(dataset, Policy(travel_home=True))
    out = plain.plan.kpis["travel_minutes_total"]
    assert out > 0
    assert home.plan.kpis["travel_home_minutes"] == out
    assert home.plan.kpis["travel_minutes_total"] == 2 * out
    assert home.plan.kpis["objective_terms"]["travel_cost"] == 2 * out


def test_the_way_home_binds_the_end_of_the_shift() -> None:
    """A job ending exactly at the shift's end is served when the way home is not planned,
    and left out when the worker must be home by the end of the shift."""
    late_job = job("J1", window=TimeWindow(start=at(17), end=at(17)))
    dataset = world(jobs=[late_job])
    assert len(_routing(dataset).plan.assignments) == 1
    home = world(jobs=[late_job], settings=DatasetSettings(policy=Policy(travel_home=True)))
    assert _routing(home).plan.assignments == ()
    assert worker().home == HOME


@pytest.mark.parametrize("solver", ["greedy", "cpsat"])
def test_backends_without_soft_windows_refuse(solver: str) -> None:
    """Greedy and CP-SAT do not price lateness: with a due start they refuse, naming it."""
    with pytest.raises(RequestError, match="due_start"):
        dispatch(world(jobs=_two_jobs_one_worker(9)), solver=solver, time_limit=1.0)


def test_split_solving_keeps_the_due_start() -> None:
    """Solved in pieces, the routing backend still puts the job due at 09:00 first."""
    dataset = world(jobs=_two_jobs_one_worker(9))
    result = dispatch(dataset, split="zones", zones=1, time_limit=1.0, seed=0)
    assert verify(dataset, result.plan) == []
    order = [a.job_id for a in sorted(result.plan.assignments, key=lambda a: a.start)]
    assert order == ["J2", "J1"]
    assert result.plan.kpis["lateness_minutes_total"] == 0


def test_the_first_plan_places_only_real_visits_after_a_pins_partner() -> None:
    """The first plan places the visit a pinned visit depends on, then looks for the visit
    that one depends on in turn; where there is none it stops (it once took "none", -1, for
    the last job of the round and planned a job -1)."""
    dataset = world(
        jobs=[
            job("J1"),
            job(
                "J2",
                window=TimeWindow(start=at(11), end=at(11)),
                pinned_worker_ids=("W1",),
                pinned_start=at(11),
                depends_on="J1",
            ),
            job("J3", window=TimeWindow(start=at(8), end=at(9))),
        ]
    )
    problem = compile_problem(dataset)
    policy = dataset.settings.policy
    routes = insert_all(problem, policy, Costs.of(problem, policy))
    planned = [j for route in routes for j in route.jobs]
    assert sorted(planned) == [0, 1, 2]


def test_a_pin_without_a_start_goes_after_the_pins_with_one() -> None:
    """J1 is pinned to W1 at 10:00; J2, pinned to W1 with no start, could begin at 09:30,
    which would overlap J1: the first plan places J1 first and J2 after it (it once placed
    J2 first and then failed to fit J1 at its pinned start)."""
    dataset = world(
        jobs=[
            job("J1", pinned_worker_ids=("W1",), pinned_start=at(10), due_start=at(10)),
            job(
                "J2",
                window=TimeWindow(start=at(9, 30), end=at(14)),
                pinned_worker_ids=("W1",),
            ),
        ]
    )
    result = _routing(dataset)
    starts = {a.job_id: a.start for a in result.plan.assignments}
    assert starts["J1"] == at(10)
    assert starts["J2"] >= at(11)


def test_a_pin_without_a_start_keeps_the_gap_to_its_pinned_partner() -> None:
    """J1 is pinned to W1 at 10:00; J2, pinned to W2 with no start, must begin at least 60
    minutes after J1: the first plan starts J2 at 11:00 or later (it once placed J2 at the
    start of its window and failed on the gap)."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[
            job("J1", pinned_worker_ids=("W1",), pinned_start=at(10)),
            job(
                "J2",
                window=TimeWindow(start=at(10), end=at(14)),
                pinned_worker_ids=("W2",),
                depends_on="J1",
                min_gap=60,
            ),
        ],
    )
    result = _routing(dataset)
    starts = {a.job_id: a.start for a in result.plan.assignments}
    assert starts["J1"] == at(10)
    assert starts["J2"] >= at(11)


def test_a_pin_without_a_start_leaves_room_for_the_visit_it_depends_on() -> None:
    """J2 is pinned to W1 with no start and must follow J1 (30 minutes, starting 12:00 to
    12:10) with the same worker within 60 minutes: the first plan starts J2 once J1 can be
    done before it, and both are served (it once started J2 at 11:30, the start of its
    window, where J1 could not precede it, and the plan served J2 without J1)."""
    dataset = world(
        jobs=[
            job("J1", window=TimeWindow(start=at(12), end=at(12, 10)), duration_minutes=30),
            job(
                "J2",
                window=TimeWindow(start=at(11, 30), end=at(15)),
                pinned_worker_ids=("W1",),
                depends_on="J1",
                max_gap=60,
                link_worker=LinkWorker.SAME,
            ),
        ]
    )
    result = _routing(dataset)
    starts = {a.job_id: a.start for a in result.plan.assignments}
    assert starts["J2"] >= starts["J1"] + timedelta(minutes=30)


def test_a_pinned_visit_without_a_start_waits_for_its_pinned_leader() -> None:
    """J1 is pinned to W1 with no start and can only begin at 10:15; J2, pinned to W2 with
    no start and a window from 10:00, must not begin before J1: the first plan places J1
    first and J2 at 10:15 or later (it once placed J2 first, at 10:00, by its earlier
    window, and then could not fit J1 and raised an internal error)."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[
            job(
                "J1",
                window=TimeWindow(start=at(10, 15), end=at(10, 15)),
                pinned_worker_ids=("W1",),
            ),
            job(
                "J2",
                window=TimeWindow(start=at(10), end=at(10, 30)),
                pinned_worker_ids=("W2",),
                depends_on="J1",
                link_worker=LinkWorker.DIFFERENT,
            ),
        ],
    )
    starts = {a.job_id: a.start for a in _routing(dataset).plan.assignments}
    assert starts["J1"] == at(10, 15)
    assert at(10, 15) <= starts["J2"] <= at(10, 30)


def test_a_pinned_leader_without_a_start_leaves_its_pinned_follower_in_reach() -> None:
    """J1 (pinned to W1, no start, window 09:00-12:00) leads J2 (pinned to W2, no start,
    window 12:00-12:30) by at most 60 minutes: the first plan starts J1 at 11:00 or later,
    where J2 can follow in its window, not at 09:00 (the start of J1's window, from which
    no start of J2 keeps the gap)."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(12)), pinned_worker_ids=("W1",)),
            job(
                "J2",
                window=TimeWindow(start=at(12), end=at(12, 30)),
                pinned_worker_ids=("W2",),
                depends_on="J1",
                max_gap=60,
            ),
        ],
    )
    starts = {a.job_id: a.start for a in _routing(dataset).plan.assignments}
    assert starts["J1"] >= at(11)
    assert starts["J1"] <= starts["J2"] <= starts["J1"] + timedelta(minutes=60)


def _small_home_care_round():  # type: ignore[no-untyped-def]
    """A generated home-care round of 6 workers and 24 visits."""
    from matchmaker.generate import generate_frames, home_care_settings
    from matchmaker.io import dataset_from_frames

    frames = generate_frames(workers=6, jobs=24, seed=4, home_care=True)
    return dataset_from_frames(frames, settings=home_care_settings())


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets an item each time the routing model of a home-care round is built."""
    from matchmaker.solve import _rules_routing

    built: list[int] = []
    real = _rules_routing.build_rules_model

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_rules_routing, "build_rules_model", counted)
    return built


def test_no_search_model_is_built_when_its_build_would_outlast_the_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A home-care round whose routing model would take longer to build than the time
    left (the estimate forced high) gets the plan of the first plan and the loop, within
    its limit and valid, and the model is never built; with the real estimate it is."""
    from matchmaker.solve import _rules_routing

    dataset = _small_home_care_round()
    built = _count_builds(monkeypatch)
    result = dispatch(dataset, solver="routing", time_limit=2.0, seed=1)
    assert result.ok and built
    built.clear()
    monkeypatch.setattr(_rules_routing, "_BUILD_SECONDS_PER_CELL", 1.0)
    result = dispatch(dataset, solver="routing", time_limit=2.0, seed=1)
    assert result.ok and not built
    assert result.solution.solve_seconds <= 2.0 * 1.1 + 1.0


@pytest.mark.parametrize("deterministic", [False, True])
def test_no_search_model_is_built_beyond_its_memory_cap(
    monkeypatch: pytest.MonkeyPatch, deterministic: bool
) -> None:
    """A home-care round whose routing model would hold more matrix cells than the cap
    (here 0) is planned without it, in either mode, and the plan is valid; under the cap
    the model is built."""
    from matchmaker.solve import _rules_routing

    dataset = _small_home_care_round()
    built = _count_builds(monkeypatch)
    run = {"solver": "routing", "time_limit": 2.0, "seed": 1, "deterministic": deterministic}
    assert dispatch(dataset, **run).ok and built  # type: ignore[arg-type]
    built.clear()
    monkeypatch.setattr(_rules_routing, "_MAX_MODEL_CELLS", 0)
    result = dispatch(dataset, **run)  # type: ignore[arg-type]
    assert result.ok and not built
    assert verify(dataset, result.plan) == []


def test_a_slow_read_of_the_start_plan_comes_off_the_search_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the start plan into the routing model runs outside OR-Tools' time limit
    (here made to take 0.6 s of a 1 s share): the guided local search gets what is left,
    so the share holds, and the search still returns a plan. (Searched for the whole share
    after the read, it would end after 1.55 s; the bound leaves a busy machine 0.4 s.)"""
    import time

    from matchmaker.generate import generate_frames, home_care_settings
    from matchmaker.io import dataset_from_frames
    from matchmaker.solve import Solution, _rules_routing
    from matchmaker.solve._routing_model import RoutingModel

    frames = generate_frames(workers=6, jobs=24, seed=4, home_care=True)
    dataset = dataset_from_frames(frames, settings=home_care_settings())
    policy = dataset.settings.policy
    problem = compile_problem(dataset, policy=policy)
    costs = Costs.of(problem, policy)
    start, _ = _rules_routing.first_plan(problem, policy, costs, 1, time.perf_counter() + 0.2)
    model = _rules_routing.build_rules_model(problem, costs, policy)
    real = RoutingModel.index_routes

    def slow(self, routes):  # type: ignore[no-untyped-def]
        time.sleep(0.6)
        return real(self, routes)

    monkeypatch.setattr(RoutingModel, "index_routes", slow)
    warm = Solution(routes=start, objective=0, backend="test", seed=1, solve_seconds=0.0)
    began = time.perf_counter()
    found = _rules_routing._search(model, 1.0, 1, warm, None, False, None, began, {})
    assert time.perf_counter() - began <= 1.35
    assert found is not None


@pytest.mark.parametrize(("build_seconds", "loop_gets_all"), [(1e6, True), (0.0, False)])
def test_the_loop_has_the_time_guided_local_search_could_not_use(
    monkeypatch: pytest.MonkeyPatch, build_seconds: float, loop_gets_all: bool
) -> None:
    """Where the routing model would take longer to build than the time left after ruin
    and recreate (a very large round), the loop gets that time too instead of ending the
    solve early; where it can be built, the loop leaves it a quarter."""
    import matchmaker.solve._rules_routing as rules_routing
    from matchmaker.solve._care_lns import CareLnsStats

    given: list[float] = []

    def loop(*args: object, **_: object) -> tuple[tuple[Route, ...], CareLnsStats]:
        given.append(float(args[5]))  # type: ignore[arg-type]
        return args[3], CareLnsStats()  # type: ignore[return-value]

    monkeypatch.setattr(rules_routing, "pooled_care_ruin_and_recreate", loop)
    monkeypatch.setattr(rules_routing, "_build_seconds", lambda _: build_seconds)
    monkeypatch.setattr(rules_routing, "_search", lambda *_, **__: None)
    dataset = world(jobs=_two_jobs_one_worker(9))
    problem = compile_problem(dataset)
    limit = 2.0
    rules_routing.solve(problem, policy=Policy(), time_limit=limit, seed=0)
    (seconds,) = given
    assert (seconds > 0.8 * limit) is loop_gets_all


def _rules_model():  # type: ignore[no-untyped-def]
    """The routing model of a one-worker round with home-care rules (two jobs, one due)."""
    from matchmaker.solve._rules_routing import build_rules_model

    policy = Policy()
    problem = compile_problem(world(jobs=_two_jobs_one_worker(9)), policy=policy)
    return build_rules_model(problem, Costs.of(problem, policy), policy)


def test_a_searched_routing_model_is_freed() -> None:
    """The solution callback the search registers refers back to the model, a cycle
    through C++ that Python cannot collect: the search drops its side when it ends, so
    each model is freed after its search (not kept for the life of the process, which on
    a round of 200 shifts with home-care rules is over 1 GB a search)."""
    import gc
    import time
    import weakref

    from matchmaker.solve import _rules_routing

    model = _rules_model()
    routing = weakref.ref(model.routing)
    reports: list[object] = []
    found = _rules_routing._search(
        model, 0.3, 0, None, reports.append, False, None, time.perf_counter(), {}
    )
    assert found is not None
    assert reports  # the callback did run
    del model
    gc.collect()
    assert routing() is None


def test_a_stop_ends_the_search_at_its_first_solution() -> None:
    """A stop request set before the search ends it at its first solution, marked
    interrupted; the routes it found are returned."""
    import threading
    import time

    from matchmaker.solve import _rules_routing

    stop = threading.Event()
    stop.set()
    stats: dict[str, float] = {}
    began = time.perf_counter()
    found = _rules_routing._search(_rules_model(), 30.0, 0, None, None, False, stop, began, stats)
    assert found is not None
    assert stats["interrupted"] == 1.0
    assert time.perf_counter() - began < 5.0


def test_guided_local_search_gets_its_share_on_a_round_with_breaks() -> None:
    """On a generated home-care round of 60 workers and 150 visits (breaks, links, soft
    windows; the continuity cap, which the model does not hold, taken off) a 3 s search
    from the first plan returns a better plan. (Reading the start plan into the model with
    ``ReadAssignmentFromRoutes`` restored it by a search that ran to the end of the time
    limit: the search got no time and returned nothing.)"""
    import time

    from matchmaker.generate import generate_frames, home_care_settings
    from matchmaker.io import dataset_from_frames
    from matchmaker.solve import Solution, _rules_routing, objective_terms
    from matchmaker.solve._breaks import fit_breaks
    from tests.rules.world import verified_plan

    frames = generate_frames(workers=60, jobs=150, seed=3, home_care=True)
    frames["customers"]["max_distinct_workers"] = None
    dataset = dataset_from_frames(frames, settings=home_care_settings())
    policy = dataset.settings.policy
    problem = compile_problem(dataset, policy=policy)
    costs = Costs.of(problem, policy)
    # The best of 50 insertion orders: reading this plan took the whole limit.
    until = time.perf_counter() + 60
    start, _ = _rules_routing.first_plan(problem, policy, costs, 1, until, deterministic=True)
    start = fit_breaks(problem, start)
    model = _rules_routing.build_rules_model(problem, costs, policy)
    warm = Solution(routes=start, objective=0, backend="test", seed=1, solve_seconds=0.0)
    found = _rules_routing._search(model, 3.0, 1, warm, None, False, None, 0.0, {})
    assert found is not None
    found = fit_breaks(problem, found)
    before = objective_terms(problem, start, policy).total
    assert objective_terms(problem, found, policy).total < before
    verified_plan(dataset, problem, found, policy)
