"""Synthetic city days for tests, benchmarks and demos."""

from __future__ import annotations

from matchmaker.generate._catalogue import (
    CERTIFICATES,
    DEFAULT_START_DATE,
    LANGUAGES,
    SERVICES,
    SKILLS,
    TIMEZONE,
)
from matchmaker.generate._draw import DISTRICTS
from matchmaker.generate._generate import (
    generate_dataset,
    generate_frames,
    home_care_settings,
)
from matchmaker.generate._warm import warm_up

__all__ = [
    "CERTIFICATES",
    "DEFAULT_START_DATE",
    "DISTRICTS",
    "LANGUAGES",
    "SERVICES",
    "SKILLS",
    "TIMEZONE",
    "generate_dataset",
    "generate_frames",
    "home_care_settings",
    "warm_up",
]
