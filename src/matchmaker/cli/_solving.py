"""Running a solve from the command line: the live progress line, Ctrl-C as a stop flag,
and the solve in a helper thread so that Ctrl-C is seen at once."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from matchmaker.cli._common import stderr
from matchmaker.generate import warm_up
from matchmaker.solve import Progress as SolverProgress
from matchmaker.solve import ProgressCallback

__all__ = ["in_thread", "live_progress", "progress_text", "stop_on_ctrl_c", "warm_solver"]

T = TypeVar("T")

WARM_NOTE_SECONDS = 5.0
"""A warm-up at least this long compiled the kernels (the first run after an install);
loading them from the cache takes about a second."""


def progress_text(progress: SolverProgress, time_limit: float, jobs: int) -> str:
    """The progress line: the solver's phase, the time the limit leaves, where it stands."""
    left = max(time_limit - progress.elapsed_seconds, 0.0)
    return (
        f"{progress.message or 'searching'}, {left:.0f} s left  "
        f"objective {progress.objective:,}  served {progress.served}/{jobs}"
    )


def warm_solver() -> None:
    """Compile the solver's kernels before a time limit starts
    (:func:`~matchmaker.generate.warm_up`), and say so on stderr when that took a while."""
    with stderr.status("preparing the solver", spinner="line"):
        seconds = warm_up()
    if seconds >= WARM_NOTE_SECONDS:
        stderr.print(
            f"compiled the solver in {seconds:.0f} s before the time limit started "
            "(once after an install: later runs load it from the cache)"
        )


@contextmanager
def live_progress(time_limit: float, jobs: int) -> Iterator[ProgressCallback]:
    """A transient progress bar on stderr over ``time_limit``; yields its callback. The
    solver is prepared first (:func:`warm_solver`), so that the time limit is the
    search's."""
    warm_solver()
    with Progress(
        TextColumn("[bold]solving[/]"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=max(time_limit, 1e-9))

        def report(progress: SolverProgress) -> None:
            bar.update(
                task,
                completed=min(progress.elapsed_seconds, time_limit),
                description=progress_text(progress, time_limit, jobs),
            )

        yield report


@contextmanager
def stop_on_ctrl_c(stop: threading.Event) -> Iterator[None]:
    """While inside, Ctrl-C (SIGINT) sets ``stop`` instead of raising KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: object) -> None:
        stop.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def in_thread(work: Callable[[], T]) -> T:
    """Run ``work`` in a helper thread while this (main) thread waits.

    Python runs signal handlers only in the main thread, between its own bytecodes; a
    main thread inside an OR-Tools or CP-SAT call would see Ctrl-C only when it returns.
    Waiting here keeps the main thread free to set the stop flag at once.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="matchmaker-dispatch") as pool:
        return pool.submit(work).result()
