"""The table of hard rules is the one registry: every bit, code and implementation is in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchmaker.compile import PAIR_RULES as ELIGIBILITY_RULES
from matchmaker.compile import _eligibility
from matchmaker.model import (
    HARD_RULES,
    OBJECTIVE_CODES,
    HardRule,
    ReasonBit,
    ReasonCode,
    RuleScope,
    hard_rule,
)
from matchmaker.placement import PLACEMENT_RULES
from matchmaker.plan import PAIR_RULES as VERIFIER_PAIR_RULES
from matchmaker.plan import RULES as VERIFIER_RULES
from matchmaker.plan import (
    _verify_breaks,
    _verify_limits,
    _verify_linked,
    _verify_pair,
    _verify_schedule,
)
from tests.rules.world import job

RULE_TESTS = Path(__file__).parents[1] / "rules"


def test_names_are_unique() -> None:
    """One row per rule name."""
    names = [rule.name for rule in HARD_RULES]
    assert len(names) == len(set(names))


def test_every_reason_bit_belongs_to_exactly_one_rule() -> None:
    """A bit the solver side sets names the one rule behind it."""
    owners = {bit: [r.name for r in HARD_RULES if bit in r.bits] for bit in ReasonBit}
    assert {bit: names for bit, names in owners.items() if len(names) != 1} == {}


def test_every_reason_code_comes_from_the_table() -> None:
    """Every code an unserved job can get is some rule's code or some reason's code, or one
    of the few the objective gives (a job not worth its travel), which no rule claims."""
    used = {r.code for r in HARD_RULES} | {x.code for r in HARD_RULES for x in r.reasons}
    assert set(ReasonCode) <= used | OBJECTIVE_CODES
    assert not used & OBJECTIVE_CODES


def test_reasons_belong_to_pair_and_shift_rules_only() -> None:
    """Bits are decided before solving, for one worker and one job (or shift)."""
    for rule in HARD_RULES:
        if rule.reasons:
            assert rule.scope in (RuleScope.PAIR, RuleScope.SHIFT), rule.name
        if rule.scope is RuleScope.PAIR:
            assert rule.reasons and rule.code is not None, rule.name


def test_the_verifier_implements_every_rule_under_its_name_in_table_order() -> None:
    """verify's registry is the table's names, in its order, each a function of that name."""
    visit_rules = [rule.name for rule in HARD_RULES if rule.scope is not RuleScope.PLACEMENT]
    assert list(VERIFIER_RULES) == visit_rules
    assert all(function.__name__ == name for name, function in VERIFIER_RULES.items())
    pair = [rule.name for rule in HARD_RULES if rule.scope is RuleScope.PAIR]
    assert list(VERIFIER_PAIR_RULES) == pair


def test_no_verifier_rule_is_left_out_of_the_table() -> None:
    """Every rule function the verifier defines has its row (none is silently unused)."""
    defined = {
        *_verify_pair.__all__,
        *_verify_schedule.__all__,
        *_verify_linked.__all__,
        *_verify_breaks.__all__,
        *_verify_limits.__all__,
    }
    assert defined == {rule.name for rule in HARD_RULES if rule.scope is not RuleScope.PLACEMENT}


def test_the_placement_verifier_implements_every_placement_rule() -> None:
    """Rules of scope placement are checked by matchmaker.placement's own verifier, in
    table order, and it checks no rule the table does not have."""
    placement = [rule.name for rule in HARD_RULES if rule.scope is RuleScope.PLACEMENT]
    assert list(PLACEMENT_RULES) == placement


def test_eligibility_implements_every_pair_rule_as_rule_name() -> None:
    """The vectorised pair rules are ``rule_<name>``, in table order, and no other
    ``rule_`` function of eligibility is a pair rule left out of the table."""
    pair = [f"rule_{rule.name}" for rule in HARD_RULES if rule.scope is RuleScope.PAIR]
    assert [function.__name__ for function in ELIGIBILITY_RULES] == pair
    defined = {name for name in _eligibility.__all__ if name.startswith("rule_")}
    assert defined - set(pair) == {"rule_shift_fit"}  # the shift rules, as one test


@pytest.mark.parametrize(
    "rule", [r for r in HARD_RULES if r.scope is not RuleScope.INTEGRITY], ids=lambda r: r.name
)
def test_every_rule_has_its_test_file(rule: HardRule) -> None:
    """``tests/rules/test_<name>.py`` pins what the rule decides (the integrity rules are
    pinned with the verifier's own tests)."""
    assert (RULE_TESTS / f"test_{rule.name}.py").is_file()


def test_every_reason_has_words() -> None:
    """Each reason's phrase makes a short clause for one and for several workers."""
    for rule in HARD_RULES:
        for reason in rule.reasons:
            for n in (1, 3):
                text = reason.phrase(job(needs_car=True), n, "are blocked by the customer")
                assert text.startswith(f"{n} "), (rule.name, text)


def test_an_unknown_rule_name_is_a_key_error() -> None:
    """hard_rule() looks rules up by their stable name only."""
    with pytest.raises(KeyError):
        hard_rule("needs_a_car")
