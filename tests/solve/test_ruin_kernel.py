"""The compiled parts of the ruins (``solve._ruin_kernel``): the detour of every visit that
the worst removal ranks, and the runs of consecutive visits that the string removal cuts."""

from __future__ import annotations

import numpy as np

from matchmaker.solve._ruin_kernel import detours, strings

# Two routes, padded with -1: vehicle 0 visits jobs 3, 1, 4; vehicle 1 visits job 0 only.
JOB = np.array([[3, 1, 4, -1], [0, -1, -1, -1]])
LENGTH = np.array([3, 1])


def test_each_visit_is_priced_at_the_travel_it_adds_to_its_route() -> None:
    """Travel in (from home for a first visit), plus travel out to the next visit, less
    the leg that would replace both; a last visit adds only its way in; a job that may
    not move is left out."""
    travel = np.zeros((1, 5, 5), dtype=np.int64)
    for a, b, minutes in [(3, 1, 30), (1, 4, 40), (3, 4, 50), (3, 3, 0)]:
        travel[0, a, b] = travel[0, b, a] = minutes
    home = np.zeros((2, 5), dtype=np.int64)
    home[0, 3], home[0, 1], home[1, 0] = 10, 25, 7
    movable = np.array([True, True, True, True, False])
    jobs = np.empty(4, dtype=np.int64)
    added = np.empty(4, dtype=np.int64)
    count = detours(JOB, LENGTH, np.zeros(2, dtype=np.int64), home, travel, movable, jobs, added)
    assert count == 3
    # Job 3: home 10 + 30 to job 1 - 25 from home to job 1. Job 1: 30 + 40 - 50. Job 4
    # may not move. Job 0: home 7.
    assert dict(zip(jobs[:count].tolist(), added[:count].tolist(), strict=True)) == {
        3: 15,
        1: 20,
        0: 7,
    }


def test_a_string_is_a_run_of_its_routes_visits_around_each_neighbour() -> None:
    """One run per route, holding the neighbour, of the size and place the draws pick;
    a neighbour on a route already cut is passed over, and one not on any route too."""
    taken = np.empty(8, dtype=np.int64)
    # Job 1 (middle of vehicle 0): draws 0.99 -> size 2 of at most 2, 0.0 -> the run
    # that starts earliest, (3, 1). Job 4 is on vehicle 0 again; job 2 is on no route;
    # job 0 (vehicle 1): a run of 1.
    near = np.array([1, 4, 2, 0])
    draws = np.array([0.99, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    size = strings(near, 10, 2, draws, JOB, LENGTH, taken)
    assert taken[:size].tolist() == [3, 1, 0]
    # The last draw of a place is the latest run that still holds the job: (1, 4).
    size = strings(near[:1], 10, 2, np.array([0.99, 0.99]), JOB, LENGTH, taken)
    assert taken[:size].tolist() == [1, 4]


def test_strings_stop_once_enough_visits_are_taken() -> None:
    """With two visits asked for, the first run of three ends the ruin."""
    taken = np.empty(8, dtype=np.int64)
    draws = np.full(8, 0.99)
    size = strings(np.array([1, 0]), 2, 4, draws, JOB, LENGTH, taken)
    assert taken[:size].tolist() == [3, 1, 4]
