"""The rounds ``ops jobs`` exported, by the ``input_sha256`` a plan made from each carries.

``plan.json`` holds ``input_sha256``, the hash of the plan's copy of the dataset it was
made from. When ``ops jobs`` writes a round, the hash a plan dispatched from that folder
will carry (plain and with ``--redact``) is recorded in the store setting
:data:`ROUNDS_KEY`, so that ``ops apply-plan`` can refuse a plan made from another dataset.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from matchmaker.lifecycle._operations import Operations

if TYPE_CHECKING:
    from matchmaker.model import Dataset

__all__ = ["MAX_ROUNDS", "ROUNDS_KEY", "exported_rounds", "record_round"]

ROUNDS_KEY = "exported_rounds"
"""Store setting: JSON ``{input_sha256: day}`` of the rounds written, the latest last."""

MAX_ROUNDS = 200
"""Hashes remembered; a plan of an older round is refused as made from another dataset."""


def exported_rounds(ops: Operations) -> dict[str, str]:
    """``{input_sha256: day}`` of the rounds the store exported, the latest last."""
    text = ops.store.get_meta(ROUNDS_KEY)
    rounds: dict[str, str] = json.loads(text) if text else {}
    return rounds


def record_round(
    ops: Operations, folder: Path, day: date, *, dataset: Dataset | None = None
) -> str:
    """Record the round written to ``folder``; returns the ``input_sha256`` of a plan made
    from it (without ``--redact``). ``dataset``: the round as validated when it was
    written (it is read back from ``folder`` without it)."""
    from matchmaker.io import input_sha256, load_dataset
    from matchmaker.plan import redacted

    if dataset is None:
        dataset = load_dataset(folder)
    hashes = (input_sha256(dataset), input_sha256(redacted(dataset)))
    with ops.store.transaction() as tx:
        text = tx.get_meta(ROUNDS_KEY)
        rounds: dict[str, str] = json.loads(text) if text else {}
        for digest in hashes:
            rounds.pop(digest, None)
            rounds[digest] = day.isoformat()
        tx.set_meta(ROUNDS_KEY, json.dumps(dict(list(rounds.items())[-MAX_ROUNDS:])))
    return hashes[0]
