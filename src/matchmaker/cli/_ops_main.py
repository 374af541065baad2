"""The command line for the core ``matchmaker ops`` commands alone, started fast.

``matchmaker ops event ...`` is run by scripts and apps once per event: its start-up is
most of its cost. When the command line names a command of :mod:`matchmaker.cli._ops`
itself, the console script builds this application (the root's ``--debug`` and the
``ops`` group's own commands) instead of the whole one, which would import the solver,
the dataset readers and pandas for commands that are not run. Any other command line
(``--help``, another group, a command registered on ``ops`` by another module) gets the
whole application.
"""

from __future__ import annotations

from collections.abc import Sequence

import typer

from matchmaker.cli._common import state

__all__ = ["build", "is_core"]


def _core_commands() -> set[str]:
    from matchmaker.cli import _ops as ops

    # Other modules register commands on the same group once the whole application is
    # loaded; only the group's own module's commands count.
    return {
        info.name or getattr(info.callback, "__name__", "").replace("_", "-")
        for info in ops.app.registered_commands
        if getattr(info.callback, "__module__", "") == ops.__name__
    }


def is_core(argv: Sequence[str]) -> bool:
    """Whether ``argv`` (without the program name) runs a command of the ``ops`` group's
    own module (registered there, so the list keeps itself)."""
    words = [a for a in argv if a != "--debug"]
    return len(words) >= 2 and words[0] == "ops" and words[1] in _core_commands()


def build() -> typer.Typer:
    """The root application with only the ``ops`` group's own commands."""
    from matchmaker.cli import _ops as ops

    app = typer.Typer(
        name="matchmaker",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors."),
    ) -> None:
        state.debug = debug

    app.add_typer(ops.app, name="ops", help="Order lifecycle operations on an event store.")
    return app
