"""An ``Executor`` from a Dask address or a number of local workers, for whatever spreads
independent work (zones and days of a round, what-if scenarios) over processes or machines.

:func:`open_executor` is the one place that knows Dask: ``dask://HOST:PORT`` (or
``tcp://HOST:PORT``) connects to a running Dask scheduler; ``workers=N`` starts a
``distributed.LocalCluster`` of ``N`` single-threaded workers (separate processes by
default) on this machine and closes it on exit. Either way the caller gets a plain
``concurrent.futures.Executor`` (``distributed.Client.get_executor()``), so the code that
submits work never imports Dask. Without either, it yields ``None`` (run in-process).

Dask is the optional ``dask`` extra: ``pip install 'matchmaker[dask]'``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import ExitStack, contextmanager
from typing import Any

from matchmaker.model import RequestError

__all__ = ["DASK_HINT", "open_executor"]

DASK_HINT = "pip install 'matchmaker[dask]'"
_SCHEMES = ("dask://", "tcp://")


def _distributed() -> Any:
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise RequestError(
            f"spreading work over Dask needs dask[distributed]: {DASK_HINT}"
        ) from None


@contextmanager
def open_executor(
    address: str | None = None,
    *,
    workers: int | None = None,
    processes: bool = True,
) -> Iterator[Executor | None]:
    """An executor for ``address`` (``dask://HOST:PORT``) or ``workers`` local Dask
    workers (``processes=False``: threads of this process); ``None`` without either.

    Raises :class:`~matchmaker.model.RequestError` for both at once, a malformed address,
    ``workers < 1`` or a missing ``dask`` extra.
    """
    if address is not None and workers is not None:
        raise RequestError("give a Dask address or a number of local workers, not both")
    if address is None and workers is None:
        yield None
        return
    if workers is not None and workers < 1:
        raise RequestError(f"workers must be at least 1, not {workers}")
    if address is not None:
        text = address.strip()
        if not text.startswith(_SCHEMES) or not text.split("://", 1)[1]:
            raise RequestError(f"Dask address {address!r}: write it as dask://HOST:PORT")
        target = "tcp://" + text.split("://", 1)[1]
    distributed = _distributed()
    with ExitStack() as stack:
        if address is not None:
            try:
                client = stack.enter_context(distributed.Client(target, timeout="10s"))
            except (OSError, TimeoutError) as error:
                raise RequestError(
                    f"cannot reach the Dask scheduler at {target}: {error}"
                ) from None
        else:
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=":0",
                    silence_logs=40,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
        executor: Executor = client.get_executor()
        yield executor
