"""Reason sentences and explanations in another language (``--lang zh``).

A plan's reasons are made in English when the plan is built (``CODE: head - parts``,
:mod:`matchmaker.plan._reasons` and :mod:`matchmaker.plan._capacity`). The English
templates of :data:`~matchmaker.plan._messages.MESSAGES` are exactly the shapes of those
parts, so a sentence is read back part by part and each part said again with the other
language's template; ids, skill, certificate and language names and times stay as they are.
A part no template reads (a sentence written by hand or by another tool) stays in English,
so nothing is lost. The codes stay first, so a program can still key on them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from matchmaker.model import Dataset, local_zone
from matchmaker.plan._capacity import clock_time
from matchmaker.plan._explain import JobExplanation, WorkerNote
from matchmaker.plan._localize_change import localize_change
from matchmaker.plan._messages import LANGUAGES, MESSAGES, message
from matchmaker.plan._plan import Plan, ReasonCode
from matchmaker.plan._read_back import (
    read_keys,
    read_prefix,
    said_gender,
    said_words,
    template_pattern,
)

__all__ = ["explanation_text", "localize_reason", "localized_plan"]

_PHRASE_SEPARATOR = {"en": ", ", "zh": "；"}
_LISTING_SEPARATOR = {"en": "; ", "zh": "；"}
_CAPACITY_PHRASES = (
    "phrase.fits",
    "phrase.never_together",
    "phrase.cannot_get_there",
    "phrase.cannot_get_there.one",
    "phrase.all_busy",
    "phrase.not_worth",
)
"""Phrases about eligible workers: one per sentence, with ``, `` inside their listing."""


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")


def _detail(text: str, lang: str) -> str:
    """One worker's standing (``free 09:00-10:00``, ``serves J1 09:00-11:00``, ...)."""
    read = read_prefix("detail.", text)
    if read is None:
        return text
    key, fields = read
    if key == "detail.on_to":
        fields["before"] = _detail(fields["before"], lang)
    return message(lang, key, **fields)


def _listing(text: str, lang: str) -> str:
    """``W0001 (Name) free 09:00-10:00; W0002 serves ...; and 3 more``."""
    items: list[str] = []
    for item in text.split(_LISTING_SEPARATOR["en"]):
        more = template_pattern("listing.more").fullmatch(item)
        if more is not None:
            items.append(message(lang, "listing.more", more=more["more"]))
            continue
        said = item
        for key in MESSAGES["en"]:
            if not key.startswith("detail."):
                continue
            found = re.fullmatch(rf"(.+?) ({template_pattern(key).pattern})", item, re.DOTALL)
            if found is not None:
                said = f"{found[1]} {_detail(found[2], lang)}"
                break
        items.append(said)
    return _LISTING_SEPARATOR[lang].join(items)


def _phrase(text: str, lang: str, keys: list[str]) -> str:
    read = read_keys(keys, text)
    if read is None:
        return text
    key, fields = read
    for name in ("skills", "names", "languages"):
        if name in fields:
            fields[name] = said_words(fields[name], lang)
    for name in ("gender", "required"):
        if name in fields:
            fields[name] = said_gender(fields[name], lang)
    if "listing" in fields:
        fields["listing"] = _listing(fields["listing"], lang)
    return message(lang, key, **fields)


def _parts(text: str, lang: str) -> str:
    """After the dash: one phrase about eligible workers, or pair-rule phrases."""
    if read_keys(list(_CAPACITY_PHRASES), text) is not None:
        return _phrase(text, lang, list(_CAPACITY_PHRASES))
    pair = [k for k in MESSAGES["en"] if k.startswith("phrase.") and k not in _CAPACITY_PHRASES]
    return _PHRASE_SEPARATOR[lang].join(
        _phrase(p, lang, pair) for p in text.split(_PHRASE_SEPARATOR["en"])
    )


def _head(text: str, lang: str) -> str:
    needed = template_pattern("head.needed").fullmatch(text)
    if needed is not None:
        return message(
            lang, "head.needed", head=_head(needed["head"], lang), needed=needed["needed"]
        )
    # "head.needed" wraps another head; the rest are whole heads.
    read = read_keys(
        [k for k in MESSAGES["en"] if k.startswith("head.") and "needed" not in k], text
    )
    if read is None:
        return text
    return message(lang, read[0], **read[1])


def localize_reason(sentence: str, lang: str) -> str:
    """``sentence`` (an English reason, ``CODE: head - parts``) said in ``lang``.

    English comes back unchanged; parts that no template reads stay in English.
    """
    _check(lang)
    if lang == "en":
        return sentence
    found = re.fullmatch(r"([A-Z_]+): (.*)", sentence, re.DOTALL)
    if found is None or found[1] not in ReasonCode.__members__:
        return sentence
    code = f"{found[1]}（{message(lang, f'code.{found[1]}')}）"
    head, dash, parts = found[2].partition(" - ")
    if not dash:
        return message(lang, "sentence.bare", code=code, head=_head(head, lang))
    return message(lang, "sentence", code=code, head=_head(head, lang), parts=_parts(parts, lang))


def localized_plan(plan: Plan, lang: str) -> Plan:
    """``plan`` with the reason sentences and smallest changes of its unassigned jobs
    said in ``lang``."""
    _check(lang)
    if lang == "en":
        return plan
    unassigned = tuple(
        replace(
            u,
            reason=localize_reason(u.reason, lang),
            smallest_change=localize_change(u.smallest_change, lang),
        )
        for u in plan.unassigned
    )
    return replace(plan, unassigned=unassigned)


def _note_detail(note: WorkerNote, lang: str) -> str:
    """An explanation's words on one worker, the standing part said in ``lang`` too."""
    read = read_prefix("note.", note.detail)
    if read is None:
        return note.detail
    key, fields = read
    if "standing" in fields:
        fields["standing"] = _detail(fields["standing"], lang)
    return message(lang, key, **fields)


def _score_parts(note: WorkerNote, lang: str) -> list[str]:
    if not note.components:
        return []
    parts = " + ".join(
        f"{_component(name, lang)} {points:.1f}" for name, points in note.components.items()
    )
    total = f"{sum(note.components.values()):.1f}"
    return [message(lang, "explain.score", total=total, parts=parts)]


def _component(name: str, lang: str) -> str:
    key = f"explain.component.{name}"
    return message(lang, key) if key in MESSAGES[lang] else name.replace("_", " ")


def _summary(dataset: Dataset, job_id: str, lang: str) -> str:
    job = dataset.job(job_id)
    zone = dataset.settings.zone or job.window.start.tzinfo or local_zone(dataset)
    start, latest = job.earliest_start.astimezone(zone), job.latest_start.astimezone(zone)
    window = start.strftime("%Y-%m-%d %H:%M")
    if latest != start:
        window += f"-{clock_time(latest, start)}"
    team = message(lang, "explain.team", n=job.workers_needed) if job.workers_needed > 1 else ""
    pinned = (
        message(lang, "explain.pinned", workers=", ".join(job.pinned_worker_ids))
        if job.is_pinned
        else ""
    )
    return message(
        lang,
        "explain.summary",
        service=job.service_type,
        customer=job.customer_id,
        window=window,
        minutes=job.duration_minutes,
        team=team,
        priority=job.priority,
        pinned=pinned,
    )


def explanation_text(explanation: JobExplanation, dataset: Dataset, lang: str) -> str:
    """:meth:`JobExplanation.to_text` said in ``lang`` (``en`` gives exactly that text).

    The lines, the reason and each worker's standing are said in ``lang``; a rule's own
    sentence about an ineligible worker (the verifier's words) stays in English.
    """
    _check(lang)
    if lang == "en":
        return explanation.to_text()
    e = explanation
    lines = [
        message(lang, "explain.job", job_id=e.job_id, summary=_summary(dataset, e.job_id, lang))
    ]
    if e.status == "assigned" and e.start is not None and e.end is not None:
        lines.append(
            message(
                lang,
                "explain.assigned",
                start=e.start.isoformat(timespec="minutes"),
                end=e.end.isoformat(timespec="minutes"),
            )
        )
        for note in e.assigned:
            lines.append(f"  {note.worker_id} {note.name}: {_note_detail(note, lang)}")
            lines += _score_parts(note, lang)
    else:
        reason = e.reason or ""
        code = "" if e.reason_code is None else e.reason_code.value
        said = reason if reason.startswith(code) else f"{code}: {reason}"
        lines.append(message(lang, "explain.not_assigned", reason=localize_reason(said, lang)))
        if e.smallest_change:
            change = localize_change(e.smallest_change, lang)
            lines.append(message(lang, "explain.smallest_change", change=change))
    lines.append(
        message(lang, "explain.eligible", eligible=e.eligible_workers, total=e.workers_total)
    )
    if e.ineligible_by_rule:
        rules = ", ".join(f"{rule} {count}" for rule, count in e.ineligible_by_rule.items())
        lines.append(message(lang, "explain.ineligible_by_rule", rules=rules))
    ranked = [n for n in e.others if n.role in ("alternative", "eligible")]
    usual = [n for n in e.others if n.role not in ("alternative", "eligible")]
    for key, notes in (
        ("explain.alternatives" if e.status == "assigned" else "explain.eligible_workers", ranked),
        ("explain.usual_workers", usual),
    ):
        if not notes:
            continue
        lines.append(message(lang, key))
        for note in notes:
            score = "" if note.match_score is None else f" [{note.match_score:.1f}]"
            label = (
                ""
                if note.role in ("alternative", "eligible")
                else f" ({message(lang, f'explain.role.{note.role}')})"
            )
            lines.append(
                f"  {note.worker_id} {note.name}{label}{score}: {_note_detail(note, lang)}"
            )
    return "\n".join(lines)
