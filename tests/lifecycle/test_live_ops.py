"""``ops recommend`` and ``ops replan``: a decline and a worker's leave in the store are
answered by a re-plan of the day whose diff becomes withdraw and propose events."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.generate import generate_dataset, warm_up
from matchmaker.lifecycle import EventStore, Operations, VisitState

runner = CliRunner()
DAY = "2026-12-01"


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def day(tmp_path: Path) -> dict[str, Path]:
    """A generated day imported into a store, dispatched and proposed."""
    data = tmp_path / "gen"
    generate_dataset(data, workers=12, jobs=20, seed=11)
    store = tmp_path / "ops.db"
    _ok(
        "ops", "import-dataset", str(data), "--store", str(store), "--time", f"{DAY}T06:00:00+08:00"
    )
    _ok("ops", "jobs", "--store", str(store), "--date", DAY, "--out", str(tmp_path / "round"))
    plan = tmp_path / "plan"
    _ok("dispatch", str(tmp_path / "round"), "--out", str(plan), "--solver", "greedy")
    _ok("ops", "apply-plan", str(plan), "--store", str(store), "--time", f"{DAY}T07:00:00+08:00")
    return {"store": store, "plan": plan, "root": tmp_path}


def _assignments(plan: Path) -> list[dict[str, str]]:
    with (plan / "assignments.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _visits(store: Path) -> dict[str, tuple[VisitState, tuple[str, ...]]]:
    ops = Operations(EventStore(store))
    try:
        return {v.visit_id: (v.state, v.workers) for v in ops.ledger().visits.values()}
    finally:
        ops.store.close()


def test_a_decline_is_answered_by_recommend_and_by_a_replan_applied_as_events(
    day: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a worker declines a visit: ``ops recommend`` offers other workers only, and
    says so in Chinese under ``--lang zh``;
    ``ops replan --apply`` prepares the solver before its time limit, writes a verified
    re-plan whose diff names the decline, and the store ends with the visit proposed to
    someone else or open, never to the decliner."""
    warmed: list[str] = []

    def counted() -> float:
        warmed.append("warm_up")
        return warm_up()

    monkeypatch.setattr("matchmaker.cli._solving.warm_up", counted)
    store, plan = day["store"], day["plan"]
    solo = [r for r in _assignments(plan) if r["start"] >= f"{DAY}T11"]
    counts: dict[str, int] = {}
    for row in _assignments(plan):
        counts[row["job_id"]] = counts.get(row["job_id"], 0) + 1
    target = next(r for r in solo if counts[r["job_id"]] == 1)
    events = day["root"] / "events.jsonl"
    events.write_text(
        json.dumps(
            {
                "kind": "visit_declined",
                "entity": target["job_id"],
                "time": f"{DAY}T09:00:00+08:00",
                "actor": f"worker:{target['worker_id']}",
                "worker_id": target["worker_id"],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    _ok("ops", "import", str(events), "--store", str(store))

    shown = _ok(
        "ops",
        "recommend",
        "--store",
        str(store),
        "--plan",
        str(plan),
        "--visit",
        target["job_id"],
        "--format",
        "json",
    )
    options = json.loads(shown)["options"]
    assert all(
        target["worker_id"] not in [p["worker_id"] for p in o["assignments"]] for o in options
    )
    asked = ["--store", str(store), "--plan", str(plan), "--visit", target["job_id"]]
    chinese = _ok("ops", "recommend", *asked, "--lang", "zh")
    assert ("可在" in chinese) == bool(options) and ("没有可选方案" in chinese) != bool(options)
    assert "can start" not in chinese and "No option" not in chinese

    out = day["root"] / "plan2"
    assert warmed == []
    said = _ok(
        "ops",
        "replan",
        "--store",
        str(store),
        "--plan",
        str(plan),
        "--date",
        DAY,
        "--out",
        str(out),
        "--time",
        f"{DAY}T10:00:00+08:00",
        "--max-moves",
        "2",
        "--time-limit",
        "3",
        "--apply",
    )
    assert f"job_declined {target['job_id']} by {target['worker_id']} (store)" in said
    assert len(warmed) == 1
    with (out / "diff.csv").open(encoding="utf-8") as handle:
        diff = {row["job_id"]: row for row in csv.DictReader(handle)}
    assert diff[target["job_id"]]["change"] in ("reassigned", "dropped")
    state, workers = _visits(store)[target["job_id"]]
    assert target["worker_id"] not in workers
    assert state in (VisitState.PROPOSED, VisitState.UNASSIGNED)
