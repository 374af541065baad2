"""Sentences of the live commands in every language at once.

A :data:`Said` maps each language of :data:`~matchmaker.plan.MESSAGES` to the sentence in
it, so that a result made once can be shown under any ``--lang``. :func:`said` fills a
template in each language, taking a field that is itself a :data:`Said` in the same
language; :func:`option_sentence` says what a recommended option does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from matchmaker.live._options import Option
from matchmaker.model import Dataset
from matchmaker.plan import LANGUAGES, message

__all__ = ["Said", "joined", "option_sentence", "said"]

Said = Mapping[str, str]
"""One sentence by language."""


def said(key: str, **fields: object) -> Said:
    """Template ``key`` in every language, a :data:`Said` field in the same language."""
    return {
        lang: message(
            lang,
            key,
            **{
                name: value[lang] if isinstance(value, Mapping) else value
                for name, value in fields.items()
            },
        )
        for lang in LANGUAGES
    }


def joined(parts: Sequence[Said], separator: str | Said) -> Said:
    """``parts`` joined, language by language."""
    return {
        lang: (separator if isinstance(separator, str) else separator[lang]).join(
            part[lang] for part in parts
        )
        for lang in LANGUAGES
    }


def option_sentence(dataset: Dataset, option: Option) -> Said:
    """Who can start when, at what travel and match score, and what else moves."""

    def label(worker_id: str) -> str:
        name = dataset.worker(worker_id).name
        return f"{worker_id} ({name})" if name else worker_id

    who = joined([_same(label(p.worker_id)) for p in option.assignments], said("word.and"))
    strongest = sorted(option.components.items(), key=lambda item: -item[1])[:2]
    parts = joined(
        [
            joined([said(f"explain.component.{name}"), _same(f"{points:.0f}")], " ")
            for name, points in strongest
        ],
        ", ",
    )
    text = said(
        "option.sentence",
        who=who,
        at=option.assignments[0].start.strftime("%Y-%m-%d %H:%M"),
        minutes=option.travel_delta,
        score=f"{option.match_score:.1f}",
        parts=parts,
    )
    pieces = [text]
    if option.breaks:
        shown = ", ".join(
            f"{b.worker_id} {b.start.strftime('%H:%M')}-{b.end.strftime('%H:%M')}"
            for b in option.breaks
        )
        pieces.append(said("option.breaks", breaks=shown))
    if not option.moves:
        pieces.append(said("option.nothing_moves"))
        return joined(pieces, "")
    moves = [
        said("option.move", job=m.job_id, before=_clock(m.previous_start), after=_clock(m.start))
        if m.worker_id == m.previous_worker_id
        else said(
            "option.move_to",
            job=m.job_id,
            before=_clock(m.previous_start),
            worker=label(m.worker_id),
            after=_clock(m.start),
        )
        for m in option.moves
    ]
    pieces.append(said("option.moves", n=len(option.moves), moves=joined(moves, "; ")))
    return joined(pieces, "")


def _same(text: str) -> Said:
    """Words that read the same in every language (ids, names, numbers)."""
    return dict.fromkeys(LANGUAGES, text)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")
