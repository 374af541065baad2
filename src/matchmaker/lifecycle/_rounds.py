"""The rounds ``ops jobs`` exported, by the ``input_sha256`` a plan made from each carries.

``plan.json`` holds ``input_sha256``, the hash of the plan's copy of the dataset it was
made from. That hash needs the round loaded as the dispatcher loads it, which takes
longer than writing it, so ``ops jobs`` only keeps the files it wrote (compressed, the
last :data:`MAX_PENDING`) in the store setting :data:`PENDING_KEY`. ``ops apply-plan``
hashes the rounds kept so (plain and as ``--redact`` copies them) the first time it
needs them, and remembers the hashes in :data:`ROUNDS_KEY`, where it looks the plan up.
"""

from __future__ import annotations

import base64
import json
import tempfile
import zlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from matchmaker.lifecycle._operations import Operations
from matchmaker.model import DatasetError

__all__ = [
    "MAX_PENDING",
    "MAX_ROUNDS",
    "PENDING_KEY",
    "ROUNDS_KEY",
    "exported_rounds",
    "record_round",
]

ROUNDS_KEY = "exported_rounds"
"""Store setting: JSON ``{input_sha256: day}`` of the rounds hashed, the latest last."""

PENDING_KEY = "exported_round_files"
"""Store setting: JSON list of the rounds written and not hashed yet, oldest first."""

MAX_ROUNDS = 200
"""Hashes remembered; a plan of an older round is refused as made from another dataset."""

MAX_PENDING = 20
"""Rounds kept unhashed; a plan of a round written more exports ago than this, and never
looked up since, is refused as made from another dataset."""


def _pack(day: date, files: Mapping[str, str]) -> str:
    text = json.dumps({"day": day.isoformat(), "files": dict(files)}, sort_keys=True)
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")


def _unpack(blob: str) -> tuple[str, dict[str, str]]:
    data = json.loads(zlib.decompress(base64.b64decode(blob)).decode("utf-8"))
    return str(data["day"]), {str(k): str(v) for k, v in data["files"].items()}


def record_round(ops: Operations, files: Mapping[str, str], day: date) -> None:
    """Keep the files of the round written for ``day`` (name -> text) until a plan of it is
    applied; the same round written again is kept once, as the latest."""
    blob = _pack(day, files)
    with ops.store.transaction() as tx:
        text = tx.get_meta(PENDING_KEY)
        pending: list[str] = [b for b in (json.loads(text) if text else []) if b != blob]
        pending.append(blob)
        tx.set_meta(PENDING_KEY, json.dumps(pending[-MAX_PENDING:]))


def _hashes(files: Mapping[str, str]) -> tuple[str, ...]:
    """The ``input_sha256`` of a plan made from the round's files, without and with
    ``--redact``; none for files that would not load (no plan can come from them)."""
    from matchmaker.io import input_sha256, load_dataset
    from matchmaker.plan import redacted

    with tempfile.TemporaryDirectory(prefix="matchmaker-round-") as temp:
        folder = Path(temp)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        try:
            dataset = load_dataset(folder)
        except DatasetError:
            return ()
    return input_sha256(dataset), input_sha256(redacted(dataset))


def exported_rounds(ops: Operations, *, looking_for: str | None = None) -> dict[str, str]:
    """``{input_sha256: day}`` of the rounds the store exported, the latest last.

    The rounds written since they were last looked up are hashed and remembered first,
    the latest first; with ``looking_for`` only until that hash is found (a plan of the
    round just written costs one hashing, not one per round kept).
    """
    text = ops.store.get_meta(ROUNDS_KEY)
    known: dict[str, str] = json.loads(text) if text else {}
    if looking_for is not None and looking_for in known:
        return known
    text = ops.store.get_meta(PENDING_KEY)
    pending: list[str] = json.loads(text) if text else []
    hashed: dict[str, str] = {}
    done: set[str] = set()
    for blob in reversed(pending):
        day, files = _unpack(blob)
        digests = _hashes(files)
        hashed.update({digest: day for digest in digests if digest not in hashed})
        done.add(blob)
        if looking_for is not None and looking_for in digests:
            break
    if not done:
        return known
    with ops.store.transaction() as tx:
        text = tx.get_meta(ROUNDS_KEY)
        rounds: dict[str, str] = json.loads(text) if text else {}
        for digest, day in reversed(list(hashed.items())):  # oldest first: latest last
            rounds.pop(digest, None)
            rounds[digest] = day
        rounds = dict(list(rounds.items())[-MAX_ROUNDS:])
        tx.set_meta(ROUNDS_KEY, json.dumps(rounds))
        # Rounds not hashed yet, and those another command wrote meanwhile, stay.
        now = tx.get_meta(PENDING_KEY)
        left = [b for b in (json.loads(now) if now else []) if b not in done]
        tx.set_meta(PENDING_KEY, json.dumps(left))
    return rounds
