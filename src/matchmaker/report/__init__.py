"""Plan reports a person looks at: one self-contained HTML page, and static pictures.

:func:`plan_report` builds the report of a plan (or a plan folder): key figures, a Gantt of
every worker's day, a map of the routes drawn from coordinates, the unassigned jobs with
their reasons, and tables per worker and per service; :func:`write_report` writes its page,
``matchmaker report PLAN --out report.html`` does both. ``PlanReport.save_gantt`` and
``save_map`` export the pictures (the ``plot`` extra). Labels come in English or Chinese
(``lang``, :data:`matchmaker.plan.MESSAGES`).
"""

from __future__ import annotations

from matchmaker.report._data import Bar, GanttRow, ReportData, Route, build_report_data
from matchmaker.report._html import SERVICE_COLOURS, render_html, service_colour
from matchmaker.report._report import PlanReport, plan_report, write_report

__all__ = [
    "SERVICE_COLOURS",
    "Bar",
    "GanttRow",
    "PlanReport",
    "ReportData",
    "Route",
    "build_report_data",
    "plan_report",
    "render_html",
    "service_colour",
    "write_report",
]
