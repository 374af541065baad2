"""The pricing step of the column bound (:mod:`matchmaker.solve._bound_columns`), compiled:
for every shift, the best set of jobs under its caps at the current job prices.

A 0/1 knapsack per shift with two capacities (jobs and work units) is a loop over items,
counts and units: in numpy it would be a Python loop per item and shift, hundreds of
thousands per pricing round on a 200 x 600 day.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["price_shifts"]

Ints = npt.NDArray[np.integer[Any]]
Floats = npt.NDArray[np.floating[Any]]
Bools = npt.NDArray[np.bool_]


@njit(cache=True, nogil=True)
def price_shifts(
    offsets: Ints,
    pair_job: Ints,
    pair_cost: Floats,
    pair_units: Ints,
    price: Floats,
    max_jobs: Ints,
    cap_units: Ints,
    value: Floats,
    chosen: Bools,
) -> None:
    """For each shift ``v`` (its pairs are ``offsets[v]:offsets[v + 1]``), the set of its
    pairs of at most ``max_jobs[v]`` pairs and at most ``cap_units[v]`` work units that
    minimises ``sum(pair_cost - price[pair_job])``: its value in ``value[v]`` (0 for the
    empty set, never above) and its pairs marked in ``chosen``. Only pairs of negative
    reduced cost can lower the sum, so only they enter the table."""
    chosen[:] = False
    for v in range(offsets.size - 1):
        value[v] = 0.0
        low, high = offsets[v], offsets[v + 1]
        count = 0
        for p in range(low, high):
            if pair_cost[p] - price[pair_job[p]] < 0.0:
                count += 1
        if count == 0:
            continue
        items = np.empty(count, dtype=np.int64)
        count = 0
        for p in range(low, high):
            if pair_cost[p] - price[pair_job[p]] < 0.0:
                items[count] = p
                count += 1
        width = cap_units[v]
        fewest = width + 1
        for i in range(count):
            fewest = min(fewest, pair_units[items[i]])
        # No more jobs than the cap holds of the shortest: the table stays small even
        # when ``max_jobs`` is large.
        depth = min(max_jobs[v], count)
        if fewest > 0:
            depth = min(depth, width // fewest)
        if depth <= 0 or width < 0:
            continue
        best = np.zeros((depth + 1, width + 1))
        took = np.zeros((count, depth + 1, width + 1), dtype=np.bool_)
        for i in range(count):
            p = items[i]
            units = pair_units[p]
            if units > width:
                continue
            reduced = pair_cost[p] - price[pair_job[p]]
            for k in range(depth, 0, -1):
                for w in range(width, units - 1, -1):
                    candidate = best[k - 1, w - units] + reduced
                    if candidate < best[k, w]:
                        best[k, w] = candidate
                        took[i, k, w] = True
        value[v] = best[depth, width]
        k, w = depth, width
        for i in range(count - 1, -1, -1):
            if k > 0 and took[i, k, w]:
                chosen[items[i]] = True
                k -= 1
                w -= pair_units[items[i]]
