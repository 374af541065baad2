"""The typer application: the root command and its subcommands."""

from __future__ import annotations

import typer

from matchmaker.cli import _data as data
from matchmaker.cli import _dispatch as dispatch
from matchmaker.cli import _live as live
from matchmaker.cli import _ops as ops
from matchmaker.cli import _ops_live as ops_live
from matchmaker.cli import _ops_screening as ops_screening
from matchmaker.cli import _ops_steps as ops_steps
from matchmaker.cli import _placement_ops as placement_ops
from matchmaker.cli import _placements as placements
from matchmaker.cli import _report as report
from matchmaker.cli import _whatif as whatif
from matchmaker.cli._common import state

__all__ = ["app"]

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
whatif.register(app)
report.register(app)
placements.register(app)
placement_ops.register(ops.app)
live.register(app)
ops_live.register(ops.app)
ops_steps.register(ops.app)
ops_screening.register(ops.app)
app.add_typer(ops.app, name="ops", help="Order lifecycle operations on an event store.")
