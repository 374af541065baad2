"""matchmaker: match and schedule home-service workers to customer jobs."""

from __future__ import annotations

__version__ = "0.1.0"
