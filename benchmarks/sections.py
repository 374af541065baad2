"""Named sections of ``benchmarks/RESULTS.md`` that several benchmark scripts share.

``run.py`` owns the top of the file; every other benchmark writes its own section between
``<!-- section NAME -->`` and ``<!-- end NAME -->`` markers, so one script's run never
erases another's figures.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
_START_LOAD = os.getloadavg()[0]
_CORES = os.cpu_count() or 1


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"<!-- section {re.escape(name)} -->\n.*?<!-- end {re.escape(name)} -->\n", re.DOTALL
    )


def sections_of(text: str) -> list[str]:
    """Every marked section in ``text``, markers included, in file order."""
    marked = r"<!-- section ([\w.-]+) -->\n.*?<!-- end \1 -->\n"
    return [m.group(0) for m in re.finditer(marked, text, re.DOTALL)]


def write_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    """Put ``markdown`` into section ``name`` of ``path``, replacing that section only."""
    block = f"<!-- section {name} -->\n{markdown.rstrip()}\n<!-- end {name} -->\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if _pattern(name).search(text):
        text = _pattern(name).sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def keep_sections(new_text: str, path: Path = RESULTS) -> str:
    """``new_text`` followed by the sections the current ``path`` holds (for ``run.py``)."""
    if not path.exists():
        return new_text
    kept = sections_of(path.read_text(encoding="utf-8"))
    return new_text.rstrip("\n") + "\n" + "".join("\n" + s for s in kept)


def load_note() -> str:
    """How busy the machine was when this benchmark started (the load average read when
    this module was first imported: at the end, the benchmark's own processes would count
    in it). The figures are clean only when it ran alone."""
    figures = f"load average {_START_LOAD:.2f} on {_CORES} cores when it started"
    if _START_LOAD > _CORES - 0.5:
        return f"measured under load ({figures}: other work shared the machine)"
    return f"measured alone ({figures})"
