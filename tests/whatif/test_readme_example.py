"""README.md's what-if example runs and prints what the README shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_readme_whatif_example_prints_what_it_says(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Python block of the README's coverage and what-if section runs on the sample
    and prints exactly the block after it (greedy solves are deterministic)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Coverage, what-if scenarios and the smallest change", 1)[1]
    match = re.search(r"```python\n(.*?)```\n\nprints\n\n```\n(.*?)```", section, re.S)
    assert match is not None
    code, expected = match.groups()
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out
    assert [line.rstrip() for line in printed.splitlines()] == expected.splitlines()
