"""The event JSONL format: every event kind's boundary model, in one discriminated union.

Each model (one per kind, ``<Kind>In``, in the entity's ``_<entity>_schema`` module) has
the envelope (``entity``, ``time``, ``actor``, optional ``expected_version``, see
:mod:`matchmaker.lifecycle._schema_base`) and its kind's payload fields;
``extra="forbid"`` makes a misspelt field an error. :data:`EVENT_ADAPTER` validates any
event line as a union discriminated on ``kind``. Inside matchmaker events are
:class:`matchmaker.lifecycle.Event`.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

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
    "EVENT_ADAPTER",
    "EVENT_MODELS",
    "KIND_NAMES",
    "PARTIAL_KINDS",
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

EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(
    Annotated[Union[EVENT_MODELS], Field(discriminator="kind")]  # type: ignore[arg-type]  # noqa: UP007
)


KIND_NAMES: frozenset[str] = frozenset(
    m.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in EVENT_MODELS
)
