"""Small named worlds every test may share (PyVRP's ``ok_small`` style).

Each is built from the rule-test builders of :mod:`tests.rules.world` (or, for files on
disk, :mod:`tests.io.builders`), so there is one way to make a worker or a job. They are
plain functions, usable at import time (e.g. in ``parametrize``); ``tests/conftest.py``
hands them out as fixtures of the same name.

``ok_small``   3 workers, 5 one-worker jobs on one day, each servable by every worker.
``ok_team``    3 workers, one job needing 2 workers together and one solo job.
``ok_tables``  the io tests' valid base tables (3 workers, 2 customers, 3 jobs, as text).
"""

from __future__ import annotations

from matchmaker.model import Dataset, TimeWindow
from tests.clock import at
from tests.io.builders import Tables, base_tables
from tests.rules.world import customer, job, shift, worker, world

__all__ = ["ok_small", "ok_tables", "ok_team"]


def ok_small() -> Dataset:
    """3 workers and 5 jobs for 2 customers on ``DAY``: every job fits every worker, and
    the 5 hours of work fit the 30 worker-hours with room to spare, so a plan serves all."""
    return world(
        workers=[worker("W1"), worker("W2", rating=4.0), worker("W3", shifts=(shift(10, 18),))],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(10))),
            job("J2", window=TimeWindow(start=at(10), end=at(12))),
            job("J3", customer_id="C2", window=TimeWindow(start=at(11), end=at(14))),
            job("J4", customer_id="C2", window=TimeWindow(start=at(13), end=at(15)), priority=5),
            job("J5", window=TimeWindow(start=at(14), end=at(16)), duration_minutes=90),
        ],
        customers=[customer("C1"), customer("C2")],
    )


def ok_team() -> Dataset:
    """3 workers; ``T1`` needs 2 of them starting together at 09:00-10:00, ``J1`` one."""
    return world(
        workers=[worker("W1"), worker("W2"), worker("W3")],
        jobs=[
            job("T1", window=TimeWindow(start=at(9), end=at(10)), workers_needed=2),
            job("J1", window=TimeWindow(start=at(9), end=at(11))),
        ],
    )


def ok_tables() -> Tables:
    """The io tests' valid base tables, every contract column present, cells as text."""
    return base_tables()
