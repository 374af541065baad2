"""From a solution to a plan: building it, reasons, explanations, the verifier, dispatch."""

from __future__ import annotations

from matchmaker.model import planned_day as job_day
from matchmaker.plan._build import (
    build_plan,
    optimality_gap,
    plan_kpis,
)
from matchmaker.plan._capacity import (
    Standing,
    eligible_by_worker,
    schedule_of_plan,
    standing_of,
)
from matchmaker.plan._details import (
    ASSIGNMENT_DETAIL_COLUMNS,
    UNASSIGNED_DETAIL_COLUMNS,
    assignment_details,
    plan_days,
    unassigned_details,
)
from matchmaker.plan._dispatch import (
    DispatchInterrupted,
    DispatchResult,
    dispatch,
    redacted,
)
from matchmaker.plan._executor import DASK_HINT, open_executor
from matchmaker.plan._explain import (
    RULE_OF_REASON_BIT,
    JobExplanation,
    WorkerNote,
    explain_job,
    ineligibility,
)
from matchmaker.plan._frames import (
    ASSIGNMENT_COLUMNS,
    UNASSIGNED_COLUMNS,
    WORKER_COLUMNS,
    json_safe,
    plan_to_frames,
    worker_rows,
)
from matchmaker.plan._limits_check import has_limits, verify_limits
from matchmaker.plan._localize import explanation_text, localize_reason, localized_plan
from matchmaker.plan._localize_change import localize_change
from matchmaker.plan._messages import LANGUAGES, MESSAGES, message
from matchmaker.plan._plan import (
    PLAN_SCHEMA_VERSION,
    Assignment,
    Break,
    Plan,
    ReasonCode,
    UnassignedJob,
)
from matchmaker.plan._reasons import (
    RULE_ORDER,
    eligible_worker_count,
    ineligibility_summary,
    rule_counts,
)
from matchmaker.plan._split import SHIFTS_PER_ZONE, SPLITS, SplitKind, solve_split
from matchmaker.plan._verify import (
    PAIR_RULES,
    RULES,
    Violation,
    check_pair,
    verify,
)

# The verifier's ``job_day`` of matchmaker 0.1 (``matchmaker.verify``) is now
# ``matchmaker.model.planned_day``; the old name stays importable from here.

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "ASSIGNMENT_DETAIL_COLUMNS",
    "DASK_HINT",
    "LANGUAGES",
    "MESSAGES",
    "PAIR_RULES",
    "PLAN_SCHEMA_VERSION",
    "RULES",
    "RULE_OF_REASON_BIT",
    "RULE_ORDER",
    "SHIFTS_PER_ZONE",
    "SPLITS",
    "UNASSIGNED_COLUMNS",
    "UNASSIGNED_DETAIL_COLUMNS",
    "WORKER_COLUMNS",
    "Assignment",
    "Break",
    "DispatchInterrupted",
    "DispatchResult",
    "JobExplanation",
    "Plan",
    "ReasonCode",
    "SplitKind",
    "Standing",
    "UnassignedJob",
    "Violation",
    "WorkerNote",
    "assignment_details",
    "build_plan",
    "check_pair",
    "dispatch",
    "eligible_by_worker",
    "eligible_worker_count",
    "explain_job",
    "explanation_text",
    "has_limits",
    "ineligibility",
    "ineligibility_summary",
    "job_day",
    "json_safe",
    "localize_change",
    "localize_reason",
    "localized_plan",
    "message",
    "open_executor",
    "optimality_gap",
    "plan_days",
    "plan_kpis",
    "plan_to_frames",
    "redacted",
    "rule_counts",
    "schedule_of_plan",
    "solve_split",
    "standing_of",
    "unassigned_details",
    "verify",
    "verify_limits",
    "worker_rows",
]
