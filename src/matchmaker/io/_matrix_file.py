"""Travel matrix files: a long table of minutes between the places of a dataset.

One row per ordered pair and travel mode::

    from_id,to_id,mode,minutes
    W001,J00001,car,12
    J00001,J00002,car,7.5

A place is named by a worker id (the worker's home) or a job id (the job's location).
``mode`` is one of the travel modes (walk, bike, transit, car); without a ``mode`` column
every row holds for every mode. ``minutes`` are finite and >= 0; fractional minutes are
rounded up, so a plan is never tighter than the file. The file may be CSV, Parquet, JSON
(a list of records) or Excel, like a dataset table; rows are numbered as a spreadsheet
shows them (header = row 1).

**Missing pairs.** The solver asks for the minutes from each worker's home to each job and
between every two jobs, in the worker's mode. A pair the file does not give gets the
default model's minutes (haversine with the dataset's ``[travel]`` settings) when
``missing="default"`` (the default; :attr:`TravelMatrixFile.filled` counts them, and the
command line warns), or the file is refused naming the first missing pairs when
``missing="error"``. Pairs nobody asks for (a job back to a home) always get the default
model's minutes. A place and itself is 0 minutes unless the file says otherwise.

Two ids at the very same coordinates (two jobs at one address) are one place: rows that
give them different minutes for the same pair and mode are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchmaker.compile import HaversineTravel, MatrixTravel, coordinates
from matchmaker.io._tables import FORMATS, read_table
from matchmaker.model import Dataset, DatasetError, Issue

__all__ = ["MATRIX_COLUMNS", "MissingPairs", "TravelMatrixFile", "load_travel_matrix"]

MATRIX_COLUMNS = ("from_id", "to_id", "mode", "minutes")
"""The columns of a travel matrix file (``mode`` is optional)."""

MissingPairs = Literal["default", "error"]

_SHOWN = 5
"""Missing pairs named in the error message when ``missing="error"``."""
_MAX_MINUTES = 10_000_000
"""Longest trip a file may give (about 19 years): keeps every sum of legs inside int32."""


@dataclass(frozen=True, kw_only=True)
class TravelMatrixFile:
    """A travel matrix file read against a dataset.

    ``travel`` is the model over the dataset's places; ``rows`` the rows read; ``filled``
    how many of the pairs the solver asks for came from the default model (``missing``).
    """

    travel: MatrixTravel
    rows: int
    filled: int


def _issue(file: str, row: int | None, column: str | None, value: object, message: str) -> Issue:
    return Issue(
        file=file,
        row=row,
        column=column,
        value=None if value is None else str(value),
        message=message,
    )


def _places(dataset: Dataset) -> tuple[dict[str, int], npt.NDArray[np.float64], list[Issue]]:
    """Each id's row among the dataset's distinct places, and those places' coordinates."""
    ids = [w.worker_id for w in dataset.workers] + [j.job_id for j in dataset.jobs]
    points = coordinates([w.home for w in dataset.workers] + [j.location for j in dataset.jobs])
    distinct, row_of = np.unique(points, axis=0, return_inverse=True)
    index = {ident: int(row) for ident, row in zip(ids, row_of.reshape(-1).tolist(), strict=True)}
    clash = sorted({w.worker_id for w in dataset.workers} & {j.job_id for j in dataset.jobs})
    issues = [
        _issue(
            "workers",
            None,
            "worker_id",
            ident,
            "is also a job id, so a travel matrix cannot tell the home from the job",
        )
        for ident in clash
    ]
    return index, distinct, issues


def _needed(dataset: Dataset, index: dict[str, int], modes: list[str], size: int) -> np.ndarray:
    """``(K, P, P)`` True where the solver asks for the pair: home to job and job to job,
    in the modes of the workers."""
    needed = np.zeros((len(modes), size, size), dtype=np.bool_)
    jobs = np.asarray([index[j.job_id] for j in dataset.jobs], dtype=np.intp)
    for k, mode in enumerate(modes):
        homes = np.asarray(
            [index[w.worker_id] for w in dataset.workers if w.travel_mode.value == mode],
            dtype=np.intp,
        )
        if homes.size and jobs.size:
            needed[k][np.ix_(homes, jobs)] = True
            needed[k][np.ix_(jobs, jobs)] = True
    return needed


def load_travel_matrix(
    path: str | Path, dataset: Dataset, *, missing: MissingPairs = "default"
) -> TravelMatrixFile:
    """Read the travel matrix file ``path`` for ``dataset`` (see the module docstring).

    Raises :class:`~matchmaker.model.DatasetError` naming file, row and column for every
    problem found.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DatasetError([_issue(name, None, None, None, "travel matrix file not found")])
    if path.suffix.lower().lstrip(".") not in FORMATS:
        raise DatasetError(
            [
                _issue(
                    name,
                    None,
                    None,
                    None,
                    "is not a table file; use .csv, .parquet, .json or .xlsx",
                )
            ]
        )
    table, issues = read_table(path, "travel_matrix")
    if table is None:
        raise DatasetError(issues)
    frame = table.frame
    required = [c for c in MATRIX_COLUMNS if c != "mode"]
    absent = [c for c in required if c not in frame.columns]
    if absent:
        raise DatasetError(
            [*issues, *(_issue(name, 1, c, None, "required column missing") for c in absent)]
        )
    index, points, clash = _places(dataset)
    issues += clash
    modes = sorted(dataset.settings.travel.speed_kmh)
    rows = frame.index.to_numpy()

    origin = frame["from_id"].map(index)
    destination = frame["to_id"].map(index)
    for column, mapped in (("from_id", origin), ("to_id", destination)):
        for row, value in zip(
            rows[mapped.isna().to_numpy()], frame.loc[mapped.isna(), column], strict=True
        ):
            message = "is blank" if value == "" else "is neither a worker id nor a job id"
            issues.append(_issue(name, int(row), column, value or None, message))
    minutes = pd.to_numeric(frame["minutes"], errors="coerce")
    bad = minutes.isna() | ~np.isfinite(minutes) | (minutes < 0) | (minutes > _MAX_MINUTES)
    for row, value in zip(rows[bad.to_numpy()], frame.loc[bad, "minutes"], strict=True):
        issues.append(
            _issue(
                name,
                int(row),
                "minutes",
                value or None,
                f"must be a number from 0 to {_MAX_MINUTES}",
            )
        )
    if "mode" in frame.columns:
        mode_text = frame["mode"].str.strip().str.lower()
        unknown = ~mode_text.isin(modes)
        for row, value in zip(rows[unknown.to_numpy()], frame.loc[unknown, "mode"], strict=True):
            issues.append(
                _issue(name, int(row), "mode", value or None, f"use one of {', '.join(modes)}")
            )
        mode_code = mode_text.map({m: k for k, m in enumerate(modes)})
    else:
        mode_code = pd.Series(-1, index=frame.index)
    if any(i.severity == "error" for i in issues):
        raise DatasetError(issues)

    size = points.shape[0]
    given = np.zeros((len(modes), size, size), dtype=np.bool_)
    table_minutes = np.zeros((len(modes), size, size), dtype=np.int32)
    o = origin.to_numpy(dtype=np.intp)
    d = destination.to_numpy(dtype=np.intp)
    values = np.ceil(minutes.to_numpy(dtype=np.float64))
    code = mode_code.to_numpy(dtype=np.intp)
    # A row without a mode is a row for every mode.
    every = code < 0
    ks = np.concatenate([code[~every], np.repeat(np.arange(len(modes)), every.sum())])
    source = np.concatenate([np.flatnonzero(~every), np.tile(np.flatnonzero(every), len(modes))])
    flat = (ks * size + o[source]) * size + d[source]
    order = np.argsort(flat, kind="stable")
    flat, source = flat[order], source[order]
    repeat = np.flatnonzero(flat[1:] == flat[:-1])
    conflict = repeat[values[source[repeat]] != values[source[repeat + 1]]]
    for at in conflict[:_SHOWN].tolist():
        first, second = int(rows[source[at]]), int(rows[source[at + 1]])
        issues.append(
            _issue(
                name,
                second,
                "minutes",
                frame["minutes"].iloc[source[at + 1]],
                f"row {first} gives the same pair and mode (or the same places) other minutes",
            )
        )
    if issues:
        raise DatasetError(issues)
    given.reshape(-1)[flat] = True
    table_minutes.reshape(-1)[flat] = values[source]

    default = HaversineTravel(dataset.settings.travel).minutes_by_mode(points, points, modes)
    needed = _needed(dataset, index, modes, size)
    diagonal = np.arange(size)
    lacking = needed & ~given
    lacking[:, diagonal, diagonal] = False
    filled = int(lacking.sum())
    if filled and missing == "error":
        raise DatasetError(_missing_issues(name, dataset, index, modes, lacking, filled))
    result = np.where(given, table_minutes, default)
    for k in range(len(modes)):
        unset = ~given[k, diagonal, diagonal]
        result[k, diagonal[unset], diagonal[unset]] = 0
    travel = MatrixTravel(points, {mode: result[k] for k, mode in enumerate(modes)})
    return TravelMatrixFile(travel=travel, rows=len(frame), filled=filled)


def _missing_issues(
    name: str,
    dataset: Dataset,
    index: dict[str, int],
    modes: list[str],
    lacking: np.ndarray,
    count: int,
) -> list[Issue]:
    """An issue for each of the first missing pairs, and one counting them all."""
    by_place: dict[int, str] = {}
    for ident in [j.job_id for j in dataset.jobs] + [w.worker_id for w in dataset.workers]:
        by_place[index[ident]] = ident  # a worker's id wins when a home is also a job place
    issues = [
        _issue(
            name,
            None,
            None,
            None,
            f"has no minutes from {by_place[int(a)]} to {by_place[int(b)]} by {modes[int(k)]}",
        )
        for k, a, b in np.argwhere(lacking)[:_SHOWN].tolist()
    ]
    issues.append(
        _issue(
            name,
            None,
            None,
            None,
            f"{count} pair(s) the plan needs are missing (home to job and job to job, in "
            "each worker's mode); give them, or let them use the default model "
            "(missing pairs = default)",
        )
    )
    return issues
