"""Operations: commands against the event store, one transaction each.

:class:`Operations` joins an event store (SQLite or PostgreSQL), its read models and
an :class:`~matchmaker.lifecycle.OpsPolicy`. ``submit`` takes the store's write lock,
reads the entities the command needs from the read models (never the whole history),
then for each event: checks the expected version (optimistic concurrency), fills its
defaults, applies it, runs the feedback rules on it (and on what they derive), and appends
everything, read models included, in one transaction. If any event fails, nothing of the
command is written and the error says which event and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from matchmaker.lifecycle._events import Command, Event, StoredEvent, read_events_jsonl
from matchmaker.lifecycle._feedback import derive
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._money import money_defaults
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._readmodel import LazyLedger, catch_up, load_ledger
from matchmaker.lifecycle._store_sql import SqlStore, Transaction
from matchmaker.model import ConcurrencyError, DatasetError, Issue, LifecycleError

__all__ = ["MAX_DERIVED_DEPTH", "POLICY_KEY", "Operations", "StoreMoved"]

T = TypeVar("T")

POLICY_KEY = "ops_policy"
"""Store setting holding the ops policy (JSON) the store's rules run with."""

MAX_DERIVED_DEPTH = 5
"""Rules may trigger rules; a chain longer than this is a bug, not a workload."""


class StoreMoved(ConcurrencyError):
    """Another writer appended since the caller read the state it checked its commands
    against (``Operations.submit(expected_head=...)``): check again and retry."""


class Operations:
    """Submit events to a store, with the feedback rules of ``policy``.

    The store remembers its policy: without ``policy`` the one saved with the store's last
    write is used (the defaults if none was saved); a given ``policy`` that differs from it
    is saved with the next command, so later sessions apply the same rules.
    """

    def __init__(self, store: SqlStore, policy: OpsPolicy | None = None) -> None:
        self.store = store
        saved = store.get_meta(POLICY_KEY)
        stored = OpsPolicy.model_validate_json(saved) if saved is not None else None
        self.policy = policy or stored or OpsPolicy()
        self._save_policy = policy is not None and policy != stored

    def ledger(self) -> Ledger:
        """The current state of every entity, read from the store's read models (a copy
        the caller may change)."""
        return load_ledger(self.store)

    def submit(
        self,
        commands: Sequence[Event | Command],
        *,
        source: str | None = None,
        meta: Mapping[str, str] | None = None,
        expected_head: int | None = None,
    ) -> list[StoredEvent]:
        """Apply and append ``commands`` and the events the rules derive, all or nothing.

        Raises ``InvalidTransition``, ``LifecycleError`` or ``ConcurrencyError`` naming the
        event; with ``source`` (an input file name) a failing command that carries a line
        number is reported as a ``DatasetError`` naming that line. ``meta`` entries
        (store settings such as the timezone) are written in the same transaction. With
        ``expected_head`` (the store's ``head()`` when the caller read what it checked the
        commands against), :class:`StoreMoved` is raised and nothing written when another
        writer appended since.
        """
        with self.store.transaction() as tx:
            if expected_head is not None and tx.head() != expected_head:
                raise StoreMoved(
                    f"the store moved on from event {expected_head} to {tx.head()} while "
                    "this was checked against it"
                )
            stored = self._write(tx, commands, source=source, meta=meta)
        self._save_policy = False
        return stored

    def submit_checked(
        self,
        build: Callable[[], tuple[Sequence[Event | Command], T]],
        *,
        source: str,
        optimistic: int = 2,
    ) -> T:
        """Submit the commands ``build`` makes from the store as it is now (it reads and
        checks what it needs), so that two dispatchers applying plans at once cannot both
        pass their checks on the state before the other's write. Returns what ``build``
        returned beside the commands written; ``build`` may raise to refuse, and nothing is
        written then.

        ``build`` first runs without the write lock (other writers go on while it checks)
        and its commands are written only if no other writer appended meanwhile. After
        ``optimistic`` such tries overtaken by other writes, it runs once more holding the
        write lock, reading through the write transaction (:meth:`SqlStore.snapshot`), so a
        steady stream of other writes delays the command by one check but never starves it.
        """
        for _ in range(optimistic):
            # The head first: events appended after it, seen by build or not, move it.
            head = self.store.head()
            commands, made = build()
            try:
                self.submit(commands, source=source, expected_head=head)
            except StoreMoved:
                continue
            return made
        with self.store.transaction() as tx:
            commands, made = build()
            self._write(tx, commands, source=source, meta=None)
        self._save_policy = False
        return made

    def _write(
        self,
        tx: Transaction,
        commands: Sequence[Event | Command],
        *,
        source: str | None,
        meta: Mapping[str, str] | None,
    ) -> list[StoredEvent]:
        """Apply and append ``commands`` in ``tx`` (see :meth:`submit`)."""
        catch_up(tx)
        work = LazyLedger(tx)
        pending = self.rehearse(work, commands, source=source)
        stored = tx.append(pending, ledger=work)
        for key, value in (meta or {}).items():
            tx.set_meta(key, value)
        if self._save_policy:
            tx.set_meta(POLICY_KEY, self.policy.model_dump_json())
        return stored

    def rehearse(
        self, work: Ledger, commands: Sequence[Event | Command], *, source: str | None
    ) -> list[Event]:
        """Apply ``commands`` and the events the rules derive to ``work`` (in memory),
        refused as :meth:`submit` refuses them; returns the events, nothing written. A
        caller checks what would follow them on a ledger changed by this."""
        pending: list[Event] = []
        for item in commands:
            command = item if isinstance(item, Command) else Command(event=item)
            try:
                self._handle(work, command, pending)
            except ConcurrencyError:
                raise
            except LifecycleError as error:
                if source is None or command.line is None:
                    raise
                raise DatasetError(
                    [
                        Issue(
                            file=source,
                            row=command.line,
                            column="kind",
                            value=command.event.kind,
                            message=str(error),
                        )
                    ]
                ) from error
        return pending

    def import_events(self, path: Path) -> list[StoredEvent]:
        """Validate a JSONL file of events and submit it as one command (all or nothing)."""
        commands = read_events_jsonl(path)
        return self.submit(commands, source=str(path))

    def _handle(self, work: Ledger, command: Command, pending: list[Event]) -> None:
        event = command.event
        if command.expected_version is not None:
            current = work.version(event.key)
            if current != command.expected_version:
                raise ConcurrencyError(
                    f"{event.entity_type} {event.entity_id}: you saw version "
                    f"{command.expected_version} but it is at version {current}; another "
                    "writer changed it. Reload and retry."
                )
        # Derived events carry their cause's time, which may be earlier than what their own
        # entity saw last (a rating reaching a worker updated since): only the command's
        # own event is checked.
        work.check_time_order(event)
        queue: list[tuple[Event, int]] = [(event, 0)]
        while queue:
            current_event, depth = queue.pop(0)
            if depth > MAX_DERIVED_DEPTH:
                raise LifecycleError(f"rules derived events more than {MAX_DERIVED_DEPTH} deep")
            resolved = work.resolve(money_defaults(work, current_event, self.policy))
            work.apply(resolved)
            pending.append(resolved)
            queue.extend((d, depth + 1) for d in derive(work, resolved, self.policy))
