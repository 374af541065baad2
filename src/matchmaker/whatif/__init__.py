"""See and compare: what-if scenarios, the coverage check before solving and the
smallest change that would serve an unserved job."""

from __future__ import annotations

from matchmaker.whatif._change import (
    CHANGE_COSTS,
    NOT_FOUND,
    HireSignal,
    SmallestChange,
    changes_frame,
    with_smallest_changes,
)
from matchmaker.whatif._compare import (
    BASELINE,
    Comparison,
    ScenarioResult,
    compare,
    served_value,
)
from matchmaker.whatif._counterfactual import smallest_changes
from matchmaker.whatif._coverage import Coverage, coverage
from matchmaker.whatif._districts import Districts, read_districts
from matchmaker.whatif._hiring import what_would_serve_most
from matchmaker.whatif._plots import (
    plot_comparison,
    plot_coverage,
    plot_job_changes,
    plot_serve_most,
)
from matchmaker.whatif._scenario import (
    RELAXABLE_RULES,
    AddDemand,
    AddWorkers,
    ChangeShifts,
    ChangeWeights,
    Edit,
    RelaxableRule,
    RelaxRule,
    RemoveWorkers,
    Scenario,
    TightenRule,
    round_days,
)

__all__ = [
    "BASELINE",
    "CHANGE_COSTS",
    "NOT_FOUND",
    "RELAXABLE_RULES",
    "AddDemand",
    "AddWorkers",
    "ChangeShifts",
    "ChangeWeights",
    "Comparison",
    "Coverage",
    "Districts",
    "Edit",
    "HireSignal",
    "RelaxRule",
    "RelaxableRule",
    "RemoveWorkers",
    "Scenario",
    "ScenarioResult",
    "SmallestChange",
    "TightenRule",
    "changes_frame",
    "compare",
    "coverage",
    "plot_comparison",
    "plot_coverage",
    "plot_job_changes",
    "plot_serve_most",
    "read_districts",
    "round_days",
    "served_value",
    "smallest_changes",
    "what_would_serve_most",
    "with_smallest_changes",
]
