"""Plan folders (plan contract v1, docs/design.md section 6): written atomically, read back.

A plan folder holds::

    assignments.csv   job_id, worker_id, start, end, travel_minutes, sequence, match_score,
                      then the dispatcher's columns: worker_name, customer_id, customer_name,
                      service_type, priority, district, address, day; with breaks,
                      kind (visit, break) and a row per break (:mod:`._plan_breaks`)
    unassigned.csv    job_id, reason_code, reason, then priority, earliest_start,
                      latest_start, customer_id, customer_name, service_type, district,
                      address, day
    days/YYYY-MM-DD/  assignments.csv and unassigned.csv of that local day, when the round
                      spans several days (the rows of the files above with that ``day``)
    workers.csv       worker_id, jobs, work_minutes, travel_minutes, shift_minutes, utilisation
    kpis.json         the KPIs (jobs_total, jobs_served, fill_rate, priority_served,
                      travel_minutes_total, mean_match_score, objective, lower_bound, gap,
                      backend, seed, solve_seconds, objective_terms, ...)
    plan.json         all of the above with "schema_version": 1, the score components of
                      every assignment, the policy, the travel model (``travel``, see
                      :mod:`matchmaker.io._travel_file`) and the checksum of input/
    travel_matrix.npz the travel matrix, when the plan was made with one
    policy.json       the policy the plan was made with
    input/            a normalised copy of the dataset (CSV tables and dataset.toml), so that
                      ``matchmaker explain`` and ``verify`` can read the plan on its own;
                      it keeps only the customers with a job, without name or location

Times are ISO 8601 with a UTC offset; ``day`` is the local date (the round's timezone) of
an assignment's start or an unassigned job's earliest start. The dispatcher's columns are
read from the dataset when the plan is written: blank names and addresses with
``--redact``; readers (``read_plan``) read columns by name and need none of them, so
plans of matchmaker 0.1 and plans made by hand read as before. ``workers.csv`` lists
every worker of the dataset; ``utilisation`` is work minutes over shift minutes (travel
is not work). ``input_sha256`` in ``plan.json`` is the SHA-256 over input/'s files in
name order, each contributing its relative path, a NUL byte and the SHA-256 of its bytes.

The names every plan folder shares live here; writing is :mod:`matchmaker.io._plan_write`,
reading :mod:`matchmaker.io._plan_read`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["DAYS", "INPUT", "PLAN_MARKER", "tree_sha256"]

PLAN_MARKER = "plan.json"
"""The file that makes a folder a plan folder (and holds everything in it)."""
INPUT = "input"
"""The folder of the plan's normalised copy of its dataset."""
DAYS = "days"
"""The folder of the per-day files of a round over several days."""


def tree_sha256(folder: Path) -> str:
    """``input_sha256``: SHA-256 over the files of ``folder`` (see above)."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8"))
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
