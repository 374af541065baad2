"""Hard rule: every required certificate held and valid on the job's date."""

from __future__ import annotations

from datetime import date

from matchmaker.model import Certificate
from tests.rules.world import assert_rule_decides, at, plan_of, worker, world

RULE = "certificate_valid"


def test_expired_certificate_decides() -> None:
    """A health certificate that expired the day before the job rules the worker out."""
    expired = (Certificate(name="health", expires=date(2026, 11, 30)),)
    dataset = world(workers=[worker(certificates=expired)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
