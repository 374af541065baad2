"""The operations policy: the configurable rules that turn feedback into matching input.

Every rule of :mod:`matchmaker.lifecycle._feedback` reads its parameters here. Defaults:

===============================  =======  ====================================================
field                            default  meaning
===============================  =======  ====================================================
``update_ratings``               true     a customer's rating updates the worker's rating
                                          (running mean) and rating count
``block_on_upheld_complaint``    true     an upheld complaint makes the customer block the
                                          worker
``suspension_complaints``        3        N: upheld complaints that suspend a worker ...
``suspension_window_days``       90       D: ... when they fall within this many days
``rework_within_hours``          48       H: a rework visit must start within H hours of the
                                          request
``rework_same_worker``           true     the rework visit is pinned to the worker who did
                                          the visit (unless excluded, blocked or inactive)
``rework_priority``              5        priority (1-5) of a rework visit
``followup_new_customer_hours``  24       follow-up due this long after acceptance for a
                                          customer's first accepted visit
``followup_returning_days``      7        follow-up due this long after acceptance otherwise
``on_time_grace_minutes``        5        a check-in at most this late counts as on time
``pin_recurring_worker``         false    pin the later visits of a recurring order to the
                                          worker of its latest served or confirmed visit
                                          (otherwise that worker becomes a preferred worker)
``derive_order_state``           true     an order starts with its first served visit and
                                          completes when its last visit is settled
                                          (rule ``order_progress``)
``settle_on_acceptance``         false    settle a priced visit when it is accepted (the
                                          ``settlement_on_acceptance`` rule)
``deposit_rate``                 0        share of the quote asked as deposit
                                          (``order_deposit_paid`` without an amount)
``cancellation_notice_hours``    24       a visit cancelled less than this long before its
                                          start ...
``cancellation_fee_rate``        0        ... is charged this share of its price
``pay``                          none     worker pay rates (:class:`PayPolicy`)
===============================  =======  ====================================================

Load a policy from TOML with :func:`load_ops_policy` (an ``[ops]`` table or top-level keys).
"""

from __future__ import annotations

import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from matchmaker.model import PolicyError

__all__ = ["OpsPolicy", "PayPolicy", "PayRate", "WorkerPay", "load_ops_policy"]


class PayRate(BaseModel):
    """A worker's pay for one visit: a fixed amount, or an hourly rate times its hours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_visit: Decimal | None = Field(None, ge=0, decimal_places=2)
    hourly: Decimal | None = Field(None, ge=0, decimal_places=2)

    @model_validator(mode="after")
    def _one_basis(self) -> PayRate:
        if (self.per_visit is None) == (self.hourly is None):
            raise ValueError("give exactly one of per_visit and hourly")
        return self

    def amount(self, minutes: int) -> tuple[Decimal, str]:
        """The pay for a visit of ``minutes`` and its basis, rounded half up to cents."""
        if self.per_visit is not None:
            return self.per_visit.quantize(Decimal("0.01")), "per_visit"
        assert self.hourly is not None
        pay = self.hourly * Decimal(minutes) / Decimal(60)
        return pay.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "hourly"


class WorkerPay(BaseModel):
    """One worker's rates: ``default`` for any service, ``services`` per service type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: PayRate | None = None
    services: dict[str, PayRate] = Field(default_factory=dict)


class PayPolicy(BaseModel):
    """Pay rates: per worker and service, per worker, per service, the most specific wins."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    services: dict[str, PayRate] = Field(default_factory=dict)
    workers: dict[str, WorkerPay] = Field(default_factory=dict)

    def rate(self, worker_id: str, service_type: str) -> PayRate | None:
        worker = self.workers.get(worker_id)
        if worker is not None:
            found = worker.services.get(service_type) or worker.default
            if found is not None:
                return found
        return self.services.get(service_type)


class OpsPolicy(BaseModel):
    """Parameters of the feedback, follow-up and export rules (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    update_ratings: bool = Field(True, description="ratings update the worker's rating")
    block_on_upheld_complaint: bool = Field(
        True, description="an upheld complaint makes the customer block the worker"
    )
    suspension_complaints: int = Field(
        3, ge=1, description="N upheld complaints within D days suspend the worker"
    )
    suspension_window_days: int = Field(90, ge=1, description="D, the window in days")
    rework_within_hours: int = Field(48, ge=1, description="H, the rework must start within it")
    rework_same_worker: bool = Field(True, description="rework goes to the same worker")
    rework_priority: int = Field(5, ge=1, le=5, description="priority of a rework visit")
    followup_new_customer_hours: int = Field(
        24, ge=1, description="follow-up due after acceptance, customer's first visit"
    )
    followup_returning_days: int = Field(
        7, ge=1, description="follow-up due after acceptance, returning customer"
    )
    on_time_grace_minutes: int = Field(
        5, ge=0, description="a check-in this many minutes late still counts as on time"
    )
    pin_recurring_worker: bool = Field(
        False, description="pin a recurring order's later visits to its current worker"
    )
    derive_order_state: bool = Field(
        True, description="an order's state follows its visits (rule order_progress)"
    )
    settle_on_acceptance: bool = Field(
        False, description="settle a priced visit at its price when it is accepted"
    )
    deposit_rate: Decimal = Field(
        Decimal(0), ge=0, le=1, description="share of the quote total asked as deposit"
    )
    cancellation_notice_hours: int = Field(
        24, ge=0, description="a cancellation later than this before the start pays a fee"
    )
    cancellation_fee_rate: Decimal = Field(
        Decimal(0), ge=0, le=1, description="the fee as a share of the visit's price"
    )
    pay: PayPolicy = Field(default_factory=PayPolicy, description="worker pay rates")


def load_ops_policy(path: Path) -> OpsPolicy:
    """Read an :class:`OpsPolicy` from a TOML file (an ``[ops]`` table or top-level keys)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: ops policy file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: not valid TOML: {error}") from None
    table = data.get("ops", data)
    try:
        return OpsPolicy.model_validate(table)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'ops'}: {e['msg']}" for e in error.errors()
        )
        raise PolicyError(f"{path}: invalid ops policy: {details}") from None
