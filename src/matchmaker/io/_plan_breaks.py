"""Breaks in a plan folder: rows of kind ``break`` in ``assignments.csv`` and ``plan.json``.

A plan with breaks (``[[breaks]]`` in ``dataset.toml``) writes one more column to
``assignments.csv``, ``kind``: ``visit`` for a job's row, ``break`` for a break's row, whose
``job_id`` is blank, ``travel_minutes`` 0, ``sequence`` and ``match_score`` blank, and whose
dispatcher's columns hold the worker's name and the day. ``plan.json`` lists them under
``breaks`` (``worker_id``, ``start``, ``end``). A plan without breaks is written exactly as
before (no ``kind`` column), and a reader takes a missing ``kind`` as all visits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from matchmaker.model import Dataset, local_zone, utc
from matchmaker.plan import ASSIGNMENT_DETAIL_COLUMNS, Break, Plan

__all__ = ["BREAK", "KIND_COLUMN", "VISIT", "break_record", "break_rows"]

KIND_COLUMN = "kind"
VISIT = "visit"
BREAK = "break"


def break_record(pause: Break) -> dict[str, Any]:
    """One break of ``plan.json``."""
    return {
        "worker_id": pause.worker_id,
        "start": pause.start.isoformat(),
        "end": pause.end.isoformat(),
    }


def break_rows(
    plan: Plan, dataset: Dataset, visit_rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``visit_rows`` marked ``visit`` with a row per break, all by start then worker."""
    zone = local_zone(dataset)
    rows = [{**row, KIND_COLUMN: VISIT} for row in visit_rows]
    for pause in plan.breaks:
        name = dataset.worker(pause.worker_id).name if dataset.has_worker(pause.worker_id) else ""
        row: dict[str, Any] = dict.fromkeys(ASSIGNMENT_DETAIL_COLUMNS)
        row.update(
            {
                "job_id": "",
                "worker_id": pause.worker_id,
                "start": pause.start.isoformat(),
                "end": pause.end.isoformat(),
                "travel_minutes": 0,
                "sequence": None,
                "match_score": None,
                "worker_name": name or None,
                "day": pause.start.astimezone(zone).date().isoformat(),
                KIND_COLUMN: BREAK,
            }
        )
        rows.append(row)
    # By instant (not wall clock), a visit before a break of the same start.
    return sorted(
        rows, key=lambda r: (utc(datetime.fromisoformat(r["start"])), r[KIND_COLUMN] == BREAK)
    )
