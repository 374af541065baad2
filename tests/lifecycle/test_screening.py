"""Worker screening: interview, training, background check, approval; only approved
workers are dispatched; workers registered before screening stay valid."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from matchmaker.lifecycle import Operations, WorkerState, export_jobs
from matchmaker.model import InvalidTransition, LifecycleError

from .factory import ev, visit

PROFILE = {"gender": "F", "home_lat": 31.23, "home_lon": 121.47, "skills": "cleaning:3"}


def _apply(ops: Operations, worker_id: str = "N1") -> None:
    ops.submit([ev("worker_applied", worker_id, -500, **PROFILE)])


def test_an_applicant_is_not_dispatchable_until_approved(ops: Operations) -> None:
    """Proposing an applicant is refused naming the state; after interview, training,
    background check and approval the same proposal is accepted."""
    _apply(ops)
    ops.submit([visit("V1")])
    with pytest.raises(LifecycleError, match="worker N1 is applicant"):
        ops.submit(
            [ev("visit_proposed", "V1", 0, worker_ids=["N1"], start="2026-12-01T09:00:00+08:00")]
        )
    ops.submit(
        [
            ev("worker_interviewed", "N1", -400, outcome="passed", interviewer="HR"),
            ev("worker_trained", "N1", -300, course="home cleaning basics"),
            ev("worker_background_checked", "N1", -200, result="passed", expires="2027-12-01"),
            ev("worker_approved", "N1", -100),
        ]
    )
    worker = ops.ledger().workers["N1"]
    assert worker.state is WorkerState.ACTIVE and worker.background_check == "passed"
    assert [s for s, _, _ in worker.screening] == [
        "interview",
        "training",
        "background_check",
        "approval",
    ]
    ops.submit(
        [ev("visit_proposed", "V1", 0, worker_ids=["N1"], start="2026-12-01T09:00:00+08:00")]
    )


@pytest.mark.parametrize(
    ("steps", "missing"),
    [
        ([], "an interview"),
        ([("worker_interviewed", {"outcome": "failed"})], "the latest one failed"),
        ([("worker_interviewed", {"outcome": "passed"})], "a training course"),
        (
            [
                ("worker_interviewed", {"outcome": "passed"}),
                ("worker_trained", {"course": "c"}),
                ("worker_background_checked", {"result": "pending"}),
            ],
            "it is pending",
        ),
        (
            [
                ("worker_interviewed", {"outcome": "passed"}),
                ("worker_trained", {"course": "c"}),
                ("worker_background_checked", {"result": "passed", "expires": "2026-11-01"}),
            ],
            "expired on 2026-11-01",
        ),
    ],
)
def test_approval_names_the_missing_step(
    ops: Operations, steps: list[tuple[str, dict[str, str]]], missing: str
) -> None:
    """Approval without every step passed is refused, naming what is missing; nothing
    is written."""
    _apply(ops)
    ops.submit([ev(kind, "N1", -400 + i, **payload) for i, (kind, payload) in enumerate(steps)])
    with pytest.raises(LifecycleError, match=missing):
        ops.submit([ev("worker_approved", "N1", 0)])
    assert ops.ledger().workers["N1"].state is WorkerState.APPLICANT


def test_rejection_is_final_and_screening_events_need_an_applicant(ops: Operations) -> None:
    """A rejected applicant cannot be approved; an employed worker cannot be interviewed
    but can be background-checked again; an unknown worker id is named as unknown."""
    _apply(ops)
    ops.submit([ev("worker_rejected", "N1", 0, reason="no show at interview")])
    with pytest.raises(InvalidTransition, match="rejected"):
        ops.submit([ev("worker_approved", "N1", 1)])
    with pytest.raises(InvalidTransition):
        ops.submit([ev("worker_interviewed", "W1", 1, outcome="passed")])
    ops.submit([ev("worker_background_checked", "W1", 1, result="failed")])
    assert ops.ledger().workers["W1"].background_check == "failed"
    with pytest.raises(LifecycleError, match="unknown worker 'NX'"):
        ops.submit([ev("worker_trained", "NX", 1, course="c")])


def test_registered_workers_stay_dispatchable_and_applicants_are_not_exported(
    ops: Operations, tmp_path: Path
) -> None:
    """Migration rule: a worker_registered worker (no screening record) is active and
    exported; an applicant and a rejected worker are left out of the round."""
    _apply(ops, "N1")
    _apply(ops, "N2")
    ops.submit([ev("worker_rejected", "N2", 0, reason="failed check"), visit("V1")])
    summary = export_jobs(ops, day=date(2026, 12, 1), out=tmp_path / "r")
    ids = pd.read_csv(tmp_path / "r" / "workers.csv")["worker_id"].tolist()
    assert ids == ["W1", "W2", "W3", "W4"] and summary.workers == 4
    assert ops.ledger().workers["W1"].screening == ()


def test_screening_events_are_in_time_order(ops: Operations) -> None:
    """An approval stamped before the application it approves is refused, naming both
    times (the per-entity time order of every event)."""
    ops.submit([ev("worker_applied", "N1", 0, **PROFILE)])
    with pytest.raises(LifecycleError, match="must be in time order"):
        ops.submit([ev("worker_rejected", "N1", -10, reason="late entry")])


def test_the_latest_interview_by_time_counts(ops: Operations) -> None:
    """A failed interview entered late but held before a passed one does not block the
    approval: the interview latest in time counts."""
    _apply(ops)
    ops.submit(
        [
            ev("worker_interviewed", "N1", -100, outcome="passed"),
            ev("worker_interviewed", "N1", -400, outcome="failed"),
            ev("worker_trained", "N1", -90, course="c"),
            ev("worker_background_checked", "N1", -80, result="passed"),
            ev("worker_approved", "N1", 0),
        ]
    )
    assert ops.ledger().workers["N1"].state is WorkerState.ACTIVE
