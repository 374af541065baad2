"""Dataset-wide settings read from ``dataset.toml``: timezone, travel model and policy."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matchmaker.policy import Policy

__all__ = ["DatasetSettings", "TravelSettings"]


def _default_speeds() -> dict[str, float]:
    return {"walk": 4.5, "bike": 12.0, "transit": 20.0, "car": 25.0}


def _default_overheads() -> dict[str, int]:
    return {"walk": 0, "bike": 0, "transit": 5, "car": 5}


class TravelSettings(BaseModel):
    """The default travel model (DESIGN section 2).

    ``km = detour_factor * haversine(a, b)`` on a sphere of ``earth_radius_km``;
    ``minutes = 0`` for the same point, else ``ceil(60 * km / speed) + overhead``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    detour_factor: float = Field(1.3, gt=0)
    earth_radius_km: float = Field(6371.0, gt=0)
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
            if speed <= 0:
                raise ValueError(f"speed for {mode} must be > 0")
        return value

    @field_validator("overhead_minutes")
    @classmethod
    def _non_negative_overheads(cls, value: dict[str, int]) -> dict[str, int]:
        for mode, minutes in value.items():
            if minutes < 0:
                raise ValueError(f"overhead for {mode} must be >= 0")
        return value


class DatasetSettings(BaseModel):
    """The contents of ``dataset.toml``; every key is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str | None = Field(
        None, description="IANA name applied to datetimes written without a UTC offset"
    )
    travel: TravelSettings = Field(default_factory=TravelSettings)
    policy: Policy = Field(default_factory=Policy)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {value!r}") from None
        return value

    @property
    def zone(self) -> ZoneInfo | None:
        return None if self.timezone is None else ZoneInfo(self.timezone)
