"""Benchmark: how long the explorer takes, in a real browser, to show one slider step's figures.

Starts the explorer notebook under Voila (:mod:`roi_models.explorer.serve`,
as ``make app`` does), opens it in Debian's Chromium through Playwright and,
for each of 4 levers, presses ArrowRight on the slider's handle ``--steps``
times. Each step is timed in the page: from the keydown event to the last
animation frame in which the KPI table or any chart's drawn SVG paths
changed (``requestAnimationFrame`` polling; a step is over when nothing has
changed for ``--quiet`` ms). That is what the analyst waits for: the KPI
table AND every chart showing the new values, redraws included.

Twice: with the "Business case" tab visible (the four charts; the Sensitivity
tab hidden, which costs nothing) and with the "Sensitivity" tab visible. There
the KPI table and the tornado follow each step, and the decision margins come
once the steps settle (0.25 s, then computed on a worker thread): their time
is printed apart, from the keydown to the margins redrawn (a step ends there,
``--quiet-sensitivity`` ms after the last change).

With ``--risk``: the Risk tab's Monte Carlo (``--risk-draws``, default 2,000),
timed in the page from the Run click to the results on screen (the line above
the table says "done" for the run's seed and its three charts are drawn), run
``--risk-runs`` times with seeds 1, 2, ...; then slider steps on the Business
case tab while a 20,000-draw run goes on the worker thread (a run is started,
the Business case tab opened, ``--risk-steps`` steps timed as above; repeated
``--risk-rounds`` times; only steps that ended while the run still went are
counted).

Also prints the page load: from ``page.goto`` to the KPI table and four
drawn charts, and the kernel-side share of it (imports, first figures)
from the explorer's own timings (``Explorer.timings``) when it has them.

GPU flags: Chromium runs without ``--disable-gpu`` (found on this machine: timing
with it measures a software path nobody uses). Timings on a shared 2-core
machine are noisy: read the median and the spread, and say how loaded the
machine was (the load average is printed).

Run:  .venv/bin/python benchmarks/explorer_browser_bench.py [--steps 20] [--quiet 400]
      .venv/bin/python benchmarks/explorer_browser_bench.py --risk --view "Business case" \
          --steps 10 --lever "Discount rate"
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roi_models.explorer.serve import NOTEBOOK, voila_command, voila_env  # noqa: E402

LEVERS = ("Budget moved to social", "Discount rate", "Revenue per customer",
          "Churn: existing customers")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

DRAWN = (".js-line, .point path, .point text, .ytick text, .y2tick text, .shapelayer path, "
         ".annotation-text")
"""What a chart draws from its data: lines, bars, bar labels, value-axis ticks, marks."""

RECORDER = """() => {
  const DRAWN = '__DRAWN__';
  // a signature of what the analyst sees: the KPI table and every chart's drawn paths,
  // by name ("kpi", "customers", ..., "tornado", "margins")
  const sig = () => {
    const kpi = document.querySelector('.roi-kpis');
    const parts = {kpi: kpi ? kpi.innerText : ''};
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
      const name = (Array.from(gd.classList).find(c => c.startsWith('roi-chart--')
                                                  && c !== 'roi-chart--stale') || 'chart')
                   .replace('roi-chart--', '');
      let s = gd.style.opacity + ':';
      for (const p of gd.querySelectorAll(DRAWN))
        s += (p.getAttribute('d') || p.textContent || '') + ';';
      parts[name] = s;
    }
    return parts;
  };
  const rec = window.__rec = {t0: null, last: null, by: {}, prev: sig(), frames: 0};
  window.addEventListener('keydown', () => {
    rec.t0 = performance.now(); rec.last = null; rec.by = {}; rec.prev = sig();
  }, true);
  const poll = () => {
    if (rec.t0 !== null) {
      const now = sig();
      for (const k of Object.keys(now)) {
        if (now[k] !== rec.prev[k]) { rec.last = performance.now(); rec.by[k] = rec.last; }
      }
      rec.prev = now; rec.frames += 1;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}""".replace("__DRAWN__", DRAWN)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_server(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "api", timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


def _stats(values: list[float]) -> str:
    return (f"median {statistics.median(values):6.0f} ms, min {min(values):5.0f}, "
            f"max {max(values):6.0f} (n={len(values)})")


def measure(page, lever: str, steps: int, quiet_ms: float, log,
            parts: dict[str, list[float]] | None = None) -> list[float]:
    """Press ArrowRight ``steps`` times on one lever's handle; the latency of each step.

    ``parts`` collects, per thing drawn (``kpi``, a chart's name), the time from the
    keydown to its last change in each step.
    """
    row = page.locator(".roi-lever", has_text=lever).first
    # open the lever's tab: the first tab whose panel holds the row
    for t in page.locator(".roi-lever-tabs .lm-TabBar-tab").all():
        if row.is_visible():
            break
        t.click()
        page.wait_for_timeout(150)
    handle = row.locator(".noUi-handle").first
    handle.focus()
    out = []
    for k in range(steps):
        handle.press("ArrowRight")
        start = time.monotonic()
        while True:
            page.wait_for_timeout(50)
            rec = page.evaluate("() => ({t0: __rec.t0, last: __rec.last, now: performance.now(),"
                                " by: __rec.by, c: globalThis.__roiCharts})")
            if rec["last"] is not None and rec["now"] - rec["last"] > quiet_ms:
                break
            if time.monotonic() - start > 10:
                rec["last"] = None
                break
        if rec["last"] is None:
            log(f"  {lever} step {k + 1}: nothing changed within 10 s")
            continue
        ms = rec["last"] - rec["t0"]
        out.append(ms)
        for name, at in rec["by"].items():
            if parts is not None:
                parts.setdefault(name, []).append(at - rec["t0"])
        c = rec.get("c") or {}
        parts_text = ""
        if c.get("patched", 0) > rec["t0"]:
            parts_text = (f"; patch received at {c['patched'] - rec['t0']:.0f} ms, drawing "
                     f"{c['drawStart'] - rec['t0']:.0f}-{c['drawn'] - rec['t0']:.0f} ms")
        changed = ", ".join(f"{n} {t - rec['t0']:.0f}" for n, t in sorted(
            rec["by"].items(), key=lambda kv: kv[1]))
        log(f"  {lever} step {k + 1}: {ms:6.0f} ms (changed, ms: {changed}{parts_text})")
    return out


def _view(page, title: str) -> None:
    page.locator(".roi-views .lm-TabBar-tab", has_text=title).first.click()
    page.wait_for_timeout(300)
    if title == "Sensitivity":  # the tab's first draw: tornado and margins
        page.wait_for_function(
            "() => { const s = document.querySelector('.roi-sensitivity-state');"
            " return s && s.classList.contains('roi-current') &&"
            " document.querySelectorAll('.roi-sensitivity .js-plotly-plot .point path')"
            ".length > 0; }", timeout=120_000)
    page.wait_for_timeout(1500)


RISK_STATE = "() => JSON.parse(document.querySelector('.roi-risk-state').dataset.state)"


def _risk_click(page, draws: int, seed: int) -> None:
    """Type draws and seed into the Risk tab's boxes and click Run (the tab is visible)."""
    for label, value in (("Draws", f"{draws:,}"), ("Seed", str(seed))):
        box = page.locator(".roi-risk .widget-text", has_text=label).locator("input")
        box.fill(value)
        box.press("Enter")
    page.wait_for_timeout(300)
    page.evaluate("() => { window.__riskT0 = null; document.querySelector('.roi-risk')"
                  ".addEventListener('click', () => { if (window.__riskT0 === null)"
                  " window.__riskT0 = performance.now(); }, {capture: true, once: true}); }")
    page.locator(".roi-risk button", has_text="Run").first.click()


def risk_runs(page, draws: int, runs: int, log) -> list[float]:
    """Milliseconds from the Run click to the run's results on screen, ``runs`` times."""
    _view(page, "Risk")
    out = []
    for seed in range(1, runs + 1):
        _risk_click(page, draws, seed)
        ms = page.wait_for_function(
            """([seed, draws]) => { const s = document.querySelector('.roi-risk-state');
              if (!s || window.__riskT0 === null) return false;
              const st = JSON.parse(s.dataset.state);
              const svgs = document.querySelectorAll('.roi-risk .js-plotly-plot .main-svg');
              return st.status === 'done' && st.seed === seed && st.draws === draws
                && !st.stale && svgs.length >= 3
                && document.querySelector('.roi-risk-table') ?
                performance.now() - window.__riskT0 : false; }""",
            arg=[seed, draws], polling="raf", timeout=300_000).json_value()
        out.append(ms)
        log(f"  Risk run of {draws:,} draws, seed {seed}: {ms:6.0f} ms")
        page.wait_for_timeout(800)
    return out


def steps_during_runs(page, lever: str, steps: int, rounds: int, quiet: float, log,
                      parts: dict[str, list[float]]) -> tuple[list[float], int]:
    """Slider steps on the Business case tab while a 20,000-draw run goes: the steps that ended
    during the run, and the runs' count."""
    out: list[float] = []
    for k in range(rounds):
        _view(page, "Risk")
        _risk_click(page, 20_000, 100 + k)
        page.wait_for_function("() => document.querySelector('.roi-risk-state')"
                               ".classList.contains('roi-running')", timeout=30_000)
        page.locator(".roi-views .lm-TabBar-tab", has_text="Business case").first.click()
        page.evaluate(RECORDER)
        for _ in range(steps):
            got = measure(page, lever, 1, quiet, log, parts)
            if page.evaluate(RISK_STATE)["status"] != "running":
                log("  (the run had ended: step not counted)")
                break
            out += got
        page.wait_for_function(f"() => ({RISK_STATE})().status !== 'running'",
                               timeout=300_000)
    return out, rounds


def main(argv: list[str] | None = None) -> dict[str, dict[str, list[float]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="steps per lever")
    parser.add_argument("--quiet", type=float, default=400.0,
                        help="ms without change that end a step")
    parser.add_argument("--quiet-sensitivity", type=float, default=1200.0,
                        help="the same with the Sensitivity tab visible (margins settle first)")
    parser.add_argument("--notebook", default=str(NOTEBOOK))
    parser.add_argument("--loads", type=int, default=1, help="page loads to time")
    parser.add_argument("--lever", action="append", dest="levers",
                        help="a lever's label (repeatable; default: 4 levers)")
    parser.add_argument("--view", action="append", dest="views",
                        choices=["Business case", "Sensitivity"],
                        help="the tab visible while stepping (repeatable; default: both)")
    parser.add_argument("--risk", action="store_true",
                        help="also time the Risk tab: runs, and slider steps during a run")
    parser.add_argument("--risk-draws", type=int, default=2_000)
    parser.add_argument("--risk-runs", type=int, default=3)
    parser.add_argument("--risk-steps", type=int, default=4, help="steps per run")
    parser.add_argument("--risk-rounds", type=int, default=4, help="20,000-draw runs")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    log = print if args.verbose else (lambda *a: None)

    from playwright.sync_api import sync_playwright

    port = _free_port()
    logfile = tempfile.NamedTemporaryFile("w", prefix="voila-bench-", suffix=".log", delete=False)
    proc = subprocess.Popen(voila_command(args.notebook, port), env=voila_env(),
                            cwd=Path(args.notebook).parent, stdout=logfile,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    views = args.views or ["Business case", "Sensitivity"]
    results: dict[str, dict[str, list[float]]] = {v: {} for v in views}
    parts: dict[str, dict[str, list[float]]] = {v: {} for v in views}
    loads: list[float] = []
    timings = None
    risk: dict[str, list[float]] = {}
    try:
        _wait_server(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _ in range(args.loads):
                page = browser.new_page(viewport={"width": 1400, "height": 2400})
                t0 = time.monotonic()
                page.goto(url, timeout=180_000)
                page.wait_for_selector(".roi-kpis td[data-kpi]", timeout=180_000)
                page.wait_for_function(
                    "() => { const g = document.querySelectorAll('.js-plotly-plot');"
                    " return g.length >= 4 && Array.from(g).every(x => x.querySelector("
                    "'.js-line, .point path')); }", timeout=120_000)
                loads.append(time.monotonic() - t0)
                timings = page.evaluate(
                    "() => { const e = document.querySelector('.roi-timings');"
                    " return e ? e.getAttribute('data-timings') : null; }")
                if len(loads) < args.loads:
                    page.close()
            page.wait_for_timeout(1500)  # let the first draws settle
            for view in views:
                _view(page, view)
                page.evaluate(RECORDER)
                quiet = args.quiet_sensitivity if view == "Sensitivity" else args.quiet
                for lever in args.levers or LEVERS:
                    log(f"{view} visible:")
                    results[view][lever] = measure(page, lever, args.steps, quiet, log,
                                                   parts[view])
            if args.risk:
                risk["runs"] = risk_runs(page, args.risk_draws, args.risk_runs, log)
                lever = (args.levers or LEVERS)[0]
                risk["steps"], _ = steps_during_runs(page, lever, args.risk_steps,
                                                     args.risk_rounds, args.quiet, log, {})
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

    imports = subprocess.run(
        [sys.executable, "-c", "import time; t = time.perf_counter(); import roi_models.explorer; "
         "print(round(time.perf_counter() - t, 2))"], capture_output=True, text=True,
        env=dict(os.environ)).stdout.strip()
    load1, load5, _ = os.getloadavg()
    print(f"explorer in Chromium under Voila, one ArrowRight step to the KPI table and every "
          f"chart drawn (machine load average {load1:.2f} / {load5:.2f}, {os.cpu_count()} cores)")
    for view in views:
        print(f"{view} tab visible:")
        allv = []
        for lever, values in results[view].items():
            if values:
                print(f"  {lever:28s} {_stats(values)}")
                allv += values
        if allv:
            target = ("target median < 100 ms, max < 250 ms" if view == "Business case"
                      else "the margins settle first (0.25 s)")
            print(f"  {'all levers':28s} {_stats(allv)}; {target}")
        if view == "Sensitivity":
            mine = parts[view]
            step = [max(k, t) for k, t in zip(mine.get("kpi", []), mine.get("tornado", []),
                                              strict=False)]
            for label, values in (("KPI table", mine.get("kpi", [])),
                                  ("tornado redrawn", mine.get("tornado", [])),
                                  ("KPI table and tornado", step),
                                  ("decision margins redrawn", mine.get("margins", []))):
                if values:
                    print(f"  {label:28s} {_stats(values)}")
    if risk.get("runs"):
        print(f"Risk tab: Run click to the results on screen ({args.risk_draws:,} draws, "
              f"table and 3 charts): {_stats(risk['runs'])}")
    if risk.get("steps"):
        print(f"Business case tab, one step while a 20,000-draw run goes: "
              f"{_stats(risk['steps'])}")
    print("page load (goto to KPI table and 4 drawn charts): "
          + ", ".join(f"{v:.1f} s" for v in loads))
    print(f"ours in the kernel: import roi_models.explorer {imports} s (a fresh process)"
          + (f", {timings} (Explorer built, figures included)" if timings else ""))
    return results


if __name__ == "__main__":
    main()
