"""Follow-ups: the return call or visit after a customer accepted a visit.

A follow-up is due ``followup_new_customer_hours`` (24 h) after acceptance for a new
customer (the customer's first accepted visit, with no earlier workers on record) and
``followup_returning_days`` (7 days) after acceptance otherwise. It is done by a
``visit_followed_up`` event, which the visit table allows once the visit is settled.
Rework visits have no follow-up of their own (the original visit has).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from matchmaker.lifecycle._events import Event, make_event
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._visit import Visit

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FOLLOWUP_COLUMNS",
    "FollowUp",
    "by_due_time",
    "follow_up",
    "followup_done",
    "followup_rows",
    "followups",
    "followups_due",
    "followups_frame",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class FollowUp:
    """One follow-up and where it stands at ``as_of``.

    ``status``: ``pending`` (not done, not yet late), ``overdue``, ``done_on_time`` or
    ``done_late``. ``ready`` says the visit is settled, so the follow-up can be recorded.
    """

    visit_id: str
    customer_id: str
    service_type: str
    worker_ids: tuple[str, ...]
    accepted_at: datetime
    due_at: datetime
    new_customer: bool
    done_at: datetime | None
    status: str
    ready: bool


def _first_accepted(ledger: Ledger) -> dict[str, str]:
    """Per customer, the visit accepted first (ties broken by id)."""
    first: dict[str, Visit] = {}
    for visit in ledger.visits.values():
        if visit.accepted_at is None or visit.rework_of is not None:
            continue
        current = first.get(visit.job.customer_id)
        if current is None or (visit.accepted_at, visit.visit_id) < (
            current.accepted_at or visit.accepted_at,
            current.visit_id,
        ):
            first[visit.job.customer_id] = visit
    return {customer_id: visit.visit_id for customer_id, visit in first.items()}


def follow_up(
    visit_id: str,
    *,
    customer_id: str,
    service_type: str,
    worker_ids: tuple[str, ...],
    accepted_at: datetime,
    done_at: datetime | None,
    settled: bool,
    new_customer: bool,
    policy: OpsPolicy,
    as_of: datetime,
) -> FollowUp:
    """The follow-up of a visit accepted at ``accepted_at`` (``new_customer``: its
    customer's first accepted visit, with no earlier workers on record)."""
    delay = (
        timedelta(hours=policy.followup_new_customer_hours)
        if new_customer
        else timedelta(days=policy.followup_returning_days)
    )
    due = accepted_at + delay
    if done_at is not None:
        status = "done_on_time" if done_at <= due else "done_late"
    else:
        status = "overdue" if as_of > due else "pending"
    return FollowUp(
        visit_id=visit_id,
        customer_id=customer_id,
        service_type=service_type,
        worker_ids=worker_ids,
        accepted_at=accepted_at,
        due_at=due,
        new_customer=new_customer,
        done_at=done_at,
        status=status,
        ready=settled,
    )


def by_due_time(items: list[FollowUp]) -> list[FollowUp]:
    return sorted(items, key=lambda f: (f.due_at, f.visit_id))


def followups(ledger: Ledger, policy: OpsPolicy, *, as_of: datetime) -> list[FollowUp]:
    """Every follow-up of an accepted visit, in order of due time."""
    first = _first_accepted(ledger)
    out = []
    for visit in ledger.visits.values():
        if visit.accepted_at is None or visit.rework_of is not None:
            continue
        customer = ledger.customers.get(visit.job.customer_id)
        known_before = customer is not None and bool(customer.previous_workers)
        new = first.get(visit.job.customer_id) == visit.visit_id and not known_before
        out.append(
            follow_up(
                visit.visit_id,
                customer_id=visit.job.customer_id,
                service_type=visit.job.service_type,
                worker_ids=visit.workers,
                accepted_at=visit.accepted_at,
                done_at=visit.followed_up_at,
                settled=visit.settled_at is not None,
                new_customer=new,
                policy=policy,
                as_of=as_of,
            )
        )
    return by_due_time(out)


def followups_due(ledger: Ledger, policy: OpsPolicy, *, as_of: datetime) -> list[FollowUp]:
    """The follow-ups still to do (pending or overdue), the most urgent first."""
    return [f for f in followups(ledger, policy, as_of=as_of) if f.done_at is None]


FOLLOWUP_COLUMNS = (
    "visit_id",
    "customer_id",
    "service_type",
    "worker_ids",
    "accepted_at",
    "due_at",
    "new_customer",
    "done_at",
    "status",
    "ready",
)


def followup_rows(items: list[FollowUp]) -> list[dict[str, str | bool | None]]:
    """The follow-ups as plain rows (:data:`FOLLOWUP_COLUMNS`, times ISO)."""
    return [
        {
            "visit_id": f.visit_id,
            "customer_id": f.customer_id,
            "service_type": f.service_type,
            "worker_ids": ";".join(f.worker_ids),
            "accepted_at": f.accepted_at.isoformat(),
            "due_at": f.due_at.isoformat(),
            "new_customer": f.new_customer,
            "done_at": None if f.done_at is None else f.done_at.isoformat(),
            "status": f.status,
            "ready": f.ready,
        }
        for f in items
    ]


def followups_frame(items: list[FollowUp]) -> pd.DataFrame:
    """The follow-ups as a frame (:func:`followup_rows`)."""
    import pandas as pd

    return pd.DataFrame(followup_rows(items), columns=list(FOLLOWUP_COLUMNS))


def followup_done(
    visit_id: str,
    *,
    time: datetime,
    actor: str,
    channel: str = "phone",
    satisfied: bool | None = None,
    note: str = "",
) -> Event:
    """The event that records a follow-up as done."""
    return make_event(
        "visit_followed_up",
        visit_id,
        time=time,
        actor=actor,
        channel=channel,
        satisfied=satisfied,
        note=note,
    )
