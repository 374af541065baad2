"""What some jobs ask for on top: demands nobody on the staff meets, added on purpose to a
few jobs, and the orders that need a worker who comes by car."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from matchmaker.compile import HaversineTravel
from matchmaker.generate._catalogue import (
    SERVICE_SKILL,
    TEAM_SIZE,
    Bools,
    Customers,
    Ints,
    Jobs,
    Workers,
)
from matchmaker.generate._rules import commute_minutes, eligible, start_ranges

__all__ = ["draw_car_needs", "draw_demanding"]

# Share of orders that need a worker who comes by car, by service: heavy cleaning brings
# equipment.
_NEEDS_CAR = np.array([0.0, 0.0, 0.05, 0.15, 0.0, 0.0, 0.0, 0.0])
# Share of jobs made to ask for something no worker offers, and the kinds of demand.
_DEMANDING_SHARE = 0.05
_DEMANDS = ("language", "certificate", "level", "experience", "gender", "team")
_DEMAND_TRIES = 30  # jobs a demand is tried on per turn, to bound the time on big rounds
# Certificates a customer may ask for on top, by service (columns as CERTIFICATES): health
# and first aid for housework, nursing or first aid for care, the other baby certificate.
_EXTRA_CERTIFICATES = np.array(
    [[1, 0, 0, 0, 1], [1, 0, 0, 0, 1], [1, 0, 0, 0, 0], [1, 0, 0, 0, 0],
     [1, 0, 0, 0, 0], [0, 1, 0, 0, 1], [0, 0, 0, 1, 1], [0, 0, 1, 0, 1]], dtype=bool
)  # fmt: skip
# Services where a customer may ask for a man: heavy cleaning, an elderly man's care.
_MAN_ASKED = np.array([True, True, True, True, False, True, False, False])


def draw_car_needs(
    rng: np.random.Generator,
    pool: Workers,
    customers: Customers,
    jobs: Jobs,
    travel: HaversineTravel,
    pinned: Bools,
) -> Jobs:
    """Flag some heavy-cleaning orders ``needs_car`` (equipment to bring), where enough
    workers who drive could serve each visit together on their own (pair rules, shift, the
    trip from home, one common start): a company takes such an order only when it has
    drivers for it. Drawn last, from a child stream, on unpinned orders, so that the rest of
    the day is the day drawn without cars."""
    n_orders = int(jobs.order.max()) + 1
    service = np.zeros(n_orders, dtype=np.int64)
    service[jobs.order] = jobs.service
    asked = rng.spawn(1)[0].random(n_orders) < _NEEDS_CAR[service]
    idx = np.flatnonzero(asked[jobs.order] & ~pinned)
    commute = commute_minutes(travel, pool, jobs.lat[idx], jobs.lon[idx])
    low, high, fits = start_ranges(pool, jobs, idx, commute)
    ok = fits & eligible(pool, customers, replace(jobs, needs_car=asked[jobs.order]), idx)
    enough = np.zeros(len(idx), dtype=bool)
    for k in range(len(idx)):  # a few visits: the asked ones
        lows, highs = low[ok[:, k], k], high[ok[:, k], k]
        together = (lows[None, :] <= lows[:, None]) & (lows[:, None] <= highs[None, :])
        enough[k] = together.sum(axis=1).max(initial=0) >= jobs.needed[idx[k]]
    kept = asked & ~np.bincount(jobs.order, weights=pinned, minlength=n_orders).astype(bool)
    np.logical_and.at(kept, jobs.order[idx], enough)
    return replace(jobs, needs_car=kept[jobs.order])


def draw_demanding(
    rng: np.random.Generator, pool: Workers, customers: Customers, jobs: Jobs
) -> Jobs:
    """Make up to 5% of the jobs ask for something no worker offers.

    A real round holds orders nobody on the staff can take: the customer wants a rare
    language, one more certificate, the top skill level, ten years of experience, a man for
    a heavy clean or an elderly man's care, or a crew of three. The kinds of demand take
    turns, so that a round holds several; each is added to a job whose service it suits, with
    one more demand of another kind when the first is not enough, so that fewer qualified
    workers than needed remain (time aside). A job that two demands would leave servable
    is passed over, so a big pool, which meets more demands, gets fewer of these jobs.
    Only one-visit orders are chosen, so that the visits of one order always ask for the
    same.
    """
    target = round(_DEMANDING_SHARE * len(jobs.day))
    kinds = rng.permutation(len(_DEMANDS)).tolist()
    single = np.flatnonzero(np.bincount(jobs.order)[jobs.order] == 1)
    # Each kind scans the candidates once, in turns, at most _DEMAND_TRIES a turn.
    turns = -(-target // len(kinds))
    candidates = rng.permutation(single)[: _DEMAND_TRIES * turns]
    preference = rng.random((len(candidates), len(_DEMANDS))).argsort(axis=1)
    ok = eligible(pool, customers, jobs, candidates)
    demands = _demand_options(pool, jobs, candidates, ok)
    servable = ok.sum(axis=0) >= jobs.needed[candidates]

    chosen: list[tuple[int, tuple[int, ...]]] = []
    taken = np.zeros(len(candidates), dtype=bool)
    position = dict.fromkeys(kinds, 0)
    for turn in range(target):
        kind = kinds[turn % len(kinds)]
        for _ in range(_DEMAND_TRIES):
            k = position[kind]
            if k >= len(candidates):
                break
            position[kind] += 1
            if taken[k] or not servable[k] or not demands.suits[kind][k]:
                continue
            picked = _pick_demands(demands, ok[:, k], k, kind, preference[k].tolist())
            if picked:
                taken[k] = True
                chosen.append((k, picked))
                break
    return _with_demands(jobs, candidates, demands, chosen)


@dataclass(frozen=True, kw_only=True, slots=True)
class _DemandOptions:
    """Per kind of demand (as ``_DEMANDS``) and candidate job (columns): what it would ask."""

    suits: list[Bools]  # (candidates,): the demand suits the job and is not already asked
    meets: list[Bools]  # (workers, candidates): who would meet it
    needed: list[Ints]  # (candidates,): workers the job needs once asked
    language: Ints  # the rarest language a language demand asks for
    certificate: Ints  # the rarest suitable certificate a certificate demand asks for


def _demand_options(pool: Workers, jobs: Jobs, idx: Ints, ok: Bools) -> _DemandOptions:
    n_workers, n = ok.shape
    service, day = jobs.service[idx], jobs.day[idx]
    everyone = np.ones((n_workers, n), dtype=bool)

    speakers = ok.T.astype(np.int64) @ pool.languages.astype(np.int64)
    speakers[:, 0] = n_workers + 1  # everyone speaks Mandarin; ask for another language
    language = np.argmin(speakers, axis=1)

    valid = pool.cert_expiry[:, :, None] >= day[None, None, :]  # (workers, certs, jobs)
    holders = (valid & ok[:, None, :]).sum(axis=0).T  # (jobs, certs)
    allowed = _EXTRA_CERTIFICATES[service] & ~jobs.certificates[idx]
    holders[~allowed] = n_workers + 1
    certificate = np.argmin(holders, axis=1)

    skill = SERVICE_SKILL[service]
    columns = np.arange(n)
    options = {
        "language": (jobs.language[idx] < 0, pool.languages[:, language]),
        "certificate": (allowed.any(axis=1), valid[:, certificate, columns]),
        "level": (jobs.levels[idx, skill] < 5, pool.levels[:, skill] >= 5),
        "experience": (jobs.min_experience[idx] < 10, everyone & (pool.experience >= 10)[:, None]),
        "gender": ((jobs.gender[idx] == 0) & _MAN_ASKED[service], everyone & ~pool.female[:, None]),
        "team": ((jobs.needed[idx] < 3) & (TEAM_SIZE[service, 0] < 1), everyone),
    }
    return _DemandOptions(
        suits=[options[name][0] for name in _DEMANDS],
        meets=[options[name][1] for name in _DEMANDS],
        needed=[np.full(n, 3) if name == "team" else jobs.needed[idx] for name in _DEMANDS],
        language=language,
        certificate=certificate,
    )


def _pick_demands(
    demands: _DemandOptions, ok: Bools, k: int, kind: int, preference: list[int]
) -> tuple[int, ...]:
    """The demands that leave candidate ``k`` unservable: ``kind`` and maybe one more."""
    left = ok & demands.meets[kind][:, k]
    if left.sum() < demands.needed[kind][k]:
        return (kind,)
    # A language is too rare a filter to come second: the plan's reason would name it,
    # hiding the first demand.
    for other in preference:
        if other != kind and _DEMANDS[other] != "language" and demands.suits[other][k]:
            needed = max(demands.needed[kind][k], demands.needed[other][k])
            return (kind, other) if (left & demands.meets[other][:, k]).sum() < needed else ()
    return ()


def _with_demands(
    jobs: Jobs, idx: Ints, demands: _DemandOptions, chosen: list[tuple[int, tuple[int, ...]]]
) -> Jobs:
    """A copy of ``jobs`` with the chosen demands added."""
    levels, certificates = jobs.levels.copy(), jobs.certificates.copy()
    min_experience, needed = jobs.min_experience.copy(), jobs.needed.copy()
    gender, language = jobs.gender.copy(), jobs.language.copy()
    for k, picked in chosen:
        j = int(idx[k])
        for kind in picked:
            name = _DEMANDS[kind]
            if name == "language":
                language[j] = demands.language[k]
            elif name == "certificate":
                certificates[j, demands.certificate[k]] = True
            elif name == "level":
                levels[j, SERVICE_SKILL[jobs.service[j]]] = 5
            elif name == "experience":
                min_experience[j] = 10
            elif name == "gender":
                gender[j] = 2
            else:
                needed[j] = 3
    return replace(
        jobs,
        levels=levels,
        certificates=certificates,
        min_experience=min_experience,
        needed=needed,
        gender=gender,
        language=language,
    )
