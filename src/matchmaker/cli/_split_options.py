"""The options of ``dispatch`` that solve a round as independent pieces, here or on Dask.

``--split zones|days``, ``--zones N``, ``--executor dask://HOST:PORT`` and ``--workers N``
(a local Dask cluster); see :func:`matchmaker.plan.solve_split` and
:func:`matchmaker.plan.open_executor`.
"""

from __future__ import annotations

import enum
from typing import Annotated

import typer

__all__ = ["ExecutorOption", "SplitChoice", "SplitOption", "WorkersOption", "ZonesOption"]


class SplitChoice(enum.StrEnum):
    ZONES = "zones"
    DAYS = "days"


SplitOption = Annotated[
    SplitChoice | None,
    typer.Option(
        "--split",
        help="Solve the round as independent pieces: 'zones' (geographic; workers near a "
        "border may serve the next zone's leftovers) or 'days'. Default with --executor "
        "or --workers: zones. --time-limit then caps each piece.",
    ),
]
ZonesOption = Annotated[
    int | None,
    typer.Option(
        "--zones",
        min=1,
        help="Number of zones for --split zones (default: one per 500 shifts, at least 2).",
    ),
]
ExecutorOption = Annotated[
    str | None,
    typer.Option(
        "--executor",
        help="Solve the pieces on a running Dask scheduler: dask://HOST:PORT "
        "(pip install 'matchmaker\\[dask]').",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Solve the pieces on a local Dask cluster of N worker processes "
        "(pip install 'matchmaker\\[dask]').",
    ),
]
