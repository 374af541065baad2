"""The HHCRSP adapter on the smallest instance (no timings are asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.hhcrsp import DATA, read_instance, run_one, score, to_dataset
from benchmarks.hhcrsp_rules import paper_rules_broken

from matchmaker.model import LinkWorker
from matchmaker.plan import dispatch

INSTANCE = DATA / "instances" / "InstanzCPLEX_HCSRP_10_1.txt"
pytestmark = pytest.mark.skipif(not INSTANCE.is_file(), reason="HHCRSP data not present")


def test_the_adapter_maps_caregivers_services_and_double_services() -> None:
    """A1: 3 caregivers with the depot as home, one job per (patient, service), and each
    double service a linked pair with the instance's gap (0/0 = together) served by two
    caregivers, as in the paper's model, gap or not."""
    inst = read_instance(INSTANCE)
    dataset, _, where = to_dataset(inst)
    assert len(dataset.workers) == inst.n_vehicles == 3
    assert len(dataset.jobs) == int(inst.requires[1:-1].sum()) == len(where)
    linked = [job for job in dataset.jobs if job.depends_on is not None]
    assert len(linked) == len(inst.double) == 3
    assert {job.link_worker for job in linked} == {LinkWorker.DIFFERENT}
    assert any(job.max_gap for job in linked)  # A1 has double services with a gap too
    assert all(job.due_start is not None for job in dataset.jobs)
    assert dataset.settings.policy.travel_home


def test_one_instance_solves_to_a_verified_plan(tmp_path: Path) -> None:
    """Every patient is served, the plan verifies and is written, and the objective is the
    paper's, recomputed from the plan: (distance + total + max tardiness) / 3."""
    row = run_one(INSTANCE, 2.0, 0, tmp_path / "plan")
    assert row["served"] == row["jobs"]
    assert row["violations"] == 0
    assert row["paper_rules_broken"] == 0
    total = float(row["distance"]) + float(row["total_tardiness"]) + float(row["max_tardiness"])  # type: ignore[arg-type]
    assert row["objective"] == pytest.approx(total / 3, abs=1e-3)
    assert float(row["objective"]) >= 218.2 * 0.999  # the proven optimum of A1  # type: ignore[arg-type]
    kpis = json.loads((tmp_path / "plan" / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["jobs_served"] == row["jobs"]


def test_the_paper_rules_catch_a_plan_that_breaks_them() -> None:
    """The check apart from matchmaker's verifier finds nothing in a real plan of A1, and
    names each rule a hand-made plan of it breaks: both services of a double service by
    one caregiver, a gap outside mind..maxd, a start before the window opens, a start the
    caregiver cannot reach in time, an unqualified caregiver and a service left out."""
    inst = read_instance(INSTANCE)
    dataset, travel, where = to_dataset(inst)
    plan = dispatch(dataset, time_limit=1.0, seed=0, travel=travel).plan
    assert score(inst, plan, where).broken == ()
    synced = next(i for i in inst.patients if inst.requires[i].sum() == 2 and inst.max_gap[i] == 0)
    one, two = (k for k in range(inst.n_services) if inst.requires[synced, k])
    able = [v for v in range(inst.n_vehicles) if inst.qualified[v, one] and inst.qualified[v, two]]
    late = float(inst.earliest[synced]) + 500.0
    visits = {able[0]: [(late, synced, one), (late + 1.0, synced, two)]}
    broken = paper_rules_broken(inst, visits)
    assert any(f"both services by caregiver {able[0] + 1}" in b for b in broken)
    assert any("apart, not 0-0" in b for b in broken)
    assert any("cannot arrive" in b for b in broken)  # the second starts before the first ends
    assert any("services" in b and "needed, served" in b for b in broken)  # other patients
    early = {0: [(float(inst.earliest[synced]) - 1.0, synced, one)]}
    assert any("before the window opens" in b for b in paper_rules_broken(inst, early))
    unable = next(v for v in range(inst.n_vehicles) if not inst.qualified[v, one])
    wrong = {unable: [(late, synced, one)]}
    assert any("not qualified" in b for b in paper_rules_broken(inst, wrong))
