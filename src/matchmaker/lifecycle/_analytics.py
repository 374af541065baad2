"""Analytics of operations as DataFrames: the KPIs of the company's step 12.

Definitions (every rate is a share 0..1, ``NaN`` when its denominator is zero):

- **fill rate**, per service type: visits confirmed or beyond / visits not cancelled
  (in a report, those starting by its ``as_of``: later visits are not due yet);
  per worker: offers the worker confirmed / offers answered (confirmed or declined);
- **on-time arrival**: check-ins at most ``OpsPolicy.on_time_grace_minutes`` after the
  planned start / check-ins; ``mean_minutes_late`` over check-ins;
- **rework rate**: served visits with at least one rework request / served visits (rework
  visits themselves excluded);
- **complaint rate**: complaints opened / served visits; ``complaints_upheld`` counted too;
- **average rating**: mean stars given in the store (``rating`` in the worker table is the
  worker's current rating, imported history included);
- **continuity**: distinct workers per customer per month (1 is perfect continuity);
- **revenue**: exact `Decimal` amounts: settled amounts by month, service type and payment
  method; per visit and per service and month revenue, pay and margin
  (:mod:`matchmaker.lifecycle._money_report`);
- **follow-ups**: due, done on time, done late, overdue;
- **problem categories**: complaints and problems reported by workers, counted per worker,
  service type and category and ranked, the training needs of step 12.

Months are ``YYYY-MM`` of the visit's planned (else earliest) start in its own UTC offset.

The row tables are in :mod:`matchmaker.lifecycle._analytics_frames`, the KPIs and the
report in :mod:`matchmaker.lifecycle._analytics_report`; this module is the
``matchmaker.lifecycle.analytics`` namespace over both.
"""

from __future__ import annotations

from matchmaker.lifecycle._analytics_frames import (
    assignments_frame,
    offers_frame,
    settlements,
    visits_frame,
)
from matchmaker.lifecycle._analytics_report import (
    Report,
    complaint_categories,
    continuity,
    followup_kpis,
    report,
    revenue,
    service_kpis,
    worker_kpis,
)

__all__ = [
    "Report",
    "assignments_frame",
    "complaint_categories",
    "continuity",
    "followup_kpis",
    "offers_frame",
    "report",
    "revenue",
    "service_kpis",
    "settlements",
    "visits_frame",
    "worker_kpis",
]
