"""README.md's Python example does what it says, on the bundled sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import matchmaker

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs_and_gives_every_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first Python block of README.md runs as written (shorter solve, plan written under
    a temporary folder): its plan verifies, ``to_frames`` gives the four tables the comment
    names, and the plan folder is written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"## Python\n\n```python\n(.*?)```", readme, re.S)
    assert match is not None
    code = match.group(1)
    for text in ('"datasets/sample"', "time_limit=10", '"plans/sample"'):
        assert text in code, text
    out = tmp_path / "plans" / "sample"
    code = code.replace("time_limit=10", "time_limit=1").replace('"plans/sample"', repr(str(out)))
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(code, "README.md", "exec"), namespace)
    frames = namespace["frames"]
    assert isinstance(frames, dict)
    assert sorted(frames) == ["assignments", "kpis", "unassigned", "workers"]
    assert "assignments, unassigned, workers, kpis" in code
    result = namespace["result"]
    assert isinstance(result, matchmaker.DispatchResult) and result.ok
    dataset = namespace["dataset"]
    assert isinstance(dataset, matchmaker.Dataset)
    assert matchmaker.verify(dataset, matchmaker.read_plan(out)) == []
    assert "Job J00003" in capsys.readouterr().out
