"""Benchmark scripts share ``RESULTS.md`` through named sections."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.sections import keep_sections, write_section


def test_a_section_is_replaced_in_place_and_others_are_kept(tmp_path: Path) -> None:
    """Writing a section twice replaces it; other sections and the top stay as they were."""
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\ntop\n", encoding="utf-8")
    write_section("live", "## Live\n\nfirst\n", results)
    write_section("roads", "## Roads\n\nr\n", results)
    write_section("live", "## Live\n\nsecond\n", results)
    text = results.read_text(encoding="utf-8")
    assert "first" not in text
    assert text.index("second") < text.index("## Roads")
    assert text.startswith("# Benchmark results\n\ntop\n")


def test_the_main_report_keeps_the_sections(tmp_path: Path) -> None:
    """``run.py``'s new report replaces the top of the file but keeps every section."""
    results = tmp_path / "RESULTS.md"
    results.write_text("# old top\n", encoding="utf-8")
    write_section("live", "## Live\n\nkept\n", results)
    text = keep_sections("# new top\n", results)
    assert text.startswith("# new top\n")
    assert "old top" not in text
    assert "<!-- section live -->\n## Live\n\nkept\n<!-- end live -->\n" in text


def test_the_load_note_says_whether_the_benchmark_ran_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The note reads the load at the start: below the cores (less half a core) is alone."""
    from benchmarks import sections

    monkeypatch.setattr(sections, "_CORES", 2)
    monkeypatch.setattr(sections, "_START_LOAD", 0.6)
    assert sections.load_note().startswith("measured alone (load average 0.60 on 2 cores")
    monkeypatch.setattr(sections, "_START_LOAD", 3.2)
    assert sections.load_note().startswith("measured under load (load average 3.20 on 2 cores")
