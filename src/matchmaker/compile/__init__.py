"""From a dataset to a solver's problem: travel, eligibility, scores, integer minutes."""

from __future__ import annotations

from matchmaker.compile._compile import compile_problem
from matchmaker.compile._eligibility import (
    PAIR_RULES,
    PairEncoding,
    ShiftFit,
    any_per_worker,
    cap_fit,
    eligible_matrix,
    encode_pairs,
    pair_reasons,
    rule_background_check,
    rule_certificate_valid,
    rule_experience,
    rule_gender_required,
    rule_language_required,
    rule_needs_car,
    rule_not_blocked,
    rule_not_excluded,
    rule_shift_fit,
    rule_skill_level,
    rule_worker_active,
    shift_reasons,
)
from matchmaker.compile._limits import RoundLimits, round_limits
from matchmaker.compile._linked import (
    LINK_ANY,
    LINK_CODES,
    LINK_DIFFERENT,
    LINK_SAME,
    JobRules,
    compile_rules,
)
from matchmaker.compile._problem import (
    Problem,
    ReasonBit,
)
from matchmaker.compile._road import (
    RoadEndpoint,
    RoadEngineError,
    RoadTravel,
    road_travel,
)
from matchmaker.compile._scoring import (
    COMPONENTS,
    OVERQUALIFIED_PENALTY,
    match_scores,
    pair_components,
    pairs_components,
    score_components,
)
from matchmaker.compile._travel import (
    HaversineTravel,
    MatrixTravel,
    TravelModel,
    coordinates,
    travel_matrices,
    travel_minutes,
    travel_or_default,
)
from matchmaker.model import horizon_start, local_zone, minutes_from
from matchmaker.model import latest_start_day as job_day

# ``horizon_start``, ``local_zone``, ``minutes_from`` and ``job_day`` (now
# ``matchmaker.model.latest_start_day``) live in the time base, matchmaker.model; they stay
# importable from here, where matchmaker 0.1 (``matchmaker.eligibility``) had them.

__all__ = [
    "COMPONENTS",
    "LINK_ANY",
    "LINK_CODES",
    "LINK_DIFFERENT",
    "LINK_SAME",
    "OVERQUALIFIED_PENALTY",
    "PAIR_RULES",
    "HaversineTravel",
    "JobRules",
    "MatrixTravel",
    "PairEncoding",
    "Problem",
    "ReasonBit",
    "RoadEndpoint",
    "RoadEngineError",
    "RoadTravel",
    "RoundLimits",
    "ShiftFit",
    "TravelModel",
    "any_per_worker",
    "cap_fit",
    "compile_problem",
    "compile_rules",
    "coordinates",
    "eligible_matrix",
    "encode_pairs",
    "horizon_start",
    "job_day",
    "local_zone",
    "match_scores",
    "minutes_from",
    "pair_components",
    "pair_reasons",
    "pairs_components",
    "road_travel",
    "round_limits",
    "rule_background_check",
    "rule_certificate_valid",
    "rule_experience",
    "rule_gender_required",
    "rule_language_required",
    "rule_needs_car",
    "rule_not_blocked",
    "rule_not_excluded",
    "rule_shift_fit",
    "rule_skill_level",
    "rule_worker_active",
    "score_components",
    "shift_reasons",
    "travel_matrices",
    "travel_minutes",
    "travel_or_default",
]
