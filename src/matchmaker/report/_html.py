"""The plan report as one self-contained HTML page: inline CSS, SVG and a little script.

Nothing is fetched when the page is viewed (no CDN, no map tiles, no fonts): the Gantt and
the map are SVG drawn here from the report's data (:mod:`matchmaker.report._data`), the
tooltips are SVG ``<title>`` elements, and the script only sorts tables and picks the day
shown. Every text from the data is escaped. Element classes the browser test counts:
``rect.bar.job`` (one per assignment), ``polyline.route`` (one per worker and shift with
jobs) and ``path.unserved`` (one per unserved job with a location).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from matchmaker.model import elapsed_minutes
from matchmaker.plan import message
from matchmaker.report._data import GanttRow, ReportData

__all__ = ["SERVICE_COLOURS", "render_html", "service_colour"]

SERVICE_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
"""Colours of the service types, in sorted order of the types (then again from the top)."""

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",
sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#1d2733;color:#fff;padding:14px 28px}
header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#c9d3de;font-size:13px}
main{padding:16px 28px;max-width:1400px}
section{background:#fff;border-radius:8px;padding:14px 18px;margin:0 0 16px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:17px;margin:0 0 8px}p.note{color:#5b6775;font-size:12px;margin:0 0 8px}
.kpis{display:flex;flex-wrap:wrap;gap:10px}
.kpi{border:1px solid #e1e6ec;border-radius:6px;padding:8px 12px;min-width:120px}
.kpi b{display:block;font-size:20px}.kpi span{color:#5b6775;font-size:12px}
table{border-collapse:collapse;font-size:12px;width:100%}
th,td{border-bottom:1px solid #e7ebf0;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f3f7;cursor:pointer;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:420px;overflow:auto}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;margin:4px 0 8px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;
border-radius:2px}
svg text{font-size:11px;fill:#1d2733}svg .axis{stroke:#d5dbe2}
rect.idle{fill:#eef2f6}rect.break{fill:#9aa5b1}rect.travel{fill:url(#hatch)}
rect.job{stroke:#fff;stroke-width:.5}
polyline.route{fill:none;stroke-width:1.6;opacity:.8}
path.unserved{stroke:#d62728;stroke-width:2}
#daypick{margin:0 0 8px}
"""

_SCRIPT = """
(function(){
  function cell(r,i){var c=r.children[i];return c?c.getAttribute('data-v')||c.textContent:'';}
  document.querySelectorAll('table.sortable th').forEach(function(th,i){
    th.addEventListener('click',function(){
      var body=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(body.rows);
      var up=th.getAttribute('data-up')!=='1';th.setAttribute('data-up',up?'1':'0');
      rows.sort(function(a,b){var x=cell(a,i),y=cell(b,i),nx=parseFloat(x),ny=parseFloat(y);
        var d=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return up?d:-d;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  var pick=document.getElementById('daypick');
  function show(day){document.querySelectorAll('[data-day]').forEach(function(el){
    el.style.display=(day==='all'||el.getAttribute('data-day')===day)?'':'none';});}
  if(pick){pick.addEventListener('change',function(){show(pick.value);});show(pick.value);}
  document.body.setAttribute('data-ready','1');
})();
"""


def service_colour(services: tuple[str, ...], service: str) -> str:
    """The colour of ``service`` among ``services`` (grey for one not among them)."""
    if service not in services:
        return "#8c8c8c"
    return SERVICE_COLOURS[services.index(service) % len(SERVICE_COLOURS)]


def _route_colour(index: int) -> str:
    hue = (index * 137.508) % 360  # the golden angle: neighbours differ clearly
    return f"hsl({hue:.0f},65%,42%)"


def _text(lang: str, key: str, **fields: object) -> str:
    return escape(message(lang, f"report.{key}", **fields))


def _value(value: Any) -> tuple[str, bool]:
    """A cell as text, and whether it is a number (right-aligned)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "", False
    if isinstance(value, bool | np.bool_):
        return str(value), False
    if isinstance(value, int | np.integer):
        return f"{value}", True
    if isinstance(value, float | np.floating):
        value = float(value)
        return (f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"), True
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat(timespec="minutes"), False
    try:
        missing = bool(pd.isna(value))
    except (TypeError, ValueError):
        missing = False
    return ("", False) if missing else (str(value), False)


def _table(frame: pd.DataFrame, headers: dict[str, str], *, scroll: bool = True) -> str:
    """An HTML table of ``frame``'s columns named in ``headers`` (then any others)."""
    columns = [c for c in headers if c in frame.columns]
    columns += [c for c in frame.columns if c not in headers]
    head = "".join(f"<th>{escape(headers.get(c, c))}</th>" for c in columns)
    body: list[str] = []
    for record in frame[columns].itertuples(index=False, name=None):
        cells = []
        for value in record:
            text, number = _value(value)
            cells.append(
                f'<td class="num">{escape(text)}</td>' if number else f"<td>{escape(text)}</td>"
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        f'<table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    return f'<div class="scroll">{table}</div>' if scroll else table


def _headers(lang: str, **columns: str) -> dict[str, str]:
    return {column: message(lang, f"report.col.{key}") for column, key in columns.items()}


def _kpis(data: ReportData, lang: str) -> str:
    a, u, w = data.assignments, data.unassigned, data.workers
    served = a["job_id"].nunique() if not a.empty else 0
    total = len(data.job_points) or served + len(u)
    work = int(w["work_minutes"].sum())
    shift = w["shift_minutes"].dropna().sum() if "shift_minutes" in w.columns else 0
    cards: list[tuple[str, str]] = [
        ("served", f"{served} / {total}"),
        ("fill_rate", f"{served / total:.1%}" if total else "-"),
    ]
    if data.kpis.get("priority_served") is not None:
        cards.append(("priority_served", f"{float(data.kpis['priority_served']):.1%}"))
    cards += [
        ("travel", f"{int(a['travel_minutes'].sum()) if not a.empty else 0:,}"),
        ("work", f"{work:,}"),
        ("utilisation", f"{work / shift:.1%}" if shift else "-"),
        ("workers_used", f"{int((w['jobs'] > 0).sum())} / {len(w)}"),
        ("match_score", f"{a['match_score'].mean():.1f}" if not a.empty else "-"),
    ]
    if data.kpis.get("objective") is not None:
        cards.append(("objective", f"{int(data.kpis['objective']):,}"))
    if data.kpis.get("backend"):
        cards.append(("solver", f"{data.kpis['backend']} (seed {data.kpis.get('seed')})"))
    items = "".join(
        f'<div class="kpi"><b>{escape(value)}</b><span>{_text(lang, f"kpi.{key}")}</span></div>'
        for key, value in cards
    )
    return f'<div class="kpis" id="kpis">{items}</div>'


def _legend(data: ReportData, lang: str) -> str:
    items = [
        f'<span><i style="background:{service_colour(data.services, s)}"></i>{escape(s)}</span>'
        for s in data.services
    ]
    items.append(
        '<span><i style="background:repeating-linear-gradient(45deg,#7f8c99 0 2px,#fff 2px 4px)">'
        f"</i>{_text(lang, 'travel')}</span>"
    )
    items.append(f'<span><i style="background:#9aa5b1"></i>{_text(lang, "break")}</span>')
    items.append(f'<span><i style="background:#eef2f6"></i>{_text(lang, "idle")}</span>')
    return f'<div class="legend">{"".join(items)}</div>'


def _gantt_day(data: ReportData, rows: list[GanttRow], day: str) -> str:
    zone = data.zone
    first = min(r.shift_start for r in rows).astimezone(zone)
    last = max(r.shift_end for r in rows).astimezone(zone)
    origin = first.replace(minute=0, second=0, microsecond=0)
    span = max(elapsed_minutes(origin, last), 60.0)
    left, width, height, top, right = 190, 1000, 16, 22, 40

    def x(moment: datetime) -> float:
        return left + elapsed_minutes(origin, moment) / span * width

    parts: list[str] = []
    hour = origin
    while hour <= last:
        px = x(hour)
        parts.append(f'<line class="axis" x1="{px:.1f}" y1="{top - 4}" x2="{px:.1f}" ')
        parts.append(f'y2="{top + len(rows) * (height + 3)}"/>')
        parts.append(f'<text x="{px + 2:.1f}" y="{top - 8}">{hour.strftime("%H:%M")}</text>')
        hour = (hour + timedelta(hours=1)).astimezone(zone)
    for i, row in enumerate(rows):
        y = top + i * (height + 3)
        label = f"{row.worker_id} {row.name}".strip()
        parts.append(f'<text x="4" y="{y + 12}">{escape(label[:28])}</text>')
        for bar in row.bars:
            bx, bw = x(bar.start), max(x(bar.end) - x(bar.start), 0.5)
            colour = (
                f' style="fill:{service_colour(data.services, bar.service)}"'
                if bar.kind == "job"
                else ""
            )
            job = f' data-job="{escape(bar.job_id)}"' if bar.job_id else ""
            parts.append(
                f'<rect class="bar {bar.kind}" x="{bx:.1f}" y="{y}" width="{bw:.1f}" '
                f'height="{height}"{colour}{job}><title>{escape(bar.label)}</title></rect>'
            )
    total_height = top + len(rows) * (height + 3) + 4
    total_width = left + width + right
    return (
        f'<div data-day="{escape(day)}"><h3>{escape(day)}</h3>'
        f'<svg class="gantt" width="{total_width}" height="{total_height}" '
        f'viewBox="0 0 {total_width} {total_height}" xmlns="http://www.w3.org/2000/svg">'
        f"{''.join(parts)}</svg></div>"
    )


_HATCH = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true">'
    '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/>'
    '<line x1="0" y1="0" x2="0" y2="4" stroke="#7f8c99" stroke-width="2"/></pattern></defs></svg>'
)
"""The travel hatching, defined once for every Gantt of the page."""


def _gantt(data: ReportData, lang: str) -> str:
    days = [d for d in data.days if any(r.day == d for r in data.rows)]
    body = "".join(_gantt_day(data, [r for r in data.rows if r.day == d], d) for d in days)
    return (
        f'<section id="gantt"><h2>{_text(lang, "gantt")}</h2>'
        f'<p class="note">{_text(lang, "gantt.note")}</p>{_legend(data, lang)}{_HATCH}{body}'
        "</section>"
    )


def _projection(
    data: ReportData, width: int, height: int, pad: int
) -> Callable[[float, float], tuple[float, float]]:
    """Equirectangular, longitudes shrunk by the cosine of the middle latitude, to fit."""
    points = [p for r in data.routes for p in r.points]
    points += [(lat, lon) for lat, lon, _, _ in data.job_points.values()]
    lats = [p[0] for p in points] or [0.0]
    lons = [p[1] for p in points] or [0.0]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * shrink, 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    shift_x = (width - 2 * pad - span_x * scale) / 2  # centred across the width
    west, north = min(lons), max(lats)

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (pad + shift_x + (lon - west) * shrink * scale, pad + (north - lat) * scale)

    return project


def _map(data: ReportData, lang: str) -> str:
    width, height, pad = 1000, 680, 20
    project = _projection(data, width, height, pad)
    parts: list[str] = []
    for i, route in enumerate(data.routes):
        xy = [project(lat, lon) for lat, lon in route.points]
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in xy)
        colour = _route_colour(i)
        title = escape(f"{route.worker_id} {route.day}: " + " -> ".join(route.job_ids))
        parts.append(
            f'<g data-day="{escape(route.day)}"><polyline class="route" points="{points}" '
            f'style="stroke:{colour}"><title>{title}</title></polyline>'
            f'<rect class="home" x="{xy[0][0] - 3:.1f}" y="{xy[0][1] - 3:.1f}" width="6" '
            f'height="6" style="fill:{colour}"><title>{escape(route.worker_id)} '
            f"{_text(lang, 'home')}</title></rect></g>"
        )
    days = dict(
        zip(data.unassigned.get("job_id", []), data.unassigned.get("day", []), strict=False)
    )
    served_days = (
        dict(zip(data.assignments["job_id"], data.assignments["day"], strict=False))
        if "day" in data.assignments.columns
        else {}
    )
    for job_id, (lat, lon, service, served) in data.job_points.items():
        px, py = project(lat, lon)
        day = served_days.get(job_id) if served else days.get(job_id)
        on_day = f' data-day="{escape(str(day))}"' if isinstance(day, str) else ""
        title = f"<title>{escape(job_id)} {escape(service)}</title>"
        if served:
            colour = service_colour(data.services, service)
            parts.append(
                f'<circle class="job"{on_day} cx="{px:.1f}" cy="{py:.1f}" r="3.5" '
                f'style="fill:{colour}">{title}</circle>'
            )
        elif job_id in days:
            parts.append(
                f'<path class="unserved"{on_day} d="M{px - 4:.1f},{py - 4:.1f}l8,8m0,-8l-8,8">'
                f"{title}</path>"
            )
    return (
        f'<section id="map"><h2>{_text(lang, "map")}</h2>'
        f'<p class="note">{_text(lang, "map.note")}</p>'
        f'<svg class="map" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" style="background:#fbfcfd;border:1px solid #e1e6ec">'
        f"{''.join(parts)}</svg></section>"
    )


def _unassigned(data: ReportData, lang: str) -> str:
    u = data.unassigned
    if u.empty:
        return (
            f'<section id="unassigned"><h2>{_text(lang, "unassigned")}</h2>'
            f"<p>{_text(lang, 'unassigned.none')}</p></section>"
        )
    shown = u.copy()
    if "earliest_start" in shown.columns and "latest_start" in shown.columns:
        shown["window"] = [
            f"{str(a)[11:16]}-{str(b)[11:16]}" if isinstance(a, str) and isinstance(b, str) else ""
            for a, b in zip(shown["earliest_start"], shown["latest_start"], strict=True)
        ]
    keep = [
        "job_id", "day", "window", "priority", "customer_id", "customer_name", "service_type",
        "district", "reason_code", "reason", "smallest_change",
    ]  # fmt: skip
    shown = shown[[c for c in keep if c in shown.columns]]
    headers = _headers(
        lang,
        job_id="job",
        window="window",
        priority="priority",
        customer_id="customer",
        customer_name="name",
        service_type="service",
        district="district",
        reason_code="reason_code",
        reason="reason",
        smallest_change="smallest_change",
    )
    headers = {"job_id": headers["job_id"], "day": message(lang, "report.day"), **headers}
    reasons = _table(
        data.reasons, _headers(lang, reason_code="reason_code", jobs="count"), scroll=False
    )
    return (
        f'<section id="unassigned"><h2>{_text(lang, "unassigned")}</h2>'
        f"<h3>{_text(lang, 'reasons')}</h3>{reasons}<h3>{_text(lang, 'unassigned')}</h3>"
        f"{_table(shown, headers)}</section>"
    )


def _unserved_value(data: ReportData, lang: str) -> str:
    """The hook of "what would serve the most unserved value": shown when the plan's
    unassigned jobs carry a ``smallest_change``."""
    if data.unserved_value is None:
        return ""
    headers = _headers(lang, smallest_change="smallest_change", jobs="count", job_ids="job")
    return (
        f'<section id="unserved-value"><h2>{_text(lang, "unserved_value")}</h2>'
        f"{_table(data.unserved_value, headers)}</section>"
    )


def render_html(data: ReportData, *, lang: str, title: str) -> str:
    """The whole report page."""
    workers = data.workers.copy()
    worker_headers = _headers(
        lang,
        worker_id="worker",
        name="name",
        jobs="jobs",
        work_minutes="work",
        travel_minutes="travel",
        shift_minutes="shift",
        utilisation="utilisation",
        mean_match_score="score",
    )
    service_headers = _headers(
        lang,
        service_type="service",
        jobs="jobs",
        served="served",
        unserved="unserved",
        fill_rate="fill_rate",
        work_minutes="work",
        mean_match_score="score",
    )
    extra = "".join(
        f"<section><h2>{escape(name)}</h2>{_table(frame, {})}</section>"
        for name, frame in data.extra_tables.items()
    )
    days = data.days
    picker = ""
    if len(days) > 1:
        options = "".join(f'<option value="{escape(d)}">{escape(d)}</option>' for d in days)
        picker = (
            f'<label>{_text(lang, "day")} <select id="daypick">{options}'
            '<option value="all">*</option></select></label>'
        )
    subtitle = message(
        lang,
        "report.generated",
        jobs=len(data.job_points),
        workers=len(data.workers),
        days=", ".join(days),
    )
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header><main>"
        f'<section id="kpi-section"><h2>{_text(lang, "kpis")}</h2>{_kpis(data, lang)}</section>'
        f"{picker}{_gantt(data, lang)}{_map(data, lang)}{_unassigned(data, lang)}"
        f"{_unserved_value(data, lang)}"
        f'<section id="workers"><h2>{_text(lang, "workers")}</h2>'
        f"{_table(workers, worker_headers)}</section>"
        f'<section id="services"><h2>{_text(lang, "services")}</h2>'
        f"{_table(data.services_table, service_headers, scroll=False)}</section>"
        f"{extra}</main><script>{_SCRIPT}</script></body></html>"
    )
