"""Long placements: matching many requests at once, interview shortlists, their verifier.

A placement (a live-in postpartum carer, a nanny, a housekeeper) occupies a worker for whole
local dates. :func:`match_placements` assigns workers to a round's requests with CP-SAT
(or the greedy baseline); :func:`shortlist` picks interview candidates; both are checked
by the independent :func:`verify_placements` / :func:`verify_shortlists` and written by
:func:`write_placements`. The rules are those of :data:`matchmaker.model.HARD_RULES`: the
pair rules of a visit, plus the rules of scope ``placement``.
"""

from __future__ import annotations

from matchmaker.placement._encode import (
    PLACEMENT_CODES,
    Commitment,
    PlacementBit,
    PlacementEligibility,
    eligibility,
    request_job,
    shadow_dataset,
    visit_days,
)
from matchmaker.placement._match import (
    FILL_VALUE,
    PLACEMENT_SOLVERS,
    component_maxima,
    greedy_assignment,
    match_placements,
    placement_kpis,
)
from matchmaker.placement._reasons import ineligible_counts, request_reason
from matchmaker.placement._result import (
    PLACEMENT_COLUMNS,
    SHORTLIST_COLUMNS,
    UNFILLED_COLUMNS,
    Placement,
    PlacementPlan,
    ShortlistEntry,
    Unfilled,
)
from matchmaker.placement._score import (
    AGE_POINTS,
    BASE_SHARE,
    BUDGET_POINTS,
    BUDGET_SLACK,
    PLACEMENT_COMPONENTS,
    TAG_POINTS,
    placement_scores,
)
from matchmaker.placement._shortlist import (
    DEFAULT_MAX_SHORTLISTS,
    DEFAULT_SHORTLIST_SIZE,
    shortlist,
)
from matchmaker.placement._verify import PLACEMENT_RULES, verify_placements, verify_shortlists
from matchmaker.placement._write import PLACEMENT_FILES, check_placement_folder, write_placements

__all__ = [
    "AGE_POINTS",
    "BASE_SHARE",
    "BUDGET_POINTS",
    "BUDGET_SLACK",
    "DEFAULT_MAX_SHORTLISTS",
    "DEFAULT_SHORTLIST_SIZE",
    "FILL_VALUE",
    "PLACEMENT_CODES",
    "PLACEMENT_COLUMNS",
    "PLACEMENT_COMPONENTS",
    "PLACEMENT_FILES",
    "PLACEMENT_RULES",
    "PLACEMENT_SOLVERS",
    "SHORTLIST_COLUMNS",
    "TAG_POINTS",
    "UNFILLED_COLUMNS",
    "Commitment",
    "Placement",
    "PlacementBit",
    "PlacementEligibility",
    "PlacementPlan",
    "ShortlistEntry",
    "Unfilled",
    "check_placement_folder",
    "component_maxima",
    "eligibility",
    "greedy_assignment",
    "ineligible_counts",
    "match_placements",
    "placement_kpis",
    "placement_scores",
    "request_job",
    "request_reason",
    "shadow_dataset",
    "shortlist",
    "verify_placements",
    "verify_shortlists",
    "visit_days",
    "write_placements",
]
