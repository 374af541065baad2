"""The compiled choice of what a recreate offers (``solve._offer_kernel``): the removed jobs
and the open jobs a freed vehicle may serve (the most valuable beyond a cap), in order of
a key with random ties, a make-room target first."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.solve._offer_kernel import offer

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Six jobs, two vehicles. Jobs 0 and 1 are on routes; 2-5 are open, and job 5 may not move.
VISITS = np.array([1, 1, 0, 0, 0, 0])
MOVABLE = np.array([True, True, True, True, True, False])
# Vehicle 0 may serve jobs 0-3 and 5, vehicle 1 jobs 1, 4 and 5.
ELIGIBLE_BY_JOB = np.array(
    [[True, False], [True, True], [True, False], [True, False], [False, True], [True, True]]
)
PENALTY = np.array([40, 10, 30, 10, 20, 90])
DENSITY = np.array([1.0, 3.0, 2.0, 4.0, 0.5, 9.0])


def _offer(
    draws: npt.NDArray[np.float64],
    *,
    touched: list[int],
    removed: list[int],
    style: int,
    extra: int = 10,
    first: int = -1,
) -> tuple[list[int], list[int]]:
    order = np.empty(VISITS.size, dtype=np.int64)
    wide = np.empty(VISITS.size, dtype=bool)
    count = offer(
        VISITS, MOVABLE, ELIGIBLE_BY_JOB, np.array(touched, dtype=np.int64),
        np.array(removed, dtype=np.int64), PENALTY, DENSITY, draws, style, extra, first,
        order, wide,
    )  # fmt: skip
    return order[:count].tolist(), np.flatnonzero(wide).tolist()


def test_open_jobs_are_offered_when_a_freed_vehicle_may_serve_them() -> None:
    """With vehicle 1 freed, of the open jobs only job 4 is offered (2 and 3 are vehicle
    0's, 5 may not move); with none freed, every movable open job is; the removed job is
    offered either way and is the only wide one."""
    draws = np.full(12, 0.5)
    order, wide = _offer(draws, touched=[1], removed=[0], style=0)
    assert sorted(order) == [0, 4]
    assert wide == [0]
    order, _ = _offer(draws, touched=[], removed=[0], style=0)
    assert sorted(order) == [0, 2, 3, 4]


def test_beyond_the_cap_only_the_most_valuable_open_jobs_are_offered() -> None:
    """Two open jobs allowed: the two of largest penalty plus draw. Jobs 3 (10) and 4
    (20) tie with 2 (30) only through the draws: 30.1, 10.95, 20.2 keep 2 and 4."""
    draws = np.zeros(12)
    draws[2], draws[3], draws[4] = 0.1, 0.95, 0.2
    order, _ = _offer(draws, touched=[], removed=[], style=0, extra=2)
    assert sorted(order) == [2, 4]


def test_the_order_is_the_key_largest_first_with_ties_by_the_noise() -> None:
    """Style 0 ranks by penalty (job 0: 40, 2: 30, 4: 20, then 3 and 1 at 10, the lower
    noise first); style 1 by density; style 2 by penalty times 0.5 plus the noise."""
    draws = np.zeros(12)
    draws[6 + 1], draws[6 + 3] = 0.9, 0.1
    order, _ = _offer(draws, touched=[], removed=[0, 1], style=0)
    assert order == [0, 2, 4, 3, 1]
    order, _ = _offer(draws, touched=[], removed=[0, 1], style=1)
    assert order == [3, 1, 2, 0, 4]
    # Keys: 0: 40 * 0.5, 1: 10 * 1.4, 2: 30 * 0.5, 3: 10 * 0.6, 4: 20 * 0.5.
    order, _ = _offer(draws, touched=[], removed=[0, 1], style=2)
    assert order == [0, 2, 1, 4, 3]


def test_a_make_room_target_goes_first_once_and_may_go_anywhere() -> None:
    """The target leads the order even where its key would not, is not offered twice,
    and is wide like the removed jobs."""
    draws = np.full(12, 0.5)
    order, wide = _offer(draws, touched=[], removed=[0], style=0, first=3)
    assert order == [3, 0, 2, 4]
    assert wide == [0, 3]
