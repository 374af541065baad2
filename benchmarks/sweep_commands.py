"""Running ``matchmaker`` commands for the robustness sweep (:mod:`benchmarks.sweep`,
:mod:`benchmarks.sweep_ops`, :mod:`benchmarks.sweep_placement`), and what counts as a
failure: an exit code other than 0 (or 2 with one of the :data:`REFUSALS` where the
caller allows them), or a traceback or "bug in matchmaker" in the output."""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import datetime
from pathlib import Path

__all__ = ["REFUSALS", "Sweep", "event_line", "import_events", "read_rows"]

REFUSALS = ("cannot be reached", "cannot honour")
"""Exit-2 messages that are the documented answer to a drawn round, not a failure."""


class Sweep:
    """Runs commands and keeps every failure."""

    def __init__(self, program: str) -> None:
        self.program = program
        self.failures: list[str] = []

    def run(
        self, args: list[str], *, refusals: tuple[str, ...] = (), codes: tuple[int, ...] = (0,)
    ) -> int | None:
        """Run ``matchmaker ARGS``; its exit code, or ``None`` when it failed the sweep
        (``codes``: the exit codes that are an answer, not a failure)."""
        done = self._run(args, refusals, codes)
        return None if done is None else done.returncode

    def capture(self, args: list[str]) -> str | None:
        """Run ``matchmaker ARGS``; what it printed, or ``None`` when it failed the sweep."""
        done = self._run(args, (), (0,))
        return None if done is None else done.stdout

    def _run(
        self, args: list[str], refusals: tuple[str, ...], codes: tuple[int, ...]
    ) -> subprocess.CompletedProcess[str] | None:
        done = subprocess.run([self.program, *args], capture_output=True, text=True)
        output = done.stdout + done.stderr
        refused = done.returncode == 2 and any(r in output for r in refusals)
        broken = "Traceback" in output or "bug in matchmaker" in output
        if broken or (done.returncode not in codes and not refused):
            self.fail(f"exit {done.returncode}: matchmaker {' '.join(args)}\n{output[-1500:]}")
            return None
        return done

    def fail(self, text: str) -> None:
        self.failures.append(text)
        print("FAIL", text, flush=True)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file the commands wrote."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def event_line(kind: str, entity: str, time: datetime, actor: str, /, **data: object) -> str:
    """One line of an events file (JSONL) for ``ops import``."""
    record = {"kind": kind, "entity": entity, "time": time.isoformat(), "actor": actor, **data}
    return json.dumps(record) + "\n"


def import_events(sweep: Sweep, path: Path, lines: str, store_args: list[str]) -> bool:
    """Write ``lines`` to ``path`` and ``ops import`` them; whether that passed (no lines:
    nothing to do)."""
    if not lines:
        return True
    path.write_text(lines, encoding="utf-8")
    return sweep.run(["ops", "import", str(path), *store_args]) == 0
