"""The compiled scan of the fixed-start insertion (``solve._insertion_kernel``): where the
planned linked visits keep their starts, it finds the same places at the same costs, in the
same order, as the Python walk, and picks the same place for a visit and its linked visit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.compile import JobRules, Problem, compile_problem
from matchmaker.model import Dataset, Policy
from matchmaker.solve._care_ruin import groups
from matchmaker.solve._costs import Costs
from matchmaker.solve._linked_insertion import (
    InsertionState,
    pairs_by_scan,
    pairs_by_walk,
    single_jobs,
)
from matchmaker.solve._linked_start import insert_all
from matchmaker.solve._solution import Route
from tests.problem_factory import make_problem, random_problem
from tests.strategies import datasets

WINDOWS = [(-(2**40), 2**40), (8 * 60, 2**40), (-(2**40), 11 * 60), (10 * 60, 10 * 60 + 60)]


def _state(problem: Problem, policy: Policy, out: set[int]) -> InsertionState:
    """A first plan without the groups of the visits ``out`` (single-worker ones), every
    planned visit fixed that the walk may not push: team and pinned visits, linked ones."""
    costs = Costs.of(problem, policy)
    routes = insert_all(problem, policy, costs)
    single = single_jobs(problem)
    head, followers = groups(problem)
    gone = {head[o] for o in out}
    out = {j for j in range(problem.n_jobs) if single[j] and head[j] in gone}
    state = InsertionState.of_routes(problem, policy, costs, ())
    for route in routes:
        kept = [(j, s) for j, s in zip(route.jobs, route.starts, strict=True) if j not in out]
        state.jobs[route.vehicle] = [j for j, _ in kept]
        state.starts[route.vehicle] = [s for _, s in kept]
        for j, s in kept:
            state.where[j] = (route.vehicle, s)
            state.work[route.vehicle] += int(problem.job_duration[j])
            state.max_late = max(state.max_late, state.late(j, s))
    state.changed()
    linked = {j for j in state.where if head[j] != j or j in followers}
    state.fixed = {j for j in state.where if not single[j]} | linked
    return state


def _python_walker(state: InsertionState) -> InsertionState:
    """The same plan without the compiled arrays: every push and break fit by the Python
    walk, independent of the kernel (which the walk otherwise calls for a push)."""
    walker = replace(state)
    walker.arrays = None
    return walker


def _unlinked(problem: Problem, job: int) -> bool:
    """Whether ``job`` has no linked visit: the Python push does not check the links of
    the visit it places (its caller narrows the window), the kernel's does."""
    rules = problem.rules
    return rules is None or (rules.link_to[job] < 0 and not (rules.link_to == job).any())


def _same_places(state: InsertionState, masks: list[np.typing.NDArray[np.bool_]]) -> None:
    walker = _python_walker(state)
    for job in range(state.problem.n_jobs):
        for low, high in WINDOWS:
            for mask in [None, *masks]:
                scanned = state.scan_places(job, low, high, allowed=mask)
                walks = [state, walker] if _unlinked(state.problem, job) else [state]
                for walking in walks:
                    walked = [
                        p
                        for p in walking.walk_places(job, low, high)
                        if mask is None or mask[p.vehicle]
                    ]
                    assert scanned == walked, (job, low, high, mask, walking.arrays is None)


def _same_pairs(state: InsertionState) -> int:
    """Compares the pair choice of each unplanned visit with one linked visit; how many."""
    single = single_jobs(state.problem)
    _, followers = groups(state.problem)
    before = (state.routes(), set(state.fixed), state.max_late)
    compared = 0
    for job, linked in followers.items():
        mine = [f for f in linked if single[f]]
        if job in state.where or not single[job] or len(mine) != 1:
            continue
        places = state.places(job, limit=8)
        assert pairs_by_scan(state, job, mine[0], places) == pairs_by_walk(state, job, mine, places)
        assert (state.routes(), state.fixed, state.max_late) == before
        compared += 1
    return compared


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(max_workers=4, max_jobs=8, rules=True), st.data())
def test_the_scan_finds_the_places_the_walk_finds(dataset: Dataset, data: st.DataObject) -> None:
    """On small random rounds (with breaks or without), for every job, start window and
    set of allowed shifts, the scan's places (vehicle, position, start, cost) equal the
    walk's, cheapest first; and a visit with one linked visit gets the same place either
    way."""
    problem = compile_problem(dataset)
    out = data.draw(st.sets(st.sampled_from(range(problem.n_jobs))))
    state = _state(problem, dataset.settings.policy, out)
    assert state.arrays is not None
    mask = data.draw(
        st.lists(st.booleans(), min_size=problem.n_vehicles, max_size=problem.n_vehicles)
    )
    _same_places(state, [np.array(mask, dtype=bool)])
    _same_pairs(state)


@pytest.mark.parametrize("breaks", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_the_scan_and_the_walk_agree_on_a_busy_round(seed: int, breaks: bool) -> None:
    """The same on a seeded round of 40 short visits with wide windows, due starts, linked
    visits, the way home, team and pinned visits (and a break on most shifts), with a
    third of the visits out: the places equal, and so does the pair choice of every visit
    with one linked visit."""
    problem, policy = _busy_problem(seed, breaks=breaks)
    rng = np.random.default_rng(seed)
    state = _state(problem, policy, set(rng.choice(problem.n_jobs, 14, replace=False).tolist()))
    workers = problem.vehicle_worker
    _same_places(state, [workers == workers[0], workers != workers[0]])
    assert _same_pairs(state) > 0


def _busy_problem(seed: int, *, breaks: bool = False) -> tuple[Problem, Policy]:
    """A seeded round of many short visits with wide windows, due starts, linked visits
    (gaps and worker rules drawn), the way home, a few team and pinned visits, priced so
    that lateness and the largest lateness count: the insertion meets every case often.
    With ``breaks``, most shifts need a break of 20-60 minutes starting in a drawn window
    around midday, some a second one in the afternoon."""
    rng = np.random.default_rng(seed)
    base = random_problem(seed, 5, 40, team_share=0.1, pin_share=0.05)
    n = base.n_jobs
    earliest = rng.integers(420, 900, n).astype(np.int32)
    latest = (earliest + rng.integers(0, 480, n)).astype(np.int32)
    due = np.where(rng.random(n) < 0.7, earliest + rng.integers(0, 120, n), -1)
    link_to = np.full(n, -1, dtype=np.int32)
    single = (base.job_team == 1) & ~base.pinned.any(axis=0)
    for job in np.flatnonzero(single)[1:].tolist():
        earlier = np.flatnonzero(single[:job] & (link_to[:job] < 0))
        if earlier.size and rng.random() < 0.35:
            link_to[job] = int(rng.choice(earlier))
    link_min = rng.choice([0, 0, 30, 60], n).astype(np.int32)
    link_max = np.where(rng.random(n) < 0.5, link_min, link_min + rng.choice([-1, 60], n))
    rules = JobRules(
        job_due=np.minimum(due, latest).astype(np.int32),
        link_to=link_to,
        link_min=link_min,
        link_max=np.where(link_max < link_min, -1, link_max).astype(np.int32),
        link_worker=rng.integers(0, 3, n).astype(np.int32),
        travel_job_home=base.travel_home_job.astype(np.int32),
        **(_drawn_breaks(rng, base.n_vehicles) if breaks else {}),
    )
    problem = replace(
        base,
        job_earliest=earliest,
        job_latest=latest,
        job_duration=rng.integers(15, 61, n).astype(np.int32),
        vehicle_max_jobs=np.full(base.n_vehicles, 12, dtype=np.int32),
        vehicle_max_work=np.full(base.n_vehicles, 600, dtype=np.int32),
        vehicle_end=base.vehicle_end + 240,
        rules=rules,
    )
    policy = Policy(travel_home=True, lateness_cost_per_minute=2, max_lateness_cost_per_minute=3)
    return problem, policy


def _drawn_breaks(
    rng: np.random.Generator, n_vehicles: int
) -> dict[str, np.typing.NDArray[np.int32]]:
    """``JobRules`` break fields: most shifts a midday break, some an afternoon one too."""
    rows = []
    for vehicle in range(n_vehicles):
        if rng.random() < 0.8:
            opens = int(rng.integers(660, 780))
            rows.append(
                (vehicle, opens, opens + int(rng.choice([0, 30, 120])), int(rng.integers(20, 61)))
            )
        if rng.random() < 0.3:
            rows.append((vehicle, 900, 960, 15))
    table = np.array(rows, dtype=np.int32).reshape(-1, 4)
    return {
        "break_vehicle": table[:, 0].copy(),
        "break_earliest": table[:, 1].copy(),
        "break_latest": table[:, 2].copy(),
        "break_minutes": table[:, 3].copy(),
    }


def _pair_round(partner_latest: int) -> tuple[Problem, Policy]:
    """Two workers; job 0 (W0) and job 1 (W1) start together (job 1 depends on job 0 with
    a gap of 0, a different worker); job 2 (W0 only) opens at 0 and takes 60 minutes, so
    that before job 0 it pushes job 0, and job 1 with it, from 20 to 60; job 1 may start by
    ``partner_latest``."""
    n = 3
    rules = JobRules(
        job_due=np.full(n, -1, dtype=np.int32),
        link_to=np.array([-1, 0, -1], dtype=np.int32),
        link_min=np.zeros(n, dtype=np.int32),
        link_max=np.array([-1, 0, -1], dtype=np.int32),
        link_worker=np.array([0, 2, 0], dtype=np.int32),
    )
    problem = make_problem(
        n_workers=2,
        n_jobs=n,
        earliest=[20, 20, 0],
        latest=[400, partner_latest, 0],
        duration=60,
        travel=0,
        home_travel=0,
        eligible=np.array([[True, False, True], [False, True, False]]),
    )
    return replace(problem, rules=rules), Policy()


@pytest.mark.parametrize(("partner_latest", "fits"), [(400, True), (59, False)])
def test_a_push_moves_a_linked_visit_and_its_partner_together(
    partner_latest: int, fits: bool
) -> None:
    """Putting a visit in front of a linked visit pushes that visit's partner on the other
    worker's route by as much, so both keep their gap; where the partner cannot start that
    late, the place does not count."""
    problem, policy = _pair_round(partner_latest)
    state = InsertionState.of_routes(
        problem,
        policy,
        Costs.of(problem, policy),
        (Route(vehicle=0, jobs=(0,), starts=(20,)), Route(vehicle=1, jobs=(1,), starts=(20,))),
    )
    assert state.follows_links
    front = [p for p in state.places(2) if p.position == 0]
    assert bool(front) is fits
    if fits:
        state.put(2, front[0], front[0].start)
        assert state.where == {2: (0, 0), 0: (0, 60), 1: (1, 60)}


def test_a_route_longer_than_the_arrays_were_built_for_grows_them() -> None:
    """Twenty visits put one after another on one shift (the compiled put lengthens the
    row itself, past the arrays' first width of 8) all end up planned, in order, each
    right after the one before."""
    n = 20
    problem = make_problem(n_jobs=n, earliest=0, latest=600, duration=10, travel=5)
    policy = Policy()
    state = InsertionState.of_routes(problem, policy, Costs.of(problem, policy), ())
    for job in range(n):
        last = [p for p in state.places(job) if p.position == len(state.jobs[0])]
        state.put(job, last[0], last[0].start)
    assert state.jobs[0] == list(range(n))
    assert state.starts[0] == [10 + 15 * k for k in range(n)]


def test_a_team_visit_keeps_its_place_when_a_visit_goes_in_front_of_it() -> None:
    """A team visit is on two shifts and the kernel's place table holds one of them: a
    visit put in front of it on the other shift must not move that entry, or a later push
    in front of it reads a start that is not its own (it did: a place the scan had
    offered was then refused, and ruin and recreate stopped with an error)."""
    problem = make_problem(
        n_workers=2,
        n_jobs=3,
        earliest=[300, 0, 0],
        latest=[300, 200, 200],
        duration=30,
        team=[2, 1, 1],
        travel=10,
        home_travel=10,
    )
    policy = Policy()
    costs = Costs.of(problem, policy)
    team = (
        Route(vehicle=0, jobs=(0,), starts=(300,)),
        Route(vehicle=1, jobs=(0,), starts=(300,)),
    )
    for vehicle in (0, 1):  # the table holds one shift of the team visit: try both
        state = InsertionState.of_routes(problem, policy, costs, team)
        state.fixed = {0}
        front = [p for p in state.places(1) if p.vehicle == vehicle and p.position == 0]
        state.put(1, front[0], front[0].start)
        fresh = InsertionState.of_routes(problem, policy, costs, state.routes())
        fresh.fixed = {0}
        for other in (0, 1):
            assert fresh.push(other, 0, 2, 100) is not None
            assert state.push(other, 0, 2, 100) == fresh.push(other, 0, 2, 100)
