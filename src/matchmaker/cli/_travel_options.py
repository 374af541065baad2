"""The travel options ``dispatch``, ``verify`` and ``explain`` share.

``--travel-matrix FILE`` (a long table from_id, to_id, mode, minutes; see
:func:`matchmaker.io.load_travel_matrix`), ``--missing-pairs default|error``,
``--travel-engine ADDR`` (repeatable: ``osrm+http://HOST:PORT``, ``walk=valhalla+http://...``)
and ``--travel-cache DIR``. Which model wins is :func:`matchmaker.io.choose_travel`.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from matchmaker.cli._common import stderr
from matchmaker.compile import TravelModel
from matchmaker.io import choose_travel
from matchmaker.model import Dataset

__all__ = [
    "MissingOption",
    "TravelCacheOption",
    "TravelEngineOption",
    "TravelMatrixOption",
    "travel_for",
]


class MissingChoice(enum.StrEnum):
    DEFAULT = "default"
    ERROR = "error"


TravelMatrixOption = Annotated[
    Path | None,
    typer.Option(
        "--travel-matrix",
        help="Travel minutes file (CSV/Parquet: from_id, to_id, mode, minutes; an id is a "
        "worker id for the home or a job id for the job's place).",
    ),
]
MissingOption = Annotated[
    MissingChoice | None,
    typer.Option(
        "--missing-pairs",
        help="A pair the matrix file lacks: 'default' uses the default travel model "
        "(with a warning), 'error' refuses the file. Default: dataset.toml's, else 'default'.",
    ),
]
TravelEngineOption = Annotated[
    list[str] | None,
    typer.Option(
        "--travel-engine",
        help="Road engine for travel minutes: osrm+http://HOST:PORT or "
        "valhalla+http://HOST:PORT, optionally for one mode (walk=osrm+http://HOST:5001); "
        "repeat for several. Modes without one use the default model.",
    ),
]
TravelCacheOption = Annotated[
    Path | None,
    typer.Option(
        "--travel-cache",
        help="Folder keeping the road engine's answers between runs (by rounded coordinates).",
    ),
]


def travel_for(
    dataset: Dataset,
    *,
    folder: Path | None,
    matrix: Path | None,
    engine: list[str] | None,
    missing: MissingChoice | None,
    cache: Path | None,
    recorded: TravelModel | None = None,
) -> TravelModel | None:
    """The travel model a command uses (:func:`matchmaker.io.choose_travel`), printing its
    warnings to stderr."""
    choice = choose_travel(
        dataset,
        folder=folder if folder is not None and folder.is_dir() else None,
        matrix=matrix,
        engine=engine or None,
        missing=None if missing is None else missing.value,
        cache=cache,
        recorded=recorded,
    )
    for warning in choice.warnings:
        stderr.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    return choice.model
