"""The `matchmaker ops` command group: a dispatch round trip and its exit codes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from matchmaker.cli._ops import app
from matchmaker.lifecycle import EventStore, Operations

from .factory import DAY1, DAY2, _shift, read_csv, write_dataset, write_plan

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def _events(path: Path, rows: list[tuple[str, str, str, str, dict[str, Any]]]) -> Path:
    lines = [
        json.dumps({"kind": kind, "entity": entity, "time": time, "actor": actor, **payload})
        for kind, entity, time, actor, payload in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _t(day: str, clock: str) -> str:
    return f"{day}T{clock}:00+08:00"


EVE = "2026-11-30"


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "ops.toml"
    path.write_text("[ops]\nsuspension_complaints = 1\n", encoding="utf-8")
    return path


def test_round_trip_feeds_back_into_the_next_day(tmp_path: Path, policy: Path) -> None:
    """jobs -> plan -> apply-plan -> service events -> report; feedback reaches day 2."""
    store = tmp_path / "ops.db"
    data = write_dataset(tmp_path / "generated")
    result = run("import-dataset", data, "--store", store, "--time", _t(EVE, "12:00"))
    assert result.exit_code == 0, result.output
    assert "4 workers, 3 customers, 3 orders, 6 visits" in result.stdout

    result = run("jobs", "--store", store, "--date", DAY1, "--out", tmp_path / "day1")
    assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "day1" / "jobs.csv")["job_id"].tolist() == ["J1", "J2", "J3"]

    plan = write_plan(
        tmp_path / "plan1",
        [
            ("J1", "W1", _shift(DAY1, 9)),
            ("J2", "W2", _shift(DAY1, 13)),
            ("J3", "W3", _shift(DAY1, 14)),
        ],
    )
    result = run("apply-plan", plan, "--store", store, "--time", _t(EVE, "18:00"))
    assert result.exit_code == 0, result.output
    assert "3 proposal(s)" in result.stdout

    service = _events(
        tmp_path / "day1.jsonl",
        [
            ("visit_confirmed", "J1", _t(EVE, "19:00"), "worker:W1", {}),
            ("visit_declined", "J2", _t(EVE, "19:10"), "worker:W2", {"reason": "sick"}),
            ("visit_confirmed", "J3", _t(EVE, "19:20"), "worker:W3", {}),
            (
                "visit_checked_in",
                "J1",
                _t(DAY1, "09:02"),
                "worker:W1",
                {"lat": 31.21, "lon": 121.45},
            ),
            ("visit_completed", "J1", _t(DAY1, "11:05"), "worker:W1", {}),
            ("visit_accepted", "J1", _t(DAY1, "11:10"), "customer:C1", {}),
            ("visit_rated", "J1", _t(DAY1, "11:12"), "customer:C1", {"stars": 2}),
            (
                "visit_settled",
                "J1",
                _t(DAY1, "11:20"),
                "customer:C1",
                {"method": "cash", "amount": "180.00"},
            ),
            ("visit_checked_in", "J3", _t(DAY1, "14:20"), "worker:W3", {}),
            ("visit_completed", "J3", _t(DAY1, "16:25"), "worker:W3", {}),
            (
                "visit_rework_requested",
                "J3",
                _t(DAY1, "16:40"),
                "customer:C3",
                {"items": ["kitchen"]},
            ),
            (
                "complaint_opened",
                "K1",
                _t(DAY1, "17:00"),
                "customer:C3",
                {"visit_id": "J3", "category": "late"},
            ),
            ("complaint_investigation_started", "K1", _t(DAY1, "17:30"), "service", {}),
            ("complaint_upheld", "K1", _t(DAY1, "18:00"), "service", {}),
        ],
    )
    result = run("import", service, "--store", store, "--policy", policy)
    assert result.exit_code == 0, result.output

    result = run("report", "--store", store, "--format", "json", "--as-of", _t(DAY1, "20:00"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["visits_served"] == 2 and summary["on_time_rate"] == 0.5
    assert summary["rework_rate"] == 0.5 and summary["complaints"] == 1
    assert summary["workers_suspended"] == 2 and summary["revenue"] == "180.00"

    result = run("jobs", "--store", store, "--date", DAY2, "--out", tmp_path / "day2")
    assert result.exit_code == 0, result.output
    workers = read_csv(tmp_path / "day2" / "workers.csv").set_index("worker_id")
    assert workers.loc["W1", "rating"] == "4.6667" and workers.loc["W1", "rating_count"] == "21"
    assert workers.loc["W3", "status"] == "suspended"
    customers = read_csv(tmp_path / "day2" / "customers.csv").set_index("customer_id")
    assert customers.loc["C3", "blocked_workers"] == "W3"
    assert customers.loc["C1", "previous_workers"] == "W1;W2"
    jobs = read_csv(tmp_path / "day2" / "jobs.csv").set_index("job_id")
    assert sorted(jobs.index) == ["J2", "J3-R1", "J4", "J5", "J6"]
    assert jobs.loc["J2", "excluded_workers"] == "W2"
    assert jobs.loc["J3-R1", "pinned_worker_id"] == ""  # its worker is suspended

    with EventStore(store) as opened:
        before = opened.count()
        audit = opened.frame()
    assert {
        "rule:rating_update",
        "rule:complaint_block",
        "rule:complaint_suspension",
        "rule:rework_visit",
    } <= set(audit["actor"])
    excluded = write_plan(tmp_path / "plan2", [("J2", "W2", _shift(DAY2, 10))])
    result = run("apply-plan", excluded, "--store", store, "--time", _t(DAY2, "07:00"))
    assert result.exit_code == 2
    assert "excluded" in result.stderr and "Traceback" not in result.output
    with EventStore(store) as opened:
        assert opened.count() == before

    result = run(
        "event",
        "--store",
        store,
        "--kind",
        "visit_followed_up",
        "--entity",
        "J1",
        "--actor",
        "service",
        "--time",
        _t(DAY2, "10:00"),
        "--data",
        '{"satisfied": true}',
    )
    assert result.exit_code == 0, result.output
    result = run(
        "report",
        "--store",
        store,
        "--format",
        "csv",
        "--out",
        tmp_path / "kpis",
        "--as-of",
        _t(DAY2, "12:00"),
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "kpis").iterdir()} >= {
        "summary.csv",
        "workers.csv",
        "services.csv",
        "problems.csv",
    }
    with EventStore(store) as opened:
        assert Operations(opened).policy.suspension_complaints == 1  # the store remembers
    for command in (
        ["report"],
        ["followups"],
        ["log", "--entity", "J1"],
        ["statement", "--customer", "C1", "--month", "2026-12"],
    ):
        result = run(*command, "--store", store)
        assert result.exit_code == 0, (command, result.output)


def test_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    """A bad JSONL line exits 2, names the line, shows no traceback and writes nothing: not
    even the new store's file."""
    store = tmp_path / "ops.db"
    events = _events(
        tmp_path / "e.jsonl",
        [
            ("customer_registered", "C1", _t(DAY1, "08:00"), "crm", {}),
            ("customer_registered", "C2", _t(DAY1, "08:00"), "crm", {"nmae": "typo"}),
        ],
    )
    result = run("import", events, "--store", store)
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "nmae" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.glob("ops.db*")) == []


@pytest.mark.parametrize("zone", ["Mars/Olympus", "America"])
def test_a_schedule_in_an_unknown_timezone_is_reported_with_its_line(
    tmp_path: Path, zone: str
) -> None:
    """A recurring schedule naming an unknown timezone, or a folder of the zone database
    ("America"), exits 2 naming the line, the field and the name, and writes nothing."""
    store = tmp_path / "ops.db"
    schedule = {
        "frequency": "daily",
        "start_date": DAY1,
        "count": 2,
        "start_time": "08:00",
        "timezone": zone,
    }
    contract = {"schedule": schedule, "visit": {"duration_minutes": 60}}
    events = _events(
        tmp_path / "e.jsonl",
        [
            ("customer_registered", "C1", _t(DAY1, "08:00"), "crm", {}),
            ("order_created", "O1", _t(DAY1, "08:00"), "sales", {"customer_id": "C1"}),
            ("order_quoted", "O1", _t(DAY1, "08:00"), "sales", {"total": "100.00"}),
            ("order_contracted", "O1", _t(DAY1, "08:00"), "sales", contract),
        ],
    )
    result = run("import", events, "--store", store)
    assert result.exit_code == 2, result.output
    assert "line 4" in result.stderr and "'schedule'" in result.stderr
    assert f"unknown IANA timezone {zone!r}" in result.stderr
    assert "Traceback" not in result.output and "Errno" not in result.stderr
    assert not store.exists()


def test_event_for_an_unknown_id_exits_2(tmp_path: Path) -> None:
    """An event for an id never created is invalid input naming the id as unknown: exit 2."""
    store = tmp_path / "ops.db"
    result = run(
        "event",
        "--store",
        store,
        "--kind",
        "worker_reinstated",
        "--entity",
        "W1",
        "--actor",
        "hr",
        "--time",
        _t(DAY1, "08:00"),
    )
    assert result.exit_code == 2
    assert "unknown worker 'W1'" in result.stderr


def test_misspelt_visit_id_is_unknown_and_writes_nothing(tmp_path: Path) -> None:
    """'ops event' on a misspelt visit id of a seeded store exits 2 with "unknown visit
    'V0042'" (not "not allowed in state 'new'") and appends nothing."""
    store = tmp_path / "ops.db"
    data = write_dataset(tmp_path / "generated")
    assert run("import-dataset", data, "--store", store, "--time", _t(EVE, "12:00")).exit_code == 0
    with EventStore(store) as opened:
        before = opened.count()
    result = run(
        "event", "--store", store, "--kind", "visit_confirmed", "--entity", "V0042",
        "--actor", "worker:W1", "--time", _t(DAY1, "08:00"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "unknown visit 'V0042'" in result.stderr
    assert "state 'new'" not in result.stderr and "Traceback" not in result.output
    with EventStore(store) as opened:
        assert opened.count() == before


def test_event_stamped_before_the_previous_one_exits_2(tmp_path: Path) -> None:
    """'ops event' for a worker suspension stamped before the worker's registration exits 2
    naming both times, and appends nothing."""
    store = tmp_path / "ops.db"
    data = write_dataset(tmp_path / "generated")
    assert run("import-dataset", data, "--store", store, "--time", _t(EVE, "12:00")).exit_code == 0
    with EventStore(store) as opened:
        before = opened.count()
    result = run(
        "event", "--store", store, "--kind", "worker_suspended", "--entity", "W1",
        "--actor", "hr", "--time", _t(EVE, "11:00"),
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "at 2026-11-30T11:00:00+08:00 is before its worker_registered at" in result.stderr
    assert "2026-11-30T12:00:00+08:00" in result.stderr
    with EventStore(store) as opened:
        assert opened.count() == before


@pytest.mark.parametrize(
    "args",
    [
        ["jobs", "--date", "2026-13-01", "--out", "x"],
        ["report", "--as-of", "2026-12-01T09:00:00"],
        ["event", "--kind", "visit_rated", "--entity", "V1", "--actor", "c", "--data", "[1]"],
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    """A bad date, a time without offset or a non-object payload exit 2 on stderr."""
    store = tmp_path / "ops.db"
    EventStore(store).close()
    result = run(*args, "--store", store)
    assert result.exit_code == 2
    assert result.stderr and "Traceback" not in result.output


def test_missing_store_exits_2(tmp_path: Path) -> None:
    """Reading commands refuse a store that does not exist instead of creating one."""
    result = run("report", "--store", tmp_path / "nope.db")
    assert result.exit_code == 2 and "not found" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def _naive_plan(dataset: Path, folder: Path, rotation: int) -> list[tuple[str, str, str]]:
    """A stand-in for `matchmaker dispatch`: the first worker the exported rules allow,
    trying the workers in an order that rotates from day to day (its plans pass the
    re-verification of `ops apply-plan`)."""
    jobs = read_csv(dataset / "jobs.csv")
    workers = read_csv(dataset / "workers.csv")
    customers = read_csv(dataset / "customers.csv").set_index("customer_id")
    active = workers.loc[workers["status"] == "active", "worker_id"].tolist()
    active = active[rotation % len(active) :] + active[: rotation % len(active)]
    load: dict[str, int] = {}
    plan = []
    for job in jobs.itertuples():
        if job.pinned_worker_id:  # already proposed or confirmed: nothing to decide
            continue
        barred = set(customers.loc[job.customer_id, "blocked_workers"].split(";"))
        barred |= set(job.excluded_workers.split(";"))
        free = [w for w in active if w not in barred and load.get(w, 0) < 2]
        if free:
            # A second job of the day starts as late as it may, leaving time to travel.
            start = job.latest_start if load.get(free[0]) else job.earliest_start
            load[free[0]] = load.get(free[0], 0) + 1
            plan.append((job.job_id, free[0], start))
    write_plan(folder, plan)
    return plan


def _service_day(
    plan: list[tuple[str, str, str]], day: int, proposed_at: str
) -> list[tuple[Any, ...]]:
    """Worker W2 declines on the first day; W3 is late, rated low and complained about.
    Workers answer 10 hours before the start, or when proposed if that is later."""
    rows: list[tuple[Any, ...]] = []
    for job_id, worker_id, start in plan:

        def at(minutes: int, start: str = start) -> str:
            return (datetime.fromisoformat(start) + timedelta(minutes=minutes)).isoformat()

        answer = max(datetime.fromisoformat(at(-600)), datetime.fromisoformat(proposed_at))
        if worker_id == "W2" and day == 1:
            rows.append(("visit_declined", job_id, answer.isoformat(), "worker:W2", {}))
            continue
        late = 15 if worker_id == "W3" else 0
        rows += [
            ("visit_confirmed", job_id, answer.isoformat(), f"worker:{worker_id}", {}),
            ("visit_checked_in", job_id, at(late), f"worker:{worker_id}", {}),
            ("visit_completed", job_id, at(late + 120), f"worker:{worker_id}", {}),
            ("visit_accepted", job_id, at(late + 125), "customer", {}),
            (
                "visit_rated",
                job_id,
                at(late + 126),
                "customer",
                {"stars": 2 if worker_id == "W3" else 5},
            ),
            ("visit_settled", job_id, at(late + 130), "customer", {"amount": "100.00"}),
        ]
        if worker_id == "W3":
            complaint = f"K-{job_id}"
            rows += [
                (
                    "complaint_opened",
                    complaint,
                    at(late + 140),
                    "customer",
                    {"visit_id": job_id, "category": "late"},
                ),
                ("complaint_investigation_started", complaint, at(late + 150), "service", {}),
                ("complaint_upheld", complaint, at(late + 160), "service", {}),
            ]
    return rows


def test_a_week_of_operations(tmp_path: Path) -> None:
    """Seven daily rounds from the CLI: every export honours the feedback of the days before."""
    days = [f"2026-12-{d:02d}" for d in range(1, 8)]
    jobs = [
        {
            "job_id": f"J{d}-{c}",
            "order_id": f"O{c}",
            "customer_id": f"C{c}",
            "service_type": "daily_cleaning",
            "earliest_start": _shift(day, hour),
            "latest_start": _shift(day, hour + 1),
            "duration_minutes": "120",
            "required_skills": "cleaning:2",
        }
        for d, day in enumerate(days, start=1)
        for c, hour in ((1, 9), (2, 11), (3, 14))
    ]
    store = tmp_path / "ops.db"
    data = write_dataset(tmp_path / "generated", jobs=jobs)
    assert run("import-dataset", data, "--store", store, "--time", _t(EVE, "08:00")).exit_code == 0
    proposed_to: dict[str, list[str]] = {}
    for number, day in enumerate(days, start=1):
        for round_number in (1, 2):  # a second round re-dispatches the day's declines
            dataset = tmp_path / f"{day}-{round_number}"
            result = run("jobs", "--store", store, "--date", day, "--out", dataset)
            assert result.exit_code == 0, result.output
            if "nothing to dispatch" in result.stdout:  # no declines left to re-dispatch
                assert round_number == 2 and not dataset.exists()
                continue
            folder = tmp_path / f"plan-{day}-{round_number}"
            plan = _naive_plan(dataset, folder, rotation=number - 1)
            # The first round the morning before, the second after the day's declines.
            eve = (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat()
            applied = _t(eve, "09:00") if round_number == 1 else _t(day, "04:00")
            result = run("apply-plan", folder, "--store", store, "--time", applied)
            assert result.exit_code == 0, result.output
            for job_id, worker_id, _ in plan:
                proposed_to.setdefault(worker_id, []).append(job_id)
            service = _service_day(plan, number, applied)
            events = _events(tmp_path / f"{day}-{round_number}.jsonl", service)
            result = run("import", events, "--store", store)
            assert result.exit_code == 0, result.output
    result = run(
        "report", "--store", store, "--format", "json", "--as-of", _t("2026-12-08", "09:00")
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    summary = report["summary"]
    assert summary["visits"] == 21 and summary["visits_served"] == 21
    assert summary["fill_rate"] == 1.0
    workers = {row["worker_id"]: row for row in report["tables"]["workers"]}
    assert workers["W3"]["status"] == "suspended" and workers["W3"]["complaints_upheld"] == 3
    assert workers["W2"]["offers_declined"] >= 1
    assert all(not j.startswith(("J4-", "J5-", "J6-", "J7-")) for j in proposed_to["W3"])
    assert "W4" not in proposed_to


SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="the bundled sample dataset is not there")
def test_bundled_sample_round_trips(tmp_path: Path) -> None:
    """The generated sample dataset seeds a store and comes back as the same round."""
    store = tmp_path / "ops.db"
    result = run("import-dataset", SAMPLE, "--store", store, "--time", _t(EVE, "12:00"))
    assert result.exit_code == 0, result.output
    result = run("jobs", "--store", store, "--date", DAY1, "--out", tmp_path / "round")
    assert result.exit_code == 0, result.output
    original = read_csv(SAMPLE / "jobs.csv").set_index("job_id")
    exported = read_csv(tmp_path / "round" / "jobs.csv").set_index("job_id")
    assert sorted(exported.index) == sorted(original.index)
    pinned = original["pinned_worker_id"] != ""
    assert (exported.loc[original.index[pinned], "pinned_worker_id"] != "").all()
    for column in ("customer_id", "service_type", "duration_minutes", "required_skills"):
        assert (exported.loc[original.index, column] == original[column]).all(), column
    workers = read_csv(tmp_path / "round" / "workers.csv")
    assert len(workers) == len(read_csv(SAMPLE / "workers.csv"))
