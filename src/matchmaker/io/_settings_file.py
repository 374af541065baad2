"""``dataset.toml``: reading it into :class:`~matchmaker.model.DatasetSettings` and back.

Problems are reported as :class:`~matchmaker.model.Issue` naming ``dataset.toml``,
with the dotted key (``travel.speed_kmh``) as the column and no row; a key of an array of
tables (``[[breaks]]``, column ``breaks.1.min_minutes``) also gets its line as the row.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matchmaker.model import DatasetError, DatasetSettings, Issue

__all__ = ["SETTINGS_FILE", "load_settings", "read_settings", "settings_to_toml"]

SETTINGS_FILE = "dataset.toml"


def _issue(column: str | None, value: object, message: str, row: int | None = None) -> Issue:
    return Issue(
        file=SETTINGS_FILE,
        row=row,
        column=column,
        value=None if value is None else str(value),
        message=message,
    )


def read_settings(path: Path) -> tuple[DatasetSettings, list[Issue]]:
    """The settings in ``path`` and the problems found.

    When the file is invalid, the settings returned keep only its timezone (when that key
    alone is valid) so that the tables can still be checked with the right timezone.
    """
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return DatasetSettings(), [_issue(None, None, "is not UTF-8 text; save it as UTF-8")]
    except OSError as error:
        return DatasetSettings(), [_issue(None, None, f"cannot be read: {error.strerror or error}")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return DatasetSettings(), [_issue(None, None, f"is not valid TOML: {error}")]
    except RecursionError:
        return DatasetSettings(), [_issue(None, None, "is not valid TOML: it nests too deeply")]
    try:
        return DatasetSettings.model_validate(data), []
    except ValidationError as error:
        issues = [
            _issue(
                ".".join(str(part) for part in detail["loc"]) or None,
                None if detail["type"] == "missing" else _shown(detail["input"]),
                _settings_message(detail),
                row=_line_of(text, detail["loc"]),
            )
            for detail in error.errors()
        ]
    return _fallback(data), issues


_TABLE_LIST_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_HEADER = re.compile(r"^\s*\[")


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line of ``dataset.toml`` an issue in an array of tables points at: the key's
    line inside its ``[[name]]`` table (``loc`` = name, position, key), else the table's
    header; ``None`` for any other setting (its dotted key names it)."""
    if len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int):
        return None
    name, position = loc[0], loc[1]
    key = loc[2] if len(loc) > 2 and isinstance(loc[2], str) else None
    seen = -1
    header: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TABLE_LIST_HEADER.match(line)
        if match is not None:
            if header is not None:
                break
            if match.group(1) == name:
                seen += 1
                if seen == position:
                    header = number
            continue
        if header is None:
            continue
        if _HEADER.match(line):
            break
        found = _KEY_LINE.match(line)
        if key is not None and found is not None and found.group(1) == key:
            return number
    return header


def _shown(value: object) -> object:
    return None if isinstance(value, dict) else value


def _settings_message(detail: Any) -> str:
    if detail["type"] == "extra_forbidden":
        return "is not a known setting; see the DatasetSettings reference for the keys"
    message = str(detail["msg"]).removeprefix("Value error, ")
    return f"is invalid: {message}"


def _fallback(data: dict[str, Any]) -> DatasetSettings:
    try:
        return DatasetSettings(timezone=data.get("timezone"))
    except ValidationError:
        return DatasetSettings()


def load_settings(path: str | Path) -> DatasetSettings:
    """Read and validate a ``dataset.toml``; raises :class:`DatasetError` listing every issue."""
    settings, issues = read_settings(Path(path))
    if issues:
        raise DatasetError(issues)
    return settings


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value} to TOML")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} to TOML")


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_lines(data: dict[str, Any], prefix: str) -> list[str]:
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict) and not _is_table_list(v)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    table_lists = {k: v for k, v in data.items() if _is_table_list(v)}
    lines: list[str] = []
    if prefix and scalars:
        lines.append(f"[{prefix}]")
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items()]
    for key, table in tables.items():
        name = f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)
        if lines:
            lines.append("")
        lines += _toml_lines(table, name)
    for key, items in table_lists.items():
        # An array of tables ([[breaks]]): one header per item, scalars only.
        name = f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)
        for item in items:
            if lines:
                lines.append("")
            lines.append(f"[[{name}]]")
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in item.items()]
    return lines


def settings_to_toml(settings: DatasetSettings) -> str:
    """``dataset.toml`` text for ``settings``; only values that differ from the defaults."""
    data = settings.model_dump(mode="json", exclude_defaults=True)
    lines = ["# matchmaker dataset settings", *_toml_lines(data, "")]
    return "\n".join(lines) + "\n"
