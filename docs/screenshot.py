"""Screenshots of a plan report for the docs, taken in headless Chromium (OS packages).

    python docs/screenshot.py plans/sample/report.html docs

writes ``report.png`` (key figures and the Gantt) and ``report-map.png`` (the routes).
Needs selenium (the ``test`` extra) and ``apt-get install chromium chromium-driver``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
    "--window-size=1320,1400",
)


def main(page: Path, out: Path) -> None:
    profile = tempfile.mkdtemp(prefix="matchmaker-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.resolve().as_uri())
        driver.save_screenshot(str(out / "report.png"))
        driver.execute_script("document.getElementById('map').scrollIntoView()")
        driver.save_screenshot(str(out / "report-map.png"))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
