"""A fake road engine on 127.0.0.1 for the error paths of the road engine client.

It answers OSRM ``/table`` and Valhalla ``sources_to_targets`` with ``seconds(a, b)`` (one
minute per 0.001 degree of latitude plus longitude), and can be told to misbehave first:
``script`` is a list of actions for the next requests (``"500"``, ``"429"``, ``"400"``,
``"garbage"``, ``"slow"``, ``"null"``), after which it answers normally.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeEngine", "fake_engine", "seconds"]


def seconds(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The fake engine's duration from ``a`` to ``b`` (lat, lon): 60 s per 0.001 degree."""
    return 60_000.0 * (abs(a[0] - b[0]) + abs(a[1] - b[1]))


class FakeEngine:
    def __init__(self) -> None:
        self.script: list[str] = []
        self.requests: list[str] = []
        self.valhalla_compact = False
        self.slow_seconds = 1.0
        self.lock = threading.Lock()

    def action(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"


class _Handler(BaseHTTPRequestHandler):
    engine: FakeEngine

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _misbehave(self) -> str | None:
        action = self.engine.action()
        if action == "slow":
            time.sleep(self.engine.slow_seconds)
            return None
        if action in ("500", "429", "400"):
            self._send(int(action), b'{"message": "scripted failure"}')
            return "done"
        if action == "garbage":
            self._send(200, b"<html>not json")
            return "done"
        return action

    def do_GET(self) -> None:
        self.engine.requests.append(self.path)
        action = self._misbehave()
        if action == "done":
            return
        parsed = urllib.parse.urlsplit(self.path)
        coords = parsed.path.split("/")[-1]
        points = [tuple(float(x) for x in p.split(",")) for p in coords.split(";")]
        latlon = [(lat, lon) for lon, lat in points]
        query = urllib.parse.parse_qs(parsed.query)
        sources = [int(i) for i in query["sources"][0].split(";")]
        destinations = [int(i) for i in query["destinations"][0].split(";")]
        table: list[list[float | None]] = [
            [seconds(latlon[s], latlon[d]) for d in destinations] for s in sources
        ]
        if action == "null":
            table[0][-1] = None
        self._send(200, json.dumps({"code": "Ok", "durations": table}).encode())

    def do_POST(self) -> None:
        self.engine.requests.append(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        action = self._misbehave()
        if action == "done":
            return
        sources = [(p["lat"], p["lon"]) for p in body["sources"]]
        targets = [(p["lat"], p["lon"]) for p in body["targets"]]
        times = [[seconds(s, t) for t in targets] for s in sources]
        if self.engine.valhalla_compact:
            answer: Any = {"sources_to_targets": {"durations": times}}
        else:
            answer = {
                "sources_to_targets": [
                    [{"time": t, "from_index": i, "to_index": j} for j, t in enumerate(row)]
                    for i, row in enumerate(times)
                ]
            }
        self._send(200, json.dumps(answer).encode())


@contextmanager
def fake_engine() -> Iterator[tuple[FakeEngine, str]]:
    """A running fake engine and its base URL (``http://127.0.0.1:PORT``)."""
    engine = FakeEngine()
    handler = type("Handler", (_Handler,), {"engine": engine})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield engine, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
