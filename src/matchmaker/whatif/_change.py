"""The result of a smallest-change search: what to change, what it costs, who serves.

:data:`CHANGE_COSTS` prices each kind of change (:mod:`matchmaker.whatif._counterfactual`
tries them cheapest first); a :class:`SmallestChange` is one job's answer and its sentence
is ``unassigned.csv``'s ``smallest_change``; a :class:`HireSignal` says whom to hire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from matchmaker.model import Gender, SkillRequirement
from matchmaker.plan import Plan, message

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHANGE_COLUMNS",
    "CHANGE_COSTS",
    "NOT_FOUND",
    "HireSignal",
    "SmallestChange",
    "changes_frame",
    "gender_word",
    "with_smallest_changes",
]

CHANGE_COSTS: dict[str, int] = {
    "move_planned_job": 10,
    "relax_gender": 30,
    "relax_language": 30,
    "relax_experience": 35,
    "relax_skill_level": 40,
    "another_day": 50,
    "another_day_per_day": 10,
    "hire_per_worker": 100,
}
"""The price of each kind of change; a window widened by N minutes costs N // 3."""
CHANGE_COLUMNS = (
    "job_id",
    "kind",
    "cost",
    "change",
    "workers",
    "start",
    "value",
    "district",
    "hire_skills",
    "hire_shift",
)


@dataclass(frozen=True, kw_only=True)
class HireSignal:
    """Who to hire: the skills, documents and person a job needs, where and when."""

    skills: tuple[SkillRequirement, ...]
    certificates: tuple[str, ...]
    min_experience_years: float
    gender: Gender | None
    languages: tuple[str, ...]
    needs_car: bool
    district: str
    shift_start: datetime
    shift_end: datetime
    count: int

    @property
    def skill_text(self) -> str:
        return ", ".join(str(s) for s in self.skills) or message("en", "change.no_skill")

    @property
    def shift_text(self) -> str:
        return f"{self.shift_start:%H:%M}-{self.shift_end:%H:%M}"

    def describe(self) -> str:
        extras = [message("en", "change.extra.certificate", name=c) for c in self.certificates]
        if self.min_experience_years:
            extras.append(
                message("en", "change.extra.years", years=f"{self.min_experience_years:g}")
            )
        if self.gender is not None:
            extras.append(gender_word(self.gender))
        extras += [message("en", "change.extra.speaks", language=lang) for lang in self.languages]
        if self.needs_car:
            extras.append(message("en", "change.extra.car"))
        return message(
            "en",
            "change.hire.one" if self.count == 1 else "change.hire",
            count=self.count,
            skills=self.skill_text,
            extras=message("en", "change.hire.extras", listed=", ".join(extras)) if extras else "",
            district=self.district,
            day=f"{self.shift_start:%Y-%m-%d}",
            shift=self.shift_text,
        )


def gender_word(gender: Gender) -> str:
    """The English word of ``gender`` in a sentence (``female``, ``male``)."""
    return message("en", "word.female" if gender is Gender.FEMALE else "word.male")


NOT_FOUND = ("none", "not_searched")
"""Kinds of a result without a change: none of the candidates served the job, or the
search ran out of time before it came to the job."""


@dataclass(frozen=True, kw_only=True)
class SmallestChange:
    """The cheapest proven change that serves ``job_id`` (``kind`` in :data:`NOT_FOUND`:
    none of the candidates did, or the search had no time left for this job)."""

    job_id: str
    kind: str
    cost: int | None
    change: str
    workers: tuple[str, ...] = ()
    start: datetime | None = None
    value: int = 0
    district: str = ""
    hire: HireSignal | None = None

    def sentence(self) -> str:
        """The text of ``unassigned.csv``'s ``smallest_change`` column."""
        if self.kind in NOT_FOUND:
            return self.change
        said = message("en", "change.sentence", kind=self.kind, cost=self.cost, change=self.change)
        if not self.workers or self.start is None:
            return said
        names = ", ".join(self.workers)
        if self.kind == "hire":
            names = message("en", "change.new_worker" + (".one" if len(self.workers) == 1 else ""))
        return message(
            "en", "change.then", sentence=said, names=names, at=f"{self.start:%Y-%m-%d %H:%M}"
        )


def changes_frame(changes: Sequence[SmallestChange]) -> pd.DataFrame:
    """The results as a DataFrame, cheapest first."""
    import pandas as pd

    rows = [
        {
            "job_id": c.job_id,
            "kind": c.kind,
            "cost": c.cost,
            "change": c.change,
            "workers": ";".join(c.workers),
            "start": None if c.start is None else c.start.isoformat(),
            "value": c.value,
            "district": c.district,
            "hire_skills": "" if c.hire is None else c.hire.skill_text,
            "hire_shift": "" if c.hire is None else c.hire.shift_text,
        }
        for c in changes
    ]
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    frame["cost"] = frame["cost"].astype("Int64")
    return frame


def with_smallest_changes(plan: Plan, changes: Sequence[SmallestChange]) -> Plan:
    """``plan`` whose unassigned jobs carry their smallest change (``unassigned.csv``'s
    ``smallest_change`` column)."""
    text = {c.job_id: c.sentence() for c in changes}
    return replace(
        plan,
        unassigned=tuple(
            replace(u, smallest_change=text.get(u.job_id, u.smallest_change))
            for u in plan.unassigned
        ),
    )
