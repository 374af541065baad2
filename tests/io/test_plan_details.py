"""The dispatcher's columns of plan files, the per-day split, ``--lang`` and reading old plans."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.io import dataset_to_frames, load_dataset, read_plan, write_plan, write_tables
from matchmaker.model import Dataset, TimeWindow
from matchmaker.plan import (
    ASSIGNMENT_COLUMNS,
    UNASSIGNED_COLUMNS,
    DispatchResult,
    dispatch,
    redacted,
    verify,
)
from tests.rules.world import at, customer, job, shift, worker, world

runner = CliRunner()
NINE = TimeWindow(start=at(9), end=at(9))


def _two_days() -> Dataset:
    """Two workers on two days; on each day three jobs at 09:00, so one a day is unserved."""
    workers = [worker(w, shifts=(shift(8, 18), shift(8, 18, day=1))) for w in ("W1", "W2")]
    nine_next = TimeWindow(start=at(9, day=1), end=at(9, day=1))
    jobs = [job(f"J{i}", window=NINE, priority=i) for i in (1, 2, 3)]
    jobs += [
        job(f"J{i}", window=nine_next, customer_id="C2", district="Xuhui", address="2 Road")
        for i in (4, 5, 6)
    ]
    customers = [
        customer("C1", district="Jing'an", address="1 Street"),
        customer("C2"),
    ]
    return world(workers=workers, jobs=jobs, customers=customers)


@pytest.fixture(scope="module")
def two_days() -> tuple[Dataset, DispatchResult]:
    dataset = _two_days()
    result = dispatch(dataset, solver="greedy")
    assert result.violations == ()
    return dataset, result


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def _write(pair: tuple[Dataset, DispatchResult], out: Path, **kwargs: str) -> Path:
    dataset, result = pair
    write_plan(result.plan, out, dataset=dataset, policy=result.policy, **kwargs)
    return out


def test_assignments_say_who_serves_whom_where_and_when(
    two_days: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """Each assignment row names the worker, the customer, the service, the district and
    address (the job's own, else its customer's), the priority and the local day."""
    out = _write(two_days, tmp_path / "plan")
    rows = {r["job_id"]: r for r in _rows(out / "assignments.csv")}
    assert set(rows) >= {"J2", "J3"}
    assert rows["J3"]["worker_name"] == f"Worker {rows['J3']['worker_id']}"
    assert (rows["J3"]["customer_id"], rows["J3"]["customer_name"]) == ("C1", "Customer C1")
    assert (rows["J3"]["service_type"], rows["J3"]["priority"]) == ("cleaning", "3")
    assert (rows["J3"]["district"], rows["J3"]["address"]) == ("Jing'an", "1 Street")
    assert rows["J3"]["day"] == "2026-12-01"
    day_two = [r for r in rows.values() if r["day"] == "2026-12-02"]
    assert len(day_two) == 2
    assert {(r["district"], r["address"], r["customer_name"]) for r in day_two} == {
        ("Xuhui", "2 Road", "Customer C2")
    }


def test_unassigned_jobs_carry_priority_window_customer_and_service(
    two_days: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """The job left out on day one is the lowest priority; its row says when it wanted
    serving and for whom."""
    out = _write(two_days, tmp_path / "plan")
    rows = {r["job_id"]: r for r in _rows(out / "unassigned.csv")}
    first = rows["J1"]
    assert first["reason_code"] == "CAPACITY" and first["priority"] == "1"
    assert first["earliest_start"] == first["latest_start"] == "2026-12-01T09:00:00+08:00"
    assert (first["customer_id"], first["customer_name"], first["service_type"]) == (
        "C1",
        "Customer C1",
        "cleaning",
    )
    assert first["day"] == "2026-12-01"


def test_a_round_over_several_days_gets_a_folder_per_day(
    two_days: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """``days/YYYY-MM-DD/`` holds that day's rows of both files, with the same columns."""
    out = _write(two_days, tmp_path / "plan")
    days = sorted(p.name for p in (out / "days").iterdir())
    assert days == ["2026-12-01", "2026-12-02"]
    whole = _rows(out / "assignments.csv")
    for day in days:
        mine = _rows(out / "days" / day / "assignments.csv")
        assert mine == [r for r in whole if r["day"] == day]
        assert len(_rows(out / "days" / day / "unassigned.csv")) == 1
    # the folder still reads and verifies as one plan
    assert verify(two_days[0], read_plan(out)) == []


def test_a_one_day_round_has_no_day_folders(tmp_path: Path) -> None:
    """A single day needs no split: the whole-round files are that day."""
    dataset = world(workers=[worker("W1")], jobs=[job("J1")])
    result = dispatch(dataset, solver="greedy")
    assert result.violations == ()
    out = _write((dataset, result), tmp_path / "plan")
    assert not (out / "days").exists()


def test_redact_leaves_names_and_addresses_out(
    two_days: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """With a redacted dataset no name or street address reaches the files; the district,
    which names nobody, stays."""
    dataset, _ = two_days
    hidden = redacted(dataset)
    result = dispatch(hidden, solver="greedy")
    assert result.violations == ()
    out = _write((hidden, result), tmp_path / "plan")
    for name in ("assignments.csv", "unassigned.csv"):
        for row in _rows(out / name):
            assert row["customer_name"] == "" and row["address"] == ""
            assert row.get("worker_name", "") == ""
            assert row["district"] in ("Jing'an", "Xuhui")
    text = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.csv"))
    assert "Customer C1" not in text and "Worker W1" not in text and "1 Street" not in text


def test_the_input_copy_keeps_no_street_address(
    two_days: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """The plan's input copy drops street addresses (no rule reads them) but keeps districts."""
    out = _write(two_days, tmp_path / "plan")
    copy = (out / "input" / "jobs.csv").read_text(encoding="utf-8")
    assert "2 Road" not in copy and "Xuhui" in copy


def test_plans_of_version_0_1_still_read_and_verify(
    two_days: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """A plan folder without the new columns (as 0.1 wrote it) reads to the same plan."""
    dataset, result = two_days
    out = _write(two_days, tmp_path / "plan")
    new = read_plan(out)
    for name, columns in (
        ("assignments.csv", ASSIGNMENT_COLUMNS),
        ("unassigned.csv", UNASSIGNED_COLUMNS),
    ):
        rows = _rows(out / name)
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    old = read_plan(out)
    assert old.assignments == new.assignments == result.plan.assignments
    assert old.unassigned == new.unassigned
    assert verify(dataset, old) == []


def test_verify_reads_a_hand_made_plan_with_the_old_columns(tmp_path: Path) -> None:
    """``matchmaker verify`` of a hand-made plan of the four required columns still passes."""
    data = tmp_path / "data"
    dataset = world(workers=[worker("W1")], jobs=[job("J1")])
    write_tables(dataset_to_frames(dataset), data, settings=dataset.settings)
    hand = tmp_path / "hand"
    hand.mkdir()
    (hand / "assignments.csv").write_text(
        "job_id,worker_id,start,end\nJ1,W1,2026-12-01T09:00:00+08:00,2026-12-01T10:00:00+08:00\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["verify", str(data), str(hand)])
    assert result.exit_code == 0, result.output
    assert "Plan is valid" in result.stdout


def test_address_and_district_load_from_the_tables(tmp_path: Path) -> None:
    """The optional ``address`` and ``district`` columns of customers and jobs load, and a
    blank job cell takes the customer's."""
    dataset = _two_days()
    folder = tmp_path / "data"
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    loaded = load_dataset(folder)
    assert loaded.job("J1").district == "Jing'an" and loaded.job("J1").address == "1 Street"
    assert loaded.job("J4").district == "Xuhui"
    assert loaded.customer("C1") is not None
    assert loaded.customer("C1").address == "1 Street"  # type: ignore[union-attr]


def test_lang_zh_writes_reasons_in_chinese(
    two_days: tuple[Dataset, DispatchResult], tmp_path: Path
) -> None:
    """``lang="zh"`` says the reason sentences in Chinese; codes stay, and the plan reads
    back and verifies."""
    dataset, _ = two_days
    out = _write(two_days, tmp_path / "plan", lang="zh")
    rows = _rows(out / "unassigned.csv")
    assert all(r["reason_code"] == "CAPACITY" for r in rows)
    assert all(r["reason"].startswith("CAPACITY（") and "服务师" in r["reason"] for r in rows)
    assert verify(dataset, read_plan(out)) == []


def test_dispatch_and_explain_take_lang(tmp_path: Path) -> None:
    """``--lang zh`` on the command line: Chinese summary and reasons in the plan, Chinese
    explanation; an unknown language is refused (exit 2)."""
    data = tmp_path / "data"
    dataset = _two_days()
    write_tables(dataset_to_frames(dataset), data, settings=dataset.settings)
    out = tmp_path / "plan"
    args = ["dispatch", str(data), "--out", str(out), "--solver", "greedy", "--lang", "zh"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "已派工单" in result.stdout and "派单结果已写入" in result.stdout
    assert "服务师" in (out / "unassigned.csv").read_text(encoding="utf-8")
    explained = runner.invoke(app, ["explain", str(out), "--job", "J1", "--lang", "zh"])
    assert explained.exit_code == 0, explained.output
    assert explained.stdout.startswith("工单 J1：") and "未派单：CAPACITY（" in explained.stdout
    as_json = runner.invoke(
        app, ["explain", str(out), "--job", "J1", "--lang", "zh", "--format", "json"]
    )
    assert as_json.exit_code == 0 and '"reason": "CAPACITY（' in as_json.stdout
    wrong = runner.invoke(app, ["explain", str(out), "--job", "J1", "--lang", "fr"])
    assert wrong.exit_code == 2
