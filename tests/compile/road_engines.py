"""Real road engines on 127.0.0.1, built by the tests over a synthetic street grid.

OSRM ships as ``osrm-bindings`` wheels and Valhalla as ``pyvalhalla`` wheels, for Python
3.12+ only (their tools and HTTP servers, ``osrm-routed`` and ``valhalla_service``, come
inside the wheels), while matchmaker's tests may run on 3.11. So a test finds a Python 3.12
(pyenv's, or ``python3.12`` on PATH), makes a throwaway virtualenv under
``.cache/road-engine`` in the repository (kept between runs), installs the pinned wheels
there, writes the grid as OSM data, builds the engine's graph and starts its server on a
free port. matchmaker's client talks to it over HTTP like to any OSRM or Valhalla server.

* OSRM: about 15 s to set up with a cold pip cache; runs in ``make test``.
* Valhalla: a 250 MB wheel, and its tile builder reads only OSM PBF, which ``osmium``
  (pyosmium) writes from the XML; it runs when ``MATCHMAKER_VALHALLA_TEST=1``, which
  ``make test-roads`` (run by CI) sets.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = [
    "GRID_LAT",
    "GRID_LON",
    "GRID_SIZE",
    "GRID_STEP",
    "OSRM_WHEEL",
    "VALHALLA_WHEELS",
    "osrm_server",
    "python312",
    "valhalla_server",
]

OSRM_WHEEL = "osrm-bindings==26.10.0"
VALHALLA_WHEELS = ("pyvalhalla==3.9.1", "osmium==4.3.2")
REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "road-engine"
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


def _venv_python(interpreter: str, name: str, wheels: tuple[str, ...]) -> Path:
    """The Python of virtualenv ``name`` with ``wheels`` installed (made once, kept)."""
    venv = CACHE / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    wanted = " ".join(wheels)
    if marker.is_file() and marker.read_text() == wanted and python.is_file():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True, capture_output=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *wheels],
        check=True,
        capture_output=True,
        timeout=900,
    )
    marker.write_text(wanted)
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
    python = str(_venv_python(interpreter, "osrm-26.10.0", (OSRM_WHEEL,)))
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
        start_new_session=True,  # the wrapper starts osrm-routed as its child: stop both
    )
    url = f"http://127.0.0.1:{port}"
    probe = f"{url}/table/v1/driving/{GRID_LON},{GRID_LAT};{GRID_LON},{GRID_LAT}"
    with _running(server, log, folder / "routed.log", urllib.request.Request(probe)):
        yield url


@contextmanager
def _running(
    server: subprocess.Popen[bytes], log: IO[bytes], log_path: Path, probe: urllib.request.Request
) -> Iterator[None]:
    """Wait until ``probe`` is answered, then yield; then stop ``server``'s process group
    (the session we started it in: the wrapper and the engine it runs)."""
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the engine did not start: {log_path.read_text()}"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        _stop_group(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=5)
        _stop_group(server.pid, signal.SIGKILL)  # valhalla_service may ignore SIGTERM
        server.wait()
        log.close()


def _stop_group(group: int, how: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, how)


_PBF = """
import sys
import osmium

writer = osmium.SimpleWriter(sys.argv[2])


class Copy(osmium.SimpleHandler):
    def node(self, n):
        writer.add_node(n)

    def way(self, w):
        writer.add_way(w)


Copy().apply_file(sys.argv[1])
writer.close()
"""


@contextmanager
def valhalla_server(folder: Path, interpreter: str) -> Iterator[str]:
    """Build the grid's Valhalla tiles in ``folder`` and serve them with
    ``valhalla_service``; yields ``http://127.0.0.1:PORT``."""
    python = _venv_python(interpreter, "valhalla-3.9.1", VALHALLA_WHEELS)
    env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    (folder / "grid.osm").write_text(grid_osm(), encoding="utf-8")
    subprocess.run(
        [str(python), "-c", _PBF, "grid.osm", "grid.osm.pbf"], check=True, cwd=folder, env=env
    )
    tiles = ["--mjolnir-tile-dir", str(folder / "tiles")]
    extract = ["--mjolnir-tile-extract", str(folder / "tiles.tar")]
    config = subprocess.run(
        [str(python.parent / "valhalla_build_config"), *tiles, *extract],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    port = _free_port()
    settings = json.loads(config)
    settings["httpd"]["service"]["listen"] = f"tcp://127.0.0.1:{port}"
    (folder / "valhalla.json").write_text(json.dumps(settings), encoding="utf-8")
    subprocess.run(
        [str(python.parent / "valhalla_build_tiles"), "-c", "valhalla.json", "grid.osm.pbf"],
        check=True,
        capture_output=True,
        cwd=folder,
        env=env,
    )
    log = (folder / "service.log").open("wb")
    server = subprocess.Popen(
        [str(python.parent / "valhalla_service"), str(folder / "valhalla.json"), "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # the wrapper starts the service as its child: stop both
    )
    url = f"http://127.0.0.1:{port}"
    body = {
        "sources": [{"lat": GRID_LAT, "lon": GRID_LON}],
        "targets": [{"lat": GRID_LAT, "lon": GRID_LON}],
        "costing": "auto",
    }
    probe = urllib.request.Request(
        f"{url}/sources_to_targets",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with _running(server, log, folder / "service.log", probe):
        yield url
