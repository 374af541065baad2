"""The home-care columns through the ops store: import-dataset, the event payloads, the
entities' stored JSON, and the round ``ops jobs`` writes (datasets/README.md)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from matchmaker.generate import generate_dataset
from matchmaker.io import load_dataset
from matchmaker.lifecycle import (
    CustomerRecord,
    Operations,
    OpsPolicy,
    SqlStore,
    Visit,
    WorkerRecord,
    export_jobs,
    import_dataset,
    make_event,
    rebuild_read_models,
    validation_issues,
)
from matchmaker.lifecycle._readmodel_codec import decode, encode
from matchmaker.lifecycle._round_inputs import ledger_round_inputs
from matchmaker.lifecycle._round_read import store_round_inputs
from matchmaker.model import Dataset, DatasetError, LinkWorker
from matchmaker.plan import dispatch, verify

DAYS = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
IMPORTED = datetime.fromisoformat("2026-11-30T00:00:00+08:00")
LIMITS = "\n[limits]\nmax_week_minutes = 2400\nmax_distinct_workers = 3\n"


@pytest.fixture(scope="module")
def care_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``matchmaker generate --home-care --days 3``, plus a ``[limits]`` table and a
    ``breaks`` column (one worker without breaks, one with the lunch rule by name)."""
    folder = tmp_path_factory.mktemp("homecare") / "care"
    generate_dataset(folder, workers=14, jobs=48, seed=5, days=3, home_care=True)
    with (folder / "dataset.toml").open("a", encoding="utf-8") as toml:
        toml.write(LIMITS)
    workers = pd.read_csv(folder / "workers.csv", dtype=str, keep_default_na=False)
    workers["breaks"] = ["none", "lunch", *[""] * (len(workers) - 2)]
    workers.to_csv(folder / "workers.csv", index=False)
    return folder


def _imported(store: SqlStore, folder: Path) -> Operations:
    ops = Operations(store, OpsPolicy())
    summary = import_dataset(ops, folder, time=IMPORTED)
    assert summary.ignored_columns == {}
    return ops


def _linked(dataset: Dataset) -> list[str]:
    return [job.job_id for job in dataset.jobs if job.depends_on is not None]


JOB_FIELDS = ("due_start", "depends_on", "min_gap", "max_gap", "link_worker")
WORKER_FIELDS = ("max_week_minutes", "min_rest_minutes", "max_consecutive_days", "breaks")


def test_import_and_ops_jobs_round_trip_the_home_care_columns(
    any_store: SqlStore, care_folder: Path, tmp_path: Path
) -> None:
    """Every day's round written by ``ops jobs`` loads with the same home-care columns as
    the generated input for that day's jobs, workers and customers, and with the input's
    ``[[breaks]]`` and ``[limits]``; no linked visit loses its link (pairs are same-day)."""
    given = load_dataset(care_folder)
    assert _linked(given) and any(j.due_start is not None for j in given.jobs)
    ops = _imported(any_store, care_folder)
    jobs = {job.job_id: job for job in given.jobs}
    workers = {w.worker_id: w for w in given.workers}
    customers = {c.customer_id: c for c in given.customers}
    seen: set[str] = set()
    for day in DAYS:
        summary = export_jobs(ops, day=day, out=tmp_path / day.isoformat())
        assert summary.written and summary.unlinked == ()
        round_ = load_dataset(tmp_path / day.isoformat())
        assert round_.settings.breaks == given.settings.breaks
        assert round_.settings.limits == given.settings.limits
        for job in round_.jobs:
            seen.add(job.job_id)
            for name in JOB_FIELDS:
                assert getattr(job, name) == getattr(jobs[job.job_id], name), (job.job_id, name)
        for worker in round_.workers:
            for name in WORKER_FIELDS:
                expected = getattr(workers[worker.worker_id], name)
                assert getattr(worker, name) == expected, (worker.worker_id, name)
        for customer in round_.customers:
            expected_cap = customers[customer.customer_id].max_distinct_workers
            assert customer.max_distinct_workers == expected_cap
    assert seen == set(jobs)
    assert [w.breaks for w in given.workers[:2]] == [(), ("lunch",)]


def _partner_done(ops: Operations, partner: Visit, how: str) -> None:
    """Serve the partner (proposed, confirmed, checked in, completed) or cancel it."""
    start = partner.job.earliest_start
    if how == "cancelled":
        ops.submit(
            [
                make_event(
                    "visit_cancelled", partner.visit_id, time=start, actor="t", reason="customer"
                )
            ]
        )
        return
    worker = "W0001"
    steps = [
        ("visit_proposed", -120, {"worker_ids": [worker], "start": start}),
        ("visit_confirmed", -110, {}),
        ("visit_checked_in", 0, {}),
        ("visit_completed", partner.job.duration_minutes, {}),
    ]
    ops.submit(
        [
            make_event(kind, partner.visit_id, time=start + timedelta(minutes=m), actor="t", **p)
            for kind, m, p in steps
        ]
    )


@pytest.mark.parametrize("how", ["completed", "cancelled"])
def test_a_visit_whose_partner_left_the_round_is_exported_unlinked(
    any_store: SqlStore, care_folder: Path, tmp_path: Path, how: str
) -> None:
    """When the visit a linked visit follows is served or cancelled, ``ops jobs`` writes the
    linked visit without depends_on/min_gap/max_gap/link_worker (its due start stays), names
    it in ``unlinked`` with the partner's state, and the round loads, dispatches with the
    routing solver and passes verify; the store's round equals the full ledger's."""
    ops = _imported(any_store, care_folder)
    ledger = ops.ledger()
    dependent = next(
        v for v in sorted(ledger.visits.values(), key=lambda v: v.visit_id) if v.job.depends_on
    )
    partner = ledger.visits[str(dependent.job.depends_on)]
    _partner_done(ops, partner, how)
    zone = load_dataset(care_folder).settings.zone
    day = dependent.job.earliest_start.astimezone(zone).date()
    full = ledger_round_inputs(ops.ledger(), day, zone)
    assert full.partner_states == {partner.visit_id: how}
    with any_store.snapshot() as tx:
        assert store_round_inputs(tx, day, zone) == full
    out = tmp_path / "round"
    summary = export_jobs(ops, day=day, out=out)
    unlinked = {u.job_id: u for u in summary.unlinked}
    assert unlinked[dependent.visit_id].depends_on == partner.visit_id
    assert unlinked[dependent.visit_id].partner_state == how
    round_ = load_dataset(out)
    job = round_.job(dependent.visit_id)
    assert (job.depends_on, job.min_gap, job.max_gap) == (None, None, None)
    assert job.link_worker is LinkWorker.ANY
    assert job.due_start == dependent.job.due_start
    result = dispatch(round_, solver="routing", time_limit=3, seed=0)
    assert verify(round_, result.plan) == []


def test_a_partner_the_store_does_not_know_is_named_unknown(
    any_store: SqlStore, care_folder: Path, tmp_path: Path
) -> None:
    """A visit created by an event with a depends_on the store has no visit for (the
    payload cannot check it) is exported unlinked with partner state ``unknown``."""
    ops = _imported(any_store, care_folder)
    template = next(v for v in ops.ledger().visits.values() if v.job.workers_needed == 1)
    payload = template.job.to_payload()
    payload.update(depends_on="NO-SUCH-VISIT", min_gap=60, link_worker="same", price=None)
    ops.submit([make_event("visit_created", "X1", time=IMPORTED, actor="t", **payload)])
    day = template.job.earliest_start.astimezone(load_dataset(care_folder).settings.zone).date()
    summary = export_jobs(ops, day=day, out=tmp_path / "round")
    assert [(u.job_id, u.partner_state) for u in summary.unlinked] == [("X1", "unknown")]
    assert load_dataset(tmp_path / "round").job("X1").depends_on is None


def test_a_rebuild_gives_the_entities_the_events_gave(
    any_store: SqlStore, care_folder: Path
) -> None:
    """Replaying the events rebuilds the same workers, customers and visits (with their
    home-care fields) as applying them one by one."""
    ops = _imported(any_store, care_folder)
    kept = ops.ledger()
    assert any(v.job.depends_on for v in kept.visits.values())
    rebuild_read_models(any_store)
    again = ops.ledger()
    assert again.visits == kept.visits
    assert again.workers == kept.workers
    assert again.customers == kept.customers


def _event(kind: str, entity: str, **payload: Any) -> list[str | None]:
    with pytest.raises(ValidationError) as caught:
        make_event(kind, entity, time=IMPORTED, actor="t", **payload)
    return [i.column for i in validation_issues(caught.value, file="-", row=None)]


VISIT = {
    "customer_id": "C1",
    "service_type": "elderly_care",
    "earliest_start": "2026-12-01T08:00:00+08:00",
    "latest_start": "2026-12-01T09:00:00+08:00",
    "duration_minutes": 60,
}
WORKER = {"gender": "F", "home_lat": 31.2, "home_lon": 121.4}


@pytest.mark.parametrize(
    ("kind", "payload", "field"),
    [
        ("visit_created", {**VISIT, "due_start": "2026-12-01T10:00:00+08:00"}, "due_start"),
        ("visit_created", {**VISIT, "depends_on": "V1"}, "depends_on"),
        ("visit_created", {**VISIT, "min_gap": 30}, "min_gap"),
        ("visit_created", {**VISIT, "depends_on": "V0", "min_gap": 60, "max_gap": 30}, "max_gap"),
        ("visit_created", {**VISIT, "depends_on": "V0", "max_gap": 600_000}, "max_gap"),
        ("visit_created", {**VISIT, "link_worker": "same"}, "link_worker"),
        (
            "visit_created",
            {**VISIT, "depends_on": "V0", "link_worker": "same", "workers_needed": 2},
            "link_worker",
        ),
        ("visit_created", {**VISIT, "depends_on": "V0", "link_worker": "mine"}, "link_worker"),
        ("worker_registered", {**WORKER, "breaks": "none;lunch"}, "breaks"),
        ("worker_registered", {**WORKER, "breaks": "lunch break"}, "breaks"),
        ("worker_registered", {**WORKER, "max_week_minutes": -1}, "max_week_minutes"),
        ("worker_updated", {"min_rest_minutes": "soon"}, "min_rest_minutes"),
        ("customer_registered", {"max_distinct_workers": -2}, "max_distinct_workers"),
        ("customer_updated", {"max_distinct_workers": "two"}, "max_distinct_workers"),
    ],
)
def test_a_bad_home_care_field_is_refused_naming_it(
    kind: str, payload: dict[str, Any], field: str
) -> None:
    """Each home-care payload field is validated like the dataset column, and the error
    names the field."""
    assert field in _event(kind, "V1", **payload)


def test_the_home_care_fields_are_optional_and_blank_means_none() -> None:
    """Events without the fields, or with blank cells, give the defaults; given ones land on
    the entities (an update changes only what it names)."""
    from matchmaker.lifecycle import apply

    visit = apply(None, make_event("visit_created", "V1", time=IMPORTED, actor="t", **VISIT))
    assert isinstance(visit, Visit)
    assert (visit.job.due_start, visit.job.depends_on, visit.job.link_worker) == (
        None,
        None,
        "any",
    )
    linked = apply(
        None,
        make_event(
            "visit_created",
            "V2",
            time=IMPORTED,
            actor="t",
            **VISIT,
            due_start="2026-12-01T08:30:00+08:00",
            depends_on="V1",
            min_gap="",
            max_gap="600",
            link_worker="different",
        ),
    )
    assert isinstance(linked, Visit)
    assert linked.job.min_gap is None and linked.job.max_gap == 600
    assert linked.job.link_worker == "different"
    worker = apply(
        None,
        make_event(
            "worker_registered", "W1", time=IMPORTED, actor="t", **WORKER, max_week_minutes=""
        ),
    )
    assert isinstance(worker, WorkerRecord)
    assert worker.max_week_minutes is None and worker.breaks == ()
    updated = apply(
        worker,
        make_event(
            "worker_updated", "W1", time=IMPORTED, actor="t", breaks="none", max_consecutive_days=5
        ),
    )
    assert isinstance(updated, WorkerRecord)
    assert updated.breaks == ("none",) and updated.max_consecutive_days == 5
    assert updated.min_rest_minutes is None
    customer = apply(
        None,
        make_event("customer_registered", "C1", time=IMPORTED, actor="t", max_distinct_workers=2),
    )
    assert isinstance(customer, CustomerRecord) and customer.max_distinct_workers == 2
    capped = apply(
        customer,
        make_event("customer_updated", "C1", time=IMPORTED, actor="t", name="Li"),
    )
    assert isinstance(capped, CustomerRecord) and capped.max_distinct_workers == 2


def test_entity_json_written_before_the_home_care_fields_still_decodes(
    any_store: SqlStore, care_folder: Path
) -> None:
    """A read-model row of a store written before these fields existed (no such keys in its
    JSON) decodes with the defaults: no due start, no link, no limits, every break rule."""
    ops = _imported(any_store, care_folder)
    ledger = ops.ledger()
    linked = next(v for v in ledger.visits.values() if v.job.depends_on)
    cases: list[tuple[type[Any], Any, tuple[str, ...], str]] = [
        (Visit, linked, JOB_FIELDS, "job"),
        (WorkerRecord, ledger.workers["W0001"], WORKER_FIELDS, ""),
        (CustomerRecord, next(iter(ledger.customers.values())), ("max_distinct_workers",), ""),
    ]
    for cls, entity, names, inside in cases:
        data = json.loads(encode(entity))
        holder = data[inside] if inside else data
        for name in names:
            del holder[name]
        old = decode(cls, json.dumps(data))
        fields = old.job if inside else old
        assert all(getattr(fields, n) in (None, (), "any") for n in names), cls
        assert old.__class__ is cls


def test_import_refuses_an_unknown_partner_or_break_rule(
    any_store: SqlStore, care_folder: Path, tmp_path: Path
) -> None:
    """A depends_on naming no job of the file nor visit of the store, links that come back
    to their start, a same-worker link to a team visit, and a breaks naming a rule
    dataset.toml lacks, are reported by file, row and column; nothing is written."""
    folder = tmp_path / "bad"
    folder.mkdir()
    for path in care_folder.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    jobs = pd.read_csv(folder / "jobs.csv", dtype=str, keep_default_na=False)
    jobs.loc[0, "depends_on"] = "J99999"
    ids = list(jobs["job_id"])
    jobs.loc[3, "depends_on"], jobs.loc[4, "depends_on"] = ids[4], ids[3]
    jobs.loc[5, ["depends_on", "link_worker", "workers_needed"]] = [ids[6], "same", "1"]
    jobs.loc[6, ["depends_on", "min_gap", "max_gap", "link_worker"]] = ["", "", "", ""]
    jobs.loc[6, ["workers_needed", "pinned_worker_id", "pinned_start"]] = ["2", "", ""]
    jobs.to_csv(folder / "jobs.csv", index=False)
    workers = pd.read_csv(folder / "workers.csv", dtype=str, keep_default_na=False)
    workers.loc[2, "breaks"] = "siesta"
    workers.to_csv(folder / "workers.csv", index=False)
    ops = Operations(any_store, OpsPolicy())
    with pytest.raises(DatasetError) as caught:
        import_dataset(ops, folder, time=IMPORTED)
    where = {(i.file, i.row, i.column) for i in caught.value.issues}
    assert ("jobs.csv", 2, "depends_on") in where
    assert {("jobs.csv", 5, "depends_on"), ("jobs.csv", 6, "depends_on")} <= where
    assert ("jobs.csv", 7, "link_worker") in where
    assert ("workers.csv", 4, "breaks") in where
    assert any_store.count() == 0


def test_ops_jobs_says_which_visits_lost_their_link(care_folder: Path, tmp_path: Path) -> None:
    """``ops jobs`` tells the dispatcher each linked visit it wrote without its link: a
    line on stderr for people, and an ``unlinked`` list in the JSON summary."""
    from typer.testing import CliRunner

    from matchmaker.cli._ops import app
    from matchmaker.lifecycle import EventStore

    path = tmp_path / "ops.db"
    with EventStore(path) as store:
        ops = _imported(store, care_folder)
        dependent = next(v for v in ops.ledger().visits.values() if v.job.depends_on)
        _partner_done(ops, ops.ledger().visits[str(dependent.job.depends_on)], "cancelled")
    zone = load_dataset(care_folder).settings.zone
    day = dependent.job.earliest_start.astimezone(zone).date().isoformat()
    runner = CliRunner()
    args = ["jobs", "--store", str(path), "--date", day]
    shown = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert shown.exit_code == 0, shown.output
    assert f"{dependent.visit_id}: exported without its link to {dependent.job.depends_on}" in (
        shown.output
    )
    data = runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--format", "json"])
    assert data.exit_code == 0, data.output
    unlinked = json.loads(data.stdout)["summary"]["unlinked"]
    assert {
        "job_id": dependent.visit_id,
        "depends_on": dependent.job.depends_on,
        "state": "cancelled",
    } in unlinked


def test_a_linked_visit_pinned_too_close_to_its_partner_is_released(
    any_store: SqlStore, care_folder: Path, tmp_path: Path
) -> None:
    """Two linked visits proposed at starts that break their gap (each pin fine alone):
    ``ops jobs`` releases the later one's pin (reason ``PIN_CONFLICT``, the loader's message),
    keeps the partner's, and the round loads with its pins checked, dispatches and verifies."""
    from matchmaker.compile import compile_problem

    given = load_dataset(care_folder)
    problem = compile_problem(given)
    pinned_workers = {w for job in given.jobs for w in job.pinned_worker_ids}

    def eligible(job_id: str) -> set[str]:
        j = given.job_position(job_id)
        return {w.worker_id for i, w in enumerate(given.workers) if problem.eligible[i, j]}

    ops = _imported(any_store, care_folder)
    ledger = ops.ledger()
    for dependent in sorted(ledger.visits.values(), key=lambda v: v.visit_id):
        partner = ledger.visits.get(str(dependent.job.depends_on))
        if partner is None or partner.job.workers_needed != 1:
            continue
        too_close = dependent.job.earliest_start - partner.job.latest_start
        both = (eligible(partner.visit_id) & eligible(dependent.visit_id)) - pinned_workers
        if too_close < timedelta(minutes=dependent.job.min_gap or 0) and both:
            break
    else:
        pytest.fail("the generated round has no pair to pin too close")
    worker = min(both)
    proposed = IMPORTED + timedelta(hours=1)
    ops.submit(
        [
            make_event(
                "visit_proposed", v.visit_id, time=proposed, actor="t", worker_ids=[worker], start=s
            )
            for v, s in (
                (partner, partner.job.latest_start),
                (dependent, dependent.job.earliest_start),
            )
        ]
    )
    day = dependent.job.earliest_start.astimezone(given.settings.zone).date()
    out = tmp_path / "round"
    summary = export_jobs(ops, day=day, out=out)
    released = {(r.job_id, r.reasons) for r in summary.released}
    assert released == {(dependent.visit_id, ("PIN_CONFLICT",))}
    assert "must start" in summary.released[0].detail
    round_ = load_dataset(out)
    assert round_.job(partner.visit_id).pinned_worker_ids == (worker,)
    assert not round_.job(dependent.visit_id).is_pinned
    assert round_.job(dependent.visit_id).depends_on == partner.visit_id
    result = dispatch(round_, solver="routing", time_limit=3, seed=0)
    assert verify(round_, result.plan) == []


def _applied_day(ops: Operations, tmp_path: Path) -> tuple[Dataset, Path]:
    """The first day exported with ``ops jobs``, dispatched with its breaks, the plan
    written and applied: each visit proposed, or left as proposed (a pinned one)."""
    from matchmaker.io import write_plan
    from matchmaker.lifecycle import apply_plan

    out = tmp_path / "round"
    export_jobs(ops, day=DAYS[0], out=out)
    round_ = load_dataset(out)
    result = dispatch(round_, solver="routing", time_limit=2, seed=0)
    assert result.ok and result.plan.breaks
    plan = tmp_path / "plan"
    write_plan(result.plan, plan, dataset=round_, policy=result.policy, source=out)
    summary = apply_plan(ops, plan, time=IMPORTED + timedelta(hours=2))
    planned = len({a.job_id for a in result.plan.assignments})
    assert summary.proposed + summary.unchanged == planned and not summary.skipped
    return round_, plan


def test_a_plan_with_breaks_is_applied_with_them(
    any_store: SqlStore, care_folder: Path, tmp_path: Path
) -> None:
    """A day with the lunch rule, dispatched: ``ops apply-plan`` re-checks the proposals
    against the store with the plan's breaks (the store holds none), so every visit is
    proposed instead of each shift being refused for a missing break."""
    _applied_day(_imported(any_store, care_folder), tmp_path)


def test_a_declined_visit_that_another_follows_still_exports(
    any_store: SqlStore, care_folder: Path, tmp_path: Path
) -> None:
    """After the plan is applied, the worker of a visit that a proposed visit follows
    declines it: ``ops jobs`` still writes the day (the follower's pin is checked without
    the link, then with it), and the round it writes loads and dispatches."""
    ops = _imported(any_store, care_folder)
    round_, _ = _applied_day(ops, tmp_path)
    ledger = ops.ledger()
    followed_ids = {job.depends_on for job in round_.jobs if job.depends_on is not None}
    leader = next(
        v for v in sorted(ledger.visits.values(), key=lambda v: v.visit_id)
        if v.visit_id in followed_ids and v.workers
    )  # fmt: skip
    declined = make_event(
        "visit_declined",
        leader.visit_id,
        time=IMPORTED + timedelta(hours=3),
        actor=f"worker:{leader.workers[0]}",
        worker_id=leader.workers[0],
    )
    ops.submit([declined])
    again = tmp_path / "again"
    export_jobs(ops, day=DAYS[0], out=again)
    day = load_dataset(again)
    assert not day.job(leader.visit_id).is_pinned
    result = dispatch(day, solver="routing", time_limit=2, seed=0)
    assert verify(day, result.plan) == []
