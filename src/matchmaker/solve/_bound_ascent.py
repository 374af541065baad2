"""The subgradient ascent both Lagrangian bounds climb (:mod:`._bound`, :mod:`._bound_columns`).

A Lagrangian dual function gives a lower bound at *any* non-negative multipliers; the ascent
only looks for good ones. It takes Polyak steps towards ``target`` (the objective of a
known plan, less whatever the function leaves out) and halves them when
:data:`STALE_STEPS` steps in a row find nothing better.
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

STALE_STEPS = 15
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
        self.settled = False
        """True once more steps cannot help: the steps stalled, or reached ``target``."""

    def run(self, seconds: float, iterations: int) -> float:
        """Go on for ``seconds`` (at least one step), or until ``iterations`` steps in
        all, or until settled; the best dual value so far."""
        began = time.perf_counter()
        while not self.settled and self.steps < iterations:
            self.steps += 1
            value, gradients = self.dual(self.prices)
            best = self.best
            if not math.isfinite(best) or value > best + 1e-9 * max(abs(best), 1.0):
                self.best, self.best_prices, self.stale = value, self.prices, 0
            else:
                self.stale += 1
                if self.stale >= STALE_STEPS:
                    self.scale, self.stale = self.scale / 2.0, 0
            norm = float(sum(float((g * g).sum()) for g in gradients))
            if norm == 0.0 or self.best >= self.target or self.scale < SMALLEST_SCALE:
                self.settled = True
            elif time.perf_counter() - began >= seconds:
                break
            else:
                gap = max(self.target - value, 1e-9 * abs(self.target) + 1.0)
                step = self.scale * gap / norm
                self.prices = [
                    np.maximum(p + step * g, 0.0)
                    for p, g in zip(self.prices, gradients, strict=True)
                ]
        return self.best
