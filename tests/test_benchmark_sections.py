"""Benchmark scripts share ``RESULTS.md`` through named sections."""

from __future__ import annotations

from pathlib import Path

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
