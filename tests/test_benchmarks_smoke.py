"""The benchmark harness and its VROOM peer, on tiny instances (no timings are asserted)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks.vroom_peer import vroom_priorities
from benchmarks.worker import measure

from matchmaker.model import Policy
from matchmaker.solve import Route, Solution, objective_terms
from tests.problem_factory import make_problem, problem_violations, random_problem

needs_vroom = pytest.mark.skipif(
    importlib.util.find_spec("vroom") is None,
    reason="pyvroom is not installed (it is the `bench` extra: pip install -e '.[bench]')",
)


def test_vroom_priorities_follow_the_policy_weights() -> None:
    """Without pins the weights 1..16 scale to 99 at priority 5, keeping their ratios."""
    problem = make_problem(n_workers=1, n_jobs=5, priority=[1, 2, 3, 4, 5])
    assert vroom_priorities(problem, Policy()).tolist() == [6, 12, 25, 50, 99]


def test_vroom_priorities_let_a_pin_outweigh_a_full_shift() -> None:
    """A pinned job gets 100 and the others shrink so that 6 of them weigh less."""
    problem = make_problem(
        n_workers=1, n_jobs=6, priority=[1, 2, 3, 4, 5, 1], pins=[(0, 5)], max_jobs=6
    )
    priorities = vroom_priorities(problem, Policy()).tolist()
    assert priorities == [1, 2, 4, 8, 16, 100]
    assert 6 * max(priorities[:5]) < priorities[5]


def test_measure_counts_a_team_job_only_when_served_together() -> None:
    """A two-worker job served at two different minutes is broken, not served."""
    problem = make_problem(n_workers=3, n_jobs=2, team=[2, 1], priority=[5, 2])
    policy = Policy()

    def solution(second_start: int) -> Solution:
        routes = (
            Route(vehicle=0, jobs=(0,), starts=(100,)),
            Route(vehicle=1, jobs=(0,), starts=(second_start,)),
            Route(vehicle=2, jobs=(1,), starts=(50,)),
        )
        objective = objective_terms(problem, routes, policy).total
        return Solution(routes=routes, objective=objective, backend="test", seed=0, solve_seconds=0)

    figures = ("jobs_served", "priority_served", "team_broken", "travel_minutes")
    together = measure(problem, policy, solution(100))
    apart = measure(problem, policy, solution(120))
    assert [together[key] for key in figures] == [2, 7, 0, 30]
    assert [apart[key] for key in figures] == [1, 2, 1, 30]


def _record(instance: str, solver: str, limit: float, **figures: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "instance": instance,
        "solver": solver,
        "time_limit": limit,
        "error": None,
        "jobs_served": 300,
        "jobs_total": 600,
        "priority_served": 1000,
        "priority_total": 1900,
        "travel_minutes": 9000,
        "travel_per_served": 30.0,
        "mean_match_score": 70.0,
        "objective": 1000,
        "solver_objective": 1000,
        "lower_bound": None,
        "solve_seconds": limit,
        "peak_mb": 300.0,
        "violations": 0,
        "violations_by_rule": {},
        "stats": {},
        "status": "feasible",
    }
    return record | figures


def _report(runs: list[dict[str, Any]]) -> Any:
    from benchmarks import run

    config = run.Config(sizes=(), limits=(30.0,))
    return run.Report(config=config, machine=run.machine_info(), runs=runs)


def test_targets_are_judged_from_the_numbers() -> None:
    """Routing beats VROOM only with its priority sum, 5 % less travel per job and 0 violations."""
    from benchmarks import run

    peer = _record("200x600", "vroom", 30.0, priority_served=1000, travel_per_served=30.0)
    good = _record("200x600", "routing", 30.0, priority_served=1000, travel_per_served=28.4)
    short = _record("200x600", "routing", 30.0, priority_served=999, travel_per_served=20.0)
    first = run.evaluate_targets(_report([good, peer]))[0]
    second = run.evaluate_targets(_report([short, peer]))[0]
    assert (first.verdict, second.verdict) == ("PASS", "MISS")
    assert "priority 999 vs 1000" in second.measured


def test_a_bound_above_a_verified_plan_is_reported_invalid() -> None:
    """A lower bound above a clean plan's objective gets no gap and an `invalid` verdict."""
    from benchmarks import run

    routing = _record("60x150", "routing", 10.0, objective=1000)
    cpsat = _record("60x150", "cpsat", 60.0, objective=1010, lower_bound=1500)
    report = _report([routing, cpsat])
    gap_targets = [t for t in run.evaluate_targets(report) if "lower bound" in t.name]
    assert [t.verdict for t in gap_targets] == ["invalid"]
    rows = run.table_rows(report)
    gap = run.TABLE_HEADER.index("gap")
    assert [row[gap] for row in rows] == ["-", "-"]
    assert rows[1][run.TABLE_HEADER.index("lower bound")] == "1,500 (invalid)"
    honest = _report([routing, cpsat | {"lower_bound": 990, "status": "optimal"}])
    assert [t.verdict for t in run.evaluate_targets(honest) if "lower bound" in t.name] == ["PASS"]
    assert run.table_rows(honest)[0][gap] == "1.01%"
    open_bound = _report([routing, cpsat | {"lower_bound": 990, "status": "feasible"}])
    verdicts = [t.verdict for t in run.evaluate_targets(open_bound) if "lower bound" in t.name]
    assert verdicts == ["not judged"]


@needs_vroom
def test_vroom_peer_plans_keep_every_rule_it_can_express() -> None:
    """Without team jobs, VROOM's plan (pins included) passes the strict problem checker."""
    from benchmarks import vroom_peer

    problem = random_problem(5, 12, 40, n_modes=2, pin_share=0.1)
    policy = Policy()
    solution = vroom_peer.solve(problem, policy=policy, time_limit=5, level=1, threads=1)
    assert solution.served_jobs()
    assert problem_violations(problem, solution) == []
    assert solution.objective == objective_terms(problem, solution.routes, policy).total
    assert solution.status == "feasible"


@needs_vroom
def test_vroom_peer_shift_end_bounds_the_end_of_service() -> None:
    """A job that could start inside the shift but would end after it stays unassigned."""
    from benchmarks import vroom_peer

    problem = make_problem(
        n_workers=1,
        n_jobs=2,
        earliest=[100, 500],
        latest=[100, 550],
        duration=[60, 120],
        eligible=True,
        fold_shift_fit=False,
    )
    solution = vroom_peer.solve(problem, policy=Policy(), time_limit=2, level=1, threads=1)
    assert solution.served_jobs() == {0}


@needs_vroom
def test_vroom_peer_splits_team_jobs_and_says_so() -> None:
    """A two-worker job becomes two single visits; the solution is marked unsynchronised."""
    from benchmarks import vroom_peer

    problem = make_problem(
        n_workers=2, n_jobs=1, team=2, home_travel=np.array([[10], [40]]), earliest=100, latest=100
    )
    solution = vroom_peer.solve(problem, policy=Policy(), time_limit=2, level=1, threads=1)
    assert solution.status == "teams-unsynchronised"
    assert solution.stats["team_jobs"] == 1
    assert sorted(route.vehicle for route in solution.routes) == [0, 1]
    assert solution.stats["team_jobs_full"] == 1


@needs_vroom
def test_vroom_peer_keeps_one_copy_of_a_team_job_per_route() -> None:
    """When one vehicle takes both visits of a team job, the second is dropped and counted."""
    from benchmarks import vroom_peer

    problem = make_problem(
        n_workers=2,
        n_jobs=1,
        team=2,
        home_travel=np.array([[10], [500]]),
        latest=300,
        fold_shift_fit=False,
    )
    solution = vroom_peer.solve(problem, policy=Policy(), time_limit=2, level=1, threads=1)
    assert [(route.vehicle, route.jobs) for route in solution.routes] == [(0, (0,))]
    assert solution.stats["duplicate_team_copies_dropped"] == 1
    assert solution.stats["team_jobs_partial"] == 1


@needs_vroom
def test_vroom_peer_survives_pins_that_cannot_share_a_route() -> None:
    """Overlapping pins on one worker: VROOM rejects them as a route, the peer solves anyway."""
    from benchmarks import vroom_peer

    problem = make_problem(
        n_workers=2,
        n_jobs=3,
        pins=[(0, 0), (0, 1)],
        pinned_start=[100, 110, -1],
        earliest=[100, 110, 0],
        latest=[100, 110, 300],
    )
    solution = vroom_peer.solve(problem, policy=Policy(), time_limit=2, level=1, threads=1)
    assert solution.stats["pinned_initial_routes"] == 0
    assert len(problem_violations(problem, solution)) == 1  # one of the two pins is lost


@needs_vroom
def test_harness_smoke_run_verifies_every_plan(tmp_path: Path) -> None:
    """8 workers x 20 jobs, 1 s limits: one row per solver, every plan verified; ours
    load their kernels before the clock (``warm_seconds``), VROOM has none to load."""
    from benchmarks import run

    solvers = ["routing", "greedy", "cpsat", "vroom"]
    if importlib.util.find_spec("matchmaker.solve._cpsat") is None:
        solvers.remove("cpsat")  # the CP-SAT backend is not part of this tree yet
    out, raw = tmp_path / "RESULTS.md", tmp_path / "results.json"
    argv = [
        "--quick",
        "--sizes", "8x20",
        "--limits", "1",
        "--cpsat-limit", "2",
        "--solvers", ",".join(solvers),
        "--cache", str(tmp_path / "cache"),
        "--out", str(out),
        "--json", str(raw),
    ]  # fmt: skip
    assert run.main(argv) == 0
    report = json.loads(raw.read_text(encoding="utf-8"))
    assert [(r["instance"], r["solver"]) for r in report["runs"]] == [
        ("8x20", solver) for solver in solvers
    ]
    for record in report["runs"]:
        assert record["error"] is None, record
        assert isinstance(record["violations"], int), record["solver"]
        assert record["peak_mb"] > 0
        assert 0 <= record["jobs_served"] <= record["jobs_total"] == 20
        if record["solver"] != "vroom":
            assert record["violations"] == 0, record["violations_by_rule"]
            assert record["warm_seconds"] >= 0.0
        else:
            assert record["warm_seconds"] == 0.0
    assert report["pipeline"][0]["pairs"] == 8 * 20
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark smoke run")
    assert "| instance | solver | limit s |" in text
    assert all(f"| 8x20 | {solver} | 1 |" in text for solver in solvers if solver != "cpsat")
    verdicts = {t["name"]: t["verdict"] for t in report["targets"]}
    assert set(verdicts.values()) <= {"PASS", "MISS", "not run", "invalid"}


def test_instance_names_carry_days_and_load() -> None:
    """``WxJ[xDd][@LOAD]`` names a round over several days and with a set load."""
    from benchmarks.instances import parse_size

    week = parse_size("120x900x5d@2")
    assert (week.workers, week.jobs, week.days, week.load) == (120, 900, 5, 2.0)
    assert week.name == "120x900x5d@2"
    assert parse_size("200x600").name == "200x600"
    with pytest.raises(ValueError, match="WORKERSxJOBS"):
        parse_size("200x600x0d")


def test_measure_sums_the_weights_of_the_served_jobs() -> None:
    """Weighted served value is the policy weight of each served job, under either weighting."""
    from benchmarks.worker import weighted_policy

    problem = make_problem(n_workers=2, n_jobs=3, priority=[5, 1, 3])
    routes = (Route(vehicle=0, jobs=(0,), starts=(10,)), Route(vehicle=1, jobs=(2,), starts=(10,)))
    solution = Solution(routes=routes, objective=0, backend="test", seed=0, solve_seconds=0)
    default = measure(problem, Policy(), solution)
    linear = measure(problem, weighted_policy(Policy(), "linear"), solution)
    assert (default["weighted_served"], default["weighted_total"]) == (16 + 4, 16 + 1 + 4)
    assert (linear["weighted_served"], linear["weighted_total"]) == (5 + 3, 5 + 1 + 3)


def test_the_same_objective_drops_the_match_cost_only() -> None:
    """``objective="same"`` prices a plan by drop penalties and travel alone (what VROOM
    minimises); ``"policy"`` keeps the dataset's match cost."""
    from benchmarks.worker import objective_policy

    problem = make_problem(n_workers=2, n_jobs=3, priority=[5, 1, 3])
    routes = (Route(vehicle=0, jobs=(0,), starts=(10,)), Route(vehicle=1, jobs=(2,), starts=(10,)))
    policy = Policy(match_cost_per_point=3)
    same = objective_terms(problem, routes, objective_policy(policy, "same"))
    kept = objective_terms(problem, routes, objective_policy(policy, "policy"))
    assert same.match_cost == 0 < kept.match_cost
    assert same.travel_cost == kept.travel_cost
    assert same.total == same.unserved_penalty + same.travel_cost
    assert objective_policy(policy, "same").priority_weights == policy.priority_weights


@needs_vroom
def test_engine_smoke_run_writes_its_section(tmp_path: Path) -> None:
    """A tiny tight round, generated from the instance seed asked for, under both
    weightings: routing (unpriced and with serving priced at 20 travel minutes) and VROOM
    level 2 each run, every plan is verified, and the comparison under the same objective
    (no match cost) lands in the ``engine-same-objective`` section only."""
    from benchmarks import engine

    out = tmp_path / "RESULTS.md"
    out.write_text("# top\n", encoding="utf-8")
    argv = [
        "--rounds",
        "8x20@1.5:1",
        "--levels",
        "2",
        "--serve-value-minutes",
        "off,20",
        "--instance-seed",
        "7",
        "--cache",
        str(tmp_path / "c"),
        "--out",
        str(out),
    ]
    assert engine.main(argv) == 0
    assert [p.name.split("-gen")[0] for p in (tmp_path / "c").iterdir() if p.is_dir()] == [
        "8x20@1.5-seed7"
    ]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# top\n")
    assert "<!-- section engine-same-objective -->" in text
    assert "<!-- section engine -->" not in text
    assert "objective: **the same for both**" in text
    assert "rows *serving priced at N min* are matchmaker under policy" in text
    for weighting in ("default", "linear"):
        assert f"| 8x20@1.5 | {weighting} | VROOM level 2 |" in text
        for ours in ("matchmaker routing 1 s", "matchmaker routing 1 s, serving priced at 20 min"):
            assert f"| 8x20@1.5 | {weighting} | {ours} | VROOM level 2 |" in text
    assert "ERROR" not in text


def test_whatif_benchmark_measures_a_tiny_round() -> None:
    """The what-if benchmark's measure runs on a small generated round and its table
    renders (no timings are asserted)."""
    from benchmarks.bench_whatif import markdown, measure

    import matchmaker
    from matchmaker.generate import generate_frames

    dataset = matchmaker.dataset_from_frames(generate_frames(workers=8, jobs=24, seed=2))
    result = measure(dataset)
    assert result["jobs"] == 24
    assert sum(result["kinds"].values()) == result["unserved"]
    assert "| tiny | 8 | 24 |" in markdown({"tiny": result})


def test_the_zones_benchmark_runs_on_a_tiny_city() -> None:
    """benchmarks/zones.py solves a tiny city serially and on Dask; both plans verify and
    the report names both runs (no timing is asserted)."""
    pytest.importorskip("distributed")
    from benchmarks.zones import _markdown, run

    figures = run(workers=16, jobs=40, zones=2, piece_seconds=1.0, processes=False)
    assert figures["serial_ok"] and figures["dask_ok"]
    assert figures["zones"] == 2 and len(figures["dask_worker_peak_mb"]) == 2
    figures["piece_seconds"] = 1.0
    figures["fill_seconds"] = 120.0
    text = _markdown(figures, "python benchmarks/zones.py --tiny")
    assert "| serial |" in text and "| 2 Dask workers |" in text and "Measured " in text


def test_the_zones_benchmark_runs_a_tiny_home_care_city_and_the_uncut_round() -> None:
    """With ``--home-care`` and ``--whole-seconds`` the zones benchmark solves a round with
    every home-care rule in zones (serially and on Dask) and uncut; all three plans verify
    and the report has the uncut row (no timing is asserted)."""
    pytest.importorskip("distributed")
    from benchmarks.zones import _markdown, run

    figures = run(
        workers=16,
        jobs=40,
        zones=2,
        piece_seconds=1.0,
        processes=False,
        home_care=True,
        whole_seconds=1.0,
    )
    assert figures["serial_ok"] and figures["dask_ok"] and figures["whole_ok"]
    figures.update(piece_seconds=1.0, fill_seconds=120.0, whole_seconds=1.0, home_care=True)
    text = _markdown(figures, "python benchmarks/zones.py --tiny --home-care")
    assert "every home-care rule" in text and "fixed-start fill" in text
    assert "| whole round, uncut, 1 s |" in text


def test_round_rules_benchmark_measures_a_tiny_round() -> None:
    """The round-rules benchmark dispatches a small generated round under a continuity cap
    and renders its row (no timings are asserted)."""
    from benchmarks.bench_round_rules import markdown, measure

    import matchmaker
    from matchmaker.generate import generate_frames
    from matchmaker.model import LimitSettings

    dataset = matchmaker.dataset_from_frames(generate_frames(workers=6, jobs=12, seed=2))
    result = measure(dataset, LimitSettings(max_distinct_workers=1), "greedy", 1.0)
    assert result["max_distinct"] <= 1 or result["violations"] > 0
    assert "| cap | greedy |" in markdown([("cap", "greedy", result)], 1.0)


@pytest.mark.slow
def test_the_sweep_runs_its_commands_and_counts_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A drawn home-care round with placement requests goes through every command, the
    event-store day and the notebook path without a failure (its placements, plan, request
    for an unserved job, re-plan and report are written, and so are the store's round, plan,
    re-plan, service events and the next day's plan); a program that exits 1 fails the
    first command of the case, and the sweep exits 1."""
    import shutil

    from benchmarks.sweep import main

    assert main(["--cases", "1", "--seed", "661", "--root", str(tmp_path / "ok")]) == 0
    assert "what-if" in capsys.readouterr().out
    written = {p.name for p in (tmp_path / "ok").iterdir()}
    assert {"placements0", "plan0", "plan0-request.csv", "plan0-replan", "plan0.html"} <= written
    store_day = {"ops0-round-plan", "ops0-replan", "ops0-service.jsonl", "ops0-next-plan"}
    assert store_day <= written
    failing = shutil.which("false")
    assert failing is not None
    assert main(["--cases", "1", "--root", str(tmp_path / "bad"), "--matchmaker", failing]) == 1


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_bound_ceiling_converges_at_or_below_the_optimum(seed: int) -> None:
    """Column generation on whole routes converges on a small round, with every shift
    priced by its best route, at a bound no higher than the proven optimum and no lower
    than the column bound started from the set master's prices."""
    from benchmarks.bound_ceiling import ceiling

    from matchmaker.solve._bound import column_bound
    from matchmaker.solve._costs import Costs
    from matchmaker.solve._cpsat import solve as cpsat_solve

    policy = Policy()
    problem = random_problem(seed, 3, 8, team_share=0.25, pin_share=0.1, n_modes=2)
    exact = cpsat_solve(problem, policy=policy, time_limit=10.0, seed=0)
    assert exact.status == "optimal"
    assert problem_violations(problem, exact) == []
    found = ceiling(problem, Costs.of(problem, policy), labels=20_000, seconds=30.0)
    assert found.converged and found.priced == problem.n_vehicles
    assert found.bound <= exact.objective + 1e-6
    columns = column_bound(problem, Costs.of(problem, policy))
    columns.run(1.0, 1_000)
    solver = columns.walks(2.0, 10_000, exact.objective, true_legs=True)
    assert solver <= found.bound + 1e-6


def test_the_bound_ceiling_can_drop_the_team_jobs() -> None:
    """``--drop-teams`` leaves no team job eligible and every other pair as it was."""
    from benchmarks.bound_ceiling import _without_teams

    problem = random_problem(1, 4, 12, team_share=0.5)
    dropped = _without_teams(problem)
    teams = problem.job_team > 1
    assert teams.any() and not dropped.eligible[:, teams].any()
    assert (dropped.eligible[:, ~teams] == problem.eligible[:, ~teams]).all()
