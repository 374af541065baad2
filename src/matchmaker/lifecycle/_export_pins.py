"""Pins a day's round cannot keep: ``ops jobs`` releases them so the round it writes loads.

A pin is kept as it is by every solver, so a pinned worker who can no longer serve the
visit, or pins that cannot be kept together, would make the round infeasible or refused
when loading. :func:`release_pins` checks them with the dispatcher's own rules and exports
such visits to be dispatched again (``ops apply-plan`` then moves them to the new worker).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from matchmaker.model import Dataset, DatasetSettings, Job

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ReleasedPin", "release_pins"]


def release_pins(frames: dict[str, pd.DataFrame], dataset_toml: str | None) -> list[ReleasedPin]:
    """Release the pins that break a hard rule alone, then those that cannot be kept
    together; returns the pins released (``frames`` are changed in place)."""
    released, dataset = _release_broken_pins(frames, dataset_toml)
    conflicts = _release_conflicting_pins(frames, dataset_toml, dataset)
    return [*released, *conflicts]


@dataclass(frozen=True, kw_only=True, slots=True)
class ReleasedPin:
    """A pin the export left out: the worker can no longer serve the job, or the pins of
    the round cannot be kept together (``PIN_CONFLICT``)."""

    job_id: str
    worker_id: str
    reasons: tuple[str, ...]
    """Reason codes of the rules the pair breaks (``INACTIVE``, ``NO_AVAILABILITY`` ...)."""
    job_unpinned: bool
    """No worker of the job is pinned any more."""
    detail: str = ""
    """What the pins together break (``PIN_CONFLICT``): the loader's message."""


def _release_broken_pins(
    frames: dict[str, pd.DataFrame], dataset_toml: str | None
) -> tuple[list[ReleasedPin], Dataset | None]:
    """Unpin pairs that break a hard rule on the day, checked by the dispatcher's own rules.

    A pin is kept as it is by every solver, so a pinned worker who has since been suspended,
    gone on leave, let a document expire or has no shift that fits would make the round
    infeasible. Such a visit is exported to be dispatched again instead; ``apply-plan``
    then withdraws the old proposal and proposes the new worker. The whole export is
    validated as the dispatcher will load it (``DatasetError`` if it would not load); only
    the pinned jobs are compiled. Returns the pins released and the dataset as it will be
    written (the pins' schedule is checked on it next).
    """
    if frames["jobs"].empty:
        return [], None  # nothing to check (export_dataset writes no round without jobs)
    from matchmaker.compile import ReasonBit, compile_problem
    from matchmaker.io import dataset_from_frames

    settings = (
        DatasetSettings.model_validate(tomllib.loads(dataset_toml))
        if dataset_toml
        else DatasetSettings()
    )
    full = dataset_from_frames(frames, settings=settings)
    # Links are left out: no pair rule reads them, and the visit a pinned one follows may
    # not be pinned (the next step checks the pins' schedule with the links).
    pinned_jobs = tuple(job.unlinked() for job in full.jobs if job.is_pinned)
    if not pinned_jobs:
        return [], full
    dataset = Dataset(
        workers=full.workers, jobs=pinned_jobs, customers=full.customers, settings=full.settings
    )
    reasons = compile_problem(dataset).reasons
    jobs = frames["jobs"]
    released: list[ReleasedPin] = []
    changed: dict[str, Job] = {}
    for j, job in enumerate(dataset.jobs):
        broken = [w for w in job.pinned_worker_ids if reasons[dataset.worker_position(w), j]]
        if not broken:
            continue
        kept = [w for w in job.pinned_worker_ids if w not in broken]
        row = jobs.index[jobs["job_id"] == job.job_id][0]
        jobs.loc[row, "pinned_worker_id"] = ";".join(kept)
        if not kept:
            jobs.loc[row, "pinned_start"] = ""
        changed[job.job_id] = replace(
            full.job(job.job_id),
            pinned_worker_ids=tuple(kept),
            pinned_start=job.pinned_start if kept else None,
        )
        for worker_id in broken:
            bits = ReasonBit(int(reasons[dataset.worker_position(worker_id), j]))
            codes = tuple(str(b.name) for b in ReasonBit if b in bits)
            released.append(
                ReleasedPin(
                    job_id=job.job_id,
                    worker_id=worker_id,
                    reasons=codes,
                    job_unpinned=not kept and worker_id == broken[-1],
                )
            )
    # The round as it will be written: the released pins left out (not parsed again).
    written = tuple(changed.get(job.job_id, job) for job in full.jobs)
    return released, replace(full, jobs=written) if changed else full


def _release_conflicting_pins(
    frames: dict[str, pd.DataFrame], dataset_toml: str | None, dataset: Dataset | None
) -> list[ReleasedPin]:
    """Unpin jobs whose pins, each one fine alone, cannot be kept together: the loader's own
    check of the pins' schedule (:func:`matchmaker.io.check_pins`: overlapping pins, a linked
    visit pinned at a start its partner's pin breaks, pins leaving no room for a break).

    Without this the round would not load (``matchmaker dispatch`` checks pins). The job the
    loader names (for a broken link, the later visit) is exported to be dispatched again, with
    reason code ``PIN_CONFLICT``; repeated until the pins fit. Returns the pins released.
    """
    if frames["jobs"].empty:
        return []
    from matchmaker.io import check_pins, dataset_from_frames

    settings = (
        DatasetSettings.model_validate(tomllib.loads(dataset_toml))
        if dataset_toml
        else DatasetSettings()
    )
    jobs = frames["jobs"]
    released: list[ReleasedPin] = []
    while True:
        if dataset is None:
            dataset = dataset_from_frames(frames, settings=settings)
        rows = {str(job_id): position for position, job_id in enumerate(jobs["job_id"])}
        issues = check_pins(dataset, "jobs", rows)
        hit = {
            jobs.index[issue.row]: issue.message.split(" Pins are kept as they are")[0]
            for issue in issues
            if issue.row is not None and jobs.iloc[issue.row]["pinned_worker_id"]
        }
        if not hit:
            return released  # (an issue on no pin cannot be released here)
        for index, message in hit.items():
            workers = [w for w in str(jobs.loc[index, "pinned_worker_id"]).split(";") if w]
            jobs.loc[index, ["pinned_worker_id", "pinned_start"]] = ["", ""]
            for worker_id in workers:
                released.append(
                    ReleasedPin(
                        job_id=str(jobs.loc[index, "job_id"]),
                        worker_id=worker_id,
                        reasons=("PIN_CONFLICT",),
                        job_unpinned=worker_id == workers[-1],
                        detail=message,
                    )
                )
        dataset = None
