"""The subgradient ascent of the Lagrangian bounds: deflected steps climb a ridge that
plain subgradient steps zig-zag across; steps halve after STALE_STEPS without a gain."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from matchmaker.solve import _bound_ascent as ascent_module
from matchmaker.solve._bound_ascent import Ascent

FloatArray = npt.NDArray[np.float64]


def _ridge(prices: Sequence[FloatArray]) -> tuple[float, list[FloatArray]]:
    """A concave function whose top (20) lies up a steep-sided ridge along p0 = p1."""
    (p,) = prices
    side = float(np.sign(p[0] - p[1]))
    value = min(float(p[0] + p[1] - 10.0 * abs(p[0] - p[1])), 20.0)
    if value >= 20.0:
        return value, [np.zeros(2)]
    return value, [np.array([1.0 - 10.0 * side, 1.0 + 10.0 * side])]


def _climb() -> Ascent:
    ascent = Ascent(_ridge, [np.array([0.0, 1.0])], 25.0)
    ascent.run(60.0, 300)
    return ascent


def test_deflected_steps_reach_the_top_of_a_ridge_sooner(monkeypatch: pytest.MonkeyPatch) -> None:
    """From beside the ridge, with a target above the top (as a known plan is above the
    bound), the deflected ascent reaches the top in fewer steps than plain subgradient
    steps (DEFLECTION 0), and both settle there."""
    deflected = _climb()
    monkeypatch.setattr(ascent_module, "DEFLECTION", 0.0)
    plain = _climb()
    assert deflected.best == plain.best == 20.0
    assert deflected.settled and plain.settled
    assert deflected.steps < plain.steps


def test_steps_halve_after_stale_steps_without_a_better_value() -> None:
    """On a flat dual below the target every step after the first finds nothing better:
    the step scale halves once STALE_STEPS such steps have been taken, not before."""

    def flat(prices: Sequence[FloatArray]) -> tuple[float, list[FloatArray]]:
        return 0.0, [np.ones(1)]

    stale = ascent_module.STALE_STEPS
    before = Ascent(flat, [np.zeros(1)], 10.0)
    before.run(60.0, stale)
    after = Ascent(flat, [np.zeros(1)], 10.0)
    after.run(60.0, stale + 1)
    assert before.scale == 2.0 and after.scale == 1.0
    assert not after.settled


def test_no_step_starts_that_the_longest_so_far_says_would_end_past_the_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Steps of 0.2 s (a clock the test drives) in 0.5 s: two steps end at 0.4 s, and a
    third, which would end at 0.6 s, does not start. At least one step runs even when it
    alone is longer than the time."""
    clock = [0.0]
    monkeypatch.setattr("matchmaker.solve._bound_ascent.time.perf_counter", lambda: clock[0])

    def slow(prices: Sequence[FloatArray]) -> tuple[float, list[FloatArray]]:
        clock[0] += 0.2
        return _ridge(prices)

    ascent = Ascent(slow, [np.array([0.0, 1.0])], 25.0)
    ascent.run(0.5, 300)
    assert ascent.steps == 2 and clock[0] == pytest.approx(0.4)
    ascent.run(0.1, 300)
    assert ascent.steps == 3
