"""The fast start of the core `matchmaker ops` commands."""

from __future__ import annotations

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
    """The console script runs `ops event` without importing pandas or OR-Tools."""
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
        "heavy = sorted(m for m in ('pandas', 'ortools', 'matchmaker.io') if m in sys.modules)\n"
        "print('heavy:', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "customer_registered C1 (version 1)" in result.stdout
    assert "heavy: []" in result.stdout
