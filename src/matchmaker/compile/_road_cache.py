"""Minutes a road engine gave, kept by rounded coordinates so that no pair is asked twice.

A point is its latitude and longitude rounded to :data:`DECIMALS` decimals (about a metre)
as whole numbers; a pair is (origin point, destination point). The cache of one engine
endpoint and profile holds, as plain numpy arrays:

* ``points`` ``(P,)`` int64: each point's key (:func:`point_keys`), in the order points
  were first seen (a point's position is its id);
* ``pairs`` ``(N,)`` int64 sorted: ``origin id * 2**31 + destination id``;
* ``minutes`` ``(N,)`` int32: the minutes of each pair.

On disk it is one ``.npz`` file per endpoint and profile in the cache folder, named by a
hash of the endpoint, read without pickle and replaced atomically (a run killed while
writing leaves the old file). A file that cannot be read, or was written for another
endpoint, is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["DECIMALS", "PairCache", "point_keys"]

DECIMALS = 5
"""Decimals of a degree kept in a cache key (1e-5 degree is about 1.1 m)."""

_SCALE = 10**DECIMALS
_LON_SPAN = 360 * _SCALE + 1
_ID_SHIFT = 2**31

Int64Array = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.int32]


def point_keys(points: npt.NDArray[np.float64]) -> Int64Array:
    """One int64 per ``(latitude, longitude)`` row, equal for points that round alike."""
    scaled = np.rint(np.asarray(points, dtype=np.float64) * _SCALE).astype(np.int64)
    lat = scaled[:, 0] + 90 * _SCALE
    lon = scaled[:, 1] + 180 * _SCALE
    keys: Int64Array = lat * _LON_SPAN + lon
    return keys


class PairCache:
    """The minutes of one endpoint and profile (module docstring); ``folder=None`` keeps
    them in memory only."""

    def __init__(self, endpoint: str, folder: Path | None = None) -> None:
        self.endpoint = endpoint
        self.path = (
            None
            if folder is None
            else Path(folder) / f"{hashlib.sha256(endpoint.encode()).hexdigest()[:24]}.npz"
        )
        self._points = np.zeros(0, dtype=np.int64)
        self._sorted_points = np.zeros(0, dtype=np.int64)
        self._sorted_ids = np.zeros(0, dtype=np.int64)
        self._pairs = np.zeros(0, dtype=np.int64)
        self._minutes = np.zeros(0, dtype=np.int32)
        self._load()

    def __len__(self) -> int:
        return int(self._pairs.size)

    def _load(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        try:
            with np.load(self.path, allow_pickle=False) as archive:
                endpoint = str(archive["endpoint"])
                points = np.asarray(archive["points"], dtype=np.int64)
                pairs = np.asarray(archive["pairs"], dtype=np.int64)
                minutes = np.asarray(archive["minutes"], dtype=np.int32)
        except (OSError, ValueError, KeyError):
            return  # unreadable: start afresh, the next save replaces it
        if endpoint != self.endpoint or pairs.shape != minutes.shape:
            return
        self._set_points(points)
        self._pairs, self._minutes = pairs, minutes

    def _set_points(self, points: Int64Array) -> None:
        self._points = points
        order = np.argsort(points, kind="stable")
        self._sorted_points = points[order]
        self._sorted_ids = order.astype(np.int64)

    def ids(self, keys: Int64Array) -> Int64Array:
        """Each point key's id, registering the keys not seen before."""
        keys = np.asarray(keys, dtype=np.int64)
        found = self._find(keys)
        new = found < 0
        if np.any(new):
            fresh = np.unique(keys[new])
            self._set_points(np.concatenate([self._points, fresh]))
            found = self._find(keys)
        return found

    def _find(self, keys: Int64Array) -> Int64Array:
        if self._sorted_points.size == 0:
            return np.full(keys.shape, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted_points, keys), self._sorted_points.size - 1)
        hit = self._sorted_points[at] == keys
        return np.where(hit, self._sorted_ids[at], -1)

    def lookup(self, origin_ids: Int64Array, destination_ids: Int64Array) -> IntArray:
        """``(N, M)`` minutes of each pair, -1 where the cache has none."""
        grid = origin_ids[:, None] * _ID_SHIFT + destination_ids[None, :]
        out = np.full(grid.shape, -1, dtype=np.int32)
        if self._pairs.size == 0:
            return out
        at = np.minimum(np.searchsorted(self._pairs, grid), self._pairs.size - 1)
        hit = self._pairs[at] == grid
        out[hit] = self._minutes[at[hit]]
        return out

    def store(self, origin_ids: Int64Array, destination_ids: Int64Array, minutes: IntArray) -> None:
        """Keep ``(N, M)`` ``minutes`` for the pairs of ``origin_ids`` x ``destination_ids``."""
        grid = (origin_ids[:, None] * _ID_SHIFT + destination_ids[None, :]).reshape(-1)
        values = np.asarray(minutes, dtype=np.int32).reshape(-1)
        pairs = np.concatenate([grid, self._pairs])
        every = np.concatenate([values, self._minutes])
        # The newest answer wins for a pair asked again.
        pairs, first = np.unique(pairs, return_index=True)
        self._pairs, self._minutes = pairs, every[first]

    def save(self) -> None:
        """Write the cache file (atomically); nothing without a folder."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{self.path.stem}.", suffix=".npz", dir=self.path.parent
        )
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    endpoint=np.asarray(self.endpoint),
                    points=self._points,
                    pairs=self._pairs,
                    minutes=self._minutes,
                )
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
