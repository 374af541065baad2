"""The fast start of the core `matchmaker ops` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matchmaker.cli._app  # noqa: F401 - registers the other modules' ops commands
from matchmaker.cli._ops_main import is_core


def test_core_commands_take_the_fast_start() -> None:
    """`ops event`, `ops report`, `ops rebuild` (also after `--debug`) start the ops group
    alone; `ops --help`, another group, or a command another module adds to `ops` do not
    (whether or not the whole application was loaded before)."""
    assert is_core(["ops", "event", "--store", "x.db"])
    assert is_core(["--debug", "ops", "report"])
    assert is_core(["ops", "rebuild", "--store", "x.db"])
    assert not is_core(["ops", "--help"])
    assert not is_core(["dispatch", "data"])
    assert not is_core(["ops", "replan"])
    assert not is_core(["ops"])


def test_ops_event_starts_without_pandas_or_the_solver(tmp_path: Path) -> None:
    """The console script runs `ops event` without importing pandas, numpy or OR-Tools."""
    code = (
        "import sys\n"
        "from matchmaker.cli import main\n"
        f"sys.argv = ['matchmaker', 'ops', 'event', '--store', {str(tmp_path / 'ops.db')!r},\n"
        "    '--kind', 'customer_registered', '--entity', 'C1', '--actor', 'test',\n"
        "    '--time', '2026-12-01T08:00:00+08:00', '--data', '{\"lat\": 31.2, \"lon\": 121.4}']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "names = ('pandas', 'numpy', 'ortools', 'matchmaker.io')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print('heavy:', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "customer_registered C1 (version 1)" in result.stdout
    assert "heavy: []" in result.stdout


def _heavy_after(argv: list[str]) -> list[str]:
    """The heavy modules loaded by the console script running ``argv``."""
    code = (
        "import sys\n"
        "from matchmaker.cli import main\n"
        f"sys.argv = ['matchmaker', *{argv!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "import json\n"
        "names = ('pandas', 'numpy', 'ortools', 'matchmaker.io', 'matchmaker.solve')\n"
        "print('heavy:', json.dumps(sorted(m for m in names if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("heavy:"))
    heavy: list[str] = json.loads(line.removeprefix("heavy: "))
    return heavy


def test_ops_report_starts_without_pandas_or_the_solver(tmp_path: Path) -> None:
    """`ops report` reads the store's counters: no pandas, numpy, dataset contract or
    OR-Tools (`--details`, the per-visit tables, is the full report with pandas)."""
    store = str(tmp_path / "ops.db")
    _heavy_after(["ops", "event", "--store", store, "--kind", "customer_registered",
                  "--entity", "C1", "--actor", "t", "--time", "2026-12-01T08:00:00+08:00",
                  "--data", '{"lat": 31.2, "lon": 121.4}'])  # fmt: skip
    out = str(tmp_path / "report.json")
    assert _heavy_after(["ops", "report", "--store", store, "--format", "json", "--out", out]) == []


def test_ops_jobs_writes_a_round_without_pins_without_pandas(tmp_path: Path) -> None:
    """`ops jobs` writes a round with no pin from the store's rows alone: no pandas,
    numpy, dataset readers or OR-Tools (a round with pins loads them to check the pins; the
    round is hashed when a plan of it is applied)."""
    store = str(tmp_path / "ops.db")
    events = {
        "worker_registered": (
            "W1",
            {"gender": "F", "home_lat": 31.2, "home_lon": 121.4, "skills": "cleaning:3"},
        ),
        "customer_registered": ("C1", {"lat": 31.2, "lon": 121.4}),
        "visit_created": (
            "V1",
            {
                "customer_id": "C1",
                "service_type": "cleaning",
                "earliest_start": "2026-12-02T09:00:00+08:00",
                "latest_start": "2026-12-02T10:00:00+08:00",
                "duration_minutes": 60,
            },
        ),
    }
    for kind, (entity, data) in events.items():
        _heavy_after(["ops", "event", "--store", store, "--kind", kind, "--entity", entity,
                      "--actor", "t", "--time", "2026-12-01T08:00:00+08:00",
                      "--data", json.dumps(data)])  # fmt: skip
    out = tmp_path / "round"
    argv = ["ops", "jobs", "--store", store, "--date", "2026-12-02", "--out", str(out)]
    assert _heavy_after(argv) == []
    assert (out / "jobs.csv").read_text().count("V1") == 1
