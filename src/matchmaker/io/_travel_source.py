"""Which travel model a command uses: a matrix file, a road engine, or the default.

The order, first that applies:

1. a model named on the command line (``--travel-matrix FILE`` or ``--travel-engine ADDR``;
   both at once is an error);
2. for ``verify`` and ``explain``: the model the plan records (``plan.json``), so a plan is
   judged by the minutes it was solved with without naming them again;
3. the dataset's ``dataset.toml`` ``[travel_source]`` (``matrix = "travel.csv"`` or
   ``engine = "osrm+http://..."``, paths relative to the dataset folder);
4. the default model with the dataset's ``[travel]`` settings (``None``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from matchmaker.compile import TravelModel, road_travel
from matchmaker.io._matrix_file import MissingPairs, load_travel_matrix
from matchmaker.model import Dataset, RequestError

__all__ = ["TravelChoice", "choose_travel"]


@dataclass(frozen=True, kw_only=True)
class TravelChoice:
    """The model chosen (``None``: the default), where it came from, and the warnings to
    show (pairs of a matrix file that fell back to the default model)."""

    model: TravelModel | None
    source: str
    warnings: tuple[str, ...] = ()


def choose_travel(
    dataset: Dataset,
    *,
    folder: Path | None = None,
    matrix: Path | None = None,
    engine: str | Sequence[str] | None = None,
    missing: MissingPairs | None = None,
    cache: Path | None = None,
    recorded: TravelModel | None = None,
) -> TravelChoice:
    """The travel model to use for ``dataset`` (see the module docstring).

    ``folder`` is the dataset folder (for ``dataset.toml``'s relative paths; ``None``:
    the dataset's own source is not used); ``missing`` and ``cache`` override
    ``dataset.toml``'s; ``recorded`` is the model a plan records.
    """
    if matrix is not None and engine:
        raise RequestError("give --travel-matrix or --travel-engine, not both")
    source = dataset.settings.travel_source
    policy: MissingPairs = missing if missing is not None else source.missing
    if matrix is not None:
        return _matrix(Path(matrix), dataset, policy)
    if engine:
        shown = engine if isinstance(engine, str) else ", ".join(engine)
        return TravelChoice(
            model=road_travel(engine, settings=dataset.settings.travel, cache=cache),
            source=f"road engine {shown}",
        )
    if recorded is not None:
        return TravelChoice(model=recorded, source="the plan's own travel model")
    if folder is not None and source.matrix is not None:
        return _matrix(Path(folder) / source.matrix, dataset, policy)
    if folder is not None and source.engine is not None:
        folder_cache = None if source.cache is None else Path(folder) / source.cache
        return TravelChoice(
            model=road_travel(
                source.engine,
                settings=dataset.settings.travel,
                cache=cache if cache is not None else folder_cache,
            ),
            source=f"road engine {source.engine}",
        )
    return TravelChoice(model=None, source="the default travel model")


def _matrix(path: Path, dataset: Dataset, missing: MissingPairs) -> TravelChoice:
    loaded = load_travel_matrix(path, dataset, missing=missing)
    warnings = (
        (
            f"{path.name}: {loaded.filled} pair(s) the plan may need are not in the file and "
            "use the default travel model (give them, or use --missing-pairs error)",
        )
        if loaded.filled
        else ()
    )
    return TravelChoice(model=loaded.travel, source=f"travel matrix {path}", warnings=warnings)
