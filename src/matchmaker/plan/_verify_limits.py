"""The verifier's rules across a worker's days and a customer's round: weekly minutes,
rest between shifts, days in a row, and the continuity cap (the rules of the same names
in :data:`matchmaker.model.HARD_RULES`).

Each limit is the worker's (customer's) own column, else the ``[limits]`` default of
``dataset.toml``, else none. A job counts on the local date of its start in the round's
local time (:func:`matchmaker.model.local_zone`); weeks run Monday to Sunday; work minutes
are the jobs' durations. Like every rule this reads only the dataset and the plan.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from matchmaker.model import Worker, elapsed_minutes, local_zone, utc
from matchmaker.plan._verify_context import Context, Pair, Violation, starts_in, who, who_first

__all__ = [
    "max_consecutive_days",
    "max_distinct_workers",
    "max_week_minutes",
    "min_rest_minutes",
]


def _limit(ctx: Context, worker: Worker, name: str) -> int | None:
    own: int | None = getattr(worker, name)
    return own if own is not None else getattr(ctx.dataset.settings.limits, name)


def _day(ctx: Context, pair: Pair) -> date:
    return pair.assignment.start.astimezone(local_zone(ctx.dataset)).date()


def _minutes(pair: Pair) -> int:
    return int(elapsed_minutes(pair.assignment.start, pair.assignment.end))


def _offence(rule: str, pair: Pair, message: str) -> Violation:
    return Violation(
        rule=rule, job_id=pair.job.job_id, worker_id=pair.worker.worker_id, message=message
    )


def max_week_minutes(ctx: Context) -> Iterator[Violation]:
    """At most the worker's weekly work minutes in each calendar week (Monday to Sunday)."""
    for worker_id, pairs in ctx.by_worker.items():
        worker = ctx.dataset.worker(worker_id)
        limit = _limit(ctx, worker, "max_week_minutes")
        if limit is None:
            continue
        weeks: dict[date, list[Pair]] = defaultdict(list)
        for pair in pairs:
            day = _day(ctx, pair)
            weeks[day - timedelta(days=day.weekday())].append(pair)
        for monday, inside in sorted(weeks.items()):
            total = sum(_minutes(p) for p in inside)
            if total > limit:
                yield _offence(
                    "max_week_minutes",
                    inside[-1],
                    f"{who_first(worker)} works {total} minutes in the week of {monday}, "
                    f"over the weekly limit of {limit}.",
                )


def min_rest_minutes(ctx: Context) -> Iterator[Violation]:
    """At least the worker's rest between the last job of a shift and the first of the next
    shift with work."""
    for worker_id, pairs in ctx.by_worker.items():
        worker = ctx.dataset.worker(worker_id)
        rest = _limit(ctx, worker, "min_rest_minutes")
        if not rest:
            continue
        spans: list[tuple[Pair, Pair]] = []
        for shift in worker.shifts:
            inside = [p for p in pairs if starts_in(shift, p.assignment)]
            if inside:
                last = max(inside, key=lambda p: utc(p.assignment.end))
                spans.append((inside[0], last))
        for (_, before), (after, _) in itertools.pairwise(spans):
            gap = elapsed_minutes(before.assignment.end, after.assignment.start)
            if gap < rest:
                yield _offence(
                    "min_rest_minutes",
                    after,
                    f"{who_first(worker)} rests {gap:g} minutes between job "
                    f"{before.job.job_id} (ends {ctx.time(before.assignment.end)}) and job "
                    f"{after.job.job_id} (starts {ctx.time(after.assignment.start)}) in the "
                    f"next shift, under the least rest of {rest}.",
                )


def max_consecutive_days(ctx: Context) -> Iterator[Violation]:
    """At most the worker's number of local dates in a row with work."""
    for worker_id, pairs in ctx.by_worker.items():
        worker = ctx.dataset.worker(worker_id)
        limit = _limit(ctx, worker, "max_consecutive_days")
        if limit is None:
            continue
        days = sorted({_day(ctx, p) for p in pairs})
        run = 1
        for before, after in itertools.pairwise(days):
            run = run + 1 if after - before == timedelta(days=1) else 1
            if run == limit + 1:
                last = next(p for p in reversed(pairs) if _day(ctx, p) == after)
                yield _offence(
                    "max_consecutive_days",
                    last,
                    f"{who_first(worker)} works {run} days in a row up to {after}, over the "
                    f"limit of {limit}.",
                )


def max_distinct_workers(ctx: Context) -> Iterator[Violation]:
    """At most the customer's number of different workers over the round."""
    default = ctx.dataset.settings.limits.max_distinct_workers
    by_customer: dict[str, list[Pair]] = defaultdict(list)
    for pair in ctx.pairs:
        by_customer[pair.job.customer_id].append(pair)
    for customer_id, pairs in sorted(by_customer.items()):
        customer = ctx.dataset.customer(customer_id)
        own = None if customer is None else customer.max_distinct_workers
        cap = own if own is not None else default
        if cap is None:
            continue
        seen: list[str] = []
        for pair in sorted(pairs, key=lambda p: (utc(p.assignment.start), p.worker.worker_id)):
            if pair.worker.worker_id in seen:
                continue
            seen.append(pair.worker.worker_id)
            if len(seen) == cap + 1:
                count = len({p.worker.worker_id for p in pairs})
                yield _offence(
                    "max_distinct_workers",
                    pair,
                    f"Customer {customer_id} is served by {count} different workers "
                    f"({who(pair.worker)} among them), over the cap of {cap}.",
                )
