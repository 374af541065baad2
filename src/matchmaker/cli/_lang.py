"""``--lang``: the language of reason sentences, explanations and report labels."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

__all__ = ["LangOption", "Language"]


class Language(enum.StrEnum):
    """The languages of :data:`matchmaker.plan.MESSAGES`."""

    EN = "en"
    ZH = "zh"


LangOption = Annotated[
    Language,
    typer.Option(
        "--lang",
        help="Language of reason sentences and labels: en or zh (中文). Reason codes and "
        "column names stay as they are.",
    ),
]
