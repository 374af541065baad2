"""The store suite on both backends (SQLite, PostgreSQL): events, sequences, concurrency,
and read models that equal a replay of the events."""

from __future__ import annotations

import threading

import pytest

from matchmaker.lifecycle import (
    Command,
    EntityType,
    Ledger,
    Operations,
    OpsPolicy,
    SqlStore,
    open_store,
    rebuild_read_models,
)
from matchmaker.lifecycle._readmodel import LazyLedger
from matchmaker.model import ConcurrencyError, LifecycleError

from .factory import ev, served, visit, world


def _history() -> list[object]:
    """A small company's day: visits served, rated, reworked, a complaint upheld."""
    events: list[object] = [*world()]
    for i in range(6):
        events += [
            visit(f"V{i}", start=60 + 10 * i),
            *served(f"V{i}", f"W{1 + i % 3}", 60 + 10 * i),
        ]
    events += [
        ev("visit_rated", "V0", 300, stars=5, comment="great"),
        ev("visit_rated", "V1", 300, stars=2, comment="late"),
        ev("visit_rework_requested", "V2", 310, reason="missed the kitchen"),
        ev("visit_accepted", "V3", 300),
        ev("visit_settled", "V3", 320),
        ev("complaint_opened", "K1", 330, visit_id="V1", category="quality", description="x"),
        ev("complaint_investigation_started", "K1", 340),
        ev("complaint_upheld", "K1", 350, resolution="apologised"),
    ]
    return events


def _ops(store: SqlStore) -> Operations:
    ops = Operations(store, OpsPolicy())
    ops.submit(_history())  # type: ignore[arg-type]
    return ops


def test_events_round_trip_exactly(any_store: SqlStore) -> None:
    """What is read back equals what was appended, offsets and payload included."""
    events = [*world(), visit("V1")]
    stored = any_store.append(events)
    again = any_store.read()
    assert [s.event for s in again] == events
    assert [s.event.time.utcoffset() for s in again] == [e.time.utcoffset() for e in events]
    assert [s.position for s in again] == [s.position for s in stored]
    assert {s.seq for s in again} == {1}
    assert any_store.count() == len(events)


def test_sequences_count_per_entity(any_store: SqlStore) -> None:
    """Each entity numbers its own events 1, 2, 3 ... without gaps."""
    any_store.append([*world(), ev("worker_updated", "W1", 1, name="a")])
    any_store.append(
        [ev("worker_updated", "W1", 2, name="b"), ev("worker_updated", "W2", 2, name="c")]
    )
    assert any_store.version((EntityType.WORKER, "W1")) == 3
    assert any_store.version((EntityType.WORKER, "W2")) == 2
    assert any_store.version((EntityType.WORKER, "W9")) == 0
    assert any_store.integrity_check() == []


def test_events_cannot_be_changed(any_store: SqlStore) -> None:
    """Updating or deleting an event is refused by the database itself."""
    any_store.append(world())
    for statement in ("UPDATE events SET kind = 'x'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"), any_store.transaction() as tx:
            tx.execute(statement)
    assert any_store.count() == len(world())


def test_a_check_under_the_write_lock_reads_through_the_write_transaction(
    any_store: SqlStore,
) -> None:
    """``submit_checked``'s last try builds its commands holding the write lock (with
    ``optimistic=0`` the only try): the ledger that check reads comes through the open
    write transaction, not a second one on the same connection, and what it builds is
    written; a refusal inside it writes nothing and leaves the store usable."""
    ops = _ops(any_store)
    before = any_store.count()

    def rename() -> tuple[list[Command], str]:
        name = ops.ledger().workers["W1"].name
        return [Command(event=ev("worker_updated", "W1", 500, name=f"{name} Jr"))], name

    old = ops.submit_checked(rename, source="test", optimistic=0)
    assert ops.ledger().workers["W1"].name == f"{old} Jr"
    assert any_store.count() == before + 1

    def refuse() -> tuple[list[Command], None]:
        ops.ledger()
        raise LifecycleError("refused by the check")

    with pytest.raises(LifecycleError, match="refused by the check"):
        ops.submit_checked(refuse, source="test", optimistic=0)
    assert any_store.count() == before + 1
    assert ops.ledger().workers["W1"].name == f"{old} Jr"


def test_a_failed_command_writes_nothing(any_store: SqlStore) -> None:
    """A command whose second event is illegal leaves events and read models as they were."""
    ops = _ops(any_store)
    before = (any_store.count(), ops.ledger().snapshot())
    with pytest.raises(LifecycleError):
        ops.submit([ev("visit_cancelled", "V5", 400, reason="x"), ev("visit_settled", "V9", 400)])
    assert (any_store.count(), ops.ledger().snapshot()) == before


def test_a_writer_waits_for_the_lock_at_most_its_timeout(store_location: str) -> None:
    """Another writer holds the write lock (a plan checked under it) longer than this one
    waits: on both backends it gets a ConcurrencyError saying to run it again, and writes
    nothing (PostgreSQL's writers once waited for the lock without end)."""
    with open_store(store_location) as holder, open_store(store_location, timeout=0.2) as late:
        holder.append(world())
        before = holder.count()
        busy = pytest.raises(ConcurrencyError, match=r"another writer held the store .* 0\.2 s")
        with holder.transaction(), busy:
            late.append([visit("V1")])
        assert late.count() == before
        late.append([visit("V1")])  # the lock is free again: the same write goes through
        assert holder.count() == before + 1


def test_stale_writer_gets_a_concurrency_error(store_location: str) -> None:
    """A writer acting on an old version fails clearly; the other writer's event stays."""
    with open_store(store_location) as first, open_store(store_location) as second:
        a, b = Operations(first, OpsPolicy()), Operations(second, OpsPolicy())
        a.submit([*world(), visit("V1")])
        seen = a.ledger().version((EntityType.VISIT, "V1"))
        b.submit([ev("visit_cancelled", "V1", 1, reason="customer called")])
        with pytest.raises(ConcurrencyError, match="Reload and retry"):
            a.submit(
                [
                    Command(
                        event=ev("visit_cancelled", "V1", 2, reason="duplicate"),
                        expected_version=seen,
                    )
                ]
            )
        kinds = [s.event.kind for s in first.read(entity=(EntityType.VISIT, "V1"))]
        assert kinds == ["visit_created", "visit_cancelled"]
        assert a.ledger().visits["V1"].cancel_reason == "customer called"
        with pytest.raises(ConcurrencyError):
            first.append(
                [ev("visit_cancelled", "V1", 3, reason="x")], expected={(EntityType.VISIT, "V1"): 1}
            )


def test_eight_concurrent_writers_lose_no_update(store_location: str) -> None:
    """Eight writers (one connection each) updating one worker and their own visits give
    gapless sequences, every event, and read models equal to a replay."""
    with open_store(store_location) as store:
        Operations(store, OpsPolicy()).submit(world())
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with open_store(store_location) as store:
                ops = Operations(store, OpsPolicy())
                for i in range(12):
                    ops.submit(
                        [
                            ev("worker_updated", "W1", i, name=f"{number}-{i}"),
                            visit(f"V{number}-{i}", start=60 + i),
                        ]
                    )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open_store(store_location) as store:
        seqs = [s.seq for s in store.read(entity=(EntityType.WORKER, "W1"))]
        assert seqs == list(range(1, 8 * 12 + 2))
        assert store.integrity_check() == []
        state = Operations(store).ledger()
        assert len(state.visits) == 8 * 12
        assert state.version((EntityType.WORKER, "W1")) == 8 * 12 + 1
        assert state.snapshot() == Ledger.replay(store.read()).snapshot()


def test_read_models_equal_a_replay(any_store: SqlStore) -> None:
    """The read models kept command by command hold exactly what replaying every event
    gives, creation and latest change included."""
    ops = _ops(any_store)
    ops.submit([ev("worker_suspended", "W4", 400, reason="holiday")])
    incremental = ops.ledger()
    replayed = Ledger.replay(any_store.read())
    assert incremental.snapshot() == replayed.snapshot()
    assert incremental.created == replayed.created
    assert incremental.latest == replayed.latest
    assert incremental.position == replayed.position == any_store.read()[-1].position


def test_rebuild_equals_the_incremental_state(any_store: SqlStore) -> None:
    """Dropping and rebuilding the read models gives back what commands kept up to date."""
    ops = _ops(any_store)
    before = ops.ledger()
    summary = rebuild_read_models(any_store)
    after = ops.ledger()
    assert summary.events == any_store.count()
    assert summary.entities == len(before.versions)
    assert after.snapshot() == before.snapshot()
    assert (after.created, after.latest, after.position) == (
        before.created,
        before.latest,
        before.position,
    )


def test_events_appended_without_read_models_are_caught_up(any_store: SqlStore) -> None:
    """Events bulk-loaded without read models are applied on the next read of the state."""
    Operations(any_store, OpsPolicy()).submit(world())
    with any_store.transaction() as tx:
        tx.append([visit("V1"), *served("V1")], project=False)
    state = Operations(any_store).ledger()
    assert state.visits["V1"].state == "completed"
    assert state.snapshot() == Ledger.replay(any_store.read()).snapshot()


def test_a_command_reads_only_what_it_needs(any_store: SqlStore) -> None:
    """Cancelling one visit reads that visit from the read models, not every entity: the
    other visits stay unread in the lazy ledger."""
    _ops(any_store)
    any_store.append([visit("V9", start=600)])
    with any_store.transaction() as tx:
        ledger = LazyLedger(tx)
        ledger.apply(ev("visit_cancelled", "V9", 510, reason="customer called"))
        assert set(dict.keys(ledger.visits)) == {"V9"}
        assert ledger.version((EntityType.VISIT, "V9")) == 2
        assert ledger.created[(EntityType.VISIT, "V9")][1] == "visit_created"
        assert len(ledger.visits) == 8  # six, a rework visit and V9: asking reads all


def test_time_order_holds_across_sessions(any_store: SqlStore) -> None:
    """An event stamped before a visit's latest change is refused in a later session too
    (the latest change is kept in the read model)."""
    _ops(any_store)
    with pytest.raises(LifecycleError, match="time order"):
        Operations(any_store).submit([ev("visit_accepted", "V4", 60)])
