"""Errors a caller can cause are named ``MatchmakerError`` subclasses, and keep the built-in
base (``ValueError``, ``KeyError``) that matchmaker 0.1 raised, so old handlers still catch them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

import matchmaker
from matchmaker.generate import generate_frames
from matchmaker.io import dataset_to_frames, write_tables
from matchmaker.io._tables import TableFormat
from matchmaker.model import (
    Dataset,
    InvalidSizeError,
    MatchmakerError,
    Policy,
    RequestError,
    UnknownFormatError,
    UnknownJobError,
    UnknownSolverError,
    UnknownTableError,
)
from matchmaker.plan import dispatch, explain_job
from matchmaker.solve import get_solver

REQUEST_ERRORS: dict[type[RequestError], type[Exception]] = {
    UnknownSolverError: ValueError,
    UnknownJobError: KeyError,
    UnknownTableError: ValueError,
    UnknownFormatError: ValueError,
    InvalidSizeError: ValueError,
}


@pytest.mark.parametrize("error", list(REQUEST_ERRORS))
def test_request_errors_keep_their_builtin_base(error: type[RequestError]) -> None:
    """Each request error is a MatchmakerError, a RequestError and its old built-in type,
    and is exported from matchmaker.model and the top-level package."""
    assert issubclass(error, RequestError) and issubclass(error, MatchmakerError)
    assert issubclass(error, REQUEST_ERRORS[error])
    assert getattr(matchmaker, error.__name__) is error
    assert error.__name__ in matchmaker.__all__


def test_unknown_solver_is_an_unknown_solver_error(ok_small: Dataset) -> None:
    """get_solver and dispatch refuse an unknown name with UnknownSolverError naming the choices."""
    with pytest.raises(UnknownSolverError, match="routing, greedy, cpsat"):
        get_solver("magic")
    with pytest.raises(UnknownSolverError, match="'magic'"):
        dispatch(ok_small, solver="magic")


def test_unknown_job_message_reads_as_a_sentence(ok_small: Dataset) -> None:
    """explain_job's UnknownJobError prints its message, not KeyError's quoted repr of it."""
    plan = dispatch(ok_small, solver="greedy", time_limit=1).plan
    with pytest.raises(UnknownJobError) as caught:
        explain_job(ok_small, plan, "NOPE", policy=Policy())
    assert str(caught.value) == "job 'NOPE' is not in the dataset"


@pytest.mark.parametrize(
    ("tables", "fmt", "error", "match"),
    [
        ({"workers"}, "xml", UnknownFormatError, "unknown table format 'xml'"),
        ({"workers", "staff"}, "csv", UnknownTableError, r"unknown table\(s\) \['staff'\]"),
    ],
)
def test_write_tables_refuses_unknown_formats_and_tables(
    tables: set[str],
    fmt: str,
    error: type[RequestError],
    match: str,
    ok_small: Dataset,
    tmp_path: Path,
) -> None:
    """write_tables names an unknown format or table with its own error and writes nothing."""
    frames = dataset_to_frames(ok_small)
    frames = {name: frames.get(name, frames["workers"]) for name in tables}
    with pytest.raises(error, match=match):
        write_tables(frames, tmp_path / "out", fmt=cast(TableFormat, fmt))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("bad", [{"workers": 0}, {"jobs": 1.5}, {"days": True}, {"seed": -3}])
def test_bad_generator_sizes_are_invalid_size_errors(bad: dict[str, Any]) -> None:
    """A size below its least value, or not a whole number, is an InvalidSizeError naming it."""
    arguments = {"workers": 5, "jobs": 5, "seed": 1, "days": 1} | bad
    with pytest.raises(InvalidSizeError, match=next(iter(bad))):
        generate_frames(**arguments)
