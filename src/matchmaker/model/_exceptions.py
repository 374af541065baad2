"""Every error a user of matchmaker can meet.

The tree::

    MatchmakerError
    ├── DomainError                 a domain object was built with values that break its invariants
    ├── DatasetError                a dataset failed validation; carries every issue found
    ├── PolicyError                 a policy or dataset.toml setting is invalid
    ├── PlanError                   a plan folder cannot be read or written
    │   ├── OutputExistsError       the output folder exists and is not a plan (use --force)
    │   └── UnverifiedPlanError     the plan breaks hard rules, so it is not written
    ├── SolverError                 a solver failed to produce a plan
    ├── RequestError                a call asked for something that does not exist or cannot be made
    │   ├── UnknownSolverError      no solver backend has that name (also a ValueError)
    │   ├── UnknownJobError         the dataset has no job with that id (also a KeyError)
    │   ├── UnknownTableError       a dataset has no table of that name (also a ValueError)
    │   ├── UnknownFormatError      no table file format has that name (also a ValueError)
    │   └── InvalidSizeError        a generator size or seed is not a whole number in range
    └── LifecycleError              order lifecycle and operations
        ├── InvalidTransition       an event is not allowed in the entity's current state
        └── ConcurrencyError        a stale writer tried to append to the event store

Every message says what is wrong and, where it can, what to do about it. Errors that
replaced a built-in one keep it as a second base, so ``except ValueError`` (or
``KeyError``) written against matchmaker 0.1 still catches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ConcurrencyError",
    "DatasetError",
    "DomainError",
    "InvalidSizeError",
    "InvalidTransition",
    "Issue",
    "LifecycleError",
    "MatchmakerError",
    "OutputExistsError",
    "PlanError",
    "PolicyError",
    "RequestError",
    "SolverError",
    "UnknownFormatError",
    "UnknownJobError",
    "UnknownSolverError",
    "UnknownTableError",
    "UnverifiedPlanError",
    "shorten",
]


SHOWN_VALUE_CHARS = 80
"""An issue shows at most this many characters of a cell (or column name)."""
SHOWN_MESSAGE_CHARS = 1000
"""An issue message is cut at this many characters."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


class MatchmakerError(Exception):
    """Base class of every error matchmaker raises on purpose."""


class DomainError(MatchmakerError, ValueError):
    """A domain object was constructed with values that break its invariants."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Issue:
    """One problem found in an input file.

    ``row`` is the line a spreadsheet shows (the header is line 1); ``None`` when the
    issue concerns the whole file or table.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __post_init__(self) -> None:
        # A cell can hold megabytes; echoing it whole floods the terminal and the memory.
        if self.value is not None and len(self.value) > SHOWN_VALUE_CHARS:
            object.__setattr__(self, "value", shorten(self.value, SHOWN_VALUE_CHARS))
        if len(self.message) > SHOWN_MESSAGE_CHARS:
            object.__setattr__(self, "message", shorten(self.message, SHOWN_MESSAGE_CHARS))
        if self.column is not None and len(self.column) > SHOWN_VALUE_CHARS:
            object.__setattr__(self, "column", shorten(self.column, SHOWN_VALUE_CHARS))

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{value}"


class DatasetError(MatchmakerError):
    """A dataset failed validation. ``issues`` holds every error (and warning) found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        head = f"{len(errors)} error(s) in the dataset"
        lines = [str(i) for i in errors[:20]]
        if len(errors) > 20:
            lines.append(f"... and {len(errors) - 20} more")
        super().__init__("\n".join([head, *lines]))

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")


class PolicyError(MatchmakerError):
    """A policy file or a dataset.toml setting is invalid."""


class PlanError(MatchmakerError):
    """A plan folder cannot be read or written."""


class OutputExistsError(PlanError):
    """The output folder exists and does not hold a plan; pass --force to replace it."""


class UnverifiedPlanError(PlanError):
    """A plan that fails :func:`~matchmaker.plan.verify` was about to be written.

    ``violations`` holds what the verifier found (its ``Violation`` objects: the model
    layer does not import the plan layer); nothing was written.
    """

    def __init__(self, message: str, violations: Sequence[object]) -> None:
        self.violations = tuple(violations)
        shown = [f"  {v}" for v in self.violations[:10]]
        if len(self.violations) > 10:
            shown.append(f"  ... and {len(self.violations) - 10} more")
        super().__init__("\n".join([message, *shown]))


class SolverError(MatchmakerError):
    """A solver failed to produce a plan."""


class RequestError(MatchmakerError):
    """A function or command was asked for something that does not exist or cannot be made:
    an unknown solver, job, table or format, or a size out of range. The caller's input is
    wrong, not matchmaker (the command line exits 2)."""


class UnknownSolverError(RequestError, ValueError):
    """No solver backend has the name asked for; the message lists the ones there are."""


class UnknownJobError(RequestError, KeyError):
    """The dataset has no job with the id asked for."""

    def __str__(self) -> str:
        # KeyError's own str() quotes its message like a key: 'job ... is not in the dataset'.
        return str(self.args[0]) if self.args else ""


class UnknownTableError(RequestError, ValueError):
    """A dataset has no table of the name given; the message lists the ones it has."""


class UnknownFormatError(RequestError, ValueError):
    """No table file format has the name given; the message lists the ones there are."""


class InvalidSizeError(RequestError, ValueError):
    """A generator size (workers, jobs, days) or seed is not a whole number in range."""


class LifecycleError(MatchmakerError):
    """Base class of order lifecycle and operations errors."""


class InvalidTransition(LifecycleError):
    """An event is not allowed in the entity's current state; nothing was changed."""

    def __init__(self, *, entity: str, state: str, event: str, allowed: Sequence[str]) -> None:
        self.entity = entity
        self.state = state
        self.event = event
        self.allowed = tuple(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none (final state)"
        super().__init__(
            f"{entity}: event {event!r} is not allowed in state {state!r}; "
            f"allowed there: {allowed_text}"
        )


class ConcurrencyError(LifecycleError):
    """A writer appended with a stale sequence number; reload the entity and retry."""
