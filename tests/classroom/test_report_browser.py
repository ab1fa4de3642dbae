"""``report.html`` in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, which .ci/run installs) driven by Selenium. No console error, the heatmap
sorts, a cell leads to the student's section, and a screenshot is kept (its path is printed;
``$GRADER_ARTIFACTS``, if set, gets a copy)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from grader.cli import main
from tests.classroom.class_fixtures import METADATA

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
BUG = '''

def mse(y, y_hat):
    import numpy as np
    return float(np.mean((np.asarray(y) - np.asarray(y_hat)) ** 2))
'''

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()),
    reason="headless Chromium is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A Gradescope export of four students, graded with --similarity."""
    export = tmp_path_factory.mktemp("browser") / "export"
    solutions = shutil.ignore_patterns("__*")
    shutil.copytree(ROOT / "solutions", export / "submission_284190011", ignore=solutions)
    shutil.copytree(ROOT / "solutions", export / "submission_284190012", ignore=solutions)
    with (export / "submission_284190012" / "losses.py").open("a") as handle:
        handle.write(BUG + "\n# </pre><script>alert(1)</script>\n")
    shutil.copytree(ROOT / "exercises", export / "submission_284190013", ignore=solutions)
    (export / "submission_284190014").mkdir()
    shutil.copy(ROOT / "solutions" / "activations.py", export / "submission_284190014")
    (export / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")
    out = export.parent / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(export), "-o", str(out), "--seed", "4", "--jobs", "2",
              "--similarity", "--timeout", "5"])
    assert exit_info.value.code == 0
    return out / "report.html"


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    yield driver
    driver.quit()


def column(driver, index: int) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#heatmap-table tbody tr'))"
        ".map(r => r.children[arguments[0]].dataset.value);", index)


def errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_the_report_works_in_chromium(report, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(report.as_uri())
    assert errors(browser) == []
    assert browser.title
    headers = browser.find_elements(By.CSS_SELECTOR, "#heatmap-table thead th")
    names = [h.get_attribute("title") for h in headers]
    mse = names.index("losses.mse")

    headers[mse].click()          # sort the students by their share of losses.mse
    values = [float(v) for v in column(browser, mse)]
    assert values == sorted(values) and len(set(values)) > 1
    headers[mse].click()
    assert [float(v) for v in column(browser, mse)] == sorted(values, reverse=True)
    headers[0].click()            # and by student
    students = [v.lower() for v in column(browser, 0)]
    assert students == sorted(students)

    browser.find_element(By.CSS_SELECTOR, "button[data-order='mean']").click()
    means = browser.execute_script(
        "return Array.from(document.querySelectorAll('#heatmap-table thead th.fn'))"
        ".map(h => parseFloat(h.dataset.mean));")
    assert means == sorted(means)

    buggy = browser.find_element(
        By.XPATH, "//table[@id='heatmap-table']//tr[th[contains(., 'submission_284190012')]]"
                  "//td[substring(@title, string-length(@title) - 9) = 'losses.mse']//a")
    target = buggy.get_attribute("href").split("#")[1]
    buggy.click()
    assert browser.execute_script("return location.hash") == "#" + target
    shown = browser.execute_script(
        "const e = document.getElementById(arguments[0]); const r = e.getBoundingClientRect();"
        "return [e.matches(':target'), r.top >= -2 && r.top < innerHeight, e.textContent, r.top, innerHeight, scrollY];",
        target)
    assert shown[0] and shown[1] and "losses.mse" in shown[2], shown
    assert shown[2].startswith("losses.mse: "), shown   # the failure's details, not the table
    section = browser.find_element(By.ID, target.rsplit("-", 1)[0].rsplit("-losses", 1)[0])
    assert "Score:" in section.text and "submission_284190012" in section.text

    result = section.find_element(By.CSS_SELECTOR, "a[href^='results/']")
    assert Path(unquote(urlparse(result.get_attribute("href")).path)).is_file()

    pair = browser.find_element(
        By.XPATH, "//section[@id='similarity']//details[contains(summary, '284190012')]")
    pair.find_element(By.TAG_NAME, "summary").click()
    assert "</pre><script>alert(1)</script>" in pair.text
    assert errors(browser) == []

    browser.execute_script("document.getElementById('heatmap').scrollIntoView()")
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    if os.environ.get("GRADER_ARTIFACTS"):
        Path(os.environ["GRADER_ARTIFACTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(os.environ["GRADER_ARTIFACTS"]) / "report.png")
