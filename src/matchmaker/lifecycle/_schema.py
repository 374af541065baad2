"""The event JSONL format: every event kind's boundary model, in one discriminated union.

Each model (one per kind, ``<Kind>In``, in the entity's ``_<entity>_schema`` module) has
the envelope (``entity``, ``time``, ``actor``, optional ``expected_version``, see
:mod:`matchmaker.lifecycle._schema_base`) and its kind's payload fields;
``extra="forbid"`` makes a misspelt field an error. :func:`event_adapter` validates any
event line as a union discriminated on ``kind``. Inside matchmaker events are
:class:`matchmaker.lifecycle.Event`.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from matchmaker.lifecycle._complaint_schema import (
    ComplaintInvestigationStartedIn,
    ComplaintOpenedIn,
    ComplaintRejectedIn,
    ComplaintUpheldIn,
)
from matchmaker.lifecycle._customer_schema import (
    CustomerRegisteredIn,
    CustomerReplacementRequestedIn,
    CustomerUpdatedIn,
    CustomerWorkerBlockedIn,
    CustomerWorkerUnblockedIn,
)
from matchmaker.lifecycle._order_schema import (
    AssessmentScheduledIn,
    OrderAssessedIn,
    OrderCancelledIn,
    OrderClosedIn,
    OrderCompletedIn,
    OrderContractedIn,
    OrderCreatedIn,
    OrderDepositPaidIn,
    OrderQuotedIn,
    OrderRefundedIn,
    OrderScheduleAmendedIn,
    OrderSchedulePausedIn,
    OrderScheduleResumedIn,
    OrderStartedIn,
)
from matchmaker.lifecycle._placement_schema import (
    PlacementCancelledIn,
    PlacementCandidateDeclinedIn,
    PlacementCompletedIn,
    PlacementContractedIn,
    PlacementDueDateMovedIn,
    PlacementFollowedUpIn,
    PlacementInterviewScheduledIn,
    PlacementReplacementRequestedIn,
    PlacementRequestedIn,
    PlacementSelectedIn,
    PlacementSettledIn,
    PlacementShortlistedIn,
    PlacementStartedIn,
)
from matchmaker.lifecycle._schema_base import In
from matchmaker.lifecycle._visit_schema import (
    VisitAcceptedIn,
    VisitCancelledIn,
    VisitCheckedInIn,
    VisitCompletedIn,
    VisitConfirmedIn,
    VisitCreatedIn,
    VisitDeclinedIn,
    VisitFollowedUpIn,
    VisitIssueReportedIn,
    VisitNoShowIn,
    VisitProposedIn,
    VisitRatedIn,
    VisitRefundedIn,
    VisitReworkDoneIn,
    VisitReworkRequestedIn,
    VisitSettledIn,
    VisitWithdrawnIn,
)
from matchmaker.lifecycle._worker_schema import (
    WorkerAppliedIn,
    WorkerApprovedIn,
    WorkerAvailabilitySetIn,
    WorkerBackgroundCheckedIn,
    WorkerInterviewedIn,
    WorkerLeaveEndedIn,
    WorkerLeaveStartedIn,
    WorkerRatingUpdatedIn,
    WorkerRegisteredIn,
    WorkerReinstatedIn,
    WorkerRejectedIn,
    WorkerSuspendedIn,
    WorkerTrainedIn,
    WorkerUpdatedIn,
)

__all__ = [
    "ENVELOPE_FIELDS",
    "EVENT_MODELS",
    "KIND_NAMES",
    "MODEL_OF_KIND",
    "PARTIAL_KINDS",
    "event_adapter",
    "validate_event",
]

ENVELOPE_FIELDS = frozenset({"kind", "entity", "time", "actor", "expected_version"})
PARTIAL_KINDS = frozenset({"worker_updated", "customer_updated"})
"""Kinds whose payload holds only the fields given (an update, not a full record)."""


EVENT_MODELS: tuple[type[In], ...] = (
    OrderCreatedIn,
    AssessmentScheduledIn,
    OrderAssessedIn,
    OrderQuotedIn,
    OrderContractedIn,
    OrderDepositPaidIn,
    OrderStartedIn,
    OrderCompletedIn,
    OrderClosedIn,
    OrderCancelledIn,
    OrderSchedulePausedIn,
    OrderScheduleResumedIn,
    OrderScheduleAmendedIn,
    OrderRefundedIn,
    VisitCreatedIn,
    VisitProposedIn,
    VisitConfirmedIn,
    VisitDeclinedIn,
    VisitWithdrawnIn,
    VisitNoShowIn,
    VisitCheckedInIn,
    VisitCompletedIn,
    VisitAcceptedIn,
    VisitReworkRequestedIn,
    VisitReworkDoneIn,
    VisitSettledIn,
    VisitRefundedIn,
    VisitFollowedUpIn,
    VisitCancelledIn,
    VisitRatedIn,
    VisitIssueReportedIn,
    ComplaintOpenedIn,
    ComplaintInvestigationStartedIn,
    ComplaintUpheldIn,
    ComplaintRejectedIn,
    WorkerRegisteredIn,
    WorkerUpdatedIn,
    WorkerAvailabilitySetIn,
    WorkerRatingUpdatedIn,
    WorkerSuspendedIn,
    WorkerReinstatedIn,
    WorkerLeaveStartedIn,
    WorkerLeaveEndedIn,
    WorkerAppliedIn,
    WorkerInterviewedIn,
    WorkerTrainedIn,
    WorkerBackgroundCheckedIn,
    WorkerApprovedIn,
    WorkerRejectedIn,
    CustomerRegisteredIn,
    CustomerUpdatedIn,
    CustomerWorkerBlockedIn,
    CustomerWorkerUnblockedIn,
    CustomerReplacementRequestedIn,
    PlacementRequestedIn,
    PlacementShortlistedIn,
    PlacementInterviewScheduledIn,
    PlacementCandidateDeclinedIn,
    PlacementSelectedIn,
    PlacementContractedIn,
    PlacementStartedIn,
    PlacementReplacementRequestedIn,
    PlacementDueDateMovedIn,
    PlacementCompletedIn,
    PlacementSettledIn,
    PlacementFollowedUpIn,
    PlacementCancelledIn,
)
"""One boundary model per event kind; the ``kind`` literal discriminates the union."""

MODEL_OF_KIND: dict[str, type[In]] = {
    m.model_fields["kind"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in EVENT_MODELS
}
"""The boundary model of each kind."""

_ADAPTER: list[TypeAdapter[Any]] = []


def event_adapter() -> TypeAdapter[Any]:
    """The union of every kind's model, discriminated on ``kind`` (built on first use)."""
    if not _ADAPTER:
        _ADAPTER.append(
            TypeAdapter(
                Annotated[Union[EVENT_MODELS], Field(discriminator="kind")]  # type: ignore[arg-type]  # noqa: UP007
            )
        )
    return _ADAPTER[0]


def validate_event(data: dict[str, Any]) -> In:
    """``data`` as its kind's model. A valid event builds only its own kind's validator; an
    invalid one is validated again by the whole union, whose errors name the kind the way
    every error of the JSONL format does."""
    kind = data.get("kind")
    model = MODEL_OF_KIND.get(kind) if isinstance(kind, str) else None
    if model is not None:
        try:
            return model.model_validate(data)
        except ValidationError:
            pass
    result: In = event_adapter().validate_python(data)
    return result


def __getattr__(name: str) -> Any:
    if name == "EVENT_ADAPTER":  # the union, for callers of earlier versions
        return event_adapter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


KIND_NAMES: frozenset[str] = frozenset(
    m.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in EVENT_MODELS
)
