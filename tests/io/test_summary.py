"""summarize: the facts `matchmaker validate` shows about a dataset."""

from __future__ import annotations

import json
from pathlib import Path

from matchmaker.io import load_dataset, summarize
from tests.io.builders import write_dataset


def test_summary_counts_the_base_dataset(tmp_path: Path) -> None:
    """Rows, service types, statuses, the start window and demand against supply."""
    summary = summarize(load_dataset(write_dataset(tmp_path / "ds")))
    assert summary.tables == {"workers": 3, "customers": 2, "jobs": 3, "shifts": 4}
    assert summary.jobs_by_service_type == {
        "daily_cleaning": 1,
        "deep_cleaning": 1,
        "infant_care": 1,
    }
    assert summary.workers_by_status == {"active": 2, "on_leave": 1}
    assert summary.first_start is not None and summary.first_start.hour == 9
    assert summary.last_start is not None and summary.last_start.hour == 15
    assert (summary.days, summary.pinned_jobs, summary.team_jobs) == (1, 1, 1)
    assert summary.job_minutes == 120 + 240 + 2 * 180
    assert summary.shift_minutes == 9 * 60 + 9 * 60  # w3 is on leave
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["first_start"] == "2026-12-01T09:00:00+08:00"
