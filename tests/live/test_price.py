"""A recommendation in a home-care round: every place leaves the worker time to get home
when the way home counts, and options are ranked and priced by the whole objective (the
way home, lateness after a due start) as the plan's objective changes once applied."""

from __future__ import annotations

from matchmaker.live import apply_option, recommend
from matchmaker.model import DatasetSettings, Location, Policy, TimeWindow
from matchmaker.plan import verify
from tests.clock import at
from tests.live.objective import plan_objective
from tests.rules.world import job, plan_of, shift, worker, world

FAR = Location(lat=31.3000, lon=121.4700)
"""About 8 km north of the workers' home: half an hour by car each way."""


def _settings(**policy: bool | int) -> DatasetSettings:
    return DatasetSettings(policy=Policy(**policy))


def test_a_place_that_leaves_no_time_to_get_home_is_not_offered() -> None:
    """With the way home counted, a job far away ending ten minutes before W1's shift ends
    is not offered to W1 (half an hour from home), only to W2, whose shift ends later."""
    dataset = world(
        workers=[worker("W1", shifts=(shift(8, 12),)), worker("W2", shifts=(shift(8, 14),))],
        jobs=[job("N", location=FAR, window=TimeWindow(start=at(10, 50), end=at(11)))],
        settings=_settings(travel_home=True),
    )
    plan = plan_of(dataset)
    recommendation = recommend(dataset, plan, "N", k=5)
    assert [o.worker_ids for o in recommendation.options] == [("W2",)]
    applied = apply_option(recommendation, plan, recommendation.options[0], policy=Policy())
    assert verify(dataset, applied) == []


def test_a_later_start_is_priced_with_its_lateness_and_ranked_after_an_on_time_one() -> None:
    """N is due at 09:00. W1, near, is busy until 10:00; W2 lives farther away but is free.
    At 5 a minute late, W2's on-time place ranks first, and each option's objective change
    is the plan's once applied (W1's counts an hour of lateness)."""
    far_home = Location(lat=31.2600, lon=121.4700)
    dataset = world(
        workers=[worker("W1"), worker("W2", home=far_home)],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9))),
            job("N", window=TimeWindow(start=at(9), end=at(11)), due_start=at(9)),
        ],
        settings=_settings(lateness_cost_per_minute=5),
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    before = plan_objective(dataset, plan)
    recommendation = recommend(dataset, plan, "N", k=5)
    assert [o.worker_ids for o in recommendation.options] == [("W2",), ("W1",)]
    for option in recommendation.options:
        applied = apply_option(recommendation, plan, option, policy=dataset.settings.policy)
        assert verify(dataset, applied) == []
        assert plan_objective(dataset, applied) - before == option.objective_delta
    w1 = recommendation.options[1]
    assert w1.assignments[0].start >= at(10)


def test_with_a_balance_weight_the_busiest_shift_is_priced() -> None:
    """With a cost on the busiest shift's work, giving N to W1 (already the busiest, two
    hours) costs its hour of work as well, giving it to idle W2 does not: each option's
    objective change is the plan's once applied, and W2 ranks first."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9))),
            job("J2", window=TimeWindow(start=at(10), end=at(10))),
            job("N", window=TimeWindow(start=at(13), end=at(13))),
        ],
        settings=_settings(balance_cost_per_minute=5),
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(10)))
    before = plan_objective(dataset, plan)
    recommendation = recommend(dataset, plan, "N", k=5)
    assert [o.worker_ids for o in recommendation.options] == [("W2",), ("W1",)]
    deltas = []
    for option in recommendation.options:
        applied = apply_option(recommendation, plan, option, policy=dataset.settings.policy)
        assert verify(dataset, applied) == []
        assert plan_objective(dataset, applied) - before == option.objective_delta
        deltas.append(option.objective_delta)
    # The hour of work at 5 a minute, less W2's trip from home (well under an hour).
    assert deltas[1] - deltas[0] >= 5 * 60 - 60
