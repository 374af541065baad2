"""matchmaker: match and schedule home-service workers to customer jobs.

Data flows one way::

    files / DataFrames -> Dataset -> Problem -> Solution -> Plan -> verify -> plan folder

>>> import matchmaker
>>> dataset = matchmaker.load_dataset("datasets/sample")          # doctest: +SKIP
>>> result = matchmaker.dispatch(dataset, time_limit=10, seed=1)  # doctest: +SKIP
>>> result.plan.to_frames()["assignments"]                         # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from matchmaker.compile import compile_problem
from matchmaker.domain import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Customer,
    Dataset,
    Gender,
    Job,
    Location,
    Shift,
    SkillRequirement,
    TimeWindow,
    TravelMode,
    Worker,
    WorkerStatus,
)
from matchmaker.exceptions import (
    ConcurrencyError,
    DatasetError,
    DomainError,
    InvalidTransition,
    Issue,
    LifecycleError,
    MatchmakerError,
    OutputExistsError,
    PlanError,
    PolicyError,
    SolverError,
    UnverifiedPlanError,
)
from matchmaker.explain import JobExplanation, build_plan, explain_job
from matchmaker.generate import generate_dataset, generate_frames
from matchmaker.io import (
    check_dataset,
    dataset_from_frames,
    dataset_to_frames,
    load_dataset,
    write_tables,
)
from matchmaker.io.plans import read_plan, write_plan
from matchmaker.objective import ObjectiveTerms, objective_terms
from matchmaker.pipeline import DispatchResult, dispatch
from matchmaker.plan import Assignment, Plan, ReasonCode, UnassignedJob
from matchmaker.policy import Policy, ScoreWeights, load_policy
from matchmaker.problem import Problem
from matchmaker.settings import DatasetSettings, TravelSettings
from matchmaker.solution import Progress, Route, Solution
from matchmaker.solvers import SOLVERS, get_solver
from matchmaker.travel import HaversineTravel, MatrixTravel, TravelModel
from matchmaker.verify import Violation, verify

__all__ = [
    "SOLVERS",
    "Assignment",
    "BackgroundCheck",
    "BackgroundCheckStatus",
    "Certificate",
    "ConcurrencyError",
    "Customer",
    "Dataset",
    "DatasetError",
    "DatasetSettings",
    "DispatchResult",
    "DomainError",
    "Gender",
    "HaversineTravel",
    "InvalidTransition",
    "Issue",
    "Job",
    "JobExplanation",
    "LifecycleError",
    "Location",
    "MatchmakerError",
    "MatrixTravel",
    "ObjectiveTerms",
    "OutputExistsError",
    "Plan",
    "PlanError",
    "Policy",
    "PolicyError",
    "Problem",
    "Progress",
    "ReasonCode",
    "Route",
    "ScoreWeights",
    "Shift",
    "SkillRequirement",
    "Solution",
    "SolverError",
    "TimeWindow",
    "TravelMode",
    "TravelModel",
    "TravelSettings",
    "UnassignedJob",
    "UnverifiedPlanError",
    "Violation",
    "Worker",
    "WorkerStatus",
    "build_plan",
    "check_dataset",
    "compile_problem",
    "dataset_from_frames",
    "dataset_to_frames",
    "dispatch",
    "explain_job",
    "generate_dataset",
    "generate_frames",
    "get_solver",
    "load_dataset",
    "load_policy",
    "objective_terms",
    "read_plan",
    "verify",
    "write_plan",
    "write_tables",
]
