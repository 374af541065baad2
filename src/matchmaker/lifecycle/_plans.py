"""Read a plan folder (contract v1) back into the store: ``ops apply-plan``.

Each row of ``assignments.csv`` (``job_id, worker_id, start, end, travel_minutes,
sequence, match_score``; a team job has one row per worker) becomes a ``visit_proposed``
event for its visit, in one transaction. Rows of ``kind`` ``break`` (a worker's break) are
not visits and are passed over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matchmaker.compile import TravelModel
from matchmaker.io import read_plan
from matchmaker.lifecycle._events import Command
from matchmaker.lifecycle._export import OPEN_STATES
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._operations import Operations
from matchmaker.lifecycle._plan_check import Proposal, verify_against_store
from matchmaker.lifecycle._rounds import exported_rounds
from matchmaker.lifecycle._states import VisitState
from matchmaker.lifecycle._tables import Collector, check_columns, read_table, records
from matchmaker.model import DatasetError, Issue, PlanError

if TYPE_CHECKING:
    import pandas as pd

    from matchmaker.plan import Break

__all__ = ["ApplyPlanSummary", "apply_plan"]


@dataclass(frozen=True, kw_only=True)
class ApplyPlanSummary:
    proposed: int
    unchanged: int
    skipped: tuple[tuple[str, str], ...]
    """``(job_id, reason)`` for assignments not turned into proposals."""
    unassigned: int
    withdrawn: tuple[str, ...] = ()
    """Visits withdrawn because the plan drops them (``drop``), in the same transaction."""


def _check_round(ops: Operations, plan: Path) -> None:
    """Refuse a plan made from another dataset than a round the store exported.

    ``plan.json`` carries ``input_sha256``, the hash of the dataset the plan was made from;
    ``ops jobs`` records the hash each round it writes will give. A plan without
    ``plan.json`` (made by hand) has no hash and is only checked row by row.
    """
    marker = plan / "plan.json"
    if not marker.is_file():
        return
    file = str(marker)
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise DatasetError(
            [Issue(file=file, row=None, column=None, value=None, message=f"not JSON: {error}")]
        ) from None
    digest = data.get("input_sha256") if isinstance(data, dict) else None
    if not isinstance(digest, str):
        return
    rounds = exported_rounds(ops, looking_for=digest)
    if digest in rounds:
        return
    if rounds:
        latest = list(rounds.values())[-1]
        known = f"the rounds this store exported with 'ops jobs' (the latest for {latest})"
    else:
        known = "any round: this store has exported none with 'ops jobs'"
    message = (
        f"the plan was made from another dataset than {known}; dispatch the folder "
        "'ops jobs' wrote and apply that plan"
    )
    raise DatasetError(
        [Issue(file=file, row=None, column="input_sha256", value=digest, message=message)]
    )


def _recorded(plan: Path) -> tuple[TravelModel | None, tuple[Break, ...]]:
    """The travel model the plan records (a matrix or road-engine minutes), so that it is
    judged by the minutes it was made with (``None`` for a plan that records none), and the
    plan's breaks, which the store holds no events for."""
    try:
        read = read_plan(plan)
    except PlanError:  # its rows are checked and reported one by one here
        return None, ()
    return read.travel, read.breaks


def apply_plan(
    ops: Operations,
    plan: Path,
    *,
    time: datetime | None = None,
    actor: str = "dispatcher",
    check_input: bool = True,
    drop: Mapping[str, str] | None = None,
) -> ApplyPlanSummary:
    """Turn ``PLAN/assignments.csv`` into ``visit_proposed`` events (one transaction).

    A visit to dispatch (unassigned or after a no-show) is proposed; one already proposed or
    confirmed as planned is left alone; one proposed or confirmed otherwise is withdrawn and
    proposed again (a confirmed visit moves only when the export released its pin, because
    its worker can no longer serve it); any other visit is skipped with a reason.
    A plan whose ``plan.json`` names another dataset than a round the store exported
    (``input_sha256``) is refused (``check_input=False`` skips this for a re-plan the
    store's own changes produced, ``ops replan --apply``). The proposals are verified
    against the store's state now (:mod:`~matchmaker.lifecycle._plan_check`) and written
    only if no other writer appended since (else checked again, the third time holding
    the write lock: two dispatchers applying plans at once cannot both pass the check on
    the state before the other's write). ``drop`` maps visits the plan no longer serves
    (a re-plan's) to the reason: each still proposed or confirmed is withdrawn in the same
    transaction, and the proposals are checked against the store as it would be after
    that. Raises :class:`~matchmaker.model.DatasetError` with every bad row and broken
    rule at once, and writes nothing then.
    """
    plan = Path(plan)
    path = plan / "assignments.csv"
    file = str(path)
    if not path.is_file():
        raise DatasetError(
            [
                Issue(
                    file=file,
                    row=None,
                    column=None,
                    value=None,
                    message="plan has no assignments.csv",
                )
            ]
        )
    if check_input:
        _check_round(ops, plan)
    frame = read_table(path)
    when = time or datetime.now().astimezone()
    unassigned = 0
    unassigned_path = plan / "unassigned.csv"
    if unassigned_path.is_file():
        unassigned = len(records(read_table(unassigned_path)))

    def build() -> tuple[list[Command], ApplyPlanSummary]:
        ledger = ops.ledger()
        withdrawals, withdrawn = _withdrawals(ops, ledger, drop or {}, plan, when, actor)
        commands, (proposed, unchanged, skipped) = _proposals(
            ops, ledger, plan, frame, file, when, actor
        )
        summary = ApplyPlanSummary(
            proposed=proposed,
            unchanged=unchanged,
            skipped=skipped,
            unassigned=unassigned,
            withdrawn=withdrawn,
        )
        return [*withdrawals, *commands], summary

    return ops.submit_checked(build, source=file)


def _withdrawals(
    ops: Operations,
    ledger: Ledger,
    drop: Mapping[str, str],
    plan: Path,
    when: datetime,
    actor: str,
) -> tuple[list[Command], tuple[str, ...]]:
    """Withdraw each visit of ``drop`` still proposed or confirmed; ``ledger`` is changed
    to the state after them (in memory), for the proposals to be checked against."""
    source = str(plan / "diff.csv")
    out = Collector(time=when, actor=actor)
    for job_id, reason in drop.items():
        visit = ledger.visits.get(job_id)
        if visit is not None and visit.state in (VisitState.PROPOSED, VisitState.CONFIRMED):
            out.add(source, None, "visit_withdrawn", job_id, reason=reason)
    ops.rehearse(ledger, out.commands, source=source)
    return out.commands, tuple(c.event.entity_id for c in out.commands)


def _proposals(
    ops: Operations,
    ledger: Ledger,
    plan: Path,
    frame: pd.DataFrame,
    file: str,
    when: datetime,
    actor: str,
) -> tuple[list[Command], tuple[int, int, tuple[tuple[str, str], ...]]]:
    """The events that apply ``plan`` to the store in the state of ``ledger``, checked
    against it, and how many visits are proposed, unchanged and skipped; raises
    :class:`DatasetError` with every bad row and broken rule."""
    out = Collector(time=when, actor=actor)
    check_columns(frame, file, (), ("job_id", "worker_id", "start"), out)
    if out.issues:
        raise DatasetError(out.issues)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for row, cells in records(frame):
        if cells.get("kind") == "break":
            continue  # a worker's break ([[breaks]]), not a visit: the store has no events for it
        groups.setdefault(cells.get("job_id", ""), []).append((row, cells))
    proposed = unchanged = 0
    skipped: list[tuple[str, str]] = []
    proposals: list[Proposal] = []
    for job_id, rows in groups.items():
        row, first = rows[0]
        visit = ledger.visits.get(job_id)
        if visit is None:
            out.issue(file, row, "job_id", job_id or None, "no such visit in the store")
            continue
        workers = [cells.get("worker_id", "") for _, cells in rows]
        unknown = [w for w in workers if w not in ledger.workers]
        if unknown:
            out.issue(file, row, "worker_id", ";".join(unknown), "worker not in the store")
            continue
        starts = {cells.get("start", "") for _, cells in rows}
        if len(starts) > 1:
            out.issue(file, row, "start", None, f"the team of {job_id} starts at different times")
            continue
        try:
            start = datetime.fromisoformat(first.get("start", ""))
        except ValueError:
            out.issue(file, row, "start", first.get("start"), "not an ISO datetime")
            continue
        same = set(workers) == set(visit.workers) and visit.planned_start == start
        if visit.state in (VisitState.PROPOSED, VisitState.CONFIRMED, VisitState.CHECKED_IN):
            if same:
                unchanged += 1
                continue
            if visit.state is VisitState.CHECKED_IN:
                skipped.append((job_id, f"{visit.state}; kept as it is"))
                continue
            out.add(file, row, "visit_withdrawn", job_id, reason=f"re-planned by {plan.name}")
        elif visit.state not in OPEN_STATES:
            skipped.append((job_id, f"{visit.state}; nothing to dispatch"))
            continue
        payload: dict[str, Any] = {
            "worker_ids": workers,
            "start": first["start"],
            "plan": plan.name,
        }
        for column in ("end", "travel_minutes", "match_score"):
            if first.get(column):
                payload[column] = first[column]
        out.add(file, row, "visit_proposed", job_id, **payload)
        travel = first.get("travel_minutes", "")
        proposals.append(
            Proposal(
                row=row,
                job_id=job_id,
                workers=tuple(workers),
                start=start,
                travel_minutes=int(travel) if travel.isdigit() else 0,
            )
        )
        proposed += 1
    # Every problem at once: the rows' own, and the rules the proposals break now.
    recorded, breaks = _recorded(plan)
    checked = verify_against_store(
        ops, ledger, proposals, file=file, recorded=recorded, breaks=breaks
    )
    issues = [*out.issues, *checked]
    if issues:
        raise DatasetError(issues)
    return out.commands, (proposed, unchanged, tuple(skipped))
