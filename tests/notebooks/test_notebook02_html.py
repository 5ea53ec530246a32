"""Notebook 02 exported to static HTML (``jupyter nbconvert --to html --execute``) draws every chart
offline.

The notebook is executed with nbclient (the small start-up file injected after the
``parameters`` cell, as in ``test_notebooks_execute.py``) and exported with nbconvert's
default ``HTMLExporter`` (the "lab" template), which is what the command line does. Expected
figures: the notebook shows six charts (two cash-flow/customer charts, cost of sales, CAC
against CLV and two NPV waterfalls), so six chart divs and six ``Plotly.newPlot`` calls;
plotly.js inline exactly once (``roi_models.display.offline_charts``); no script of a chart
fetched from the network.

The nbconvert template itself still links require.js and MathJax 2 from a CDN; the charts use
neither (plotly.js 3+ is no AMD module and the figures carry no LaTeX). The browser test
blocks every request and checks that the charts are drawn all the same, and that the only
blocked requests are those two template scripts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAME = "02_scenario_comparison.ipynb"
PARAMETERS = {"scenario_file": "../data/scenarios/small_fast_mover.yaml"}
CHARTS = 6
# The template's own CDN scripts (nbconvert's lab template): allowed to be blocked offline.
TEMPLATE_SCRIPTS = ("require.js/", "mathjax/")

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def html_path(tmp_path_factory) -> Path:
    nb = nbformat.read(NOTEBOOKS / NAME, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {json.dumps(v)}"
                                               for k, v in PARAMETERS.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, cell)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    path = tmp_path_factory.mktemp("nb02") / "02_scenario_comparison.html"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOKS / NAME, as_version=4)
    # Expected: committed cleared (jupyter nbconvert --clear-output --inplace).
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")
    source = "\n".join(c.source for c in nb.cells)
    # Expected: house-style formatting from roi_models.formatting, not the explorer's.
    assert "roi_models.formatting" in source and "roi_models.explorer" not in source


def test_the_html_inlines_plotly_once_and_fetches_no_chart_script(html_path):
    from plotly.offline import get_plotlyjs

    html = html_path.read_text(encoding="utf-8")
    # Expected: plotly.js inline exactly once (its banner and its first 2,000 characters).
    assert html.count("* plotly.js v") == 1
    assert html.count(get_plotlyjs()[:2000]) == 1
    sources = re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, flags=re.I)
    remote = [s for s in sources if re.match(r"(https?:)?//", s)]
    # Expected: no plotly script from a CDN, and nothing remote but the template's own two.
    assert not [s for s in remote if "plot" in s.lower()]
    assert all(any(t in s for t in TEMPLATE_SCRIPTS) for s in remote), remote
    # Expected: the per-figure MathJax 3 CDN script of plotly's "notebook" renderer is absent.
    assert "mathjax/3" not in html
    # Expected: six chart divs, each drawn by one Plotly.newPlot call.
    assert html.count('class="plotly-graph-div"') == CHARTS
    assert html.count("Plotly.newPlot(") == CHARTS


@pytest.mark.browser
def test_every_chart_is_drawn_offline_in_chromium(html_path, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    blocked: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        page.goto(html_path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {CHARTS}",
            timeout=30_000)
        drawn = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')]
            .map(d => d.querySelectorAll('.main-svg').length > 0
                      && d.querySelectorAll('.main-svg .trace').length > 0)""")
        page.screenshot(path=str(tmp_path / "nb02.png"), full_page=True)
    finally:
        context.close()
    # Expected: all six charts have an SVG with plotted marks.
    assert drawn == [True] * CHARTS
    # Expected: no script error; the only requests are the template's require.js and MathJax
    # (blocked here), and the only console errors are their failed loads.
    assert page_errors == []
    assert blocked and all(any(t in u for t in TEMPLATE_SCRIPTS) for u in blocked), blocked
    assert all(e.startswith("Failed to load resource") for e in console_errors), console_errors
    assert len(console_errors) <= len(blocked)
