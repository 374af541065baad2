"""The running services the sweep (:mod:`benchmarks.sweep`) points commands at, started
the first time a case needs one and stopped at the end: a throwaway PostgreSQL cluster
(``tests/pg_cluster.py``) for the event-store day, and a Dask scheduler with two worker
processes, started with the ``dask`` command as a user starts them, for ``dispatch
--executor dask://``. Where one cannot start, the sweep
says why once and falls back (an SQLite store; ``--workers 2``)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from tests import pg_cluster

__all__ = ["Services"]


class Services:
    """The sweep's PostgreSQL cluster and Dask scheduler, each started on first use."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._cluster: pg_cluster.Cluster | str | None = None
        self._scheduler: str | None = None
        self._scheduler_tried = False

    def postgres(self, schema: str) -> str | None:
        """A store URL in its own ``schema`` of the cluster, or ``None`` without one."""
        if self._cluster is None:
            if importlib.util.find_spec("psycopg") is None:
                self._cluster = "psycopg is not installed: pip install 'matchmaker[postgres]'"
            else:
                self._cluster = pg_cluster.start()
                if isinstance(self._cluster, pg_cluster.Cluster):
                    self._stack.callback(self._cluster.stop)
            if isinstance(self._cluster, str):
                print(f"store days on SQLite only: {self._cluster}", flush=True)
        if isinstance(self._cluster, str):
            return None
        return self._cluster.url(schema)

    def pool_args(self, pool: str | None) -> list[str]:
        """``dispatch`` arguments for a case's ``pool`` (see ``Case.pool``)."""
        if pool is None:
            return []
        address = self._dask() if pool == "scheduler" else None
        return ["--workers", "2"] if address is None else ["--executor", address]

    def _dask(self) -> str | None:
        if not self._scheduler_tried:
            self._scheduler_tried = True
            try:
                self._scheduler = self._start_dask()
            except (OSError, TimeoutError, subprocess.SubprocessError) as error:
                print(f"no Dask scheduler ({error}): --workers 2 instead", flush=True)
        return self._scheduler

    def _start_dask(self) -> str:
        """``dask scheduler`` and ``dask worker`` (two single-threaded processes) started as
        a user starts them; the scheduler's address as ``dask://HOST:PORT``."""
        program = Path(sys.executable).parent / "dask"
        folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory()))
        address_file = folder / "scheduler.json"
        where = ["--scheduler-file", str(address_file)]
        scheduler = [str(program), "scheduler", *where, "--port", "0", "--dashboard-address", ":0"]
        self._process([*scheduler, "--host", "127.0.0.1"])
        deadline = time.monotonic() + 60
        while not address_file.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the Dask scheduler wrote no address in 60 s")
            time.sleep(0.2)
        worker = [str(program), "worker", *where, "--nworkers", "2", "--nthreads", "1"]
        self._process([*worker, "--no-dashboard"])
        address = json.loads(address_file.read_text(encoding="utf-8"))["address"]
        return "dask://" + str(address).split("://", 1)[1]

    def _process(self, args: list[str]) -> None:
        """Start ``args`` quietly, to be stopped when the sweep ends."""
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop() -> None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

        self._stack.callback(stop)

    def close(self) -> None:
        self._stack.close()
