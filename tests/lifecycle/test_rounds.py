"""The rounds `ops jobs` wrote, kept in the store and hashed when a plan is applied."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from matchmaker.lifecycle import EventStore, Operations, OpsPolicy, export_jobs, import_dataset
from matchmaker.lifecycle._rounds import (
    MAX_PENDING,
    PENDING_KEY,
    ROUNDS_KEY,
    exported_rounds,
    record_round,
)

from .factory import DAY1, at, write_dataset

D1 = date.fromisoformat(DAY1)


@pytest.fixture
def seeded(store: EventStore, tmp_path: Path) -> Operations:
    ops = Operations(store, OpsPolicy())
    import_dataset(ops, write_dataset(tmp_path / "data"), time=at(-1440))
    return ops


def _pending(ops: Operations) -> list[str]:
    text = ops.store.get_meta(PENDING_KEY)
    kept: list[str] = json.loads(text) if text else []
    return kept


def test_a_written_round_is_hashed_once_when_looked_up(seeded: Operations, tmp_path: Path) -> None:
    """`ops jobs` keeps the round's files, not their hash; the first lookup hashes them
    (plain and redacted: two hashes for the day), remembers the hashes and lets the files
    go; writing the same round again keeps it once."""
    export_jobs(seeded, day=D1, out=tmp_path / "round")
    export_jobs(seeded, day=D1, out=tmp_path / "round", force=True)
    assert len(_pending(seeded)) == 1
    assert seeded.store.get_meta(ROUNDS_KEY) is None
    rounds = exported_rounds(seeded)
    assert list(rounds.values()) == [D1.isoformat(), D1.isoformat()]
    assert len(set(rounds)) == 2
    assert _pending(seeded) == []
    assert exported_rounds(seeded) == rounds


def test_only_the_latest_rounds_wait_to_be_hashed(seeded: Operations) -> None:
    """Of rounds written and never looked up, the latest MAX_PENDING are kept: the oldest
    goes first."""
    days = [D1 + timedelta(days=n) for n in range(MAX_PENDING + 2)]
    for day in days:
        record_round(seeded, {"jobs.csv": f"job_id\n{day}\n"}, day)
    kept = _pending(seeded)
    assert len(kept) == MAX_PENDING
    record_round(seeded, {"jobs.csv": f"job_id\n{days[-1]}\n"}, days[-1])
    assert _pending(seeded) == kept  # the same round again: still once, still the latest


def test_files_that_would_not_load_give_no_hash(seeded: Operations) -> None:
    """Kept files no dispatcher could load (here a jobs table alone) give no hash: no plan
    can carry one of them; they are let go all the same."""
    record_round(seeded, {"jobs.csv": "job_id\nJ1\n"}, D1)
    assert exported_rounds(seeded) == {}
    assert _pending(seeded) == []


def test_a_lookup_hashes_only_until_it_finds_the_plan(seeded: Operations, tmp_path: Path) -> None:
    """A plan of the round written last costs one hashing: the rounds written before it
    stay to be hashed; a hash no round gives hashes them all (and lets them go)."""
    from matchmaker.io import input_sha256, load_dataset

    for offset in range(3):
        record_round(seeded, {"jobs.csv": f"job_id\n{offset}\n"}, D1 + timedelta(days=offset))
    export_jobs(seeded, day=D1, out=tmp_path / "round")
    digest = input_sha256(load_dataset(tmp_path / "round"))
    assert exported_rounds(seeded, looking_for=digest)[digest] == D1.isoformat()
    assert len(_pending(seeded)) == 3
    assert digest in exported_rounds(seeded, looking_for="0" * 64)
    assert _pending(seeded) == []
