"""Hard rule: the worker holds every required skill at or above the required level."""

from __future__ import annotations

from matchmaker.model import SkillRequirement
from matchmaker.plan import ReasonCode
from tests.rules.world import assert_rule_decides, at, job, plan_of, world

RULE = "skill_level"


def test_skill_level_too_low_decides() -> None:
    """A level-3 cleaner cannot take a cleaning>=4 job; assigning her breaks only this rule."""
    dataset = world(jobs=[job(required_skills=(SkillRequirement(name="cleaning", level=4),))])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))


def test_missing_skill_decides_with_no_skill() -> None:
    """A worker without the skill at all gives NO_SKILL, and the same rule in verify."""
    need = (SkillRequirement(name="elderly_care", level=1),)
    dataset = world(jobs=[job(required_skills=need)])
    assert_rule_decides(
        RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))), code=ReasonCode.NO_SKILL
    )
