"""Home-care rules on a generated round (``--home-care``): soft windows, linked visits,
a lunch break, limits across days and a continuity cap.

Drawn from their own random stream (``default_rng([seed, HOME_CARE_STREAM])``) after the
visit tables, so a seed's city (workers, customers, homes, shifts) stays the one it is
without the option; only jobs change, and only as follows:

- **Visits of at most four hours.** A home-care round is made of visits; a day-long stay
  leaves no room for a lunch break (a break never overlaps a job) and is planned as a
  placement instead (``--placements``), so longer visits are cut to 240 minutes.
- **Linked visits.** Four in five of the single-carer care visits booked for the early morning
  (08:00-09:00) get a second visit of the same customer on the same day, which replaces
  one of the day's non-care bookings (so ``--jobs`` stays exact): an evening visit of
  30-60 minutes 8 to 10 hours after the morning one's start (two in three), or an insulin
  pair, both visits 30 minutes, 4 to 5 hours apart. The second visit needs what the first
  needs, so the morning visit's worker can always serve it; half the pairs ask for the
  same worker (``link_worker = same``), the others for anyone. Pinned jobs are never linked.
- **Soft windows.** Half the jobs with a window of 30 minutes or more get a ``due_start``
  in the first half of the window, every 15 minutes.
- **Breaks.** ``dataset.toml`` gets one ``[[breaks]]`` rule, ``lunch``: 30-60 minutes
  starting 11:30-14:00 on shifts over six hours (the full-time shifts). A pin that leaves
  its worker no room for lunch is released, so that the round loads.
- **Limits across days** (``days`` > 1): every worker gets 11 hours of rest, at most 44
  hours a week and 6 days in a row (part-timers: 24 hours and 5 days), raised where the
  worker's pins alone need more.
- **Continuity cap.** Customers whose usual service is care see at most 2 different
  workers over the round (raised where pins or a team job need more).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time

import numpy as np
import pandas as pd

from matchmaker.compile import HaversineTravel
from matchmaker.generate._catalogue import CARE, Bools, Customers, Ints, Jobs, Workers
from matchmaker.generate._rules import commute_minutes
from matchmaker.model import BreakRule, LinkWorker

__all__ = [
    "HOME_CARE_STREAM",
    "LUNCH",
    "Links",
    "customer_caps",
    "draw_due_starts",
    "draw_links",
    "release_break_pins",
    "shorten_visits",
    "week_limits",
]

HOME_CARE_STREAM = 12
LUNCH = BreakRule(
    name="lunch",
    min_minutes=30,
    max_minutes=60,
    earliest_start=time(11, 30),
    latest_start=time(14, 0),
    min_shift_minutes=360,
)
"""The generated break rule: 30-60 minutes starting 11:30-14:00 on shifts over 6 hours."""

_LUNCH_FROM = LUNCH.earliest_start.hour * 60 + LUNCH.earliest_start.minute
_LUNCH_BY = LUNCH.latest_start.hour * 60 + LUNCH.latest_start.minute
_DAY_END = 1080  # generated visits end by 18:00
_MORNING_BY = 540  # linked pairs start from a morning visit booked from 08:00 to 09:00
_LINK_SHARE = 0.8
_EVENING_SHARE = 2 / 3
_EVENING_GAP = (480, 600)
_INSULIN_GAP = (240, 300)
_INSULIN_MINUTES = 30
_SAME_WORKER_SHARE = 0.5
_DUE_SHARE = 0.5
_MIN_REST = 660
_WEEK_MINUTES = (2640, 1440)  # full time, part time
_DAYS_IN_ROW = (6, 5)
_FULL_SHIFT = 600
_CONTINUITY_CAP = 2
_LONGEST_VISIT = 240


@dataclass(frozen=True, kw_only=True, slots=True)
class Links:
    """Each job's link to the visit it follows: ``depends`` (job index, -1 none), the
    gaps between the starts in minutes, and whether it asks for the same worker."""

    depends: Ints
    min_gap: Ints
    max_gap: Ints
    same_worker: Bools

    def frame_columns(self, job_ids: list[str]) -> dict[str, pd.Series]:
        """``depends_on``, ``min_gap``, ``max_gap`` and ``link_worker`` as table columns
        (blank where a job follows no visit)."""
        linked = self.depends >= 0
        ids = np.array(job_ids, dtype=object)
        worker = np.where(self.same_worker, LinkWorker.SAME.value, LinkWorker.ANY.value)
        return {
            "depends_on": pd.Series(np.where(linked, ids[np.maximum(self.depends, 0)], "")),
            "min_gap": pd.Series(self.min_gap, dtype="Int64").where(linked),
            "max_gap": pd.Series(self.max_gap, dtype="Int64").where(linked),
            "link_worker": pd.Series(np.where(linked, worker, "")),
        }


def shorten_visits(jobs: Jobs) -> Jobs:
    """The jobs with every visit cut to at most :data:`_LONGEST_VISIT` minutes.

    Pins stay servable: a pinned visit only ends earlier.
    """
    return replace(jobs, duration=np.minimum(jobs.duration, _LONGEST_VISIT))


def release_break_pins(
    pool: Workers, jobs: Jobs, pins: list[list[int]], starts: Ints, travel: HaversineTravel
) -> tuple[list[list[int]], Ints]:
    """Unpin the jobs that leave a pinned worker's shift no room for the lunch break.

    A worker holds at most one pin a day (:mod:`._pins`), so the lunch fits when the pin
    ends by the latest lunch start (lunch follows it) or starts half an hour after the
    earliest lunch start and after the commute from home plus the break (lunch comes
    first, on the way). Shifts the rule does not apply to keep their pins.
    """
    pinned = np.flatnonzero(starts >= 0)
    if not len(pinned):
        return pins, starts
    sizes = np.array([len(pins[j]) for j in pinned.tolist()], dtype=np.int64)
    position = np.repeat(np.arange(len(pinned)), sizes)
    job = pinned[position]
    worker = np.array([w for j in pinned.tolist() for w in pins[j]], dtype=np.int64)
    day = jobs.day[job]
    start = starts[job]
    end = start + jobs.duration[job]
    shift_start = pool.shift_start[worker, day]
    shift_end = pool.shift_end[worker, day]
    midnight = 1440 * day
    commute = commute_minutes(travel, pool, jobs.lat[pinned], jobs.lon[pinned])[worker, position]
    after = (end <= midnight + _LUNCH_BY) & (
        np.maximum(end, midnight + _LUNCH_FROM) + LUNCH.min_minutes <= shift_end
    )
    before = start >= np.maximum(midnight + _LUNCH_FROM, shift_start + commute) + LUNCH.min_minutes
    applies = shift_end - shift_start > LUNCH.min_shift_minutes
    released = np.unique(job[applies & ~after & ~before])
    gone = set(released.tolist())
    pins = [[] if j in gone else team for j, team in enumerate(pins)]
    starts = starts.copy()
    starts[released] = -1
    return pins, starts


def draw_links(
    rng: np.random.Generator, jobs: Jobs, pins: list[list[int]], starts: Ints
) -> tuple[Jobs, list[list[int]], Ints, Links]:
    """Pair early-morning care visits with a second visit (see the module docstring).

    Returns the jobs sorted again by start (the second visits move to the evening), the
    pins and pinned starts in that order, and the links.
    """
    n = len(jobs.day)
    pinned = starts >= 0
    tod = jobs.earliest - 1440 * jobs.day
    can_anchor = CARE[jobs.service] & (jobs.needed == 1) & ~pinned & (tod <= _MORNING_BY)
    anchors = np.flatnonzero(can_anchor & (rng.random(n) < _LINK_SHARE))
    donors = rng.permutation(np.flatnonzero(~CARE[jobs.service] & ~pinned))
    # A donor must lie on its anchor's day, so that the day's count of visits holds too.
    anchors, donors = _match_by_day(jobs.day, anchors, donors)
    k = len(anchors)
    evening = rng.random(k) < _EVENING_SHARE
    low = np.where(evening, _EVENING_GAP[0], _INSULIN_GAP[0])
    high = np.where(evening, _EVENING_GAP[1], _INSULIN_GAP[1])
    second_minutes = np.where(evening, rng.choice([30, 45, 60], k), _INSULIN_MINUTES)
    same = rng.random(k) < _SAME_WORKER_SHARE

    fields = {name: getattr(jobs, name).copy() for name in Jobs.__dataclass_fields__}
    for name in ("order", "customer", "service", "day", "lat", "lon", "location_given",
                 "levels", "min_experience", "certificates", "needed", "gender", "language",
                 "priority", "needs_car"):  # fmt: skip
        fields[name][donors] = fields[name][anchors]
    fields["duration"][anchors] = np.where(evening, jobs.duration[anchors], _INSULIN_MINUTES)
    fields["duration"][donors] = second_minutes
    first = jobs.earliest[anchors]
    last_start = 1440 * jobs.day[anchors] + _DAY_END - second_minutes
    fields["earliest"][donors] = first + low
    fields["latest"][donors] = np.minimum(jobs.latest[anchors] + high, last_start)
    depends = np.full(n, -1, dtype=np.int64)
    min_gap = np.zeros(n, dtype=np.int64)
    max_gap = np.zeros(n, dtype=np.int64)
    same_worker = np.zeros(n, dtype=bool)
    depends[donors], min_gap[donors], max_gap[donors] = anchors, low, high
    same_worker[donors] = same

    linked = replace(jobs, **fields)
    ordering = np.lexsort((linked.order, linked.earliest))
    new_index = np.empty(n, dtype=np.int64)
    new_index[ordering] = np.arange(n)
    sorted_jobs = replace(linked, **{f: getattr(linked, f)[ordering] for f in fields})
    moved = depends[ordering]
    links = Links(
        depends=np.where(moved >= 0, new_index[np.maximum(moved, 0)], -1),
        min_gap=min_gap[ordering],
        max_gap=max_gap[ordering],
        same_worker=same_worker[ordering],
    )
    return sorted_jobs, [pins[j] for j in ordering.tolist()], starts[ordering], links


def _match_by_day(day: Ints, anchors: Ints, donors: Ints) -> tuple[Ints, Ints]:
    """As many (anchor, donor) pairs on the same day as there are donors for."""
    if not len(anchors) or not len(donors):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    # Rank each anchor and donor within its day; pair equal ranks on equal days.
    anchor_rank = _rank_within(day[anchors])
    donor_rank = _rank_within(day[donors])
    donor_key = day[donors] * len(day) + donor_rank
    anchor_key = day[anchors] * len(day) + anchor_rank
    found = np.isin(anchor_key, donor_key)
    by_key = dict(zip(donor_key.tolist(), donors.tolist(), strict=True))
    kept = anchors[found]
    paired = np.array([by_key[key] for key in anchor_key[found].tolist()], dtype=np.int64)
    return kept.astype(np.int64), paired


def _rank_within(groups: Ints) -> Ints:
    """Each element's rank among the earlier elements of its group (0, 1, 2, ...)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    counts = np.diff(np.r_[starts, len(groups)])
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - np.repeat(starts, counts)
    return rank


def draw_due_starts(rng: np.random.Generator, jobs: Jobs) -> Ints:
    """A soft ``due_start`` (minutes; -1 none) in the first half of half the windows of
    30 minutes or more, on a quarter hour after the earliest start."""
    n = len(jobs.day)
    width = jobs.latest - jobs.earliest
    chosen = (width >= 30) & (rng.random(n) < _DUE_SHARE)
    steps = rng.integers(0, width // 30 + 1)
    return np.where(chosen, jobs.earliest + 15 * steps, -1).astype(np.int64)


def week_limits(
    pool: Workers, jobs: Jobs, pins: list[list[int]], first_day: date
) -> dict[str, Ints]:
    """Each worker's ``max_week_minutes``, ``min_rest_minutes`` and
    ``max_consecutive_days``: the contract's, raised where the pins alone need more."""
    n, days = pool.shift_start.shape
    part_time = (pool.regular_end - pool.regular_start < _FULL_SHIFT).astype(np.int64)
    sizes = np.array([len(team) for team in pins], dtype=np.int64)
    job = np.repeat(np.arange(len(pins)), sizes)
    worker = np.array([w for team in pins for w in team], dtype=np.int64)
    week = (first_day.weekday() + jobs.day[job]) // 7
    weeks = (first_day.weekday() + days - 1) // 7 + 1
    pinned_minutes = np.zeros((n, weeks), dtype=np.int64)
    np.add.at(pinned_minutes, (worker, week), jobs.duration[job])
    pinned_days = np.zeros((n, days), dtype=bool)
    pinned_days[worker, jobs.day[job]] = True
    run = np.zeros(n, dtype=np.int64)
    longest = np.zeros(n, dtype=np.int64)
    for d in range(days):  # a loop over days, not pairs
        run = np.where(pinned_days[:, d], run + 1, 0)
        longest = np.maximum(longest, run)
    return {
        "max_week_minutes": np.maximum(
            np.array(_WEEK_MINUTES)[part_time], pinned_minutes.max(axis=1)
        ),
        "min_rest_minutes": np.full(n, _MIN_REST, dtype=np.int64),
        "max_consecutive_days": np.maximum(np.array(_DAYS_IN_ROW)[part_time], longest),
    }


def customer_caps(customers: Customers, jobs: Jobs, pins: list[list[int]]) -> pd.Series:
    """``max_distinct_workers`` of each customer: 2 for care customers (raised to their
    pinned workers and largest team), blank for the others."""
    n = len(customers.lat)
    sizes = np.array([len(team) for team in pins], dtype=np.int64)
    job = np.repeat(np.arange(len(pins)), sizes)
    worker = np.array([w for team in pins for w in team], dtype=np.int64)
    pairs = np.unique(np.column_stack([jobs.customer[job], worker]), axis=0)
    pinned_workers = np.bincount(pairs[:, 0], minlength=n) if len(pairs) else np.zeros(n, int)
    team = np.zeros(n, dtype=np.int64)
    np.maximum.at(team, jobs.customer, jobs.needed)
    cap = np.maximum(np.maximum(_CONTINUITY_CAP, pinned_workers), team)
    care = CARE[customers.service]
    return pd.Series(pd.array(cap, dtype="Int64")).where(care)
