"""The store benchmark's synthetic company on a tiny scale (nothing is timed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from benchmarks.store import Timing, _markdown
from benchmarks.store_company import Company, fill_store, open_round, pinned_copy

from matchmaker.lifecycle import EventStore, Ledger, Operations, VisitState, export_jobs


def test_the_company_writes_a_store_whose_state_is_a_replay(tmp_path: Path) -> None:
    """Whole days of visits go in through the store API; every visit is settled or
    cancelled, the open round holds unassigned visits, and the read models equal a replay."""
    company = Company(workers=6, customers=8, visits_per_day=10)
    path = tmp_path / "store.db"
    last_day, _ = fill_store(path, 150, company)
    round_day = open_round(path, last_day, company)
    with EventStore(path) as store:
        ledger = Operations(store).ledger()
        assert store.count() >= 150
        assert ledger.snapshot() == Ledger.replay(store.read()).snapshot()
        assert store.get_meta("timezone") == "Asia/Shanghai"
    states = {v.state for k, v in ledger.visits.items() if k.startswith("V")}
    assert states == {VisitState.SETTLED, VisitState.CANCELLED}
    opened = [v for k, v in ledger.visits.items() if k.startswith("R")]
    assert len(opened) == 10
    assert {v.state for v in opened} == {VisitState.UNASSIGNED}
    assert all(v.job.earliest_start.date().isoformat() == round_day for v in opened)


def test_the_section_lists_every_size() -> None:
    """The RESULTS section has one row per size, for the target commands and the others,
    and says what the start-up alone costs."""
    rows = [
        Timing(
            events=n,
            event_s=0.5,
            jobs_s=0.7,
            report_s=0.9,
            write_s=3,
            inside={"event": 0.01, "jobs": 0.2, "report": 0.3},
            cpu={"event": 0.4, "jobs": 0.6, "report": 0.8},
            others={"jobs_pinned": 2.1, "followups": 1.5, "statement": 0.6, "log": 0.7},
        )
        for n in (50_000, 200_000)
    ]
    text = _markdown(rows, 0.4, "python -m benchmarks.store", 3)
    assert "| 50,000 | 0.50 | 0.70 | 0.90 | 0.40 / 0.60 / 0.80 | 0.01 / 0.20 / 0.30 | 3 |" in text
    assert "| 200,000 |" in text
    assert "| 50,000 | 2.10 | 1.50 | 0.60 | 0.70 |" in text
    assert "Start-up alone (`matchmaker --help`): 0.40 s." in text


def test_the_pinned_copy_pins_every_other_visit_of_the_round(tmp_path: Path) -> None:
    """The copy behind `ops jobs` with pins proposes every other visit of the open round,
    and its export writes those visits pinned (the original store is left as it was)."""
    company = Company(workers=300, customers=8, visits_per_day=10)
    path = tmp_path / "store.db"
    last_day, _ = fill_store(path, 150, company)
    round_day = open_round(path, last_day, company)
    copy = pinned_copy(path, round_day, company, tmp_path)
    with EventStore(copy) as store:
        summary = export_jobs(
            Operations(store), day=date.fromisoformat(round_day), out=tmp_path / "round"
        )
    assert (summary.jobs, summary.pinned + len(summary.released)) == (10, 5)
    with EventStore(path) as store:
        ledger = Operations(store).ledger()
    assert {v.state for k, v in ledger.visits.items() if k.startswith("R")} == {
        VisitState.UNASSIGNED
    }
