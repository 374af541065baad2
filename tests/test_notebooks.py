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
    comparison = namespace.get("comparison")
    if comparison is not None:  # what_if: every scenario verified, and they differ somewhere
        kpis = comparison.kpis  # type: ignore[attr-defined]
        assert len(kpis) == len(namespace["scenarios"]) + 1  # type: ignore[arg-type]
        assert kpis["verified"].all()
        assert kpis["jobs_served"].nunique() > 1
        assert len(namespace["most"]) > 0  # type: ignore[arg-type]


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_committed_with_its_outputs(notebook: Path) -> None:
    """A reader sees the tables and pictures without running it: every code cell was run,
    in order, without an error, and the notebook holds at least one picture."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
