"""Shortlists: k interview candidates per open request, spread over the workers.

The customer interviews a few candidates and picks one, so a shortlist round decides no
placement: it picks, for every request, up to ``k`` eligible candidates (all hard rules
hold for each of them) so that no worker is on more than ``max_shortlists`` open
shortlists at once (those of this round plus ``open_shortlists`` already out), which
keeps one top worker from being promised to every customer.

The choice is a min-cost flow (OR-Tools), exact and fast: source -> worker (capacity: the
shortlists left to the worker) -> request (one arc per eligible pair, cost ``-value[w, r]``
with the matching's values of :mod:`._match`) -> sink by two arcs, one of capacity 1 with
the extra cost ``-FIRST_BONUS * FILL_VALUE * weight[priority]`` and one of capacity
``k - 1``. The flow is maximal (as many candidates as possible) and, among maximal flows,
the cheapest: every request gets someone to interview before another gets its third,
higher priorities and better scores first. Candidates are ranked by score within a
shortlist. A request with fewer than ``k`` candidates says why.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matchmaker.model import Dataset, PlacementRequest, Policy, SolverError
from matchmaker.placement._encode import Commitment, eligibility
from matchmaker.placement._match import (
    FILL_VALUE,
    _values,
    component_maxima,
    placement_sentence,
)
from matchmaker.placement._reasons import request_reason
from matchmaker.placement._result import PlacementPlan, ShortlistEntry, Unfilled
from matchmaker.placement._score import PLACEMENT_COMPONENTS, placement_scores

__all__ = ["DEFAULT_MAX_SHORTLISTS", "DEFAULT_SHORTLIST_SIZE", "FIRST_BONUS", "shortlist"]

DEFAULT_SHORTLIST_SIZE = 3
DEFAULT_MAX_SHORTLISTS = 3
FIRST_BONUS = 2
"""A request's first candidate counts 1 + FIRST_BONUS times a later one."""


def shortlist(
    dataset: Dataset,
    *,
    k: int = DEFAULT_SHORTLIST_SIZE,
    max_shortlists: int = DEFAULT_MAX_SHORTLISTS,
    commitments: Iterable[Commitment] = (),
    open_shortlists: Mapping[str, int] | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
    num_workers: int = 2,
    policy: Policy | None = None,
) -> PlacementPlan:
    """Up to ``k`` candidates for every placement request of ``dataset``.

    ``open_shortlists`` counts, per worker id, the shortlists the worker is already on
    (outside this round); a worker joins at most ``max_shortlists`` minus that many.
    Excluded workers of a request (declined at interview, replaced) are never candidates.
    """
    if k < 1 or max_shortlists < 1:
        raise SolverError("k and max_shortlists must be at least 1")
    policy = dataset.settings.policy if policy is None else policy
    began = time.perf_counter()
    elig = eligibility(dataset, commitments=tuple(commitments))
    scores = placement_scores(dataset)
    values = _values(elig.requests, scores["total"], policy)
    already = open_shortlists or {}
    capacity = np.array(
        [max(max_shortlists - already.get(w.worker_id, 0), 0) for w in dataset.workers],
        dtype=np.int64,
    )
    usable = elig.eligible & (capacity[:, None] > 0)
    picked, stats = _flow(
        elig_requests=elig.requests,
        usable=usable,
        values=values,
        capacity=capacity,
        k=k,
        policy=policy,
    )
    maxima = component_maxima(policy)
    entries: list[ShortlistEntry] = []
    unfilled: list[Unfilled] = []
    load = np.zeros(len(dataset.workers), dtype=np.int64)
    for r, request in enumerate(elig.requests):
        chosen = sorted(picked.get(r, []), key=lambda w: (-scores["total"][w, r], w))
        eligible = int(elig.eligible[:, r].sum())
        column = scores["total"][:, r]
        for rank, w in enumerate(chosen, start=1):
            load[w] += 1
            components = {name: float(scores[name][w, r]) for name in PLACEMENT_COMPONENTS}
            entries.append(
                ShortlistEntry(
                    request_id=request.request_id,
                    rank=rank,
                    worker_id=dataset.workers[w].worker_id,
                    match_score=float(scores["total"][w, r]),
                    components=components,
                    reason=placement_sentence(
                        request,
                        float(scores["total"][w, r]),
                        components,
                        eligible,
                        maxima,
                        # where the candidate stands among all eligible workers
                        1 + int((column[elig.eligible[:, r]] > column[w]).sum()),
                    ),
                )
            )
        if len(chosen) < k:
            full = int((elig.eligible[:, r] & ~usable[:, r]).sum()) + int(
                sum(1 for w in np.flatnonzero(usable[:, r]) if w not in chosen)
            )
            busy = f"{full} already on {max_shortlists} shortlists" if full else ""
            code, sentence = request_reason(elig, r, wanted=k, got=len(chosen), busy=busy)
            unfilled.append(
                Unfilled(request_id=request.request_id, reason_code=code.value, reason=sentence)
            )
    seconds = time.perf_counter() - began
    slots = len(entries)
    distinct = len({e.worker_id for e in entries})
    kpis: dict[str, object] = {
        "requests_total": len(elig.requests),
        "shortlist_size": k,
        "max_shortlists": max_shortlists,
        "candidates_total": slots,
        "requests_with_full_shortlist": len(elig.requests) - len(unfilled),
        "requests_short": len(unfilled),
        "distinct_workers": distinct,
        "diversity": round(distinct / slots, 4) if slots else 1.0,
        "max_shortlists_per_worker": int(load.max()) if load.size else 0,
        "mean_match_score": round(float(np.mean([e.match_score for e in entries])), 2)
        if entries
        else 0.0,
        "backend": "min_cost_flow",
        "seed": seed,
        "solve_seconds": round(seconds, 3),
        "solver_stats": stats,
    }
    return PlacementPlan(
        mode="shortlist", shortlists=tuple(entries), unfilled=tuple(unfilled), kpis=kpis
    )


def _flow(
    *,
    elig_requests: tuple[PlacementRequest, ...],
    usable: npt.NDArray[np.bool_],
    values: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    k: int,
    policy: Policy,
) -> tuple[dict[int, list[int]], dict[str, object]]:
    """Request index -> chosen worker indices, by max flow at min cost (module doc)."""
    n_workers, n_requests = usable.shape
    ws, rs = np.nonzero(usable)
    if ws.size == 0:
        return {}, {"status": "EMPTY", "arcs": 0}
    sink = 1 + n_workers + n_requests  # the source is node 0
    worker_node = 1 + np.arange(n_workers)
    request_node = 1 + n_workers + np.arange(n_requests)
    weights = policy.priority_weights
    bonus = np.array(
        [FIRST_BONUS * FILL_VALUE * weights[r.priority] for r in elig_requests], dtype=np.int64
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate(
        [np.zeros(n_workers, np.int64), worker_node[ws], request_node, request_node]
    )
    heads = np.concatenate(
        [worker_node, request_node[rs], np.full(n_requests, sink), np.full(n_requests, sink)]
    )
    capacities = np.concatenate(
        [
            capacity,
            np.ones(ws.size, np.int64),
            np.ones(n_requests, np.int64),
            np.full(n_requests, k - 1, np.int64),
        ]
    )
    costs = np.concatenate(
        [np.zeros(n_workers, np.int64), -values[ws, rs], -bonus, np.zeros(n_requests, np.int64)]
    )
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    total = int(min(capacity.sum(), k * n_requests))
    flow.set_node_supply(0, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise SolverError(f"the shortlist flow failed (status {status})")
    pair_arcs = np.arange(n_workers, n_workers + ws.size)
    used = flow.flows(pair_arcs) > 0
    picked: dict[int, list[int]] = {}
    for w, r in zip(ws[used].tolist(), rs[used].tolist(), strict=True):
        picked.setdefault(r, []).append(w)
    return picked, {
        "status": "OPTIMAL",
        "objective": -int(flow.optimal_cost()),
        "arcs": int(flow.num_arcs()),
    }
