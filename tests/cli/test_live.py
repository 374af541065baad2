"""``matchmaker recommend``, ``slots``, ``replan`` and ``explain --worker`` through the
real command line: the documented formats, exit codes, and nothing written on bad input."""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import matchmaker.live._replan as replanning
from matchmaker.cli import app
from matchmaker.io import dataset_to_frames, load_plan_input, read_plan, write_tables
from matchmaker.live import DIFF_COLUMNS
from matchmaker.model import Dataset, TimeWindow
from matchmaker.plan import verify
from matchmaker.solve import _greedy as greedy
from tests.rules.world import at, job, worker, world

runner = CliRunner()


def _round() -> Dataset:
    """Two workers, three jobs: J1 and J2 fixed at 09:00, J3 09:00-16:00; all served."""
    return world(
        workers=[worker("W1"), worker("W2", rating=3.0)],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9)), priority=5),
            job("J2", window=TimeWindow(start=at(9), end=at(9))),
            job("J3", window=TimeWindow(start=at(9), end=at(16))),
        ],
    )


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    dataset = _round()
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    return folder


@pytest.fixture
def plan_dir(dataset_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["dispatch", str(dataset_dir), "--out", str(out), "--solver", "greedy"]
    )
    assert result.exit_code == 0, result.output
    return out


def _job_file(tmp_path: Path, job_id: str = "NEW", hours: tuple[int, int] = (13, 15)) -> Path:
    """A jobs.csv with one new job (the shape of J3, to start within ``hours``)."""
    frame = dataset_to_frames(_round())["jobs"].iloc[[2]].copy()
    frame["job_id"] = job_id
    frame["earliest_start"] = at(hours[0]).isoformat()
    frame["latest_start"] = at(hours[1]).isoformat()
    path = tmp_path / "new.csv"
    frame.to_csv(path, index=False)
    return path


def test_recommend_json_has_the_documented_fields(plan_dir: Path, tmp_path: Path) -> None:
    """``--format json`` gives the job and ranked options with assignments, moves, deltas,
    score and reason; times carry their UTC offset."""
    result = runner.invoke(
        app, ["recommend", str(plan_dir), "--job", str(_job_file(tmp_path)), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["job_id"] == "NEW"
    option = data["options"][0]
    assert option["rank"] == 1
    assert set(option) >= {
        "rank",
        "assignments",
        "moves",
        "objective_delta",
        "travel_delta",
        "match_score",
        "reason",
    }
    assert set(option["assignments"][0]) == {"job_id", "worker_id", "start", "end"}
    assert option["assignments"][0]["start"].endswith("+08:00")
    assert option["objective_delta"] < 0


def test_a_request_of_a_known_customer_may_leave_out_its_place(
    plan_dir: Path, tmp_path: Path
) -> None:
    """A new job of customer C1 with lat and lon blank is placed at C1's location, as a
    row of jobs.csv would be: the plan keeps the locations of its customers."""
    path = _job_file(tmp_path)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0].update(lat="", lon="")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    args = ["recommend", str(plan_dir), "--job", str(path), "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["options"]


def test_recommend_needs_one_job_and_names_a_bad_job_file(plan_dir: Path, tmp_path: Path) -> None:
    """No job, or a job row with a bad cell, exits 2 with the file and row named."""
    assert runner.invoke(app, ["recommend", str(plan_dir)]).exit_code == 2
    bad = _job_file(tmp_path)
    with bad.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["duration_minutes"] = "soon"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["recommend", str(plan_dir), "--job", str(bad)])
    assert result.exit_code == 2
    assert "new.csv, row 2, column 'duration_minutes'" in result.output


def test_slots_lists_graded_windows(plan_dir: Path, tmp_path: Path) -> None:
    """``slots`` cuts the template's hours into windows and grades each one; with
    ``--lang zh`` each option's sentence is in Chinese and nothing else changes."""
    args = [
        "slots", str(plan_dir), "--template", str(_job_file(tmp_path)),
        "--from", at(9).date().isoformat(), "--days", "2", "--window", "60", "--format", "json",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)["slots"]
    assert [s["start"][11:16] for s in found] == ["13:00", "14:00"]
    assert sorted(s["rank"] for s in found) == [1, 2]
    assert all(s["workers_able"] >= 1 and s["worker_ids"] for s in found)
    chinese = runner.invoke(app, [*args, "--lang", "zh"])
    assert chinese.exit_code == 0, chinese.output
    said = json.loads(chinese.output)["slots"]
    assert all("增加路程" in s["option"]["reason"] for s in said)
    for slots in (found, said):
        for slot in slots:
            del slot["option"]["reason"]
    assert said == found  # only the sentence follows --lang


def _changes(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "changes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_replan_writes_a_plan_with_diff_and_counts(
    dataset_dir: Path, plan_dir: Path, tmp_path: Path
) -> None:
    """A cancellation gives a verified plan folder, diff.csv in its columns and the diff
    counts in kpis.json; the folder's input is the changed round."""
    out = tmp_path / "replanned"
    changes = _changes(tmp_path, json.dumps({"kind": "job_cancelled", "job_id": "J2"}))
    result = runner.invoke(
        app,
        [
            "replan",
            str(dataset_dir),
            "--previous",
            str(plan_dir),
            "--changes",
            str(changes),
            "--out",
            str(out),
            "--time-limit",
            "2",
            "--max-moves",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    with (out / "diff.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == DIFF_COLUMNS
    j2 = next(r for r in rows if r["job_id"] == "J2")
    assert (j2["change"], j2["cause"]) == ("dropped", "job_cancelled J2 (line 1)")
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["diff"]["dropped"] == 1
    assert kpis["replan"]["max_moves"] == 1
    assert "stability_cost" in kpis["objective_terms"]
    round_ = load_plan_input(out)
    assert not round_.has_job("J2")
    assert verify(round_, read_plan(out)) == []


def test_a_bad_change_line_exits_2_naming_file_and_line_and_writes_nothing(
    dataset_dir: Path, plan_dir: Path, tmp_path: Path
) -> None:
    """A change naming an unknown job: exit 2, the file and line in the message, no folder."""
    out = tmp_path / "replanned"
    changes = _changes(
        tmp_path,
        json.dumps({"kind": "job_cancelled", "job_id": "J2"}),
        json.dumps({"kind": "job_declined", "job_id": "J9", "worker_id": "W1"}),
    )
    result = runner.invoke(
        app,
        [
            "replan",
            str(dataset_dir),
            "--previous",
            str(plan_dir),
            "--changes",
            str(changes),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert "changes.jsonl, row 2, column 'job_id'" in result.output
    assert not out.exists()


def test_explain_worker_names_failed_rules_or_the_cost(plan_dir: Path) -> None:
    """``explain --worker``: the worker serving the job says so; another eligible worker
    gets an objective change; JSON carries the status."""
    plan = read_plan(plan_dir)
    served = plan.assignments[0]
    other = "W2" if served.worker_id == "W1" else "W1"
    same = runner.invoke(
        app, ["explain", str(plan_dir), "--job", served.job_id, "--worker", served.worker_id]
    )
    assert same.exit_code == 0, same.output
    assert "already serves" in same.output
    result = runner.invoke(
        app,
        ["explain", str(plan_dir), "--job", served.job_id, "--worker", other, "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] in ("can_take", "needs_moves", "must_drop", "no_room")
    assert data["worker_id"] == other


def test_a_replan_that_cancels_every_job_says_so_and_writes_nothing(
    dataset_dir: Path, plan_dir: Path, tmp_path: Path
) -> None:
    """Changes that cancel every job of the round leave nothing to plan: the command shows
    the dropped visits, says no plan was written and exits 0 (a plan folder of a round
    without jobs would not load in verify, explain or report)."""
    out = tmp_path / "replanned"
    lines = [json.dumps({"kind": "job_cancelled", "job_id": j}) for j in ("J1", "J2", "J3")]
    changes = _changes(tmp_path, *lines)
    args = ["replan", str(dataset_dir), "--previous", str(plan_dir), "--changes", str(changes)]
    result = runner.invoke(app, [*args, "--out", str(out), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "nothing left to re-plan" in result.output
    assert result.output.count("dropped") == 3
    assert not out.exists()


def test_ctrl_c_during_a_replan_writes_the_replan_so_far(
    dataset_dir: Path, plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGINT while the re-plan solves: it stops, the re-plan so far is verified and
    written with its diff, stderr says so, exit 130, no traceback, SIGINT handler restored."""

    def interrupted_solver(problem: Any, **kwargs: Any) -> Any:
        stop: threading.Event = kwargs["stop"]
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.wait(10), "the Ctrl-C handler did not set the stop flag"
        return greedy.solve(problem, **kwargs)

    monkeypatch.setattr(replanning, "get_solver", lambda name: interrupted_solver)
    out = tmp_path / "replanned"
    changes = _changes(tmp_path, json.dumps({"kind": "job_cancelled", "job_id": "J2"}))
    result = runner.invoke(
        app,
        [
            *("replan", str(dataset_dir), "--previous", str(plan_dir)),
            *("--changes", str(changes), "--out", str(out), "--time-limit", "2"),
        ],
    )
    assert result.exit_code == 130, result.output
    assert "interrupted: wrote the best re-plan found so far" in result.stderr
    assert "Traceback" not in result.output
    assert (out / "diff.csv").is_file()
    assert verify(load_plan_input(out), read_plan(out)) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_live_commands_keep_breaks(tmp_path: Path) -> None:
    """On a round with a lunch rule: ``replan`` after an overrun into lunch writes a plan
    folder whose break row moved and that verifies; ``recommend`` and ``explain
    --worker`` answer (no refusal), the option listing the worker's break."""
    from tests.live.test_keep_breaks import _day

    dataset = _day()
    folder = tmp_path / "data"
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    plan_dir = tmp_path / "plan"
    made = runner.invoke(
        app, ["dispatch", str(folder), "--out", str(plan_dir), "--time-limit", "1"]
    )
    assert made.exit_code == 0, made.output
    out = tmp_path / "replanned"
    changes = _changes(tmp_path, json.dumps({"kind": "job_overrun", "job_id": "A", "minutes": 60}))
    args = ["--changes", str(changes), "--out", str(out), "--time-limit", "1"]
    result = runner.invoke(app, ["replan", str(folder), "--previous", str(plan_dir), *args])
    assert result.exit_code == 0, result.output
    with (out / "assignments.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["start"] for r in rows if r["kind"] == "break"] == [at(12, 30).isoformat()]
    assert verify(load_plan_input(out), read_plan(out)) == []

    job_file = tmp_path / "order.csv"
    frame = dataset_to_frames(dataset)["jobs"]
    frame[frame["job_id"] == "B"].assign(job_id="NEW").to_csv(job_file, index=False)
    shown = runner.invoke(app, ["recommend", str(out), "--job", str(job_file), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    options = json.loads(shown.output)["options"]
    assert options and all(o["breaks"] for o in options)
    why = runner.invoke(app, ["explain", str(out), "--job", "B", "--worker", "W1"])
    assert why.exit_code == 0, why.output


def test_recommend_and_explain_worker_speak_the_language_asked(
    plan_dir: Path, tmp_path: Path
) -> None:
    """``--lang zh``: recommend's option sentences and explain --worker's verdict are in
    Chinese, in text and in JSON, where the other fields stay as they are; without it,
    in English."""
    args = ["recommend", str(plan_dir), "--job", str(_job_file(tmp_path))]
    english, chinese = runner.invoke(app, args), runner.invoke(app, [*args, "--lang", "zh"])
    assert english.exit_code == 0 and chinese.exit_code == 0, chinese.output
    assert "can start" in english.output and "可在" not in english.output
    assert "可在" in chinese.output and "can start" not in chinese.output
    as_json = [json.loads(runner.invoke(app, [*args, *lang, "--format", "json"]).output)
               for lang in ([], ["--lang", "zh"])]  # fmt: skip
    assert "增加路程" in as_json[1]["options"][0]["reason"]
    assert "travel minutes" in as_json[0]["options"][0]["reason"]
    for data in as_json:
        for option in data["options"]:
            del option["reason"]
    assert as_json[0] == as_json[1]
    served = read_plan(plan_dir).assignments[0]
    asked = ["explain", str(plan_dir), "--job", served.job_id, "--worker", served.worker_id]
    why = runner.invoke(app, [*asked, "--lang", "zh"])
    assert why.exit_code == 0, why.output
    assert "已在服务该工单" in why.output and "already serves" not in why.output
    said = json.loads(runner.invoke(app, [*asked, "--lang", "zh", "--format", "json"]).output)
    assert said["detail"] == "已在服务该工单" and said["status"] == "serves"


def test_a_replan_writes_its_reasons_in_the_language_asked(
    dataset_dir: Path, plan_dir: Path, tmp_path: Path
) -> None:
    """W1 unavailable all day leaves one of the two 09:00 jobs to nobody: with ``--lang
    zh`` the re-plan's unassigned.csv says why in Chinese (the code stays), as dispatch
    writes it; without it, in English."""
    line = json.dumps({"kind": "worker_unavailable", "worker_id": "W1", "from": at(0).isoformat()})
    changes = _changes(tmp_path, line)
    args = ["replan", str(dataset_dir), "--previous", str(plan_dir), "--changes", str(changes)]
    reasons = {}
    for lang in ("en", "zh"):
        out = tmp_path / f"replanned-{lang}"
        result = runner.invoke(app, [*args, "--out", str(out), "--time-limit", "1",
                                     "--lang", lang])  # fmt: skip
        assert result.exit_code == 0, result.output
        with (out / "unassigned.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["reason_code"] for r in rows] == ["CAPACITY"]
        reasons[lang] = rows[0]["reason"]
        assert verify(load_plan_input(out), read_plan(out)) == []
    assert reasons["en"].startswith("CAPACITY: ")
    assert reasons["zh"].startswith("CAPACITY（") and "服务师" in reasons["zh"]


def test_no_option_and_no_window_are_said_in_the_language_asked(
    plan_dir: Path, tmp_path: Path
) -> None:
    """A job only at 09:00, when both workers are busy, gets no option and no bookable
    window: recommend says why, in text and JSON, and slots says there is none, each in the
    language asked."""
    path = _job_file(tmp_path, hours=(9, 9))
    asked = ["recommend", str(plan_dir), "--job", str(path)]
    english, chinese = runner.invoke(app, asked), runner.invoke(app, [*asked, "--lang", "zh"])
    assert english.exit_code == 0 and chinese.exit_code == 0, chinese.output
    assert "No option for NEW: no eligible worker has room" in " ".join(english.output.split())
    said = "".join(chinese.output.split())  # the console wraps long lines
    assert "NEW没有可选方案：计划中没有符合条件的服务师排得下它" in said and "No option" not in said
    as_json = json.loads(runner.invoke(app, [*asked, "--lang", "zh", "--format", "json"]).output)
    assert as_json["options"] == [] and "--max-moves" in as_json["note"]
    assert "排得下" in as_json["note"]
    day = at(9).date().isoformat()
    booking = ["slots", str(plan_dir), "--template", str(path), "--from", day, "--days", "1"]
    assert "No bookable window" in runner.invoke(app, booking).output
    assert "没有可预约的时段" in runner.invoke(app, [*booking, "--lang", "zh"]).output
