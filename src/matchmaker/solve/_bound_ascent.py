"""The subgradient ascent both Lagrangian bounds climb (:mod:`._bound`, :mod:`._bound_columns`).

A Lagrangian dual function gives a lower bound at *any* non-negative multipliers; the ascent
only looks for good ones. It takes Polyak steps towards ``target`` (the objective of a
known plan, less whatever the function leaves out) and halves them when
:data:`STALE_STEPS` steps in a row find nothing better.

A step goes along the subgradient deflected by the previous direction when the two point
apart (Camerini, Fratta and Maffioli: ``d = g + beta d_prev`` with ``beta = -DEFLECTION
g.d_prev / |d_prev|^2``), which damps the zig-zag of plain subgradient steps. Measured on
generated rounds (the bound at 10% of the benchmark limit, a greedy plan as the target,
no match cost; plain / deflected, twice each). Default weights: the 200-worker week at
3 s 1.35-1.39 / 1.52 million, 120 x 900 over 5 days 224,994 / 226,551, normal 60 x 150
104,305-104,313 / 104,394-104,399; tight 60 x 150, 20 x 60 and both 200 x 600 days level
(within 2 units). Linear weights: normal 60 x 150 54,420-54,478 / 54,542, 120 x 900
151,831 / 151,807-157,185, but the week 937,492 / 922,350-931,378 (1-2% lower).

The steps halve after :data:`STALE_STEPS` steps without a better value. Measured the same
way (15 / 8 stale steps): default weights, the week 1.38-1.39 / 1.62-1.63 million,
120 x 900 226,551 / 222,821-241,346 (the clock-bound ascent spreads by about 8% there
from run to run), normal 60 x 150 104,411-104,416 / 104,441, tight
600 x 2000 at 12 s 2,105,182 / 2,119,549; linear weights, the week 943,044 / 1,107,985,
120 x 900 154,128 / 163,014, normal 60 x 150 54,540 / 54,559, tight 600 x 2000 1,563,743 /
1,565,959; tight 200 x 600, 20 x 60 and the normal 200 x 600 and 600 x 2000 days (where
the capacity bound is the larger) level. 5 stale steps was as good on the week and worse
on 120 x 900 and normal 60 x 150.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["Ascent", "Dual"]

FloatArray = npt.NDArray[np.float64]

Dual = Callable[[Sequence[FloatArray]], tuple[float, Sequence[FloatArray]]]
"""The dual function: its value at the multipliers and a subgradient, one array each."""

STALE_STEPS = 8
DEFLECTION = 1.0
"""How much of the previous direction a step keeps when it opposes the subgradient (1:
the new direction is at right angles to the previous one)."""
GAP_CAP = 10.0
"""Most a step's gap to the target may be, in gaps of the best value found."""
SMALLEST_SCALE = 1e-4
"""A step scale below which more steps cannot help: the ascent has settled."""


class Ascent:
    """The best value of ``dual`` found so far, resumable where it stopped."""

    def __init__(self, dual: Dual, prices: Sequence[FloatArray], target: float) -> None:
        self.dual = dual
        self.prices = list(prices)
        self.target = float(target)
        self.best = -math.inf
        self.best_prices = self.prices
        """The multipliers of :attr:`best`."""
        self.scale = 2.0
        self.stale = 0
        self.steps = 0
        self.direction: list[FloatArray] | None = None
        self.settled = False
        """True once more steps cannot help: the steps stalled, or reached ``target``."""

    def run(self, seconds: float, iterations: int) -> float:
        """Go on for ``seconds`` (at least one step, and none that the longest so far says
        would end past them), or until ``iterations`` steps in all, or until settled; the
        best dual value so far."""
        began = time.perf_counter()
        longest = 0.0
        while not self.settled and self.steps < iterations:
            self.steps += 1
            stepped = time.perf_counter()
            value, gradients = self.dual(self.prices)
            now = time.perf_counter()
            longest = max(longest, now - stepped)
            best = self.best
            if not math.isfinite(best) or value > best + 1e-9 * max(abs(best), 1.0):
                self.best, self.best_prices, self.stale = value, self.prices, 0
            else:
                self.stale += 1
                if self.stale >= STALE_STEPS:
                    self.scale, self.stale = self.scale / 2.0, 0
            flat = _dot(gradients, gradients) == 0.0
            if flat or self.best >= self.target or self.scale < SMALLEST_SCALE:
                self.settled = True
            elif now - began + longest >= seconds:
                # The next step would end past the time: where a step takes long (true
                # legs on a large round), one more overran a 3 s bound by 0.6 s.
                break
            else:
                direction = self._deflected(list(gradients))
                # A step from far below the best is measured against the best's gap: the
                # gap to a target the dual never reaches would otherwise grow with each
                # overshoot, and the prices run off to infinity.
                gap = min(self.target - value, GAP_CAP * (self.target - self.best))
                gap = max(gap, 1e-9 * abs(self.target) + 1.0)
                step = self.scale * gap / _dot(direction, direction)
                self.prices = [
                    np.maximum(p + step * d, 0.0)
                    for p, d in zip(self.prices, direction, strict=True)
                ]
        return self.best

    def _deflected(self, gradients: list[FloatArray]) -> list[FloatArray]:
        """The direction of the next step: the subgradient, deflected by the previous
        direction where they point apart (module docstring)."""
        direction = gradients
        previous = self.direction
        if previous is not None:
            dot = _dot(gradients, previous)
            if dot < 0.0:
                beta = -DEFLECTION * dot / _dot(previous, previous)
                deflected = [g + beta * d for g, d in zip(gradients, previous, strict=True)]
                # Exactly opposite directions would cancel out: step along the subgradient.
                if any(bool(d.any()) for d in deflected):
                    direction = deflected
        self.direction = direction
        return direction


def _dot(left: Sequence[FloatArray], right: Sequence[FloatArray]) -> float:
    """The inner product of two lists of arrays, taken as one vector each."""
    return float(sum(float((a * b).sum()) for a, b in zip(left, right, strict=True)))
