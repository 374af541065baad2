"""The placement match score: 0-100, the visit score's components plus three of a placement.

``score = BASE_SHARE * (the visit match score's seven components, docs/design.md section 3)
+ tags + budget + age``, each placement component worth 0 to 1 times its points:

``tags`` (10 points)
    The share of the request's ``preferred_tags`` (cooking style, dialect, ...) the
    worker has; full marks when the request prefers none.
``budget`` (10)
    1 when the worker's ``salary_expectation`` is within the request's ``budget`` (or
    either is blank), falling linearly to 0 at ``BUDGET_SLACK`` (20 %) over budget.
``age`` (10)
    1 when the worker's age on the start date's year is within ``age_min`` to
    ``age_max`` (or the range or the birth year is blank), 0.2 less per year outside.

Like the visit score, "no preference, full marks": 100 means everything this customer
asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from matchmaker.compile import COMPONENTS, score_components
from matchmaker.model import Dataset, PlacementRequest
from matchmaker.placement._encode import shadow_dataset

__all__ = [
    "AGE_POINTS",
    "BASE_SHARE",
    "BUDGET_POINTS",
    "BUDGET_SLACK",
    "PLACEMENT_COMPONENTS",
    "TAG_POINTS",
    "placement_scores",
]

FloatArray = npt.NDArray[np.float64]

BASE_SHARE = 0.7
"""The visit score's components keep 70 of the 100 points."""
TAG_POINTS = 10.0
BUDGET_POINTS = 10.0
AGE_POINTS = 10.0
BUDGET_SLACK = 0.2
"""Budget fit reaches 0 this far (as a share of the budget) over budget."""
_AGE_STEP = 0.2

PLACEMENT_COMPONENTS: tuple[str, ...] = (*COMPONENTS, "tags", "budget", "age")
"""Component names in the order they are summed."""


def placement_scores(
    dataset: Dataset, requests: Sequence[PlacementRequest] | None = None
) -> dict[str, FloatArray]:
    """Each component as a ``(W, R)`` array of points; ``"total"`` is their sum (0..100)."""
    chosen = dataset.placement_requests if requests is None else tuple(requests)
    shape = (len(dataset.workers), len(chosen))
    out: dict[str, FloatArray] = {}
    if chosen:
        for name, points in score_components(shadow_dataset(dataset, chosen)).items():
            out[name] = np.asarray(points, dtype=np.float64) * BASE_SHARE
    else:
        for name in COMPONENTS:
            out[name] = np.zeros(shape)
    out["tags"] = TAG_POINTS * _tags(dataset, chosen, shape)
    out["budget"] = BUDGET_POINTS * _budget(dataset, chosen)
    out["age"] = AGE_POINTS * _age(dataset, chosen)
    total = np.zeros(shape)
    for name in PLACEMENT_COMPONENTS:
        total += out[name]
    out["total"] = np.clip(total, 0.0, 100.0)
    return out


def _tags(
    dataset: Dataset, requests: Sequence[PlacementRequest], shape: tuple[int, int]
) -> FloatArray:
    names = sorted({tag for r in requests for tag in r.preferred_tags})
    if not names:
        return np.ones(shape)
    column = {name: k for k, name in enumerate(names)}
    have = np.zeros((shape[0], len(names)))
    for w, worker in enumerate(dataset.workers):
        for tag in worker.placement.tags & column.keys():
            have[w, column[tag]] = 1.0
    wanted = np.zeros((len(names), shape[1]))
    for r, request in enumerate(requests):
        for tag in set(request.preferred_tags):
            wanted[column[tag], r] = 1.0
    counts = wanted.sum(axis=0)
    # (W, T) @ (T, R): how many of each request's preferred tags each worker has.
    share: FloatArray = np.divide(
        have @ wanted, counts[None, :], out=np.ones(shape), where=counts[None, :] > 0
    )
    return share


def _budget(dataset: Dataset, requests: Sequence[PlacementRequest]) -> FloatArray:
    salary = np.array(
        [
            np.nan
            if w.placement.salary_expectation is None
            else float(w.placement.salary_expectation)
            for w in dataset.workers
        ]
    )
    budget = np.array([np.nan if r.budget is None else float(r.budget) for r in requests])
    with np.errstate(invalid="ignore", divide="ignore"):
        over = (salary[:, None] - budget[None, :]) / (BUDGET_SLACK * budget[None, :])
    fit = np.clip(1.0 - over, 0.0, 1.0)
    fit[np.isnan(fit)] = 1.0
    result: FloatArray = np.where(over <= 0, 1.0, fit)
    result[np.isnan(over)] = 1.0
    return result


def _age(dataset: Dataset, requests: Sequence[PlacementRequest]) -> FloatArray:
    born = np.array(
        [
            np.nan if w.placement.birth_year is None else w.placement.birth_year
            for w in dataset.workers
        ]
    )
    year = np.array([r.start.year for r in requests], dtype=float)
    low = np.array([-np.inf if r.age_min is None else r.age_min for r in requests], dtype=float)
    high = np.array([np.inf if r.age_max is None else r.age_max for r in requests], dtype=float)
    age = year[None, :] - born[:, None]
    outside = np.maximum(low[None, :] - age, 0.0) + np.maximum(age - high[None, :], 0.0)
    fit: FloatArray = np.clip(1.0 - _AGE_STEP * outside, 0.0, 1.0)
    fit[np.isnan(fit)] = 1.0
    return fit


def money(value: Decimal | None) -> str:
    """A monthly amount for a sentence."""
    return "-" if value is None else f"{value:,.0f}"
