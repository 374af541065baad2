"""Care teams: the workers a capped customer's visits are offered to before solving."""

from __future__ import annotations

import numpy as np

from matchmaker.compile import compile_problem
from matchmaker.model import Location, TimeWindow
from matchmaker.solve._continuity import care_teams, within_care_teams
from tests.rules.world import (
    at,
    customer,
    job,
    one_worker_for_both_visits,
    shift,
    worker,
    world,
)

AFTERNOON = TimeWindow(start=at(13), end=at(14))
FAR = Location(lat=31.3000, lon=121.5500)


def test_the_team_is_the_worker_who_can_take_every_visit() -> None:
    """W3 is on shift for both visits, W1 and W2 for one each: a cap of one picks W3 and
    the visits are offered to W3 alone."""
    dataset = one_worker_for_both_visits()
    problem = compile_problem(dataset)
    assert care_teams(problem) == {0: [2]}
    narrowed = within_care_teams(problem)
    assert np.flatnonzero(narrowed.eligible.any(axis=1)).tolist() == [2]
    assert problem.eligible.any(axis=1).all()  # the original problem is left alone


def test_a_pinned_worker_is_in_the_team_first() -> None:
    """A visit pinned to W1 puts W1 in the team even though W3 covers more visits."""
    dataset = world(
        workers=[
            worker("W1", shifts=(shift(8, 12),)),
            worker("W3", shifts=(shift(8, 18),)),
        ],
        jobs=[job("J1", pinned_worker_ids=("W1",)), job("J2", window=AFTERNOON)],
        customers=[customer(max_distinct_workers=1)],
    )
    assert care_teams(compile_problem(dataset)) == {0: [0]}


def test_of_workers_who_can_take_every_visit_the_nearest_is_the_team() -> None:
    """W1 and W2 can both take both visits; W1 is the better fit but lives about 10 km
    away, W2 next to the customer: a cap of one picks W2."""
    dataset = world(
        workers=[
            worker("W1", shifts=(shift(8, 18),), rating=5.0, home=FAR),
            worker("W2", shifts=(shift(8, 18),), rating=3.0),
        ],
        jobs=[job("J1"), job("J2", window=AFTERNOON)],
        customers=[customer(max_distinct_workers=1)],
    )
    problem = compile_problem(dataset)
    assert problem.score[0].sum() > problem.score[1].sum()  # W1 fits better
    assert care_teams(problem) == {0: [1]}


def test_no_team_is_needed_when_the_cap_is_not_short() -> None:
    """A cap at least the number of eligible workers narrows nothing."""
    dataset = world(customers=[customer(max_distinct_workers=2)])
    problem = compile_problem(dataset)
    assert care_teams(problem) == {}
    assert within_care_teams(problem) is problem


def test_no_team_is_needed_when_the_visits_cannot_break_the_cap() -> None:
    """Two one-worker visits under a cap of two cannot have three workers: the three
    eligible workers all stay eligible for both."""
    dataset = world(
        workers=[worker(f"W{k}", shifts=(shift(8, 18),)) for k in (1, 2, 3)],
        jobs=[job("J1"), job("J2", window=AFTERNOON)],
        customers=[customer(max_distinct_workers=2)],
    )
    problem = compile_problem(dataset)
    assert care_teams(problem) == {}
    assert within_care_teams(problem) is problem
    three = world(
        workers=[worker(f"W{k}", shifts=(shift(8, 18),)) for k in (1, 2, 3)],
        jobs=[job("J1"), job("J2", window=AFTERNOON), job("J3", window=AFTERNOON)],
        customers=[customer(max_distinct_workers=2)],
    )
    assert 0 in care_teams(compile_problem(three))  # three visits could have three workers
