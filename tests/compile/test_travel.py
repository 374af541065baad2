"""Travel models: the exact default haversine model, user matrices, the protocol."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matchmaker.compile import (
    HaversineTravel,
    MatrixTravel,
    TravelModel,
    coordinates,
    travel_matrices,
    travel_minutes,
)
from matchmaker.compile import _travel as travel_module
from matchmaker.model import DomainError, Location, TravelSettings

MODES = ("walk", "bike", "transit", "car")
ORIGIN = Location(lat=0.0, lon=0.0)
ONE_DEGREE_EAST = Location(lat=0.0, lon=1.0)
PEOPLES_SQUARE = Location(lat=31.2304, lon=121.4737)
XINTIANDI = Location(lat=31.2243, lon=121.4768)


def _reference(a: Location, b: Location, mode: str, settings: TravelSettings) -> int:
    """The documented formula with Python's math module, pair by pair."""
    if (a.lat, a.lon) == (b.lat, b.lon):
        return 0
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    lam1, lam2 = math.radians(a.lon), math.radians(b.lon)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin((lam2 - lam1) / 2) ** 2
    )
    km = settings.detour_factor * (2 * settings.earth_radius_km * math.asin(math.sqrt(min(h, 1))))
    speed = settings.speed_kmh[mode]
    return math.ceil(60 * km / speed) + settings.overhead_minutes[mode]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # 1 degree of longitude on the equator: 6371 * pi / 180 = 111.1949 km, x 1.3 detour
        # = 144.5534 km; 60 * 144.5534 / speed, rounded up, plus the overhead.
        ("walk", 1928),  # 1927.38 -> 1928 + 0
        ("bike", 723),  # 722.77 -> 723 + 0
        ("transit", 439),  # 433.66 -> 434 + 5
        ("car", 352),  # 346.93 -> 347 + 5
    ],
)
def test_one_degree_on_the_equator(mode: str, expected: int) -> None:
    """Hand-computed minutes for each mode with the default speeds and overheads."""
    assert travel_minutes(ORIGIN, ONE_DEGREE_EAST, mode) == expected


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("walk", 13), ("bike", 5), ("transit", 8), ("car", 8)],
)
def test_short_city_trip(mode: str, expected: int) -> None:
    """0.9614 km by road across central Shanghai: 12.82, 4.81, 2.88, 2.31 minutes, rounded up."""
    assert travel_minutes(PEOPLES_SQUARE, XINTIANDI, mode) == expected


@pytest.mark.parametrize("mode", MODES)
def test_same_point_is_zero_even_with_overhead(mode: str) -> None:
    """Identical coordinates cost 0 minutes, with no overhead."""
    assert travel_minutes(XINTIANDI, Location(lat=31.2243, lon=121.4768), mode) == 0


def test_settings_override_factor_speed_and_overhead() -> None:
    """dataset.toml overrides: no detour, 60 km/h, no overhead -> 111.19 -> 112 minutes."""
    settings = TravelSettings(
        detour_factor=1.0, speed_kmh={"car": 60.0}, overhead_minutes={"car": 0}
    )
    assert travel_minutes(ORIGIN, ONE_DEGREE_EAST, "car", settings) == 112
    # Modes the override does not name keep their defaults.
    assert travel_minutes(ORIGIN, ONE_DEGREE_EAST, "transit", settings) == 334 + 5


def test_earth_radius_from_settings() -> None:
    """The Earth radius is a setting: doubling it doubles the distance."""
    settings = TravelSettings(earth_radius_km=2 * 6371.0)
    assert travel_minutes(ORIGIN, ONE_DEGREE_EAST, "bike", settings) == math.ceil(
        60 * 1.3 * 2 * 111.19492664455873 / 12
    )


def test_matrix_matches_reference_and_single_pairs() -> None:
    """Matrix entries equal the pair function and an independent math-module version."""
    rng = np.random.default_rng(3)
    points = np.c_[31.2 + rng.normal(0, 0.1, 40), 121.45 + rng.normal(0, 0.1, 40)]
    points[5] = points[9]  # a repeated address
    locations = [Location(lat=float(a), lon=float(b)) for a, b in points]
    settings = TravelSettings()
    matrices = HaversineTravel(settings).minutes_by_mode(points, points, MODES)
    assert matrices.dtype == np.int32
    assert matrices.shape == (4, 40, 40)
    for k, mode in enumerate(MODES):
        for i in range(0, 40, 3):
            for j in range(40):
                expected = _reference(locations[i], locations[j], mode, settings)
                assert matrices[k, i, j] == expected
                assert travel_minutes(locations[i], locations[j], mode) == expected
    assert matrices[:, 5, 9].tolist() == [0, 0, 0, 0]


def test_blocks_and_duplicates_do_not_change_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row blocks and the de-duplication of repeated points give the same matrix."""
    rng = np.random.default_rng(4)
    base = np.c_[31.2 + rng.normal(0, 0.1, 12), 121.45 + rng.normal(0, 0.1, 12)]
    points = base[rng.integers(0, 12, size=30)]
    model = HaversineTravel()
    whole = model.minutes(points, points, "walk")
    monkeypatch.setattr(travel_module, "_BLOCK_ELEMENTS", 7)
    assert np.array_equal(model.minutes(points, points, "walk"), whole)
    one_by_one = np.array(
        [
            [model.minutes(points[i : i + 1], points[j : j + 1], "walk")[0, 0] for j in range(30)]
            for i in range(30)
        ]
    )
    assert np.array_equal(one_by_one, whole)


def test_pair_minutes_match_the_matrices() -> None:
    """Many legs at once, each with its own mode, equal the matrix entries."""
    rng = np.random.default_rng(5)
    a = np.c_[31.2 + rng.normal(0, 0.1, 50), 121.45 + rng.normal(0, 0.1, 50)]
    b = a[rng.permutation(50)]
    b[:3] = a[:3]  # same point legs
    modes = [MODES[i % 4] for i in range(50)]
    model = HaversineTravel()
    grid = model.minutes_by_mode(a, b, MODES)
    expected = [grid[MODES.index(m), i, i] for i, m in enumerate(modes)]
    assert model.pair_minutes(a, b, modes).tolist() == expected
    assert model.pair_minutes(a, b, "car").tolist() == np.diagonal(grid[3]).tolist()
    assert model.pair_minutes(a, b, modes)[:3].tolist() == [0, 0, 0]
    with pytest.raises(DomainError, match="modes"):
        model.pair_minutes(a, b, ["car"])


def test_rectangular_and_empty_inputs() -> None:
    """(N, M) shapes, including empty sides."""
    model = HaversineTravel()
    a = coordinates([ORIGIN, PEOPLES_SQUARE])
    b = coordinates([ONE_DEGREE_EAST, XINTIANDI, PEOPLES_SQUARE])
    assert model.minutes(a, b, "bike").shape == (2, 3)
    assert model.minutes(a, b, "bike")[1, 2] == 0
    assert model.minutes(np.zeros((0, 2)), b, "bike").shape == (0, 3)
    assert model.minutes_by_mode(a, b, ()).shape == (0, 2, 3)


def test_unknown_mode_is_a_clear_error() -> None:
    """A mode the settings do not know raises DomainError naming it."""
    with pytest.raises(DomainError, match="scooter"):
        travel_minutes(ORIGIN, ONE_DEGREE_EAST, "scooter")


def test_models_satisfy_the_protocol() -> None:
    """Both models plug in through TravelModel."""
    assert isinstance(HaversineTravel(), TravelModel)
    assert isinstance(MatrixTravel([ORIGIN], [[0]]), TravelModel)


def test_matrix_travel_one_matrix_for_every_mode() -> None:
    """Lookup by exact coordinates, in any order, the same table for each mode."""
    table = [[0, 7, 9], [8, 0, 4], [10, 3, 0]]
    model = MatrixTravel([ORIGIN, PEOPLES_SQUARE, XINTIANDI], table)
    got = model.minutes(coordinates([XINTIANDI, ORIGIN]), coordinates([PEOPLES_SQUARE]), "car")
    assert got.tolist() == [[3], [7]]
    assert got.dtype == np.int32
    assert model.minutes(coordinates([ORIGIN]), coordinates([XINTIANDI]), "walk")[0, 0] == 9


def test_matrix_travel_per_mode_ids_and_rounding() -> None:
    """Per-mode tables, lookups by point id, fractional minutes rounded up."""
    model = MatrixTravel(
        [(0.0, 0.0), (0.0, 1.0)],
        {"walk": [[0, 30.2], [30, 0]], "car": [[0, 5], [6, 0]]},
        ids=["home", "site"],
    )
    assert model.minutes_between("home", "site", "walk") == 31
    assert model.minutes_between("site", "home", "car") == 6
    with pytest.raises(DomainError, match="bike"):
        model.minutes_between("home", "site", "bike")
    with pytest.raises(DomainError, match="nowhere"):
        model.minutes_between("home", "nowhere", "car")


def test_matrix_travel_rejects_bad_input() -> None:
    """Unknown points, wrong shapes, negative entries, contradicting repeats are errors."""
    model = MatrixTravel([ORIGIN, XINTIANDI], [[0, 1], [1, 0]])
    with pytest.raises(DomainError, match="not in the travel matrix"):
        model.minutes(coordinates([PEOPLES_SQUARE]), coordinates([ORIGIN]), "car")
    with pytest.raises(DomainError, match="shape"):
        MatrixTravel([ORIGIN, XINTIANDI], [[0, 1]])
    with pytest.raises(DomainError, match=">= 0"):
        MatrixTravel([ORIGIN, XINTIANDI], [[0, -1], [1, 0]])
    with pytest.raises(DomainError, match="different minutes"):
        MatrixTravel([ORIGIN, ORIGIN, XINTIANDI], [[0, 0, 1], [0, 0, 2], [1, 1, 0]])


def test_matrix_travel_accepts_a_repeated_place_with_equal_rows() -> None:
    """Two jobs at one address may both be listed when their minutes agree."""
    model = MatrixTravel([ORIGIN, XINTIANDI, ORIGIN], [[0, 4, 0], [5, 0, 5], [0, 4, 0]])
    got = model.minutes(coordinates([XINTIANDI]), coordinates([ORIGIN, XINTIANDI]), "car")
    assert got.tolist() == [[5, 0]]


def test_travel_matrices_asks_any_model_once_per_mode() -> None:
    """A non-haversine model is called per mode and stacked (K, N, M)."""
    model = MatrixTravel([ORIGIN, XINTIANDI], {"walk": [[0, 2], [2, 0]], "car": [[0, 1], [1, 0]]})
    points = coordinates([ORIGIN, XINTIANDI])
    stacked = travel_matrices(model, points, points, ("walk", "car"))
    assert stacked.shape == (2, 2, 2)
    assert stacked[:, 0, 1].tolist() == [2, 1]
