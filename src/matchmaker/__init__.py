"""matchmaker: match and schedule home-service workers to customer jobs.

Data flows one way, and so do the subpackages (docs/design.md section 7)::

    files / DataFrames -> Dataset -> Problem -> Solution -> Plan -> verify -> plan folder
    io                    model      compile    solve       plan

>>> import matchmaker
>>> dataset = matchmaker.load_dataset("datasets/sample")          # doctest: +SKIP
>>> result = matchmaker.dispatch(dataset, time_limit=10, seed=1)  # doctest: +SKIP
>>> result.plan.to_frames()["assignments"]                         # doctest: +SKIP

The public names load on first use, so ``import matchmaker`` (and the command line's
start, where Ctrl-C must not print a traceback) does not wait for OR-Tools and pandas.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, Any

from matchmaker._version import __version__

if TYPE_CHECKING:
    from matchmaker.compile import (
        HaversineTravel,
        MatrixTravel,
        Problem,
        RoadEngineError,
        RoadTravel,
        TravelModel,
        compile_problem,
        road_travel,
    )
    from matchmaker.generate import (
        generate_dataset,
        generate_frames,
        home_care_settings,
        warm_up,
    )
    from matchmaker.io import (
        check_dataset,
        dataset_from_frames,
        dataset_to_frames,
        load_dataset,
        load_travel_matrix,
        read_plan,
        write_plan,
        write_tables,
    )
    from matchmaker.live import (
        Option,
        Recommendation,
        ReplanResult,
        Slot,
        WorkerVerdict,
        apply_option,
        build_index,
        explain_worker,
        read_changes,
        recommend,
        replan,
        slots,
    )
    from matchmaker.model import (
        BackgroundCheck,
        BackgroundCheckStatus,
        BreakRule,
        Certificate,
        ConcurrencyError,
        Customer,
        Dataset,
        DatasetError,
        DatasetSettings,
        DomainError,
        Gender,
        InvalidSizeError,
        InvalidTransition,
        Issue,
        Job,
        LifecycleError,
        LimitSettings,
        LinkWorker,
        Location,
        MatchmakerError,
        OutputExistsError,
        PlacementProfile,
        PlacementRequest,
        PlanError,
        Policy,
        PolicyError,
        RequestError,
        ScoreWeights,
        Shift,
        SkillRequirement,
        SolverError,
        TimeWindow,
        TravelMode,
        TravelSettings,
        UnknownFormatError,
        UnknownJobError,
        UnknownSolverError,
        UnknownTableError,
        UnverifiedPlanError,
        Worker,
        WorkerStatus,
        load_policy,
    )
    from matchmaker.placement import (
        Commitment,
        PlacementPlan,
        match_placements,
        shortlist,
        verify_placements,
        verify_shortlists,
        write_placements,
    )
    from matchmaker.plan import (
        Assignment,
        Break,
        DispatchResult,
        JobExplanation,
        Plan,
        ReasonCode,
        UnassignedJob,
        Violation,
        build_plan,
        dispatch,
        explain_job,
        open_executor,
        verify,
    )
    from matchmaker.report import PlanReport, plan_report, write_report
    from matchmaker.solve import (
        SOLVERS,
        ObjectiveTerms,
        Progress,
        Route,
        Solution,
        get_solver,
        objective_terms,
    )
    from matchmaker.whatif import (
        AddDemand,
        AddWorkers,
        ChangeShifts,
        ChangeWeights,
        Comparison,
        Coverage,
        Districts,
        RelaxRule,
        RemoveWorkers,
        Scenario,
        SmallestChange,
        TightenRule,
        compare,
        coverage,
        smallest_changes,
        what_would_serve_most,
        with_smallest_changes,
    )

_SURFACE: dict[str, tuple[str, ...]] = {
    "matchmaker.compile": (
        "HaversineTravel",
        "MatrixTravel",
        "Problem",
        "RoadEngineError",
        "RoadTravel",
        "TravelModel",
        "compile_problem",
        "road_travel",
    ),
    "matchmaker.generate": (
        "generate_dataset",
        "generate_frames",
        "home_care_settings",
        "warm_up",
    ),
    "matchmaker.io": (
        "check_dataset",
        "dataset_from_frames",
        "dataset_to_frames",
        "load_dataset",
        "load_travel_matrix",
        "write_tables",
        "read_plan",
        "write_plan",
    ),
    "matchmaker.live": (
        "Option",
        "Recommendation",
        "ReplanResult",
        "Slot",
        "WorkerVerdict",
        "apply_option",
        "build_index",
        "explain_worker",
        "read_changes",
        "recommend",
        "replan",
        "slots",
    ),
    "matchmaker.model": (
        "BackgroundCheck",
        "BackgroundCheckStatus",
        "Certificate",
        "ConcurrencyError",
        "Customer",
        "BreakRule",
        "Dataset",
        "DatasetError",
        "DatasetSettings",
        "DomainError",
        "Gender",
        "InvalidSizeError",
        "InvalidTransition",
        "Issue",
        "Job",
        "LifecycleError",
        "LinkWorker",
        "LimitSettings",
        "Location",
        "MatchmakerError",
        "OutputExistsError",
        "PlanError",
        "Policy",
        "PolicyError",
        "RequestError",
        "ScoreWeights",
        "Shift",
        "SkillRequirement",
        "SolverError",
        "TimeWindow",
        "TravelMode",
        "TravelSettings",
        "UnknownFormatError",
        "UnknownJobError",
        "UnknownSolverError",
        "UnknownTableError",
        "UnverifiedPlanError",
        "Worker",
        "WorkerStatus",
        "load_policy",
        "PlacementProfile",
        "PlacementRequest",
    ),
    "matchmaker.placement": (
        "Commitment",
        "PlacementPlan",
        "match_placements",
        "shortlist",
        "verify_placements",
        "verify_shortlists",
        "write_placements",
    ),
    "matchmaker.plan": (
        "Assignment",
        "Break",
        "DispatchResult",
        "JobExplanation",
        "Plan",
        "ReasonCode",
        "UnassignedJob",
        "Violation",
        "build_plan",
        "dispatch",
        "explain_job",
        "open_executor",
        "verify",
    ),
    "matchmaker.report": (
        "PlanReport",
        "plan_report",
        "write_report",
    ),
    "matchmaker.solve": (
        "ObjectiveTerms",
        "Progress",
        "Route",
        "SOLVERS",
        "Solution",
        "get_solver",
        "objective_terms",
    ),
    "matchmaker.whatif": (
        "AddDemand",
        "AddWorkers",
        "ChangeShifts",
        "ChangeWeights",
        "Comparison",
        "Coverage",
        "Districts",
        "RelaxRule",
        "RemoveWorkers",
        "Scenario",
        "SmallestChange",
        "TightenRule",
        "compare",
        "coverage",
        "smallest_changes",
        "what_would_serve_most",
        "with_smallest_changes",
    ),
}
"""Each public name by the subpackage that holds it."""

_HOME = {name: module for module, names in _SURFACE.items() for name in names}

__all__ = [
    "SOLVERS",
    "AddDemand",
    "AddWorkers",
    "Assignment",
    "BackgroundCheck",
    "BackgroundCheckStatus",
    "Break",
    "BreakRule",
    "Certificate",
    "ChangeShifts",
    "ChangeWeights",
    "Commitment",
    "Comparison",
    "ConcurrencyError",
    "Coverage",
    "Customer",
    "Dataset",
    "DatasetError",
    "DatasetSettings",
    "DispatchResult",
    "Districts",
    "DomainError",
    "Gender",
    "HaversineTravel",
    "InvalidSizeError",
    "InvalidTransition",
    "Issue",
    "Job",
    "JobExplanation",
    "LifecycleError",
    "LimitSettings",
    "LinkWorker",
    "Location",
    "MatchmakerError",
    "MatrixTravel",
    "ObjectiveTerms",
    "Option",
    "OutputExistsError",
    "PlacementPlan",
    "PlacementProfile",
    "PlacementRequest",
    "Plan",
    "PlanError",
    "PlanReport",
    "Policy",
    "PolicyError",
    "Problem",
    "Progress",
    "ReasonCode",
    "Recommendation",
    "RelaxRule",
    "RemoveWorkers",
    "ReplanResult",
    "RequestError",
    "RoadEngineError",
    "RoadTravel",
    "Route",
    "Scenario",
    "ScoreWeights",
    "Shift",
    "SkillRequirement",
    "Slot",
    "SmallestChange",
    "Solution",
    "SolverError",
    "TightenRule",
    "TimeWindow",
    "TravelMode",
    "TravelModel",
    "TravelSettings",
    "UnassignedJob",
    "UnknownFormatError",
    "UnknownJobError",
    "UnknownSolverError",
    "UnknownTableError",
    "UnverifiedPlanError",
    "Violation",
    "Worker",
    "WorkerStatus",
    "WorkerVerdict",
    "__version__",
    "apply_option",
    "build_index",
    "build_plan",
    "check_dataset",
    "compare",
    "compile_problem",
    "coverage",
    "dataset_from_frames",
    "dataset_to_frames",
    "dispatch",
    "explain_job",
    "explain_worker",
    "generate_dataset",
    "generate_frames",
    "get_solver",
    "home_care_settings",
    "load_dataset",
    "load_policy",
    "load_travel_matrix",
    "match_placements",
    "objective_terms",
    "open_executor",
    "plan_report",
    "read_changes",
    "read_plan",
    "recommend",
    "replan",
    "road_travel",
    "shortlist",
    "slots",
    "smallest_changes",
    "verify",
    "verify_placements",
    "verify_shortlists",
    "warm_up",
    "what_would_serve_most",
    "with_smallest_changes",
    "write_placements",
    "write_plan",
    "write_report",
    "write_tables",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'matchmaker' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


_MOVED: dict[str, str] = {
    "matchmaker.domain": "matchmaker.model",
    "matchmaker.settings": "matchmaker.model",
    "matchmaker.policy": "matchmaker.model",
    "matchmaker.exceptions": "matchmaker.model",
    "matchmaker.travel": "matchmaker.compile",
    "matchmaker.eligibility": "matchmaker.compile",
    "matchmaker.scoring": "matchmaker.compile",
    "matchmaker.problem": "matchmaker.compile",
    "matchmaker.solution": "matchmaker.solve",
    "matchmaker.objective": "matchmaker.solve",
    "matchmaker.solvers": "matchmaker.solve",
    "matchmaker.reasons": "matchmaker.plan",
    "matchmaker.explain": "matchmaker.plan",
    "matchmaker.verify": "matchmaker.plan",
    "matchmaker.pipeline": "matchmaker.plan",
    "matchmaker.io.plans": "matchmaker.io",
}
"""Modules of matchmaker 0.1 and the subpackage whose surface now holds their public names."""


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Keeps 0.1's import paths working: ``from matchmaker.domain import Job`` gets the
    subpackage's names, with a DeprecationWarning naming the new path."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        new = _MOVED[module.__name__]
        warnings.warn(
            f"{module.__name__} is now {new}; import from there (or from matchmaker)",
            DeprecationWarning,
            stacklevel=2,
        )
        target = importlib.import_module(new)
        module.__dict__.update({name: getattr(target, name) for name in target.__all__})
        module.__all__ = list(target.__all__)  # type: ignore[attr-defined]


sys.meta_path.append(_MovedModules())
