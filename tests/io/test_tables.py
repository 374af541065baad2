"""Reading table files (encodings, empty files, formats, row numbers) and writing folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pandas as pd
import pytest

from matchmaker.io import _tables as tables_module
from matchmaker.io import check_dataset, dataset_to_frames, load_dataset, write_tables
from matchmaker.io._tables import TableFormat, read_table
from matchmaker.model import DatasetSettings
from tests.io.builders import base_tables, with_cell, write_dataset


def errors_at(folder: Path) -> list[tuple[str, int | None, str | None]]:
    return [(e.file, e.row, e.column) for e in check_dataset(folder).errors]


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    """A Latin-1 file is an error naming the file and the line of the first bad byte."""
    folder = write_dataset(tmp_path / "ds")
    text = (folder / "customers.csv").read_text(encoding="utf-8").replace("Zhao", "Zhào")
    (folder / "customers.csv").write_bytes(text.encode("latin-1"))
    report = check_dataset(folder)
    assert [(e.file, e.row, e.column) for e in report.errors] == [("customers.csv", 3, None)]
    assert "UTF-8" in report.errors[0].message


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """Spreadsheet exports often start with a BOM; it is not part of the first column name."""
    folder = write_dataset(tmp_path / "ds")
    text = (folder / "workers.csv").read_text(encoding="utf-8")
    (folder / "workers.csv").write_text(text, encoding="utf-8-sig")
    assert check_dataset(folder).ok


@pytest.mark.parametrize(
    ("table", "content", "severity"),
    [
        ("workers", "", "error"),
        (
            "jobs",
            "job_id,customer_id,service_type,earliest_start,latest_start,duration_minutes\n",
            "error",
        ),
        ("availability", "worker_id,start,end\n", "warning"),
        ("customers", "", "warning"),
    ],
)
def test_an_empty_table_is_reported(
    table: str, content: str, severity: str, tmp_path: Path
) -> None:
    """An empty required table is one error; an empty optional one a warning, then ignored."""
    folder = write_dataset(tmp_path / "ds")
    (folder / f"{table}.csv").write_text(content)
    report = check_dataset(folder)
    found = [i for i in report.issues if i.file == f"{table}.csv"]
    assert [(i.row, i.column, i.severity) for i in found] == [(None, None, severity)]
    if severity == "warning":
        # Ignoring the table must not invent errors elsewhere (references to it, locations).
        assert table == "customers" or report.ok


def test_the_same_table_in_two_formats_is_an_error(tmp_path: Path) -> None:
    """workers.csv next to workers.xlsx is reported on both files, with no knock-on errors."""
    folder = write_dataset(tmp_path / "ds")
    write_dataset(tmp_path / "x", fmt="xlsx")
    (tmp_path / "x" / "workers.xlsx").rename(folder / "workers.xlsx")
    assert errors_at(folder) == [("workers.csv", None, None), ("workers.xlsx", None, None)]


def test_a_missing_required_table_is_an_error(tmp_path: Path) -> None:
    """A folder without jobs is reported as a missing table."""
    folder = write_dataset(tmp_path / "ds")
    (folder / "jobs.csv").unlink()
    report = check_dataset(folder)
    assert [(e.file, e.row, e.column) for e in report.errors] == [("jobs", None, None)]
    assert "jobs.csv" in report.errors[0].message


def test_files_that_are_not_tables_are_ignored_with_a_warning(tmp_path: Path) -> None:
    """An unknown table-like file is a warning; other files and hidden ones are ignored."""
    folder = write_dataset(tmp_path / "ds")
    (folder / "workers_old.csv").write_text("junk\n")
    (folder / "README.txt").write_text("notes")
    (folder / "~$workers.xlsx").write_bytes(b"lock")
    report = check_dataset(folder)
    assert report.ok
    assert [(w.file, w.severity) for w in report.warnings] == [("workers_old.csv", "warning")]


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    """Rows are numbered as a spreadsheet shows them, blank lines included."""
    folder = write_dataset(tmp_path / "ds", with_cell(base_tables(), "jobs", 3, "priority", "9"))
    lines = (folder / "jobs.csv").read_text().splitlines()
    (folder / "jobs.csv").write_text("\n".join([lines[0], lines[1], "", *lines[2:]]) + "\n")
    assert errors_at(folder) == [("jobs.csv", 4, "priority")]


def test_json_rows_are_record_index_plus_two(tmp_path: Path) -> None:
    """In JSON, record i (from 0) is reported as row i + 2, like a spreadsheet row."""
    folder = write_dataset(
        tmp_path / "ds", with_cell(base_tables(), "jobs", 3, "priority", "9"), fmt="json"
    )
    assert errors_at(folder) == [("jobs.json", 3, "priority")]


@pytest.mark.parametrize(
    ("content", "row"),
    [("{not json", None), ('{"worker_id": "w1"}', None), ('[{"worker_id": "w1"}, 3]', 3)],
)
def test_malformed_json_is_reported(content: str, row: int | None, tmp_path: Path) -> None:
    """Invalid JSON, a non-list document and a non-object record are file errors."""
    folder = write_dataset(tmp_path / "ds")
    (folder / "workers.csv").unlink()
    (folder / "workers.json").write_text(content)
    assert errors_at(folder) == [("workers.json", row, None)]


def test_a_broken_parquet_file_is_reported(tmp_path: Path) -> None:
    """A file that is not Parquet is an error naming it, not a crash."""
    folder = write_dataset(tmp_path / "ds")
    (folder / "jobs.csv").unlink()
    (folder / "jobs.parquet").write_bytes(b"not parquet at all")
    assert errors_at(folder) == [("jobs.parquet", None, None)]


def test_excel_without_openpyxl_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading .xlsx without the xlsx extra is an issue telling the pip command."""
    folder = write_dataset(tmp_path / "ds", fmt="xlsx")
    monkeypatch.setattr(tables_module, "_openpyxl_installed", lambda: False)
    report = check_dataset(folder)
    assert {e.file for e in report.errors} == {
        "workers.xlsx",
        "jobs.xlsx",
        "customers.xlsx",
        "availability.xlsx",
    }
    assert all("pip install matchmaker[xlsx]" in e.message for e in report.errors)


def test_cells_and_headers_are_stripped(tmp_path: Path) -> None:
    """Spaces around cells and column names do not matter."""
    folder = write_dataset(tmp_path / "ds")
    frame = pd.read_csv(folder / "workers.csv", dtype=str, keep_default_na=False)
    frame.columns = [f" {c} " for c in frame.columns]
    frame = frame.map(lambda v: f"  {v} ")
    frame.to_csv(folder / "workers.csv", index=False)
    assert check_dataset(folder).ok


def test_read_table_gives_text_indexed_by_row_number(tmp_path: Path) -> None:
    """read_table returns every cell as text; the index is the spreadsheet row."""
    path = tmp_path / "jobs.csv"
    path.write_text("job_id,priority\nj1,3\nj2,\n")
    table, issues = read_table(path, "jobs")
    assert issues == [] and table is not None
    assert table.frame.to_dict("index") == {
        2: {"job_id": "j1", "priority": "3"},
        3: {"job_id": "j2", "priority": ""},
    }


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "xlsx"])
def test_write_tables_round_trips_in_every_format(fmt: str, tmp_path: Path) -> None:
    """Tables written by write_tables load back to the same dataset, settings included."""
    settings = DatasetSettings(timezone="Asia/Shanghai")
    dataset = load_dataset(write_dataset(tmp_path / "ds", toml='timezone = "Asia/Shanghai"\n'))
    out = tmp_path / "out"
    write_tables(dataset_to_frames(dataset), out, fmt=cast(TableFormat, fmt), settings=settings)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{name}.{fmt}" for name in ("workers", "jobs", "customers", "availability")]
        + ["dataset.toml"]
    )
    assert load_dataset(out) == dataset


def test_write_tables_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    """Nothing the user has is overwritten: a non-empty folder is refused and left alone."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    frames = dataset_to_frames(load_dataset(write_dataset(tmp_path / "ds")))
    with pytest.raises(FileExistsError):
        write_tables(frames, out)
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    write_tables(frames, empty)
    assert (empty / "workers.csv").is_file()


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When writing a table fails, neither the folder nor a temporary one remains."""
    frames = dataset_to_frames(load_dataset(write_dataset(tmp_path / "ds")))
    written: list[str] = []

    def failing(frame: pd.DataFrame, path: Path, fmt: str) -> None:
        written.append(path.name)
        if len(written) == 2:
            raise OSError("disk full")
        frame.to_csv(path, index=False)

    monkeypatch.setattr(tables_module, "write_table", failing)
    out = tmp_path / "plans" / "out"
    with pytest.raises(OSError, match="disk full"):
        write_tables(frames, out)
    assert len(written) == 2
    assert list((tmp_path / "plans").iterdir()) == []


def test_json_tables_are_written_as_lists_of_records(tmp_path: Path) -> None:
    """A JSON table is a list of objects; blank numbers become null, floats keep precision."""
    frame = pd.DataFrame({"worker_id": ["w1", "w2"], "rating": [4.123456789012345, None]})
    write_tables({"workers": frame}, tmp_path / "out", fmt="json")
    records = json.loads((tmp_path / "out" / "workers.json").read_text())
    assert records == [
        {"worker_id": "w1", "rating": 4.123456789012345},
        {"worker_id": "w2", "rating": None},
    ]
