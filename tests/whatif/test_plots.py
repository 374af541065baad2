"""Pictures: bars per scenario and kind of change, the coverage heat map, and a clear
message without matplotlib."""

from __future__ import annotations

import sys

import matplotlib
import matplotlib.pyplot as plt
import pytest

from matchmaker.model import TimeWindow
from matchmaker.whatif import (
    Districts,
    RelaxRule,
    RemoveWorkers,
    Scenario,
    compare,
    coverage,
    plot_serve_most,
    smallest_changes,
    what_would_serve_most,
)
from matchmaker.whatif._plots import pyplot
from tests.clock import at
from tests.rules.world import HOME, job, plan_of, worker, world

matplotlib.use("Agg")  # no display in tests


def _comparison():  # type: ignore[no-untyped-def]
    window = TimeWindow(start=at(9), end=at(12))
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[job("J1", window=window), job("J2", window=window, language_required=("english",))],
    )
    scenarios = [
        Scenario(name="one worker", edits=(RemoveWorkers(worker_ids=("W2",)),)),
        Scenario(name="no language", edits=(RelaxRule(rule="language_required"),)),
    ]
    return dataset, compare(dataset, scenarios, time_limit=5, solver="greedy")


def test_comparison_pictures_have_a_bar_per_scenario() -> None:
    """plot draws one bar per scenario; plot_changes one bar per scenario and change."""
    _, result = _comparison()
    ax = result.plot()
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "no language",
        "one worker",
        "baseline",
    ]
    changes = result.plot_changes()
    assert len(changes.patches) == 2 * len(set(result.jobs["change"]))
    plt.close("all")


def test_coverage_heat_map_has_a_cell_per_skill_and_district() -> None:
    """One cell per skill and district, labelled with demand over supply."""
    dataset, _ = _comparison()
    ax = coverage(dataset, districts=Districts.named({"town": HOME})).plot()
    assert [t.get_text() for t in ax.texts] == ["0.1"]
    plt.close("all")


def test_without_matplotlib_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """No matplotlib: an ImportError saying pip install 'matchmaker[plot]'."""
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'matchmaker\[plot\]'"):
        pyplot()


def test_serve_most_picture_has_a_bar_per_row() -> None:
    """One bar per row of what_would_serve_most, hatched when proven each alone."""
    dataset, _ = _comparison()
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    table = what_would_serve_most(dataset, plan, smallest_changes(dataset, plan))
    ax = plot_serve_most(table)
    assert len(ax.patches) == len(table) > 0
    plt.close("all")
