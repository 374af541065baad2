"""Row models and cell parsers: what a cell may hold, and the JSON Schema of each table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from matchmaker.io import input_json_schemas
from matchmaker.io._cells import (
    CellError,
    cell_text,
    parse_certificates,
    parse_datetime,
    parse_number,
    parse_skills,
)
from matchmaker.io._schemas import JobRow, WorkerRow, required_columns


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (pd.NaT, ""),
        (3.0, "3"),
        (np.float64(4.25), "4.25"),
        (np.int64(7), "7"),
        ("  w1 ", "w1"),
        (["a", "b"], "a;b"),
        ({"cleaning": 3}, "cleaning:3"),
        (date(2027, 5, 1), "2027-05-01"),
        (
            datetime(2026, 12, 1, 9, tzinfo=timezone(timedelta(hours=8))),
            "2026-12-01T09:00:00+08:00",
        ),
    ],
)
def test_cell_text_is_what_a_user_would_type(value: object, text: str) -> None:
    """Typed cells (Excel, Parquet, JSON, DataFrames) become the text a CSV would hold."""
    assert cell_text(value) == text


def test_list_cells_skip_empty_items() -> None:
    """A trailing or doubled ';' is not an item."""
    assert parse_skills("cleaning:3;;elderly_care: 2;") == {"cleaning": 3, "elderly_care": 2}
    assert parse_certificates("health:2027-05-01;") == (("health", date(2027, 5, 1)),)


@pytest.mark.parametrize("text", ["cleaning", "cleaning:", ":3", "cleaning:3;cleaning:2"])
def test_malformed_skill_lists_are_rejected(text: str) -> None:
    """Items without a level, without a name, or repeated are errors."""
    with pytest.raises(CellError):
        parse_skills(text)


def test_numbers_accept_whole_floats_but_not_fractions_for_counts() -> None:
    """'3.0' is a whole number (spreadsheet exports write it); '2.5', 'inf' and 'x' are not."""
    assert parse_number("3.0", whole=True) == 3
    for text in ("2.5", "inf", "nan", "x"):
        with pytest.raises(CellError):
            parse_number(text, whole=True)


def test_datetimes_need_an_offset_or_a_zone() -> None:
    """An offset is kept; without one the zone applies; without both it is an error."""
    aware = parse_datetime("2026-12-01T09:00:00Z", None)
    assert aware.utcoffset() == timedelta(0)
    local = parse_datetime("2026-12-01T09:00:00", ZoneInfo("Asia/Shanghai"))
    assert local.utcoffset() == timedelta(hours=8)
    with pytest.raises(CellError, match="no UTC offset"):
        parse_datetime("2026-12-01T09:00:00", None)


def test_wall_clock_time_the_clocks_skip_is_an_error() -> None:
    """02:30 on 2027-03-28 does not exist in Berlin (02:00 -> 03:00): without an offset it
    is an error naming the zone and the day; with an offset it is taken as given."""
    berlin = ZoneInfo("Europe/Berlin")
    for text in ("2027-03-28T02:00:00", "2027-03-28T02:30:00", "2027-03-28T02:59:59"):
        with pytest.raises(CellError, match=r"does not exist in Europe/Berlin.*2027-03-28"):
            parse_datetime(text, berlin)
    assert parse_datetime("2027-03-28T01:59:00", berlin).utcoffset() == timedelta(hours=1)
    assert parse_datetime("2027-03-28T03:00:00", berlin).utcoffset() == timedelta(hours=2)
    given = parse_datetime("2027-03-28T02:30:00+01:00", berlin)
    assert given == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_wall_clock_time_the_clocks_repeat_is_the_first_occurrence() -> None:
    """02:30 on 2027-10-31 happens twice in Berlin: without an offset it is the first, on
    summer time (+02:00); an explicit +01:00 picks the second, an hour later."""
    berlin = ZoneInfo("Europe/Berlin")
    first = parse_datetime("2027-10-31T02:30:00", berlin)
    assert first.utcoffset() == timedelta(hours=2)
    # Python's == is False across zones for a time in a repeated hour: compare in UTC.
    assert first.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    second = parse_datetime("2027-10-31T02:30:00+01:00", berlin)
    assert second == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_row_models_forbid_unknown_fields() -> None:
    """Extra keys never reach the domain: the loader drops them, the model refuses them."""
    with pytest.raises(ValidationError):
        WorkerRow.model_validate(
            {"worker_id": "w1", "gender": "F", "home_lat": "1", "home_lon": "2", "x": "y"}
        )


def test_required_columns_are_the_fields_without_default() -> None:
    """The required columns of workers and jobs."""
    assert required_columns("workers") == ("worker_id", "gender", "home_lat", "home_lon")
    assert required_columns("jobs") == (
        "job_id",
        "customer_id",
        "service_type",
        "earliest_start",
        "latest_start",
        "duration_minutes",
    )


def test_json_schemas_describe_every_table_and_column() -> None:
    """One schema per table with every column; enums, ranges and requirements show."""
    schemas = input_json_schemas()
    assert list(schemas) == ["workers", "customers", "jobs", "availability", "placement_requests"]
    workers = schemas["workers"]
    assert list(workers["properties"]) == list(WorkerRow.model_fields)
    assert workers["properties"]["gender"]["enum"] == ["F", "M"]
    assert workers["properties"]["rating"]["maximum"] == 5
    assert workers["additionalProperties"] is False
    assert set(schemas["jobs"]["required"]) == set(required_columns("jobs"))
    assert "excluded_workers" in schemas["jobs"]["properties"]
    assert JobRow.model_fields["priority"].default == 3
