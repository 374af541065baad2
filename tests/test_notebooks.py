"""The example notebooks run from top to bottom on the bundled data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_runs(notebook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every code cell of the notebook executes without error, in order, in one namespace."""
    monkeypatch.chdir(NOTEBOOKS)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, object] = {"__name__": "__main__"}
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    assert code_cells, f"{notebook.name} has no code"
    for cell in code_cells:
        exec(compile("".join(cell["source"]), str(notebook), "exec"), namespace)
    assert os.getcwd() == str(NOTEBOOKS)
    kpis = namespace.get("kpis")
    if kpis is not None:  # what_if: the scenarios must differ from the baseline somewhere
        assert len(kpis) == 4
        assert kpis["jobs_served"].nunique() > 1
