"""The placement loop on an event store: request, shortlist, interview, decline, select,
contract, a moved due date, start, replacement, a second shortlist, completion,
settlement, follow-ups and KPIs, on the bundled datasets/placements."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from matchmaker.io import load_dataset
from matchmaker.lifecycle import (
    Event,
    EventStore,
    Ledger,
    Operations,
    OpsPolicy,
    PlacementState,
    make_event,
    placement_followups,
    placement_ops_kpis,
    recheck_holds,
    settle_month,
    settlement_lines,
    shortlist_placement,
)
from matchmaker.model import Dataset, InvalidTransition, LifecycleError

DATASET = Path(__file__).resolve().parents[2] / "datasets" / "placements"
TZ = timezone(timedelta(hours=8))


def _t(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=TZ)


def _ev(kind: str, day: str, hour: int = 9, **payload: Any) -> Event:
    return make_event(kind, "PL001", time=_t(day, hour), actor="ops", **payload)


@pytest.fixture(scope="module")
def data() -> Dataset:
    return load_dataset(DATASET)


def _requested(ops: Operations, data: Dataset) -> None:
    request = next(r for r in data.placement_requests if r.request_id == "P001")
    ops.submit(
        [
            _ev(
                "placement_requested",
                "2026-12-01",
                customer_id=request.customer_id,
                service_type=request.service_type,
                due_date=request.due_date,
                days_before=request.days_before,
                days_after=request.days_after,
                duration_days=request.duration_days,
                live_in=request.live_in,
                required_skills="postpartum_care:4",
                min_experience_years=request.min_experience_years,
                required_certificates=list(request.required_certificates),
                gender_required="F",
                preferred_tags=list(request.preferred_tags),
                age_min=request.age_min,
                age_max=request.age_max,
                budget=str(request.budget),
                priority=request.priority,
            )
        ]
    )


def _shortlist(ops: Operations, data: Dataset, day: str) -> list[str]:
    plan, event = shortlist_placement(
        ops.ledger(), data, "PL001", k=3, max_shortlists=3, time=_t(day, 11), actor="ops"
    )
    ops.submit([event])
    return [e.worker_id for e in plan.shortlists]


def _w01_hired(**contract: Any) -> list[Event]:
    """W01 interviewed on 17 January, selected and contracted at 18,000 (after W02)."""
    return [
        _ev(
            "placement_interview_scheduled", "2027-01-16", 12, worker_id="W01", at=_t("2027-01-17")
        ),
        _ev("placement_selected", "2027-01-17", 11, worker_id="W01"),
        _ev("placement_contracted", "2027-01-17", 12, monthly_salary="18000", **contract),
    ]


def _loop(store: EventStore, data: Dataset) -> Operations:
    """The worked example of docs/ops.md, up to completion."""
    ops = Operations(store, OpsPolicy())
    _requested(ops, data)
    first = _shortlist(ops, data, "2026-12-01")
    assert first == ["W05", "W02", "W01"]
    ops.submit(
        [
            _ev(
                "placement_interview_scheduled",
                "2026-12-02",
                worker_id="W05",
                at=_t("2026-12-05", 10),
            ),
            _ev(
                "placement_interview_scheduled",
                "2026-12-02",
                worker_id="W02",
                at=_t("2026-12-05", 11),
            ),
            _ev("placement_candidate_declined", "2026-12-05", 12, worker_id="W05"),
            _ev("placement_selected", "2026-12-05", 13, worker_id="W02"),
            _ev(
                "placement_contracted",
                "2026-12-06",
                monthly_salary="16500",
                service_fee_rate="0.12",
            ),
            _ev("placement_due_date_moved", "2027-01-06", due_date=date(2027, 1, 7)),
            _ev("placement_started", "2027-01-07", start_date=date(2027, 1, 7)),
            _ev("placement_replacement_requested", "2027-01-16", last_day=date(2027, 1, 17)),
        ]
    )
    second = _shortlist(ops, data, "2027-01-16")
    assert second == ["W01", "W03"]
    ops.submit(
        [
            *_w01_hired(service_fee_rate="0.12"),
            _ev("placement_started", "2027-01-18", start_date=date(2027, 1, 18)),
            _ev("placement_completed", "2027-02-01", 18),
        ]
    )
    return ops


def test_the_worked_example_runs_from_request_to_completion(
    store: EventStore, data: Dataset
) -> None:
    """The placement ends completed, with two stints (W02 then W01) covering the 26 days
    from the moved due date, W05 declined and W02 replaced."""
    placement = _loop(store, data).ledger().placements["PL001"]
    assert placement.state is PlacementState.COMPLETED
    assert [(s.worker_id, s.first, s.last) for s in placement.stints] == [
        ("W02", date(2027, 1, 7), date(2027, 1, 17)),
        ("W01", date(2027, 1, 18), date(2027, 2, 1)),
    ]
    assert placement.declined == ("W05",) and placement.replaced == ("W02",)


def test_declined_and_replaced_workers_are_never_shortlisted_again(
    store: EventStore, data: Dataset
) -> None:
    """After the replacement the new shortlist names neither W05 (declined) nor W02
    (replaced), and an event shortlisting W05 by hand is refused."""
    ops = _loop(store, data)
    ledger = ops.ledger()
    assert {"W05", "W02"}.isdisjoint(ledger.placements["PL001"].candidates)
    other = Operations(store)
    with pytest.raises((InvalidTransition, LifecycleError)):
        other.submit([_ev("placement_shortlisted", "2027-02-02", candidates=["W05"])])


def _started(ops: Operations, data: Dataset) -> None:
    """PL001 with W02 contracted at 16,500 and started on 10 January."""
    _requested(ops, data)
    _shortlist(ops, data, "2026-12-01")
    ops.submit(
        [
            _ev(
                "placement_interview_scheduled", "2026-12-02", worker_id="W02", at=_t("2026-12-05")
            ),
            _ev("placement_selected", "2026-12-05", worker_id="W02"),
            _ev("placement_contracted", "2026-12-06", monthly_salary="16500"),
            _ev("placement_started", "2027-01-10", start_date=date(2027, 1, 10)),
        ]
    )


def test_a_replacement_shortlists_only_the_days_left(store: EventStore, data: Dataset) -> None:
    """After W02's last day (17 January) the request to match runs 18 January to the
    planned end on fixed dates, so W03's visit of 8 January no longer excludes her."""
    ops = Operations(store, OpsPolicy())
    _started(ops, data)
    ops.submit([_ev("placement_replacement_requested", "2027-01-16", last_day=date(2027, 1, 17))])
    request = ops.ledger().placements["PL001"].matching_request
    assert (request.start, request.end, request.hold_start) == (
        date(2027, 1, 18),
        date(2027, 2, 4),
        date(2027, 1, 18),
    )
    assert request.excluded_workers == frozenset({"W02"})


def test_a_placement_cannot_end_before_its_worker_started_or_after_it_is_recorded(
    store: EventStore, data: Dataset
) -> None:
    """Completing with an end date before the stint's first day (the worker would have
    worked no day, and her after-end follow-up fall before she came) or after the day the
    completion is recorded (she is still there, yet no longer held) is refused and
    changes nothing; completing on a day before the planned end with no end date ends the
    stint that day, not on the planned end."""
    ops = Operations(store, OpsPolicy())
    _started(ops, data)
    with pytest.raises(LifecycleError, match="before the stint's first day 2027-01-10"):
        ops.submit([_ev("placement_completed", "2027-01-20", end_date=date(2027, 1, 9))])
    with pytest.raises(LifecycleError, match="after the day it is recorded, 2027-01-20"):
        ops.submit([_ev("placement_completed", "2027-01-20", end_date=date(2027, 1, 21))])
    placement = ops.ledger().placements["PL001"]
    assert placement.state is PlacementState.STARTED
    assert placement.stints[-1].last is None
    ops.submit([_ev("placement_completed", "2027-01-20", 18)])
    placement = ops.ledger().placements["PL001"]
    assert placement.planned_end == date(2027, 2, 4)
    assert placement.end_date == date(2027, 1, 20)
    assert [(s.worker_id, s.first, s.last) for s in placement.stints] == [
        ("W02", date(2027, 1, 10), date(2027, 1, 20))
    ]


def test_a_new_worker_cannot_start_on_the_replaced_workers_days(
    store: EventStore, data: Dataset
) -> None:
    """The shortlist after a replacement matched the days after the replaced worker's
    last day; a stint starting on or before it would bill the customer twice for those
    days, so it is refused. The day after is accepted."""
    ops = Operations(store, OpsPolicy())
    _started(ops, data)
    ops.submit([_ev("placement_replacement_requested", "2027-01-16", last_day=date(2027, 1, 17))])
    _shortlist(ops, data, "2027-01-16")
    ops.submit(_w01_hired())
    with pytest.raises(LifecycleError, match="on or before W02's last day 2027-01-17"):
        ops.submit([_ev("placement_started", "2027-01-17", 13, start_date=date(2027, 1, 17))])
    assert ops.ledger().placements["PL001"].state is PlacementState.CONTRACTED
    ops.submit([_ev("placement_started", "2027-01-18", start_date=date(2027, 1, 18))])
    assert [s.first for s in ops.ledger().placements["PL001"].stints] == [
        date(2027, 1, 10),
        date(2027, 1, 18),
    ]


def test_monthly_settlement_follows_the_documented_formula(
    store: EventStore, data: Dataset
) -> None:
    """salary = monthly_salary * days / 30 at each stint's own contract, fee = salary *
    rate, both half up to the cent; a month is settled once per worker."""
    ops = _loop(store, data)
    placement = ops.ledger().placements["PL001"]
    lines = settlement_lines(placement, "2027-01")
    assert lines == [
        {
            "worker_id": "W02",
            "days": 11,
            "salary": Decimal("6050.00"),
            "service_fee": Decimal("726.00"),
        },
        {
            "worker_id": "W01",
            "days": 14,
            "salary": Decimal("8400.00"),
            "service_fee": Decimal("1008.00"),
        },
    ]
    ops.submit(settle_month(ops.ledger(), "PL001", "2027-01", time=_t("2027-02-01", 19), actor="f"))
    ops.submit(settle_month(ops.ledger(), "PL001", "2027-02", time=_t("2027-02-02"), actor="f"))
    with pytest.raises(LifecycleError, match="already settled"):
        ops.submit(settle_month(ops.ledger(), "PL001", "2027-02", time=_t("2027-02-03"), actor="f"))
    kpis = placement_ops_kpis(ops.ledger())
    assert kpis["salary_settled"] == "15050.00"  # 26 days: 11 at 16500, 15 at 18000
    assert kpis["service_fee_settled"] == "1806.00"


def test_follow_ups_fall_at_the_documented_times(store: EventStore, data: Dataset) -> None:
    """day_1 and day_7 after each worker's first day, after_end 3 days after a stint's last
    day; one done is not listed again."""
    ops = _loop(store, data)
    ops.submit([_ev("placement_followed_up", "2027-01-08", 18, follow_up="W02:day_1")])
    due = placement_followups(ops.ledger(), as_of=date(2027, 2, 5))
    assert [(f.name, f.due) for f in due] == [
        ("W02:day_7", date(2027, 1, 14)),
        ("W01:day_1", date(2027, 1, 19)),
        ("W02:after_end", date(2027, 1, 20)),
        ("W01:day_7", date(2027, 1, 25)),
        ("W01:after_end", date(2027, 2, 4)),
    ]


def test_kpis_count_time_to_fill_interviews_and_replacements(
    store: EventStore, data: Dataset
) -> None:
    """Time to fill runs from the request to the first contract; three interviews for one
    filled placement; W02 was replaced once in one stint."""
    kpis = placement_ops_kpis(_loop(store, data).ledger())
    assert kpis["time_to_fill_days_mean"] == pytest.approx(5.0)  # 1 to 6 December, 09:00
    assert kpis["interviews_per_placement"] == 3.0
    assert kpis["replacement_rate_per_worker"] == {"W01": 0.0, "W02": 1.0}
    assert kpis["fill_rate_per_service"] == {"postpartum_care": 1.0}


def test_money_settled_is_in_cents_before_any_settlement(store: EventStore, data: Dataset) -> None:
    """With nothing settled yet the KPIs say "0.00", the documented money format, not "0"."""
    ops = Operations(store)
    _requested(ops, data)
    kpis = placement_ops_kpis(ops.ledger())
    assert (kpis["salary_settled"], kpis["service_fee_settled"]) == ("0.00", "0.00")


def test_a_moved_due_date_rechecks_the_held_worker(store: EventStore, data: Dataset) -> None:
    """Contracted W03 holds fine for a due date of 25 January, but moving it to 10 January
    puts her visit of 8 January inside the hold: the re-check reports it."""
    ops = Operations(store, OpsPolicy())
    _requested(ops, data)
    ops.submit([_ev("placement_due_date_moved", "2026-12-01", 10, due_date=date(2027, 1, 25))])
    _, event = shortlist_placement(
        ops.ledger(), data, "PL001", k=5, time=_t("2026-12-01", 11), actor="ops"
    )
    ops.submit([event])
    assert "W03" in ops.ledger().placements["PL001"].candidates
    ops.submit(
        [
            _ev(
                "placement_interview_scheduled", "2026-12-02", worker_id="W03", at=_t("2026-12-05")
            ),
            _ev("placement_selected", "2026-12-05", worker_id="W03"),
            _ev("placement_contracted", "2026-12-06", monthly_salary="15500"),
        ]
    )
    assert recheck_holds(ops.ledger(), data, "PL001") == []
    ops.submit([_ev("placement_due_date_moved", "2027-01-01", due_date=date(2027, 1, 10))])
    assert [v.rule for v in recheck_holds(ops.ledger(), data, "PL001")] == [
        "no_visits_in_placement"
    ]


def test_a_contracted_placement_holds_its_worker_for_other_shortlists(
    store: EventStore, data: Dataset
) -> None:
    """While PL001 holds W02, a second postpartum placement overlapping it does not
    shortlist W02."""
    ops = Operations(store, OpsPolicy())
    _requested(ops, data)
    _shortlist(ops, data, "2026-12-01")
    ops.submit(
        [
            _ev(
                "placement_interview_scheduled", "2026-12-02", worker_id="W02", at=_t("2026-12-05")
            ),
            _ev("placement_selected", "2026-12-05", worker_id="W02"),
            _ev("placement_contracted", "2026-12-06", monthly_salary="16500"),
        ]
    )
    request = next(r for r in data.placement_requests if r.request_id == "P002")
    ops.submit(
        [
            make_event(
                "placement_requested",
                "PL002",
                time=_t("2026-12-07"),
                actor="ops",
                customer_id=request.customer_id,
                service_type=request.service_type,
                due_date=request.due_date,
                days_before=request.days_before,
                days_after=request.days_after,
                duration_days=request.duration_days,
                required_skills="postpartum_care:3",
                required_certificates=["maternity"],
            )
        ]
    )
    plan, _ = shortlist_placement(
        ops.ledger(), data, "PL002", time=_t("2026-12-07", 10), actor="ops"
    )
    assert "W02" not in {e.worker_id for e in plan.shortlists}
    assert plan.shortlists  # others are shortlisted


def test_replay_rebuilds_the_placement(store: EventStore, data: Dataset) -> None:
    """Replaying the stored events gives the same placement as the live ledger."""
    ops = _loop(store, data)
    assert Ledger.replay(store.read()).placements == ops.ledger().placements


def test_illegal_steps_are_refused(store: EventStore, data: Dataset) -> None:
    """Selecting a worker who was never interviewed, or starting before a contract, is
    refused and changes nothing."""
    ops = Operations(store, OpsPolicy())
    _requested(ops, data)
    _shortlist(ops, data, "2026-12-01")
    with pytest.raises(InvalidTransition):
        ops.submit([_ev("placement_selected", "2026-12-02", worker_id="W02")])
    ops.submit(
        [_ev("placement_interview_scheduled", "2026-12-02", worker_id="W02", at=_t("2026-12-05"))]
    )
    with pytest.raises(LifecycleError, match="not interviewed"):
        ops.submit([_ev("placement_selected", "2026-12-05", worker_id="W05")])
    with pytest.raises(InvalidTransition):
        ops.submit([_ev("placement_started", "2026-12-06")])
    assert ops.ledger().placements["PL001"].state is PlacementState.INTERVIEWING
