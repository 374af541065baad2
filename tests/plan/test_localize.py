"""Message tables per language and reason sentences said in Chinese (``--lang zh``)."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter

import pytest

from matchmaker.io import load_dataset
from matchmaker.model import Dataset, Policy, ReasonCode
from matchmaker.plan import (
    LANGUAGES,
    MESSAGES,
    DispatchResult,
    dispatch,
    explain_job,
    explanation_text,
    localize_reason,
    localized_plan,
)

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field}


@pytest.fixture(scope="module")
def sample() -> tuple[Dataset, DispatchResult]:
    dataset = load_dataset(SAMPLE)
    result = dispatch(dataset, solver="greedy", seed=1)
    assert result.violations == ()
    return dataset, result


def _english_left(text: str, dataset: Dataset) -> list[str]:
    """English words left in ``text`` once ids, codes, names and the data's own words
    (skills, certificates, languages) are taken out."""
    vocabulary = {w.name for w in dataset.workers}
    for j in dataset.jobs:
        vocabulary |= {r.name for r in j.required_skills} | set(j.required_certificates)
        vocabulary |= set(j.language_required)
    for word in sorted(vocabulary, key=len, reverse=True):
        text = text.replace(word, "")
    text = re.sub(r"\b[A-Z][A-Z_]+\b|\b[WJC]\d+\b", "", text)
    return re.findall(r"[A-Za-z]{2,}", text)


def test_every_language_has_every_message_with_the_same_fields() -> None:
    """Each language has each English key (singulars ``.one`` aside) with the same fields,
    and no key English lacks."""
    english = {k: v for k, v in MESSAGES["en"].items() if not k.endswith(".one")}
    for lang in LANGUAGES:
        table = {k: v for k, v in MESSAGES[lang].items() if not k.endswith(".one")}
        assert set(table) == set(english), lang
        for key, template in english.items():
            assert _fields(table[key]) == _fields(template), (lang, key)


def test_every_reason_of_the_sample_is_said_in_chinese(
    sample: tuple[Dataset, DispatchResult],
) -> None:
    """Every reason sentence of a real round reads back whole: no English word is left
    but ids, codes, names and the data's own words, and the code stays first."""
    dataset, result = sample
    assert result.plan.unassigned
    for unassigned in localized_plan(result.plan, "zh").unassigned:
        code = unassigned.reason_code.value
        assert unassigned.reason.startswith(f"{code}（"), unassigned.reason
        assert _english_left(unassigned.reason, dataset) == [], unassigned.reason


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_code_has_a_name_in_every_language(code: ReasonCode) -> None:
    """Any code a plan can carry (the limits across days and the continuity cap of a
    home-care round among them) is named in each language, so ``--lang zh`` never meets
    a code it cannot say."""
    for lang in LANGUAGES:
        assert MESSAGES[lang][f"code.{code.value}"], (lang, code)
    said = localize_reason(f"{code.value}: anything", "zh")
    assert said.startswith(f"{code.value}（{MESSAGES['zh'][f'code.{code.value}']}）")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "WORK_LIMITS: every eligible worker would break a limit across days taking it "
            "(weekly minutes, rest between shifts or days in a row)",
            "WORK_LIMITS（跨天工时限制）：每位符合条件的服务师接下都会超出跨天限制"
            "（每周工时、班次间休息或连续工作天数）",
        ),
        (
            "CONTINUITY: customer C0042 already has as many different workers as allowed, "
            "and none of them can take it",
            "CONTINUITY（不同服务师人数已达上限）：客户 C0042 的不同服务师人数已达上限，"
            "且其中无人能接",
        ),
    ],
)
def test_the_limit_reasons_are_said_in_chinese(sentence: str, expected: str) -> None:
    """The sentences of the limits across days and of the continuity cap (as
    ``plan/_limit_reasons.py`` writes them) read back whole, the customer id kept."""
    assert localize_reason(sentence, "zh") == expected


def test_a_sentence_no_template_reads_stays_as_it_is() -> None:
    """A reason written by hand or by another tool is not garbled, only kept."""
    assert localize_reason("the van broke down", "zh") == "the van broke down"
    assert localize_reason("CAPACITY: 1 of 2 workers eligible - x", "zh").endswith("——x")
    assert localize_reason("NO_SKILL: anything", "en") == "NO_SKILL: anything"


def test_an_unknown_language_is_refused() -> None:
    """Only the languages of the table: anything else is a ValueError naming them."""
    with pytest.raises(ValueError, match="en, zh"):
        localize_reason("CAPACITY: x", "fr")


def test_explanations_in_chinese_keep_the_numbers(
    sample: tuple[Dataset, DispatchResult],
) -> None:
    """``explain --lang zh``: English gives exactly ``to_text``; Chinese says the lines and
    each worker's standing, with the same job, counts and scores."""
    dataset, result = sample
    policy: Policy = result.policy
    served = result.plan.assignments[0].job_id
    unserved = next(u.job_id for u in result.plan.unassigned if u.reason_code.value == "CAPACITY")
    for job_id in (served, unserved):
        explanation = explain_job(dataset, result.plan, job_id, policy=policy)
        assert explanation_text(explanation, dataset, "en") == explanation.to_text()
        text = explanation_text(explanation, dataset, "zh")
        assert text.startswith(f"工单 {job_id}：")
        assert f"{explanation.workers_total} 名服务师中 {explanation.eligible_workers} 名" in text
        for note in explanation.others:
            if note.match_score is not None:
                assert f"[{note.match_score:.1f}]" in text
        standing = [line for line in text.splitlines() if line.startswith("  W")]
        assert standing and not any(
            _english_left(line.split(":", 1)[1], dataset)
            for line in standing
            if "不符合条件" not in line  # the verifier's own sentence stays English
        ), text
