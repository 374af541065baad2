"""Hard rule: background check passed and not expired on the job's date."""

from __future__ import annotations

from datetime import date

from matchmaker.model import BackgroundCheck, BackgroundCheckStatus
from tests.rules.world import assert_rule_decides, at, plan_of, worker, world

RULE = "background_check"


def test_expired_background_check_decides() -> None:
    """A passed check that expired before the job's date rules the worker out."""
    check = BackgroundCheck(status=BackgroundCheckStatus.PASSED, expires=date(2026, 11, 1))
    dataset = world(workers=[worker(background_check=check)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
