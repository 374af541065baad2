"""Match score components: each pinned by a tiny case; sums, bounds and pair agreement."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from matchmaker.compile import (
    COMPONENTS,
    compile_problem,
    match_scores,
    pair_components,
    pairs_components,
    score_components,
)
from matchmaker.compile import _scoring as scoring
from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Customer,
    Dataset,
    Gender,
    Job,
    Location,
    Policy,
    Shift,
    SkillRequirement,
    TimeWindow,
    Worker,
)
from tests.clock import at

POLICY = Policy()  # weights 30/15/15/15/15/5/5, prior 4.5 x 5 reviews, cap 10 years

WORKER = Worker(
    worker_id="W1",
    name="Ann",
    gender=Gender.FEMALE,
    languages=frozenset({"mandarin"}),
    skills={"cleaning": 3},
    experience_years=5.0,
    background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
    rating=5.0,
    rating_count=5,
    home=Location(lat=31.23, lon=121.47),
    shifts=(Shift(start=at(8), end=at(18)),),
)
JOB = Job(
    job_id="J1",
    customer_id="C1",
    service_type="cleaning",
    location=Location(lat=31.23, lon=121.48),
    window=TimeWindow(start=at(10), end=at(11)),
    duration_minutes=60,
    required_skills=(SkillRequirement(name="cleaning", level=3),),
)


def points(
    component: str,
    worker: dict[str, Any] | None = None,
    job: dict[str, Any] | None = None,
    customer: dict[str, Any] | None = None,
    others: tuple[Worker, ...] = (),
) -> float:
    """The points of ``component`` for W1 and J1 in a one-job world."""
    dataset = Dataset(
        workers=(replace(WORKER, **(worker or {})), *others),
        jobs=(replace(JOB, **(job or {})),),
        customers=(Customer(customer_id="C1", **(customer or {})),),
    )
    value = float(score_components(dataset, policy=POLICY)[component][0, 0])
    assert pair_components(dataset, "W1", "J1", POLICY)[component] == value
    return value


@pytest.mark.parametrize(
    ("worker", "expected"),
    [
        ({"rating": 5.0, "rating_count": 5}, 28.5),  # (25 + 22.5) / 10 = 4.75 -> 0.95 * 30
        ({"rating": 3.0, "rating_count": 95}, 18.45),  # (285 + 22.5) / 100 = 3.075
        ({"rating": None, "rating_count": 0}, 27.0),  # the prior mean 4.5
        ({"rating": 1.0, "rating_count": 0}, 27.0),  # a rating with no reviews weighs nothing
    ],
)
def test_rating_is_shrunk_towards_the_prior(worker: dict[str, Any], expected: float) -> None:
    """Bayesian average with the policy prior, scaled to 0..30 points."""
    assert points("rating", worker) == pytest.approx(expected)


def test_rating_without_prior_weight_uses_the_rating() -> None:
    """A prior count of 0 leaves the rating itself (and the prior mean with no rating)."""
    policy = Policy(rating_prior_count=0)
    dataset = Dataset(
        workers=(
            replace(WORKER, rating=4.0, rating_count=0),
            replace(WORKER, worker_id="W2", rating=None),
        ),
        jobs=(JOB,),
    )
    rating = score_components(dataset, policy=policy)["rating"][:, 0]
    assert rating.tolist() == pytest.approx([24.0, 27.0])


@pytest.mark.parametrize(
    ("years", "expected"), [(0.0, 0.0), (5.0, 7.5), (10.0, 15.0), (25.0, 15.0)]
)
def test_experience_is_capped(years: float, expected: float) -> None:
    """min(years / 10, 1) x 15 points."""
    assert points("experience", {"experience_years": years}) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("level", "expected"),
    [(3, 15.0), (4, 15.0), (5, 15.0), (2, 0.0)],
)
def test_skill_fit_full_marks_up_to_two_levels_above(level: int, expected: float) -> None:
    """At the level, one or two above: full marks; below: nothing."""
    assert points("skill_fit", {"skills": {"cleaning": level}}) == pytest.approx(expected)


def test_skill_fit_light_penalty_when_far_overqualified() -> None:
    """Level 5 for a level-1 job: 4 above, 2 beyond the allowance -> 0.8 x 15."""
    needs = (SkillRequirement(name="cleaning", level=1),)
    got = points("skill_fit", {"skills": {"cleaning": 5}}, {"required_skills": needs})
    assert got == pytest.approx(12.0)


def test_skill_fit_is_the_mean_over_required_skills() -> None:
    """Two skills, fits 1.0 and 0.9: mean 0.95 -> 14.25 points."""
    needs = (
        SkillRequirement(name="cleaning", level=3),
        SkillRequirement(name="cooking", level=1),
    )
    got = points("skill_fit", {"skills": {"cleaning": 3, "cooking": 4}}, {"required_skills": needs})
    assert got == pytest.approx(14.25)


def test_skill_fit_full_marks_without_requirements() -> None:
    """A job with no skill requirement gives every worker full marks."""
    assert points("skill_fit", {"skills": {}}, {"required_skills": ()}) == 15.0


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        ({"preferred_workers": ("W2", "W1")}, 15.0),
        ({"preferred_workers": ("W2",)}, 0.0),
        ({}, 15.0),  # no list: full marks for everyone
    ],
)
def test_preferred_worker(customer: dict[str, Any], expected: float) -> None:
    """On the customer's list: 15; not on it: 0; no list at all: 15."""
    other = replace(WORKER, worker_id="W2")
    assert points("preferred_worker", customer=customer, others=(other,)) == expected


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        ({"previous_workers": ("W1", "W2")}, 15.0),  # most recent
        ({"previous_workers": ("W2", "W1")}, 7.5),  # second: 1/2
        ({"previous_workers": ("W2", "W3", "W1")}, 5.0),  # third: 1/3
        ({"previous_workers": ("W2",)}, 0.0),
        ({}, 15.0),  # a new customer: full marks for everyone
    ],
)
def test_continuity_decays_with_recency(customer: dict[str, Any], expected: float) -> None:
    """1 / (rank + 1) for earlier workers, 0 for others, full marks with no history."""
    others = (replace(WORKER, worker_id="W2"), replace(WORKER, worker_id="W3"))
    assert points("continuity", customer=customer, others=others) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("gender", "preferred", "expected"),
    [
        (Gender.FEMALE, Gender.FEMALE, 5.0),
        (Gender.MALE, Gender.FEMALE, 0.0),
        (Gender.MALE, None, 5.0),
    ],
)
def test_preferred_gender(gender: Gender, preferred: Gender | None, expected: float) -> None:
    """The customer's preferred gender: 5 or 0; no preference: 5."""
    got = points("preferred_gender", {"gender": gender}, customer={"preferred_gender": preferred})
    assert got == expected


@pytest.mark.parametrize(
    ("languages", "preferred", "expected"),
    [
        ({"mandarin", "english"}, ("cantonese", "english"), 5.0),
        ({"mandarin"}, ("cantonese", "english"), 0.0),
        ({"mandarin"}, (), 5.0),
    ],
)
def test_preferred_language(
    languages: set[str], preferred: tuple[str, ...], expected: float
) -> None:
    """Speaks any preferred language: 5; none of them: 0; no preference: 5."""
    got = points(
        "preferred_language",
        {"languages": frozenset(languages)},
        customer={"preferred_languages": preferred},
    )
    assert got == expected


def test_job_without_customer_row_gets_full_preference_marks() -> None:
    """No customer table: every preference component gives full marks."""
    dataset = Dataset(workers=(WORKER,), jobs=(JOB,))
    parts = pair_components(dataset, "W1", "J1", POLICY)
    assert parts["preferred_worker"] == 15.0
    assert parts["continuity"] == 15.0
    assert parts["preferred_gender"] == 5.0
    assert parts["preferred_language"] == 5.0


def _random_world(seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    ids = [f"W{i}" for i in range(12)]
    workers = tuple(
        replace(
            WORKER,
            worker_id=ids[i],
            gender=Gender.FEMALE if rng.random() < 0.5 else Gender.MALE,
            languages=frozenset(x for x in ("mandarin", "english") if rng.random() < 0.5),
            skills={
                s: int(rng.integers(1, 6))
                for s in ("cleaning", "cooking", "nanny")
                if rng.random() < 0.7
            },
            experience_years=float(rng.uniform(0, 15)),
            rating=None if rng.random() < 0.2 else float(rng.uniform(1, 5)),
            rating_count=int(rng.integers(0, 50)),
        )
        for i in range(12)
    )
    customers = tuple(
        Customer(
            customer_id=f"C{c}",
            preferred_gender=(None, Gender.FEMALE, Gender.MALE)[int(rng.integers(0, 3))],
            preferred_languages=("english",) if rng.random() < 0.5 else (),
            preferred_workers=tuple(rng.choice(ids, size=int(rng.integers(0, 3)))),
            previous_workers=tuple(rng.choice(ids, size=int(rng.integers(0, 4)))),
        )
        for c in range(4)
    )
    jobs = tuple(
        replace(
            JOB,
            job_id=f"J{j}",
            customer_id=f"C{int(rng.integers(0, 4))}",
            required_skills=tuple(
                SkillRequirement(name=s, level=int(rng.integers(1, 6)))
                for s in ("cleaning", "cooking", "nanny")
                if rng.random() < 0.5
            ),
        )
        for j in range(15)
    )
    return Dataset(workers=workers, jobs=jobs, customers=customers)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pair_components_equal_the_matrices_exactly(seed: int) -> None:
    """pair_components gives bit-identical numbers to score_components for every pair."""
    dataset = _random_world(seed)
    components = score_components(dataset, policy=POLICY)
    assert tuple(components) == COMPONENTS
    for w, worker in enumerate(dataset.workers):
        for j, job in enumerate(dataset.jobs):
            parts = pair_components(dataset, worker.worker_id, job.job_id, POLICY)
            assert parts == {name: float(components[name][w, j]) for name in COMPONENTS}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairs_components_in_blocks_equal_the_matrices_exactly(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pairs_components, scoring several pairs at once in blocks (here of 7, so blocks
    mix workers, jobs and a short last block), gives bit-identical numbers too."""
    monkeypatch.setattr(scoring, "_PAIR_BLOCK", 7)
    dataset = _random_world(seed)
    components = score_components(dataset, policy=POLICY)
    pairs = [(w.worker_id, j.job_id) for w in dataset.workers for j in dataset.jobs][::-3]
    parts = pairs_components(dataset, pairs, POLICY)
    worker_index = {w.worker_id: i for i, w in enumerate(dataset.workers)}
    job_index = {j.job_id: i for i, j in enumerate(dataset.jobs)}
    for (worker_id, job_id), got in zip(pairs, parts, strict=True):
        w, j = worker_index[worker_id], job_index[job_id]
        assert got == {name: float(components[name][w, j]) for name in COMPONENTS}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_score_is_the_sum_and_within_bounds(seed: int) -> None:
    """match_scores is the sum of the components, each within 0..its weight."""
    dataset = _random_world(seed)
    components = score_components(dataset, policy=POLICY)
    scores = match_scores(dataset, policy=POLICY)
    weights = POLICY.score_weights.model_dump()
    for name, values in components.items():
        assert values.shape == scores.shape
        assert np.all(values >= 0) and np.all(values <= weights[name] + 1e-12), name
    assert np.allclose(scores, sum(components.values()), rtol=0, atol=1e-9)
    assert np.all((scores >= 0) & (scores <= 100))
    assert scores.flags.c_contiguous
    assert len(np.unique(scores)) > 10  # the world really differentiates


def test_perfect_match_scores_100() -> None:
    """Top rating with many reviews, full experience, exact skill, every preference met."""
    worker = {"rating": 5.0, "rating_count": 10**9, "experience_years": 12.0}
    dataset = Dataset(
        workers=(replace(WORKER, **worker),),
        jobs=(JOB,),
        customers=(
            Customer(
                customer_id="C1",
                preferred_workers=("W1",),
                previous_workers=("W1",),
                preferred_gender=Gender.FEMALE,
                preferred_languages=("mandarin",),
            ),
        ),
    )
    assert match_scores(dataset, policy=POLICY)[0, 0] == pytest.approx(100.0)


def test_compiled_score_equals_match_scores_where_eligible() -> None:
    """Problem.score is match_scores on workers with an eligible shift, 0 elsewhere."""
    dataset = Dataset(
        workers=(WORKER, replace(WORKER, worker_id="W2", skills={"cleaning": 1})),
        jobs=(JOB,),
    )
    problem = compile_problem(dataset, policy=POLICY)
    scores = match_scores(dataset, policy=POLICY)
    assert problem.score[0, 0] == scores[0, 0] > 0
    assert problem.score[1, 0] == 0.0
