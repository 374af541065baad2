"""A round that is only feasible on its own travel matrix, not on straight lines.

Worker ``W1`` lives at ``HOME``; jobs ``J1`` (08:10) and ``J2`` (09:15, right after ``J1``)
are some 60 km away at ``FAR`` and ``FAR2``. Straight-line travel by car takes over three
hours from home and ten minutes between the two jobs, so the default model serves neither
job; the matrix says 5 minutes from home and 3 between them, so both fit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.compile import MatrixTravel
from matchmaker.model import Dataset, Location, TimeWindow
from tests.rules.world import HOME, at, job, world

__all__ = ["FAR", "FAR2", "MATRIX_LEGS", "ConstantTravel", "matrix_world"]

FAR = Location(lat=31.80, lon=121.47)
FAR2 = Location(lat=31.81, lon=121.48)
MATRIX_LEGS = {"J1": 5, "J2": 3}
"""Minutes the matrix gives to reach each job in the only sensible plan (home, J1, J2)."""


def matrix_world() -> tuple[Dataset, MatrixTravel]:
    """The dataset and its travel matrix over ``HOME``, ``FAR`` and ``FAR2``."""
    dataset = world(
        jobs=[
            job("J1", location=FAR, window=TimeWindow(start=at(8, 10), end=at(8, 10))),
            job("J2", location=FAR2, window=TimeWindow(start=at(9, 15), end=at(9, 15))),
        ]
    )
    travel = MatrixTravel([HOME, FAR, FAR2], [[0, 5, 6], [5, 0, 3], [6, 3, 0]])
    return dataset, travel


class ConstantTravel:
    """A travel model of neither built-in kind (a road-network client's stand-in): four
    minutes between any two distinct places."""

    def minutes(
        self, origins: npt.NDArray[np.float64], destinations: npt.NDArray[np.float64], mode: str
    ) -> npt.NDArray[np.int32]:
        same = (origins[:, None, 0] == destinations[None, :, 0]) & (
            origins[:, None, 1] == destinations[None, :, 1]
        )
        return np.where(same, 0, 4).astype(np.int32)
