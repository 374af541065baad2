"""A plan report: :func:`plan_report` builds it, :func:`write_report` writes its page.

The report reads a :class:`~matchmaker.plan.Plan` with its dataset, or a plan folder
(its ``input/`` copy, or a dataset given for a plan made by hand). Its page is one
self-contained HTML file (:mod:`matchmaker.report._html`); its Gantt and map are also
static pictures (:mod:`matchmaker.report._figures`, the ``plot`` extra).

**The hook for "what would serve it"**: when the plan's ``unassigned.csv`` (or the
``unassigned`` frame given) has a ``smallest_change`` column, the report shows it per job
and a section "Unserved value: what would serve it" grouping the unserved jobs by that
change, weighted by priority; ``extra_tables`` adds any other table under its title.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from matchmaker.io import load_plan_input, load_plan_policy, read_plan
from matchmaker.model import Dataset, PlanError, Policy, RequestError
from matchmaker.plan import LANGUAGES, Plan, localize_change, localized_plan, message, redacted
from matchmaker.report._data import ReportData, build_report_data
from matchmaker.report._figures import gantt_figure, map_figure
from matchmaker.report._html import render_html
from matchmaker.whatif import smallest_changes, what_would_serve_most

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["SERVE_MOST_SECONDS", "PlanReport", "plan_report", "write_report"]

SERVE_MOST_SECONDS = 10.0
"""How long a report searches the smallest changes of its unassigned jobs by default."""
_PERSONAL = ("worker_name", "customer_name", "address")
"""Columns of plan files that ``redact`` leaves out."""


@dataclass(frozen=True, kw_only=True)
class PlanReport:
    """A plan report: its data, its page and its pictures."""

    data: ReportData
    lang: str
    title: str

    def to_html(self) -> str:
        """The report as one self-contained HTML page."""
        return render_html(self.data, lang=self.lang, title=self.title)

    def _repr_html_(self) -> str:
        """The page in a notebook: inside an iframe, so its styles stay its own."""
        page = escape(self.to_html(), quote=True)
        return f'<iframe srcdoc="{page}" style="width:100%;height:900px;border:0"></iframe>'

    def gantt_figure(self, day: str | None = None) -> Figure:
        """The Gantt of ``day`` (default: the first) as a matplotlib figure."""
        return gantt_figure(self.data, lang=self.lang, day=day)

    def map_figure(self, day: str | None = None) -> Figure:
        """The routes of ``day`` (default: every day) as a matplotlib figure."""
        return map_figure(self.data, lang=self.lang, day=day)

    def save_gantt(self, path: str | os.PathLike[str], day: str | None = None) -> Path:
        """Save the Gantt as a picture; the suffix picks the format (``.png``, ``.svg``)."""
        return _save(self.gantt_figure(day), Path(path))

    def save_map(self, path: str | os.PathLike[str], day: str | None = None) -> Path:
        """Save the route map as a picture; the suffix picks the format."""
        return _save(self.map_figure(day), Path(path))


def _save(figure: Figure, path: Path) -> Path:
    import matplotlib.pyplot as plt

    try:
        figure.savefig(path, dpi=120)
    except ValueError as error:  # an unknown format
        raise RequestError(f"{path}: {error}") from None
    finally:
        plt.close(figure)
    return path


def _file_table(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)


def plan_report(
    plan: Plan | str | os.PathLike[str],
    dataset: Dataset | str | os.PathLike[str] | None = None,
    *,
    lang: str = "en",
    title: str | None = None,
    unassigned: pd.DataFrame | None = None,
    unserved_value: pd.DataFrame | None = None,
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
    breaks: Iterable[tuple[str, datetime, datetime]] = (),
    redact: bool = False,
    serve_most_seconds: float | None = SERVE_MOST_SECONDS,
) -> PlanReport:
    """The report of ``plan``: a :class:`Plan` (``dataset`` required) or a plan folder.

    For a folder, ``dataset`` defaults to its ``input/`` copy (give the dataset, or its
    folder, for a plan made by hand); the names and columns of the folder's own
    ``assignments.csv`` and ``unassigned.csv`` are shown too. ``lang`` is ``en`` or ``zh``
    (labels and reason sentences). ``unassigned`` replaces the unassigned table's extra
    columns (for example a ``smallest_change`` column computed in Python);
    ``unserved_value`` replaces the table of the section "Unserved value: what would serve
    it" (by default the unserved jobs grouped by ``smallest_change``, when there is one);
    ``extra_tables`` are shown at the end under their titles; ``breaks`` are
    ``(worker_id, start, end)`` drawn in the Gantt. ``redact`` names workers and customers
    by id only and leaves street addresses out.

    Without ``unserved_value``, a plan with unassigned jobs gets the table of
    :func:`matchmaker.whatif.what_would_serve_most` (e.g. "2 more elderly_care workers in
    Pudong 08:00-12:00 would serve 14 jobs, 91 weighted points"): the smallest changes are
    searched for ``serve_most_seconds``, the most valuable jobs first (``None``: no search,
    the section then groups the unassigned jobs' ``smallest_change`` column).
    """
    from matchmaker.io import load_dataset

    if lang not in LANGUAGES:
        raise RequestError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    files: dict[str, pd.DataFrame] = {}
    weights: Mapping[int, int] | None = None
    policy: Policy | None = None
    if isinstance(plan, Plan):
        if dataset is None:
            raise RequestError("plan_report of a Plan needs its dataset")
        source = plan
    else:
        folder = Path(plan)
        source = read_plan(folder)
        if dataset is None:
            if not (folder / "input").is_dir():
                raise PlanError(
                    f"{folder}: no input/ folder; give the plan's dataset (--dataset) "
                    "for a plan made by hand"
                )
            dataset = load_plan_input(folder)
        policy = load_plan_policy(folder)
        weights = None if policy is None else policy.priority_weights
        for name in ("assignments", "unassigned"):
            table = _file_table(folder / f"{name}.csv")
            if table is not None:
                files[name] = table
    if not isinstance(dataset, Dataset):
        dataset = load_dataset(Path(dataset))
    if redact:
        dataset = redacted(dataset)
        files = {
            name: table.drop(columns=list(_PERSONAL), errors="ignore")
            for name, table in files.items()
        }
    if unassigned is not None:
        files["unassigned"] = unassigned.astype(object).where(unassigned.notna(), None)
    source = localized_plan(source, lang)
    if lang != "en" and "unassigned" in files and "reason" in files["unassigned"].columns:
        files["unassigned"] = files["unassigned"].drop(columns=["reason"])
    data = build_report_data(
        source,
        dataset,
        files=files,
        breaks=breaks,
        extra_tables=extra_tables,
        priority_weights=weights,
        lang=lang,
    )
    if unserved_value is None and serve_most_seconds is not None and source.unassigned:
        unserved_value = _serve_most(source, dataset, policy, serve_most_seconds, lang)
    if unserved_value is not None:
        data = replace(data, unserved_value=unserved_value)
    return PlanReport(data=data, lang=lang, title=title or message(lang, "report.title"))


def _serve_most(
    plan: Plan, dataset: Dataset, policy: Policy | None, seconds: float, lang: str
) -> pd.DataFrame | None:
    """The changes that would serve the most unserved value, in the report's columns and
    ``lang``."""
    chosen = dataset.settings.policy if policy is None else policy
    changes = smallest_changes(dataset, plan, policy=chosen, time_limit=seconds)
    table = what_would_serve_most(dataset, plan, changes, policy=chosen)
    if table.empty:
        return None
    table = table.rename(columns={"sentence": "smallest_change", "value": "weighted"})
    table["smallest_change"] = [localize_change(s, lang) for s in table["smallest_change"]]
    return table[["smallest_change", "jobs", "weighted"]]


def write_report(
    report: PlanReport | Plan | str | os.PathLike[str],
    out: str | os.PathLike[str],
    dataset: Dataset | str | os.PathLike[str] | None = None,
    *,
    lang: str = "en",
    title: str | None = None,
) -> Path:
    """Write the report page (a :class:`PlanReport`, or the report of a plan or plan folder,
    see :func:`plan_report`) to ``out``, an ``.html`` file, atomically; returns the path.

    An ``out`` that does not end in ``.html`` or ``.htm`` is refused (:class:`RequestError`),
    so that no other file is ever written over.
    """
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise RequestError(f"{out}: a report is an .html file; give a name ending in .html")
    if out.is_dir():
        raise RequestError(f"{out} is a folder; give the report's file name")
    if not isinstance(report, PlanReport):
        report = plan_report(report, dataset, lang=lang, title=title)
    page = report.to_html()
    out.parent.mkdir(parents=True, exist_ok=True)
    # A hidden sibling renamed into place: a reader never sees half a page. Default
    # modes, like plan folders (the umask decides who may read it).
    temporary = out.parent / f".{out.name}.{os.getpid()}.tmp"
    try:
        temporary.write_text(page, encoding="utf-8")
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return out
