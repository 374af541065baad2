"""Ruin and recreate in several processes that pool the routes they find.

The search of :mod:`matchmaker.solve._lns` is Python driving compiled kernels, so it keeps
one core busy. With ``policy.search_processes`` (unset: one per core this process may use,
at most :data:`AUTO_PROCESSES`) the solving process forks helpers at the start of the
search; a fork shares the problem's arrays without copying them. Each helper runs the same
search from the same plan with a seed of its own, until the same deadline. At each
recombination point every helper sends the lead (the solving process) its best plan and
the routes its pool gained since the last point; the lead merges those routes into its own
pool, goes on from the best plan of all, recombines the pool
(:mod:`matchmaker.solve._recombine`) and sends the result back, and every process goes on
from it when it is better than its own best. At the end the lead keeps the best plan of
all. The helpers wait while the lead recombines, so CP-SAT takes one thread per process.

On a generated tight 200 x 600 day (routing, 30 s, default weights, seeds 1-3, 2 cores)
two processes lowered the objective from 720,747 / 721,297 / 719,851 to 709,268 /
706,269 / 707,334 and served 2,226 / 2,232 / 2,230 weighted value against 2,206 / 2,206 /
2,208: the pooled routes give the recombination more to choose from. On days that do not
bind, and on a tight 600 x 2000 day at 120 s, they were level with one process. With a
CP-SAT thread per process in the recombination (one before), the tight day (seeds 1-5)
served 2,234 / 2,236 / 2,232 / 2,232 / 2,236 against 2,226 / 2,218 / 2,226 / 2,236 /
2,232, objective mean 705,698 against 708,650.

Messages are JSON lists of integers, never pickles. A helper that does not answer within
:data:`WAIT_SECONDS` of the lead is stopped and the search goes on without it; a helper
whose search fails sends its traceback and the lead raises it, as the search in one
process would. Only on Linux (fork), outside daemonic processes (which may not have
children, as in a Dask worker), not in deterministic mode (moves, not the clock, bound
the search there) and not for a search of less than :data:`MIN_SECONDS`.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve._costs import Costs, plan_cost
from matchmaker.solve._lns import LnsStats, OnImprove, ruin_and_recreate
from matchmaker.solve._lns_state import Plan
from matchmaker.solve._recombine import PooledRoute, RoutePool, recombine
from matchmaker.solve._solution import Route

__all__ = ["AUTO_PROCESSES", "pooled_ruin_and_recreate", "search_processes"]

AUTO_PROCESSES = 2
"""Most processes used when the policy leaves ``search_processes`` unset (measured on 2
cores only)."""
MIN_SECONDS = 1.0
"""A search shorter than this runs in one process: too short to meet."""
WAIT_SECONDS = 2.0
"""How long the lead waits for a helper at a meeting or at the end (they keep the same
clock, so one arrives within a move of the other)."""


def search_processes(policy: Policy) -> int:
    """The processes ruin and recreate runs in under ``policy`` on this machine."""
    if policy.search_processes is not None:
        return policy.search_processes
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # not on Linux, where the search stays in one process anyway
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_PROCESSES))


def pooled_ruin_and_recreate(
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    deadline: float,
    seed: int,
    *,
    iterations: int | None = None,
    stop: threading.Event | None = None,
    on_improve: OnImprove | None = None,
) -> tuple[tuple[Route, ...], LnsStats]:
    """:func:`~matchmaker.solve._lns.ruin_and_recreate` in :func:`search_processes`
    processes (module docstring); in this one alone where they cannot run."""
    count = search_processes(policy)
    alone = (
        count <= 1
        or iterations is not None
        or deadline - time.perf_counter() < MIN_SECONDS
        or not sys.platform.startswith("linux")
        or multiprocessing.current_process().daemon
    )
    search = functools.partial(
        ruin_and_recreate,
        problem,
        policy,
        costs,
        routes,
        deadline,
        seed,
        stop=stop,
        on_improve=on_improve,
    )
    if alone:
        return search(iterations=iterations)
    lead = _Lead(problem, policy, costs, seed, stop)
    try:
        for k in range(1, count):
            if not lead.fork(routes, deadline, _helper_seed(seed, k)):
                break
        found, stats = search(meet=lead.meet)
        stopped = stop is not None and stop.is_set()
        finals = [] if stopped else lead.finals()
    finally:
        lead.close()
    best, best_cost = found, plan_cost(problem, costs, found)
    for final in finals:
        stats.iterations += final.moves
        stats.accepted += final.accepted
        cost = plan_cost(problem, costs, final.routes)
        if cost < best_cost:
            best, best_cost = final.routes, cost
    stats.processes = 1 + len(lead.helpers)
    return best, stats


@dataclass(frozen=True, kw_only=True)
class _Final:
    routes: tuple[Route, ...]
    moves: int
    accepted: int


@dataclass(kw_only=True)
class _Helper:
    process: BaseProcess
    conn: Connection


class _Lead:
    """The solving process's side: its helpers and what it does at a meeting."""

    def __init__(
        self,
        problem: Problem,
        policy: Policy,
        costs: Costs,
        seed: int,
        stop: threading.Event | None,
    ) -> None:
        self.problem, self.policy, self.costs = problem, policy, costs
        self.seed, self.stop = seed, stop
        self.helpers: list[_Helper] = []

    def fork(self, routes: tuple[Route, ...], deadline: float, seed: int) -> bool:
        """Start a helper; ``False`` when the system cannot (the search goes on without)."""
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        args = (theirs, self.problem, self.policy, self.costs, routes, deadline, seed)
        process = context.Process(target=_helper_main, args=args, daemon=True)
        try:
            process.start()
        except OSError:  # out of memory or of processes
            ours.close()
            return False
        finally:
            theirs.close()
        self.helpers.append(_Helper(process=process, conn=ours))
        return True

    def meet(self, pool: RoutePool, plan: Plan, seconds: float) -> tuple[Route, ...]:
        """Merge the helpers' routes, go on from the best plan of all, recombine, and
        send the result back (module docstring)."""
        for message in self._gather("offer"):
            pool.merge(_decode_pool(message["pool"]))
            if message["objective"] < plan.objective():
                plan.reload(_decode_routes(message["routes"]))
        # The helpers wait for the reply, so CP-SAT may use their cores.
        workers = 1 + len(self.helpers)
        found = recombine(self.problem, pool, plan, seconds, self.seed, self.stop, workers)
        # Without a recombined plan, the best of all (maybe a helper's) goes on.
        routes = found if found is not None else plan.routes()
        reply = json.dumps({"routes": _encode_routes(routes)}).encode()
        for helper in list(self.helpers):
            try:
                helper.conn.send_bytes(reply)
            except OSError:
                self._drop(helper)
        return routes

    def finals(self) -> list[_Final]:
        """Each helper's best plan at the deadline."""
        return [
            _Final(
                routes=_decode_routes(message["routes"]),
                moves=message["moves"],
                accepted=message["accepted"],
            )
            for message in self._gather("final")
        ]

    def close(self) -> None:
        for helper in list(self.helpers):
            self._drop(helper, keep=True)

    def _gather(self, kind: str) -> list[dict[str, Any]]:
        """One message of ``kind`` from each helper; helpers that send none in time are
        dropped, a helper's failure is raised here."""
        messages = []
        for helper in list(self.helpers):
            message = self._receive(helper)
            if message is None or message["kind"] != kind:
                self._drop(helper)
                continue
            messages.append(message)
        return messages

    def _receive(self, helper: _Helper) -> dict[str, Any] | None:
        until = time.perf_counter() + WAIT_SECONDS
        try:
            while not helper.conn.poll(0.05):
                stopped = self.stop is not None and self.stop.is_set()
                if stopped or time.perf_counter() >= until:
                    return None
                if not helper.process.is_alive() and not helper.conn.poll():
                    return None
            message: dict[str, Any] = json.loads(helper.conn.recv_bytes())
        except (OSError, EOFError):
            return None
        if message["kind"] == "error":
            raise RuntimeError(f"a search helper process failed:\n{message['error']}")
        return message

    def _drop(self, helper: _Helper, *, keep: bool = False) -> None:
        """Stop ``helper`` (when ``keep``, it still counts as one of the processes)."""
        helper.process.kill()
        helper.process.join()
        helper.conn.close()
        if not keep:
            self.helpers.remove(helper)


def _helper_main(
    conn: Connection,
    problem: Problem,
    policy: Policy,
    costs: Costs,
    routes: tuple[Route, ...],
    deadline: float,
    seed: int,
) -> None:
    """A helper's whole life: search, meet the lead at each point, send the best plan."""
    # Ctrl-C reaches the whole process group; the lead handles it and stops its helpers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sent = 0
    lead_gone = False

    def meet(pool: RoutePool, plan: Plan, _seconds: float) -> tuple[Route, ...] | None:
        nonlocal sent, lead_gone
        if lead_gone:
            return None
        offer = {
            "kind": "offer",
            "objective": plan.objective(),
            "routes": _encode_routes(plan.routes()),
            "pool": _encode_pool(pool, sent),
        }
        sent = len(pool.routes)
        conn.send_bytes(json.dumps(offer).encode())
        # The lead answers or stops this process; its deadline bounds the wait otherwise.
        if not conn.poll(max(deadline - time.perf_counter(), 0.0)):
            lead_gone = True
            return None
        return _decode_routes(json.loads(conn.recv_bytes())["routes"])

    try:
        found, stats = ruin_and_recreate(problem, policy, costs, routes, deadline, seed, meet=meet)
        final = {
            "kind": "final",
            "routes": _encode_routes(found),
            "moves": stats.iterations,
            "accepted": stats.accepted,
        }
        conn.send_bytes(json.dumps(final).encode())
    except (OSError, EOFError):
        pass  # the lead is gone: nobody to tell
    except Exception:
        try:
            error = {"kind": "error", "error": traceback.format_exc()}
            conn.send_bytes(json.dumps(error).encode())
        except OSError:
            pass
    finally:
        conn.close()


def _helper_seed(seed: int, k: int) -> int:
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0])


def _encode_routes(routes: tuple[Route, ...]) -> list[list[Any]]:
    return [[r.vehicle, list(r.jobs), list(r.starts)] for r in routes]


def _decode_routes(data: list[list[Any]]) -> tuple[Route, ...]:
    return tuple(
        Route(vehicle=int(v), jobs=tuple(jobs), starts=tuple(starts)) for v, jobs, starts in data
    )


def _encode_pool(pool: RoutePool, count: int) -> list[list[Any]]:
    return [[v, list(jobs), cost, list(starts)] for v, jobs, cost, starts in pool.since(count)]


def _decode_pool(data: list[list[Any]]) -> list[PooledRoute]:
    return [(int(v), tuple(jobs), int(cost), tuple(starts)) for v, jobs, cost, starts in data]
