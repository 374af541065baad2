"""User text reaches the terminal as it is: rich markup in messages and values is escaped."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

import matchmaker.io._tables as tables_module
from matchmaker.cli import app
from matchmaker.cli._ops_output import print_rows, records
from tests.io.builders import base_tables, with_cell, write_dataset

runner = CliRunner()


def test_a_hint_with_square_brackets_prints_verbatim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Excel hint ``pip install matchmaker[xlsx]`` is printed with its ``[xlsx]``, in
    ``validate``'s table and in ``dispatch``'s error line."""
    folder = write_dataset(tmp_path / "ds", fmt="xlsx")
    monkeypatch.setattr(tables_module, "_openpyxl_installed", lambda: False)
    for command in (["validate"], ["dispatch", "--out", str(tmp_path / "plan")]):
        result = runner.invoke(app, [*command, str(folder)])
        assert result.exit_code == 2
        assert "pip install matchmaker[xlsx]" in result.stderr, command
    assert not (tmp_path / "plan").exists()


def test_a_cell_value_that_looks_like_markup_prints_verbatim(tmp_path: Path) -> None:
    """A bad cell ``[red]north`` is shown as ``[red]north``, not as a red ``north``."""
    folder = write_dataset(
        tmp_path / "ds", with_cell(base_tables(), "workers", 2, "travel_mode", "[red]north")
    )
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "[red]north" in result.stderr


def test_an_error_message_with_markup_prints_verbatim(tmp_path: Path) -> None:
    """``fail`` escapes the message: a folder called ``[bold]x`` is named as it is."""
    missing = tmp_path / "[bold]x"
    result = runner.invoke(app, ["verify", str(missing), str(tmp_path / "plan")])
    assert result.exit_code == 2
    assert "[bold]x" in result.stderr


def test_ops_tables_show_cell_text_verbatim() -> None:
    """Report tables of ``ops`` escape their title, headers and cells."""
    frame = pd.DataFrame({"[b]area": ["[red]north", "south"], "jobs": [3, 4]})
    out = io.StringIO()
    print_rows(Console(file=out, width=200), "[i]workers", records(frame), list(frame.columns))
    text = out.getvalue()
    assert "[red]north" in text and "[b]area" in text and "[i]workers" in text
