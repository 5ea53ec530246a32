"""The explorer notebook served by Voila, driven by Debian's chromium: a slider moves a chart and a KPI.

Skipped locally when chromium, Playwright or Voila is missing; fails when CI=true.
A screenshot is saved under the test's tmp_path and copied to /tmp/explorer_screenshot.png.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_business_case_explorer.ipynb"
SCREENSHOT_COPY = Path("/tmp/explorer_screenshot.png")

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "api", timeout=5):  # the server, not the notebook
                return
        except urllib.error.HTTPError:  # any HTTP answer: the server is up
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"voila not ready at {url} after {timeout:.0f} s")


@pytest.fixture
def voila_url(tmp_path):
    voila = Path(sys.executable).with_name("voila")
    if not voila.exists():
        _unavailable(f"{voila} not found: pip install -e '.[dev]'")
    port = _free_port()
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(
        [str(voila), str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_ready(url, proc)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # voila and its kernel, by PID
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


KPI = 'td[data-scenario="social"][data-kpi="npv"]'
CHART = """() => {  // the cash-flow chart, found by its title: the focused plan's bars
    const gd = Array.from(document.querySelectorAll('.js-plotly-plot')).find(
        g => ((g.layout && g.layout.title && g.layout.title.text) || '').startsWith(
            'Discounted incremental cash flow'));
    return gd ? Array.from(gd.data[0].y).reduce((a, b) => a + b, 0) : null;
}"""
CHARTS_DRAWN = """() => {  // all four charts drawn, each with its data
    const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
    return plots.length >= 4 && plots.every(g => g.data && g.data.length > 0);
}"""
CHARTS_STATE = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => [
    (g.layout && g.layout.title && g.layout.title.text) || '',
    (g.data || []).map(t => Array.from(t.y || []).reduce((a, b) => a + b, 0))])"""


def test_voila_explorer_slider_moves_a_chart_and_a_kpi(voila_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2700})
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    # plotly's widget view announces the end of its first render (newPlot resolved, its
    # handlers attached): count those, a chart with data may still be drawing
    page.add_init_script("window.__chartsRendered = 0; document.addEventListener("
                         "'plotlywidget-after-render', () => { window.__chartsRendered += 1; });")
    page.goto(voila_url, timeout=180_000)
    page.wait_for_selector(".roi-explorer .noUi-handle", timeout=180_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=120_000)
    page.wait_for_function("window.__chartsRendered >= 4", timeout=120_000)
    page.wait_for_selector(KPI, timeout=60_000)
    kpi_before = page.inner_text(KPI)
    chart_before = page.evaluate(CHART)
    assert chart_before is not None, page.evaluate(CHARTS_STATE)

    handle = page.locator(".roi-explorer .noUi-handle").first  # "Budget moved to social"
    handle.focus()
    for _ in range(4):
        handle.press("ArrowRight")
    page.wait_for_function(
        f"document.querySelector('{KPI}').innerText !== {kpi_before!r}", timeout=60_000)
    try:
        page.wait_for_function(f"({CHART})() !== {chart_before!r}", timeout=60_000)
    except Exception as exc:  # say what the page shows: which chart kept which data
        page.screenshot(path=str(tmp_path / "stale.png"), full_page=True)
        raise AssertionError(f"cash-flow chart unchanged ({chart_before!r}); charts now: "
                             f"{page.evaluate(CHARTS_STATE)}; KPI {page.inner_text(KPI)!r}") from exc
    kpi_after, chart_after = page.inner_text(KPI), page.evaluate(CHART)
    assert kpi_after != kpi_before and chart_after != chart_before
    assert float(page.input_value(".roi-explorer .roi-lever input[type=number]")) > 0
    time.sleep(1.0)  # let plotly finish its redraw before the picture
    shot = tmp_path / "explorer.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copy(shot, SCREENSHOT_COPY)
    assert shot.stat().st_size > 50_000
    assert page_errors == []
