"""Replacing a folder so that a kill at any instant loses neither the old nor the new one.

A new folder is written into a hidden sibling ``.NAME.XXXXXXXX.tmp`` (:func:`staging_folder`)
and swapped in by :func:`swap_into_place`: the old folder is renamed to
``.NAME.XXXXXXXX.old``, the new one renamed to ``NAME``, the old one deleted. A kill
between the two renames leaves no ``NAME`` but a complete ``.old``; :func:`recover`, run
at the start of the next write, renames it back before anything else happens and deletes
the leftovers of interrupted writes. So at every instant the old or the new complete
folder is at ``NAME`` or, after a kill, is put back there by the next run.

Folders are created with the default mode (``0o777`` less the umask), like any folder
the user makes; nothing is chmod-ed.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

__all__ = ["recover", "staging_folder", "swap_into_place"]


def _leftovers(out: Path, kind: str) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(out.name)}\.[A-Za-z0-9_]{{8}}\.{kind}")
    if not out.parent.is_dir():
        return []
    found = [p for p in out.parent.iterdir() if pattern.fullmatch(p.name)]
    return sorted(found, key=lambda p: p.lstat().st_mtime, reverse=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def recover(out: Path) -> None:
    """Undo what an interrupted write left at ``out``.

    When ``out`` is missing and a retired ``.old`` folder exists, the newest one is renamed
    back to ``out`` (the write was killed between its two renames). Every other ``.old``
    and every ``.tmp`` staging folder of ``out`` is then deleted. Not safe against a
    concurrent write to the same ``out``.
    """
    out = Path(out)
    retired = _leftovers(out, "old")
    if retired and not out.exists() and not out.is_symlink():
        os.rename(retired.pop(0), out)
    for path in [*retired, *_leftovers(out, "tmp")]:
        _remove(path)


def staging_folder(out: Path) -> Path:
    """A new empty hidden sibling of ``out`` to write into, with the default mode."""
    out = Path(out)
    while True:
        staging = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def swap_into_place(staging: Path, out: Path) -> None:
    """Rename ``staging`` to ``out``; an existing ``out`` is retired first and then deleted.

    A failure between the renames puts the old folder back; a kill there leaves it as a
    ``.old`` sibling that :func:`recover` restores.
    """
    if not out.exists() and not out.is_symlink():
        os.rename(staging, out)
        return
    retired = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.old"
    os.rename(out, retired)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(retired, out)
        raise
    _remove(retired)
