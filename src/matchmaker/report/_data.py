"""What a plan report shows, as plain data: Gantt bars, routes and tables.

Everything is computed once from a :class:`~matchmaker.plan.Plan` and its
:class:`~matchmaker.model.Dataset` (and, for a plan folder, the dispatcher's columns of its
files, which carry the names the folder's input copy leaves out); the HTML page
(:mod:`matchmaker.report._html`) and the static pictures (:mod:`matchmaker.report._figures`)
only draw it.

**A worker's day** (one Gantt row per worker and shift) is the shift, the jobs, the travel
to each job and the idle time left: travel to the first job of a shift ends at its start
(the worker leaves home just in time), travel to a later job starts when the previous one
ends (the worker sets off at once and waits on arrival, which shows as idle time before the
job). Breaks are drawn: the plan's (``plan.breaks``), or those given (``breaks``). Times
are shown in the round's timezone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal

import pandas as pd

from matchmaker.model import Dataset, Shift, add_minutes, elapsed_minutes, local_zone
from matchmaker.plan import Assignment, Plan, localize_change, message, plan_to_frames

__all__ = ["Bar", "GanttRow", "ReportData", "Route", "build_report_data"]

Kind = Literal["job", "travel", "break", "idle"]


@dataclass(frozen=True, kw_only=True)
class Bar:
    """One bar of a Gantt row."""

    kind: Kind
    start: datetime
    end: datetime
    job_id: str = ""
    service: str = ""
    label: str = ""
    """The tooltip: what, when, for whom."""


@dataclass(frozen=True, kw_only=True)
class GanttRow:
    """One worker's shift: its bars from shift start to shift end."""

    worker_id: str
    name: str
    day: str
    shift_start: datetime
    shift_end: datetime
    bars: tuple[Bar, ...]


@dataclass(frozen=True, kw_only=True)
class Route:
    """One worker's way on one shift: home, then each job in order, as (lat, lon)."""

    worker_id: str
    day: str
    points: tuple[tuple[float, float], ...]
    job_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ReportData:
    """Everything a plan report shows (see the module docstring)."""

    zone: tzinfo
    days: tuple[str, ...]
    services: tuple[str, ...]
    """Service types in colour order."""
    kpis: dict[str, Any]
    rows: tuple[GanttRow, ...]
    routes: tuple[Route, ...]
    job_points: dict[str, tuple[float, float, str, bool]]
    """Every job: (lat, lon, service, served)."""
    assignments: pd.DataFrame
    unassigned: pd.DataFrame
    workers: pd.DataFrame
    services_table: pd.DataFrame
    reasons: pd.DataFrame
    unserved_value: pd.DataFrame | None
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _shift_of(shifts: Iterable[Shift], moment: datetime) -> Shift | None:
    for s in shifts:
        if s.start <= moment < s.end:
            return s
    return None


def _clock(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _bars(
    shift: Shift,
    visits: Sequence[Assignment],
    breaks: Sequence[tuple[datetime, datetime]],
    dataset: Dataset,
    zone: tzinfo,
    lang: str,
) -> tuple[Bar, ...]:
    busy: list[Bar] = []
    previous_end: datetime | None = None
    for a in visits:
        job = dataset.job(a.job_id) if dataset.has_job(a.job_id) else None
        service = job.service_type if job is not None else ""
        if a.travel_minutes > 0:
            if previous_end is None:
                travel_start, travel_end = add_minutes(a.start, -a.travel_minutes), a.start
            else:
                travel_start = previous_end
                travel_end = add_minutes(previous_end, a.travel_minutes)
            busy.append(
                Bar(
                    kind="travel",
                    start=travel_start,
                    end=travel_end,
                    job_id=a.job_id,
                    label=message(
                        lang, "report.bar.travel", minutes=a.travel_minutes, job=a.job_id
                    ),
                )
            )
        customer = f" {job.customer_id}" if job is not None else ""
        busy.append(
            Bar(
                kind="job",
                start=a.start,
                end=a.end,
                job_id=a.job_id,
                service=service,
                label=f"{a.job_id} {service}{customer} "
                f"{_clock(a.start, zone)}-{_clock(a.end, zone)}",
            )
        )
        previous_end = a.end
    for start, end in breaks:
        busy.append(
            Bar(
                kind="break",
                start=start,
                end=end,
                label=f"{_clock(start, zone)}-{_clock(end, zone)}",
            )
        )
    busy.sort(key=lambda b: (b.start, b.end))
    gaps: list[tuple[datetime, datetime]] = []
    cursor = shift.start
    for bar in busy:
        if bar.start > cursor:
            gaps.append((cursor, bar.start))
        cursor = max(cursor, bar.end)
    if cursor < shift.end:
        gaps.append((cursor, shift.end))
    idle = [
        Bar(
            kind="idle",
            start=s,
            end=e,
            label=message(lang, "report.bar.idle", minutes=int(elapsed_minutes(s, e))),
        )
        for s, e in gaps
    ]
    return tuple(sorted(busy + idle, key=lambda b: (b.start, b.end)))


def _gantt(
    plan: Plan,
    dataset: Dataset,
    zone: tzinfo,
    breaks: Mapping[str, Sequence[tuple[datetime, datetime]]],
    lang: str,
) -> tuple[tuple[GanttRow, ...], tuple[Route, ...]]:
    by_worker: dict[str, list[Assignment]] = {}
    for a in plan.assignments:
        by_worker.setdefault(a.worker_id, []).append(a)
    rows: list[GanttRow] = []
    routes: list[Route] = []
    for worker in dataset.workers:
        mine = sorted(by_worker.pop(worker.worker_id, []), key=lambda a: a.start)
        spans = list(worker.shifts)
        outside = [a for a in mine if _shift_of(spans, a.start) is None]
        if outside:  # a plan made by hand may break the shifts: its jobs still show
            spans.append(Shift(start=outside[0].start, end=max(a.end for a in outside)))
        for span in spans:
            visits = [a for a in mine if _shift_of((span,), a.start) is not None]
            if span not in worker.shifts:
                visits = outside
            pauses = [
                (s, e) for s, e in breaks.get(worker.worker_id, ()) if span.start <= s < span.end
            ]
            day = span.start.astimezone(zone).date().isoformat()
            rows.append(
                GanttRow(
                    worker_id=worker.worker_id,
                    name=worker.name,
                    day=day,
                    shift_start=span.start,
                    shift_end=span.end,
                    bars=_bars(span, visits, pauses, dataset, zone, lang),
                )
            )
            located = [a for a in visits if dataset.has_job(a.job_id)]
            if located:
                points = [(worker.home.lat, worker.home.lon)]
                points += [
                    (dataset.job(a.job_id).location.lat, dataset.job(a.job_id).location.lon)
                    for a in located
                ]
                routes.append(
                    Route(
                        worker_id=worker.worker_id,
                        day=day,
                        points=tuple(points),
                        job_ids=tuple(a.job_id for a in located),
                    )
                )
    return tuple(rows), tuple(routes)


def _overlay(frame: pd.DataFrame, files: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    """``frame`` with the cells the plan's own file holds where ``frame`` has none (names
    the input copy leaves out), and any column only the file has (``smallest_change``)."""
    if files is None or frame.empty or not set(keys) <= set(files.columns):
        return frame
    files = files.drop_duplicates(subset=keys).set_index(keys)
    merged = frame.set_index(keys)
    for column in files.columns:
        if column in ("start", "end"):
            continue
        values = files[column].reindex(merged.index)
        if column in merged.columns:
            # The plan's own frame writes "" for text it does not hold (smallest_change).
            held = merged[column].notna() & (merged[column].astype(str) != "")
            merged[column] = merged[column].where(held, values)
        else:
            merged[column] = values
    return merged.reset_index()


def _mean(values: pd.Series) -> float | None:
    return None if values.empty else round(float(values.mean()), 1)


def _services(
    dataset: Dataset, assignments: pd.DataFrame, unassigned: pd.DataFrame
) -> pd.DataFrame:
    jobs = pd.DataFrame(
        {
            "job_id": [j.job_id for j in dataset.jobs],
            "service_type": [j.service_type for j in dataset.jobs],
            "duration": [j.duration_minutes for j in dataset.jobs],
        }
    )
    served_ids = set(assignments["job_id"])
    jobs["served"] = jobs["job_id"].isin(served_ids) & ~jobs["job_id"].isin(
        set(unassigned["job_id"])
    )
    rows = []
    for service, group in jobs.groupby("service_type", sort=True):
        scores = assignments.loc[assignments["service_type"] == service, "match_score"]
        served = int(group["served"].sum())
        rows.append(
            {
                "service_type": service,
                "jobs": len(group),
                "served": served,
                "unserved": len(group) - served,
                "fill_rate": round(served / len(group), 3) if len(group) else None,
                "work_minutes": int(group.loc[group["served"], "duration"].sum()),
                "mean_match_score": _mean(scores),
            }
        )
    return pd.DataFrame(rows)


def _unserved_value(
    unassigned: pd.DataFrame, weights: Mapping[int, int], lang: str
) -> pd.DataFrame | None:
    """ "What would serve the most unserved value": the ``smallest_change`` of each unserved
    job (said in ``lang``), grouped, with the number of jobs and their priority weights."""
    if "smallest_change" not in unassigned.columns:
        return None
    changes = unassigned[unassigned["smallest_change"].fillna("").astype(str) != ""].copy()
    if changes.empty:  # not computed (blank everywhere): no section
        return None
    changes["smallest_change"] = [localize_change(s, lang) for s in changes["smallest_change"]]
    changes["weight"] = [weights.get(int(p), 1) if pd.notna(p) else 1 for p in changes["priority"]]
    grouped = changes.groupby("smallest_change", sort=False).agg(
        jobs=("job_id", "size"), weighted=("weight", "sum"), job_ids=("job_id", " ".join)
    )
    return grouped.sort_values(["weighted", "jobs"], ascending=False).reset_index()


def build_report_data(
    plan: Plan,
    dataset: Dataset,
    *,
    files: Mapping[str, pd.DataFrame] | None = None,
    breaks: Iterable[tuple[str, datetime, datetime]] = (),
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
    priority_weights: Mapping[int, int] | None = None,
    lang: str = "en",
) -> ReportData:
    """The report's data for ``plan`` made from ``dataset``.

    ``files`` are the plan folder's ``assignments`` and ``unassigned`` tables as read from
    disk (their extra columns and names fill in what the dataset lacks); ``breaks`` are
    ``(worker_id, start, end)`` (none given: the plan's own, ``plan.breaks``);
    ``extra_tables`` are shown under their titles at the end.
    """
    zone = local_zone(dataset)
    by_worker: dict[str, list[tuple[datetime, datetime]]] = {}
    given = list(breaks)
    if not given:
        given = [(b.worker_id, b.start, b.end) for b in plan.breaks]
    for worker_id, start, end in given:
        by_worker.setdefault(worker_id, []).append((start, end))
    rows, routes = _gantt(plan, dataset, zone, by_worker, lang)
    frames = plan_to_frames(plan, dataset=dataset)
    files = files or {}
    assignments = _overlay(frames["assignments"], files.get("assignments"), ["job_id", "worker_id"])
    unassigned = _overlay(frames["unassigned"], files.get("unassigned"), ["job_id"])
    workers = frames["workers"]
    names = {w.worker_id: w.name for w in dataset.workers}
    if not assignments.empty and "worker_name" in assignments.columns:
        names.update(
            {
                k: v
                for k, v in zip(assignments["worker_id"], assignments["worker_name"], strict=True)
                if isinstance(v, str) and v
            }
        )
    workers.insert(1, "name", [names.get(w, "") for w in workers["worker_id"]])
    scores = assignments.groupby("worker_id")["match_score"].mean().round(1)
    workers["mean_match_score"] = [scores.get(w) for w in workers["worker_id"]]
    served = set(assignments["job_id"])
    job_points = {
        j.job_id: (j.location.lat, j.location.lon, j.service_type, j.job_id in served)
        for j in dataset.jobs
    }
    reasons = (
        unassigned.groupby("reason_code").size().rename("jobs").reset_index()
        if not unassigned.empty
        else pd.DataFrame(columns=["reason_code", "jobs"])
    ).sort_values("jobs", ascending=False, kind="stable")
    days = sorted({r.day for r in rows} | set(unassigned.get("day", pd.Series()).dropna()))
    services = tuple(sorted({j.service_type for j in dataset.jobs}))
    weights = priority_weights or {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
    return ReportData(
        zone=zone,
        days=tuple(days),
        services=services,
        kpis=dict(plan.kpis),
        rows=rows,
        routes=routes,
        job_points=job_points,
        assignments=assignments,
        unassigned=unassigned,
        workers=workers,
        services_table=_services(dataset, assignments, unassigned),
        reasons=reasons,
        unserved_value=_unserved_value(unassigned, weights, lang),
        extra_tables=dict(extra_tables or {}),
    )
