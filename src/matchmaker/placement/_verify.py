"""The independent verifier of a placement plan and of shortlists.

It re-derives every rule from the dataset's domain objects and the plan, never from the
eligibility arrays of :mod:`._encode` (docs/design.md section 8): the pair rules run
through :func:`matchmaker.plan.check_pair` (the visit verifier's own code, on the
request's visit-shaped twin, whose date is the hold's last day), and the placement rules
of :data:`~matchmaker.model.HARD_RULES` are written out here once more, in plain Python
over the placements, dates and visits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from itertools import combinations

from matchmaker.model import Dataset, Job, Location, PlacementRequest, TimeWindow, local_zone
from matchmaker.placement._encode import Commitment
from matchmaker.placement._result import PlacementPlan
from matchmaker.plan import Violation, check_pair

__all__ = ["PLACEMENT_RULES", "verify_placements", "verify_shortlists"]

PLACEMENT_RULES = (
    "placement_dates",
    "placement_free_from",
    "live_in_willing",
    "no_visits_in_placement",
    "no_placement_overlap",
    "shortlist_limits",
)
"""The placement rules this module checks (scope ``placement`` of the rule table)."""


def _violation(rule: str, request_id: str | None, worker_id: str | None, message: str) -> Violation:
    return Violation(rule=rule, job_id=request_id, worker_id=worker_id, message=message)


def _visits(dataset: Dataset) -> dict[str, set[date]]:
    """Local dates of each worker's pinned visits (written apart from ``_encode``)."""
    zone = local_zone(dataset)
    days: dict[str, set[date]] = defaultdict(set)
    for job in dataset.jobs:
        if job.pinned_start is not None:
            first = last = job.pinned_start.astimezone(zone).date()
        else:
            first = job.earliest_start.astimezone(zone).date()
            last = job.latest_start.astimezone(zone).date()
        for worker_id in job.pinned_worker_ids:
            day = first
            while day <= last:
                days[worker_id].add(day)
                day += timedelta(days=1)
    return days


def _twin(dataset: Dataset, request: PlacementRequest, last_day: datetime) -> Dataset:
    """The dataset with the request as its one visit, for the visit verifier's pair rules
    (built here, apart from the solver side's twin in ``_encode``). ``check_pair`` reads
    the date off the start it is given, the hold's last day."""
    customer = dataset.customer(request.customer_id)
    place = customer.location if customer is not None and customer.location else None
    job = Job(
        job_id=request.request_id,
        customer_id=request.customer_id,
        service_type=request.service_type,
        location=place or Location(lat=0.0, lon=0.0),
        window=TimeWindow(start=last_day, end=last_day),
        duration_minutes=1,
        required_skills=request.required_skills,
        min_experience_years=request.min_experience_years,
        required_certificates=request.required_certificates,
        gender_required=request.gender_required,
        language_required=request.language_required,
        excluded_workers=request.excluded_workers,
    )
    return Dataset(
        workers=dataset.workers,
        jobs=(job,),
        customers=dataset.customers,
        settings=dataset.settings,
    )


def _worker_rules(
    dataset: Dataset,
    request: PlacementRequest,
    worker_id: str,
    visits: Mapping[str, set[date]],
    commitments: Iterable[Commitment],
) -> Iterator[Violation]:
    """Every rule about one worker on one request, alone: pair rules and placement rules."""
    rid = request.request_id
    if not dataset.has_worker(worker_id):
        yield _violation("known_ids", rid, worker_id, f"Worker {worker_id!r} is unknown.")
        return
    worker = dataset.worker(worker_id)
    zone = local_zone(dataset)
    last_day = datetime.combine(request.hold_end, time(12), tzinfo=zone)
    for v in check_pair(_twin(dataset, request, last_day), rid, worker_id, last_day):
        yield _violation(v.rule, rid, worker_id, v.message)
    free = worker.placement.free_from
    if free is not None and free > request.hold_start:
        yield _violation(
            "placement_free_from",
            rid,
            worker_id,
            f"{worker_id} is free from {free.isoformat()}, after the hold starts on "
            f"{request.hold_start.isoformat()}.",
        )
    if request.live_in and not worker.placement.live_in_willing:
        yield _violation("live_in_willing", rid, worker_id, f"{worker_id} does not live in.")
    clash = sorted(
        d for d in visits.get(worker_id, ()) if request.hold_start <= d <= request.hold_end
    )
    if clash:
        yield _violation(
            "no_visits_in_placement",
            rid,
            worker_id,
            f"{worker_id} has a visit on {clash[0].isoformat()}, a date held for {rid}.",
        )
    for c in commitments:
        if (
            c.worker_id == worker_id
            and c.first <= request.hold_end
            and c.last >= request.hold_start
        ):
            yield _violation(
                "no_placement_overlap",
                rid,
                worker_id,
                f"{worker_id} is placed ({c.label or 'elsewhere'}) from {c.first.isoformat()} to "
                f"{c.last.isoformat()}, overlapping {rid}.",
            )


def verify_placements(
    dataset: Dataset, plan: PlacementPlan, *, commitments: Iterable[Commitment] = ()
) -> list[Violation]:
    """Every hard-rule violation of ``plan``'s placements; empty means the plan is valid."""
    commitments = tuple(commitments)
    requests = {r.request_id: r for r in dataset.placement_requests}
    visits = _visits(dataset)
    out: list[Violation] = []
    seen: dict[str, int] = defaultdict(int)
    for p in plan.placements:
        seen[p.request_id] += 1
    unfilled = [u.request_id for u in plan.unfilled]
    for rid in sorted(set(seen) | set(unfilled)):
        if rid not in requests:
            out.append(_violation("known_ids", rid, None, f"Request {rid!r} is unknown."))
    for rid in requests:
        listed = seen.get(rid, 0) + unfilled.count(rid)
        if listed != 1:
            out.append(
                _violation(
                    "served_once",
                    rid,
                    None,
                    f"Request {rid} is listed {listed} times (placed or unfilled); once is right.",
                )
            )
    held: dict[str, list[tuple[date, date, str]]] = defaultdict(list)
    for p in plan.placements:
        request = requests.get(p.request_id)
        if request is None:
            continue
        if (p.start_date, p.end_date, p.hold_start, p.hold_end) != (
            request.start,
            request.end,
            request.hold_start,
            request.hold_end,
        ):
            out.append(
                _violation(
                    "placement_dates",
                    p.request_id,
                    p.worker_id,
                    f"Placement {p.start_date}..{p.end_date} (held {p.hold_start}..{p.hold_end}) "
                    f"is not the request's {request.start}..{request.end} (held "
                    f"{request.hold_start}..{request.hold_end}).",
                )
            )
        out.extend(_worker_rules(dataset, request, p.worker_id, visits, commitments))
        held[p.worker_id].append((request.hold_start, request.hold_end, p.request_id))
    for worker_id, spans in held.items():
        for (a1, b1, r1), (a2, b2, r2) in combinations(sorted(spans), 2):
            if a2 <= b1 and a1 <= b2:
                out.append(
                    _violation(
                        "no_placement_overlap",
                        r2,
                        worker_id,
                        f"{worker_id} is placed on {r1} ({a1}..{b1}) and {r2} ({a2}..{b2}), "
                        "which overlap.",
                    )
                )
    return out


def verify_shortlists(
    dataset: Dataset,
    plan: PlacementPlan,
    *,
    k: int,
    max_shortlists: int,
    commitments: Iterable[Commitment] = (),
    open_shortlists: Mapping[str, int] | None = None,
) -> list[Violation]:
    """Every broken rule of ``plan``'s shortlists: each candidate passes every rule for
    its request (overlaps between candidates of different requests are allowed: they are
    only interviewed), at most ``k`` distinct candidates per request ranked 1..n, and no
    worker on more than ``max_shortlists`` open shortlists."""
    commitments = tuple(commitments)
    requests = {r.request_id: r for r in dataset.placement_requests}
    visits = _visits(dataset)
    out: list[Violation] = []
    by_request: dict[str, list[tuple[int, str]]] = defaultdict(list)
    load: dict[str, int] = defaultdict(int, open_shortlists or {})
    for entry in plan.shortlists:
        request = requests.get(entry.request_id)
        if request is None:
            out.append(_violation("known_ids", entry.request_id, None, "Unknown request."))
            continue
        by_request[entry.request_id].append((entry.rank, entry.worker_id))
        load[entry.worker_id] += 1
        out.extend(_worker_rules(dataset, request, entry.worker_id, visits, commitments))
    for rid, items in by_request.items():
        workers = [w for _, w in items]
        ranks = sorted(rank for rank, _ in items)
        if (
            len(items) > k
            or len(set(workers)) != len(workers)
            or ranks != list(range(1, len(items) + 1))
        ):
            out.append(
                _violation(
                    "shortlist_limits",
                    rid,
                    None,
                    f"Shortlist of {rid} has {len(items)} entries, ranks {ranks}; at most {k} "
                    "distinct workers ranked 1..n.",
                )
            )
    for worker_id, count in load.items():
        if count > max_shortlists:
            out.append(
                _violation(
                    "shortlist_limits",
                    None,
                    worker_id,
                    f"{worker_id} is on {count} open shortlists; at most {max_shortlists}.",
                )
            )
    return out
