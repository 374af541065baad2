"""The compiled insertion's calls (:mod:`matchmaker.solve._insertion_kernel`,
``_scan_kernel`` and ``_pairs_kernel``) on a round's
:class:`~matchmaker.solve._kernel_data.KernelArrays` and a plan's
:class:`~matchmaker.solve._kernel_data.RouteArrays`, with plain Python results."""

from __future__ import annotations

import numpy as np

from matchmaker.solve._insertion_kernel import push_kernel, put_kernel
from matchmaker.solve._kernel_data import VEHICLE, BoolArray, IntArray, KernelArrays, RouteArrays
from matchmaker.solve._pairs_kernel import pairs_kernel
from matchmaker.solve._scan_kernel import scan_kernel

__all__ = ["pairs", "push", "put", "scan"]


def scan(
    arrays: KernelArrays,
    routes: RouteArrays,
    job: int,
    low: int,
    high: int,
    max_late: int,
    allowed: BoolArray | None,
) -> IntArray:
    """The places of ``job`` (see ``_scan_kernel._scan``) as rows ``(cost, start, vehicle,
    position)``, cheapest first (then earliest start, then lowest shift)."""
    found = routes.found
    n = scan_kernel(
        job, low, high, max_late, routes.all_vehicles if allowed is None else allowed,
        routes.jobs, routes.starts, routes.state, routes.place, routes.fixed, arrays.travel,
        arrays.out, arrays.back, arrays.jobs, arrays.shifts, arrays.links,
        arrays.follow_from, arrays.followers, arrays.eligible, arrays.match, arrays.rates,
        arrays.break_from, arrays.breaks, routes.new_start, routes.touched, routes.old_start,
        routes.stack, routes.gaps, found,
    )  # fmt: skip
    rows = found[:n]
    ordered: IntArray = rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]
    return ordered


def push(
    arrays: KernelArrays, routes: RouteArrays, job: int, vehicle: int, position: int, start: int
) -> tuple[int, int, int] | None:
    """``(travel added, lateness added, largest lateness among job and the pushed)`` of
    ``job`` at ``start`` in front of ``position`` of ``vehicle``; ``None`` if it does not
    fit (see ``_insertion_kernel._push``)."""
    fits, added, late, top = push_kernel(
        job, vehicle, position, start, routes.jobs, routes.starts, routes.state, routes.place,
        routes.fixed, arrays.travel, arrays.out, arrays.back, arrays.jobs, arrays.shifts,
        arrays.links, arrays.follow_from, arrays.followers, arrays.break_from, arrays.breaks,
        routes.new_start, routes.touched, routes.old_start, routes.stack, routes.gaps,
    )  # fmt: skip
    return (int(added), int(late), int(top)) if fits else None


def put(
    arrays: KernelArrays, routes: RouteArrays, job: int, vehicle: int, position: int, start: int
) -> tuple[list[int], int]:
    """Insert ``job`` (see ``_insertion_kernel._put``); the shifts whose starts moved (``vehicle``
    first) and the largest lateness among ``job`` and the visits pushed. Raises
    ``RuntimeError`` (a bug) when it does not fit: a caller puts only where :func:`push`
    fits, and pins only where loading checked that they fit."""
    fitted, n, top, _ = put_kernel(
        job, vehicle, position, start, routes.jobs, routes.starts, routes.state, routes.place,
        routes.fixed, arrays.travel, arrays.back, arrays.jobs, arrays.shifts, arrays.links,
        arrays.follow_from, arrays.followers, routes.new_start, routes.touched,
        routes.old_start, routes.stack,
    )  # fmt: skip
    if not fitted:
        raise RuntimeError(f"job {job} does not fit at {start} on shift {vehicle}")
    moved = routes.place[routes.touched[:n], VEHICLE].tolist()
    return [vehicle, *sorted(set(moved) - {vehicle})], int(top)


def pairs(
    arrays: KernelArrays,
    routes: RouteArrays,
    head: int,
    follower: int,
    candidates: IntArray,
    max_late: int,
) -> IntArray:
    """Per candidate place of ``head``, what ``_pairs_kernel._pairs`` finds."""
    result = np.empty((candidates.shape[0], 7), dtype=np.int64)
    pairs_kernel(
        head, follower, candidates, max_late, routes.jobs, routes.starts, routes.state,
        routes.place, routes.fixed, arrays.travel, arrays.out, arrays.back, arrays.jobs,
        arrays.shifts, arrays.links, arrays.follow_from, arrays.followers, arrays.eligible,
        arrays.match, arrays.rates, arrays.break_from, arrays.breaks, routes.new_start,
        routes.touched, routes.old_start, routes.stack, routes.gaps, routes.found, result,
    )  # fmt: skip
    return result
