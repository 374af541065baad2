"""The HHCRSP adapter on the smallest instance (no timings are asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.hhcrsp import DATA, read_instance, run_one, to_dataset

from matchmaker.model import LinkWorker

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
    total = float(row["distance"]) + float(row["total_tardiness"]) + float(row["max_tardiness"])  # type: ignore[arg-type]
    assert row["objective"] == pytest.approx(total / 3, abs=1e-3)
    assert float(row["objective"]) >= 218.2 * 0.999  # the proven optimum of A1  # type: ignore[arg-type]
    kpis = json.loads((tmp_path / "plan" / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["jobs_served"] == row["jobs"]
