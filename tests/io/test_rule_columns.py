"""The home-care columns of ``jobs`` (due_start, depends_on, min_gap, max_gap,
link_worker): read into the jobs, and bad values named by file, row and column."""

from __future__ import annotations

from matchmaker.io import check_frames
from matchmaker.model import LinkWorker
from tests.io.builders import DAY, base_tables, frames, with_cell


def _linked():  # type: ignore[no-untyped-def]
    """j1 due at 10:00; j2 linked to j1 (60-120 minutes after it, another worker)."""
    tables = base_tables()
    for row in (2, 3, 4):  # every row has the columns (the frame takes the first row's)
        for column in ("due_start", "depends_on", "min_gap", "max_gap", "link_worker"):
            tables = with_cell(tables, "jobs", row, column, "")
    tables = with_cell(tables, "jobs", 3, "depends_on", "j1")
    tables = with_cell(tables, "jobs", 3, "min_gap", "60")
    tables = with_cell(tables, "jobs", 3, "max_gap", "120")
    tables = with_cell(tables, "jobs", 3, "link_worker", "different")
    return with_cell(tables, "jobs", 2, "due_start", f"{DAY}T10:00:00+08:00")


def test_the_columns_are_read_into_the_jobs() -> None:
    """A due start and a link on two rows become the jobs' fields."""
    report = check_frames(frames(_linked()))
    assert report.errors == ()
    assert report.dataset is not None
    first, second = report.dataset.job("j1"), report.dataset.job("j2")
    assert first.due_start is not None and first.due_start.hour == 10
    assert (second.depends_on, second.min_gap, second.max_gap) == ("j1", 60, 120)
    assert second.link_worker is LinkWorker.DIFFERENT


def test_an_unknown_depends_on_is_named_by_row_and_column() -> None:
    """depends_on must name a job of the table: the issue names file, row and column."""
    tables = with_cell(_linked(), "jobs", 3, "depends_on", "nope")
    issues = check_frames(frames(tables)).errors
    assert [(i.row, i.column) for i in issues] == [(3, "depends_on")]
    assert "nope" in issues[0].message


def test_gaps_and_due_starts_out_of_range_are_named() -> None:
    """max_gap below min_gap, and a due start outside the window, are row issues."""
    tables = with_cell(_linked(), "jobs", 3, "max_gap", "30")
    tables = with_cell(tables, "jobs", 2, "due_start", f"{DAY}T18:00:00+08:00")
    issues = check_frames(frames(tables)).errors
    assert sorted((i.row, i.column) for i in issues) == [(2, "due_start"), (3, "max_gap")]


def test_a_cycle_of_links_is_refused() -> None:
    """j1 depends on j2 which depends on j1: a cycle, named on the rows."""
    tables = with_cell(_linked(), "jobs", 2, "depends_on", "j2")
    issues = check_frames(frames(tables)).errors
    assert issues and all(i.column == "depends_on" for i in issues)
    assert "cycle" in issues[0].message


def _pinned_follower(start: str):  # type: ignore[no-untyped-def]
    """``_linked`` with j2 pinned to w2 at ``start`` (j1 is pinned to w1 at 10:00)."""
    tables = with_cell(_linked(), "jobs", 3, "pinned_worker_id", "w2")
    return with_cell(tables, "jobs", 3, "pinned_start", f"{DAY}T{start}:00+08:00")


def test_a_pinned_visit_linked_to_a_pinned_one_loads_when_the_gap_holds() -> None:
    """Two linked visits both pinned, 90 minutes apart on different workers, are valid pins
    (checking them once failed on the link to a visit outside the pins' plan)."""
    report = check_frames(frames(_pinned_follower("11:30")), pins=True)
    assert report.errors == ()
    assert report.dataset is not None


def test_pins_that_break_the_gap_of_a_link_are_refused_on_the_pinned_row() -> None:
    """j2 pinned 30 minutes after j1 while it must follow 60-120 minutes after: the pin
    can never be kept with the link, so the loader names j2's pinned worker cell."""
    issues = check_frames(frames(_pinned_follower("10:30")), pins=True).errors
    assert [(i.file, i.row, i.column) for i in issues] == [("jobs", 3, "pinned_worker_id")]
    assert "j1" in issues[0].message


def _free_leader():  # type: ignore[no-untyped-def]
    """``_pinned_follower`` at 11:30 with j1 unpinned: the solver places j1."""
    tables = with_cell(_pinned_follower("11:30"), "jobs", 2, "pinned_worker_id", "")
    return with_cell(tables, "jobs", 2, "pinned_start", "")


def _pin_refusals(tables):  # type: ignore[no-untyped-def]
    """The loader's one refusal of j2's pin (row 3), which names j1."""
    issues = check_frames(frames(tables), pins=True).errors
    assert [(i.row, i.column) for i in issues] == [(3, "pinned_worker_id")]
    assert "j1" in issues[0].message
    return issues


def test_a_pinned_visit_whose_partner_nobody_can_serve_is_refused() -> None:
    """j2 is pinned but depends on j1, which is unpinned and needs a skill no worker has:
    every plan would serve j2 without j1, so the pin is refused, naming j1."""
    tables = with_cell(_free_leader(), "jobs", 2, "required_skills", "gardening:1")
    issues = _pin_refusals(tables)
    assert "no worker can serve" in issues[0].message


def test_a_pinned_visit_whose_partner_its_worker_cannot_serve_is_refused() -> None:
    """j2 is pinned to w2 and depends on j1 with the same worker, but j1 needs cleaning,
    which w2 lacks (w1 could serve j1, not under this link): every plan would serve j2
    without j1, so the pin is refused, naming j1 and w2."""
    tables = with_cell(_free_leader(), "jobs", 3, "link_worker", "same")
    issues = _pin_refusals(tables)
    assert "w2" in issues[0].message
    assert (
        check_frames(frames(with_cell(tables, "jobs", 3, "link_worker", "any")), pins=True).errors
        == ()
    )


def test_a_visit_pinned_to_another_worker_than_its_pinned_partner_is_refused() -> None:
    """j1 is pinned to w1; j2, pinned to w2 with no start, must go to j1's worker: every
    plan would break the link or the pin, so j2's pin is refused, naming j1 and w1 (w2
    could serve j1, were j1 not pinned)."""
    unstarted = with_cell(_pinned_follower("11:30"), "jobs", 3, "pinned_start", "")
    unstarted = with_cell(unstarted, "jobs", 2, "required_skills", "")
    issues = _pin_refusals(with_cell(unstarted, "jobs", 3, "link_worker", "same"))
    assert "pinned to w1" in issues[0].message
    assert check_frames(frames(unstarted), pins=True).errors == ()


def _both_on_w1(link: str):  # type: ignore[no-untyped-def]
    """j1 pinned to w1 at 10:00 for two hours; j2 pinned to w1 too, with no start, to
    begin 60-120 minutes after j1 under ``link``."""
    tables = with_cell(_pinned_follower("11:30"), "jobs", 3, "pinned_start", "")
    tables = with_cell(tables, "jobs", 3, "pinned_worker_id", "w1")
    tables = with_cell(tables, "jobs", 3, "required_skills", "")
    return with_cell(tables, "jobs", 3, "link_worker", link)


def test_a_visit_pinned_to_its_partners_worker_under_a_different_link_is_refused() -> None:
    """j2 must go to another worker than j1, yet both are pinned to w1: refused, naming
    j1's pin."""
    issues = _pin_refusals(_both_on_w1("different"))
    assert "another worker" in issues[0].message and "pinned to w1" in issues[0].message


def test_a_gap_that_the_same_worker_cannot_keep_with_travel_is_refused() -> None:
    """j2 must start at most 120 minutes after j1, which lasts 120 minutes and is across
    town: the one worker pinned to both cannot get there in time, so j2's pin is refused;
    with a max_gap of 200 minutes it loads."""
    issues = _pin_refusals(_both_on_w1("same"))
    assert "min_gap to max_gap" in issues[0].message
    roomy = with_cell(_both_on_w1("same"), "jobs", 3, "max_gap", "200")
    assert check_frames(frames(roomy), pins=True).errors == ()
