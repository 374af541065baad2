"""Writing a placement round's folder, atomically.

``placements.csv``, ``shortlists.csv``, ``unfilled.csv`` and ``kpis.json`` are written into
a hidden sibling and swapped into place (``matchmaker.io``'s folder swap), so a run killed
at any moment leaves the old folder or the new one. An existing placement folder or an
empty folder is replaced; anything else, and the dataset folder itself, is refused.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from matchmaker.io import recover_folder, staging_folder, swap_into_place
from matchmaker.model import OutputExistsError
from matchmaker.placement._result import PlacementPlan

__all__ = ["PLACEMENT_FILES", "check_placement_folder", "write_placements"]

PLACEMENT_FILES = ("placements.csv", "shortlists.csv", "unfilled.csv", "kpis.json")


def check_placement_folder(out: Path, *, source: Path | None = None) -> None:
    """Raise :class:`~matchmaker.model.OutputExistsError` unless ``out`` may be replaced."""
    out = Path(out)
    if source is not None and out.resolve() == Path(source).resolve():
        raise OutputExistsError(f"{out} is the dataset folder; write the placements elsewhere")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a folder")
    names = {p.name for p in out.iterdir()}
    if names and not names <= set(PLACEMENT_FILES):
        raise OutputExistsError(
            f"{out} holds other files than a placement round's; choose an empty or new folder"
        )


def write_placements(plan: PlacementPlan, out: str | Path, *, source: Path | None = None) -> Path:
    """Write ``plan``'s four files to the folder ``out`` (replaced atomically)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_folder(out)
    check_placement_folder(out, source=source)
    staging = staging_folder(out)
    try:
        for name, frame in plan.to_frames().items():
            frame.to_csv(staging / f"{name}.csv", index=False)
        (staging / "kpis.json").write_text(
            json.dumps(dict(plan.kpis), indent=2, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
