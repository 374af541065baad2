"""Matching many placement requests at once: CP-SAT, and the greedy baseline.

Variables are the eligible worker-request pairs only (:mod:`._encode`). Constraints:

* a request gets at most one worker;
* a worker takes no two requests whose holds overlap. Holds are intervals of dates, so
  the requests that overlap pairwise are exactly those holding one common date, and it is
  enough to say "at most one" for each set of a worker's requests that hold the first
  date of one of them (the maximal cliques of an interval graph): a tight model.

The objective maximises ``sum value[r] * x[w, r]`` with ``value = FILL_VALUE *
weight[priority] + round(10 * score)``: ``FILL_VALUE`` exceeds ten times the best score,
so filling a request always beats a better score elsewhere, and priorities weigh which
requests to fill by ``policy.priority_weights`` (docs/design.md section 3). The greedy
baseline fills requests in priority order (then earliest start), each with its best
eligible worker still free on its dates; CP-SAT starts from it (a hint).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matchmaker.model import Dataset, PlacementRequest, Policy, SolverError
from matchmaker.placement._encode import Commitment, PlacementEligibility, eligibility
from matchmaker.placement._reasons import request_reason
from matchmaker.placement._result import Placement, PlacementPlan, Unfilled
from matchmaker.placement._score import (
    AGE_POINTS,
    BASE_SHARE,
    BUDGET_POINTS,
    PLACEMENT_COMPONENTS,
    TAG_POINTS,
    placement_scores,
)

__all__ = [
    "FILL_VALUE",
    "PLACEMENT_SOLVERS",
    "component_maxima",
    "greedy_assignment",
    "match_placements",
    "placement_kpis",
    "placement_sentence",
]

FILL_VALUE = 1001
"""Value of filling a request of weight 1; more than the best score (100.0 in tenths)."""

PLACEMENT_SOLVERS = ("cpsat", "greedy")

FINISH_MARGIN_SECONDS = 0.5
"""Kept from the time limit for reading CP-SAT's answer and building the plan."""

IntArray = npt.NDArray[np.int64]


def _values(
    requests: Sequence[PlacementRequest], score: npt.NDArray[np.float64], policy: Policy
) -> IntArray:
    weights = policy.priority_weights
    weight = np.array([weights[r.priority] for r in requests], dtype=np.int64)
    values: IntArray = FILL_VALUE * weight[None, :] + np.rint(10 * score).astype(np.int64)
    return values


def greedy_assignment(elig: PlacementEligibility, score: npt.NDArray[np.float64]) -> dict[int, int]:
    """Request index -> worker index: in priority order (then earliest start), the best
    eligible worker whose taken holds do not overlap this one (ties: the first worker)."""
    n_workers, n_requests = elig.eligible.shape
    if n_requests == 0:
        return {}
    order = sorted(
        range(n_requests),
        key=lambda r: (
            -elig.requests[r].priority,
            int(elig.hold_first[r]),
            elig.requests[r].request_id,
        ),
    )
    origin = int(elig.hold_first.min())
    first = elig.hold_first - origin
    last = elig.hold_last - origin
    # busy[w, d]: worker w is taken on day origin + d by a request placed so far.
    busy = np.zeros((n_workers, int(last.max()) + 1), dtype=np.bool_)
    out: dict[int, int] = {}
    for r in order:
        a, b = int(first[r]), int(last[r])
        free = elig.eligible[:, r] & ~busy[:, a : b + 1].any(axis=1)
        if not free.any():
            continue
        w = int(np.argmax(np.where(free, score[:, r], -np.inf)))
        busy[w, a : b + 1] = True
        out[r] = w
    return out


def _cliques(elig: PlacementEligibility) -> Iterable[tuple[int, npt.NDArray[np.intp]]]:
    """Per worker, the sets (of 2 or more) of eligible requests holding a common date."""
    first, last = elig.hold_first, elig.hold_last
    # holds[p, r]: request r holds the first date of request p.
    holds = (first[None, :] <= first[:, None]) & (last[None, :] >= first[:, None])
    eligible = elig.eligible
    for w in np.flatnonzero(eligible.sum(axis=1) > 1):
        mine = np.flatnonzero(eligible[w])
        sets = holds[np.ix_(mine, mine)]
        sets = sets[sets.sum(axis=1) > 1]
        if not sets.size:
            continue
        for row in np.unique(sets, axis=0):
            yield int(w), mine[row]


def _solve_cpsat(
    elig: PlacementEligibility,
    values: IntArray,
    hint: dict[int, int],
    *,
    deadline: float,
    seed: int,
    workers: int,
) -> tuple[dict[int, int], dict[str, object]]:
    model = cp_model.CpModel()
    ws, rs = np.nonzero(elig.eligible)
    x = [model.new_bool_var(f"x{w}_{r}") for w, r in zip(ws.tolist(), rs.tolist(), strict=True)]
    index = {(int(w), int(r)): k for k, (w, r) in enumerate(zip(ws, rs, strict=True))}
    by_request: dict[int, list[int]] = {}
    for k, r in enumerate(rs.tolist()):
        by_request.setdefault(r, []).append(k)
    for ks in by_request.values():
        if len(ks) > 1:
            model.add_at_most_one(x[k] for k in ks)
    for w, members in _cliques(elig):
        model.add_at_most_one(x[index[(w, int(r))]] for r in members)
    model.maximize(
        sum(
            int(values[w, r]) * x[k]
            for k, (w, r) in enumerate(zip(ws.tolist(), rs.tolist(), strict=True))
        )
    )
    for r, w in hint.items():
        model.add_hint(x[index[(w, r)]], True)
    solver = cp_model.CpSolver()
    # The whole round keeps to its time limit: the search gets what building the model
    # left, less a margin for reading the answer and building the plan.
    solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.1)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverError(f"CP-SAT found no placement plan ({solver.status_name(status)})")
    chosen = {
        int(r): int(w)
        for k, (w, r) in enumerate(zip(ws.tolist(), rs.tolist(), strict=True))
        if solver.boolean_value(x[k])
    }
    stats: dict[str, object] = {
        "status": solver.status_name(status),
        "objective": int(solver.objective_value),
        "bound": int(solver.best_objective_bound),
        "variables": len(x),
    }
    return chosen, stats


def match_placements(
    dataset: Dataset,
    *,
    commitments: Iterable[Commitment] = (),
    solver: str = "cpsat",
    time_limit: float = 10.0,
    seed: int = 0,
    num_workers: int = 2,
    policy: Policy | None = None,
) -> PlacementPlan:
    """Assign workers to the dataset's placement requests, all at once.

    ``commitments`` are placements the workers already have (from the lifecycle). The
    plan is not verified here; :func:`matchmaker.placement.verify_placements` does that
    (and ``matchmaker placements`` always does).
    """
    if solver not in PLACEMENT_SOLVERS:
        raise SolverError(
            f"unknown placement solver {solver!r}; use one of {', '.join(PLACEMENT_SOLVERS)}"
        )
    policy = dataset.settings.policy if policy is None else policy
    began = time.perf_counter()
    commitments = tuple(commitments)
    elig = eligibility(dataset, commitments=commitments)
    scores = placement_scores(dataset)
    score = scores["total"]
    values = _values(elig.requests, score, policy)
    greedy = greedy_assignment(elig, score)
    stats: dict[str, object] = {"status": "GREEDY"}
    chosen = greedy
    if solver == "cpsat" and elig.eligible.any():
        deadline = began + time_limit - FINISH_MARGIN_SECONDS
        chosen, stats = _solve_cpsat(
            elig, values, greedy, deadline=deadline, seed=seed, workers=num_workers
        )
    seconds = time.perf_counter() - began
    maxima = component_maxima(policy)
    return _plan(
        dataset, elig, scores, chosen, stats, maxima, solver=solver, seconds=seconds, seed=seed
    )


def _plan(
    dataset: Dataset,
    elig: PlacementEligibility,
    scores: dict[str, npt.NDArray[np.float64]],
    chosen: dict[int, int],
    stats: dict[str, object],
    maxima: dict[str, float],
    *,
    solver: str,
    seconds: float,
    seed: int,
) -> PlacementPlan:
    placements: list[Placement] = []
    unfilled: list[Unfilled] = []
    placed_worker = {w: r for r, w in chosen.items()}
    for r, request in enumerate(elig.requests):
        w = chosen.get(r)
        if w is None:
            taken = [
                dataset.workers[v].worker_id
                for v in np.flatnonzero(elig.eligible[:, r])
                if v in placed_worker
            ]
            busy = f"{len(taken)} placed on overlapping requests this round" if taken else ""
            code, sentence = request_reason(elig, r, busy=busy)
            unfilled.append(
                Unfilled(request_id=request.request_id, reason_code=code.value, reason=sentence)
            )
            continue
        components = {name: float(scores[name][w, r]) for name in PLACEMENT_COMPONENTS}
        placements.append(
            Placement(
                request_id=request.request_id,
                worker_id=dataset.workers[w].worker_id,
                start_date=request.start,
                end_date=request.end,
                hold_start=request.hold_start,
                hold_end=request.hold_end,
                match_score=float(scores["total"][w, r]),
                components=components,
                reason=placement_sentence(
                    request,
                    float(scores["total"][w, r]),
                    components,
                    int(elig.eligible[:, r].sum()),
                    maxima,
                ),
            )
        )
    kpis = placement_kpis(dataset, placements, unfilled)
    kpis.update(
        {
            "backend": solver,
            "seed": seed,
            "solve_seconds": round(seconds, 3),
            "solver_stats": stats,
        }
    )
    return PlacementPlan(
        mode="match", placements=tuple(placements), unfilled=tuple(unfilled), kpis=kpis
    )


def component_maxima(policy: Policy) -> dict[str, float]:
    """The most points each placement score component can give."""
    weights = policy.score_weights.model_dump()
    maxima = {name: BASE_SHARE * float(weights[name]) for name in weights}
    maxima.update({"tags": TAG_POINTS, "budget": BUDGET_POINTS, "age": AGE_POINTS})
    return maxima


def placement_sentence(
    request: PlacementRequest,
    score: float,
    components: dict[str, float],
    eligible: int,
    maxima: dict[str, float],
    rank: int | None = None,
) -> str:
    """Why this worker: the score, the components that lost points (most first), where it
    stands among the eligible workers (``rank``, by score, on a shortlist), the dates held."""
    lost = sorted(
        ((maxima.get(name, points) - points, name) for name, points in components.items()),
        reverse=True,
    )
    misses = ", ".join(f"{name} -{gap:.1f}" for gap, name in lost[:3] if gap >= 0.05)
    standing = f"best of {eligible}" if rank is None else f"number {rank} by score of {eligible}"
    text = f"score {score:.1f} of 100 ({'lost: ' + misses if misses else 'full marks'}); "
    text += f"{standing} eligible"
    if request.hold_start != request.start or request.hold_end != request.end:
        text += (
            f"; held {request.hold_start.isoformat()} to {request.hold_end.isoformat()} "
            f"around due date {request.start.isoformat()}"
        )
    return text


def placement_kpis(
    dataset: Dataset, placements: Sequence[Placement], unfilled: Sequence[Unfilled]
) -> dict[str, object]:
    """Fill, fill by priority and by service, mean score, worker-days placed."""
    requests = dataset.placement_requests
    filled = {p.request_id for p in placements}
    by_priority: dict[str, list[int]] = {}
    by_service: dict[str, list[int]] = {}
    for request in requests:
        hit = int(request.request_id in filled)
        by_priority.setdefault(str(request.priority), [0, 0])
        by_priority[str(request.priority)][0] += hit
        by_priority[str(request.priority)][1] += 1
        by_service.setdefault(request.service_type, [0, 0])
        by_service[request.service_type][0] += hit
        by_service[request.service_type][1] += 1
    total = len(requests)
    return {
        "requests_total": total,
        "requests_filled": len(placements),
        "fill_rate": round(len(placements) / total, 4) if total else 1.0,
        "filled_by_priority": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_priority.items())},
        "fill_rate_by_service": {k: round(v[0] / v[1], 4) for k, v in sorted(by_service.items())},
        "mean_match_score": round(float(np.mean([p.match_score for p in placements])), 2)
        if placements
        else 0.0,
        "worker_days_placed": sum((p.end_date - p.start_date).days + 1 for p in placements),
        "unfilled_by_reason": _count(u.reason_code for u in unfilled),
    }


def _count(codes: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for code in codes:
        out[code] = out.get(code, 0) + 1
    return dict(sorted(out.items()))
