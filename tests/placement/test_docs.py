"""The placement docs say what the code does: README.md's Python block and the worked
example of docs/ops.md run as written and print what the docs show."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import matchmaker
from matchmaker.cli._app import app

ROOT = Path(__file__).resolve().parents[2]


def test_readme_placement_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's placement Python block matches, verifies and writes a shortlist round."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(
        r"```python\n(dataset = matchmaker.load_dataset\(\"datasets/placements.*?)```", readme, re.S
    )
    assert match is not None
    code = match.group(1).replace('"rounds/s"', repr(str(tmp_path / "s")))
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"matchmaker": matchmaker}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "s" / "shortlists.csv").is_file()


def test_the_worked_example_of_ops_md_prints_what_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of the worked example exits 0 on datasets/placements, and the
    settlement lines and KPIs the text quotes are the ones printed."""
    doc = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    section = doc.split("### Worked example: a postpartum carer", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    printed = []
    for line in block.group(1).splitlines():
        args = shlex.split(
            line.replace("datasets/placements", str(ROOT / "datasets" / "placements"))
        )
        assert args[0] == "matchmaker"
        result = runner.invoke(app, args[1:])
        assert result.exit_code == 0, (line, result.output)
        printed.append(result.output)
    output = "\n".join(printed)
    for quoted in re.findall(r"^   (PL001 \d{4}-\d{2} W\d+: .*?fee [\d.]+)", section, re.M):
        assert quoted in output, quoted
    assert "holds re-checked: every hard rule holds" in output
    assert '"time_to_fill_days_mean": 5.21' in output
    assert '"salary_settled": "15050.00"' in output
