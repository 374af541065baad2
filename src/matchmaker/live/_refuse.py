"""Live re-planning and recommendations refuse a round with break rules.

They move and insert visits around a plan's kept visits one by one, checking each step
with the rules they know; none of those steps places a break, so they would hand back
plans that break the rule ``breaks``. Until they do, they say so instead (exit 2).
"""

from __future__ import annotations

from matchmaker.model import Dataset, RequestError

__all__ = ["refuse_breaks"]


def refuse_breaks(dataset: Dataset, command: str) -> None:
    """Raise :class:`~matchmaker.model.RequestError` when ``dataset`` has break rules."""
    if dataset.settings.breaks:
        raise RequestError(
            f"{command} cannot keep breaks ([[breaks]] in dataset.toml) yet; "
            "dispatch the round again with matchmaker dispatch (--solver routing)"
        )
