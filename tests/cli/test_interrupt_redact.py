"""``dispatch``: Ctrl-C, ``--deterministic`` and ``--redact`` through the real command line."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import matchmaker.cli._dispatch as dispatch_commands
import matchmaker.plan._dispatch as pipeline
from matchmaker.cli import app
from matchmaker.io import dataset_to_frames, load_dataset, read_plan, write_tables
from matchmaker.model import TimeWindow
from matchmaker.plan import verify
from matchmaker.solve import _greedy as greedy
from matchmaker.solve import _round_search as round_search
from tests.rules.world import at, customer, job, worker, world

runner = CliRunner()
NINE = TimeWindow(start=at(9), end=at(9))


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    """Two workers and a customer, all with names; three jobs at 09:00, one left out."""
    dataset = world(
        workers=[worker("W1"), worker("W2", rating=3.0)],
        jobs=[job("J1", window=NINE, priority=5), job("J2", window=NINE), job("J3", window=NINE)],
        customers=[customer("C1")],
    )
    folder = tmp_path / "data"
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    return folder


def test_ctrl_c_during_the_solve_writes_the_best_plan_so_far(
    dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGINT while the solver runs: it stops, the plan so far is verified and written,
    stderr says so, exit 130, no traceback."""

    def interrupted_solver(problem: Any, **kwargs: Any) -> Any:
        stop: threading.Event = kwargs["stop"]
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.wait(10), "the Ctrl-C handler did not set the stop flag"
        return greedy.solve(problem, **kwargs)

    monkeypatch.setattr(pipeline, "get_solver", lambda name: interrupted_solver)
    out = tmp_path / "plan"
    result = runner.invoke(app, ["dispatch", str(dataset_dir), "--out", str(out)])
    assert result.exit_code == 130, result.output
    assert "interrupted: wrote the best plan found so far" in result.stderr
    assert "Traceback" not in result.output
    assert verify(load_dataset(dataset_dir), read_plan(out)) == []
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["solver_stats"]["interrupted"] == 1.0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_loading_writes_nothing(
    dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KeyboardInterrupt before the solve: "interrupted", exit 130, no traceback, nothing
    written."""

    def interrupted(path: Path) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(dispatch_commands, "load_dataset_warning", interrupted)
    out = tmp_path / "plan"
    result = runner.invoke(app, ["dispatch", str(dataset_dir), "--out", str(out)])
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.output
    assert not out.exists()


def test_deterministic_dispatch_writes_the_same_plan_twice(
    dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--deterministic``: two runs with one seed write identical assignments."""
    monkeypatch.setattr(round_search, "DETERMINISTIC_CHECKS_PER_COPY", 300)
    texts = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(
            app, ["dispatch", str(dataset_dir), "--out", str(out), "--deterministic"]
        )
        assert result.exit_code == 0, result.output
        assert verify(load_dataset(dataset_dir), read_plan(out)) == []
        texts.append((out / "assignments.csv").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]


def test_help_states_what_the_seed_guarantees() -> None:
    """``dispatch --help`` says the seed alone does not guarantee the plan."""
    result = runner.invoke(app, ["dispatch", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.stdout.split())
    assert "does NOT guarantee the same plan" in text
    assert "--deterministic" in text and "safety cap" in text


def _all_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def test_redact_keeps_names_out_of_every_output(dataset_dir: Path, tmp_path: Path) -> None:
    """``--redact``: no worker or customer name in the plan folder (input copy included)
    nor in ``explain``; workers are named by id."""
    out = tmp_path / "plan"
    result = runner.invoke(app, ["dispatch", str(dataset_dir), "--out", str(out), "--redact"])
    assert result.exit_code == 0, result.output
    text = _all_text(out)
    assert "W1" in text
    assert "Worker W1" not in text and "Worker W2" not in text and "Customer C1" not in text
    for job_id in ("J1", "J3"):
        explained = runner.invoke(app, ["explain", str(out), "--job", job_id])
        assert explained.exit_code == 0, explained.output
        assert "Worker W" not in explained.stdout and "W1" in explained.stdout


def test_explain_redact_hides_names_of_a_plan_written_with_them(
    dataset_dir: Path, tmp_path: Path
) -> None:
    """A plan written without ``--redact`` still keeps names out of ``explain --redact``."""
    out = tmp_path / "plan"
    assert runner.invoke(app, ["dispatch", str(dataset_dir), "--out", str(out)]).exit_code == 0
    plain = runner.invoke(app, ["explain", str(out), "--job", "J1"])
    assert "Worker W" in plain.stdout
    redacted = runner.invoke(app, ["explain", str(out), "--job", "J1", "--redact"])
    assert redacted.exit_code == 0
    assert "Worker W" not in redacted.stdout and "W1" in redacted.stdout


def test_verify_redact_names_workers_by_id_only(tmp_path: Path) -> None:
    """``verify --redact``: a violation names the worker by id, without the name."""
    dataset = world(workers=[worker("W1", skills={"cleaning": 1})], jobs=[job("J1", window=NINE)])
    folder = tmp_path / "data"
    write_tables(dataset_to_frames(dataset), folder, settings=dataset.settings)
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "assignments.csv").write_text(
        f"job_id,worker_id,start,end\nJ1,W1,{at(9).isoformat()},{at(10).isoformat()}\n",
        encoding="utf-8",
    )
    named = runner.invoke(app, ["verify", str(folder), str(plan)], env={"COLUMNS": "300"})
    assert named.exit_code == 1 and "Worker W1" in named.stdout
    redacted = runner.invoke(
        app, ["verify", str(folder), str(plan), "--redact"], env={"COLUMNS": "300"}
    )
    assert redacted.exit_code == 1
    assert "W1" in redacted.stdout and "Worker W1" not in redacted.stdout


def test_ctrl_c_while_the_command_line_starts_is_exit_130_without_traceback(
    dataset_dir: Path, tmp_path: Path
) -> None:
    """SIGINT soon after start (the application and its libraries still loading, or the
    dataset being read): "interrupted", exit 130, no traceback, nothing written."""
    import subprocess
    import sys

    out = tmp_path / "plan"
    # "ready" just before main(), which then loads the application: Python's own start-up
    # is not ours to handle, and waiting for the line (not a fixed sleep) holds under load.
    command = (
        "import sys; from matchmaker.cli import main; "
        "sys.stderr.write('ready\\n'); sys.stderr.flush(); main()"
    )
    args = [sys.executable, "-c", command, "dispatch", str(dataset_dir), "--out", str(out)]
    for attempt in range(8):
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        assert process.stderr.readline() == "ready\n"
        # A moment for the child to get past its own write (under load the signal otherwise
        # lands there every time), still well inside the application's loading.
        time.sleep(0.02 * attempt)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        # Under load the signal can land between the flush and the call of main(), on the
        # harness's own line (a traceback of that one frame): that start is not ours, so
        # try again.
        harness = 'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\n'
        if stderr != harness + "KeyboardInterrupt\n":
            break
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists()
