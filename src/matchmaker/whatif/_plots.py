"""Pictures of a comparison and of a coverage check (matplotlib, the ``[plot]`` extra).

Each function draws on ``ax`` (a new figure when none is given) and returns the axes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from matchmaker.whatif._compare import Comparison
    from matchmaker.whatif._coverage import Coverage

__all__ = ["plot_comparison", "plot_coverage", "plot_job_changes", "plot_serve_most", "pyplot"]

_CHANGE_COLOURS = {
    "now served": "#2a9d8f",
    "added, served": "#8ecae6",
    "other workers": "#bdbdbd",
    "added, unserved": "#f4a261",
    "no longer served": "#e76f51",
    "removed": "#6d597a",
}


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError saying how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError("drawing needs matplotlib: pip install 'matchmaker[plot]'") from error
    return plt


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = pyplot().subplots(figsize=size)
    result: Axes = new
    return result


def plot_comparison(comparison: Comparison, ax: Axes | None = None) -> Axes:
    """Jobs served per scenario (bars) with the baseline as a line and each bar's change."""
    kpis = comparison.kpis
    ax = _axes(ax, (7.0, 0.5 * len(kpis) + 1.5))
    names = list(kpis["scenario"])[::-1]
    served = list(kpis["jobs_served"])[::-1]
    change = list(kpis["served_change"])[::-1]
    colours = ["#2a9d8f" if c > 0 else "#e76f51" if c < 0 else "#8d99ae" for c in change]
    bars = ax.barh(names, served, color=colours)
    baseline = int(kpis["jobs_served"].iloc[0])
    ax.axvline(baseline, color="#333333", linestyle="--", linewidth=1)
    for bar, delta, total in zip(bars, change, served, strict=True):
        label = f"{total}" + (f" ({delta:+d})" if delta else "")
        ax.text(bar.get_width() + 0.5, bar.get_y() + bar.get_height() / 2, label, va="center")
    jobs = int(kpis["jobs_total"].max())
    ax.set_xlim(0, jobs * 1.12)
    ax.set_xlabel("jobs served")
    ax.set_title("Jobs served per scenario (dashed: baseline)")
    return ax


def plot_job_changes(comparison: Comparison, ax: Axes | None = None) -> Axes:
    """Per scenario, the jobs whose fate changed, stacked by kind of change."""
    jobs = comparison.jobs
    scenarios = [s for s in comparison.kpis["scenario"] if s != "baseline"]
    ax = _axes(ax, (7.0, 0.5 * len(scenarios) + 1.5))
    left = [0] * len(scenarios)
    for change, colour in _CHANGE_COLOURS.items():
        counts = [
            int(((jobs["scenario"] == s) & (jobs["change"] == change)).sum()) for s in scenarios
        ]
        if any(counts):
            ax.barh(scenarios, counts, left=left, color=colour, label=change)
            left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("jobs")
    ax.set_title("What changed against the baseline")
    if any(left):
        # Beside the axes: a long bar never hides under the legend.
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def plot_coverage(coverage: Coverage, ax: Axes | None = None) -> Axes:
    """Demand over supply hours per skill and district (all days): above 1 is short."""
    import numpy as np

    hours = coverage.hours.groupby(["skill", "district"])[["demand_hours", "supply_hours"]].sum()
    demand = hours["demand_hours"].unstack("district")
    supply = hours["supply_hours"].unstack("district").reindex_like(demand)
    ax = _axes(ax, (max(6.0, 0.6 * demand.shape[1] + 2), 0.5 * demand.shape[0] + 2))
    need = demand.to_numpy(dtype=float)
    have = supply.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(have > 0, need / have, np.nan)
    unstaffed = (need > 0) & ~(have > 0)
    # No demand: blank; demand and nobody on shift: the far red end.
    shown = np.ma.masked_invalid(np.where(unstaffed, 2.0, np.where(need > 0, ratio, np.nan)))
    cmap = pyplot().get_cmap("RdYlGn_r").with_extremes(bad="#f0f0f0")
    image = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=2.0, aspect="auto")
    ax.set_xticks(range(demand.shape[1]), [str(c) for c in demand.columns], rotation=45, ha="right")
    ax.set_yticks(range(demand.shape[0]), [str(r) for r in demand.index])
    for (r, c), value in np.ndenumerate(ratio):
        if unstaffed[r, c]:
            ax.text(c, r, "no staff", ha="center", va="center", fontsize="x-small")
        elif need[r, c] > 0:
            ax.text(c, r, f"{value:.1f}", ha="center", va="center", fontsize="x-small")
    ax.figure.colorbar(image, ax=ax, label="demand / supply hours")
    ax.set_title("Demand over supply hours (above 1: short)")
    return ax


_KIND_LABELS = {
    "widen_window": "widen windows",
    "move_planned_job": "move one planned job each",
    "relax_preference": "relax gender or language",
    "relax_requirement": "relax experience or skill",
    "another_day": "move to another day",
}


def plot_serve_most(table: pd.DataFrame, ax: Axes | None = None, top: int = 10) -> Axes:
    """The ``top`` rows of :func:`~matchmaker.whatif.what_would_serve_most`: weighted
    points each change would serve (hatched: changes proven each alone, an upper bound)."""
    rows = table.head(top).iloc[::-1]
    ax = _axes(ax, (8.0, 0.4 * len(rows) + 1.5))
    labels = [
        f"+{r.workers_to_hire} {r.skill}, {r.district} {r.shift}"
        if r.change == "hire"
        else _KIND_LABELS.get(str(r.change), str(r.change))
        for r in rows.itertuples()
    ]
    bars = ax.barh(labels, list(rows["value"]), color="#2a9d8f")
    for bar, row in zip(bars, rows.itertuples(), strict=True):
        if row.proven != "together":
            bar.set_facecolor("#8ecae6")
            bar.set_edgecolor("#2a6f97")
            bar.set_hatch("//")
        ax.text(
            bar.get_width() + 0.3,
            bar.get_y() + bar.get_height() / 2,
            f"{row.jobs} job{'s' if row.jobs != 1 else ''}",
            va="center",
        )
    ax.set_xlabel("weighted points of unserved jobs served")
    ax.set_title("What would serve the most unserved value")
    return ax
