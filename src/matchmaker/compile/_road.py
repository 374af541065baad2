"""Travel minutes from a road engine: OSRM's ``/table`` or Valhalla's ``sources_to_targets``.

:class:`RoadTravel` is a :class:`~matchmaker.compile.TravelModel` that asks a routing engine
over HTTP (the standard library's ``urllib``) for the durations between points, and turns
them into whole minutes, rounded up (``ceil(seconds / 60)``; no overhead is added: the
engine's durations are used as they are). An engine address reads
``KIND+http://HOST:PORT`` (``osrm+http://localhost:5000``,
``valhalla+https://valhalla.example.com``), optionally for one mode: ``car=osrm+http://...``.

* **Modes.** An address without a mode serves walk, bike and car (OSRM profiles ``foot``,
  ``cycling``, ``driving``; Valhalla costings ``pedestrian``, ``bicycle``, ``auto``);
  transit, and any mode without an address, uses the default model (``fallback``). Note
  that ``osrm-routed`` answers with the one profile it was built with whatever the URL
  says: run one server per mode and name each (``walk=osrm+http://host:5001``).
* **Chunking.** A request holds at most ``max_locations`` points (sources plus
  destinations; ``osrm-routed --max-table-size`` defaults to 100, Valhalla's
  ``max_matrix_location_pairs`` to 2500 pairs), so a large table is asked block by block.
* **Retries.** A timeout, a refused connection, an HTTP 429 or 5xx answer, or a body that
  is not the engine's JSON is retried ``retries`` times, waiting ``backoff * 2**attempt``
  seconds in between; any other HTTP error fails at once with the engine's message.
* **Cache.** Every answer is kept by rounded coordinates (:mod:`._road_cache`), in memory
  for the life of the model (so a plan is recorded with the very minutes it was solved
  with) and, with ``cache``, in a folder across runs. Points are sent rounded to
  :data:`~._road_cache.DECIMALS` decimals too, so the cache holds exactly what was asked.
* **Unreachable pairs** (``null`` durations: a point on a road piece cut off from the
  rest) raise :class:`RoadEngineError` naming the points.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from matchmaker.compile._road_cache import DECIMALS, PairCache, point_keys
from matchmaker.compile._travel import HaversineTravel, TravelModel, _as_points
from matchmaker.model import MatchmakerError, RequestError, TravelSettings

__all__ = ["EngineKind", "RoadEndpoint", "RoadEngineError", "RoadTravel", "road_travel"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
EngineKind = Literal["osrm", "valhalla"]

_PROFILES: dict[str, dict[str, str]] = {
    "osrm": {"car": "driving", "bike": "cycling", "walk": "foot", "transit": "driving"},
    "valhalla": {"car": "auto", "bike": "bicycle", "walk": "pedestrian", "transit": "bus"},
}
_DEFAULT_MODES = ("car", "bike", "walk")
"""Modes an address without a mode serves; transit needs its own (``transit=...``)."""
_MAX_LOCATIONS = {"osrm": 100, "valhalla": 50}


class RoadEngineError(MatchmakerError):
    """The road engine could not give the minutes (down, refusing, or no route)."""


@dataclass(frozen=True, kw_only=True)
class RoadEndpoint:
    """One engine address and the profile (OSRM) or costing (Valhalla) asked for."""

    kind: EngineKind
    url: str
    profile: str

    @property
    def name(self) -> str:
        return f"{self.kind}+{self.url}#{self.profile}"


def _parse(spec: str) -> tuple[str | None, EngineKind, str]:
    """``[mode=]kind+http(s)://host[:port][/path]`` -> (mode, kind, base URL)."""
    text = spec.strip()
    mode: str | None = None
    head, sep, rest = text.partition("=")
    if sep and "://" not in head:
        mode, text = head.strip().lower(), rest.strip()
    kind, plus, url = text.partition("+")
    kind = kind.lower()
    parsed = urllib.parse.urlparse(url)
    if not plus or kind not in _PROFILES or parsed.scheme not in ("http", "https"):
        raise RequestError(
            f"road engine {spec!r}: write it as osrm+http://HOST:PORT or "
            "valhalla+http://HOST:PORT, optionally for one mode (car=osrm+http://HOST:PORT)"
        )
    if not parsed.netloc:
        raise RequestError(f"road engine {spec!r}: the address has no host")
    if mode is not None and mode not in _PROFILES[kind]:
        raise RequestError(
            f"road engine {spec!r}: unknown mode {mode!r}; use walk, bike, transit, car"
        )
    engine: EngineKind = "osrm" if kind == "osrm" else "valhalla"
    return mode, engine, url.rstrip("/")


def road_travel(
    specs: str | Sequence[str],
    *,
    settings: TravelSettings | None = None,
    cache: str | Path | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 0.5,
    max_locations: int | None = None,
) -> RoadTravel:
    """A :class:`RoadTravel` from engine addresses (module docstring), the default model
    with ``settings`` for the modes none of them serves. A later address for a mode
    replaces an earlier one. Raises :class:`~matchmaker.model.RequestError` for an address
    it cannot read."""
    endpoints: dict[str, RoadEndpoint] = {}
    for spec in [specs] if isinstance(specs, str) else list(specs):
        mode, kind, url = _parse(spec)
        for each in (mode,) if mode is not None else _DEFAULT_MODES:
            endpoints[each] = RoadEndpoint(kind=kind, url=url, profile=_PROFILES[kind][each])
    if not endpoints:
        raise RequestError("no road engine address given")
    return RoadTravel(
        endpoints,
        fallback=HaversineTravel(settings),
        cache=None if cache is None else Path(cache),
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        max_locations=max_locations,
    )


class RoadTravel:
    """Minutes asked from a road engine, one :class:`RoadEndpoint` per travel mode (see the
    module docstring); ``fallback`` for modes without one (default: the default model)."""

    def __init__(
        self,
        endpoints: Mapping[str, RoadEndpoint],
        *,
        fallback: TravelModel | None = None,
        cache: Path | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_locations: int | None = None,
    ) -> None:
        if timeout <= 0 or retries < 0 or backoff < 0:
            raise RequestError("road engine: timeout must be > 0, retries and backoff >= 0")
        if max_locations is not None and max_locations < 2:
            raise RequestError("road engine: max_locations must be at least 2")
        self.endpoints = dict(endpoints)
        self.fallback: TravelModel = fallback if fallback is not None else HaversineTravel()
        self.cache = cache
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_locations = max_locations
        self.requests = 0
        """Requests sent so far (answered or not), for tests and progress."""
        self._caches: dict[str, PairCache] = {}

    @property
    def source(self) -> str:
        """The engine addresses by mode, for the plan's record."""
        return ", ".join(f"{m}={e.name}" for m, e in sorted(self.endpoints.items()))

    def _cache(self, endpoint: RoadEndpoint) -> PairCache:
        if endpoint.name not in self._caches:
            self._caches[endpoint.name] = PairCache(endpoint.name, self.cache)
        return self._caches[endpoint.name]

    def minutes(self, origins: FloatArray, destinations: FloatArray, mode: str) -> IntArray:
        """``(N, M)`` int32 minutes by ``mode`` (module docstring)."""
        endpoint = self.endpoints.get(str(mode))
        if endpoint is None:
            return np.asarray(self.fallback.minutes(origins, destinations, mode), dtype=np.int32)
        origins = _as_points(origins, "origins")
        destinations = _as_points(destinations, "destinations")
        n, m = origins.shape[0], destinations.shape[0]
        if n == 0 or m == 0:
            return np.zeros((n, m), dtype=np.int32)
        origin_keys, origin_first, origin_row = np.unique(
            point_keys(origins), return_index=True, return_inverse=True
        )
        destination_keys, destination_first, destination_col = np.unique(
            point_keys(destinations), return_index=True, return_inverse=True
        )
        cache = self._cache(endpoint)
        origin_ids = cache.ids(origin_keys)
        destination_ids = cache.ids(destination_keys)
        grid = cache.lookup(origin_ids, destination_ids)
        missing = grid < 0
        if np.any(missing):
            rows = np.flatnonzero(missing.any(axis=1))
            cols = np.flatnonzero(missing.any(axis=0))
            asked = self._table(
                endpoint,
                np.round(origins[origin_first[rows]], DECIMALS),
                np.round(destinations[destination_first[cols]], DECIMALS),
            )
            cache.store(origin_ids[rows], destination_ids[cols], asked)
            cache.save()
            grid[np.ix_(rows, cols)] = asked
        result: IntArray = grid[origin_row.reshape(-1)][:, destination_col.reshape(-1)]
        return result

    def _blocks(self, endpoint: RoadEndpoint, n: int, m: int) -> tuple[int, int]:
        """Sources and destinations per request so that both fit ``max_locations``."""
        limit = self.max_locations or _MAX_LOCATIONS[endpoint.kind]
        sources = min(n, max(1, limit - min(m, limit // 2)))
        return sources, max(1, min(m, limit - sources))

    def _table(
        self, endpoint: RoadEndpoint, origins: FloatArray, destinations: FloatArray
    ) -> IntArray:
        """``(N, M)`` minutes from the engine, asked block by block."""
        n, m = origins.shape[0], destinations.shape[0]
        rows, cols = self._blocks(endpoint, n, m)
        out = np.empty((n, m), dtype=np.int32)
        for lo in range(0, n, rows):
            for co in range(0, m, cols):
                seconds = self._ask(endpoint, origins[lo : lo + rows], destinations[co : co + cols])
                if np.any(np.isnan(seconds)):
                    i, j = (int(x) for x in np.argwhere(np.isnan(seconds))[0])
                    a, b = origins[lo + i], destinations[co + j]
                    raise RoadEngineError(
                        f"road engine {endpoint.name} finds no route from ({a[0]:g}, {a[1]:g}) "
                        f"to ({b[0]:g}, {b[1]:g}); check the coordinates and the map"
                    )
                out[lo : lo + rows, co : co + cols] = np.ceil(
                    np.maximum(seconds, 0.0) / 60.0
                ).astype(np.int32)
        return out

    def _ask(
        self, endpoint: RoadEndpoint, origins: FloatArray, destinations: FloatArray
    ) -> FloatArray:
        """Seconds for one block (NaN where there is no route), retrying what may pass."""
        request = (
            _osrm_request(endpoint, origins, destinations)
            if endpoint.kind == "osrm"
            else _valhalla_request(endpoint, origins, destinations)
        )
        shape = (origins.shape[0], destinations.shape[0])
        last = "no answer"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
            except urllib.error.HTTPError as error:
                detail = _error_detail(error)
                if error.code == 429 or error.code >= 500:
                    last = f"HTTP {error.code}{detail}"
                    continue
                raise RoadEngineError(
                    f"road engine {endpoint.name} refused the request: HTTP {error.code}{detail}"
                ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                last = (
                    f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
                )
                continue
            try:
                parsed = json.loads(body)
                if endpoint.kind == "osrm":
                    return _osrm_seconds(parsed, shape)
                return _valhalla_seconds(parsed, shape)
            except _EngineRefused as error:
                raise RoadEngineError(f"road engine {endpoint.name}: {error}") from None
            except (ValueError, TypeError, KeyError, IndexError) as error:
                last = f"an answer that is not its matrix JSON ({error})"
                continue
        raise RoadEngineError(
            f"road engine {endpoint.name} gave no usable answer after {self.retries + 1} "
            f"tries (timeout {self.timeout:g} s): {last}"
        )


class _EngineRefused(Exception):
    """The engine answered, in its own format, that it cannot do this (no retry)."""


def _error_detail(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(2000).decode("utf-8", "replace")
    except Exception:  # the body of an error page is only a courtesy
        return ""
    try:
        body = json.loads(text)
        message = body.get("message") or body.get("error") if isinstance(body, dict) else None
    except ValueError:
        message = None
    shown = message if isinstance(message, str) else text.strip()[:200]
    return f" ({shown})" if shown else ""


def _osrm_request(
    endpoint: RoadEndpoint, origins: FloatArray, destinations: FloatArray
) -> urllib.request.Request:
    points = np.concatenate([origins, destinations])
    coords = ";".join(f"{lon:.{DECIMALS}f},{lat:.{DECIMALS}f}" for lat, lon in points.tolist())
    n = origins.shape[0]
    query = urllib.parse.urlencode(
        {
            "sources": ";".join(str(i) for i in range(n)),
            "destinations": ";".join(str(n + j) for j in range(destinations.shape[0])),
            "annotations": "duration",
        },
        safe=";",
    )
    url = f"{endpoint.url}/table/v1/{endpoint.profile}/{coords}?{query}"
    return urllib.request.Request(url, headers={"Accept": "application/json"})


def _osrm_seconds(body: Any, shape: tuple[int, int]) -> FloatArray:
    if not isinstance(body, dict) or "code" not in body:
        raise ValueError("no 'code'")
    if body["code"] != "Ok":
        raise _EngineRefused(f"{body['code']}: {body.get('message', '')}".rstrip(": "))
    return _seconds(body["durations"], shape)


def _valhalla_request(
    endpoint: RoadEndpoint, origins: FloatArray, destinations: FloatArray
) -> urllib.request.Request:
    def located(points: FloatArray) -> list[dict[str, float]]:
        return [
            {"lat": round(lat, DECIMALS), "lon": round(lon, DECIMALS)}
            for lat, lon in points.tolist()
        ]

    body = {
        "sources": located(origins),
        "targets": located(destinations),
        "costing": endpoint.profile,
        "units": "kilometers",
    }
    return urllib.request.Request(
        f"{endpoint.url}/sources_to_targets",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )


def _valhalla_seconds(body: Any, shape: tuple[int, int]) -> FloatArray:
    if not isinstance(body, dict):
        raise ValueError("not an object")
    if "sources_to_targets" not in body:
        if "error" in body or "error_code" in body:
            raise _EngineRefused(f"{body.get('error_code', '')} {body.get('error', '')}".strip())
        raise KeyError("sources_to_targets")
    table = body["sources_to_targets"]
    if isinstance(table, dict):  # the compact form: {"durations": [[...]], ...}
        return _seconds(table["durations"], shape)
    rows = [[cell.get("time") if isinstance(cell, dict) else None for cell in row] for row in table]
    return _seconds(rows, shape)


def _seconds(rows: Any, shape: tuple[int, int]) -> FloatArray:
    """A list of lists of seconds (``None`` = no route) as an ``(N, M)`` array."""
    values = np.array(
        [[math.nan if cell is None else float(cell) for cell in row] for row in rows],
        dtype=np.float64,
    )
    if values.shape != shape:
        raise ValueError(f"a table of shape {values.shape}, expected {shape}")
    return values
