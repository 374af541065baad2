"""Districts: where a worker lives or a job is, as a name a planner reads.

A dataset has coordinates, not districts. :class:`Districts` names places either by the
nearest of a list of named centres (``Districts.named({"Pudong": Location(...)})``, or a
CSV of ``name,lat,lon`` through :func:`read_districts`) or, by default, by a square grid
cell of ``cell_km`` kilometres (``"grid 31.20N 121.45E"``, the cell's south-west corner).
Both are vectorised over all points at once.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matchmaker.model import DomainError, Location, RequestError

__all__ = ["Districts", "read_districts"]

_KM_PER_DEGREE_LAT = 110.57


@dataclass(frozen=True, kw_only=True)
class Districts:
    """Named centres (nearest wins) or, with none, grid cells of ``cell_km``."""

    centres: Mapping[str, Location] = field(default_factory=dict)
    cell_km: float = 5.0

    def __post_init__(self) -> None:
        if self.cell_km <= 0:
            raise DomainError(f"cell_km must be > 0, got {self.cell_km}")

    @classmethod
    def named(cls, centres: Mapping[str, Location | tuple[float, float]]) -> Districts:
        """Districts from ``{name: Location}`` or ``{name: (lat, lon)}``."""
        return cls(
            centres={
                name: c if isinstance(c, Location) else Location(lat=c[0], lon=c[1])
                for name, c in centres.items()
            }
        )

    def of(self, points: npt.NDArray[np.float64]) -> list[str]:
        """The district of each ``(N, 2)`` lat/lon point."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if self.centres:
            names = list(self.centres)
            centres = np.array([[c.lat, c.lon] for c in self.centres.values()])
            # Equirectangular distance: enough to pick the nearest centre inside a city.
            scale = np.cos(np.radians(centres[:, 0].mean()))
            dlat = points[:, None, 0] - centres[None, :, 0]
            dlon = (points[:, None, 1] - centres[None, :, 1]) * scale
            nearest = np.argmin(dlat * dlat + dlon * dlon, axis=1)
            return [names[k] for k in nearest.tolist()]
        south, west, _, _ = self._cells(points)
        return [
            f"grid {lat:.2f}{'N' if lat >= 0 else 'S'} {lon:.2f}{'E' if lon >= 0 else 'W'}"
            for lat, lon in zip(south.tolist(), west.tolist(), strict=True)
        ]

    def _cells(self, points: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], ...]:
        """South and west edges and sizes (degrees) of each point's grid cell."""
        step_lat = self.cell_km / _KM_PER_DEGREE_LAT
        south = np.floor(points[:, 0] / step_lat) * step_lat
        step_lon = self.cell_km / (_KM_PER_DEGREE_LAT * np.cos(np.radians(south + step_lat / 2)))
        west = np.floor(points[:, 1] / step_lon) * step_lon
        return south, west, np.full_like(south, step_lat), step_lon

    def centre(self, name: str, points: npt.NDArray[np.float64]) -> Location:
        """Where a new worker of district ``name`` lives: its named centre, else the centre
        of the grid cell of the first of ``points`` (places in that district)."""
        if name in self.centres:
            return self.centres[name]
        first = np.asarray(points, dtype=np.float64).reshape(-1, 2)[:1]
        south, west, step_lat, step_lon = self._cells(first)
        return Location(lat=float(south[0] + step_lat[0] / 2), lon=float(west[0] + step_lon[0] / 2))


def read_districts(path: Path) -> Districts:
    """Districts from a CSV file with the columns ``name``, ``lat`` and ``lon``.

    A missing file or column, or a bad coordinate, is a :class:`RequestError` naming the
    file, row and column.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RequestError(f"{path}: districts file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RequestError(f"{path}: cannot be read: {error}") from None
    reader = csv.DictReader(text.splitlines())
    missing = {"name", "lat", "lon"} - set(reader.fieldnames or ())
    if missing:
        raise RequestError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    centres: dict[str, Location] = {}
    for row_number, row in enumerate(reader, start=2):
        name = (row.get("name") or "").strip()
        if not name:
            raise RequestError(f"{path}, row {row_number}, column name: empty name")
        for column in ("lat", "lon"):
            try:
                float(row.get(column) or "")
            except ValueError:
                raise RequestError(
                    f"{path}, row {row_number}, column {column}: not a number: {row.get(column)!r}"
                ) from None
        try:
            centres[name] = Location(lat=float(row["lat"]), lon=float(row["lon"]))
        except DomainError as error:
            raise RequestError(f"{path}, row {row_number}: {error}") from None
    if not centres:
        raise RequestError(f"{path}: no districts")
    return Districts(centres=centres)
