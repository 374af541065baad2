"""A real OSRM engine on 127.0.0.1, built by the tests over a synthetic street grid.

OSRM ships as ``osrm-bindings`` wheels for Python 3.12+ only (its tools ``osrm-extract``,
``osrm-contract`` and the HTTP server ``osrm-routed`` come inside the wheel), while
matchmaker's tests may run on 3.11. So the test finds a Python 3.12 (``python3.12`` on
PATH, or pyenv's), makes a throwaway virtualenv under ``.cache/road-engine`` in the
repository (kept between runs; about 15 s to make with a cold pip cache), installs the
pinned wheel there, writes the grid as OSM XML, builds the routing graph with the car
profile and starts ``osrm-routed`` on a free port. matchmaker's client talks to it over
HTTP like to any OSRM server.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["GRID_LAT", "GRID_LON", "GRID_SIZE", "GRID_STEP", "OSRM_WHEEL", "osrm_server"]

OSRM_WHEEL = "osrm-bindings==26.10.0"
REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".cache" / "road-engine" / "osrm-26.10.0"
GRID_LAT, GRID_LON = 31.2300, 121.4700
GRID_STEP = 0.0025
"""Degrees between two streets (about 250 m north-south, 240 m east-west)."""
GRID_SIZE = 8


def python312() -> str | None:
    """A working Python 3.12 interpreter (pyenv's, or ``python3.12`` on PATH), or ``None``.

    A pyenv shim on PATH may exist without answering (its version is not selected here),
    so each candidate is asked for its version.
    """
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(f"{root}/versions/3.12*/bin/python3.12"), reverse=True)
    on_path = shutil.which("python3.12")
    for candidate in [*candidates, *([on_path] if on_path else [])]:
        try:
            answer = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if answer.returncode == 0 and answer.stdout.strip() == "True":
            return candidate
    return None


def _venv_python(interpreter: str) -> Path:
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if marker.is_file() and marker.read_text() == OSRM_WHEEL and python.is_file():
        return python
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([interpreter, "-m", "venv", str(VENV)], check=True, capture_output=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", OSRM_WHEEL],
        check=True,
        capture_output=True,
        timeout=600,
    )
    marker.write_text(OSRM_WHEEL)
    return python


def grid_osm() -> str:
    """An ``GRID_SIZE`` x ``GRID_SIZE`` grid of two-way residential streets as OSM XML,
    with one primary avenue along the middle row."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']

    def node(i: int, j: int) -> int:
        return 1 + i * GRID_SIZE + j

    for i in range(GRID_SIZE):
        for j in range(GRID_SIZE):
            lat, lon = GRID_LAT + i * GRID_STEP, GRID_LON + j * GRID_STEP
            lines.append(f'<node id="{node(i, j)}" version="1" lat="{lat:.6f}" lon="{lon:.6f}"/>')
    way = 1
    for i in range(GRID_SIZE):
        kind = "primary" if i == GRID_SIZE // 2 else "residential"
        refs = "".join(f'<nd ref="{node(i, j)}"/>' for j in range(GRID_SIZE))
        lines.append(f'<way id="{way}" version="1">{refs}<tag k="highway" v="{kind}"/></way>')
        way += 1
    for j in range(GRID_SIZE):
        refs = "".join(f'<nd ref="{node(i, j)}"/>' for i in range(GRID_SIZE))
        lines.append(f'<way id="{way}" version="1">{refs}<tag k="highway" v="residential"/></way>')
        way += 1
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def osrm_server(folder: Path, interpreter: str) -> Iterator[str]:
    """Build the grid's graph in ``folder`` and serve it; yields ``http://127.0.0.1:PORT``."""
    python = str(_venv_python(interpreter))
    osm = folder / "grid.osm"
    osm.write_text(grid_osm(), encoding="utf-8")
    profile = subprocess.run(
        [python, "-c", "import osrm, pathlib; print(pathlib.Path(osrm.__file__).parent)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    car = f"{profile}/share/profiles/car.lua"
    for step in (["extract", "-p", car, str(osm)], ["contract", str(folder / "grid.osrm")]):
        subprocess.run([python, "-m", "osrm", *step], check=True, capture_output=True, cwd=folder)
    port = _free_port()
    serve = ["--max-table-size", "20", str(folder / "grid.osrm")]
    log = (folder / "routed.log").open("wb")
    server = subprocess.Popen(
        [python, "-m", "osrm", "routed", "--ip", "127.0.0.1", "--port", str(port), *serve],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                probe = f"{url}/table/v1/driving/{GRID_LON},{GRID_LAT};{GRID_LON},{GRID_LAT}"
                with urllib.request.urlopen(probe, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "osrm-routed did not start: " + (folder / "routed.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
