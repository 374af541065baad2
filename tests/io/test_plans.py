"""Plan folders: contract v1 layout, atomic writing, output safety and reading plans back."""

from __future__ import annotations

import csv
import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from matchmaker.io import (
    ASSIGNMENT_COLUMNS,
    UNASSIGNED_COLUMNS,
    WORKER_COLUMNS,
    load_plan_input,
    load_plan_policy,
    plan_to_frames,
    read_plan,
    write_plan,
)
from matchmaker.io import _folders as plans_folders
from matchmaker.io import _plan_write as plans
from matchmaker.model import Dataset, OutputExistsError, PlanError, Policy, TimeWindow
from matchmaker.plan import (
    ASSIGNMENT_DETAIL_COLUMNS,
    UNASSIGNED_DETAIL_COLUMNS,
    DispatchResult,
    Plan,
    ReasonCode,
    dispatch,
    verify,
)
from tests.placement_world import postpartum
from tests.rules.world import at, customer, job, worker, world

CONTRACT_KPIS = {
    "jobs_total",
    "jobs_served",
    "fill_rate",
    "priority_served",
    "travel_minutes_total",
    "mean_match_score",
    "objective",
    "lower_bound",
    "backend",
    "seed",
    "solve_seconds",
}
NINE = TimeWindow(start=at(9), end=at(9))


@pytest.fixture(scope="module")
def round_() -> tuple[Dataset, DispatchResult]:
    """Two workers, three jobs at 09:00: one job is left unassigned."""
    dataset = world(
        workers=[worker("W1"), worker("W2"), worker("W3", shifts=())],
        jobs=[job("J1", window=NINE), job("J2", window=NINE), job("J3", window=NINE)],
    )
    result = dispatch(dataset, solver="greedy", policy=Policy(travel_cost_per_minute=2))
    assert result.violations == ()
    return dataset, result


def _write(round_: tuple[Dataset, DispatchResult], out: Path, **kwargs: object) -> Plan:
    dataset, result = round_
    write_plan(result.plan, out, dataset=dataset, policy=result.policy, **kwargs)  # type: ignore[arg-type]
    return result.plan


def _header(path: Path) -> list[str]:
    return next(csv.reader(path.read_text(encoding="utf-8").splitlines()))


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def test_written_plan_follows_contract_v1(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """The folder holds exactly the contract's files, columns and KPI keys."""
    out = tmp_path / "plan"
    plan = _write(round_, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "assignments.csv",
        "input",
        "kpis.json",
        "plan.json",
        "policy.json",
        "unassigned.csv",
        "workers.csv",
    ]
    assert _header(out / "assignments.csv") == list(ASSIGNMENT_COLUMNS + ASSIGNMENT_DETAIL_COLUMNS)
    assert _header(out / "unassigned.csv") == list(UNASSIGNED_COLUMNS + UNASSIGNED_DETAIL_COLUMNS)
    assert _header(out / "workers.csv") == list(WORKER_COLUMNS)
    rows = _rows(out / "assignments.csv")
    assert rows[0]["start"] == "2026-12-01T09:00:00+08:00"
    workers = _rows(out / "workers.csv")
    assert [w["worker_id"] for w in workers] == ["W1", "W2", "W3"]
    assert workers[0]["shift_minutes"] == "600" and workers[2]["utilisation"] == ""
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert set(kpis) >= CONTRACT_KPIS
    assert kpis == json.loads(json.dumps(plan.kpis))
    whole = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert whole["schema_version"] == 1
    assert whole["kpis"] == kpis
    assert whole["assignments"][0]["components"]
    assert len(whole["input_sha256"]) == 64
    assert (out / "input" / "dataset.toml").is_file()


def test_plan_reads_back_equal(round_: tuple[Dataset, DispatchResult], tmp_path: Path) -> None:
    """read_plan, load_plan_input and load_plan_policy give back what was written (the
    input copy: every worker and job as they were)."""
    dataset, result = round_
    out = tmp_path / "plan"
    plan = _write(round_, out)
    again = read_plan(out)
    assert again == plan
    copy = load_plan_input(out)
    assert (copy.workers, copy.jobs, copy.settings) == (
        dataset.workers,
        dataset.jobs,
        dataset.settings,
    )
    assert load_plan_policy(out) == result.policy
    assert verify(load_plan_input(out), again) == []


def test_existing_plan_folder_is_replaced(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """A folder that holds a plan is replaced without --force; nothing of the old stays."""
    out = tmp_path / "plan"
    _write(round_, out)
    (out / "notes.txt").write_text("old", encoding="utf-8")
    _write(round_, out)
    assert not (out / "notes.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]


def test_non_plan_folder_is_refused_without_force(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """Nothing the user has is overwritten unless they ask with force."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="--force"):
        _write(round_, out)
    assert (out / "report.docx").read_text(encoding="utf-8") == "precious"
    _write(round_, out, force=True)
    assert not (out / "report.docx").exists()
    assert (out / "plan.json").is_file()


def test_empty_folder_and_missing_parents_are_fine(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """An empty folder is used; missing parent folders are made."""
    (tmp_path / "empty").mkdir()
    _write(round_, tmp_path / "empty")
    _write(round_, tmp_path / "a" / "b" / "plan")
    assert (tmp_path / "empty" / "plan.json").is_file()
    assert (tmp_path / "a" / "b" / "plan" / "plan.json").is_file()


def test_plan_never_goes_into_or_over_the_dataset_folder(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """Writing inside the dataset folder, or over a folder holding it, is refused, force or not."""
    source = tmp_path / "data"
    source.mkdir()
    for out in (source, source / "plan", tmp_path):
        with pytest.raises(PlanError, match="dataset folder"):
            _write(round_, out, force=True, source=source)
    assert list(source.iterdir()) == []


def test_failed_write_leaves_nothing_behind(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure half way leaves no output folder and no temporary sibling; an old plan stays."""
    calls = {"n": 0}
    real_csv = plans._csv

    def failing_csv(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real_csv(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(plans, "_csv", failing_csv)
    with pytest.raises(OSError, match="disk full"):
        _write(round_, tmp_path / "plan")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(plans, "_csv", real_csv)
    _write(round_, tmp_path / "plan")
    before = (tmp_path / "plan" / "plan.json").read_bytes()
    calls["n"] = 0
    monkeypatch.setattr(plans, "_csv", failing_csv)
    with pytest.raises(OSError):
        _write(round_, tmp_path / "plan")
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]
    assert (tmp_path / "plan" / "plan.json").read_bytes() == before


def test_hand_made_plan_needs_only_assignments(tmp_path: Path) -> None:
    """A plan of four columns is read; sequence numbers follow each worker's start order."""
    (tmp_path / "assignments.csv").write_text(
        "job_id,worker_id,start,end\n"
        "J2,W1,2026-12-01T14:00:00+08:00,2026-12-01T15:00:00+08:00\n"
        "J1,W1,2026-12-01T09:00:00+08:00,2026-12-01T10:00:00+08:00\n",
        encoding="utf-8",
    )
    plan = read_plan(tmp_path)
    assert [(a.job_id, a.sequence, a.travel_minutes) for a in plan.assignments] == [
        ("J2", 2, 0),
        ("J1", 1, 0),
    ]
    assert plan.unassigned == () and plan.kpis == {}
    dataset = world(jobs=[job("J1"), job("J2", window=TimeWindow(start=at(14), end=at(15)))])
    assert verify(dataset, plan) == []


def test_bad_plan_names_file_row_and_column(tmp_path: Path) -> None:
    """Every bad cell is reported at once, by file, row and column."""
    (tmp_path / "assignments.csv").write_text(
        "job_id,worker_id,start,end,travel_minutes\n"
        "J1,W1,2026-12-01T09:00:00,2026-12-01T10:00:00+08:00,5\n"
        "J2,,2026-12-01T09:00:00+08:00,2026-12-01T10:00:00+08:00,soon\n",
        encoding="utf-8",
    )
    (tmp_path / "unassigned.csv").write_text(
        "job_id,reason_code,reason\nJ3,TOO_BUSY,x\n", encoding="utf-8"
    )
    with pytest.raises(PlanError) as caught:
        read_plan(tmp_path)
    message = str(caught.value)
    assert "4 error(s)" in message
    assert "assignments.csv, row 2, column 'start'" in message and "UTC offset" in message
    assert "assignments.csv, row 3, column 'worker_id'" in message
    assert "assignments.csv, row 3, column 'travel_minutes'" in message
    assert "unassigned.csv, row 2, column 'reason_code'" in message


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "no assignments.csv"),
        ({"assignments.csv": "job_id,worker_id\n"}, "column 'start': required column missing"),
        ({"assignments.csv": "job_id,worker_id,start,end\n", "plan.json": "{"}, "not valid JSON"),
        (
            {
                "assignments.csv": "job_id,worker_id,start,end\n",
                "plan.json": '{"schema_version": 9}',
            },
            "unsupported",
        ),
    ],
)
def test_unreadable_plans_raise_plan_error(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    """Missing files, missing columns, broken JSON and unknown schema versions are PlanErrors."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match=expected):
        read_plan(tmp_path)


def test_changed_input_copy_is_detected(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """load_plan_input refuses a dataset copy edited after the plan was written."""
    out = tmp_path / "plan"
    _write(round_, out)
    jobs = out / "input" / "jobs.csv"
    jobs.write_text(jobs.read_text(encoding="utf-8").replace("J1", "J9"), encoding="utf-8")
    with pytest.raises(PlanError, match="checksum"):
        load_plan_input(out)


def test_plan_to_frames_gives_typed_tables(round_: tuple[Dataset, DispatchResult]) -> None:
    """The plan as DataFrames: tz-aware times, integer minutes, every worker with a dataset."""
    dataset, result = round_
    frames = plan_to_frames(result.plan, dataset=dataset)
    assignments = frames["assignments"]
    assert list(assignments.columns) == list(ASSIGNMENT_COLUMNS + ASSIGNMENT_DETAIL_COLUMNS)
    assert list(plan_to_frames(result.plan)["assignments"].columns) == list(ASSIGNMENT_COLUMNS)
    assert isinstance(assignments["start"].dtype, pd.DatetimeTZDtype)
    assert assignments["start"].iloc[0] == pd.Timestamp(at(9))
    assert str(assignments["travel_minutes"].dtype) == "int64"
    assert list(frames["unassigned"]["reason_code"]) == [ReasonCode.CAPACITY.value]
    assert list(frames["workers"]["worker_id"]) == ["W1", "W2", "W3"]
    alone = plan_to_frames(result.plan)["workers"]
    assert list(alone["worker_id"]) == ["W1", "W2"]
    assert alone["shift_minutes"].isna().all()


def test_plan_to_frames_gives_a_kpis_row(round_: tuple[Dataset, DispatchResult]) -> None:
    """``kpis`` is one row with a column per KPI, nested KPIs named with dots (README
    promises it; ``frames["kpis"]`` used to raise KeyError)."""
    _, result = round_
    kpis = result.plan.to_frames()["kpis"]
    assert len(kpis) == 1
    assert set(kpis.columns) >= CONTRACT_KPIS
    assert kpis.loc[0, "fill_rate"] == result.plan.kpis["fill_rate"]
    terms = result.plan.kpis["objective_terms"]
    assert kpis.loc[0, "objective_terms.travel_cost"] == terms["travel_cost"]


class _Killed(BaseException):
    """Stands for a SIGKILL: no cleanup code runs after it."""


def test_old_plan_survives_a_kill_between_the_renames(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the old plan was moved aside and before the new one moved in: the old
    plan is kept as a ``.old`` sibling, the next write puts it back first and deletes every
    leftover, and ``recover`` alone restores it too."""
    out = tmp_path / "plan"
    _write(round_, out)
    before = (out / "plan.json").read_bytes()
    real_rename = plans_folders.os.rename

    def killed_after_first(src: object, dst: object) -> None:
        # The old plan may move aside; moving the new one in (or the old one back) is killed.
        moved = Path(str(src))
        if moved.parent == tmp_path and moved.name != "plan":
            raise _Killed
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(plans_folders.os, "rename", killed_after_first)
    monkeypatch.setattr(plans.shutil, "rmtree", lambda *args, **kwargs: None)
    with pytest.raises(_Killed):
        _write(round_, out)
    monkeypatch.undo()
    left = sorted(p.suffix for p in tmp_path.iterdir())
    assert not out.exists()
    assert left == [".old", ".tmp"]
    plans_folders.recover(out)
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]
    assert (out / "plan.json").read_bytes() == before

    # The same kill again, and then a normal run: it recovers and cleans up.
    monkeypatch.setattr(plans_folders.os, "rename", killed_after_first)
    monkeypatch.setattr(plans.shutil, "rmtree", lambda *args, **kwargs: None)
    with pytest.raises(_Killed):
        _write(round_, out)
    monkeypatch.undo()
    _write(round_, out)
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]
    assert read_plan(out) == round_[1].plan


def test_input_copy_keeps_only_what_explain_and_verify_need(tmp_path: Path) -> None:
    """Customers without a job are left out; the others lose their name but keep the
    location their jobs carry anyway; workers, jobs and the customers' preferences stay, so
    explain and verify still work."""
    dataset = world(
        workers=[worker("W1"), worker("W2")],
        jobs=[job("J1", window=NINE)],
        customers=[customer("C1", blocked_workers=frozenset({"W2"})), customer("C2")],
    )
    result = dispatch(dataset, solver="greedy")
    assert result.violations == ()
    out = tmp_path / "plan"
    write_plan(result.plan, out, dataset=dataset, policy=result.policy)
    copy = load_plan_input(out)
    assert [c.customer_id for c in copy.customers] == ["C1"]
    assert copy.customers[0].name == ""
    assert copy.customers[0].location == dataset.customers[0].location
    assert copy.customers[0].blocked_workers == frozenset({"W2"})
    assert copy.jobs == dataset.jobs and copy.workers == dataset.workers
    text = "".join(p.read_text(encoding="utf-8") for p in (out / "input").iterdir())
    assert "Customer C1" not in text and "Customer C2" not in text
    assert verify(copy, read_plan(out)) == []


def test_input_copy_leaves_out_placement_requests(tmp_path: Path) -> None:
    """A dataset whose long placement requests name a customer with no job in the round
    writes its plan (the copy once kept the requests and dropped that customer, and
    refused itself); the copy holds no placement request."""
    dataset = world(
        workers=[worker("W1")],
        jobs=[job("J1", window=NINE)],
        customers=[customer("C1"), customer("C2")],
    )
    dataset = replace(dataset, placement_requests=(postpartum(customer_id="C2"),))
    result = dispatch(dataset, solver="greedy")
    out = tmp_path / "plan"
    write_plan(result.plan, out, dataset=dataset, policy=result.policy)
    copy = load_plan_input(out)
    assert copy.placement_requests == ()
    assert [c.customer_id for c in copy.customers] == ["C1"]
    assert verify(copy, read_plan(out)) == []


def test_plan_folder_modes_follow_the_umask(
    round_: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """Under umask 077 nothing of the plan folder is readable by others."""
    old = os.umask(0o077)
    try:
        _write(round_, tmp_path / "plan")
    finally:
        os.umask(old)
    paths = [tmp_path / "plan", *(tmp_path / "plan").rglob("*")]
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in paths)
    assert stat.S_IMODE((tmp_path / "plan").stat().st_mode) == 0o700
