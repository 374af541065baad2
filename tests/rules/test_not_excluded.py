"""Hard rule: a worker who declined a visit is excluded from it (reported as BLOCKED)."""

from __future__ import annotations

from matchmaker.model import HARD_RULES, ReasonBit
from tests.rules.world import assert_rule_decides, at, job, plan_of, world

RULE = "not_excluded"


def test_excluded_worker_decides() -> None:
    """The worker who declined the job is not offered it again."""
    dataset = world(jobs=[job(excluded_workers=frozenset({"W1"}))])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))


def test_one_worker_declined_or_replaced_is_said_in_the_singular() -> None:
    """A placement shortlist's note says "1 was declined or replaced on this request" (the
    singular of a past tense), and "2 were ..." for more."""
    (reason,) = (r for rule in HARD_RULES for r in rule.reasons if r.bit is ReasonBit.EXCLUDED)
    words = "were declined or replaced on this request"
    assert reason.phrase(job(), 1, words) == "1 was declined or replaced on this request"
    assert reason.phrase(job(), 2, words) == "2 were declined or replaced on this request"
