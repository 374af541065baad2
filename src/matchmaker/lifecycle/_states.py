"""The transition tables of the order lifecycle, all in one place.

Each entity kind has one table: ``(state, event kind) -> next state``. The state before an
entity exists is :data:`NEW` (``"new"``); its only way out is the creating event. A pair
that is not in the table is an illegal transition: :meth:`TransitionTable.target` raises
:class:`~matchmaker.model.InvalidTransition` naming the current state, the event and
the events allowed there.

Order (the contract)::

    new -order_created-> inquiry -assessment_scheduled-> assessment_scheduled
        -order_assessed-> assessed -order_quoted-> quoted -order_contracted-> contracted
        -order_started-> active -order_completed-> completed -order_closed-> closed
    inquiry -order_quoted-> quoted                   (the assessment is optional)
    quoted -order_quoted-> quoted                    (a revised quote)
    assessment_scheduled -assessment_scheduled->     (rescheduled)
    contracted, active -order_schedule_paused / _resumed / _amended-> (state kept)
    any state before completed -order_cancelled-> cancelled   (with a reason)
    order_deposit_paid (quoted, contracted, active) and order_refunded (from contracted
    on, cancelled included) keep the state.

Visit (one job)::

    new -visit_created-> unassigned -visit_proposed-> proposed -visit_confirmed-> confirmed
        -visit_checked_in-> checked_in -visit_completed-> completed -visit_accepted-> accepted
        -visit_settled-> settled -visit_followed_up-> followed_up
    proposed, confirmed -visit_declined-> unassigned     (that worker excluded for the visit)
    proposed, confirmed -visit_withdrawn-> unassigned    (the dispatcher takes the proposal back)
    confirmed -visit_no_show-> no_show -visit_proposed-> proposed   (no-show worker excluded)
    completed -visit_rework_requested-> rework -visit_rework_done-> completed
    unassigned, proposed, confirmed, no_show -visit_cancelled-> cancelled
    visit_rated (customer) and visit_issue_reported (worker) keep the state;
    visit_refunded (settled, followed_up) keeps it too.

Complaint::

    new -complaint_opened-> opened -complaint_investigation_started-> investigating
        -complaint_upheld-> upheld | -complaint_rejected-> rejected

Worker (status as a state; profile updates keep it)::

    new -worker_registered-> active -worker_suspended-> suspended -worker_reinstated-> active
    new -worker_applied-> applicant -worker_approved-> active | -worker_rejected-> rejected
    applicant -worker_interviewed / _trained / _background_checked-> applicant
    active -worker_leave_started-> on_leave -worker_leave_ended-> active
    on_leave -worker_suspended-> suspended

Customer::

    new -customer_registered-> registered   (updates, blocks and replacements keep it)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from matchmaker.model import InvalidTransition

__all__ = [
    "COMPLAINT_TABLE",
    "CUSTOMER_TABLE",
    "NEW",
    "ORDER_TABLE",
    "PLACEMENT_TABLE",
    "TABLES",
    "VISIT_TABLE",
    "WORKER_TABLE",
    "ComplaintState",
    "CustomerState",
    "EntityType",
    "OrderState",
    "PlacementState",
    "TransitionTable",
    "VisitState",
    "WorkerState",
    "entity_type_of",
    "table_for",
]

NEW = "new"
"""The pseudo-state of an entity that does not exist yet."""


class EntityType(enum.StrEnum):
    ORDER = "order"
    VISIT = "visit"
    COMPLAINT = "complaint"
    WORKER = "worker"
    CUSTOMER = "customer"
    PLACEMENT = "placement"


class OrderState(enum.StrEnum):
    INQUIRY = "inquiry"
    ASSESSMENT_SCHEDULED = "assessment_scheduled"
    ASSESSED = "assessed"
    QUOTED = "quoted"
    CONTRACTED = "contracted"
    ACTIVE = "active"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class VisitState(enum.StrEnum):
    UNASSIGNED = "unassigned"
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    NO_SHOW = "no_show"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    REWORK = "rework"
    ACCEPTED = "accepted"
    SETTLED = "settled"
    FOLLOWED_UP = "followed_up"
    CANCELLED = "cancelled"


class ComplaintState(enum.StrEnum):
    OPENED = "opened"
    INVESTIGATING = "investigating"
    UPHELD = "upheld"
    REJECTED = "rejected"


class WorkerState(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ON_LEAVE = "on_leave"
    APPLICANT = "applicant"
    """Screening not finished: never dispatched, not in an exported round."""
    REJECTED = "rejected"


class CustomerState(enum.StrEnum):
    REGISTERED = "registered"


class PlacementState(enum.StrEnum):
    REQUESTED = "requested"
    SHORTLISTED = "shortlisted"
    INTERVIEWING = "interviewing"
    SELECTED = "selected"
    CONTRACTED = "contracted"
    STARTED = "started"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, kw_only=True)
class TransitionTable:
    """The legal transitions of one entity type: ``(state, kind) -> next state``."""

    entity_type: EntityType
    states: tuple[str, ...]
    transitions: Mapping[tuple[str, str], str]
    kinds: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitions", MappingProxyType(dict(self.transitions)))
        kinds: list[str] = []
        for (state, kind), target in self.transitions.items():
            if state != NEW and state not in self.states:
                raise ValueError(f"{self.entity_type}: unknown state {state!r} in table")
            if target not in self.states:
                raise ValueError(f"{self.entity_type}: unknown target {target!r} in table")
            if kind not in kinds:
                kinds.append(kind)
        object.__setattr__(self, "kinds", tuple(kinds))

    def allowed(self, state: str) -> tuple[str, ...]:
        """The event kinds allowed in ``state``, in table order."""
        return tuple(kind for (source, kind) in self.transitions if source == state)

    def is_final(self, state: str) -> bool:
        """No event leads out of ``state`` (events that keep it, a refund, may still come)."""
        return all(self.transitions[(state, kind)] == state for kind in self.allowed(state))

    def target(self, state: str, kind: str, *, entity_id: str = "") -> str:
        """The state after ``kind`` in ``state``; raises ``InvalidTransition`` if illegal."""
        state = str(state)
        try:
            return self.transitions[(state, kind)]
        except KeyError:
            name = f"{self.entity_type} {entity_id}".strip()
            raise InvalidTransition(
                entity=name, state=state, event=kind, allowed=self.allowed(state)
            ) from None


def _table(
    entity_type: EntityType,
    states: Iterable[str],
    rows: Iterable[tuple[Iterable[str], str, str]],
) -> TransitionTable:
    transitions: dict[tuple[str, str], str] = {}
    for sources, kind, target in rows:
        for source in sources:
            key = (str(source), kind)
            if key in transitions:
                raise ValueError(f"{entity_type}: duplicate transition {key}")
            transitions[key] = str(target)
    return TransitionTable(
        entity_type=entity_type, states=tuple(str(s) for s in states), transitions=transitions
    )


_O = OrderState
ORDER_TABLE = _table(
    EntityType.ORDER,
    OrderState,
    [
        ([NEW], "order_created", _O.INQUIRY),
        ([_O.INQUIRY, _O.ASSESSMENT_SCHEDULED], "assessment_scheduled", _O.ASSESSMENT_SCHEDULED),
        ([_O.ASSESSMENT_SCHEDULED], "order_assessed", _O.ASSESSED),
        ([_O.INQUIRY, _O.ASSESSED, _O.QUOTED], "order_quoted", _O.QUOTED),
        ([_O.QUOTED], "order_contracted", _O.CONTRACTED),
        ([_O.CONTRACTED], "order_started", _O.ACTIVE),
        ([_O.ACTIVE], "order_completed", _O.COMPLETED),
        ([_O.COMPLETED], "order_closed", _O.CLOSED),
        *[
            ([s], f"order_schedule_{change}", s)
            for s in (_O.CONTRACTED, _O.ACTIVE)
            for change in ("paused", "resumed", "amended")
        ],
        (
            [_O.INQUIRY, _O.ASSESSMENT_SCHEDULED, _O.ASSESSED, _O.QUOTED, _O.CONTRACTED, _O.ACTIVE],
            "order_cancelled",
            _O.CANCELLED,
        ),
        *[([s], "order_deposit_paid", s) for s in [_O.QUOTED, _O.CONTRACTED, _O.ACTIVE]],
        *[
            ([s], "order_refunded", s)
            for s in [_O.CONTRACTED, _O.ACTIVE, _O.COMPLETED, _O.CLOSED, _O.CANCELLED]
        ],
    ],
)

_V = VisitState
_RATEABLE = [_V.COMPLETED, _V.REWORK, _V.ACCEPTED, _V.SETTLED, _V.FOLLOWED_UP]
VISIT_TABLE = _table(
    EntityType.VISIT,
    VisitState,
    [
        ([NEW], "visit_created", _V.UNASSIGNED),
        ([_V.UNASSIGNED, _V.NO_SHOW], "visit_proposed", _V.PROPOSED),
        ([_V.PROPOSED], "visit_confirmed", _V.CONFIRMED),
        ([_V.PROPOSED, _V.CONFIRMED], "visit_declined", _V.UNASSIGNED),
        ([_V.PROPOSED, _V.CONFIRMED], "visit_withdrawn", _V.UNASSIGNED),
        ([_V.CONFIRMED], "visit_no_show", _V.NO_SHOW),
        ([_V.CONFIRMED], "visit_checked_in", _V.CHECKED_IN),
        ([_V.CHECKED_IN], "visit_completed", _V.COMPLETED),
        ([_V.COMPLETED], "visit_accepted", _V.ACCEPTED),
        ([_V.COMPLETED], "visit_rework_requested", _V.REWORK),
        ([_V.REWORK], "visit_rework_done", _V.COMPLETED),
        ([_V.ACCEPTED], "visit_settled", _V.SETTLED),
        ([_V.SETTLED], "visit_followed_up", _V.FOLLOWED_UP),
        (
            [_V.UNASSIGNED, _V.PROPOSED, _V.CONFIRMED, _V.NO_SHOW],
            "visit_cancelled",
            _V.CANCELLED,
        ),
        *[([s], "visit_rated", s) for s in _RATEABLE],
        *[([s], "visit_refunded", s) for s in [_V.SETTLED, _V.FOLLOWED_UP]],
        *[([s], "visit_issue_reported", s) for s in [_V.CONFIRMED, _V.CHECKED_IN, *_RATEABLE]],
    ],
)

_C = ComplaintState
COMPLAINT_TABLE = _table(
    EntityType.COMPLAINT,
    ComplaintState,
    [
        ([NEW], "complaint_opened", _C.OPENED),
        ([_C.OPENED], "complaint_investigation_started", _C.INVESTIGATING),
        ([_C.INVESTIGATING], "complaint_upheld", _C.UPHELD),
        ([_C.INVESTIGATING], "complaint_rejected", _C.REJECTED),
    ],
)

_W = WorkerState
_ALL_W = list(WorkerState)
_EMPLOYED_W = [_W.ACTIVE, _W.SUSPENDED, _W.ON_LEAVE]
WORKER_TABLE = _table(
    EntityType.WORKER,
    WorkerState,
    [
        ([NEW], "worker_registered", _W.ACTIVE),
        ([NEW], "worker_applied", _W.APPLICANT),
        ([_W.APPLICANT], "worker_interviewed", _W.APPLICANT),
        ([_W.APPLICANT], "worker_trained", _W.APPLICANT),
        *[([s], "worker_background_checked", s) for s in [_W.APPLICANT, *_EMPLOYED_W]],
        ([_W.APPLICANT], "worker_approved", _W.ACTIVE),
        ([_W.APPLICANT], "worker_rejected", _W.REJECTED),
        ([_W.ACTIVE, _W.ON_LEAVE], "worker_suspended", _W.SUSPENDED),
        ([_W.SUSPENDED], "worker_reinstated", _W.ACTIVE),
        ([_W.ACTIVE], "worker_leave_started", _W.ON_LEAVE),
        ([_W.ON_LEAVE], "worker_leave_ended", _W.ACTIVE),
        *[([s], "worker_updated", s) for s in _ALL_W],
        *[([s], "worker_availability_set", s) for s in _ALL_W],
        *[([s], "worker_rating_updated", s) for s in _ALL_W],
    ],
)

_R = CustomerState
CUSTOMER_TABLE = _table(
    EntityType.CUSTOMER,
    CustomerState,
    [
        ([NEW], "customer_registered", _R.REGISTERED),
        ([_R.REGISTERED], "customer_updated", _R.REGISTERED),
        ([_R.REGISTERED], "customer_worker_blocked", _R.REGISTERED),
        ([_R.REGISTERED], "customer_worker_unblocked", _R.REGISTERED),
        ([_R.REGISTERED], "customer_replacement_requested", _R.REGISTERED),
    ],
)

_P = PlacementState
_OPEN_P = [_P.REQUESTED, _P.SHORTLISTED, _P.INTERVIEWING, _P.SELECTED, _P.CONTRACTED]
PLACEMENT_TABLE = _table(
    EntityType.PLACEMENT,
    PlacementState,
    [
        ([NEW], "placement_requested", _P.REQUESTED),
        ([_P.REQUESTED, _P.SHORTLISTED, _P.INTERVIEWING], "placement_shortlisted", _P.SHORTLISTED),
        ([_P.SHORTLISTED, _P.INTERVIEWING], "placement_interview_scheduled", _P.INTERVIEWING),
        *[([s], "placement_candidate_declined", s) for s in [_P.SHORTLISTED, _P.INTERVIEWING]],
        ([_P.INTERVIEWING], "placement_selected", _P.SELECTED),
        ([_P.SELECTED], "placement_contracted", _P.CONTRACTED),
        ([_P.CONTRACTED], "placement_started", _P.STARTED),
        ([_P.SELECTED, _P.CONTRACTED, _P.STARTED], "placement_replacement_requested", _P.REQUESTED),
        *[([s], "placement_due_date_moved", s) for s in _OPEN_P],
        ([_P.STARTED], "placement_completed", _P.COMPLETED),
        *[([s], "placement_settled", s) for s in [_P.STARTED, _P.COMPLETED]],
        *[([s], "placement_followed_up", s) for s in [_P.STARTED, _P.COMPLETED]],
        (_OPEN_P, "placement_cancelled", _P.CANCELLED),
    ],
)

TABLES: Mapping[EntityType, TransitionTable] = MappingProxyType(
    {
        EntityType.ORDER: ORDER_TABLE,
        EntityType.VISIT: VISIT_TABLE,
        EntityType.COMPLAINT: COMPLAINT_TABLE,
        EntityType.WORKER: WORKER_TABLE,
        EntityType.CUSTOMER: CUSTOMER_TABLE,
        EntityType.PLACEMENT: PLACEMENT_TABLE,
    }
)

_KIND_ENTITY: Mapping[str, EntityType] = MappingProxyType(
    {kind: table.entity_type for table in TABLES.values() for kind in table.kinds}
)


def entity_type_of(kind: str) -> EntityType:
    """The entity type an event kind belongs to (every kind belongs to exactly one)."""
    try:
        return _KIND_ENTITY[kind]
    except KeyError:
        raise ValueError(f"unknown event kind {kind!r}") from None


def table_for(entity_type: EntityType | str) -> TransitionTable:
    return TABLES[EntityType(entity_type)]
