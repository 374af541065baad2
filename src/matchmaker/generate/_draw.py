"""Drawing people and places: workers with their homes, skills, papers and shifts, and the
customers with their addresses, wishes and the workers who came before.

Everything is drawn from the one generator the caller passes, in a fixed order (see
:mod:`._generate`).
"""

from __future__ import annotations

import math

import numpy as np

from matchmaker.generate._catalogue import (
    CARE,
    CERTIFICATES,
    LANGUAGES,
    NEVER,
    NOT_HELD,
    SERVICE_SHARE,
    SERVICE_SKILL,
    SKILLS,
    Bools,
    Customers,
    Floats,
    Ints,
    Workers,
)
from matchmaker.model import Gender

__all__ = ["DISTRICTS", "categorical", "draw_customers", "draw_workers", "quota"]

# Districts of Shanghai: centre, spread (km, one standard deviation) and the share of
# worker homes and of customers. Workers live in the districts they serve, a little further
# out on the whole: a company recruits near its customers, so most visits are a short ride.
_DISTRICT_LAT = np.array([31.2317, 31.2290, 31.1886, 31.2204, 31.2497, 31.2646, 31.2596,
                          31.2340, 31.2050, 31.1130, 31.3400])  # fmt: skip
_DISTRICT_LON = np.array([121.4846, 121.4480, 121.4365, 121.4246, 121.3970, 121.5050,
                          121.5260, 121.5300, 121.5900, 121.3820, 121.4500])  # fmt: skip
_DISTRICT_KM = np.array([1.5, 1.8, 2.2, 2.0, 2.2, 1.8, 2.4, 2.4, 3.0, 3.5, 3.0])
_WORKER_DISTRICTS = np.array([0.05, 0.06, 0.10, 0.07, 0.10, 0.07, 0.11, 0.08, 0.11, 0.14, 0.11])
_CUSTOMER_DISTRICTS = np.array([0.08, 0.09, 0.12, 0.08, 0.09, 0.07, 0.10, 0.11, 0.09, 0.10, 0.07])
_CITY_CENTRE = (31.23, 121.47)
_DISTRICT_NAMES = ("Huangpu", "Jing'an", "Xuhui", "Changning", "Putuo", "Hongkou", "Yangpu",
                   "Lujiazui", "Zhangjiang", "Minhang", "Baoshan")  # fmt: skip
DISTRICTS: dict[str, tuple[float, float]] = {
    name: (float(lat), float(lon))
    for name, lat, lon in zip(_DISTRICT_NAMES, _DISTRICT_LAT, _DISTRICT_LON, strict=True)
}
"""The centres (latitude, longitude) of the districts the synthetic city is drawn around."""

_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
             "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo")  # fmt: skip
_FEMALE_GIVEN = ("Fang", "Min", "Jing", "Li", "Yan", "Hong", "Xia", "Lan", "Ping", "Juan", "Ying",
                 "Hui", "Mei", "Qin", "Xiu", "Yun", "Na", "Ling", "Cui", "Feng")  # fmt: skip
_MALE_GIVEN = ("Wei", "Qiang", "Jun", "Lei", "Yong", "Jie", "Tao", "Ming", "Chao", "Gang", "Bo",
               "Hao", "Peng", "Hua", "Dong", "Bin", "Kai", "Long", "Sheng", "Zhi")  # fmt: skip

# Worker tracks: the kind of work a worker mainly does, which drives skills, gender,
# certificates and languages. The shares follow the work the services ask for (team
# cleaning is heavy in worker minutes), so that every service has enough qualified staff.
_TRACK_SHARE = np.array([0.46, 0.14, 0.04, 0.16, 0.10, 0.10])
_TRACK_SKILL = np.array([0, 1, 2, 3, 4, 5])
# Probability of holding each skill (columns as SKILLS) besides the track's own.
_TRACK_SKILLS = np.array(
    [[1.00, 0.40, 0.60, 0.12, 0.05, 0.02],
     [0.90, 1.00, 0.10, 0.02, 0.00, 0.00],
     [0.70, 0.05, 1.00, 0.25, 0.10, 0.05],
     [0.45, 0.02, 0.60, 1.00, 0.05, 0.03],
     [0.25, 0.00, 0.45, 0.05, 1.00, 0.65],
     [0.25, 0.00, 0.45, 0.05, 0.65, 1.00]]
)  # fmt: skip
_TRACK_CARE = np.array([False, False, False, True, True, True])
_TRACK_FEMALE = np.array([0.78, 0.35, 0.70, 0.88, 0.99, 0.99])
# Probability of speaking each language (columns as LANGUAGES) by track.
_TRACK_LANGUAGES = np.array(
    [[0.97, 0.28, 0.05, 0.14, 0.04],
     [0.97, 0.20, 0.05, 0.18, 0.02],
     [0.97, 0.28, 0.06, 0.14, 0.04],
     [0.97, 0.43, 0.05, 0.14, 0.03],
     [0.97, 0.25, 0.06, 0.12, 0.16],
     [0.97, 0.25, 0.06, 0.12, 0.14]]
)  # fmt: skip
# Probability of holding each certificate (columns as CERTIFICATES) by track.
_TRACK_CERTIFICATES = np.array(
    [[0.88, 0.03, 0.02, 0.01, 0.10],
     [0.80, 0.01, 0.00, 0.00, 0.08],
     [0.93, 0.05, 0.05, 0.02, 0.10],
     [0.96, 0.70, 0.03, 0.02, 0.30],
     [0.97, 0.10, 0.92, 0.45, 0.30],
     [0.97, 0.08, 0.55, 0.92, 0.30]]
)  # fmt: skip
# Certificates that come with a care skill: (skill, certificate, probability when trained).
_SKILL_CERTIFICATES = ((3, 1, 0.7), (4, 2, 0.9), (5, 3, 0.9))

# Regular shifts as (start, end) minutes after midnight: full time, then part-time patterns.
_FULL_TIME = (480, 1080)
_PART_TIME = np.array([[480, 720], [780, 1140], [480, 840], [720, 1080]])
_PART_TIME_SHARE = np.array([0.3, 0.3, 0.2, 0.2])

# Travel mode by distance of the home from the city centre: < 5 km, 5-12 km, >= 12 km.
_MODE_BY_BAND = np.array(
    [[0.06, 0.50, 0.40, 0.04], [0.01, 0.35, 0.49, 0.15], [0.00, 0.20, 0.50, 0.30]]
)


def categorical(rng: np.random.Generator, probabilities: Floats) -> Ints:
    """One draw per row, each from its own row of category probabilities."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    draws = rng.random(len(probabilities))
    return np.asarray((draws[:, None] >= cumulative).sum(axis=1), dtype=np.int64)


def quota(rng: np.random.Generator, n: int, shares: Floats) -> Ints:
    """Categories in proportion to ``shares`` (largest remainders), in random order.

    Small pools then still hold every kind of worker instead of a lucky draw.
    """
    exact = shares * n
    counts = np.floor(exact).astype(np.int64)
    remainder = exact - counts + rng.random(len(shares)) * 1e-9
    counts[np.argsort(-remainder)[: n - int(counts.sum())]] += 1
    return rng.permutation(np.repeat(np.arange(len(shares)), counts)).astype(np.int64)


def _points(rng: np.random.Generator, district: Ints) -> tuple[Floats, Floats]:
    """Points clustered around the centres of their districts."""
    n = len(district)
    spread = _DISTRICT_KM[district]
    north = rng.normal(0.0, 1.0, n) * spread
    east = rng.normal(0.0, 1.0, n) * spread
    lat = _DISTRICT_LAT[district] + north / 110.57
    lon = _DISTRICT_LON[district] + east / (111.32 * np.cos(np.radians(_DISTRICT_LAT[district])))
    return np.round(lat, 6), np.round(lon, 6)


def _flat_km(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """Straight-line km on a local flat map (for ranking and banding, not for travel)."""
    dy = (lat1 - lat2) * 110.57
    dx = (lon1 - lon2) * 111.32 * math.cos(math.radians(_CITY_CENTRE[0]))
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def draw_workers(rng: np.random.Generator, n: int, days: int) -> Workers:
    district = quota(rng, n, _WORKER_DISTRICTS)
    lat, lon = _points(rng, district)
    track = quota(rng, n, _TRACK_SHARE)
    female = rng.random(n) < _TRACK_FEMALE[track]

    experience = np.minimum(np.floor(rng.gamma(2.0, 3.2, n)), 20).astype(np.int64)
    experience[rng.random(n) < 0.08] = 0
    # Levels grow with experience; other skills sit a little below the track's own.
    # Carers are trained professionals (level 2 at least); infant and postpartum care are
    # learnt together, so the second of them sits close to the first.
    main_level = np.clip(np.rint(2.2 + experience / 5 + rng.normal(0, 0.6, n)), 1, 5)
    main_level = np.where(_TRACK_CARE[track], np.maximum(main_level, 2), main_level)
    below = np.where((track[:, None] >= 4) & (np.arange(len(SKILLS)) >= 4), 0.3, 0.7)
    other_level = np.clip(np.rint(main_level[:, None] - below + rng.normal(0, 0.7, (n, 6))), 1, 5)
    held = rng.random((n, len(SKILLS))) < _TRACK_SKILLS[track]
    levels = np.where(held, other_level, 0).astype(np.int64)
    levels[np.arange(n), _TRACK_SKILL[track]] = main_level.astype(np.int64)

    languages = rng.random((n, len(LANGUAGES))) < _TRACK_LANGUAGES[track]
    languages[~languages.any(axis=1), 0] = True

    # A carer trained in a care skill (level 2 or more) mostly holds its certificate too,
    # whatever the main line of work.
    chance = _TRACK_CERTIFICATES[track].copy()
    for skill, certificate, share in _SKILL_CERTIFICATES:
        trained = levels[:, skill] >= 2
        chance[trained, certificate] = np.maximum(chance[trained, certificate], share)
    held_certs = rng.random((n, len(CERTIFICATES))) < chance
    # Health certificates are renewed every year; a few lapsed before the start date and a
    # few lapse during the horizon.
    fate = rng.random((n, len(CERTIFICATES)))
    expired_share = np.where(np.arange(len(CERTIFICATES)) == 0, 0.05, 0.02)
    lapsing_share = np.where(np.arange(len(CERTIFICATES)) == 0, 0.03, 0.01)
    longest = np.where(np.arange(len(CERTIFICATES)) == 0, 365, 1460)
    expiry = np.where(
        fate < expired_share,
        rng.integers(-120, 0, (n, len(CERTIFICATES))),
        np.where(
            fate < expired_share + lapsing_share,
            rng.integers(0, days + 2, (n, len(CERTIFICATES))),
            rng.integers(days + 2, longest + 1, (n, len(CERTIFICATES))),
        ),
    )
    cert_expiry = np.where(held_certs, expiry, NOT_HELD).astype(np.int64)

    check = quota(rng, n, np.array([0.94, 0.04, 0.02]))
    fate_check = rng.random(n)
    check_expiry = np.where(
        fate_check < 0.4,
        NEVER,
        np.where(
            fate_check < 0.43,
            rng.integers(-60, 0, n),
            np.where(fate_check < 0.48, rng.integers(0, days + 2, n), rng.integers(30, 730, n)),
        ),
    )
    check_expiry = np.where(check == 0, check_expiry, NEVER).astype(np.int64)

    rating_count = np.minimum(np.exp(rng.normal(3.2, 1.0, n)).astype(np.int64), 300)
    newcomer = experience == 0
    rating_count[newcomer] = rng.poisson(1.0, int(newcomer.sum()))
    rating_count[rng.random(n) < 0.04] = 0
    rating = np.round(5.0 - 2.0 * rng.beta(1.3, 3.8, n), 1)
    rating = np.where(rating_count > 0, rating, np.nan)

    # Most workers are full time (7-9 hours of work in a ten-hour shift, the rest for the
    # road); carers more often than cleaners. Part-timers work what their shift allows,
    # keeping an hour for travel.
    care = _TRACK_CARE[track]
    full_time = rng.random(n) < np.where(care, 0.9, 0.85)
    pattern = rng.choice(len(_PART_TIME), size=n, p=_PART_TIME_SHARE)
    regular_start = np.where(full_time, _FULL_TIME[0], _PART_TIME[pattern, 0]).astype(np.int64)
    regular_end = np.where(full_time, _FULL_TIME[1], _PART_TIME[pattern, 1]).astype(np.int64)
    max_jobs = np.where(
        full_time,
        rng.choice([3, 4, 5], n, p=[0.25, 0.45, 0.3]),
        rng.choice([2, 3], n, p=[0.4, 0.6]),
    ).astype(np.int64)
    full_work = 420 + 30 * np.where(
        care,
        rng.choice(5, n, p=[0.05, 0.15, 0.3, 0.25, 0.25]),
        rng.choice(5, n, p=[0.1, 0.15, 0.3, 0.25, 0.2]),
    )
    max_work = np.where(full_time, full_work, regular_end - regular_start - 60).astype(np.int64)

    works = np.ones((n, days), dtype=bool)
    if days > 1:
        works = rng.random((n, days)) >= np.where(full_time, 0.15, 0.3)[:, None]
        idle = ~works.any(axis=1)
        works[idle, rng.integers(0, days, int(idle.sum()))] = True
    offsets = 1440 * np.arange(days)[None, :]
    shift_start = np.where(works, regular_start[:, None] + offsets, -1).astype(np.int64)
    shift_end = np.where(works, regular_end[:, None] + offsets, -1).astype(np.int64)

    from_centre = _flat_km(lat, lon, np.full(n, _CITY_CENTRE[0]), np.full(n, _CITY_CENTRE[1]))
    band = np.digitize(from_centre, [5.0, 12.0])
    mode = categorical(rng, _MODE_BY_BAND[band])
    status = quota(rng, n, np.array([0.97, 0.015, 0.015]))

    return Workers(
        names=_names(rng, female),
        district=district,
        lat=lat,
        lon=lon,
        track=track.astype(np.int64),
        female=female,
        levels=levels,
        experience=experience,
        languages=languages,
        cert_expiry=cert_expiry,
        check=check,
        check_expiry=check_expiry,
        rating=rating,
        rating_count=rating_count,
        regular_start=regular_start,
        regular_end=regular_end,
        shift_start=shift_start,
        shift_end=shift_end,
        max_jobs=max_jobs,
        max_work=max_work,
        mode=mode,
        status=status,
    )


def draw_customers(rng: np.random.Generator, n: int, pool: Workers) -> Customers:
    # Customers come from where the company has staff: half by the city's demand, half by
    # where this pool's workers live, so that a small team is not spread over the whole city.
    staff = np.bincount(pool.district, minlength=len(_CUSTOMER_DISTRICTS)) / len(pool.district)
    weights = 0.5 * _CUSTOMER_DISTRICTS + 0.5 * staff
    lat, lon = _points(rng, rng.choice(len(weights), size=n, p=weights / weights.sum()))
    # Services in proportion (largest remainders), so that a small day still has its mix.
    service = quota(rng, n, SERVICE_SHARE)

    wants_gender = rng.random(n) < np.where(CARE[service], 0.3, 0.18)
    gender_pick = np.where(rng.random(n) < 0.85, Gender.FEMALE.value, Gender.MALE.value)
    preferred_gender = np.where(wants_gender, gender_pick, "").tolist()
    wants_language = rng.random(n) < 0.18
    language_pick = np.array(LANGUAGES)[rng.choice([1, 4, 2, 3], size=n, p=[0.6, 0.2, 0.1, 0.1])]
    preferred_languages = np.where(wants_language, language_pick, "").tolist()

    # Workers who served a customer before: nearby workers who do the customer's kind of
    # work, ranked by distance with noise (the nearest is not always the one who came).
    nearest, usable = _nearest_qualified(rng, lat, lon, service, pool, k=6)

    n_previous = rng.choice(4, size=n, p=[0.3, 0.35, 0.23, 0.12])
    n_preferred = np.where(rng.random(n) < 0.15, np.where(rng.random(n) < 0.3, 2, 1), 0)
    blocks = rng.random(n) < 0.05
    blocked_slot = rng.integers(3, 6, n)
    previous: list[list[int]] = []
    preferred: list[list[int]] = []
    blocked: list[list[int]] = []
    for c in range(n):
        candidates = nearest[c][usable[c]].tolist()
        previous.append(candidates[: n_previous[c]])
        preferred.append(candidates[: n_preferred[c]])
        slot = int(blocked_slot[c])
        blocked.append([candidates[slot]] if blocks[c] and slot < len(candidates) else [])
    return Customers(
        names=_names(rng, rng.random(n) < 0.6),
        lat=lat,
        lon=lon,
        service=service,
        preferred_gender=preferred_gender,
        preferred_languages=preferred_languages,
        preferred=preferred,
        blocked=blocked,
        previous=previous,
    )


def _nearest_qualified(
    rng: np.random.Generator, lat: Floats, lon: Floats, service: Ints, pool: Workers, *, k: int
) -> tuple[Ints, Bools]:
    """For each customer, ``k`` workers qualified for its service, nearest (with noise) first.

    Returns the worker indices and whether each slot holds a qualified worker at all.
    Customers go in blocks of rows so that memory stays bounded on large pools; the noise
    is drawn row by row, so the block size does not change the result.
    """
    qualified = pool.levels[:, SERVICE_SKILL] > 0
    qualified[:, CARE & (SERVICE_SKILL >= 4)] &= pool.female[:, None]
    k = min(k, len(pool.lat))
    nearest = np.empty((len(lat), k), dtype=np.int64)
    usable = np.empty((len(lat), k), dtype=bool)
    block = max(1, 4_000_000 // len(pool.lat))
    for first in range(0, len(lat), block):
        rows = slice(first, first + block)
        km = _flat_km(lat[rows, None], lon[rows, None], pool.lat[None, :], pool.lon[None, :])
        cost = km + rng.exponential(2.0, km.shape)
        cost[~qualified[:, service[rows]].T] = np.inf
        picked = np.argpartition(cost, k - 1, axis=1)[:, :k]
        picked_cost = np.take_along_axis(cost, picked, 1)
        ordering = np.argsort(picked_cost, axis=1)
        nearest[rows] = np.take_along_axis(picked, ordering, 1)
        usable[rows] = np.isfinite(np.take_along_axis(picked_cost, ordering, 1))
    return nearest, usable


def _names(rng: np.random.Generator, female: Bools) -> list[str]:
    """Pinyin names: a surname and a one- or two-syllable given name."""
    n = len(female)
    surname = np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)]
    given_f = np.array(_FEMALE_GIVEN)[rng.integers(0, len(_FEMALE_GIVEN), (n, 2))]
    given_m = np.array(_MALE_GIVEN)[rng.integers(0, len(_MALE_GIVEN), (n, 2))]
    given = np.where(female[:, None], given_f, given_m)
    second = np.where(rng.random(n) < 0.6, np.char.lower(given[:, 1]), "")
    names: list[str] = np.char.add(
        np.char.add(np.char.add(surname, " "), given[:, 0]), second
    ).tolist()
    return names
