"""A seeded mutation corpus: hundreds of broken variants of one small valid dataset, each
run through ``matchmaker validate`` and ``matchmaker dispatch``.

Whatever the input, the commands must fail as input errors or succeed: no traceback, exit
code 0 or 2, an error that names its file (and row, for a damaged cell), never exit 1 on
a dataset ``validate`` accepted, and nothing written after a failure.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer
import typer.main
import typer.testing
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.generate import generate_dataset

CASES = int(__import__("os").environ.get("FUZZ_CASES", 320))
TABLES = ("workers.csv", "jobs.csv", "customers.csv", "availability.csv")

Files = dict[str, bytes]


@dataclass
class Mutant:
    """One mutated dataset and what was done to it."""

    files: Files
    done: list[str] = field(default_factory=list)
    cells: list[tuple[str, int]] = field(default_factory=list)
    """``(file, row)`` of every cell replaced (row as a spreadsheet shows it)."""


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _table(m: Mutant, rng: random.Random) -> str | None:
    present = [name for name in TABLES if name in m.files]
    return rng.choice(present) if present else None


def _parsed(m: Mutant, rng: random.Random) -> tuple[str, list[list[str]]] | None:
    name = _table(m, rng)
    if name is None:
        return None
    try:
        rows = _rows(m.files[name])
    except (UnicodeDecodeError, csv.Error):
        return None
    return (name, rows) if rows and rows[0] else None


GARBAGE = (
    "",
    " ",
    "abc",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "9" * 400,
    "2026-13-45",
    "2026-12-01",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59+14:00",
    "1900-01-01T00:00:00+08:00",
    "2199-12-31T00:00:00+08:00",
    "2026-12-01T08:00:00",
    "2026-12-01T25:00:00+08:00",
    "W0001",
    "W0001;W0001",
    "W0001;W0002;W0003",
    "nobody",
    "cleaning:9",
    "cleaning:3;cleaning:4",
    "health:0001-01-01",
    "health:2026-02-30",
    "on_leave",
    "suspended",
    "M",
    "x" * 100_000,
    "日本語",
    "ｗ０００１",
    "\u202eevil",
    "[bold]x[/]",
    "[/]",
    "a;b;;c;",
    '"quoted"',
    "a,b",
    "line\nbreak",
    "\x00",
)


def mutate_cell(m: Mutant, rng: random.Random) -> None:
    found = _parsed(m, rng)
    if found is None or len(found[1]) < 2:
        return
    name, rows = found
    r = rng.randrange(1, len(rows))
    if not rows[r]:
        return
    c = rng.randrange(len(rows[r]))
    rows[r][c] = rng.choice(GARBAGE)
    m.files[name] = _csv(rows)
    m.cells.append((name, r + 1))
    m.done.append(f"cell {name} row {r + 1} col {rows[0][c] if c < len(rows[0]) else c}")


def delete_column(m: Mutant, rng: random.Random) -> None:
    found = _parsed(m, rng)
    if found is None:
        return
    name, rows = found
    c = rng.randrange(len(rows[0]))
    m.files[name] = _csv([row[:c] + row[c + 1 :] for row in rows])
    m.done.append(f"delete column {c} of {name}")


def duplicate_column(m: Mutant, rng: random.Random) -> None:
    found = _parsed(m, rng)
    if found is None:
        return
    name, rows = found
    c = rng.randrange(len(rows[0]))
    m.files[name] = _csv([row + row[c : c + 1] for row in rows])
    m.done.append(f"duplicate column {c} of {name}")


def rename_column(m: Mutant, rng: random.Random) -> None:
    found = _parsed(m, rng)
    if found is None:
        return
    name, rows = found
    c = rng.randrange(len(rows[0]))
    old = rows[0][c]
    rows[0][c] = rng.choice(
        (old.upper(), old.title(), old[:-1], old + "s", old.replace("_", " "), "", "x" * 5000)
    )
    m.files[name] = _csv(rows)
    m.done.append(f"rename column {old!r} of {name}")


def truncate_row(m: Mutant, rng: random.Random) -> None:
    found = _parsed(m, rng)
    if found is None or len(found[1]) < 2:
        return
    name, rows = found
    r = rng.randrange(1, len(rows))
    rows[r] = rows[r][: rng.randrange(len(rows[r]) + 1)]
    m.files[name] = _csv(rows)
    m.done.append(f"truncate row {r + 1} of {name}")


def duplicate_row(m: Mutant, rng: random.Random) -> None:
    found = _parsed(m, rng)
    if found is None or len(found[1]) < 2:
        return
    name, rows = found
    rows.append(list(rows[rng.randrange(1, len(rows))]))
    m.files[name] = _csv(rows)
    m.done.append(f"duplicate a row of {name}")


def cut_file(m: Mutant, rng: random.Random) -> None:
    name = _table(m, rng)
    if name is None:
        return
    data = m.files[name]
    m.files[name] = data[: rng.randrange(len(data) + 1)]
    m.done.append(f"cut {name}")


def empty_file(m: Mutant, rng: random.Random) -> None:
    name = _table(m, rng)
    if name is not None:
        m.files[name] = b"" if rng.random() < 0.5 else m.files[name].split(b"\n")[0] + b"\n"
        m.done.append(f"empty {name}")


def delete_file(m: Mutant, rng: random.Random) -> None:
    name = rng.choice(sorted(m.files))
    del m.files[name]
    m.done.append(f"delete {name}")


def bad_bytes(m: Mutant, rng: random.Random) -> None:
    name = rng.choice(sorted(m.files))
    data = bytearray(m.files[name])
    at = rng.randrange(len(data) + 1)
    data[at:at] = rng.choice((b"\xff\xfe", b"\x00", b"\xe2\x28\xa1", "é".encode("latin-1")))
    m.files[name] = bytes(data)
    m.done.append(f"bad bytes in {name}")


def pin(m: Mutant, rng: random.Random) -> None:
    if "jobs.csv" not in m.files or "workers.csv" not in m.files:
        return
    try:
        jobs, workers = _rows(m.files["jobs.csv"]), _rows(m.files["workers.csv"])
    except (UnicodeDecodeError, csv.Error):
        return
    if len(jobs) < 2 or len(workers) < 2 or "pinned_worker_id" not in jobs[0]:
        return
    c = jobs[0].index("pinned_worker_id")
    r = rng.randrange(1, len(jobs))
    if len(jobs[r]) > c:
        jobs[r][c] = rng.choice(workers[1:])[0] if workers[1:] and workers[1] else ""
        m.files["jobs.csv"] = _csv(jobs)
        m.done.append(f"pin jobs row {r + 1}")


TOML_LINES = (
    'timezone = "America"',
    'timezone = "Mars/Olympus"',
    'timezone = "../../etc/passwd"',
    "timezone = 3",
    "[travel]\ndetour_factor = 1e308",
    "[travel]\ndetour_factor = 0",
    "[travel.overhead_minutes]\ntransit = 1000000000000000000",
    "[travel.speed_kmh]\ncar = 1e-300",
    "[travel.speed_kmh]\nrocket = 900",
    "[policy]\ntravel_cost_per_minute = 1000000000000000",
    "[policy]\nmatch_cost_per_point = 1000",
    "[policy]\nstrict_priority = true",
    "[policy.priority_weights]\n1 = 1000000000000",
    "[policy.score_weights]\nrating = 50",
    "unknown_key = 1",
    "a = " + "[" * 5000 + "]" * 5000,
    "= broken",
    "[travel\n",
)


def bad_toml(m: Mutant, rng: random.Random) -> None:
    line = rng.choice(TOML_LINES)
    if rng.random() < 0.5 or "dataset.toml" not in m.files:
        m.files["dataset.toml"] = line.encode() + b"\n"
    else:
        m.files["dataset.toml"] += b"\n" + line.encode() + b"\n"
    m.done.append(f"toml {line[:40]!r}")


def to_json(m: Mutant, rng: random.Random) -> None:
    name = _table(m, rng)
    if name is None:
        return
    stem = name.removesuffix(".csv")
    data = m.files.pop(name)
    try:
        rows = _rows(data)
        records: object = [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
    except (UnicodeDecodeError, csv.Error, IndexError):
        records = {}
    weird = rng.choice((records, records, {"not": "a list"}, [1, 2], "[" * 50_000))
    text = weird if isinstance(weird, str) else json.dumps(weird, ensure_ascii=False)
    m.files[f"{stem}.json"] = text.encode("utf-8")
    m.done.append(f"{name} as JSON")


MUTATIONS: tuple[Callable[[Mutant, random.Random], None], ...] = (
    mutate_cell,
    mutate_cell,
    mutate_cell,
    mutate_cell,
    delete_column,
    duplicate_column,
    rename_column,
    truncate_row,
    duplicate_row,
    cut_file,
    empty_file,
    delete_file,
    bad_bytes,
    pin,
    pin,
    bad_toml,
    to_json,
)


def mutant(base: Files, seed: int) -> Mutant:
    rng = random.Random(seed)
    m = Mutant(files=dict(base))
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        rng.choice(MUTATIONS)(m, rng)
    return m


@pytest.fixture(scope="module")
def base_files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    folder = tmp_path_factory.mktemp("fuzz") / "base"
    generate_dataset(folder, workers=5, jobs=8, seed=4, days=2)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _invoke(runner: CliRunner, args: list[str]) -> tuple[int, str, str]:
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {result.exception!r}"
    )
    return result.exit_code, result.stdout, result.output


def _names_a_file(text: str, files: Files) -> bool:
    names = {*files, "dataset.toml", "workers", "jobs"}
    return any(name in text for name in names)


@pytest.mark.slow
def test_mutated_datasets_fail_cleanly_or_plan(
    base_files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over 300 mutated datasets: validate and dispatch exit 0 or 2, never with a
    traceback; every error names its file (and a row for a damaged cell); dispatch never
    exits 1 on what validate accepted, and writes nothing after a failure."""
    # Build the command line once, not on each of the 600+ calls.
    command = typer.main.get_command(app)
    monkeypatch.setattr(typer.testing, "_get_command", lambda _: command)
    runner = CliRunner()
    outcomes = {0: 0, 2: 0}
    for seed in range(CASES):
        m = mutant(base_files, seed)
        folder = tmp_path / f"m{seed}"
        folder.mkdir()
        for name, data in m.files.items():
            (folder / name).write_bytes(data)
        what = f"seed {seed}: {m.done}"

        code, stdout, output = _invoke(runner, ["validate", str(folder), "--format", "json"])
        assert code in (0, 2), f"{what}: validate exit {code}\n{output[-2000:]}"
        assert "Traceback" not in output, what
        report = json.loads(stdout)
        if code == 2:
            errors = report["errors"]
            assert errors, what
            assert all(_names_a_file(e["file"], m.files) for e in errors), f"{what}: {errors}"
            damaged = {name for name, _ in m.cells}
            if m.cells and len(m.done) == 1:
                assert any(e["row"] is not None for e in errors), f"{what}: {errors}"
                assert any(e["file"] in damaged or e["row"] for e in errors), what

        out = tmp_path / f"plan{seed}"
        args = ["dispatch", str(folder), "--out", str(out), "--solver", "greedy"]
        d_code, _, d_output = _invoke(runner, [*args, "--time-limit", "1"])
        assert "Traceback" not in d_output, what
        assert d_code == code, f"{what}: validate {code}, dispatch {d_code}\n{d_output[-2000:]}"
        if d_code == 2:
            assert not out.exists(), what
            assert _names_a_file(d_output, m.files), f"{what}: {d_output[-2000:]}"
        else:
            assert (out / "assignments.csv").is_file(), what
            shutil.rmtree(out)
        shutil.rmtree(folder)
        outcomes[code] += 1
    # The corpus exercises both sides: broken datasets and ones that still plan.
    assert outcomes[0] >= 20 and outcomes[2] >= 150, outcomes
