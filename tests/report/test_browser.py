"""The plan report in a real headless browser: Chromium from the OS packages, driven by
selenium through chromedriver, with the network switched off.

Skipped, saying why, only when Chromium or its driver is not installed
(``apt-get install chromium chromium-driver``; ``.ci/run`` installs them).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matchmaker.model import Dataset, TimeWindow
from matchmaker.plan import DispatchResult, dispatch
from matchmaker.report import plan_report, write_report
from tests.rules.world import at, job, shift, worker, world

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: the page must not need it
    "--window-size=1320,2000",
)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason="Chromium is not installed (apt-get install -y chromium chromium-driver); "
    "the report's browser test needs /usr/bin/chromium and /usr/bin/chromedriver",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium with a new empty profile, its console log kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="matchmaker-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(browser: Any, page: Path) -> list[dict[str, Any]]:
    """Load ``page``; the console's errors (none expected)."""
    browser.get_log("browser")  # forget what earlier pages said
    browser.get(page.as_uri())
    assert browser.execute_script("return document.body.getAttribute('data-ready')") == "1"
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _count(browser: Any, selector: str, *, visible: bool = False) -> int:
    """Elements matching ``selector``; with ``visible``, only those the page shows."""
    shown = "e.getClientRects().length > 0" if visible else "true"
    script = (
        "return Array.prototype.filter.call(document.querySelectorAll(arguments[0]),"
        f"function(e){{return {shown};}}).length"
    )
    return int(browser.execute_script(script, selector))


def test_the_sample_report_loads_without_errors_and_shows_every_bar(
    browser: Any, sample_plan: tuple[Dataset, DispatchResult, Path], tmp_path: Path
) -> None:
    """The page runs its script without a console error, offline, and draws one Gantt bar
    per assignment, one route line per worker with jobs and a cross per unserved job."""
    _, result, folder = sample_plan
    page = write_report(folder, tmp_path / "report.html")
    assert _open(browser, page) == []
    assert _count(browser, "rect.bar.job", visible=True) == len(result.plan.assignments)
    used = {a.worker_id for a in result.plan.assignments}
    assert _count(browser, "polyline.route", visible=True) == len(used)
    assert _count(browser, "path.unserved", visible=True) == len(result.plan.unassigned)
    assert _count(browser, "#workers tbody tr") == 40


def test_sorting_a_table_and_picking_a_day_work(browser: Any, tmp_path: Path) -> None:
    """Two days: the day picker shows one day's Gantt and routes at a time; clicking a
    column header sorts the table."""
    workers = [worker(w, shifts=(shift(8, 18), shift(8, 18, day=1))) for w in ("W1", "W2")]
    jobs = [job("J1"), job("J2")]
    jobs += [job(f"J{i}", window=_window_on(1)) for i in (3, 4, 5)]
    dataset = world(workers=workers, jobs=jobs)
    result = dispatch(dataset, solver="greedy")
    assert result.violations == ()
    page = write_report(plan_report(result.plan, dataset), tmp_path / "two.html")
    assert _open(browser, page) == []
    first_day = [a for a in result.plan.assignments if a.start.day == 1]
    assert _count(browser, "rect.bar.job", visible=True) == len(first_day)
    browser.execute_script(
        "var s=document.getElementById('daypick');s.value='all';"
        "s.dispatchEvent(new Event('change'));"
    )
    assert _count(browser, "rect.bar.job", visible=True) == len(result.plan.assignments)
    header = browser.find_element("css selector", "#workers th:nth-child(3)")  # jobs
    header.click()
    header.click()  # descending
    first = browser.find_element("css selector", "#workers tbody tr td:nth-child(3)").text
    assert int(first) == max(
        sum(1 for a in result.plan.assignments if a.worker_id == w) for w in ("W1", "W2")
    )


def _window_on(day: int) -> TimeWindow:
    """The default job's window (09:00 to 11:00) on ``day``."""
    return TimeWindow(start=at(9, day=day), end=at(11, day=day))
