"""Dataset-wide settings read from ``dataset.toml``: timezone, travel model and policy."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matchmaker.model._breaks import NO_BREAKS, BreakRule, rule_names
from matchmaker.model._limits import LimitSettings
from matchmaker.model._policy import Policy

__all__ = [
    "MAX_OVERHEAD_MINUTES",
    "MAX_SPEED_KMH",
    "MIN_SPEED_KMH",
    "DatasetSettings",
    "TravelSettings",
    "TravelSource",
    "known_zone",
]

# Bounds that keep every travel time inside int32 minutes: the longest trip (half the
# largest Earth allowed, at the largest detour and the lowest speed) is about 1.9e8 minutes.
MIN_SPEED_KMH = 1.0
MAX_SPEED_KMH = 300.0
MAX_OVERHEAD_MINUTES = 1440
MAX_DETOUR_FACTOR = 10.0
MAX_EARTH_RADIUS_KM = 100_000.0


def _default_speeds() -> dict[str, float]:
    return {"walk": 4.5, "bike": 12.0, "transit": 20.0, "car": 25.0}


def _default_overheads() -> dict[str, int]:
    return {"walk": 0, "bike": 0, "transit": 5, "car": 5}


class TravelSettings(BaseModel):
    """The default travel model (docs/design.md section 4).

    ``km = detour_factor * haversine(a, b)`` on a sphere of ``earth_radius_km``;
    ``minutes = 0`` for the same point, else ``ceil(60 * km / speed) + overhead``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    detour_factor: float = Field(1.3, ge=1, le=MAX_DETOUR_FACTOR)
    earth_radius_km: float = Field(6371.0, gt=0, le=MAX_EARTH_RADIUS_KM)
    speed_kmh: dict[str, float] = Field(default_factory=_default_speeds)
    overhead_minutes: dict[str, int] = Field(default_factory=_default_overheads)

    @field_validator("speed_kmh", "overhead_minutes", mode="before")
    @classmethod
    def _merge_defaults(cls, value: object, info: object) -> object:
        # A partial table in dataset.toml overrides only the modes it names.
        if not isinstance(value, dict):
            return value
        name = getattr(info, "field_name", "")
        base: dict[str, float] | dict[str, int] = (
            _default_speeds() if name == "speed_kmh" else _default_overheads()
        )
        unknown = set(value) - set(base)
        if unknown:
            raise ValueError(
                f"unknown travel mode(s) {sorted(unknown)}; use walk, bike, transit, car"
            )
        return {**base, **value}

    @field_validator("speed_kmh")
    @classmethod
    def _positive_speeds(cls, value: dict[str, float]) -> dict[str, float]:
        for mode, speed in value.items():
            if not MIN_SPEED_KMH <= speed <= MAX_SPEED_KMH:
                raise ValueError(
                    f"speed for {mode} must be between {MIN_SPEED_KMH:g} and {MAX_SPEED_KMH:g} km/h"
                )
        return value

    @field_validator("overhead_minutes")
    @classmethod
    def _non_negative_overheads(cls, value: dict[str, int]) -> dict[str, int]:
        for mode, minutes in value.items():
            if not 0 <= minutes <= MAX_OVERHEAD_MINUTES:
                raise ValueError(
                    f"overhead for {mode} must be between 0 and {MAX_OVERHEAD_MINUTES} minutes"
                )
        return value


class TravelSource(BaseModel):
    """Where a dataset's travel minutes come from instead of the default model.

    ``matrix``: a travel matrix file (a path relative to the dataset folder; see
    ``matchmaker.io.load_travel_matrix``); ``missing``: what a pair the file lacks gets
    (``"default"``: the default model's minutes, ``"error"``: the file is refused);
    ``engine``: a road engine address such as ``osrm+http://localhost:5000`` (see
    ``matchmaker.compile.road_travel``); ``cache``: a folder for the engine's answers
    (relative to the dataset folder). At most one of ``matrix`` and ``engine``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    matrix: str | None = None
    missing: Literal["default", "error"] = "default"
    engine: str | None = None
    cache: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> TravelSource:
        if self.matrix is not None and self.engine is not None:
            raise ValueError("give a travel matrix or a road engine, not both")
        return self


def known_zone(name: str) -> ZoneInfo:
    """The IANA timezone ``name``; a ``ValueError`` saying so when there is none (also for
    a folder of the zone database such as ``America``, which ``ZoneInfo`` reports as an
    ``OSError``, not as "not found")."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown IANA timezone {name!r}; use e.g. 'Asia/Shanghai'") from None


class DatasetSettings(BaseModel):
    """The contents of ``dataset.toml``; every key is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str | None = Field(
        None, description="IANA name applied to datetimes written without a UTC offset"
    )
    travel: TravelSettings = Field(default_factory=TravelSettings)
    travel_source: TravelSource = Field(default_factory=TravelSource)
    policy: Policy = Field(default_factory=Policy)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    breaks: tuple[BreakRule, ...] = Field(
        (), description="break rules (``[[breaks]]`` tables), see matchmaker.model.BreakRule"
    )

    @field_validator("breaks")
    @classmethod
    def _unique_break_names(cls, value: tuple[BreakRule, ...]) -> tuple[BreakRule, ...]:
        names = rule_names(value)
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two break rules are named {name!r}; give each its own name")
            if name == NO_BREAKS:
                raise ValueError(f"a break rule may not be named {NO_BREAKS!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None:
            known_zone(value)
        return value

    @property
    def zone(self) -> ZoneInfo | None:
        return None if self.timezone is None else ZoneInfo(self.timezone)
