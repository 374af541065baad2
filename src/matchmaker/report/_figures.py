"""Static pictures of a plan for notebooks and documents: the Gantt and the route map.

Drawn with matplotlib (the ``plot`` extra: ``pip install 'matchmaker[plot]'``) from the same
data as the HTML report, so both show the same bars and routes. A figure is saved as PNG or
SVG (or any format matplotlib knows) by the suffix of the file name.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

from matchmaker.model import RequestError, elapsed_minutes
from matchmaker.plan import message
from matchmaker.report._data import ReportData
from matchmaker.report._html import service_colour

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["gantt_figure", "map_figure"]

_KIND_STYLE: dict[str, dict[str, Any]] = {
    "idle": {"color": "#eef2f6"},
    "break": {"color": "#9aa5b1"},
    "travel": {"color": "white", "hatch": "////", "edgecolor": "#7f8c99", "linewidth": 0},
}


_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)
"""Fonts with Chinese characters, the first one installed draws ``lang="zh"`` labels."""


def _style(lang: str) -> tuple[str, dict[str, Any]]:
    """The language the labels can be drawn in, and the matplotlib settings for it.

    Chinese labels need a font with Chinese characters; without one installed the
    pictures fall back to English labels rather than draw empty boxes.
    """
    if lang == "en":
        return lang, {}
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for name in _CJK_FONTS:
        if name in installed:
            return lang, {"font.family": "sans-serif", "font.sans-serif": [name, "DejaVu Sans"]}
    return "en", {}


def _keep_fonts(figure: Figure, style: dict[str, Any]) -> Figure:
    """Fix the fonts of ``style`` on every text of ``figure``, so that it draws the same
    when saved or shown later, outside the settings it was made under."""
    if style:
        from matplotlib.text import Text

        figure.canvas.draw()  # makes the tick labels, under the settings
        for text in figure.findobj(Text):
            text.set_fontfamily(style["font.sans-serif"])
    return figure


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        raise RequestError(
            "pictures of a plan need matplotlib: pip install 'matchmaker[plot]'"
        ) from None
    return plt


def gantt_figure(data: ReportData, *, lang: str = "en", day: str | None = None) -> Figure:
    """Every worker's shift of ``day`` (default: the first day) as a Gantt chart."""
    plt = _pyplot()
    lang, style = _style(lang)
    with plt.rc_context(style):
        return _keep_fonts(_gantt(plt, data, lang, day), style)


def _gantt(plt: Any, data: ReportData, lang: str, day: str | None) -> Figure:
    from matplotlib.patches import Patch

    days = [d for d in data.days if any(r.day == d for r in data.rows)]
    if day is None:
        day = days[0] if days else None
    if day is not None and day not in days:
        raise RequestError(f"no shift on day {day!r}; the plan's days are {', '.join(days)}")
    rows = [r for r in data.rows if r.day == day]
    fig, ax = plt.subplots(figsize=(12, max(2.5, 0.28 * len(rows) + 1.2)))
    if rows:
        origin = min(r.shift_start for r in rows)
        for i, row in enumerate(rows):
            for bar in row.bars:
                left = elapsed_minutes(origin, bar.start) / 60
                width = elapsed_minutes(bar.start, bar.end) / 60
                style = (
                    {"color": service_colour(data.services, bar.service)}
                    if bar.kind == "job"
                    else _KIND_STYLE[bar.kind]
                )
                ax.barh(i, width, left=left, height=0.8, **style)
        ax.set_yticks(range(len(rows)), [f"{r.worker_id} {r.name}".strip()[:24] for r in rows])
        ax.invert_yaxis()
        start_hour = origin.astimezone(data.zone).hour + origin.astimezone(data.zone).minute / 60
        last = max(elapsed_minutes(origin, r.shift_end) for r in rows) / 60
        ticks = range(math.ceil(last) + 1)
        ax.set_xticks(list(ticks), [f"{int(start_hour + t) % 24:02d}:00" for t in ticks])
    ax.set_title(f"{message(lang, 'report.gantt')} {day or ''}".strip())
    handles = [Patch(color=service_colour(data.services, s), label=s) for s in data.services]
    travel = message(lang, "report.travel")
    handles.append(Patch(facecolor="white", hatch="////", edgecolor="#7f8c99", label=travel))
    handles.append(Patch(color="#eef2f6", label=message(lang, "report.idle")))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    return cast("Figure", fig)


def map_figure(data: ReportData, *, lang: str = "en", day: str | None = None) -> Figure:
    """The routes of ``day`` (default: every day) from coordinates, with unserved jobs."""
    plt = _pyplot()
    lang, style = _style(lang)
    with plt.rc_context(style):
        return _keep_fonts(_map(plt, data, lang, day), style)


def _map(plt: Any, data: ReportData, lang: str, day: str | None) -> Figure:
    fig, ax = plt.subplots(figsize=(9, 8))
    routes = [r for r in data.routes if day is None or r.day == day]
    cmap = plt.get_cmap("tab20")
    for i, route in enumerate(routes):
        lats = [p[0] for p in route.points]
        lons = [p[1] for p in route.points]
        ax.plot(lons, lats, "-", color=cmap(i % 20), linewidth=1.2, alpha=0.85)
        ax.plot(lons[:1], lats[:1], "s", color=cmap(i % 20), markersize=4)
    unserved = set(data.unassigned["job_id"]) if not data.unassigned.empty else set()
    days = _job_days(data)
    for service in data.services:
        points = [
            (lat, lon)
            for job_id, (lat, lon, kind, served) in data.job_points.items()
            if kind == service and served and (day is None or days.get(job_id) == day)
        ]
        if points:
            ax.scatter(
                [p[1] for p in points],
                [p[0] for p in points],
                s=14,
                color=service_colour(data.services, service),
                label=service,
                zorder=3,
            )
    crosses = [
        (lat, lon)
        for job_id, (lat, lon, _, _) in data.job_points.items()
        if job_id in unserved and (day is None or days.get(job_id) == day)
    ]
    if crosses:
        ax.scatter(
            [p[1] for p in crosses],
            [p[0] for p in crosses],
            marker="x",
            color="#d62728",
            s=30,
            label=message(lang, "report.unassigned"),
            zorder=4,
        )
    mid = sum(p[0] for r in routes for p in r.points) / max(sum(len(r.points) for r in routes), 1)
    ax.set_aspect(1 / max(math.cos(math.radians(mid)), 0.1))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"{message(lang, 'report.map')} {day or ''}".strip())
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    return cast("Figure", fig)


def _job_days(data: ReportData) -> dict[str, str]:
    """The local day of every job of the plan, by job id."""
    days: dict[str, str] = {}
    for frame in (data.unassigned, data.assignments):
        if "day" in frame.columns:
            days.update(zip(frame["job_id"], frame["day"].astype(str), strict=True))
    return days
