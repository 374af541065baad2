"""The dispatch contracts: seeding a store from a dataset, exporting a round, applying a plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from matchmaker.lifecycle import (
    EventStore,
    Operations,
    OpsPolicy,
    OrderState,
    VisitState,
    WorkerState,
    apply_plan,
    export_jobs,
    import_dataset,
)
from matchmaker.lifecycle._contract import CUSTOMER_COLUMNS, JOB_COLUMNS, WORKER_COLUMNS
from matchmaker.model import ConcurrencyError, DatasetError, LifecycleError

from .factory import (
    DAY1,
    JOBS,
    WORKERS,
    _job,
    _shift,
    at,
    ev,
    read_csv,
    served,
    write_dataset,
    write_plan,
)

D1, D2 = date.fromisoformat(DAY1), date.fromisoformat("2026-12-02")


@pytest.fixture
def seeded(store: EventStore, tmp_path: Path) -> Operations:
    ops = Operations(store, OpsPolicy())
    import_dataset(ops, write_dataset(tmp_path / "data"), time=at(-1440))
    return ops


def test_import_dataset_registers_everything(seeded: Operations) -> None:
    """Workers, customers, one active order per order_id and one visit per job."""
    ledger = seeded.ledger()
    assert sorted(ledger.workers) == ["W1", "W2", "W3", "W4"]
    assert ledger.workers["W4"].state is WorkerState.SUSPENDED
    assert ledger.workers["W2"].languages == ("mandarin", "shanghainese")
    assert ledger.customers["C1"].previous_workers == ("W2",)
    assert {o.state for o in ledger.orders.values()} == {OrderState.ACTIVE}
    assert sorted(ledger.visits) == ["J1", "J2", "J3", "J4", "J5", "J6"]
    assert seeded.store.get_meta("timezone") == "Asia/Shanghai"


def test_pinned_job_is_imported_as_confirmed(store: EventStore, tmp_path: Path) -> None:
    """A job pinned in the dataset becomes a confirmed visit with that worker and start."""
    jobs = [
        *JOBS[:5],
        _job(
            "J6",
            "O3",
            "C3",
            _shift("2026-12-02", 15),
            _shift("2026-12-02", 16),
            pinned_worker_id="W1",
        ),
    ]
    ops = Operations(store)
    import_dataset(ops, write_dataset(tmp_path / "data", jobs=jobs), time=at(-1440))
    pinned = ops.ledger().visits["J6"]
    assert pinned.state is VisitState.CONFIRMED and pinned.workers == ("W1",)
    assert pinned.planned_start == pinned.job.earliest_start


def test_bad_cells_are_all_reported_and_nothing_written(store: EventStore, tmp_path: Path) -> None:
    """Every bad cell is named by file, row and column; the store stays empty."""
    workers = [dict(WORKERS[0], gender="X"), dict(WORKERS[1], skills="cleaning:7"), *WORKERS[2:]]
    jobs = [dict(JOBS[0], customer_id="C9"), *JOBS[1:]]
    folder = write_dataset(tmp_path / "data", workers=workers, jobs=jobs)
    with pytest.raises(DatasetError) as caught:
        import_dataset(Operations(store), folder)
    where = {(i.file, i.row, i.column) for i in caught.value.issues}
    assert ("workers.csv", 2, "gender") in where
    assert ("workers.csv", 3, "skills") in where
    assert ("jobs.csv", 2, "customer_id") in where
    assert store.count() == 0


def test_customers_come_from_jobs_without_a_customers_table(
    store: EventStore, tmp_path: Path
) -> None:
    """Without customers.csv each customer is registered at its first job's place."""
    jobs = [dict(JOBS[0], lat="31.1", lon="121.1"), *JOBS[1:]]
    ops = Operations(store)
    import_dataset(ops, write_dataset(tmp_path / "data", customers=None, jobs=jobs))
    assert sorted(ops.ledger().customers) == ["C1", "C2", "C3"]
    assert ops.ledger().customers["C1"].lat == 31.1


def test_export_writes_the_contract_columns(seeded: Operations, tmp_path: Path) -> None:
    """ops jobs writes workers, customers and jobs with the contract's columns."""
    summary = export_jobs(seeded, day=D1, out=tmp_path / "round")
    folder = tmp_path / "round"
    assert list(read_csv(folder / "workers.csv").columns) == WORKER_COLUMNS
    assert list(read_csv(folder / "customers.csv").columns) == CUSTOMER_COLUMNS
    jobs = read_csv(folder / "jobs.csv")
    assert list(jobs.columns) == JOB_COLUMNS
    assert jobs["job_id"].tolist() == ["J1", "J2", "J3"]
    assert (summary.jobs, summary.to_dispatch) == (3, 3)
    assert (folder / "dataset.toml").read_text() == 'timezone = "Asia/Shanghai"\n'
    assert not list(tmp_path.glob(".round*"))


def test_export_moves_regular_shifts_to_the_day(seeded: Operations, tmp_path: Path) -> None:
    """A shift given as datetimes is the regular shift, moved to the round's day."""
    export_jobs(seeded, day=D2, out=tmp_path / "round")
    workers = read_csv(tmp_path / "round" / "workers.csv").set_index("worker_id")
    assert workers.loc["W1", "shift_start"] == "2026-12-02T08:00:00+08:00"
    assert workers.loc["W4", "status"] == "suspended"


def test_import_refuses_a_wall_clock_time_the_clocks_skip(
    store: EventStore, tmp_path: Path
) -> None:
    """02:30 on 2027-03-28 does not exist in Berlin: the import names file, row and column
    and records nothing, like ``matchmaker validate``."""
    jobs = [dict(JOBS[0], earliest_start="2027-03-28T02:30:00"), *JOBS[1:]]
    folder = write_dataset(tmp_path / "data", jobs=jobs, timezone_name="Europe/Berlin")
    with pytest.raises(DatasetError) as caught:
        import_dataset(Operations(store), folder)
    (issue,) = [i for i in caught.value.issues if "does not exist" in i.message]
    assert (issue.file, issue.row, issue.column) == ("jobs.csv", 2, "earliest_start")
    assert store.count() == 0


def test_export_keeps_the_regular_shift_hours_across_daylight_saving(
    store: EventStore, tmp_path: Path
) -> None:
    """A regular 08:00-18:00 shift given in winter time (+01:00) is 08:00-18:00 summer time
    (+02:00) on a day after the clocks changed, not 09:00-19:00."""
    winter = [
        dict(w, shift_start="2027-03-26T08:00:00+01:00", shift_end="2027-03-26T18:00:00+01:00")
        for w in WORKERS
    ]
    ops = Operations(store)
    summer_job = _job("J9", "O9", "C1", "2027-03-29T10:00:00+02:00", "2027-03-29T11:00:00+02:00")
    data = write_dataset(
        tmp_path / "data", workers=winter, jobs=[summer_job], timezone_name="Europe/Berlin"
    )
    import_dataset(ops, data)
    export_jobs(ops, day=date(2027, 3, 29), out=tmp_path / "round")
    workers = read_csv(tmp_path / "round" / "workers.csv").set_index("worker_id")
    assert workers.loc["W1", "shift_start"] == "2027-03-29T08:00:00+02:00"
    assert workers.loc["W1", "shift_end"] == "2027-03-29T18:00:00+02:00"


def test_export_puts_a_time_of_day_shift_on_the_day_in_the_store_timezone(
    store: EventStore, tmp_path: Path
) -> None:
    """A shift given as times of day (``"08:00"``, as the worker events allow) is 08:00 on
    the round's day in the store's timezone, on either side of a daylight-saving change,
    and the round loads (it used to carry "08:00" into workers.csv, which no round takes)."""
    from matchmaker.io import load_dataset

    ops = Operations(store)
    summer_job = _job("J9", "O9", "C1", "2027-03-29T10:00:00+02:00", "2027-03-29T11:00:00+02:00")
    winter_job = _job("J8", "O8", "C1", "2027-03-26T10:00:00+01:00", "2027-03-26T11:00:00+01:00")
    data = write_dataset(
        tmp_path / "data", jobs=[winter_job, summer_job], timezone_name="Europe/Berlin"
    )
    import_dataset(ops, data, time=at(-1440))
    ops.submit([ev("worker_updated", "W1", shift_start="08:00", shift_end="18:00")])
    for day, offset in ((date(2027, 3, 26), "+01:00"), (date(2027, 3, 29), "+02:00")):
        folder = tmp_path / f"round-{day}"
        export_jobs(ops, day=day, out=folder)
        workers = read_csv(folder / "workers.csv").set_index("worker_id")
        assert workers.loc["W1", "shift_start"] == f"{day}T08:00:00{offset}"
        assert workers.loc["W1", "shift_end"] == f"{day}T18:00:00{offset}"
        assert load_dataset(folder).workers[0].worker_id == "W1"


def test_worker_without_a_shift_that_day_is_on_leave(store: EventStore, tmp_path: Path) -> None:
    """With availability rows, a worker with no shift on the day is exported on leave."""
    availability = [
        {"worker_id": "W1", "start": _shift(DAY1, 8), "end": _shift(DAY1, 12)},
        {"worker_id": "W2", "start": _shift("2026-12-02", 8), "end": _shift("2026-12-02", 12)},
    ]
    ops = Operations(store)
    import_dataset(ops, write_dataset(tmp_path / "data", availability=availability))
    export_jobs(ops, day=D1, out=tmp_path / "round")
    workers = read_csv(tmp_path / "round" / "workers.csv").set_index("worker_id")
    assert (workers.loc["W1", "status"], workers.loc["W2", "status"]) == ("active", "on_leave")
    shifts = read_csv(tmp_path / "round" / "availability.csv")
    assert shifts["worker_id"].tolist() == ["W1"]


def test_export_refuses_to_overwrite(seeded: Operations, tmp_path: Path) -> None:
    """An existing folder needs --force; a folder of other files is never replaced."""
    export_jobs(seeded, day=D1, out=tmp_path / "round")
    with pytest.raises(LifecycleError, match="--force"):
        export_jobs(seeded, day=D1, out=tmp_path / "round")
    export_jobs(seeded, day=D2, out=tmp_path / "round", force=True)
    assert read_csv(tmp_path / "round" / "jobs.csv")["job_id"].tolist() == ["J2", "J4", "J5", "J6"]
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(LifecycleError, match="refusing"):
        export_jobs(seeded, day=D1, out=other, force=True)
    assert (other / "notes.txt").read_text() == "keep me"


def test_feedback_reaches_the_next_round(seeded: Operations, tmp_path: Path) -> None:
    """Proposed visits are pinned, rework is pinned to its worker, continuity is exported."""
    seeded.submit(
        [
            *served("J1", "W1", 60),
            ev("visit_rework_requested", "J1", 200),
            ev("visit_proposed", "J2", 100, worker_ids=["W2"], start=at(300)),
            ev("visit_declined", "J2", 110, worker_id="W2"),
            ev("visit_proposed", "J5", 120, worker_ids=["W3"], start=at(1560)),
        ]
    )
    export_jobs(seeded, day=D2, out=tmp_path / "round")
    jobs = read_csv(tmp_path / "round" / "jobs.csv").set_index("job_id")
    assert jobs.loc["J1-R1", "pinned_worker_id"] == "W1"
    assert jobs.loc["J1-R1", "pinned_start"] == ""
    assert jobs.loc["J2", "excluded_workers"] == "W2"
    assert jobs.loc["J5", "pinned_worker_id"] == "W3"
    assert jobs.loc["J5", "pinned_start"] == at(1560).isoformat()
    customers = read_csv(tmp_path / "round" / "customers.csv").set_index("customer_id")
    assert customers.loc["C1", "previous_workers"] == "W1;W2"
    assert customers.loc["C1", "preferred_workers"] == "W1"


def test_recurring_worker_can_be_pinned(store: EventStore, tmp_path: Path) -> None:
    """With pin_recurring_worker the order's later visits go to its current worker."""
    ops = Operations(store, OpsPolicy(pin_recurring_worker=True))
    import_dataset(ops, write_dataset(tmp_path / "data"), time=at(-1440))
    ops.submit(served("J1", "W1", 60))
    export_jobs(ops, day=D2, out=tmp_path / "round")
    jobs = read_csv(tmp_path / "round" / "jobs.csv").set_index("job_id")
    assert jobs.loc["J4", "pinned_worker_id"] == "W1"
    assert jobs.loc["J5", "pinned_worker_id"] == ""


def test_apply_plan_proposes_and_replans(seeded: Operations, tmp_path: Path) -> None:
    """A plan proposes open visits, re-proposes changed ones and leaves the rest alone."""
    first = write_plan(
        tmp_path / "p1", [("J1", "W1", _shift(DAY1, 9)), ("J2", "W2", _shift(DAY1, 13))]
    )
    summary = apply_plan(seeded, first, time=at(0))
    assert (summary.proposed, summary.unchanged) == (2, 0)
    seeded.submit([ev("visit_confirmed", "J1", 5)])
    second = write_plan(
        tmp_path / "p2", [("J1", "W1", _shift(DAY1, 9)), ("J2", "W3", _shift(DAY1, 14))]
    )
    summary = apply_plan(seeded, second, time=at(10))
    assert (summary.proposed, summary.unchanged) == (1, 1)
    j2 = seeded.ledger().visits["J2"]
    assert j2.workers == ("W3",) and [o.outcome for o in j2.offers] == ["withdrawn", "pending"]


def test_apply_plan_reports_bad_rows_and_writes_nothing(seeded: Operations, tmp_path: Path) -> None:
    """Unknown jobs and workers, and proposals the rules forbid, name their row."""
    before = seeded.store.count()
    plan = write_plan(
        tmp_path / "p",
        [
            ("J1", "W1", _shift(DAY1, 9)),
            ("J9", "W1", _shift(DAY1, 9)),
            ("J3", "W9", _shift(DAY1, 14)),
        ],
    )
    with pytest.raises(DatasetError) as caught:
        apply_plan(seeded, plan, time=at(0))
    assert {(i.row, i.column) for i in caught.value.issues} == {(3, "job_id"), (4, "worker_id")}
    suspended = write_plan(tmp_path / "q", [("J1", "W4", _shift(DAY1, 9))])
    with pytest.raises(DatasetError, match=r"W4 \(.*\) is suspended"):
        apply_plan(seeded, suspended, time=at(0))
    assert seeded.store.count() == before


def test_a_plan_checked_before_another_writer_proposed_is_checked_again(
    seeded: Operations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan puts J3 on W1 at 14:00; right after it passed the check against the store,
    another dispatcher's plan puts J2 on W1 at 13:00 to 15:00. Written as checked, W1
    would hold both; apply_plan sees the store moved, checks again, and refuses the
    overlap, writing nothing. A plan still valid after such a write is applied."""
    from matchmaker.lifecycle import _plans

    checked = _plans.verify_against_store
    rival = [ev("visit_proposed", "J2", 0, worker_ids=["W1"], start=_shift(DAY1, 13))]

    def check_then_rival_writes(*args: Any, **kwargs: Any) -> list[Any]:
        found = checked(*args, **kwargs)
        if rival:
            seeded.submit([rival.pop()])
        return found

    monkeypatch.setattr(_plans, "verify_against_store", check_then_rival_writes)
    before = seeded.store.count()
    plan = write_plan(tmp_path / "p", [("J3", "W1", _shift(DAY1, 14))])
    with pytest.raises(DatasetError, match=r"no_overlap: Worker W1 .* J3 .* J2"):
        apply_plan(seeded, plan, time=at(1))
    assert seeded.store.count() == before + 1  # the rival's proposal only
    assert seeded.ledger().visits["J3"].state is VisitState.UNASSIGNED
    rival.append(ev("visit_proposed", "J1", 2, worker_ids=["W2"], start=_shift(DAY1, 9)))
    later = write_plan(tmp_path / "q", [("J3", "W3", _shift(DAY1, 14))])
    assert apply_plan(seeded, later, time=at(3)).proposed == 1
    assert seeded.ledger().visits["J3"].workers == ("W3",)


def test_a_replan_does_not_withdraw_a_visit_another_writer_withdrew_meanwhile(
    seeded: Operations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-plan drops J1 (proposed to W1). Right after ``apply_diff`` read the store to
    withdraw it, another dispatcher withdraws it first: the re-plan's write sees the store
    moved, reads it again and leaves J1 alone (it once stopped with "visit_withdrawn is
    not allowed in state 'unassigned'"); J1 is withdrawn once."""
    from types import SimpleNamespace

    from matchmaker.lifecycle import _live, _plans

    apply_plan(seeded, write_plan(tmp_path / "p", [("J1", "W1", _shift(DAY1, 9))]), time=at(0))
    rival = [ev("visit_withdrawn", "J1", 5, reason="the customer called")]

    class RivalFirst(_plans.Collector):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            if rival:
                seeded.submit([rival.pop()])

    monkeypatch.setattr(_plans, "Collector", RivalFirst)
    dropped = SimpleNamespace(change="dropped", job_id="J1", cause="W1 on leave")
    result: Any = SimpleNamespace(diff=[dropped])
    applied = _live.apply_diff(seeded, result, write_plan(tmp_path / "again", []), time=at(10))
    assert applied.withdrawn == () and not rival
    j1 = seeded.ledger().visits["J1"]
    assert j1.state is VisitState.UNASSIGNED
    assert [o.outcome for o in j1.offers] == ["withdrawn"]


def test_a_replan_refused_writes_none_of_its_withdrawals(
    seeded: Operations, tmp_path: Path
) -> None:
    """A re-plan drops J1 (proposed to W1) and proposes J3 on suspended W4: the proposal
    is refused, and J1 stays proposed, since the withdrawal and the proposals are one
    transaction (it was once withdrawn alone, half a re-plan)."""
    from types import SimpleNamespace

    from matchmaker.lifecycle import _live

    apply_plan(seeded, write_plan(tmp_path / "p", [("J1", "W1", _shift(DAY1, 9))]), time=at(0))
    before = seeded.store.count()
    dropped = SimpleNamespace(change="dropped", job_id="J1", cause="W1 on leave")
    result: Any = SimpleNamespace(diff=[dropped])
    plan = write_plan(tmp_path / "again", [("J3", "W4", _shift(DAY1, 14))])
    with pytest.raises(DatasetError, match=r"W4 \(.*\) is suspended"):
        _live.apply_diff(seeded, result, plan, time=at(10))
    assert seeded.store.count() == before
    assert seeded.ledger().visits["J1"].state is VisitState.PROPOSED


def test_a_replan_is_checked_as_if_its_withdrawals_were_written(
    seeded: Operations, tmp_path: Path
) -> None:
    """A re-plan drops J2 (W1, 14:00) and proposes J3 on W1 at the same time: checked
    against the store after the withdrawal (not before it, where J2 would overlap), it
    is applied in one transaction."""
    from types import SimpleNamespace

    from matchmaker.lifecycle import _live

    apply_plan(seeded, write_plan(tmp_path / "p", [("J2", "W1", _shift(DAY1, 14))]), time=at(0))
    dropped = SimpleNamespace(change="dropped", job_id="J2", cause="the customer moved it")
    result: Any = SimpleNamespace(diff=[dropped])
    plan = write_plan(tmp_path / "again", [("J3", "W1", _shift(DAY1, 14))])
    applied = _live.apply_diff(seeded, result, plan, time=at(10))
    assert applied.withdrawn == ("J2",) and applied.proposals.proposed == 1
    visits = seeded.ledger().visits
    assert visits["J2"].state is VisitState.UNASSIGNED and visits["J3"].workers == ("W1",)


def test_a_plan_overtaken_twice_is_checked_under_the_write_lock(
    seeded: Operations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer (its own connection) appends right after each check of a plan.
    Twice the plan is checked again; the third check holds the write lock, so the other
    writer cannot append before the plan is written (it waits, here it times out), and
    the plan is applied instead of giving up."""
    from matchmaker.lifecycle import _plans

    checked = _plans.verify_against_store
    other = EventStore(seeded.store.path, timeout=0.05)
    writes: list[str] = []
    events = iter(range(100))

    def check_then_other_writes(*args: Any, **kwargs: Any) -> list[Any]:
        found = checked(*args, **kwargs)
        n = next(events)
        try:
            Operations(other).submit([ev("worker_updated", "W2", 1 + n, name=f"W2 ({n})")])
        except ConcurrencyError as error:
            assert "another writer held the store" in str(error)
            writes.append("waited")
        else:
            writes.append("wrote")
        return found

    monkeypatch.setattr(_plans, "verify_against_store", check_then_other_writes)
    plan = write_plan(tmp_path / "p", [("J3", "W1", _shift(DAY1, 14))])
    try:
        summary = apply_plan(seeded, plan, time=at(1))
    finally:
        other.close()
    assert writes == ["wrote", "wrote", "waited"]
    assert summary.proposed == 1
    assert seeded.ledger().visits["J3"].workers == ("W1",)


def test_pin_the_worker_can_no_longer_serve_is_released(seeded: Operations, tmp_path: Path) -> None:
    """A confirmed worker suspended since is unpinned; the re-plan moves the visit."""
    seeded.submit(
        [
            ev("visit_proposed", "J4", 100, worker_ids=["W3"], start=at(1500)),
            ev("visit_confirmed", "J4", 110),
            ev("worker_suspended", "W3", 120, reason="investigation"),
        ]
    )
    summary = export_jobs(seeded, day=D2, out=tmp_path / "round")
    (released,) = summary.released
    assert (released.job_id, released.worker_id, released.reasons) == ("J4", "W3", ("INACTIVE",))
    jobs = read_csv(tmp_path / "round" / "jobs.csv").set_index("job_id")
    assert jobs.loc["J4", "pinned_worker_id"] == "" and jobs.loc["J4", "pinned_start"] == ""
    plan = write_plan(tmp_path / "plan", [("J4", "W1", _shift("2026-12-02", 9))])
    assert apply_plan(seeded, plan, time=at(130)).proposed == 1
    j4 = seeded.ledger().visits["J4"]
    assert j4.state is VisitState.PROPOSED and j4.workers == ("W1",)


def test_a_day_without_visits_writes_nothing(seeded: Operations, tmp_path: Path) -> None:
    """No visit in the day's round: nothing to dispatch, no folder written, and an
    existing output folder (even with force) is left exactly as it was."""
    summary = export_jobs(seeded, day=date(2026, 12, 5), out=tmp_path / "round")
    assert not summary.written and summary.jobs == 0
    assert not (tmp_path / "round").exists() and not list(tmp_path.glob(".round*"))
    export_jobs(seeded, day=D1, out=tmp_path / "round")
    before = {p.name: p.read_bytes() for p in (tmp_path / "round").iterdir()}
    again = export_jobs(seeded, day=date(2026, 12, 5), out=tmp_path / "round", force=True)
    assert not again.written
    assert {p.name: p.read_bytes() for p in (tmp_path / "round").iterdir()} == before


def test_ops_jobs_says_nothing_to_dispatch(seeded: Operations, tmp_path: Path) -> None:
    """`ops jobs` on a day without visits exits 0, says so, and writes no dataset that
    `matchmaker validate` would reject."""
    from typer.testing import CliRunner

    from matchmaker.cli._ops import app

    seeded.store.close()
    out = tmp_path / "round"
    result = CliRunner().invoke(
        app, ["jobs", "--store", seeded.store.path, "--date", "2026-12-05", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "nothing to dispatch on 2026-12-05" in result.stdout
    assert not out.exists()


def test_visits_of_closed_or_cancelled_orders_are_not_exported(
    seeded: Operations, tmp_path: Path
) -> None:
    """An unassigned visit of a closed order and a checked-in visit of a cancelled order
    (which the cancellation could not cancel) are left out of the round; the others stay."""
    seeded.submit(
        [
            ev("order_completed", "O1", 10),
            ev("order_closed", "O1", 20),
            *served("J3", "W1", 360)[:3],  # checked in at 14:00
            ev("order_cancelled", "O3", 370, reason="customer moved"),
        ]
    )
    ledger = seeded.ledger()
    assert ledger.visits["J1"].state is VisitState.UNASSIGNED
    assert ledger.visits["J3"].state is VisitState.CHECKED_IN
    export_jobs(seeded, day=D1, out=tmp_path / "round")
    assert read_csv(tmp_path / "round" / "jobs.csv")["job_id"].tolist() == ["J2"]


def _dispatched(dataset_folder: Path, out: Path) -> Path:
    """A plan folder made by the dispatcher from a dataset folder (verified)."""
    from matchmaker.io import load_dataset
    from matchmaker.io import write_plan as write_plan_folder
    from matchmaker.plan import dispatch

    data = load_dataset(dataset_folder)
    result = dispatch(data, solver="greedy", time_limit=5)
    assert not result.violations
    write_plan_folder(result.plan, out, dataset=data, policy=result.policy)
    return out


def test_apply_plan_refuses_a_plan_of_another_dataset(seeded: Operations, tmp_path: Path) -> None:
    """A plan dispatched from the round 'ops jobs' wrote is applied; one dispatched from
    another dataset (here the original import, whose jobs differ) is refused on its
    input_sha256 naming plan.json, and nothing is written."""
    export_jobs(seeded, day=D1, out=tmp_path / "round")
    other = _dispatched(tmp_path / "data", tmp_path / "other-plan")
    before = seeded.store.count()
    with pytest.raises(DatasetError) as caught:
        apply_plan(seeded, other, time=at(0))
    (issue,) = caught.value.issues
    assert issue.file.endswith("plan.json") and issue.column == "input_sha256"
    assert "made from another dataset" in issue.message
    assert seeded.store.count() == before
    plan = _dispatched(tmp_path / "round", tmp_path / "plan")
    assert apply_plan(seeded, plan, time=at(0)).proposed >= 1


def test_apply_plan_reverifies_against_the_store_now(seeded: Operations, tmp_path: Path) -> None:
    """A plan fit for its round breaks rules once the store moved on (a worker suspended,
    another blocked by the customer since the export): apply-plan names every broken rule
    with its row at once, and writes nothing."""
    export_jobs(seeded, day=D1, out=tmp_path / "round")
    plan = write_plan(
        tmp_path / "plan", [("J1", "W1", _shift(DAY1, 9)), ("J3", "W2", _shift(DAY1, 14))]
    )
    seeded.submit(
        [
            ev("worker_suspended", "W1", 1, reason="investigation"),
            ev("customer_worker_blocked", "C3", 2, worker_id="W2"),
        ]
    )
    before = seeded.store.count()
    with pytest.raises(DatasetError) as caught:
        apply_plan(seeded, plan, time=at(3))
    found = {(i.row, i.value, i.message.split(":")[0]) for i in caught.value.issues}
    assert (2, "W1", "against the store now, worker_active") in found
    assert (3, "W2", "against the store now, not_blocked") in found
    assert seeded.store.count() == before


def test_placement_columns_go_from_import_to_the_round(store: EventStore, tmp_path: Path) -> None:
    """A workers file with the placement columns imports (they are no longer refused as
    extra inputs); `worker_updated` changes one of them; the round written carries them
    and loads with the values given."""
    from matchmaker.io import load_dataset

    placement = {
        "current_placement_end": "2026-12-20",
        "earliest_free_date": "2026-12-21",
        "salary_expectation": "16500",
        "live_in_willing": "yes",
        "tags": "confinement_meals;cantonese",
        "birth_year": "1978",
    }
    workers = [{**WORKERS[0], **placement}, *WORKERS[1:]]
    ops = Operations(store, OpsPolicy())
    import_dataset(ops, write_dataset(tmp_path / "data", workers=workers), time=at(-1440))
    ops.submit([ev("worker_updated", "W1", -60, salary_expectation="17000.5")])
    export_jobs(ops, day=D1, out=tmp_path / "round")
    loaded = load_dataset(tmp_path / "round")
    w1, w2 = loaded.worker("W1").placement, loaded.worker("W2").placement
    assert (w1.current_placement_end, w1.earliest_free_date) == (
        date(2026, 12, 20),
        date(2026, 12, 21),
    )
    assert str(w1.salary_expectation) == "17000.50"
    assert w1.live_in_willing and w1.tags == frozenset({"confinement_meals", "cantonese"})
    assert w1.birth_year == 1978
    assert (w2.salary_expectation, w2.live_in_willing, w2.tags) == (None, False, frozenset())
