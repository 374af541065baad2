"""Why not this worker: ``matchmaker explain PLAN --job J --worker W``.

:func:`explain_worker` answers for one job and one worker. When the worker fails hard rules
for the job, it names them (the verifier's own pair rules, :func:`~matchmaker.plan.check_pair`,
plus the shift and the trip from home). When the worker may serve the job, it says what it
would take to give the job to them: the change in the objective, and what they would have
to move (a recommendation restricted to them, with up to :data:`MOVES` moves) or, failing
that, which of their planned jobs they would have to drop. When the job would fit in their
day only without their break (``[[breaks]]``), the verdict names the break and the reason
code ``BREAK`` (``rules`` is ``("breaks",)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from matchmaker.compile import ReasonBit
from matchmaker.live._break_fit import has_breaks
from matchmaker.live._index import (
    JobColumn,
    PlanIndex,
    build_index,
    index_of_schedule,
    job_column,
    routes_of,
)
from matchmaker.live._limit_options import within_link
from matchmaker.live._options import Move
from matchmaker.live._recommend import ranked_options
from matchmaker.live._search import candidates
from matchmaker.live._words import Said, joined, said
from matchmaker.model import (
    Dataset,
    Policy,
    RequestError,
    UnknownJobError,
    rule_names,
    rules_of_worker,
)
from matchmaker.plan import Plan, ReasonCode, ineligibility, message
from matchmaker.solve import objective_terms

__all__ = ["MOVES", "WorkerVerdict", "explain_worker"]

MOVES = 3
"""The most planned jobs an explanation lets the worker move before asking them to drop."""

Status = Literal["serves", "ineligible", "can_take", "needs_moves", "must_drop", "no_room"]


@dataclass(frozen=True, kw_only=True)
class WorkerVerdict:
    """Whether worker ``worker_id`` could serve job ``job_id``, and at what cost."""

    job_id: str
    worker_id: str
    status: Status
    said: Said
    """The verdict in words, in every language."""
    rules: tuple[str, ...] = ()
    """The hard rules the worker fails for the job."""
    objective_delta: int | None = None
    """Change of the plan's objective if the job went to the worker (``None``: cannot)."""
    moves: tuple[Move, ...] = ()
    drops: tuple[str, ...] = ()
    """Planned jobs of the worker that would have to be dropped."""
    components: dict[str, float] = field(default_factory=dict)

    @property
    def detail(self) -> str:
        """The verdict in English."""
        return self.said["en"]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "worker_id": self.worker_id,
            "status": self.status,
            "detail": self.said[lang],
            "rules": list(self.rules),
            "objective_delta": self.objective_delta,
            "moves": [m.to_dict() for m in self.moves],
            "drops": list(self.drops),
            "components": dict(self.components),
        }

    def to_text(self, lang: str = "en") -> str:
        lines = [
            message(
                lang, "worker.line", job_id=self.job_id, worker_id=self.worker_id,
                detail=self.said[lang],
            )
        ]  # fmt: skip
        if self.objective_delta is not None:
            lines.append(message(lang, "worker.objective", delta=f"{self.objective_delta:+,}"))
        for m in self.moves:
            lines.append(
                message(
                    lang, "worker.move", job=m.job_id,
                    before=f"{m.previous_worker_id} {m.previous_start.isoformat()}",
                    after=f"{m.worker_id} {m.start.isoformat()}",
                )
            )  # fmt: skip
        if self.drops:
            lines.append(message(lang, "worker.drops", jobs=", ".join(self.drops)))
        return "\n".join(lines)


def _objective(index: PlanIndex, schedule: dict[int, list[tuple[int, int]]]) -> int:
    routes = routes_of(schedule)
    return objective_terms(index.problem, routes, index.policy).total


def explain_worker(
    dataset: Dataset, plan: Plan, job_id: str, worker_id: str, *, policy: Policy
) -> WorkerVerdict:
    """Why ``worker_id`` does not serve ``job_id`` in ``plan``, or what it would take."""
    if not dataset.has_job(job_id):
        raise UnknownJobError(f"job {job_id!r} is not in the dataset")
    if not dataset.has_worker(worker_id):
        raise RequestError(f"worker {worker_id!r} is not in the dataset")
    index = build_index(dataset, plan, policy=policy)
    problem = index.problem
    j, w = dataset.job_position(job_id), dataset.worker_position(worker_id)
    serving = sorted(a.worker_id for a in plan.assignments if a.job_id == job_id)
    if worker_id in serving:
        return WorkerVerdict(
            job_id=job_id, worker_id=worker_id, status="serves", said=said("worker.serves")
        )
    bits = ReasonBit(int(problem.reasons[w, j]))
    mine = problem.vehicle_worker == w
    if bits or not (problem.eligible[:, j] & mine).any():
        return _ineligible(dataset, job_id, worker_id, bits)

    # Take the job out of the plan, then place it with this worker (in a team: in place
    # of the member who costs most).
    schedule = index.schedule()
    before = _objective(index, schedule)
    without = {v: [(k, s) for k, s in vs if k != j] for v, vs in schedule.items()}
    others = [a.worker_id for a in plan.assignments if a.job_id == job_id]
    bare = index_of_schedule(dataset, plan, policy, problem, without)
    column = job_column(bare, j)
    allowed = mine.copy()
    team = int(problem.job_team[j])
    if team > 1 and others:
        # A served team job: the worker takes the place of one member, the rest stay.
        allowed |= np.isin(problem.vehicle_worker, [dataset.worker_position(o) for o in others])
    elif team > 1:
        allowed[:] = True  # an unserved team job: the worker with any others

    linked = within_link(bare, column, dataset.job(job_id))
    limited = False
    for moves in (0, MOVES):
        found = [
            c
            for c in candidates(bare, column, k=50, max_moves=moves, allowed=allowed)
            if w in c.workers(bare)
        ]
        if not found:
            continue
        # The recommendation's options also keep the limits across days and the job's
        # link, which this search for places in the worker's day does not look at.
        _, kept = ranked_options(bare, linked, dataset, k=50, max_moves=moves, allowed=allowed)
        chosen = next(((c, o) for c, o in kept if worker_id in o.worker_ids), None)
        if chosen is None:
            limited = True
            continue
        best, option = chosen
        delta = _objective(bare, best.applied(without, j)) - before
        status: Status = "needs_moves" if best.moves else "can_take"
        sentence = option.said
        if others:
            sentence = said("worker.taking_from", others=", ".join(others), option=sentence)
        return WorkerVerdict(
            job_id=job_id,
            worker_id=worker_id,
            status=status,
            said=sentence,
            objective_delta=delta,
            moves=option.moves,
            components=option.components,
        )
    if limited:
        return WorkerVerdict(
            job_id=job_id,
            worker_id=worker_id,
            status="no_room",
            said=said("worker.limited", limited=said("live.limited")),
        )
    verdict = _drops(dataset, plan, policy, bare, without, before, j, w, job_id, worker_id, allowed)
    if _blocked_by_breaks(bare, column, allowed, w):
        breaks, code = _their_breaks(dataset, worker_id), ReasonCode.BREAK.value
        words = (
            said("worker.breaks_only", breaks=breaks, code=code)
            if verdict.status == "no_room"
            else said("worker.breaks_then", breaks=breaks, code=code, detail=verdict.said)
        )
        verdict = replace(verdict, rules=("breaks",), said=words)
    return verdict


def _blocked_by_breaks(index: PlanIndex, column: JobColumn, allowed: Any, w: int) -> bool:
    """Whether worker ``w`` could take the job (moving at most :data:`MOVES` jobs) if
    their breaks did not have to fit: then the breaks are what blocks them."""
    if not has_breaks(index.problem):
        return False
    return any(
        w in c.workers(index)
        for moves in (0, MOVES)
        for c in candidates(index, column, k=50, max_moves=moves, allowed=allowed, breaks=False)
    )


def _their_breaks(dataset: Dataset, worker_id: str) -> Said:
    """The break rules of the worker, in words: ``their break lunch (30-60 minutes
    starting 11:30-14:00)``."""
    rules = dataset.settings.breaks
    names = rule_names(rules)
    each = []
    for k in rules_of_worker(rules, dataset.worker(worker_id)):
        rule = rules[k]
        length = (
            f"{rule.min_minutes}"
            if rule.longest == rule.min_minutes
            else f"{rule.min_minutes}-{rule.longest}"
        )
        window = f"{rule.earliest_start.strftime('%H:%M')}-{rule.latest_start.strftime('%H:%M')}"
        each.append(said("worker.break_rule", name=names[k], length=length, window=window))
    return said("worker.their_breaks", rules=joined(each, said("word.and")))


def _ineligible(dataset: Dataset, job_id: str, worker_id: str, bits: ReasonBit) -> WorkerVerdict:
    rules, sentences = ineligibility(dataset, job_id, worker_id, bits)
    return WorkerVerdict(
        job_id=job_id,
        worker_id=worker_id,
        status="ineligible",
        said=said("worker.ineligible", rules=", ".join(rules), sentences=" ".join(sentences)),
        rules=rules,
    )


def _drops(
    dataset: Dataset,
    plan: Plan,
    policy: Policy,
    bare: PlanIndex,
    without: dict[int, list[tuple[int, int]]],
    before: int,
    j: int,
    w: int,
    job_id: str,
    worker_id: str,
    allowed: Any,
) -> WorkerVerdict:
    """The worker's planned jobs in the way, dropped so that the job fits."""
    problem = bare.problem
    low = int(problem.job_earliest[j])
    high = int(problem.job_latest[j]) + int(problem.job_duration[j])
    reach = 120  # travel either side may also be in the way
    after = {v: list(vs) for v, vs in without.items()}
    dropped: list[str] = []
    for v in np.flatnonzero(problem.vehicle_worker == w).tolist():
        kept = []
        for k, s in after.get(v, []):
            end = s + int(problem.job_duration[k])
            if s < high + reach and end > low - reach and int(problem.job_team[k]) == 1:
                dropped.append(problem.job_ids[k])
            else:
                kept.append((k, s))
        after[v] = kept
    # The limits across days are checked against the plan without the dropped jobs.
    gone = set(dropped)
    rest = replace(plan, assignments=tuple(a for a in plan.assignments if a.job_id not in gone))
    cleared = index_of_schedule(dataset, rest, policy, problem, after)
    column = within_link(cleared, job_column(cleared, j), dataset.job(job_id))
    found, offered = ranked_options(cleared, column, dataset, k=50, max_moves=0, allowed=allowed)
    best = next((c for c, option in offered if worker_id in option.worker_ids), None)
    if best is None or not dropped:
        limited = any(w in c.workers(cleared) for c in found)
        return WorkerVerdict(
            job_id=job_id,
            worker_id=worker_id,
            status="no_room",
            said=(
                said("worker.no_room_limited", limited=said("live.limited"))
                if limited and dropped
                else said("worker.no_room")
            ),
        )
    delta = _objective(cleared, best.applied(after, j)) - before
    return WorkerVerdict(
        job_id=job_id,
        worker_id=worker_id,
        status="must_drop",
        said=said("worker.must_drop", n=len(dropped), jobs=", ".join(dropped)),
        objective_delta=delta,
        drops=tuple(dropped),
    )
