"""``ops apply-plan`` passes over the break rows of a plan with breaks (kind break)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from matchmaker.lifecycle import EventStore, Operations, OpsPolicy, apply_plan, import_dataset

from .factory import DAY1, _shift, at, write_dataset, write_plan


def test_break_rows_are_not_visits(store: EventStore, tmp_path: Path) -> None:
    """A plan whose assignments.csv has a kind column and a break row proposes its visits
    and nothing for the break (no job id, not an unknown visit)."""
    ops = Operations(store, OpsPolicy())
    import_dataset(ops, write_dataset(tmp_path / "data"), time=at(-1440))
    folder = write_plan(tmp_path / "plan", [("J1", "W1", _shift(DAY1, 9))])
    path = folder / "assignments.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["kind"] = "visit"
    lunch = datetime.fromisoformat(_shift(DAY1, 12))
    pause = {
        "job_id": "",
        "worker_id": "W1",
        "start": lunch.isoformat(),
        "end": (lunch + timedelta(minutes=30)).isoformat(),
        "travel_minutes": "0",
        "sequence": "",
        "match_score": "",
        "kind": "break",
    }
    pd.concat([frame, pd.DataFrame([pause])]).to_csv(path, index=False)
    summary = apply_plan(ops, folder, time=at(0), check_input=False)
    assert summary.proposed == 1
    assert ops.ledger().visits["J1"].workers == ("W1",)
