"""The ``matchmaker`` command line: a thin typer layer over the public functions.

Exit codes: 0 success, 2 invalid input (the message names file, row and column),
1 internal error, 130 interrupted (Ctrl-C). User errors go to stderr without a traceback;
``--debug`` shows it.
"""

from __future__ import annotations

import typer

from matchmaker.cli import data, dispatch, ops
from matchmaker.cli._common import state

__all__ = ["app", "main"]

app = typer.Typer(
    name="matchmaker",
    help="Match and schedule home-service workers to customer jobs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors."),
) -> None:
    state.debug = debug


data.register(app)
dispatch.register(app)
app.add_typer(ops.app, name="ops", help="Order lifecycle operations on an event store.")


def main() -> None:
    app()
