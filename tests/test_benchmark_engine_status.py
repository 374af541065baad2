"""benchmarks/engine_status.py: the latest run of each row, read back from the sections
benchmarks/engine.py writes, and verdicts computed from its figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.engine import render
from benchmarks.engine_status import gather, main
from benchmarks.sections import write_section

_MACHINE = {
    "cpu_model": "test cpu",
    "cores": 2,
    "memory_gb": 1.0,
    "load_average": [0.0, 0.0, 0.0],
    "platform": "test",
    "python": "3.11",
    "packages": {},
}


def _run(instance: str, weighting: str, solver: str, **figures: Any) -> dict[str, Any]:
    return {
        "instance": instance,
        "weighting": weighting,
        "solver": solver,
        "level": 2 if solver == "vroom" else None,
        "time_limit": 30.0,
        **figures,
    }


def _pair(instance: str, ours: int, peer: int, travel: float, bound: int) -> list[dict[str, Any]]:
    """Our run (objective 1,000, ``bound`` under it) and VROOM level 2's (travel 20.0)."""
    return [
        _run(
            instance,
            "default",
            "routing",
            weighted_served=ours,
            travel_per_served=travel,
            objective=1000,
            lower_bound=bound,
            violations=0,
        ),
        _run(instance, "default", "vroom", weighted_served=peer, travel_per_served=20.0),
    ]


def _section(path: Path, name: str, runs: list[dict[str, Any]], started: str = "") -> None:
    write_section(name, render(runs, "engine.py", _MACHINE, "same", started), path)


def test_the_latest_run_of_a_row_wins_and_its_verdicts_follow_its_figures(
    tmp_path: Path,
) -> None:
    """Of two undated sections the later in the file wins; a dated section wins over both
    wherever it stands; a run under the dataset's policy is no row. Served is met from +2%,
    travel at or below VROOM's, and the gap (1,000 over the bound) against 5% on 60 x 150
    and 8% on 200 x 600, with no verdict on other rounds."""
    results = tmp_path / "RESULTS.md"
    results.write_text("# top\n", encoding="utf-8")
    _section(results, "dated", _pair("200x600", 1040, 1000, 19.0, 910), "2026-12-07T10:00:00Z")
    _section(results, "old", _pair("60x150", 1010, 1000, 25.0, 900) + _pair("200x600", 1, 1, 1, 1))
    _section(results, "new", _pair("60x150", 1030, 1000, 20.0, 960))
    _section(results, "other", _pair("600x2000", 1000, 1000, 30.0, 100))
    write_section("policy", render(_pair("60x150", 9, 1, 1, 1), "engine.py", _MACHINE), results)

    rows = {row.round: row for row in gather(results.read_text(encoding="utf-8"))}

    assert set(rows) == {"60x150", "200x600", "600x2000"}
    assert (rows["60x150"].section, rows["60x150"].difference) == ("new", "+3.0%")
    assert (rows["200x600"].section, rows["200x600"].gap) == ("dated", "9.9%")
    assert rows["600x2000"].gap == "900.0%"
    assert main(["--results", str(results)]) == 0
    text = results.read_text(encoding="utf-8")
    status = text[text.index("<!-- section engine-status -->") :]
    lines = {line.split(" | ")[0][2:]: line for line in status.splitlines() if "| VROOM" in line}
    # 60x150: +3.0% met, travel 20.0 = 20.0 met, gap 4.2% (1,000 / 960) met.
    assert "| +3.0% | met | 20.0 / 20.0 | met | 4.2% | met |" in lines["60x150"]
    # 200x600: +4.0% met, travel 19.0 met, gap 9.9% over 8%: missed.
    assert "| +4.0% | met | 19.0 / 20.0 | met | 9.9% | MISSED |" in lines["200x600"]
    # 600x2000: level with VROOM (missed), travel 30.0 over 20.0 (missed), no gap target.
    assert "| +0.0% | MISSED | 30.0 / 20.0 | MISSED | 900.0% | - |" in lines["600x2000"]
    assert "served: 1 missed of 3 judged; travel: 1 missed of 3 judged; gap: 1 missed of 2" in text
