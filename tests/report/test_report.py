"""The plan report: its data (Gantt bars, routes, tables), its page and the command."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import matchmaker
from matchmaker.cli import app
from matchmaker.model import Dataset, PlanError, RequestError, elapsed_minutes
from matchmaker.plan import DispatchResult, dispatch, verify
from matchmaker.report import plan_report, write_report
from tests.rules.world import at, job, plan_of, shift, worker, world

runner = CliRunner()
Sample = tuple[Dataset, DispatchResult, Path]


def test_every_assignment_is_one_job_bar_and_bars_tile_each_shift(sample_plan: Sample) -> None:
    """One job bar per assignment; a shift's bars never overlap and cover it end to end,
    so jobs, travel and idle minutes add up to the shift."""
    dataset, result, folder = sample_plan
    data = plan_report(folder).data
    jobs = [b for row in data.rows for b in row.bars if b.kind == "job"]
    assert sorted(b.job_id for b in jobs) == sorted(a.job_id for a in result.plan.assignments)
    for row in data.rows:
        assert row.bars[0].start == row.shift_start and row.bars[-1].end == row.shift_end
        for before, after in zip(row.bars, row.bars[1:], strict=False):
            assert before.end == after.start, (row.worker_id, before, after)
    travel = sum(
        elapsed_minutes(b.start, b.end) for row in data.rows for b in row.bars if b.kind == "travel"
    )
    assert travel == sum(a.travel_minutes for a in result.plan.assignments)
    assert len(data.rows) == sum(len(w.shifts) for w in dataset.workers)


def test_a_job_outside_every_shift_still_shows(sample_plan: Sample) -> None:
    """A plan made by hand may put a job outside the worker's shifts: the report still
    draws it, on a row of its own, and its route."""
    dataset = world(workers=[worker("W1")], jobs=[job("J1"), job("J2")])
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(20)))
    assert "inside_shift" in {v.rule for v in verify(dataset, plan)}
    data = plan_report(plan, dataset).data
    assert sorted(b.job_id for r in data.rows for b in r.bars if b.kind == "job") == ["J1", "J2"]
    assert len(data.rows) == 2 and len(data.routes) == 2


def test_routes_start_at_home_and_visit_the_jobs_in_order(sample_plan: Sample) -> None:
    """One route per worker shift with jobs: home first, then each job by start time."""
    dataset, result, folder = sample_plan
    data = plan_report(folder).data
    used = {a.worker_id for a in result.plan.assignments}
    assert len(data.routes) == len(used)
    for route in data.routes:
        home = dataset.worker(route.worker_id).home
        assert route.points[0] == (home.lat, home.lon)
        mine = sorted(
            (a for a in result.plan.assignments if a.worker_id == route.worker_id),
            key=lambda a: a.start,
        )
        assert route.job_ids == tuple(a.job_id for a in mine)
        assert len(route.points) == len(mine) + 1


def test_tables_per_worker_and_service_add_up(sample_plan: Sample) -> None:
    """The per-service table counts every job once; the per-worker table has every worker
    with their name; the reasons table counts every unassigned job."""
    dataset, result, folder = sample_plan
    data = plan_report(folder).data
    services = data.services_table
    assert services["jobs"].sum() == len(dataset.jobs)
    assert services["served"].sum() == len({a.job_id for a in result.plan.assignments})
    assert list(data.workers["worker_id"]) == [w.worker_id for w in dataset.workers]
    assert list(data.workers["name"]) == [w.name for w in dataset.workers]
    assert data.reasons["jobs"].sum() == len(result.plan.unassigned)


def test_the_page_is_self_contained_and_counts_its_elements(sample_plan: Sample) -> None:
    """No external resource: no link, no src, no URL but the SVG namespace; the page holds
    one job bar per assignment and one route line per worker shift with jobs."""
    _, result, folder = sample_plan
    page = plan_report(folder).to_html()
    assert "<link" not in page and " src=" not in page and "@import" not in page
    urls = set(re.findall(r"https?://[^\s\"')]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert page.count('class="bar job"') == len(result.plan.assignments)
    used = {a.worker_id for a in result.plan.assignments}
    assert page.count('<polyline class="route"') == len(used)
    assert page.count('<path class="unserved"') == len(result.plan.unassigned)
    for section in ("kpi-section", "gantt", "map", "unassigned", "workers", "services"):
        assert f'id="{section}"' in page


def test_a_notebook_shows_the_page_in_a_frame(sample_plan: Sample) -> None:
    """In a notebook the page sits in an iframe, so its styles leave the notebook alone."""
    _, _, folder = sample_plan
    shown = plan_report(folder)._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "<style>" not in shown


def test_text_from_the_data_is_escaped() -> None:
    """A worker or service named like markup shows as text, never as markup."""
    dataset = world(
        workers=[worker("W1", name="<script>alert(1)</script>")],
        jobs=[job("J1", service_type="<b>clean</b>")],
    )
    result = dispatch(dataset, solver="greedy")
    assert result.violations == ()
    page = plan_report(result.plan, dataset).to_html()
    assert "<script>alert" not in page and "<b>clean" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_chinese_labels_and_reasons(sample_plan: Sample) -> None:
    """``lang="zh"``: Chinese labels (工单, 服务师, 未派单原因) and reason sentences."""
    _, _, folder = sample_plan
    page = plan_report(folder, lang="zh").to_html()
    for word in ("派单报告", "服务师", "未派单原因", "工单数", "路线"):
        assert word in page
    assert "workers eligible" not in page and "名服务师中" in page
    assert "min idle" not in page and "空闲" in page  # the bars' tooltips too
    with pytest.raises(RequestError, match="en, zh"):
        plan_report(folder, lang="fr")


def test_a_smallest_change_column_fills_the_unserved_value_section(sample_plan: Sample) -> None:
    """The hook for counterfactuals: a ``smallest_change`` per unassigned job (in the
    folder's unassigned.csv or given as a frame) is shown, grouped by change and weighted
    by priority, and ``extra_tables`` appear under their titles."""
    dataset, _, folder = sample_plan
    assert 'id="unserved-value"' not in plan_report(folder, serve_most_seconds=None).to_html()
    unassigned = pd.read_csv(folder / "unassigned.csv", dtype=str)
    unassigned["smallest_change"] = ""  # a column not filled in shows no section
    assert (
        'id="unserved-value"'
        not in plan_report(folder, unassigned=unassigned, serve_most_seconds=None).to_html()
    )
    unassigned["smallest_change"] = ["hire one more carer"] * 2 + [""] * (len(unassigned) - 2)
    report = plan_report(
        folder,
        unassigned=unassigned,
        extra_tables={"Scenario KPIs": pd.DataFrame({"a": [1]})},
        serve_most_seconds=None,
    )
    value = report.data.unserved_value
    assert value is not None
    assert list(value["smallest_change"]) == ["hire one more carer"]
    assert int(value["jobs"].iloc[0]) == 2
    page = report.to_html()
    assert 'id="unserved-value"' in page and "hire one more carer" in page
    assert "Scenario KPIs" in page
    copy = folder.parent / "with_change"
    copy.mkdir()
    for p in folder.iterdir():
        if p.is_file():
            (copy / p.name).write_bytes(p.read_bytes())
    unassigned.to_csv(copy / "unassigned.csv", index=False)
    page = plan_report(
        copy, dataset, serve_most_seconds=None
    ).to_html()  # the copy has no input/: give the dataset
    assert 'id="unserved-value"' in page and "hire one more carer" in page
    given = pd.DataFrame({"change": ["2 more elderly carers in Xuhui 08:00-12:00"], "jobs": [14]})
    page = plan_report(folder, unserved_value=given).to_html()
    assert 'id="unserved-value"' in page and "2 more elderly carers in Xuhui" in page


def test_a_plan_over_several_days_gets_a_gantt_per_day_and_a_day_picker() -> None:
    """Two days: one Gantt per day, a day picker, and every element tagged with its day."""
    workers = [worker("W1", shifts=(shift(8, 18), shift(8, 18, day=1)))]
    jobs = [
        job("J1"),
        job("J2", window=replace(job().window, start=at(9, day=1), end=at(10, day=1))),
    ]
    dataset = world(workers=workers, jobs=jobs)
    result = dispatch(dataset, solver="greedy")
    assert verify(dataset, result.plan) == []
    page = plan_report(result.plan, dataset).to_html()
    assert 'id="daypick"' in page
    assert page.count('<svg class="gantt"') == 2
    assert page.count('<polyline class="route"') == 2


def test_redact_leaves_names_out_of_the_page(sample_plan: Sample) -> None:
    """``redact``: no worker or customer name on the page, ids only."""
    dataset, _, folder = sample_plan
    page = plan_report(folder, redact=True).to_html()
    assert dataset.workers[0].name not in page
    assert dataset.workers[0].worker_id in page


def test_write_report_writes_an_html_file_only(sample_plan: Sample, tmp_path: Path) -> None:
    """The page is written whole; a name not ending in .html is refused, nothing written."""
    _, _, folder = sample_plan
    out = write_report(folder, tmp_path / "r" / "report.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]
    with pytest.raises(RequestError, match=r"\.html"):
        write_report(folder, tmp_path / "jobs.csv")
    assert not (tmp_path / "jobs.csv").exists()
    assert matchmaker.write_report is write_report and matchmaker.plan_report is plan_report


def test_a_hand_made_plan_needs_its_dataset(sample_plan: Sample, tmp_path: Path) -> None:
    """A plan folder without input/ is reported with the dataset given, and refused
    without it (a clear PlanError)."""
    dataset, result, folder = sample_plan
    hand = tmp_path / "hand"
    hand.mkdir()
    (hand / "assignments.csv").write_text(
        (folder / "assignments.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(PlanError, match="input/"):
        plan_report(hand)
    page = plan_report(hand, dataset).to_html()
    assert page.count('class="bar job"') == len(result.plan.assignments)


def test_report_command(sample_plan: Sample, tmp_path: Path) -> None:
    """``matchmaker report PLAN --out FILE`` writes the page (and pictures on request);
    a plan that cannot be read exits 2 with the reason."""
    _, _, folder = sample_plan
    out = tmp_path / "report.html"
    args = ["report", str(folder), "--out", str(out), "--lang", "zh"]
    args += ["--gantt", str(tmp_path / "g.png"), "--map", str(tmp_path / "m.svg")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "派单报告" in out.read_text(encoding="utf-8")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "m.svg").read_text(encoding="utf-8")
    missing = runner.invoke(app, ["report", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "not found" in missing.output
    bad = runner.invoke(app, ["report", str(folder), "--out", str(tmp_path / "r.txt")])
    assert bad.exit_code == 2 and ".html" in bad.output


def test_pictures_need_the_plot_extra(sample_plan: Sample, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without matplotlib the pictures say which extra to install."""
    import builtins

    _, _, folder = sample_plan
    report = plan_report(folder)
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(RequestError, match=r"matchmaker\[plot\]"):
        report.gantt_figure()


def test_pictures_show_the_same_bars_and_routes(sample_plan: Sample, tmp_path: Path) -> None:
    """The Gantt picture has a bar per Gantt bar of the first day; the map a line per
    route; both save as PNG and SVG."""
    import matplotlib.pyplot as plt

    _, _, folder = sample_plan
    report = plan_report(folder)
    figure = report.gantt_figure()
    bars = sum(len(row.bars) for row in report.data.rows if row.day == report.data.days[0])
    assert len(figure.axes[0].patches) == bars
    plt.close(figure)
    figure = report.map_figure()
    routes = [line for line in figure.axes[0].lines if line.get_linestyle() == "-"]
    assert len(routes) == len(report.data.routes)
    plt.close(figure)
    assert report.save_gantt(tmp_path / "g.svg").read_text(encoding="utf-8").count("<svg") == 1
    assert report.save_map(tmp_path / "m.png").stat().st_size > 1000


def test_the_report_adds_up_what_would_serve_the_most_unserved_value(sample_plan: Sample) -> None:
    """By default a plan with unassigned jobs gets the proven smallest changes added up
    (what_would_serve_most): each row says how many jobs and weighted points it serves."""
    _, _, folder = sample_plan
    report = plan_report(folder)
    value = report.data.unserved_value
    assert value is not None and list(value.columns) == ["smallest_change", "jobs", "weighted"]
    assert (value["jobs"] >= 1).all() and (value["weighted"] >= value["jobs"]).all()
    assert value["smallest_change"].str.contains("would serve").all()
    assert 'id="unserved-value"' in report.to_html()
