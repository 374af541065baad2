"""The travel model of a plan, recorded in its plan folder (plan contract v1).

``plan.json`` holds a ``travel`` record naming the model the plan was made with, so that
``verify``, ``explain`` and anyone reading the folder use the same minutes as the solver:

* ``{"kind": "haversine", "settings": {...}}``: :class:`~matchmaker.compile.HaversineTravel`
  with these ``[travel]`` settings (detour factor, Earth radius, speeds, overheads);
* ``{"kind": "matrix", "file": "travel_matrix.npz", "sha256": "...", "points": P,
  "modes": [...] or null}``: a :class:`~matchmaker.compile.MatrixTravel` whose arrays are
  saved in ``travel_matrix.npz`` (plain numpy arrays, read without pickle): ``points``
  ``(P, 2)`` float64 latitude, longitude; ``ids`` ``(P,)`` text when the matrix has point
  ids; ``matrix`` ``(P, P)`` int32 when one matrix serves every mode, else
  ``matrix_<mode>`` for each of ``modes``. ``sha256`` is the content hash of those arrays
  (see :func:`arrays_sha256`), so a changed matrix file is refused on reading.

Any other :class:`~matchmaker.compile.TravelModel` (a road engine,
:class:`~matchmaker.compile.RoadTravel`) is saved as a matrix of its own minutes over the
dataset's places (worker homes and job locations) for the travel modes of the dataset's
workers: the very numbers the plan was made with, so the plan is judged offline, without
the engine. Only the pairs a plan can use (to a job, from a home of that mode or from a
job) come from the model; the others (to a home) hold the default model's minutes. A
model with a ``source`` text (a road engine's addresses) has it recorded as ``"source"``
beside the matrix, for the reader only.
A plan without a record (made by hand) uses the default model with the dataset's settings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from matchmaker.compile import HaversineTravel, MatrixTravel, TravelModel, coordinates
from matchmaker.model import Dataset, DomainError, Issue, TravelSettings

__all__ = ["MATRIX_FILE", "arrays_sha256", "read_travel", "travel_record", "write_travel"]

MATRIX_FILE = "travel_matrix.npz"
_PLAN_JSON = "plan.json"


def arrays_sha256(arrays: dict[str, npt.NDArray[Any]]) -> str:
    """SHA-256 over ``arrays`` in name order: each name, dtype, shape and C-order bytes.

    A hash of the content, not of the ``.npz`` file, whose zip headers carry a timestamp.
    """
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}\0{array.dtype.str}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _matrix_arrays(model: MatrixTravel) -> dict[str, npt.NDArray[Any]]:
    arrays: dict[str, npt.NDArray[Any]] = {"points": np.asarray(model.points, dtype=np.float64)}
    if model.ids is not None:
        arrays["ids"] = np.asarray(model.ids, dtype=np.str_)
    if model.modes is None:
        arrays["matrix"] = model.matrix("")
    else:
        for mode in model.modes:
            arrays[f"matrix_{mode}"] = model.matrix(mode)
    return arrays


def _as_matrix(model: TravelModel, dataset: Dataset) -> MatrixTravel:
    """``model``'s minutes over the dataset's distinct places, for its workers' modes.

    Only the pairs a plan can use are asked of ``model`` (as ``compile_problem`` does): to
    each job, from the homes of the workers of that mode and from every job. The pairs no
    plan uses (to a home) hold the default model's minutes, so a road engine is not asked
    for a table it never answered while solving.
    """
    homes = coordinates([w.home for w in dataset.workers])
    jobs = coordinates([j.location for j in dataset.jobs])
    points, row = np.unique(np.concatenate([homes, jobs]), axis=0, return_inverse=True)
    row = row.reshape(-1)
    home_row, job_row = row[: len(homes)], np.unique(row[len(homes) :])
    default = HaversineTravel(dataset.settings.travel)
    tables = {}
    for mode in sorted({w.travel_mode.value for w in dataset.workers}):
        table = default.minutes(points, points, mode)
        of_mode = [w.travel_mode.value == mode for w in dataset.workers]
        rows = np.union1d(home_row[np.asarray(of_mode, dtype=np.bool_)], job_row)
        if rows.size and job_row.size:
            table[np.ix_(rows, job_row)] = model.minutes(points[rows], points[job_row], mode)
        tables[mode] = table
    return MatrixTravel(points, tables)


def _plain(model: TravelModel | None, dataset: Dataset) -> HaversineTravel | MatrixTravel:
    """The model as one of the two kinds a plan folder records."""
    if model is None:
        return HaversineTravel(dataset.settings.travel)
    if type(model) is HaversineTravel or type(model) is MatrixTravel:
        return model
    return _as_matrix(model, dataset)


def travel_record(model: TravelModel | None, dataset: Dataset) -> dict[str, Any]:
    """The ``travel`` record of ``plan.json`` for ``model`` (``None``: the dataset's default)."""
    plain = _plain(model, dataset)
    if isinstance(plain, HaversineTravel):
        return {"kind": "haversine", "settings": plain.settings.model_dump(mode="json")}
    arrays = _matrix_arrays(plain)
    record: dict[str, Any] = {
        "kind": "matrix",
        "file": MATRIX_FILE,
        "sha256": arrays_sha256(arrays),
        "points": int(plain.points.shape[0]),
        "modes": None if plain.modes is None else list(plain.modes),
    }
    source = getattr(model, "source", None)
    if isinstance(source, str):
        record["source"] = source
    return record


def write_travel(folder: Path, model: TravelModel | None, dataset: Dataset) -> dict[str, Any]:
    """Save ``model`` into the plan folder ``folder``; return its ``plan.json`` record."""
    plain = _plain(model, dataset)
    record = travel_record(plain, dataset)
    source = getattr(model, "source", None)
    if isinstance(source, str) and record["kind"] == "matrix":
        record["source"] = source
    if isinstance(plain, MatrixTravel):
        arrays: dict[str, Any] = dict(_matrix_arrays(plain))  # numpy's stub types **kwds oddly
        with (folder / MATRIX_FILE).open("wb") as handle:
            np.savez_compressed(handle, **arrays)
    return record


def _issue(file: str, message: str, column: str | None = "travel") -> Issue:
    return Issue(file=file, row=None, column=column, value=None, message=message)


def read_travel(folder: Path, record: object, issues: list[Issue]) -> TravelModel | None:
    """The travel model ``record`` (from ``plan.json``) names, or ``None`` without a record.

    Problems are appended to ``issues``.
    """
    if record is None:
        return None
    kind = record.get("kind") if isinstance(record, dict) else None
    if not isinstance(record, dict) or kind not in ("haversine", "matrix"):
        issues.append(_issue(_PLAN_JSON, 'must be {"kind": "haversine" or "matrix", ...}'))
        return None
    if kind == "haversine":
        try:
            return HaversineTravel(TravelSettings.model_validate(record.get("settings", {})))
        except ValidationError as error:
            issues.append(_issue(_PLAN_JSON, f"invalid haversine settings: {error}"))
            return None
    path = folder / MATRIX_FILE
    if not path.is_file():
        issues.append(_issue(MATRIX_FILE, "missing: the plan was made with a travel matrix", None))
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        issues.append(_issue(MATRIX_FILE, f"cannot be read as numpy arrays: {error}", None))
        return None
    if arrays_sha256(arrays) != record.get("sha256"):
        issues.append(
            _issue(
                MATRIX_FILE,
                f"was changed after the plan was written (checksum mismatch in {_PLAN_JSON})",
                None,
            )
        )
        return None
    try:
        ids = [str(i) for i in arrays["ids"]] if "ids" in arrays else None
        if "matrix" in arrays:
            return MatrixTravel(arrays["points"], arrays["matrix"], ids=ids)
        tables = {
            name.removeprefix("matrix_"): table
            for name, table in arrays.items()
            if name.startswith("matrix_")
        }
        return MatrixTravel(arrays["points"], tables, ids=ids)
    except (KeyError, DomainError) as error:
        issues.append(_issue(MATRIX_FILE, f"is not a travel matrix: {error}", None))
        return None
