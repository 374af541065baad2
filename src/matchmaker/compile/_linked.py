"""The home-care rules of a round as arrays: soft windows, linked visits, the way home,
breaks.

:func:`compile_rules` gives ``None`` when the round has none of them (the usual case), so
that solvers and sub-rounds built before these rules existed keep working unchanged; a
solver that reads a :class:`Problem` with ``rules`` set either honours them or refuses
(:func:`matchmaker.solve.refuse_rules`).

================================  ===========  ==========================================
field                             shape        meaning
================================  ===========  ==========================================
job_due                           (J,) int32   soft latest start (due_start), -1 when none
link_to                           (J,) int32   job this one depends on, -1 when none
link_min / link_max               (J,) int32   minutes from that job's start; max -1 = none
link_worker                       (J,) int32   0 any, 1 same worker, 2 a different worker
travel_job_home                   (V, J)       minutes from each job back to the shift's
                                               home (only with ``policy.travel_home``)
break_vehicle                     (B,) int32   the shift (vehicle) of each break it needs
break_earliest / break_latest     (B,) int32   window of the break's start
break_minutes                     (B,) int32   its length (the rule's ``min_minutes``)
================================  ===========  ==========================================

A due start rounds *down* to the minute, so lateness is never under-counted. A break's
window rounds inwards (earliest up, latest down), like a job's. The solvers plan each break
at its shortest length: a longer one never makes room for more work.
A shift needs its breaks only when it serves a job (:mod:`matchmaker.model._breaks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
import numpy.typing as npt

from matchmaker.compile._travel import TravelModel, coordinates, travel_matrices
from matchmaker.model import Dataset, LinkWorker, Policy, local_zone, minutes_from, shift_breaks

__all__ = ["LINK_ANY", "LINK_CODES", "LINK_DIFFERENT", "LINK_SAME", "JobRules", "compile_rules"]

IntArray = npt.NDArray[np.int32]

LINK_ANY, LINK_SAME, LINK_DIFFERENT = 0, 1, 2
LINK_CODES = {LinkWorker.ANY: LINK_ANY, LinkWorker.SAME: LINK_SAME, LinkWorker.DIFFERENT: 2}
"""The ``link_worker`` code of each :class:`~matchmaker.model.LinkWorker`."""


@dataclass(frozen=True, kw_only=True, eq=False)
class JobRules:
    """The optional home-care rules of a round (see the module docstring)."""

    job_due: IntArray
    link_to: IntArray
    link_min: IntArray
    link_max: IntArray
    link_worker: IntArray
    travel_job_home: IntArray | None = None
    break_vehicle: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    break_earliest: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    break_latest: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    break_minutes: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def has_due(self) -> bool:
        return bool((self.job_due >= 0).any())

    @property
    def has_links(self) -> bool:
        return bool((self.link_to >= 0).any())

    @property
    def travel_home(self) -> bool:
        return self.travel_job_home is not None

    @property
    def has_breaks(self) -> bool:
        return bool(self.break_vehicle.size)

    def restricted(self, vehicles: npt.NDArray[np.int64], jobs: npt.NDArray[np.int64]) -> JobRules:
        """The rules of a part of the round holding ``vehicles`` and ``jobs`` (round
        indices), indexed within the part in that order. A link to a visit outside the part
        is cut (``link_to`` -1): whoever cuts a round keeps linked visits together."""
        position = np.full(self.link_to.size, -1, dtype=np.int64)
        position[jobs] = np.arange(jobs.size)
        leader = self.link_to[jobs].astype(np.int64)
        link_to = np.where(leader >= 0, position[np.maximum(leader, 0)], -1)
        size = max(int(vehicles.max(initial=-1)), int(self.break_vehicle.max(initial=-1))) + 1
        shift = np.full(size, -1, dtype=np.int64)
        shift[vehicles] = np.arange(vehicles.size)
        kept = np.flatnonzero(shift[self.break_vehicle] >= 0)
        back = self.travel_job_home
        return JobRules(
            job_due=self.job_due[jobs],
            link_to=link_to.astype(np.int32),
            link_min=self.link_min[jobs],
            link_max=self.link_max[jobs],
            link_worker=self.link_worker[jobs],
            travel_job_home=None if back is None else back[np.ix_(vehicles, jobs)],
            break_vehicle=shift[self.break_vehicle[kept]].astype(np.int32),
            break_earliest=self.break_earliest[kept],
            break_latest=self.break_latest[kept],
            break_minutes=self.break_minutes[kept],
        )

    def breaks_of(self, vehicle: int) -> tuple[tuple[int, int, int], ...]:
        """``(earliest, latest, minutes)`` of each break ``vehicle`` needs when it works."""
        by_vehicle = self._breaks_by_vehicle
        return by_vehicle[vehicle] if vehicle < len(by_vehicle) else ()

    @cached_property
    def _breaks_by_vehicle(self) -> tuple[tuple[tuple[int, int, int], ...], ...]:
        # The insertion walk asks for a shift's breaks at every place it tries (870,000
        # times in 20 s on a generated 300 x 1000 home-care round): one table, not a scan.
        size = int(self.break_vehicle.max(initial=-1)) + 1
        found: list[list[tuple[int, int, int]]] = [[] for _ in range(size)]
        rows = zip(
            self.break_vehicle.tolist(),
            self.break_earliest.tolist(),
            self.break_latest.tolist(),
            self.break_minutes.tolist(),
            strict=True,
        )
        for vehicle, earliest, latest, minutes in rows:
            found[vehicle].append((earliest, latest, minutes))
        return tuple(tuple(needs) for needs in found)

    def names(self) -> list[str]:
        """The rules present, in the words of the data (for a refusal message)."""
        named = []
        if self.has_due:
            named.append("soft windows (due_start)")
        if self.has_links:
            named.append("linked visits (depends_on)")
        if self.travel_home:
            named.append("the way home (policy travel_home)")
        if self.has_breaks:
            named.append("breaks ([[breaks]] in dataset.toml)")
        return named


def compile_rules(
    dataset: Dataset,
    *,
    origin: datetime,
    policy: Policy,
    travel: TravelModel,
    vehicle_worker: IntArray,
    vehicle_mode: IntArray,
    modes: tuple[str, ...],
) -> JobRules | None:
    """The rules of ``dataset`` in minutes from ``origin``; ``None`` when it has none."""
    jobs = dataset.jobs
    has_due = any(j.due_start is not None for j in jobs)
    has_links = any(j.depends_on is not None for j in jobs)
    pauses = _breaks(dataset, origin)
    if not (has_due or has_links or policy.travel_home or pauses[0].size):
        return None
    due = np.array(
        [
            -1 if j.due_start is None else minutes_from(origin, j.due_start, round_up=False)
            for j in jobs
        ],
        dtype=np.int64,
    )
    link_to = np.array(
        [-1 if j.depends_on is None else dataset.job_position(j.depends_on) for j in jobs],
        dtype=np.int32,
    )
    link_min = np.array([j.min_gap or 0 for j in jobs], dtype=np.int32)
    link_max = np.array([-1 if j.max_gap is None else j.max_gap for j in jobs], dtype=np.int32)
    link_worker = np.array([LINK_CODES[j.link_worker] for j in jobs], dtype=np.int32)
    back = None
    if policy.travel_home:
        back = _job_home(dataset, travel, vehicle_worker, vehicle_mode, modes)
    return JobRules(
        job_due=due.astype(np.int32),
        link_to=link_to,
        link_min=link_min,
        link_max=link_max,
        link_worker=link_worker,
        travel_job_home=back,
        break_vehicle=pauses[0],
        break_earliest=pauses[1],
        break_latest=pauses[2],
        break_minutes=pauses[3],
    )


def _breaks(dataset: Dataset, origin: datetime) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The breaks of each shift (vehicles in compile order: workers, then their shifts)."""
    rules = dataset.settings.breaks
    rows: list[tuple[int, int, int, int]] = []
    if rules:
        zone = local_zone(dataset)
        vehicle = 0
        for worker in dataset.workers:
            for shift in worker.shifts:
                for need in shift_breaks(rules, worker, shift, zone):
                    rows.append(
                        (
                            vehicle,
                            minutes_from(origin, need.earliest, round_up=True),
                            minutes_from(origin, need.latest, round_up=False),
                            need.min_minutes,
                        )
                    )
                vehicle += 1
    table = np.array(rows, dtype=np.int64).reshape(-1, 4).T
    return (
        table[0].astype(np.int32),
        table[1].astype(np.int32),
        table[2].astype(np.int32),
        table[3].astype(np.int32),
    )


def _job_home(
    dataset: Dataset,
    travel: TravelModel,
    vehicle_worker: IntArray,
    vehicle_mode: IntArray,
    modes: tuple[str, ...],
) -> IntArray:
    """``(V, J)`` minutes from each job back to each shift's home, one call per mode."""
    job_points = coordinates(j.location for j in dataset.jobs)
    out = np.zeros((vehicle_worker.size, job_points.shape[0]), dtype=np.int32)
    for k, mode in enumerate(modes):
        rows = np.flatnonzero(vehicle_mode == k)
        owners, inverse = np.unique(vehicle_worker[rows], return_inverse=True)
        homes = coordinates(dataset.workers[int(w)].home for w in owners)
        out[rows] = travel_matrices(travel, job_points, homes, (mode,))[0].T[inverse]
    return out
