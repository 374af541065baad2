"""``matchmaker dispatch``, ``verify`` and ``explain`` through the real command line."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.io import dataset_to_frames, load_dataset, read_plan, write_tables
from matchmaker.model import Dataset, TimeWindow
from matchmaker.plan import DispatchResult, Violation, verify
from matchmaker.plan import dispatch as real_dispatch
from tests.rules.world import at, job, worker, world

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"
NINE = TimeWindow(start=at(9), end=at(9))
runner = CliRunner()


def _small() -> Dataset:
    """Two workers, three jobs fixed at 09:00: two served, one CAPACITY."""
    return world(
        workers=[worker("W1"), worker("W2", rating=3.0)],
        jobs=[job("J1", window=NINE, priority=5), job("J2", window=NINE), job("J3", window=NINE)],
    )


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    dataset = _small()
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


def _assert_valid_plan(dataset_dir: Path, out: Path) -> None:
    for name in ("assignments.csv", "unassigned.csv", "workers.csv", "kpis.json", "plan.json"):
        assert (out / name).is_file(), name
    assert verify(load_dataset(dataset_dir), read_plan(out)) == []


@pytest.mark.parametrize("solver", ["greedy", "routing"])
def test_dispatch_writes_a_contract_plan(dataset_dir: Path, tmp_path: Path, solver: str) -> None:
    """A small round gives a verified contract plan, a summary and exit 0 with a job unserved."""
    out = tmp_path / "plan"
    result = runner.invoke(
        app,
        [
            "dispatch",
            str(dataset_dir),
            "--out",
            str(out),
            "--solver",
            solver,
            "--time-limit",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Jobs served" in result.stdout and "2 of 3" in result.stdout
    assert "CAPACITY" in result.stdout
    _assert_valid_plan(dataset_dir, out)
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert (kpis["backend"], kpis["jobs_served"]) == (solver, 2)


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="datasets/sample is not there")
def test_dispatch_plans_the_bundled_sample(tmp_path: Path) -> None:
    """The bundled sample dataset dispatches to a plan that passes verify."""
    out = tmp_path / "plan"
    result = runner.invoke(app, ["dispatch", str(SAMPLE), "--out", str(out), "--solver", "greedy"])
    assert result.exit_code == 0, result.output
    _assert_valid_plan(SAMPLE, out)
    check = runner.invoke(app, ["verify", str(SAMPLE), str(out)])
    assert check.exit_code == 0, check.output


def test_dispatch_uses_a_policy_file(dataset_dir: Path, tmp_path: Path) -> None:
    """--policy replaces the dataset's policy; the plan records the policy it used."""
    policy = tmp_path / "policy.toml"
    policy.write_text("[policy]\ntravel_cost_per_minute = 3\n", encoding="utf-8")
    out = tmp_path / "plan"
    args = ["dispatch", str(dataset_dir), "--out", str(out), "--solver", "greedy"]
    result = runner.invoke(app, [*args, "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    _assert_valid_plan(dataset_dir, out)
    used = json.loads((out / "policy.json").read_text(encoding="utf-8"))
    assert used["travel_cost_per_minute"] == 3
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\ntravel_cost_per_minute = -1\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "--policy", str(bad), "--out", str(tmp_path / "p2")])
    assert result.exit_code == 2
    assert not (tmp_path / "p2").exists()


def test_dispatch_can_turn_ruin_and_recreate_off(dataset_dir: Path, tmp_path: Path) -> None:
    """--no-ruin-recreate overrides the policy's switch; the plan records the policy used."""
    out = tmp_path / "plan"
    args = ["dispatch", str(dataset_dir), "--out", str(out), "--time-limit", "0.5"]
    result = runner.invoke(app, [*args, "--no-ruin-recreate"])
    assert result.exit_code == 0, result.output
    _assert_valid_plan(dataset_dir, out)
    used = json.loads((out / "policy.json").read_text(encoding="utf-8"))
    assert used["ruin_and_recreate"] is False
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["lower_bound"] is not None and kpis["lower_bound"] <= kpis["objective"]


def test_bad_input_exits_2_and_writes_nothing(dataset_dir: Path, tmp_path: Path) -> None:
    """A dataset with a bad cell is reported by file and row, with no traceback and no plan."""
    jobs = dataset_dir / "jobs.csv"
    rows = list(csv.DictReader(jobs.read_text(encoding="utf-8").splitlines()))
    rows[0]["duration_minutes"] = "soon"
    with jobs.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["dispatch", str(dataset_dir), "--out", str(out), "--solver", "greedy"]
    )
    assert result.exit_code == 2
    assert "jobs.csv" in result.stderr and "duration_minutes" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_existing_non_plan_folder_is_refused(dataset_dir: Path, tmp_path: Path) -> None:
    """A folder that is not a plan is left alone unless --force is given."""
    out = tmp_path / "reports"
    out.mkdir()
    (out / "q3.xlsx").write_text("keep me", encoding="utf-8")
    args = ["dispatch", str(dataset_dir), "--out", str(out), "--solver", "greedy"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert (out / "q3.xlsx").read_text(encoding="utf-8") == "keep me"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    _assert_valid_plan(dataset_dir, out)


def test_plan_inside_the_dataset_folder_is_refused(dataset_dir: Path) -> None:
    """The plan is never written into the dataset it was made from, even with --force."""
    out = dataset_dir / "plan"
    args = ["dispatch", str(dataset_dir), "--out", str(out), "--solver", "greedy", "--force"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "dataset folder" in result.stderr
    assert not out.exists()


def test_plan_failing_verify_is_not_written(
    dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the solver's plan broke a rule, dispatch says so, exits 1 and writes nothing."""

    def broken(*args: object, **kwargs: object) -> DispatchResult:
        result = real_dispatch(*args, **kwargs)  # type: ignore[arg-type]
        fake = Violation(rule="no_overlap", job_id="J1", worker_id="W1", message="overlap.")
        return replace(result, violations=(fake,))

    monkeypatch.setattr("matchmaker.cli._dispatch.dispatch", broken)
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["dispatch", str(dataset_dir), "--out", str(out), "--solver", "greedy"]
    )
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr and "no_overlap" in result.stderr
    assert not out.exists()


def test_verify_accepts_a_clean_plan(dataset_dir: Path, plan_dir: Path) -> None:
    """A plan dispatch wrote verifies clean: exit 0."""
    result = runner.invoke(app, ["verify", str(dataset_dir), str(plan_dir)])
    assert result.exit_code == 0, result.output
    assert "Plan is valid" in result.stdout


def test_verify_catches_a_hand_broken_plan(dataset_dir: Path, plan_dir: Path) -> None:
    """Moving an assignment out of its window by hand is caught: exit 1 naming the rule."""
    path = plan_dir / "assignments.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("T09:00:00+08:00,2026-12-01T10:00", "T07:00:00+08:00,2026-12-01T08:00", 1),
        encoding="utf-8",
    )
    assert path.read_text(encoding="utf-8") != text
    result = runner.invoke(app, ["verify", str(dataset_dir), str(plan_dir)])
    assert result.exit_code == 1
    assert "start_in_window" in result.stdout


def test_verify_takes_the_plan_folder_alone(dataset_dir: Path, plan_dir: Path) -> None:
    """Given only the plan folder, verify checks it against its own input/ copy: clean,
    exit 0; broken by hand, exit 1 naming the rule; a folder without input/ is invalid
    input (exit 2) saying to give the dataset folder; three folders are a usage error."""
    clean = runner.invoke(app, ["verify", str(plan_dir)])
    assert clean.exit_code == 0, clean.output
    assert "Plan is valid" in clean.stdout
    path = plan_dir / "assignments.csv"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("T09:00:00+08:00,2026-12-01T10:00", "T07:00:00+08:00,2026-12-01T08:00", 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    result = runner.invoke(app, ["verify", str(plan_dir)])
    assert result.exit_code == 1 and "start_in_window" in result.stdout
    shutil.rmtree(plan_dir / "input")
    result = runner.invoke(app, ["verify", str(plan_dir)])
    assert result.exit_code == 2 and "verify DATASET PLAN" in result.stderr
    result = runner.invoke(app, ["verify", str(dataset_dir), str(plan_dir), str(plan_dir)])
    assert result.exit_code == 2


def test_verify_exits_2_on_an_unreadable_plan(dataset_dir: Path, tmp_path: Path) -> None:
    """A plan folder without assignments.csv is invalid input."""
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["verify", str(dataset_dir), str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "assignments.csv" in result.stderr


def test_explain_an_assigned_job(plan_dir: Path) -> None:
    """explain tells who serves a job and why the others did not, as text or JSON."""
    result = runner.invoke(app, ["explain", str(plan_dir), "--job", "J1"])
    assert result.exit_code == 0, result.output
    assert "Job J1" in result.stdout and "Assigned" in result.stdout
    result = runner.invoke(app, ["explain", str(plan_dir), "--job", "J1", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["status"] == "assigned" and document["assigned"]


def test_explain_an_unassigned_job(plan_dir: Path) -> None:
    """explain gives the reason of an unserved job and what the eligible workers do."""
    unserved = read_plan(plan_dir).unassigned[0].job_id
    result = runner.invoke(app, ["explain", str(plan_dir), "--job", unserved, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["reason_code"] == "CAPACITY"
    assert {note["verdict"] for note in document["others"]} == {"busy"}


def test_explain_unknown_job_exits_2(plan_dir: Path) -> None:
    """Asking about a job the plan does not know is invalid input."""
    result = runner.invoke(app, ["explain", str(plan_dir), "--job", "NOPE"])
    assert result.exit_code == 2
    assert "NOPE" in result.stderr
    assert "error: job 'NOPE' is not in the dataset" in result.stderr
    assert "Traceback" not in result.output


def test_explain_unknown_job_from_the_library_exits_2(
    plan_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line maps explain_job's UnknownJobError itself to exit 2 with its message
    (a KeyError reaching the CLI is otherwise an internal error, exit 1)."""
    from matchmaker.cli import _dispatch
    from matchmaker.model import UnknownJobError

    def unknown(*args: object, **kwargs: object) -> None:
        raise UnknownJobError("job 'J1' is not in the dataset")

    monkeypatch.setattr(_dispatch, "explain_job", unknown)
    result = runner.invoke(app, ["explain", str(plan_dir), "--job", "J1"])
    assert result.exit_code == 2
    assert "error: job 'J1' is not in the dataset" in result.stderr
    assert "internal error" not in result.stderr


def test_explain_a_hand_made_plan_with_its_dataset(dataset_dir: Path, tmp_path: Path) -> None:
    """A plan without input/ is explained against the dataset given with --dataset."""
    hand = tmp_path / "hand"
    hand.mkdir()
    (hand / "assignments.csv").write_text(
        "job_id,worker_id,start,end\nJ1,W2,2026-12-01T09:00:00+08:00,2026-12-01T10:00:00+08:00\n",
        encoding="utf-8",
    )
    args = ["explain", str(hand), "--job", "J1", "--format", "json"]
    assert runner.invoke(app, args).exit_code == 2
    result = runner.invoke(app, [*args, "--dataset", str(dataset_dir)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [note["worker_id"] for note in document["assigned"]] == ["W2"]


def test_the_progress_line_shows_phase_time_left_and_standing() -> None:
    """While solving, the line names the solver's phase and the seconds the limit leaves
    (never below 0), then the objective and served jobs."""
    from matchmaker.cli._solving import progress_text
    from matchmaker.solve import Progress

    report = Progress(elapsed_seconds=3.6, objective=12345, served=7, message="warm start")
    assert progress_text(report, 10.0, 20) == (
        "warm start, 6 s left  objective 12,345  served 7/20"
    )
    late = Progress(elapsed_seconds=11.0, objective=5, served=1)
    assert progress_text(late, 10.0, 2).startswith("searching, 0 s left")


def test_a_policy_asking_for_the_way_home_checks_the_pins(tmp_path: Path) -> None:
    """A pin the loader accepted (the dataset's policy does not plan the way home) is
    refused when --policy asks for the way home and the pinned visit leaves no time to get
    home: exit 2 naming the job's row and pinned worker, nothing written; with a policy
    that does not ask for it, the same round is dispatched."""
    base = world(jobs=[job("J1", window=TimeWindow(start=at(17), end=at(17)))])
    pinned = replace(base.jobs[0], pinned_worker_ids=("W1",), pinned_start=at(17))
    dataset = replace(base, jobs=(pinned,))
    folder = tmp_path / "data"
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    home = tmp_path / "home.toml"
    home.write_text("[policy]\ntravel_home = true\n", encoding="utf-8")
    out = tmp_path / "plan"
    args = ["dispatch", str(folder), "--out", str(out), "--solver", "routing"]
    result = runner.invoke(app, [*args, "--policy", str(home), "--time-limit", "1"])
    assert result.exit_code == 2, result.output
    assert "pinned_worker_id" in result.output and "home from job J1" in result.output
    assert "Traceback" not in result.output and not out.exists()
    plain = tmp_path / "plain.toml"
    plain.write_text("[policy]\ntravel_home = false\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "--policy", str(plain), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    _assert_valid_plan(folder, out)


def test_a_cpsat_model_too_large_for_the_limit_is_written_with_a_warning(tmp_path: Path) -> None:
    """``--solver cpsat`` on a round whose exact model does not build within the limit
    still writes a verified plan (the greedy warm start), exit 0, and warns on stderr that
    this happened and which solver suits such a round."""
    folder = tmp_path / "data"
    generated = runner.invoke(app, ["generate", str(folder), "--workers", "60", "--jobs", "600"])
    assert generated.exit_code == 0, generated.output
    out = tmp_path / "plan"
    args = ["dispatch", str(folder), "--out", str(out), "--solver", "cpsat", "--time-limit", "1"]
    result = runner.invoke(app, [*args, "--no-smallest-change"])
    assert result.exit_code == 0, result.output
    assert "did not fit the time limit" in result.stderr and "--solver routing" in result.stderr
    _assert_valid_plan(folder, out)


def test_dispatch_says_when_it_compiled_the_solver_before_the_time_limit(
    dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The solver's kernels are prepared before the time limit starts, and a warm-up long
    enough to have compiled them (the first run after an install) is reported."""
    calls: list[str] = []

    def compiling() -> float:
        calls.append("warm_up")
        return 31.0

    monkeypatch.setattr("matchmaker.cli._solving.warm_up", compiling)
    out = tmp_path / "plan"
    result = runner.invoke(app, ["dispatch", str(dataset_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert calls == ["warm_up"]
    assert "compiled the solver in 31 s before the time limit started" in result.stderr


def test_split_dispatch_of_a_home_care_round(tmp_path: Path) -> None:
    """``generate --home-care`` then ``dispatch --split zones``: the routing pieces keep
    the breaks and links (``verify`` passes on the written plan); with ``--solver greedy``
    the same command exits 2 naming the rules, and writes nothing."""
    data, plan = tmp_path / "data", tmp_path / "plan"
    made = runner.invoke(
        app,
        ["generate", str(data), "--workers", "12", "--jobs", "36", "--seed", "4", "--home-care"],
    )
    assert made.exit_code == 0, made.output
    args = ["dispatch", str(data), "--split", "zones", "--zones", "2", "--time-limit", "1"]
    result = runner.invoke(app, [*args, "--out", str(plan)])
    assert result.exit_code == 0, result.output
    assert verify(load_dataset(data), read_plan(plan)) == []
    assert json.loads((plan / "kpis.json").read_text(encoding="utf-8"))["breaks_planned"] > 0
    refused = runner.invoke(app, [*args, "--out", str(tmp_path / "greedy"), "--solver", "greedy"])
    assert refused.exit_code == 2
    assert "cannot honour" in refused.output and "Traceback" not in refused.output
    assert not (tmp_path / "greedy").exists()
