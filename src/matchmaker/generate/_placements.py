"""Synthetic long placements: worker placement fields and placement requests.

Drawn from their own random stream (``default_rng([seed, PLACEMENT_STREAM])``) after the
visit tables, so asking for placements never changes the workers, customers or jobs a
seed gives. The services and their shares follow a home-services company's book of long
placements: postpartum carers (26 days around a due date that may move a week either
way, live-in, maternity certificate), nannies (two to six months, an infant-care
certificate, live-in about half the time), live-in housekeepers (three months to a year,
cleaning and cooking) and elderly carers on long stays. Budgets and salary expectations
are monthly, in CNY, in the ranges such placements are paid in Shanghai; a worker's
expectation grows with level and experience, so a budget rules out some of the best.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

__all__ = [
    "COOKING_TAGS",
    "PLACEMENT_SERVICES",
    "PLACEMENT_STREAM",
    "placement_request_frame",
    "with_placement_fields",
]

PLACEMENT_STREAM = 14
COOKING_TAGS = ("shanghai_cuisine", "cantonese_cuisine", "sichuan_cuisine", "northern_cuisine")
_EXTRA_TAGS = ("confinement_meals", "baby_massage", "early_education", "driving_licence")

# service: (share, skill, level, certificate, days, live-in share, budget low, high)
PLACEMENT_SERVICES: dict[str, tuple[float, str, int, str, tuple[int, int], float, int, int]] = {
    "postpartum_care": (0.40, "postpartum_care", 3, "maternity", (26, 42), 0.9, 12000, 22000),
    "infant_care": (0.25, "infant_care", 2, "infant_care", (60, 180), 0.5, 7000, 12000),
    "housekeeping": (0.20, "cleaning", 2, "", (90, 365), 1.0, 6000, 9500),
    "elderly_care": (0.15, "elderly_care", 3, "nursing", (30, 120), 0.6, 7000, 11000),
}


def _skills(cell: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in str(cell).split(";"):
        if ":" in item:
            name, level = item.split(":", 1)
            out[name.strip()] = int(level)
    return out


def with_placement_fields(
    workers: pd.DataFrame, rng: np.random.Generator, first_day: date
) -> pd.DataFrame:
    """``workers`` with the placement columns filled: a third of the care workers are in a
    placement that ends in the first weeks, salary from level and experience, live-in
    willingness, tags (cooking styles, extras), a birth year."""
    n = len(workers)
    frame = workers.copy()
    top_level = np.array([max(_skills(c).values(), default=0) for c in frame["skills"]])
    years = frame["experience_years"].to_numpy(dtype=float)
    in_placement = rng.random(n) < 0.3
    ends = rng.integers(0, 45, size=n)
    frame["current_placement_end"] = [
        (first_day + timedelta(days=int(d))).isoformat() if busy else ""
        for busy, d in zip(in_placement, ends, strict=True)
    ]
    on_holiday = rng.random(n) < 0.08
    holiday = rng.integers(3, 20, size=n)
    frame["earliest_free_date"] = [
        (first_day + timedelta(days=int(d))).isoformat() if off else ""
        for off, d in zip(on_holiday, holiday, strict=True)
    ]
    salary = 5000 + 1500 * top_level + 300 * np.minimum(years, 15) + rng.normal(0, 800, n)
    frame["salary_expectation"] = [str(int(round(max(s, 4500), -2))) for s in salary]
    frame["live_in_willing"] = np.where(rng.random(n) < 0.65, "yes", "no")
    tags = []
    for _ in range(n):
        chosen = list(rng.choice(COOKING_TAGS, size=int(rng.integers(1, 3)), replace=False))
        if rng.random() < 0.4:
            chosen.append(str(rng.choice(_EXTRA_TAGS)))
        tags.append(";".join(sorted(chosen)))
    frame["tags"] = tags
    frame["birth_year"] = first_day.year - rng.integers(28, 58, size=n)
    return frame


def placement_request_frame(
    rng: np.random.Generator,
    count: int,
    customer_ids: list[str],
    first_day: date,
    horizon_days: int,
) -> pd.DataFrame:
    """``count`` placement requests starting within ``horizon_days`` of ``first_day``."""
    names = list(PLACEMENT_SERVICES)
    shares = np.array([PLACEMENT_SERVICES[s][0] for s in names])
    rows = []
    for i in range(count):
        service = names[int(rng.choice(len(names), p=shares / shares.sum()))]
        _, skill, level, certificate, (low, high), live_in_share, b_low, b_high = (
            PLACEMENT_SERVICES[service]
        )
        start = first_day + timedelta(days=int(rng.integers(3, max(horizon_days, 4))))
        postpartum = service == "postpartum_care"
        skills = f"{skill}:{level}"
        if service == "housekeeping":
            skills += ";cooking:2"
        rows.append(
            {
                "request_id": f"P{i + 1:04d}",
                "customer_id": str(rng.choice(customer_ids)),
                "service_type": service,
                "start_date": "" if postpartum else start.isoformat(),
                "due_date": start.isoformat() if postpartum else "",
                "days_before": int(rng.choice([3, 5, 7])) if postpartum else 0,
                "days_after": int(rng.choice([3, 5, 7])) if postpartum else 0,
                "duration_days": int(rng.choice([low, high]))
                if postpartum
                else int(rng.integers(low, high + 1)),
                "live_in": "yes" if rng.random() < live_in_share else "no",
                "required_skills": skills,
                "min_experience_years": int(rng.choice([0, 1, 2, 3])),
                "required_certificates": certificate,
                "gender_required": "F" if service in ("postpartum_care", "infant_care") else "",
                "language_required": "shanghainese" if rng.random() < 0.08 else "",
                "preferred_tags": ";".join(
                    sorted(set(rng.choice(COOKING_TAGS, size=int(rng.integers(0, 3)))))
                ),
                "age_min": 30 if rng.random() < 0.3 else "",
                "age_max": 50 if rng.random() < 0.3 else "",
                "budget": int(round(rng.uniform(b_low, b_high), -2)),
                "priority": int(rng.choice([2, 3, 3, 4, 5])),
                "excluded_workers": "",
            }
        )
    return pd.DataFrame(rows)
