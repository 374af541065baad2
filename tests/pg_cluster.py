"""A throwaway PostgreSQL cluster for the tests, started from the OS package's binaries.

PostgreSQL refuses to run as root: as root the cluster runs as the system user
``matchmaker`` (created when missing) through ``runuser``; otherwise as the current user.
The cluster lives in a temporary folder, listens on 127.0.0.1 at a free port and on a
unix socket in that folder, trusts local connections, and is stopped and removed at the
end of the test session. :func:`start` says why when it cannot start one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
USER = "matchmaker"


@dataclass(frozen=True, kw_only=True)
class Cluster:
    folder: Path
    port: int
    run_as: list[str]

    def url(self, schema: str | None = None) -> str:
        base = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return base if schema is None else f"{base}?options=-csearch_path%3D{schema}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                _tool("pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    raise FileNotFoundError(f"{name} not found (install the postgresql package)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    exists = subprocess.run(["id", "-u", USER], capture_output=True, check=False).returncode == 0
    if not exists:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            capture_output=True,
            check=True,
        )
    return ["runuser", "-u", USER, "--"]


def start() -> Cluster | str:
    """A running cluster, or the reason there is none (for a skip message)."""
    try:
        initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
    except FileNotFoundError as error:
        return f"PostgreSQL is not installed: {error}"
    try:
        run_as = _run_as()
    except (OSError, subprocess.CalledProcessError) as error:
        return f"cannot create the unprivileged user {USER!r} PostgreSQL needs: {error}"
    folder = Path(tempfile.mkdtemp(prefix="matchmaker-pg-"))
    if run_as:
        shutil.chown(folder, USER, USER)
    data = folder / "data"
    port = _free_port()
    steps = [
        [
            *run_as,
            initdb,
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C",
        ],
        [
            *run_as,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = (folder / "log").read_text() if (folder / "log").exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            return f"cannot start PostgreSQL ({' '.join(step[: 1 + len(run_as)])}): " + (
                result.stderr.strip() or result.stdout.strip() or log.strip()
            )
    return Cluster(folder=folder, port=port, run_as=run_as)
