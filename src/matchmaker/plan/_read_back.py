"""Reading an English sentence back through the templates that wrote it.

The English templates of :data:`~matchmaker.plan._messages.MESSAGES` are exactly the
shapes the outputs write, so each template read as a regular expression (a group per
field) finds which one wrote a text and its fields: :mod:`matchmaker.plan._localize` says
reasons and :mod:`matchmaker.plan._localize_change` smallest changes again in another
language that way.
"""

from __future__ import annotations

import re
from functools import cache
from string import Formatter

from matchmaker.plan._messages import MESSAGES

__all__ = ["read_keys", "read_prefix", "said_gender", "said_words", "template_pattern"]

_NUMBERS = {
    "n",
    "eligible",
    "total",
    "needed",
    "team",
    "more",
    "jobs",
    "work",
    "limit",
    "cost",
    "worth",
}
_FIELD_PATTERNS = {
    "at": r"[0-9:\- ]+?",
    "score": r"[0-9.]+",
    "best": r"[0-9.]+",
    "extras": r"(?: \(.+?\))?",  # a hire's extras, empty when there are none
    # After a district, which may hold spaces and digits (grid 31.20N 121.52E).
    "shift": r"(?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}-\d{2}:\d{2}(?: on .+?)?",
}


@cache
def template_pattern(key: str) -> re.Pattern[str]:
    """The English template ``key`` as a regular expression with a group per field."""
    parts: list[str] = []
    for literal, field, _, _ in Formatter().parse(MESSAGES["en"][key]):
        parts.append(re.escape(literal))
        if field is not None:
            if field in _NUMBERS:
                parts.append(rf"(?P<{field}>\d+)")
            else:
                parts.append(rf"(?P<{field}>{_FIELD_PATTERNS.get(field, '.+?')})")
    return re.compile("".join(parts), re.DOTALL)


def read_prefix(prefix: str, text: str) -> tuple[str, dict[str, str]] | None:
    """The key (without ``.one``) of the first English template under ``prefix`` that
    reads all of ``text``, and the fields read."""
    return read_keys([k for k in MESSAGES["en"] if k.startswith(prefix)], text)


def read_keys(keys: list[str], text: str) -> tuple[str, dict[str, str]] | None:
    """The key (without ``.one``) of the first of the English templates ``keys`` that
    reads all of ``text``, and the fields read."""
    for key in keys:
        found = template_pattern(key).fullmatch(text)
        if found is not None:
            return key.removesuffix(".one"), found.groupdict()
    return None


def said_words(text: str, lang: str) -> str:
    """The joining words (or, and) of a field said in ``lang``."""
    for word in ("word.or", "word.and"):
        text = text.replace(MESSAGES["en"][word], MESSAGES[lang][word])
    return text


def said_gender(text: str, lang: str) -> str:
    """A gender word (female, male) said in ``lang``; any other text as it is."""
    for word in ("word.female", "word.male"):
        if text == MESSAGES["en"][word]:
            return MESSAGES[lang][word]
    return text
