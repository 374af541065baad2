"""A long random (seeded) company history for the read-model tests: every kind of visit,
order and complaint event, tried in random order; what the state machines refuse is
skipped, so the store holds a valid history through many states."""

from __future__ import annotations

import random
from typing import Any

from pydantic import ValidationError

from matchmaker.lifecycle import Event, Operations
from matchmaker.model import LifecycleError

from .factory import at, customer, ev, worker

WORKERS = [f"W{i}" for i in range(1, 6)]
CUSTOMERS = ["C1", "C2", "C3", "C4"]
SERVICES = ["daily_cleaning", "deep_cleaning", "elderly_care"]
DAY = 24 * 60


def _setup() -> list[Event]:
    return [
        *(worker(w) for w in WORKERS),
        *(customer(c) for c in CUSTOMERS[:3]),
        # A customer other workers served before the store knew of it: never "new".
        customer("C4", previous_workers=["W2"]),
    ]


def _try(ops: Operations, event: Any) -> bool:
    try:
        ops.submit([event() if callable(event) else event])
    except (LifecycleError, ValidationError, ValueError):
        return False
    return True


def _orders(ops: Operations, rng: random.Random) -> list[str]:
    orders = []
    for n, customer_id in enumerate(["C1", "C2", "C3", "C1"]):
        order_id = f"O{n}"
        orders.append(order_id)
        steps = [
            ("order_created", {"customer_id": customer_id, "service_type": SERVICES[n % 3]}),
            ("order_quoted", {"total": "800.00"}),
            ("order_contracted", {}),
            ("order_deposit_paid", {"amount": "300.00"}),
            ("order_started", {}),
        ]
        for minutes, (kind, payload) in enumerate(steps):
            _try(ops, ev(kind, order_id, -2 * DAY + minutes, **payload))
    return orders


def _visit(ops: Operations, rng: random.Random, n: int, orders: list[str]) -> tuple[str, int]:
    visit_id = f"V{n:03d}"
    order_id = rng.choice([*orders, "", ""])
    customer_id = (
        {"O0": "C1", "O1": "C2", "O2": "C3", "O3": "C1"}[order_id]
        if order_id
        else rng.choice(CUSTOMERS)
    )
    start = rng.randrange(-3 * DAY, 4 * DAY, 30)
    _try(
        ops,
        ev(
            "visit_created",
            visit_id,
            start - 2 * DAY,
            customer_id=customer_id,
            order_id=order_id,
            service_type=rng.choice(SERVICES),
            earliest_start=at(start),
            latest_start=at(start + rng.choice([0, 60, 2 * DAY])),
            duration_minutes=120,
            price=rng.choice(["200.00", "150.50", "99.99"]),
        ),
    )
    return visit_id, start


def _steps(
    rng: random.Random, visit_id: str, start: int, minutes: float, settled: bool
) -> list[Any]:
    """Candidate events for the visit, in a random order weighted to the way forward."""
    w = rng.choice(WORKERS)
    # (weight, kind, actor, payload): the way forward is likelier than the way out.
    options: list[tuple[float, str, str, dict[str, Any]]] = [
        (4, "visit_proposed", "dispatcher", {"worker_ids": [w], "start": at(start)}),
        (4, "visit_confirmed", f"worker:{w}", {}),
        (0.5, "visit_declined", f"worker:{w}", {}),
        (0.3, "visit_no_show", "dispatcher", {}),
        (4, "visit_checked_in", "worker", {"minutes_late": rng.choice([0, 0, 3, 8, 25])}),
        (4, "visit_completed", "worker", {}),
        (3, "visit_accepted", "customer", {}),
        (0.7, "visit_rework_requested", "customer", {"reason": "missed a room"}),
        (1.5, "visit_rated", "customer", {"stars": rng.randint(1, 5)}),
        (0.7, "visit_issue_reported", "worker", {"category": rng.choice(["access", "pets"])}),
        (1.5, "visit_followed_up", "office", {}),
        (0.5, "visit_refunded", "office", {"amount": "10.00", "reason": "broken_vase"}),
        (
            0.2,
            "visit_cancelled",
            "customer",
            {"reason": "plans", "fee": rng.choice([None, "20.00"])},
        ),
    ]
    settle = {
        "method": rng.choice(["online", "cash"]),
        "pay": [{"worker_id": w, "amount": "80.00"}] if rng.random() < 0.7 else None,
        "adjustments": [{"reason": "discount", "amount": "5.00"}] if rng.random() < 0.3 else [],
    }
    if settled or rng.random() < 0.2:
        options.append((4, "visit_settled", "billing", settle))
    options.sort(key=lambda o: rng.random() ** (1 / o[0]), reverse=True)
    return [
        (
            lambda kind=kind, actor=actor, payload=payload: ev(
                kind, visit_id, minutes, actor=actor, **payload
            )
        )
        for _weight, kind, actor, payload in options
    ]


def run(ops: Operations, *, seed: int = 4, visits: int = 40, steps: int = 300) -> None:
    """Write the history into ``ops``'s store, one command at a time."""
    rng = random.Random(seed)
    ops.submit(_setup())
    orders = _orders(ops, rng)
    starts = dict(_visit(ops, rng, n, orders) for n in range(visits))
    ids = list(starts)
    complaints = 0
    for k in range(steps):
        minutes = -3 * DAY + k * (7 * DAY / steps)
        visit_id = rng.choice(ids)
        roll = rng.random()
        if roll < 0.04:
            complaints += 1
            _try(
                ops,
                ev(
                    "complaint_opened",
                    f"K{complaints}",
                    minutes,
                    visit_id=visit_id,
                    category=rng.choice(["quality", "late"]),
                ),
            )
        elif roll < 0.12 and complaints:
            target = f"K{rng.randint(1, complaints)}"
            _try(ops, ev("complaint_investigation_started", target, minutes))
            kind = rng.choice(["complaint_upheld", "complaint_upheld", "complaint_rejected", ""])
            if kind:
                _try(ops, ev(kind, target, minutes + 1))
        elif roll < 0.14:
            kind = rng.choice(["order_closed", "order_cancelled", "order_refunded"])
            payload = {"reason": "moved"} if kind != "order_closed" else {}
            # Two orders may end (their visits with them); two run to the end.
            _try(ops, ev(kind, rng.choice(orders[2:]), minutes, **payload))
        else:
            for candidate in _steps(rng, visit_id, starts[visit_id], minutes, rng.random() < 0.5):
                if _try(ops, candidate):
                    break
