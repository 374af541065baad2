"""Worker screening: an applicant becomes dispatchable only when approved.

Steps (``worker_<step>`` events, in any order, each recorded on the worker)::

    worker_applied -> applicant
        worker_interviewed (outcome passed | failed)   the latest interview counts
        worker_trained (course)                        at least one course
        worker_background_checked (result, expires)   sets background_check[_expires]
    applicant -worker_approved-> active     only with a passed interview, a course and a
                                            passed background check not expired that day
    applicant -worker_rejected-> rejected   (with a reason)

An applicant or a rejected worker is never proposed for a visit (the ledger refuses it)
and is left out of the dispatch rounds ``ops jobs`` writes.

**Migration rule**: ``worker_registered`` keeps its meaning, a worker already employed
(every store written before screening existed, and every dataset import): such a worker
is active and dispatchable at once, with no screening record. New hires start with
``worker_applied``. ``worker_background_checked`` is also allowed for employed workers
(a periodic re-check): it updates the check, which the dispatcher's ``background_check``
rule reads.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from matchmaker.lifecycle._events import Event
from matchmaker.model import LifecycleError

if TYPE_CHECKING:
    from matchmaker.lifecycle._worker import WorkerRecord

__all__ = [
    "SCREENING_KINDS",
    "ScreeningStep",
    "check_approval",
    "missing_steps",
    "screening_changes",
]

SCREENING_KINDS = frozenset(
    {
        "worker_interviewed",
        "worker_trained",
        "worker_background_checked",
        "worker_approved",
        "worker_rejected",
    }
)

ScreeningStep = tuple[str, str, datetime]
"""(step, outcome or course, time): ``("interview", "passed", t)``, ``("training",
"infant care basics", t)``, ``("background_check", "passed", t)``."""


def missing_steps(worker: WorkerRecord, on: date) -> list[str]:
    """What still stands between the worker and approval on day ``on`` (empty: none)."""
    # The latest by time: an interview entered late does not override a later one.
    interviews = [
        outcome
        for step, outcome, _ in sorted(worker.screening, key=lambda s: s[2])
        if step == "interview"
    ]
    missing = []
    if not interviews:
        missing.append("an interview")
    elif interviews[-1] != "passed":
        missing.append("a passed interview (the latest one failed)")
    if not any(step == "training" for step, _, _ in worker.screening):
        missing.append("a training course")
    if worker.background_check != "passed":
        missing.append(f"a passed background check (it is {worker.background_check})")
    elif (expires := worker.background_check_expires) and date.fromisoformat(expires) < on:
        missing.append(f"a background check not expired (it expired on {expires})")
    return missing


def check_approval(worker: WorkerRecord, event: Event) -> None:
    """Refuse approving an applicant who has not passed every step, naming what is missing."""
    if worker.state != "applicant":
        return  # the transition table refuses it
    missing = missing_steps(worker, event.time.date())
    if missing:
        raise LifecycleError(
            f"worker {worker.worker_id} cannot be approved yet: missing {', '.join(missing)}"
        )


def screening_changes(worker: WorkerRecord, event: Event) -> dict[str, Any]:
    """The worker fields a screening event sets; approval checks every step first."""
    kind, p = event.kind, event.payload
    step: ScreeningStep
    changes: dict[str, Any] = {}
    if kind == "worker_interviewed":
        step = ("interview", str(p["outcome"]), event.time)
    elif kind == "worker_trained":
        step = ("training", str(p["course"]), event.time)
    elif kind == "worker_background_checked":
        step = ("background_check", str(p["result"]), event.time)
        changes = {
            "background_check": str(p["result"]),
            "background_check_expires": p.get("expires"),
        }
    elif kind == "worker_approved":
        # Every step is checked by the ledger first (check_approval).
        step = ("approval", "approved", event.time)
        changes = {"status_changed_at": event.time, "status_reason": str(p.get("note", ""))}
    else:
        step = ("approval", "rejected", event.time)
        changes = {"status_changed_at": event.time, "status_reason": str(p["reason"])}
    return {**changes, "screening": (*worker.screening, step)}
