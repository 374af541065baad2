"""Live dispatch on a plan: recommend workers for one job, bookable slots, re-plan with a
change budget, why not this worker (docs/design.md section 7; README "Live dispatch")."""

from __future__ import annotations

from matchmaker.live._changes import (
    CHANGE_KINDS,
    Change,
    ChangeKind,
    apply_changes,
    parse_changes,
    read_changes,
    read_jobs_file,
)
from matchmaker.live._diff import DIFF_COLUMNS, DiffRow
from matchmaker.live._index import PlanIndex, build_index
from matchmaker.live._options import Move, Option, Placement, Recommendation, apply_option
from matchmaker.live._recommend import recommend
from matchmaker.live._replan import ReplanResult, replan
from matchmaker.live._slots import Slot, slots
from matchmaker.live._why import WorkerVerdict, explain_worker

__all__ = [
    "CHANGE_KINDS",
    "DIFF_COLUMNS",
    "Change",
    "ChangeKind",
    "DiffRow",
    "Move",
    "Option",
    "Placement",
    "PlanIndex",
    "Recommendation",
    "ReplanResult",
    "Slot",
    "WorkerVerdict",
    "apply_changes",
    "apply_option",
    "build_index",
    "explain_worker",
    "parse_changes",
    "read_changes",
    "read_jobs_file",
    "recommend",
    "replan",
    "slots",
]
