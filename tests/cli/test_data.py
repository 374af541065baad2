"""`matchmaker validate`, `schema` and `generate`: exit codes, messages, no tracebacks."""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import matchmaker.cli._data as data_commands
from tests.io.builders import base_tables, with_cell, write_dataset


def _full_app_available() -> bool:
    # cli/__init__ also mounts the dispatch and ops command groups, written separately.
    try:
        importlib.import_module("matchmaker.cli")
    except ImportError:
        return False
    return True


def _local_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    data_commands.register(app)

    @app.callback()
    def _root() -> None:
        """Data commands."""

    return app


runner = CliRunner()
app = _local_app()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_validate_a_valid_dataset_exits_0_with_a_summary(tmp_path: Path) -> None:
    """A valid dataset: exit 0, rows per table and service types on stdout, nothing on stderr."""
    folder = write_dataset(tmp_path / "ds")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "workers 3, customers 2, jobs 3, availability 2" in result.stdout
    assert "daily_cleaning 1" in result.stdout
    assert "valid" in result.stdout and result.stderr == ""


def test_validate_an_invalid_dataset_exits_2_naming_file_row_and_column(tmp_path: Path) -> None:
    """Errors go to stderr as file/row/column/value/message rows; exit 2; nothing is written."""
    tables = with_cell(base_tables(), "workers", 3, "rating", "7.5")
    tables = with_cell(tables, "jobs", 4, "priority", "0")
    folder = write_dataset(tmp_path / "ds", tables)
    before = snapshot(folder)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(
        "workers.csv" in line and " 3 " in line and "rating" in line and "7.5" in line
        for line in lines
    )
    assert any("jobs.csv" in line and " 4 " in line and "priority" in line for line in lines)
    assert "2 error(s)" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_validate_shows_warnings_without_failing(tmp_path: Path) -> None:
    """Unknown columns are listed as warnings and the exit code stays 0."""
    tables = base_tables()
    for record in tables["jobs"]:
        record["colour"] = "red"
    result = runner.invoke(app, ["validate", str(write_dataset(tmp_path / "ds", tables))])
    assert result.exit_code == 0
    assert "1 warning(s)" in result.stdout and "colour" in result.stdout


def test_validate_json_prints_one_document(tmp_path: Path) -> None:
    """--format json prints valid, errors, warnings and summary as one JSON document."""
    folder = write_dataset(tmp_path / "ds", with_cell(base_tables(), "jobs", 2, "lat", "91"))
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert [(e["file"], e["row"], e["column"]) for e in document["errors"]] == [
        ("jobs.csv", 2, "lat")
    ]
    assert document["summary"]["rows"]["jobs"] == 3
    valid = runner.invoke(
        app, ["validate", str(write_dataset(tmp_path / "ok")), "--format", "json"]
    )
    assert valid.exit_code == 0
    document = json.loads(valid.stdout)
    assert document["valid"] is True and document["errors"] == []
    assert document["summary"]["jobs_by_service_type"]["infant_care"] == 1


def test_validate_a_missing_folder_exits_2_without_traceback(tmp_path: Path) -> None:
    """A folder that does not exist is a user error: exit 2, one line, no traceback."""
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "not found" in result.stderr and "Traceback" not in result.output


def test_an_unexpected_failure_exits_1_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug inside validation is an internal error: exit 1, no traceback."""

    def broken(path: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(data_commands, "check_dataset", broken)
    result = runner.invoke(app, ["validate", str(write_dataset(tmp_path / "ds"))])
    assert result.exit_code == 1
    assert "internal error" in result.stderr and "Traceback" not in result.output


def test_schema_prints_every_table_or_one() -> None:
    """schema prints the JSON Schema of all tables, or of the one named."""
    everything = runner.invoke(app, ["schema"])
    assert everything.exit_code == 0
    assert list(json.loads(everything.stdout)) == [
        "workers",
        "customers",
        "jobs",
        "availability",
        "placement_requests",
    ]
    jobs = runner.invoke(app, ["schema", "jobs"])
    assert jobs.exit_code == 0
    assert "excluded_workers" in json.loads(jobs.stdout)["properties"]


def test_schema_of_an_unknown_table_exits_2_listing_the_tables() -> None:
    """An unknown table name is a user error that lists the tables."""
    result = runner.invoke(app, ["schema", "worker"])
    assert result.exit_code == 2
    assert "workers, customers, jobs, availability" in result.stderr


requires_generator = pytest.mark.skipif(
    importlib.util.find_spec("matchmaker.generate._generate") is None,
    reason="matchmaker.generate._generate is not there yet",
)


@requires_generator
def test_generate_writes_a_valid_dataset(tmp_path: Path) -> None:
    """generate writes a dataset that validates and prints one summary line."""
    out = tmp_path / "gen"
    args = ["generate", str(out), "--workers", "8", "--jobs", "20", "--seed", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().count("\n") == 0
    assert "8 workers, 20 jobs" in result.stdout
    validated = runner.invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output


@requires_generator
def test_generate_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    """generate never overwrites: a non-empty OUT is exit 2 and stays as it was."""
    out = tmp_path / "gen"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    result = runner.invoke(app, ["generate", str(out), "--workers", "3", "--jobs", "5"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert snapshot(out) == {"mine.txt": b"keep"}


@requires_generator
def test_generate_negative_seed_exits_2(tmp_path: Path) -> None:
    """A negative --seed is invalid input (exit 2, the seed named, nothing written), not an
    internal error: the generator's InvalidSizeError is a request error."""
    out = tmp_path / "gen"
    args = ["generate", str(out), "--workers", "3", "--jobs", "5", "--seed", "-1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "seed must be a whole number >= 0" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.skipif(not _full_app_available(), reason="dispatch/ops command groups missing")
def test_the_matchmaker_app_has_the_data_commands(tmp_path: Path) -> None:
    """The real `matchmaker` app registers validate and schema with the same behaviour."""
    from matchmaker.cli import app as matchmaker_app

    good = runner.invoke(matchmaker_app, ["validate", str(write_dataset(tmp_path / "ok"))])
    assert good.exit_code == 0, good.output
    folder = write_dataset(tmp_path / "bad", with_cell(base_tables(), "workers", 2, "gender", "x"))
    bad = runner.invoke(matchmaker_app, ["validate", str(folder)])
    assert bad.exit_code == 2 and "gender" in bad.stderr
    assert runner.invoke(matchmaker_app, ["schema", "workers"]).exit_code == 0


@requires_generator
def test_generate_load_out_of_reach_exits_2(tmp_path: Path) -> None:
    """A --load the staff cannot offer is invalid input: exit 2, the reason, nothing written."""
    out = tmp_path / "gen"
    args = ["generate", str(out), "--workers", "20", "--jobs", "60", "--load", "0.21"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "cannot be reached" in result.stderr
    assert not out.exists()


@requires_generator
def test_generate_records_the_load_in_the_settings(tmp_path: Path) -> None:
    """--load is part of the command that dataset.toml says reproduces the tables."""
    out = tmp_path / "gen"
    args = ["generate", str(out), "--workers", "20", "--jobs", "60", "--load", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "load 2" in result.stdout
    assert "--load 2\n" in (out / "dataset.toml").read_text(encoding="utf-8")


@requires_generator
def test_the_reproduce_line_of_a_dated_round_in_its_timezone_reproduces_it(
    tmp_path: Path,
) -> None:
    """--start-date and --timezone are in the command dataset.toml says reproduces the
    tables, and that command writes the same files again."""
    out = tmp_path / "gen"
    args = ["generate", str(out), "--workers", "6", "--jobs", "15", "--seed", "2", "--days", "2"]
    args += ["--start-date", "2027-03-27", "--timezone", "Europe/Berlin"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    settings = (out / "dataset.toml").read_text(encoding="utf-8")
    assert 'timezone = "Europe/Berlin"' in settings
    command = settings.splitlines()[1].removeprefix("#   matchmaker ").split()
    assert command[command.index("--start-date") + 1] == "2027-03-27"
    again = tmp_path / "again"
    command[command.index(str(out))] = str(again)
    assert runner.invoke(app, command).exit_code == 0
    for name in ("workers.csv", "customers.csv", "jobs.csv", "availability.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


@requires_generator
@pytest.mark.parametrize("zone", ["Mars/Olympus", "America"])
def test_generate_an_unknown_timezone_exits_2(tmp_path: Path, zone: str) -> None:
    """An unknown --timezone (or a folder of the zone database) is invalid input: exit 2,
    the name, nothing written."""
    out = tmp_path / "gen"
    args = ["generate", str(out), "--workers", "3", "--jobs", "5", "--timezone", zone]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"unknown IANA timezone {zone!r}" in result.stderr
    assert "Traceback" not in result.output and not out.exists()
