"""Minutes from a job back to a worker's home, for a re-plan's changed shifts.

When the policy counts the way home, a worker's last visit must leave time to get home
before the shift ends (the verifier's ``home_by_shift_end``). A re-plan stretches a shift
over an overrun and cuts one at a worker's absence around the visits already under way;
both must then cover the way home too, or the visits that happened would break the rule.
"""

from __future__ import annotations

from collections.abc import Callable

from matchmaker.compile import TravelModel, coordinates, travel_matrices, travel_or_default
from matchmaker.model import Dataset, Job, Policy, Worker

__all__ = ["WayHome", "way_home_minutes"]

WayHome = Callable[[Worker, Job], int]
"""Minutes from the job's place back to the worker's home by the worker's mode."""


def way_home_minutes(
    dataset: Dataset, policy: Policy, travel: TravelModel | None
) -> WayHome | None:
    """The way home of the plan's travel model (haversine by the dataset's settings when
    none is recorded); ``None`` when the policy does not count the way home."""
    if not policy.travel_home:
        return None
    model = travel_or_default(travel, dataset.settings.travel)

    def minutes(worker: Worker, job: Job) -> int:
        there = coordinates([job.location])
        home = coordinates([worker.home])
        return int(travel_matrices(model, there, home, (worker.travel_mode.value,))[0, 0, 0])

    return minutes
