"""The public surface of matchmaker.io: sorted, complete, importable."""

from __future__ import annotations

import inspect

import matchmaker.io as io_package


def _ruf022_key(name: str) -> tuple[int, str]:
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def test_all_is_sorted_and_lists_every_public_name() -> None:
    """__all__ is sorted and names exactly the public functions and classes re-exported.

    Sorted as ruff's RUF022 keeps it: constants, then classes, then functions.
    """
    names = io_package.__all__
    assert names == sorted(names, key=_ruf022_key)
    public = {
        name
        for name, value in vars(io_package).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert set(names) == public


def test_the_briefed_functions_are_public() -> None:
    """The functions other parts of matchmaker rely on are re-exported."""
    for name in (
        "load_dataset",
        "check_dataset",
        "dataset_from_frames",
        "dataset_to_frames",
        "write_tables",
        "load_settings",
        "summarize",
        "input_json_schemas",
    ):
        assert callable(getattr(io_package, name))
