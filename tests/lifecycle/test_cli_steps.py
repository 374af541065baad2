"""A small company through the process steps, from the command line only: screening a new
worker, an assessment dispatched like a job whose findings price the quote, a recurring
contract paused, resumed and amended, a replacement asked for by the customer, and the
order completing with its last visit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from matchmaker.cli._app import app
from matchmaker.lifecycle import (
    EventStore,
    Ledger,
    Operations,
    OrderState,
    VisitState,
    rebuild_read_models,
)
from matchmaker.plan import verify

from .factory import DAY1, _shift, read_csv, write_dataset

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def t(day: int, clock: str) -> str:
    return f"2026-12-{day:02d}T{clock}:00+08:00"


def ledger(store: Path) -> Ledger:
    with EventStore(store) as opened:
        return Ledger.replay(opened.read())


def count(store: Path) -> int:
    with EventStore(store) as opened:
        return opened.count()


def ops(store: Path, *args: str | Path) -> Result:
    return ok("ops", *args[:1], "--store", store, *args[1:])


def event(store: Path, kind: str, entity: str, time: str, **data: Any) -> Result:
    return ops(
        store,
        "event",
        "--kind",
        kind,
        "--entity",
        entity,
        "--actor",
        "office",
        "--time",
        time,
        "--data",
        json.dumps(data),
    )


def dispatch(store: Path, tmp: Path, day: str, name: str, applied_at: str) -> None:
    """One round: ops jobs, the real dispatcher (plan verified), ops apply-plan."""
    round_folder, plan = tmp / f"round-{name}", tmp / f"plan-{name}"
    ops(store, "jobs", "--date", day, "--out", round_folder)
    ok("dispatch", round_folder, "--out", plan, "--solver", "greedy", "--time-limit", "2")
    from matchmaker.io import load_dataset, read_plan

    dataset = load_dataset(round_folder)
    assert verify(dataset, read_plan(plan)) == []
    ops(store, "apply-plan", plan, "--time", applied_at)


def test_a_company_runs_the_process_steps_from_the_cli(tmp_path: Path) -> None:
    """Every step through `matchmaker ops`: each one's events, state and effect on the
    next dispatch round, and the refusals a user meets on the way (exit 2)."""
    store = tmp_path / "ops.db"
    data = write_dataset(tmp_path / "company")
    ops(store, "import-dataset", data, "--time", t(1, "06:00"))

    # Screening: an applicant is not dispatched until every step is passed.
    profile = {
        "gender": "F",
        "home_lat": 31.24,
        "home_lon": 121.47,
        "skills": "cleaning:3",
        "shift_start": _shift(DAY1, 8),
        "shift_end": _shift(DAY1, 18),
    }
    screen = ("worker-screen", "--worker", "N1", "--actor", "hr")
    ops(
        store,
        "worker-apply",
        "--worker",
        "N1",
        "--actor",
        "hr",
        "--data",
        json.dumps(profile),
        "--time",
        t(1, "07:00"),
    )
    ops(store, *screen, "--step", "interview", "--outcome", "passed", "--time", t(1, "07:10"))
    refused = run("ops", *screen, "--store", store, "--step", "approve", "--time", t(1, "07:20"))
    assert refused.exit_code == 2 and "missing a training course" in refused.stderr
    listing = ops(store, "screening", "--on", "2026-12-01").stdout
    assert "N1" in listing and "training course" in listing
    ops(store, "jobs", "--date", "2026-12-01", "--out", tmp_path / "day1")
    assert "N1" not in read_csv(tmp_path / "day1" / "workers.csv")["worker_id"].tolist()
    ops(store, *screen, "--step", "training", "--course", "home care", "--time", t(1, "07:30"))
    ops(
        store,
        *screen,
        "--step",
        "background-check",
        "--result",
        "passed",
        "--expires",
        "2027-12-01",
        "--time",
        t(1, "07:40"),
    )
    ops(store, *screen, "--step", "approve", "--time", t(1, "07:50"))
    assert ledger(store).workers["N1"].status == "active"

    # Assessment: an assessor dispatched like a job; the findings price the quote.
    event(
        store, "order_created", "O9", t(1, "10:00"), customer_id="C3", service_type="daily_cleaning"
    )
    ops(
        store,
        "assessment-schedule",
        "--order",
        "O9",
        "--at",
        t(3, "10:00"),
        "--duration",
        "45",
        "--window",
        "60",
        "--actor",
        "office",
        "--time",
        t(1, "10:05"),
    )
    dispatch(store, tmp_path, "2026-12-03", "assessment", t(2, "09:00"))
    assessment = ledger(store).visits["O9-assessment-1"]
    assert assessment.state is VisitState.PROPOSED
    assessor = assessment.workers[0]
    early = run(
        "ops",
        "assessment-record",
        "--store",
        store,
        "--order",
        "O9",
        "--actor",
        "a",
        "--time",
        t(2, "10:00"),
    )
    assert early.exit_code == 2 and "once the assessor has completed it" in early.stderr
    for kind, time in (
        ("visit_confirmed", t(2, "12:00")),
        ("visit_checked_in", t(3, "10:00")),
        ("visit_completed", t(3, "10:45")),
    ):
        event(store, kind, "O9-assessment-1", time)
    book = tmp_path / "prices.toml"
    book.write_text('[services.daily_cleaning]\nunit = "hour"\nunit_price = "45.00"\n')
    ops(
        store,
        "assessment-record",
        "--order",
        "O9",
        "--actor",
        f"worker:{assessor}",
        "--findings",
        "two rooms, a cat",
        "--duration-minutes",
        "180",
        "--quantity",
        "3",
        "--price-book",
        book,
        "--first-visit",
        t(7, "08:00"),
        "--time",
        t(3, "11:00"),
    )
    event(store, "order_quoted", "O9", t(3, "12:00"))
    order = ledger(store).orders["O9"]
    assert order.state is OrderState.QUOTED and order.quote is not None
    assert str(order.quote.total) == "135.00"
    assert order.findings is not None and order.findings["text"] == "two rooms, a cat"
    quoted = json.loads(ops(store, "order-status", "--order", "O9", "--format", "json").stdout)
    assert quoted["summary"]["quote"]["total"] == "135.00"
    assert [line["amount"] for line in quoted["summary"]["quote"]["lines"]] == ["135.00"]
    assert "quote: 135.00 CNY, 1 line(s)" in ops(store, "order-status", "--order", "O9").stdout

    # A recurring contract: five mornings from Monday 7 December, paused, resumed, amended.
    schedule = {
        "frequency": "daily",
        "start_date": "2026-12-07",
        "count": 5,
        "start_time": "08:00",
        "timezone": "Asia/Shanghai",
    }
    template = {
        "duration_minutes": 180,
        "required_skills": "cleaning:2",
        "price": "135.00",
        "lat": 31.26,
        "lon": 121.49,
        "window_minutes": 120,
    }
    event(store, "order_contracted", "O9", t(4, "08:00"), schedule=schedule, visit=template)
    assert sorted(v for v in ledger(store).visits if v.startswith("O9-0")) == [
        f"O9-00{n}" for n in range(1, 6)
    ]
    ops(
        store,
        "schedule-pause",
        "--order",
        "O9",
        "--from",
        "2026-12-08",
        "--actor",
        "office",
        "--reason",
        "family visit",
        "--time",
        t(4, "09:00"),
    )
    ops(
        store,
        "schedule-resume",
        "--order",
        "O9",
        "--from",
        "2026-12-10",
        "--actor",
        "office",
        "--time",
        t(4, "12:00"),
    )
    ops(
        store,
        "schedule-amend",
        "--order",
        "O9",
        "--effective-from",
        "2026-12-11",
        "--visit",
        json.dumps({**template, "duration_minutes": 240, "price": "180.00"}),
        "--actor",
        "office",
        "--time",
        t(5, "09:00"),
    )
    visits = ledger(store).visits
    live = sorted(
        v.visit_id
        for v in visits.values()
        if v.job.order_id == "O9" and v.state is not VisitState.CANCELLED and not v.assessment
    )
    assert live == ["O9-001", "O9-004-2", "O9-r1-005"]
    assert visits["O9-r1-005"].job.duration_minutes == 240
    status = ops(store, "order-status", "--order", "O9").stdout
    assert "contracted" in status and "paused from 2026-12-08 to 2026-12-09" in status
    status_json = json.loads(ops(store, "order-status", "--order", "O9", "--format", "json").stdout)
    assert status_json["summary"]["state"] == "contracted"
    assert status_json["summary"]["pauses"] == [{"from": "2026-12-08", "until": "2026-12-09"}]
    assert {row["visit"] for row in status_json["rows"]} >= set(live)

    # A replacement: the customer's visit with that worker goes back to dispatch.
    dispatch(store, tmp_path, "2026-12-07", "monday", t(6, "09:00"))
    first = ledger(store).visits["O9-001"]
    assert first.state is VisitState.PROPOSED
    replaced = first.workers[0]
    out = ops(
        store,
        "replace-worker",
        "--customer",
        "C3",
        "--worker",
        replaced,
        "--actor",
        "customer:C3",
        "--reason",
        "prefers someone else",
        "--time",
        t(6, "10:00"),
    ).stdout
    assert "visit_withdrawn O9-001" in out
    assert ledger(store).visits["O9-001"].state is VisitState.UNASSIGNED
    dispatch(store, tmp_path, "2026-12-07", "monday-again", t(6, "11:00"))
    customers = read_csv(tmp_path / "round-monday-again" / "customers.csv")
    assert replaced in customers.set_index("customer_id").loc["C3", "blocked_workers"]
    again = ledger(store).visits["O9-001"]
    assert again.state is VisitState.PROPOSED and replaced not in again.workers
    bad = run(
        "ops",
        "replace-worker",
        "--store",
        store,
        "--customer",
        "C3",
        "--worker",
        "W99",
        "--actor",
        "c",
        "--time",
        t(6, "12:00"),
    )
    assert bad.exit_code == 2 and "unknown worker 'W99'" in bad.stderr

    # The order follows its visits: started at the first check-in, completed at the last.
    worker = again.workers[0]
    for kind, time in (
        ("visit_confirmed", t(6, "12:00")),
        ("visit_checked_in", t(7, "08:00")),
        ("visit_completed", t(7, "11:00")),
        ("visit_accepted", t(7, "11:10")),
        ("visit_settled", t(7, "11:20")),
    ):
        event(store, kind, "O9-001", time)
    assert ledger(store).orders["O9"].state is OrderState.ACTIVE
    event(store, "visit_cancelled", "O9-004-2", t(8, "09:00"), reason="customer away")
    event(
        store,
        "visit_proposed",
        "O9-r1-005",
        t(9, "09:00"),
        worker_ids=[worker],
        start=t(11, "08:00"),
    )
    for kind, time in (
        ("visit_confirmed", t(9, "10:00")),
        ("visit_checked_in", t(11, "08:00")),
        ("visit_completed", t(11, "12:00")),
        ("visit_accepted", t(11, "12:10")),
    ):
        event(store, kind, "O9-r1-005", time)
    assert ledger(store).orders["O9"].state is OrderState.ACTIVE
    settled = event(store, "visit_settled", "O9-r1-005", t(11, "12:20")).stdout
    assert "order_completed O9" in settled and "rule:order_progress" in settled
    assert "completed" in ops(store, "order-status", "--order", "O9").stdout
    with EventStore(store) as opened:  # the read models hold what a full replay gives
        assert Operations(opened).ledger().snapshot() == ledger(store).snapshot()
        rebuild_read_models(opened)
        assert Operations(opened).ledger().snapshot() == ledger(store).snapshot()


def test_step_commands_refuse_bad_input_naming_the_option(tmp_path: Path) -> None:
    """A bad value names the option, an unknown id is named as unknown, a date that is
    not a date is refused; each exits 2 and writes nothing."""
    store = tmp_path / "ops.db"
    event(store, "customer_registered", "C1", t(1, "08:00"), lat=31.2, lon=121.4)
    before = count(store)
    cases = [
        (
            ("worker-screen", "--worker", "N1", "--step", "interview", "--outcome", "maybe"),
            "'--outcome': Input should be 'passed' or 'failed'",
        ),
        (("schedule-pause", "--order", "O1", "--from", "2026-12-05"), "unknown order 'O1'"),
        (("schedule-pause", "--order", "O1", "--from", "2026-13-05"), "is not YYYY-MM-DD"),
        (("replace-worker", "--customer", "C1", "--worker", "W1"), "unknown worker 'W1'"),
        (
            ("schedule-amend", "--order", "O1", "--effective-from", "2026-12-05"),
            "a new schedule, a new visit template or both",
        ),
    ]
    for args, message in cases:
        result = run("ops", args[0], "--store", store, *args[1:], "--actor", "a")
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)
    assert count(store) == before
