"""The smallest change of an unassigned job said in Chinese (``--lang zh``): every
sentence the what-if search writes reads back whole, the kind first."""

from __future__ import annotations

import re
from datetime import date

import pytest

from matchmaker.model import Dataset, Gender, SkillRequirement, TimeWindow
from matchmaker.plan import MESSAGES, Plan, explain_job, explanation_text, localized_plan, message
from matchmaker.plan._localize_change import localize_change
from matchmaker.whatif import HireSignal, SmallestChange, smallest_changes, with_smallest_changes
from matchmaker.whatif._counterfactual import _candidates
from tests.clock import at
from tests.rules.world import job, plan_of, world

_CODES = r"\b(widen_window|relax_preference|relax_requirement|another_day|move_planned_job|hire)\b"


def _english_left(text: str) -> list[str]:
    """English words left in ``text`` once the kind, ids and the data's own words
    (skills, certificates, languages, districts) are taken out."""
    for word in ("cleaning", "elderly_care", "health", "first_aid", "cantonese", "mandarin"):
        text = text.replace(word, "")
    text = re.sub(_CODES + r"|\b[WJ]\d+\b|\bDistrict \w+\b|grid [\d.]+N [\d.]+E", "", text)
    return re.findall(r"[A-Za-z]{2,}", text)


def _hire(count: int, **extras: object) -> SmallestChange:
    signal = HireSignal(
        skills=(SkillRequirement(name="elderly_care", level=4),),
        certificates=(),
        min_experience_years=0.0,
        gender=None,
        languages=(),
        needs_car=False,
        district="District North",
        shift_start=at(8),
        shift_end=at(12),
        count=count,
    )
    signal = HireSignal(**{**signal.__dict__, **extras})
    workers = tuple(f"W{i}" for i in range(count))
    return SmallestChange(
        job_id="J1", kind="hire", cost=100 * count, change=signal.describe(), workers=workers,
        start=at(9), hire=signal,
    )  # fmt: skip


def _moved(key: str, **who: str) -> SmallestChange:
    """Moving planned job J7 to make room, as the search words it."""
    text = message("en", key, job="J7", at="11:30", **who)
    return SmallestChange(
        job_id="J1", kind="move_planned_job", cost=10, change=text, workers=("W1",), start=at(10)
    )


def _every_candidate() -> list[SmallestChange]:
    """A change of each kind the search tries on one job: windows, gender, language,
    experience, skill level, another day."""
    asked = job(
        "J1",
        gender_required=Gender.MALE,
        language_required=("mandarin", "cantonese"),
        min_experience_years=3.0,
        required_skills=(SkillRequirement(name="cleaning", level=3),),
    )
    dataset = world(jobs=[asked])
    days = [date(2026, 12, 1), date(2026, 12, 3)]
    candidates = _candidates(dataset, asked, days, at(9).tzinfo)
    return [
        SmallestChange(job_id="J1", kind=c.kind, cost=c.cost, change=c.change, workers=("W1",),
                       start=at(10))
        for c in candidates
    ]  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        *_every_candidate(),
        _hire(1),
        _hire(
            2,
            certificates=("health", "first_aid"),
            min_experience_years=2.5,
            gender=Gender.FEMALE,
            languages=("cantonese",),
            needs_car=True,
        ),
        _hire(1, skills=()),
        _moved("change.move_same", worker="W1"),
        _moved("change.move_other", worker="W1", target="W2"),
        SmallestChange(job_id="J1", kind="none", cost=None, change=message("en", "change.none")),
        SmallestChange(
            job_id="J1", kind="not_searched", cost=None, change=message("en", "change.not_searched")
        ),
    ],
    ids=lambda change: change.kind,
)
def test_every_change_sentence_is_said_in_chinese(change: SmallestChange) -> None:
    """Each sentence the search writes (each candidate of one job, a hire with every
    extra, one or more workers) reads back whole in Chinese: no English word is left but
    the kind, ids and the data's own words, and the kind stays first."""
    english = change.sentence()
    said = localize_change(english, "zh")
    assert said != english
    assert _english_left(said) == [], said
    if change.cost is not None:
        assert said.startswith(f"{change.kind}（"), said
    assert localize_change(english, "en") == english


def test_one_year_of_experience_is_said_in_the_singular() -> None:
    """A job asking 3 years is offered "1 year of experience instead of 3" (it read
    "1 years"), and that sentence still reads back in Chinese."""
    (relaxed,) = [c for c in _every_candidate() if "experience" in c.change]
    assert relaxed.change == "1 year of experience instead of 3"
    assert "经验要求由 3 年降到 1 年" in localize_change(relaxed.sentence(), "zh")


def _j2_waits() -> tuple[Dataset, Plan]:
    """W1 serves J1 09:00-10:00; J2, wanted at 09:30 sharp, is unserved: the plan with its
    smallest change (a window up to 30 minutes later)."""
    dataset = world(
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9))),
            job("J2", window=TimeWindow(start=at(9, 30), end=at(9, 30))),
        ]
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    return dataset, with_smallest_changes(plan, smallest_changes(dataset, plan))


def test_the_smallest_changes_of_a_plan_follow_its_language() -> None:
    """``localized_plan`` says each unassigned job's smallest change in ``zh`` as it says
    its reason: J2 (wanted at 09:30 while W1 serves J1 09:00-10:00) gets the wider window,
    its start kept as a time."""
    _, with_changes = _j2_waits()
    (unassigned,) = localized_plan(with_changes, "zh").unassigned
    assert unassigned.smallest_change.startswith(
        "widen_window（代价 10）：最晚开始时间推后至多 30 分钟"
    )
    assert "之后 W1 可在 2026-12-01 10:00 服务" in unassigned.smallest_change
    assert _english_left(unassigned.smallest_change) == []


def test_a_change_no_template_reads_stays_as_it_is() -> None:
    """A smallest change written by hand or by another tool is kept, not garbled."""
    assert localize_change("call the customer", "zh") == "call the customer"
    assert localize_change("", "zh") == ""


_GRID = "grid 31.20N 121.52E"
"""A district as the what-if search names grid cells: spaces and digits inside."""
_WHATS = [
    k.removeprefix("serve_most.what.") for k in MESSAGES["en"] if k.startswith("serve_most.what.")
]


@pytest.mark.parametrize(
    "sentence",
    [
        *(
            message("en", "serve_most.kind", what=message("en", f"serve_most.what.{kind}"),
                    jobs=3, value=12)
            for kind in _WHATS
        ),
        message("en", "serve_most.hire.one", count=1, skill="elderly_care", district=_GRID,
                shift="2026-12-01 08:00-12:00", jobs=2, value=9),
        message("en", "serve_most.hire", count=2, skill="cleaning", district=_GRID,
                shift=message("en", "serve_most.days", hours="08:00-12:00", days=3,
                              first="2026-12-01", last="2026-12-03"),
                jobs=5, value=20),
    ],
)  # fmt: skip
def test_every_row_of_what_would_serve_most_is_said_in_chinese(sentence: str) -> None:
    """The rows of "what would serve the most" (each kind of change added up, each hire)
    read back whole in Chinese, the numbers kept."""
    said = localize_change(sentence, "zh")
    assert _english_left(said) == [], said
    if "workers" in sentence or "worker in" in sentence:
        assert f"在 {_GRID} 增加" in said, said
    assert sorted(re.findall(r"\d+", sentence)) == sorted(re.findall(r"\d+", said))


def test_explain_in_chinese_says_the_smallest_change() -> None:
    """``explain --lang zh`` of an unserved job says its smallest change in Chinese, as the
    English text says it in English (the line was left out in Chinese)."""
    dataset, plan = _j2_waits()
    explanation = explain_job(dataset, plan, "J2", policy=dataset.settings.policy)
    assert "Smallest change that would serve it: widen_window (cost 10)" in explanation.to_text()
    said = explanation_text(explanation, dataset, "zh")
    assert "能派出它的最小修改：widen_window（代价 10）：最晚开始时间推后至多 30 分钟" in said
