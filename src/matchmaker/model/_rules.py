"""The hard rules: one table that every other registry is derived from.

A plan that breaks a hard rule is wrong, whatever its score (docs/design.md section 2).
Each :class:`HardRule` row names the rule once, with one naming scheme everywhere:

* ``name`` is the verifier's rule (``matchmaker.plan.verify`` has a function of that name,
  ``Violation.rule`` carries it) and its test file (``tests/rules/test_<name>.py``);
* ``reasons`` are the :class:`Reason` s a worker-job pair can fail the rule for before
  solving (pair and shift rules only): each a :class:`ReasonBit` the solver side sets, the
  :class:`ReasonCode` it leads to, and the words for it in a reason sentence ("12 do not
  travel by car");
* ``code`` is the :class:`ReasonCode` an unserved job gets when this rule is what keeps it
  out;
* ``scope`` says what the rule looks at: the plan's integrity, one worker and one job, a
  worker's shift and one job, or a worker's whole schedule (several jobs, a team, pins).

The order of :data:`HARD_RULES` is the order ``verify`` checks them and the tie-break order
of reason codes. The implementations are deliberately elsewhere and twice: vectorised in
``matchmaker.compile`` (eligibility) and the solvers, and independently in
``matchmaker.plan``'s verifier; tests check both against this table.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from matchmaker.model._domain import Gender, Job

__all__ = [
    "HARD_RULES",
    "OBJECTIVE_CODES",
    "HardRule",
    "Phrase",
    "Reason",
    "ReasonBit",
    "ReasonCode",
    "RuleScope",
    "hard_rule",
]


class ReasonBit(enum.IntFlag):
    """One bit per pair or shift rule that a worker can fail for a job before solving."""

    NO_SKILL = 1 << 0
    SKILL_LEVEL = 1 << 1
    EXPERIENCE = 1 << 2
    CERTIFICATE = 1 << 3
    BACKGROUND_CHECK = 1 << 4
    INACTIVE = 1 << 5
    GENDER = 1 << 6
    LANGUAGE = 1 << 7
    BLOCKED = 1 << 8
    NO_AVAILABILITY = 1 << 9
    TRAVEL = 1 << 10
    EXCLUDED = 1 << 11
    """The worker declined this visit or was excluded from it by the operator."""
    NO_CAR = 1 << 12


class ReasonCode(enum.StrEnum):
    """Why a job could not be served (``unassigned.csv``'s ``reason_code``)."""

    NO_SKILL = "NO_SKILL"
    SKILL_LEVEL = "SKILL_LEVEL"
    EXPERIENCE = "EXPERIENCE"
    CERTIFICATE = "CERTIFICATE"
    BACKGROUND_CHECK = "BACKGROUND_CHECK"
    INACTIVE = "INACTIVE"
    GENDER = "GENDER"
    LANGUAGE = "LANGUAGE"
    NO_CAR = "NO_CAR"
    BLOCKED = "BLOCKED"
    NO_AVAILABILITY = "NO_AVAILABILITY"
    TRAVEL = "TRAVEL"
    TEAM_SIZE = "TEAM_SIZE"
    CAPACITY = "CAPACITY"
    NOT_FREE = "NOT_FREE"
    LIVE_IN = "LIVE_IN"
    VISIT_CONFLICT = "VISIT_CONFLICT"
    PLACEMENT_OVERLAP = "PLACEMENT_OVERLAP"
    DEPENDENCY = "DEPENDENCY"
    BREAK = "BREAK"
    """It fits in the free time of a worker who could take it, but not with that worker's
    break (``[[breaks]]``)."""
    WORK_LIMITS = "WORK_LIMITS"
    """Every worker who could take it would break a limit across days (week, rest, days
    in a row)."""
    CONTINUITY = "CONTINUITY"
    """Every worker who could take it would exceed the customer's cap on different workers."""
    NOT_WORTH = "NOT_WORTH"
    """It fits, but its travel and match cost exceed what serving it is worth (policy
    ``serve_value_minutes``): the objective's choice, not a rule's (:data:`OBJECTIVE_CODES`)."""


OBJECTIVE_CODES = frozenset({ReasonCode.NOT_WORTH})
"""Reason codes that come from the objective rather than from a row of :data:`HARD_RULES`."""


class RuleScope(enum.StrEnum):
    """What a rule looks at."""

    INTEGRITY = "integrity"
    """The plan itself: known ids, each job once, ends that match durations."""
    PAIR = "pair"
    """One worker and one job (and the job's date): decided before solving."""
    SHIFT = "shift"
    """One worker's shift and one job: window, shift bounds and the trip from home."""
    SCHEDULE = "schedule"
    """Several assignments together: one worker's day, a team, the pins."""
    PLACEMENT = "placement"
    """A long placement (whole local dates) and its worker: checked by the placement
    verifier (``matchmaker.placement``), never by the visit verifier."""


Phrase = Callable[[Job, int, str], str]
"""``(job, number of workers failing, blocked kind) -> words`` for a reason sentence."""


@dataclass(frozen=True, kw_only=True)
class Reason:
    """One way to fail a rule before solving: its bit, the code it leads to, its words."""

    bit: ReasonBit
    code: ReasonCode
    phrase: Phrase


@dataclass(frozen=True, kw_only=True)
class HardRule:
    """One hard rule (see the module docstring)."""

    name: str
    scope: RuleScope
    statement: str
    """The rule in one sentence, as docs/design.md states it."""
    code: ReasonCode | None = None
    reasons: tuple[Reason, ...] = ()

    @property
    def bits(self) -> ReasonBit:
        """Every reason bit of the rule, ORed."""
        bits = ReasonBit(0)
        for reason in self.reasons:
            bits |= reason.bit
        return bits


def _verb(n: int, plural: str) -> str:
    """``are`` -> ``is``, ``were`` -> ``was``, ``have`` -> ``has``, ``lack`` -> ``lacks``,
    ``do`` -> ``does`` for a single worker (only the first word changes)."""
    if n != 1:
        return plural
    first, _, rest = plural.partition(" ")
    singular = {"are": "is", "were": "was", "have": "has", "do": "does", "cannot": "cannot"}.get(
        first, first + "s"
    )
    return f"{singular} {rest}".rstrip()


_GENDER_WORD = {Gender.FEMALE: "female", Gender.MALE: "male"}


def _no_skill(job: Job, n: int, _: str) -> str:
    names = " or ".join(r.name for r in job.required_skills)
    return f"{n} {_verb(n, 'have no')} {names} skill"


def _skill_level(job: Job, n: int, _: str) -> str:
    return f"{n} {_verb(n, 'lack')} {' or '.join(str(r) for r in job.required_skills)}"


def _experience(job: Job, n: int, _: str) -> str:
    years = job.min_experience_years
    unit = "year" if years == 1 else "years"
    return f"{n} {_verb(n, 'have')} under {years:g} {unit} of experience"


def _certificate(job: Job, n: int, _: str) -> str:
    names = " or ".join(job.required_certificates)
    return f"{n} {_verb(n, 'have no')} valid {names} certificate"


def _background(job: Job, n: int, _: str) -> str:
    return f"{n} {_verb(n, 'have no')} valid background check"


def _inactive(job: Job, n: int, _: str) -> str:
    return f"{n} {_verb(n, 'are')} suspended or on leave"


def _gender(job: Job, n: int, _: str) -> str:
    required = job.gender_required
    if required is None:  # pragma: no cover - the bit is only set when a gender is required
        return f"{n} {_verb(n, 'are')} of the wrong gender"
    other = Gender.MALE if required is Gender.FEMALE else Gender.FEMALE
    return f"{n} {_verb(n, 'are')} {_GENDER_WORD[other]} ({_GENDER_WORD[required]} required)"


def _language(job: Job, n: int, _: str) -> str:
    return f"{n} {_verb(n, 'do not speak')} {' and '.join(job.language_required)}"


def _no_car(job: Job, n: int, _: str) -> str:
    return f"{n} {_verb(n, 'do not travel')} by car (the job needs a car)"


def _blocked(job: Job, n: int, kind: str) -> str:
    return f"{n} {_verb(n, kind)}"


def _no_availability(job: Job, n: int, _: str) -> str:
    return f"{n} {_verb(n, 'have no')} shift covering the job's window"


def _travel(job: Job, n: int, _: str) -> str:
    return f"{n} cannot reach the job in time from home"


def _reason(bit: ReasonBit, phrase: Phrase, code: ReasonCode | None = None) -> Reason:
    """A reason whose code is named like its bit unless ``code`` says otherwise."""
    return Reason(bit=bit, code=ReasonCode(str(bit.name)) if code is None else code, phrase=phrase)


HARD_RULES: tuple[HardRule, ...] = (
    HardRule(
        name="known_ids",
        scope=RuleScope.INTEGRITY,
        statement="Every assignment names a job and a worker of the dataset.",
    ),
    HardRule(
        name="served_once",
        scope=RuleScope.INTEGRITY,
        statement="A job is assigned or unassigned, never both, and no worker twice.",
    ),
    HardRule(
        name="skill_level",
        scope=RuleScope.PAIR,
        statement="The worker holds every required skill at or above the required level.",
        code=ReasonCode.SKILL_LEVEL,
        reasons=(
            _reason(ReasonBit.NO_SKILL, _no_skill),
            _reason(ReasonBit.SKILL_LEVEL, _skill_level),
        ),
    ),
    HardRule(
        name="experience",
        scope=RuleScope.PAIR,
        statement="The worker has at least the job's minimum years of experience.",
        code=ReasonCode.EXPERIENCE,
        reasons=(_reason(ReasonBit.EXPERIENCE, _experience),),
    ),
    HardRule(
        name="certificate_valid",
        scope=RuleScope.PAIR,
        statement="Every required certificate is held and valid on the job's date.",
        code=ReasonCode.CERTIFICATE,
        reasons=(_reason(ReasonBit.CERTIFICATE, _certificate),),
    ),
    HardRule(
        name="background_check",
        scope=RuleScope.PAIR,
        statement="The background check passed and has not expired on the job's date.",
        code=ReasonCode.BACKGROUND_CHECK,
        reasons=(_reason(ReasonBit.BACKGROUND_CHECK, _background),),
    ),
    HardRule(
        name="worker_active",
        scope=RuleScope.PAIR,
        statement="The worker is active: not suspended, not on leave.",
        code=ReasonCode.INACTIVE,
        reasons=(_reason(ReasonBit.INACTIVE, _inactive),),
    ),
    HardRule(
        name="gender_required",
        scope=RuleScope.PAIR,
        statement="The worker has the gender the job requires, when it requires one.",
        code=ReasonCode.GENDER,
        reasons=(_reason(ReasonBit.GENDER, _gender),),
    ),
    HardRule(
        name="language_required",
        scope=RuleScope.PAIR,
        statement="The worker speaks every language the job requires.",
        code=ReasonCode.LANGUAGE,
        reasons=(_reason(ReasonBit.LANGUAGE, _language),),
    ),
    HardRule(
        name="needs_car",
        scope=RuleScope.PAIR,
        statement="A job flagged needs_car gets a worker whose travel mode is car.",
        code=ReasonCode.NO_CAR,
        reasons=(_reason(ReasonBit.NO_CAR, _no_car),),
    ),
    HardRule(
        name="not_blocked",
        scope=RuleScope.PAIR,
        statement="The job's customer has not blocked the worker.",
        code=ReasonCode.BLOCKED,
        reasons=(_reason(ReasonBit.BLOCKED, _blocked),),
    ),
    HardRule(
        name="not_excluded",
        scope=RuleScope.PAIR,
        statement="The worker is not excluded from the job (declined it).",
        code=ReasonCode.BLOCKED,
        reasons=(_reason(ReasonBit.EXCLUDED, _blocked, ReasonCode.BLOCKED),),
    ),
    HardRule(
        name="start_in_window",
        scope=RuleScope.SHIFT,
        statement="The job starts inside its window.",
        code=ReasonCode.NO_AVAILABILITY,
    ),
    HardRule(
        name="end_matches_duration",
        scope=RuleScope.INTEGRITY,
        statement="An assignment ends its job's duration after it starts.",
    ),
    HardRule(
        name="inside_shift",
        scope=RuleScope.SHIFT,
        statement="The job starts inside one of the worker's shifts and ends by its end.",
        code=ReasonCode.NO_AVAILABILITY,
        reasons=(_reason(ReasonBit.NO_AVAILABILITY, _no_availability),),
    ),
    HardRule(
        name="travel_fits",
        scope=RuleScope.SHIFT,
        statement="Travel from home (or the previous job) fits before the job starts.",
        code=ReasonCode.TRAVEL,
        reasons=(_reason(ReasonBit.TRAVEL, _travel),),
    ),
    HardRule(
        name="home_by_shift_end",
        scope=RuleScope.SHIFT,
        statement="With the way home planned (policy travel_home), the last job of a "
        "shift ends early enough to travel home by the shift's end.",
        code=ReasonCode.TRAVEL,
    ),
    HardRule(
        name="no_overlap",
        scope=RuleScope.SCHEDULE,
        statement="No two jobs of one worker overlap.",
        code=ReasonCode.CAPACITY,
    ),
    HardRule(
        name="max_jobs_per_shift",
        scope=RuleScope.SCHEDULE,
        statement="At most the worker's maximum number of jobs per shift.",
        code=ReasonCode.CAPACITY,
    ),
    HardRule(
        name="max_work_minutes_per_shift",
        scope=RuleScope.SCHEDULE,
        statement="At most the worker's maximum work minutes per shift.",
        code=ReasonCode.CAPACITY,
    ),
    HardRule(
        name="team_complete_and_synchronised",
        scope=RuleScope.SCHEDULE,
        statement="A team job gets all its workers, starting together, or none.",
        code=ReasonCode.TEAM_SIZE,
    ),
    HardRule(
        name="pins_kept",
        scope=RuleScope.SCHEDULE,
        statement="Pinned assignments are kept as they are.",
    ),
    HardRule(
        name="linked_visits",
        scope=RuleScope.SCHEDULE,
        statement="A linked visit is served only with the visit it depends on, starting "
        "min_gap to max_gap minutes after it, by the same or a different worker as asked.",
        code=ReasonCode.DEPENDENCY,
    ),
    HardRule(
        name="breaks",
        scope=RuleScope.SCHEDULE,
        statement="Every shift with work holds the breaks its rules ask for: each of a "
        "length from min_minutes to max_minutes, starting in its window, overlapping no "
        "job, with the travel of its gap still fitting around it.",
        code=ReasonCode.BREAK,
    ),
    # Limits across days and the continuity cap (matchmaker.compile RoundLimits).
    HardRule(
        name="max_week_minutes",
        scope=RuleScope.SCHEDULE,
        statement="At most the worker's weekly work minutes in each calendar week.",
        code=ReasonCode.WORK_LIMITS,
    ),
    HardRule(
        name="min_rest_minutes",
        scope=RuleScope.SCHEDULE,
        statement="At least the worker's rest minutes between two shifts' work.",
        code=ReasonCode.WORK_LIMITS,
    ),
    HardRule(
        name="max_consecutive_days",
        scope=RuleScope.SCHEDULE,
        statement="At most the worker's number of local dates in a row with work.",
        code=ReasonCode.WORK_LIMITS,
    ),
    HardRule(
        name="max_distinct_workers",
        scope=RuleScope.SCHEDULE,
        statement="At most the customer's number of different workers over the round.",
        code=ReasonCode.CONTINUITY,
    ),
    # Long placements (matchmaker.placement). The pair rules above (skill_level to
    # not_excluded) apply to a placement too, with its hold's last day as the job's date.
    HardRule(
        name="placement_dates",
        scope=RuleScope.PLACEMENT,
        statement="A placement runs from its request's start (or due) date for its duration.",
    ),
    HardRule(
        name="placement_free_from",
        scope=RuleScope.PLACEMENT,
        statement="The worker is free (current placement over, earliest free date reached) "
        "on the first day of the placement's hold.",
        code=ReasonCode.NOT_FREE,
    ),
    HardRule(
        name="live_in_willing",
        scope=RuleScope.PLACEMENT,
        statement="A live-in placement gets a worker willing to live in.",
        code=ReasonCode.LIVE_IN,
    ),
    HardRule(
        name="no_visits_in_placement",
        scope=RuleScope.PLACEMENT,
        statement="The worker has no planned visit on any date of the placement's hold.",
        code=ReasonCode.VISIT_CONFLICT,
    ),
    HardRule(
        name="no_placement_overlap",
        scope=RuleScope.PLACEMENT,
        statement="No two placements of one worker overlap, holds of tentative dates included.",
        code=ReasonCode.PLACEMENT_OVERLAP,
    ),
    HardRule(
        name="shortlist_limits",
        scope=RuleScope.PLACEMENT,
        statement="A shortlist holds at most k distinct candidates ranked 1..n, and no worker "
        "is on more than max_shortlists open shortlists.",
        code=ReasonCode.CAPACITY,
    ),
)
"""Every hard rule, in the order :func:`matchmaker.plan.verify` checks them."""


def hard_rule(name: str) -> HardRule:
    """The row of :data:`HARD_RULES` called ``name``."""
    for rule in HARD_RULES:
        if rule.name == name:
            return rule
    raise KeyError(name)
