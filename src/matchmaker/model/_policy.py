"""The dispatch policy: weights of the match score and of the objective.

A :class:`Policy` is plain data, validated by pydantic, loadable from a TOML file (a
``[policy]`` table or top-level keys) and from ``dataset.toml``. Every default is
documented here and in the README.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from matchmaker.model._exceptions import PolicyError

__all__ = [
    "MAX_COST_WEIGHT",
    "MAX_SEARCH_PROCESSES",
    "MAX_STABILITY_COST",
    "Policy",
    "ScoreWeights",
    "load_policy",
]

MAX_COST_WEIGHT = 1000
"""The largest ``travel_cost_per_minute``, ``match_cost_per_point`` and priority weight.

With times within 366 days of the round (so a shift lasts at most 732 days, 1,054,080
minutes), ``serve_value <= 1000 * 1,054,080 + 100 * 1000 + 1 < 1.06e9`` and one worker-slot's
drop penalty ``<= 1000 * serve_value < 1.06e12``: the objective stays below ``2**62`` for
rounds of up to four million worker-slots (``workers_needed`` summed over the jobs).
"""

MAX_SERVE_VALUE_MINUTES = 1_000_000
"""The largest ``serve_value_minutes``: with ``travel_cost_per_minute <= 1000`` the value
stays below the largest ``serve_value`` (see :data:`MAX_COST_WEIGHT`)."""

MAX_STABILITY_COST = 1_000_000_000
"""The largest ``stability_cost_per_move``: about one job's drop penalty at the largest
weights, so that a re-plan's objective stays far below ``2**62``."""

MAX_SEARCH_PROCESSES = 16
"""The most processes ``search_processes`` may ask for (each holds its own search state)."""


class ScoreWeights(BaseModel):
    """Points of the 0-100 match score by component; they must add up to 100.

    Each component scores 0..1 for a pair and is multiplied by its weight.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rating: float = Field(30.0, ge=0, description="rating shrunk towards the prior mean")
    experience: float = Field(15.0, ge=0, description="years of experience, capped")
    skill_fit: float = Field(15.0, ge=0, description="skill level fitted to the job")
    preferred_worker: float = Field(15.0, ge=0, description="on the customer's preferred list")
    continuity: float = Field(15.0, ge=0, description="served this customer before")
    preferred_gender: float = Field(5.0, ge=0, description="the customer's preferred gender")
    preferred_language: float = Field(5.0, ge=0, description="speaks a preferred language")

    @model_validator(mode="after")
    def _sum_to_100(self) -> ScoreWeights:
        total = sum(self.model_dump().values())
        if abs(total - 100.0) > 1e-6:
            raise ValueError(f"score weights must add up to 100, they add up to {total:g}")
        return self


class Policy(BaseModel):
    """Weights and switches of matching and of the solver objective.

    The objective every solver minimises (integer cost units)::

        sum over unserved jobs   drop_penalty(job)
      + sum over assigned pairs  match_cost_per_point * (100 - match_score)
      + sum over travel minutes  travel_cost_per_minute
      + balance_cost_per_minute * work minutes of the busiest shift   (0 by default)

    ``drop_penalty(job) = serve_value * priority_weights[priority] * workers_needed`` where
    ``serve_value`` is set by the solver above any travel and match cost one job can save,
    so serving a job always beats a travel or score saving; ``serve_value_minutes`` sets it
    instead (``travel_cost_per_minute * serve_value_minutes``), so that a job is served only
    where it is worth its travel. With ``strict_priority`` the weights are raised so that
    one job of a higher priority beats any number of lower ones.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    score_weights: ScoreWeights = Field(default_factory=ScoreWeights)
    rating_prior_mean: float = Field(4.5, ge=0, le=5, description="mean a rating shrinks towards")
    rating_prior_count: float = Field(
        5.0, ge=0, description="reviews' worth of weight the prior mean carries"
    )
    experience_cap_years: float = Field(
        10.0, gt=0, description="experience beyond this scores full"
    )
    overqualified_levels: int = Field(
        2, ge=1, le=4, description="skill levels above the requirement that start a light penalty"
    )
    travel_cost_per_minute: int = Field(1, ge=0, le=MAX_COST_WEIGHT)
    match_cost_per_point: int = Field(1, ge=0, le=MAX_COST_WEIGHT)
    priority_weights: dict[int, int] = Field(
        default_factory=lambda: {1: 1, 2: 2, 3: 4, 4: 8, 5: 16},
        description="relative value of serving a job by priority 1-5",
    )
    strict_priority: bool = Field(
        False, description="one higher-priority job beats any number of lower ones"
    )
    serve_value_minutes: int | None = Field(
        None,
        ge=1,
        le=MAX_SERVE_VALUE_MINUTES,
        description="travel minutes that serving one worker-slot of a weight-1 job is worth "
        "(unset: more than any travel one job can add, so serving always comes first; set: "
        "a job whose travel and match cost exceed its value is left out)",
    )
    ruin_and_recreate: bool = Field(
        True,
        description="the routing backend improves its plan by ruin and recreate before "
        "guided local search (false: guided local search alone)",
    )
    search_processes: int | None = Field(
        None,
        ge=1,
        le=MAX_SEARCH_PROCESSES,
        description="processes ruin and recreate (and the home-care loop) runs in, sharing "
        "what they find (unset: one per core this process may use, at most 2; 1: no helper "
        "processes)",
    )
    stability_cost_per_move: int = Field(
        0,
        ge=0,
        le=MAX_STABILITY_COST,
        description="cost of each planned job a re-plan moves (its own objective term)",
    )
    balance_cost_per_minute: int = Field(
        0,
        ge=0,
        le=MAX_COST_WEIGHT,
        description="workload balance: cost per work minute of the busiest shift (0 = off)",
    )

    lateness_cost_per_minute: int = Field(
        1,
        ge=0,
        le=MAX_COST_WEIGHT,
        description="cost of each minute a job starts after its due_start (its own term)",
    )
    max_lateness_cost_per_minute: int = Field(
        0,
        ge=0,
        le=MAX_COST_WEIGHT,
        description="cost of each minute of the round's largest lateness (its own term)",
    )
    travel_home: bool = Field(
        False, description="plan and count each worker's way back home after the last job"
    )

    @model_validator(mode="after")
    def _priorities_complete(self) -> Policy:
        missing = {1, 2, 3, 4, 5} - set(self.priority_weights)
        if missing:
            raise ValueError(f"priority_weights lacks priorities {sorted(missing)}")
        if any(not 1 <= w <= MAX_COST_WEIGHT for w in self.priority_weights.values()):
            raise ValueError(f"priority_weights must be between 1 and {MAX_COST_WEIGHT}")
        if self.serve_value_minutes is not None and self.travel_cost_per_minute == 0:
            raise ValueError(
                "serve_value_minutes prices serving in travel minutes; it needs "
                "travel_cost_per_minute of at least 1"
            )
        return self


def _policy_from_mapping(data: dict[str, Any], source: str) -> Policy:
    table = data.get("policy", data)
    try:
        return Policy.model_validate(table)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}" for e in error.errors()
        )
        raise PolicyError(f"{source}: invalid policy: {details}") from None


def load_policy(path: Path) -> Policy:
    """Read a policy from a TOML file (a ``[policy]`` table or top-level keys)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: policy file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise PolicyError(f"{path}: not valid TOML: it nests too deeply") from None
    except OSError as error:
        raise PolicyError(f"{path}: cannot be read: {error.strerror or error}") from None
    return _policy_from_mapping(data, str(path))
