"""The smallest change of an unassigned job in another language (``--lang zh``), and the
rows of "what would serve the most" that add them up.

:mod:`matchmaker.whatif` writes each change in English from the ``change.*`` templates of
:data:`~matchmaker.plan._messages.MESSAGES`; as with reason sentences
(:mod:`matchmaker.plan._localize`), the sentence is read back template by template and said
again in the other language. The kind stays first, as a code a program can key on; ids,
skills, certificate names, districts and times stay as they are; a part no template reads
stays in English.
"""

from __future__ import annotations

from matchmaker.plan._messages import MESSAGES, message
from matchmaker.plan._read_back import read_keys, said_gender, said_words

__all__ = ["localize_change"]

_CHANGES = [
    key
    for key in MESSAGES["en"]
    if key.startswith("change.")
    and key.split(".")[1] not in {"sentence", "then", "new_worker", "extra", "no_skill"}
    and key != "change.hire.extras"
]
"""The templates of the change itself (after ``kind (cost N): ``)."""
_EXTRAS = [key for key in MESSAGES["en"] if key.startswith("change.extra.")]


_SERVE_MOST = ["serve_most.kind", "serve_most.hire", "serve_most.hire.one"]
_WHAT = [key for key in MESSAGES["en"] if key.startswith("serve_most.what.")]


def localize_change(sentence: str, lang: str) -> str:
    """``sentence`` (a ``smallest_change``, or a row of "what would serve the most",
    written in English) said in ``lang``."""
    if lang == "en" or not sentence:
        return sentence
    most = read_keys(_SERVE_MOST, sentence)
    if most is not None:
        key, fields = most
        what = read_keys(_WHAT, fields.get("what", ""))
        if what is not None:
            fields["what"] = message(lang, what[0])
        days = read_keys(["serve_most.days"], fields.get("shift", ""))
        if days is not None:
            fields["shift"] = message(lang, days[0], **days[1])
        return message(lang, key, **fields)
    then = read_keys(["change.then"], sentence)
    if then is not None:
        fields = then[1]
        names = read_keys(["change.new_worker", "change.new_worker.one"], fields["names"])
        if names is not None:
            fields["names"] = message(lang, names[0])
        fields["sentence"] = localize_change(fields["sentence"], lang)
        return message(lang, "change.then", **fields)
    head = read_keys(["change.sentence"], sentence)
    if head is None:  # a change not found has no kind and cost
        return _change(sentence, lang)
    fields = head[1]
    fields["change"] = _change(fields["change"], lang)
    return message(lang, "change.sentence", **fields)


def _change(text: str, lang: str) -> str:
    read = read_keys(_CHANGES, text)
    if read is None:
        return text
    key, fields = read
    if key == "change.hire":
        fields.setdefault("count", "1")  # read from the singular template
        if fields["skills"] == MESSAGES["en"]["change.no_skill"]:
            fields["skills"] = message(lang, "change.no_skill")
        if fields["extras"]:
            fields["extras"] = _extras(fields["extras"], lang)
    if "gender" in fields:
        fields["gender"] = said_gender(fields["gender"], lang)
    if "languages" in fields:
        fields["languages"] = said_words(fields["languages"], lang)
    return message(lang, key, **fields)


def _extras(text: str, lang: str) -> str:
    """`` (health certificate, 3+ years, female, with a car)`` said in ``lang``."""
    read = read_keys(["change.hire.extras"], text)
    if read is None:
        return text
    said: list[str] = []
    for extra in read[1]["listed"].split(", "):
        found = read_keys(_EXTRAS, extra)
        if found is None:
            said.append(said_gender(extra, lang))
        else:
            said.append(message(lang, found[0], **found[1]))
    return message(lang, "change.hire.extras", listed=_SEPARATOR[lang].join(said))


_SEPARATOR = {"en": ", ", "zh": "，"}
