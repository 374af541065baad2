"""A search in several processes: the solving process (the lead) forks helpers that run the
same search with seeds of their own, meets them at points of the search and keeps the best
plan of all at the end.

The searches are Python driving compiled kernels, so one process keeps one core busy. With
``policy.search_processes`` (unset: one per core this process may use, at most
:data:`AUTO_PROCESSES`) the lead forks the helpers at the start of the search; a fork
shares the problem's arrays without copying them. What a meeting exchanges is the search's
own business (:mod:`matchmaker.solve._lns_processes` for ruin and recreate over a round,
:mod:`matchmaker.solve._care_processes` for the home-care loop): a helper sends an offer
and goes on from the plan the lead sends back.

Messages are JSON, never pickles. A helper that does not answer within
:data:`WAIT_SECONDS` of the lead is stopped and the search goes on without it; a helper
whose search fails sends its traceback and the lead raises it, as the search in one
process would. Ctrl-C is left to the lead, which stops its helpers. Only on Linux (fork),
outside daemonic processes (which may not have children, as in a Dask worker), not for a
search bounded by work (so that it repeats) and not for a search of less than
:data:`MIN_SECONDS`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

import numpy as np

from matchmaker.model import Policy
from matchmaker.solve._solution import Route

__all__ = [
    "AUTO_PROCESSES",
    "MIN_SECONDS",
    "WAIT_SECONDS",
    "Counts",
    "HelperSearch",
    "Helpers",
    "LeadLink",
    "decode_routes",
    "encode_routes",
    "helper_seed",
    "process_count",
    "search_in_processes",
    "search_processes",
]

AUTO_PROCESSES = 2
"""Most processes used when the policy leaves ``search_processes`` unset (measured on 2
cores only)."""
MIN_SECONDS = 1.0
"""A search shorter than this runs in one process: too short to meet."""
WAIT_SECONDS = 2.0
"""How long the lead waits for a helper at a meeting or at the end (they keep the same
clock, so one arrives within a move of the other)."""

S = TypeVar("S", bound="Counts")
Message = dict[str, Any]
HelperSearch = Callable[["LeadLink"], Message]
"""A helper's search: it meets the lead through the link and returns its final message:
``routes`` (its best plan, :func:`encode_routes`), ``iterations``, ``accepted``."""


def search_processes(policy: Policy) -> int:
    """The processes a search runs in under ``policy`` on this machine."""
    if policy.search_processes is not None:
        return policy.search_processes
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # not on Linux, where the search stays in one process anyway
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_PROCESSES))


def process_count(policy: Policy, seconds: float, *, bounded_by_work: bool) -> int:
    """The processes a search of ``seconds`` runs in: 1 where helpers cannot run or do not
    pay (module docstring)."""
    alone = (
        bounded_by_work
        or seconds < MIN_SECONDS
        or not sys.platform.startswith("linux")
        or multiprocessing.current_process().daemon
    )
    return 1 if alone else search_processes(policy)


@dataclass(kw_only=True)
class _Helper:
    process: BaseProcess
    conn: Connection


class Helpers:
    """The lead's side: the helpers it forked, and its side of the meetings."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.stop = stop
        self.helpers: list[_Helper] = []

    def __len__(self) -> int:
        return len(self.helpers)

    def fork(self, search: HelperSearch, deadline: float) -> bool:
        """Start a helper running ``search`` until ``deadline``; ``False`` when the system
        cannot (the search goes on without)."""
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        process = context.Process(target=_helper_main, args=(theirs, search, deadline), daemon=True)
        try:
            process.start()
        except OSError:  # out of memory or of processes
            ours.close()
            return False
        finally:
            theirs.close()
        self.helpers.append(_Helper(process=process, conn=ours))
        return True

    def gather(self, kind: str) -> list[Message]:
        """One message of ``kind`` (``"offer"`` or ``"final"``) from each helper; helpers
        that send none in time are dropped, a helper's failure is raised here."""
        messages = []
        for helper in list(self.helpers):
            message = self._receive(helper)
            if message is None or message["kind"] != kind:
                self._drop(helper)
                continue
            messages.append(message)
        return messages

    def reply(self, routes: tuple[Route, ...]) -> None:
        """Send every helper the plan to go on from."""
        data = json.dumps({"routes": encode_routes(routes)}).encode()
        for helper in list(self.helpers):
            try:
                helper.conn.send_bytes(data)
            except OSError:
                self._drop(helper)

    def close(self) -> None:
        """Stop every helper still running (they still count as processes searched in)."""
        for helper in list(self.helpers):
            self._drop(helper, keep=True)

    def _receive(self, helper: _Helper) -> Message | None:
        until = time.perf_counter() + WAIT_SECONDS
        try:
            while not helper.conn.poll(0.05):
                stopped = self.stop is not None and self.stop.is_set()
                if stopped or time.perf_counter() >= until:
                    return None
                if not helper.process.is_alive() and not helper.conn.poll():
                    return None
            message: Message = json.loads(helper.conn.recv_bytes())
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


class Counts(Protocol):
    """The counts a search's stats keep, to which the helpers' are added."""

    iterations: int
    accepted: int
    processes: int


def search_in_processes(
    count: int,
    deadline: float,
    stop: threading.Event | None,
    lead: Callable[[Helpers], tuple[tuple[Route, ...], S]],
    helper: Callable[[int], HelperSearch],
    cost: Callable[[tuple[Route, ...]], int],
) -> tuple[tuple[Route, ...], S]:
    """Fork ``count - 1`` helpers (helper ``k`` runs ``helper(k)``), run ``lead`` here with
    them, and return the best plan of all (by ``cost``) and the lead's stats, to which the
    helpers' iterations and accepted moves are added. Every helper is stopped on the way
    out, whatever happens."""
    helpers = Helpers(stop)
    try:
        for k in range(1, count):
            if not helpers.fork(helper(k), deadline):
                break
        found, stats = lead(helpers)
        stopped = stop is not None and stop.is_set()
        finals = [] if stopped else helpers.gather("final")
    finally:
        helpers.close()
    best, best_cost = found, cost(found)
    for final in finals:
        stats.iterations += int(final["iterations"])
        stats.accepted += int(final["accepted"])
        routes = decode_routes(final["routes"])
        routes_cost = cost(routes)
        if routes_cost < best_cost:
            best, best_cost = routes, routes_cost
    stats.processes = 1 + len(helpers)
    return best, stats


class LeadLink:
    """A helper's side of the meetings. :meth:`exchange` sends an offer and waits for the
    plan to go on from; :meth:`post` sends one and goes on searching, and :meth:`collect`
    picks the lead's answer up once it has come. One offer is out at a time: an answer
    still owed is read before the next offer and before the final message
    (:meth:`settle`), or the two sides could both be writing into a full pipe."""

    def __init__(self, conn: Connection, deadline: float) -> None:
        self.conn = conn
        self.deadline = deadline
        self.lead_gone = False
        self.owed = False
        """An answer to a posted offer has not been read yet."""
        self.kept: tuple[Route, ...] | None = None
        """An answer :meth:`settle` read, for :meth:`collect` to hand over."""

    def exchange(self, offer: Message) -> tuple[Route, ...] | None:
        """Send ``offer`` and wait for the plan to go on from (``None`` once the lead is
        gone)."""
        self.post(offer)
        self.settle()
        return self.collect()

    def post(self, offer: Message) -> None:
        """Send ``offer`` without waiting for its answer."""
        self.settle()
        if self.lead_gone:
            return
        self.conn.send_bytes(json.dumps({"kind": "offer", **offer}).encode())
        self.owed = True

    def collect(self) -> tuple[Route, ...] | None:
        """The lead's answer to the last offer, if it has come (``None`` else, and once it
        has been collected)."""
        if self.owed and not self.lead_gone and self.conn.poll():
            self.settle()
        answer, self.kept = self.kept, None
        return answer

    def settle(self) -> None:
        """Wait for the answer still owed, if any: the lead answers or stops this process,
        and, as the lead waits for a helper, the deadline and WAIT_SECONDS bound the wait."""
        if not self.owed or self.lead_gone:
            return
        left = self.deadline + WAIT_SECONDS - time.perf_counter()
        if not self.conn.poll(max(left, 0.0)):
            self.lead_gone = True
            return
        self.owed = False
        self.kept = decode_routes(json.loads(self.conn.recv_bytes())["routes"])


def _helper_main(conn: Connection, search: HelperSearch, deadline: float) -> None:
    """A helper's whole life: search, meet the lead at each point, send the final message."""
    # Ctrl-C reaches the whole process group; the lead handles it and stops its helpers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    link = LeadLink(conn, deadline)
    try:
        final = search(link)
        link.settle()
        conn.send_bytes(json.dumps({"kind": "final", **final}).encode())
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


def helper_seed(seed: int, k: int) -> int:
    """Helper ``k``'s seed, independent of the lead's ``seed`` and of the other helpers'."""
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0])


def encode_routes(routes: tuple[Route, ...]) -> list[list[Any]]:
    return [[r.vehicle, list(r.jobs), list(r.starts)] for r in routes]


def decode_routes(data: list[list[Any]]) -> tuple[Route, ...]:
    return tuple(
        Route(vehicle=int(v), jobs=tuple(jobs), starts=tuple(starts)) for v, jobs, starts in data
    )
