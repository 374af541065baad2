"""Round-wide work limits read from ``dataset.toml``'s ``[limits]`` table.

Each key is the default for every worker (or customer) whose own column is blank; a
worker's (customer's) own value always wins. All of them are hard rules
(:data:`matchmaker.model.HARD_RULES`). Days and weeks are local dates of the round's local
time (:func:`matchmaker.model.local_zone`); weeks run Monday to Sunday.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LimitSettings"]


class LimitSettings(BaseModel):
    """Defaults of the limits across days and of the continuity cap (every key optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_week_minutes: int | None = Field(
        None, ge=0, description="most work minutes of a worker in one calendar week"
    )
    min_rest_minutes: int | None = Field(
        None, ge=0, description="least minutes between two shifts' work of a worker"
    )
    max_consecutive_days: int | None = Field(
        None, ge=0, description="most local dates in a row with work for a worker"
    )
    max_distinct_workers: int | None = Field(
        None, ge=0, description="most different workers serving one customer over the round"
    )
