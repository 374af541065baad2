"""Travel minutes between points: a small protocol and the models that implement it.

A :class:`TravelModel` turns origins and destinations (``(N, 2)`` and ``(M, 2)`` arrays of
latitude, longitude in degrees) and a travel mode into an ``(N, M)`` ``int32`` matrix of
whole minutes. :func:`matchmaker.compile.compile_problem` asks it for the job-to-job matrix
of each mode present and for the home-to-job minutes of every worker shift.

The default, :class:`HaversineTravel`, is the model of docs/design.md section 4, written so that any
tool can rebuild the very same integers. For a pair of points, in IEEE-754 float64, with
the operations evaluated exactly in this order (Python's left-to-right reading)::

    phi1, lam1 = radians(lat1), radians(lon1)        # radians(x) = x * (pi / 180)
    phi2, lam2 = radians(lat2), radians(lon2)
    a = sin((phi2 - phi1) / 2) ** 2 + cos(phi1) * cos(phi2) * sin((lam2 - lam1) / 2) ** 2
    haversine_km = 2 * earth_radius_km * asin(sqrt(min(a, 1)))
    km = detour_factor * haversine_km
    minutes = 0                                       if (lat1, lon1) == (lat2, lon2)
              ceil(60 * km / speed_kmh[mode]) + overhead_minutes[mode]   otherwise

``ceil`` is applied to the float64 value as computed, with no tolerance: a result that
should be exactly 12.0 but evaluates to 12.000000000000002 becomes 13 minutes. That is why
the order of operations is part of the contract; the ``min(a, 1)`` only guards ``sqrt`` and
``asin`` against a rounding overshoot for nearly antipodal points. A single pair,
:func:`travel_minutes`, and many pairs at once, :meth:`HaversineTravel.pair_minutes`, run
the same numpy operations as the matrices, so they always agree with a compiled problem;
an independent reimplementation with another maths library can differ by one minute in
the rare case where a last-bit difference of ``sin`` or ``asin`` straddles a whole minute.

"Same point" means identical coordinates (both floats equal), not "close": two addresses
a metre apart still cost the mode's overhead.

:class:`MatrixTravel` plugs a user-supplied matrix (one per mode, or one for every mode) in
through the same protocol; a road-network table client can do the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, cast, runtime_checkable

import numpy as np
import numpy.typing as npt

from matchmaker.model import DomainError, Location, TravelSettings

__all__ = [
    "HaversineTravel",
    "MatrixTravel",
    "TravelModel",
    "coordinates",
    "travel_matrices",
    "travel_minutes",
    "travel_or_default",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]

_INT32_MAX = int(np.iinfo(np.int32).max)
# Rows per block when building a matrix: keeps float64 temporaries near 16 MB each, so a
# 5000 x 5000 job matrix never holds several 200 MB intermediates at once.
_BLOCK_ELEMENTS = 2_000_000
# Below this many points, looking for repeated ones costs more than it saves.
_DISTINCT_FROM = 64


@runtime_checkable
class TravelModel(Protocol):
    """Anything that gives whole travel minutes between points for a travel mode."""

    def minutes(self, origins: FloatArray, destinations: FloatArray, mode: str) -> IntArray:
        """``(N, M)`` int32 minutes from each of ``origins`` ``(N, 2)`` to each of
        ``destinations`` ``(M, 2)`` (latitude, longitude in degrees) by ``mode``."""
        ...


def coordinates(locations: Iterable[Location]) -> FloatArray:
    """An ``(N, 2)`` float64 array of (latitude, longitude) for ``locations``."""
    points = [(loc.lat, loc.lon) for loc in locations]
    return np.asarray(points, dtype=np.float64).reshape(len(points), 2)


def _as_points(points: npt.ArrayLike, what: str) -> FloatArray:
    array = np.asarray(points, dtype=np.float64)
    if array.size == 0:
        return array.reshape(0, 2)
    if array.ndim != 2 or array.shape[1] != 2:
        raise DomainError(f"{what} must be an (N, 2) array of latitude, longitude")
    return array


class HaversineTravel:
    """The default travel model of docs/design.md section 4 (see the module docstring).

    Detour factor, Earth radius, speeds and overheads come from ``settings`` (the
    ``[travel]`` table of ``dataset.toml``).
    """

    def __init__(self, settings: TravelSettings | None = None) -> None:
        self.settings = settings if settings is not None else TravelSettings()

    def _mode(self, mode: str) -> tuple[float, int]:
        key = str(mode)
        try:
            return float(self.settings.speed_kmh[key]), int(self.settings.overhead_minutes[key])
        except KeyError:
            known = ", ".join(sorted(self.settings.speed_kmh))
            raise DomainError(f"unknown travel mode {key!r}; use one of {known}") from None

    def minutes(self, origins: FloatArray, destinations: FloatArray, mode: str) -> IntArray:
        """``(N, M)`` int32 travel minutes by ``mode`` (see the module docstring)."""
        result: IntArray = self.minutes_by_mode(origins, destinations, (mode,))[0]
        return result

    def minutes_by_mode(
        self, origins: FloatArray, destinations: FloatArray, modes: Sequence[str]
    ) -> IntArray:
        """``(K, N, M)`` int32 minutes for each of ``modes``, the distances computed once.

        Repeated points (jobs at one customer's address) are computed once and copied.
        """
        origins = _as_points(origins, "origins")
        destinations = _as_points(destinations, "destinations")
        by_mode = [self._mode(mode) for mode in modes]
        n, m = origins.shape[0], destinations.shape[0]
        if n == 0 or m == 0 or not by_mode:
            return np.zeros((len(by_mode), n, m), dtype=np.int32)
        unique_origins, origin_row = _distinct(origins)
        unique_destinations, destination_col = _distinct(destinations)
        grid = self._grid(unique_origins, unique_destinations, by_mode)
        if origin_row is None and destination_col is None:
            return grid
        out = np.empty((len(by_mode), n, m), dtype=np.int32)
        for k in range(len(by_mode)):
            rows = grid[k] if origin_row is None else grid[k][origin_row]
            if destination_col is None:
                out[k] = rows
            else:
                # mode="clip" (indices are in range) avoids the buffered copy of mode="raise".
                np.take(rows, destination_col, axis=1, out=out[k], mode="clip")
        return out

    def pair_minutes(
        self, origins: FloatArray, destinations: FloatArray, modes: str | Sequence[str]
    ) -> IntArray:
        """``(N,)`` int32 minutes from ``origins[i]`` to ``destinations[i]`` (both ``(N, 2)``)
        by ``modes[i]`` (or one mode for all): the same numbers as the matrices, for
        checking many legs of a plan at once."""
        origins = _as_points(origins, "origins")
        destinations = _as_points(destinations, "destinations")
        n = origins.shape[0]
        if destinations.shape[0] != n:
            raise DomainError(f"{n} origins but {destinations.shape[0]} destinations")
        mode_of = [str(modes)] * n if isinstance(modes, str) else [str(m) for m in modes]
        if len(mode_of) != n:
            raise DomainError(f"{n} pairs but {len(mode_of)} modes")
        phi1, lam1 = np.radians(origins[:, 0]), np.radians(origins[:, 1])
        phi2, lam2 = np.radians(destinations[:, 0]), np.radians(destinations[:, 1])
        sixty_km = self._sixty_km(phi2 - phi1, lam2 - lam1, np.cos(phi1) * np.cos(phi2))
        same = (origins[:, 0] == destinations[:, 0]) & (origins[:, 1] == destinations[:, 1])
        out = np.empty(n, dtype=np.int32)
        codes = np.array(mode_of, dtype=object)
        for mode in sorted(set(mode_of)):
            rows = np.flatnonzero(codes == mode)
            out[rows] = self._to_minutes(sixty_km[rows], same[rows], [self._mode(mode)])[0]
        return out

    def _sixty_km(self, half_dphi: FloatArray, half_dlam: FloatArray, a: FloatArray) -> FloatArray:
        """``60 * km`` from ``phi2 - phi1``, ``lam2 - lam1`` and ``cos(phi1) * cos(phi2)``,
        overwriting the three arrays.

        The documented formula, in place: each step is one IEEE operation on the same
        operands as the formula (``x * y == y * x`` exactly), and ``cos(phi)`` per point is
        the value a per-pair computation would get, so the floats are bit-identical.
        """
        half_dphi /= 2.0
        np.sin(half_dphi, out=half_dphi)
        np.square(half_dphi, out=half_dphi)
        half_dlam /= 2.0
        np.sin(half_dlam, out=half_dlam)
        np.square(half_dlam, out=half_dlam)
        a *= half_dlam
        a += half_dphi  # a = sin(dphi/2)**2 + cos1 * cos2 * sin(dlam/2)**2
        np.minimum(a, 1.0, out=a)
        np.sqrt(a, out=a)
        np.arcsin(a, out=a)
        a *= 2.0 * self.settings.earth_radius_km  # haversine km = 2 * R * asin(sqrt(a))
        a *= self.settings.detour_factor  # km = detour * haversine km
        a *= 60.0
        return a

    @staticmethod
    def _to_minutes(
        sixty_km: FloatArray, same: npt.NDArray[np.bool_], by_mode: list[tuple[float, int]]
    ) -> IntArray:
        """``(K, *shape)`` ``ceil(60 * km / speed) + overhead``, 0 at the same point."""
        out = np.empty((len(by_mode), *sixty_km.shape), dtype=np.int32)
        if sixty_km.size == 0:
            return out
        slowest = min(speed for speed, _ in by_mode)
        if float(sixty_km.max()) / slowest + max(o for _, o in by_mode) >= _INT32_MAX:
            raise DomainError("travel minutes overflow int32; check the coordinates")
        scratch = np.empty_like(sixty_km)
        for k, (speed, overhead) in enumerate(by_mode):
            np.divide(sixty_km, speed, out=scratch)  # 60 * km / speed
            np.ceil(scratch, out=scratch)
            minutes = out[k]
            np.copyto(minutes, scratch, casting="unsafe")
            minutes += overhead
            minutes[same] = 0
        return out

    def _grid(
        self, origins: FloatArray, destinations: FloatArray, by_mode: list[tuple[float, int]]
    ) -> IntArray:
        n, m = origins.shape[0], destinations.shape[0]
        out = np.empty((len(by_mode), n, m), dtype=np.int32)
        phi1 = np.radians(origins[:, 0])
        lam1 = np.radians(origins[:, 1])
        cos1 = np.cos(phi1)
        phi2 = np.radians(destinations[:, 0])
        lam2 = np.radians(destinations[:, 1])
        cos2 = np.cos(phi2)
        rows = max(1, _BLOCK_ELEMENTS // m)
        for lo in range(0, n, rows):
            block = slice(lo, min(n, lo + rows))
            sixty_km = self._sixty_km(
                phi2[None, :] - phi1[block, None],
                lam2[None, :] - lam1[block, None],
                cos1[block, None] * cos2[None, :],
            )
            same = (origins[block, 0, None] == destinations[None, :, 0]) & (
                origins[block, 1, None] == destinations[None, :, 1]
            )
            out[:, block] = self._to_minutes(sixty_km, same, by_mode)
        return out


def travel_or_default(travel: TravelModel | None, settings: TravelSettings) -> TravelModel:
    """``travel``, or the default model by the dataset's ``settings`` when none is given
    (a plan that records no model was made with that one)."""
    return travel if travel is not None else HaversineTravel(settings)


def _distinct(points: FloatArray) -> tuple[FloatArray, npt.NDArray[np.intp] | None]:
    """The distinct points and each point's row among them (``None`` if all distinct)."""
    if points.shape[0] < _DISTINCT_FROM:
        return points, None
    keys = points[:, 0] + 1j * points[:, 1]
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if unique.size == keys.size:
        return points, None
    return points[first], inverse.reshape(-1)


class MatrixTravel:
    """Travel minutes read from a user-supplied matrix over a fixed list of points.

    ``points`` are the matrix's rows and columns, as (latitude, longitude) pairs or
    :class:`~matchmaker.model.Location` objects; optional ``ids`` name them for
    :meth:`minutes_between`. ``matrix`` is one ``(P, P)`` matrix used for every mode, or a
    mapping from mode to its matrix. Entries must be finite and non-negative; fractional
    minutes are rounded up, so a plan built on them is never too tight. The matrix is used
    as given, diagonal included. A place may appear more than once (two jobs at one
    address) if its rows and columns agree. Asking for a point that is not in ``points`` (exact
    coordinates) raises :class:`~matchmaker.model.DomainError`.
    """

    def __init__(
        self,
        points: npt.ArrayLike | Sequence[Location],
        matrix: npt.ArrayLike | Mapping[str, npt.ArrayLike],
        *,
        ids: Sequence[str] | None = None,
    ) -> None:
        if isinstance(points, Sequence) and all(isinstance(p, Location) for p in points):
            array = coordinates(p for p in points if isinstance(p, Location))
        else:
            array = _as_points(cast("npt.ArrayLike", points), "points")
        self.points = array
        keys = array[:, 0] + 1j * array[:, 1]
        # Sorted distinct coordinates and, for each, the first point that has them.
        self._keys, self._first = np.unique(keys, return_index=True)
        size = array.shape[0]
        if isinstance(matrix, Mapping):
            self._matrices = {str(mode): self._check(m, size) for mode, m in matrix.items()}
            self._shared: IntArray | None = None
        else:
            self._matrices = {}
            self._shared = self._check(matrix, size)
        if self._keys.size < size:
            # A repeated address (two jobs at one customer) is fine if its rows agree.
            same = self._first[np.searchsorted(self._keys, keys)]
            tables = [self._shared] if self._shared is not None else list(self._matrices.values())
            for table in tables:
                if not np.array_equal(table, table[np.ix_(same, same)]):
                    raise DomainError(
                        "travel matrix points repeat the same coordinates with different "
                        "minutes; give each place once"
                    )
        self.ids: tuple[str, ...] | None = None
        self._id_index: dict[str, int] = {}
        if ids is not None:
            self.ids = tuple(ids)
            if len(self.ids) != size:
                raise DomainError(f"{len(self.ids)} point ids for {size} points")
            self._id_index = {ident: i for i, ident in enumerate(self.ids)}
            if len(self._id_index) != size:
                raise DomainError("travel matrix point ids must be unique")

    @staticmethod
    def _check(matrix: npt.ArrayLike, size: int) -> IntArray:
        values = np.asarray(matrix, dtype=np.float64)
        if values.shape != (size, size):
            raise DomainError(f"travel matrix has shape {values.shape}, expected ({size}, {size})")
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise DomainError("travel matrix entries must be finite and >= 0")
        if values.size and float(values.max()) > _INT32_MAX:
            raise DomainError("travel matrix entries overflow int32 minutes")
        result: IntArray = np.ceil(values).astype(np.int32)
        result.setflags(write=False)
        return result

    @property
    def modes(self) -> tuple[str, ...] | None:
        """The modes that have their own matrix; ``None`` when one matrix serves every mode."""
        return None if self._shared is not None else tuple(self._matrices)

    def matrix(self, mode: str) -> IntArray:
        """The ``(P, P)`` minutes for ``mode``."""
        if self._shared is not None:
            return self._shared
        try:
            return self._matrices[str(mode)]
        except KeyError:
            known = ", ".join(sorted(self._matrices)) or "none"
            raise DomainError(
                f"the travel matrix has no table for mode {str(mode)!r} (it has: {known})"
            ) from None

    def index_of(self, points: FloatArray) -> npt.NDArray[np.intp]:
        """Row of each of ``points`` ``(N, 2)`` in the matrix, by exact coordinates."""
        query = _as_points(points, "points")
        keys = query[:, 0] + 1j * query[:, 1]
        found = np.minimum(np.searchsorted(self._keys, keys), max(self._keys.size - 1, 0))
        ok = self._keys[found] == keys if self._keys.size else np.zeros(keys.size, np.bool_)
        if not np.all(ok):
            bad = query[int(np.flatnonzero(~ok)[0])]
            raise DomainError(
                f"point ({bad[0]:g}, {bad[1]:g}) is not in the travel matrix's points"
            )
        result: npt.NDArray[np.intp] = self._first[found]
        return result

    def minutes(self, origins: FloatArray, destinations: FloatArray, mode: str) -> IntArray:
        """``(N, M)`` int32 minutes looked up in the matrix for ``mode``."""
        table = self.matrix(mode)
        rows = self.index_of(origins)
        cols = self.index_of(destinations)
        result: IntArray = table[np.ix_(rows, cols)]
        return result

    def minutes_between(self, origin_id: str, destination_id: str, mode: str) -> int:
        """Minutes between two points named by their ids."""
        try:
            a, b = self._id_index[origin_id], self._id_index[destination_id]
        except KeyError as error:
            raise DomainError(f"unknown travel point id {error.args[0]!r}") from None
        return int(self.matrix(mode)[a, b])


def travel_matrices(
    model: TravelModel, origins: FloatArray, destinations: FloatArray, modes: Sequence[str]
) -> IntArray:
    """``(K, N, M)`` int32 minutes for each of ``modes`` through ``model``.

    The haversine model computes the distances once for all modes; any other model is
    asked once per mode.
    """
    if isinstance(model, HaversineTravel):
        return model.minutes_by_mode(origins, destinations, modes)
    n, m = len(origins), len(destinations)
    out = np.empty((len(modes), n, m), dtype=np.int32)
    for k, mode in enumerate(modes):
        table = np.asarray(model.minutes(origins, destinations, mode))
        if table.shape != (n, m):
            raise DomainError(
                f"travel model returned shape {table.shape} for mode {mode!r}, expected {(n, m)}"
            )
        out[k] = table
    return out


def travel_minutes(
    a: Location, b: Location, mode: str, settings: TravelSettings | None = None
) -> int:
    """Minutes from ``a`` to ``b`` by ``mode`` under the default model (one pair).

    The same numpy code as the matrices of a compiled problem, so the numbers agree.
    """
    model = HaversineTravel(settings)
    return int(model.pair_minutes(coordinates([a]), coordinates([b]), mode)[0])
