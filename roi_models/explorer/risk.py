"""The explorer's Risk tab: a Monte Carlo of the settings on screen, on demand, on a worker thread.

:class:`RiskView` (``"Risk"``, the third entry of
:data:`roi_models.explorer.views.VIEWS`) runs
:func:`roi_models.analysis.montecarlo.risk_of_plans` for the file as Save
would write it with the lever values on screen
(:func:`roi_models.explorer.compute.for_analysis`: the explorer's batch and
the file without the plans' overrides of a touched field), when the Run
button is clicked and never otherwise: a hidden or idle tab costs nothing.

- The draws box takes 200 to 20,000 draws (default 2,000) and the seed box a
  whole number from 0 to 2^32 - 1; anything else is refused on the tab's
  line with the schema-style message (file, field, value, what is allowed)
  and nothing runs.
- The run goes on ONE worker thread; the progress bar follows
  ``on_progress`` (posted to the event loop's thread, where widgets are
  updated), and Cancel stops it between chunks
  (:class:`~roi_models.analysis.montecarlo.MonteCarloCancelled`). The
  sliders, the KPI table and the other tabs stay live meanwhile: the event
  loop is free while the thread computes (the compiled kernel releases the GIL).
- A slider step or a typed value during or after a run does NOT cancel it:
  the run finishes and its results are shown dimmed under "These results are
  for the settings before your last change: run again." A run costs about
  a second, an analyst often nudges a lever and comes back, and the figures
  of the settings they ran stay readable as long as they are labelled as not
  current. A file switch cancels the run (its plans are not those on screen).
- Shown: P(NPV > 0) and P(beats the best other option) of the plan in focus
  with the P10, P50 and P90 of its NPV against the status quo (a table
  formatted by :mod:`roi_models.formatting`, each cell with ``data-value``),
  the NPV distribution, the P(beats) heatmap and the rank-correlation
  importance (:mod:`roi_models.charts.risk`). Sobol indices are not run
  live (N (2D + 2) model runs: several seconds): ``roi-models montecarlo``
  has them.
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from ..analysis.montecarlo import MonteCarloCancelled, MonteCarloResults, risk_of_plans
from ..assumptions import STATUS_QUO
from ..charts.risk import importance_figure, npv_distribution_figure, p_beats_figure
from ..errors import InputError
from ..formatting import format_kpi, percent
from .base import Shown, View
from .chartwidget import ChartsWidget, figure_json
from .coalesce import running_loop
from .compute import for_analysis

DRAWS_DEFAULT = 2_000
DRAWS_RANGE = (200, 20_000)
SEED_MAX = 2**32 - 1
CHUNK_BLOCKS = 1  # one block of 1,024 draws a chunk: progress and Cancel every block
ORDER = ("distribution", "p_beats", "importance")
STALE_TEXT = "These results are for the settings before your last change: run again."


def read_whole(text: str, field_name: str, low: int, high: int) -> int:
    """A whole number typed into a box (``2,000``, ``2000``, ``2 000``), within ``low..high``.

    Raises InputError naming the box, the value and what is allowed.

    >>> read_whole("2,000", "draws", 200, 20_000)
    2000
    >>> try:
    ...     read_whole("50", "draws", 200, 20_000)
    ... except InputError as exc:
    ...     print(exc)
    explorer: risk.draws = '50': a whole number from 200 to 20,000
    """
    cleaned = str(text).strip().replace(",", "").replace("_", "").replace(" ", "")
    value = int(cleaned) if cleaned.isdigit() else None
    if value is None or not low <= value <= high:
        raise InputError.one("explorer", f"risk.{field_name}", str(text).strip(),
                             f"a whole number from {low:,} to {high:,}")
    return value


@dataclass(eq=False)
class Run:
    """One Monte Carlo run: its inputs, its progress and its cancel flag."""

    key: tuple  # (generation, lever values): equal keys, equal inputs
    shown: Shown
    draws: int
    seed: int
    focus: str
    cancel: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    status: str = "running"  # running, done, cancelled, error
    error: str = ""
    mc: MonteCarloResults | None = None
    figures: dict[str, dict] = field(default_factory=dict)
    figures_focus: str = ""


def _focus_figures(mc: MonteCarloResults, focus: str, labels: dict[str, str]) -> dict[str, dict]:
    """The charts of the plan in focus as JSON (runs on the worker thread: no widgets)."""
    return {"distribution": figure_json(npv_distribution_figure(mc)),
            "p_beats": figure_json(p_beats_figure(mc)),
            "importance": figure_json(importance_figure(mc.importance(), plan=focus,
                                                        labels=labels))}


def best_other(mc: MonteCarloResults, plan: str) -> str:
    """The best other option for ``plan``: the status quo (NPV 0) or the other plan with the
    highest mean NPV against the status quo over the same draws."""
    means = {STATUS_QUO: 0.0} | {n: float(mc.column(n).mean()) for n in mc.names if n != plan}
    return max(means, key=lambda n: means[n])


def risk_rows(mc: MonteCarloResults, plan: str) -> list[tuple[str, str, float]]:
    """(key, label, value) of the table: P(NPV > 0), P(beats the best other option), the
    P10, P50 and P90 of the NPV against the status quo (MonteCarloResults' figures)."""
    risk = mc.risk.set_index("scenario")
    beats = mc.p_beats.set_index(["scenario", "other"])
    other = best_other(mc, plan)
    npv = mc.summary.set_index(["scenario", "kpi"]).loc[(plan, "npv")]
    return [("p_npv_positive", "P(NPV > 0)", float(risk.loc[plan, "p_npv_positive"])),
            ("p_beats_best_other", f"P(beats {mc.labels.get(other, other)}, the best other "
             "option)", float(beats.loc[(plan, other), "p"])),
            ("npv_p10", "NPV P10", float(npv["p10"])),
            ("npv_p50", "NPV P50", float(npv["p50"])),
            ("npv_p90", "NPV P90", float(npv["p90"]))]


def risk_table_html(mc: MonteCarloResults, plan: str, *, stale: bool = False) -> str:
    """The table of :func:`risk_rows`, formatted by :mod:`roi_models.formatting`; each value cell
    carries ``data-key`` and ``data-value`` (the exact figure)."""
    cells = []
    for key, label, value in risk_rows(mc, plan):
        text = percent(value, 1) if key.startswith("p_") else format_kpi("npv", value,
                                                                         mc.currency)
        cells.append(f'<tr><th style="text-align:left;padding:2px 12px 2px 0">'
                     f'{html.escape(label)}</th><td data-key="{key}" data-value="{value!r}" '
                     f'style="text-align:right">{html.escape(text)}</td></tr>')
    style = "opacity:0.45" if stale else ""
    return (f'<table class="roi-risk-table{" roi-stale" if stale else ""}" style="{style}" '
            f'data-plan="{html.escape(plan)}">{"".join(cells)}</table>')


class RiskView(View):
    """The Monte Carlo of the settings on screen, on demand (module docstring)."""

    title = "Risk"

    def __init__(self, redraw: Callable[[], None]) -> None:
        super().__init__(redraw)
        self.draws_box = w.Text(value=f"{DRAWS_DEFAULT:,}", description="Draws",
                                style={"description_width": "50px"},
                                layout=w.Layout(width="160px"))
        self.seed_box = w.Text(value="0", description="Seed", style={"description_width": "40px"},
                               layout=w.Layout(width="140px"))
        self.run_button = w.Button(description="Run", button_style="primary",
                                   tooltip="Run the Monte Carlo of the settings on screen")
        self.cancel_button = w.Button(description="Cancel", disabled=True)
        self.progress = w.IntProgress(value=0, min=0, max=DRAWS_DEFAULT, description="",
                                      layout=w.Layout(width="240px"))
        self.progress.add_class("roi-risk-progress")
        self.state = w.HTML("")
        self.table = w.HTML("")
        self.area = w.VBox([])  # the charts widget, made with the first results
        self.charts: ChartsWidget | None = None
        self.widget = w.VBox([
            w.HBox([self.draws_box, self.seed_box, self.run_button, self.cancel_button,
                    self.progress], layout=w.Layout(align_items="center",
                                                    flex_flow="row wrap")),
            self.state, self.table, self.area])
        self.widget.add_class("roi-risk")
        self.run: Run | None = None  # the latest run (running or ended)
        self.runs = 0  # runs started (for tests and benchmarks)
        self._shown: Shown | None = None
        self._message = ""
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._future: concurrent.futures.Future | None = None
        self._loop: Any = None
        self.run_button.on_click(lambda _: self.start())
        self.cancel_button.on_click(lambda _: self.stop())
        self._mark()

    # ------------------------------------------------------------------ explorer hooks
    def bind(self, shown: Shown) -> None:
        """A new file: a running run is cancelled, the old results go."""
        super().bind(shown)
        self.stop()
        self.run, self._shown, self._message = None, shown, ""
        self.table.value = ""
        self.area.children = ()
        self.charts = None
        self.progress.value = 0
        self._mark()

    def draw(self, shown: Shown) -> None:
        self._shown = shown
        run = self.run
        if run is not None and run.mc is not None:
            self._render(run, shown)
        self._mark()

    # ------------------------------------------------------------------ the run
    @staticmethod
    def key(shown: Shown) -> tuple:
        return (shown.generation, tuple(sorted(shown.values.items())))

    def start(self, shown: Shown | None = None) -> Run | None:
        """Run the Monte Carlo of ``shown`` (default: the settings drawn last), as Run does."""
        shown = shown or self._shown
        if shown is None:
            return None
        try:
            draws = read_whole(self.draws_box.value, "draws", *DRAWS_RANGE)
            seed = read_whole(self.seed_box.value, "seed", 0, SEED_MAX)
        except InputError as exc:
            self._message = str(exc)
            self._mark()
            return None
        self._message = ""
        self.stop()  # a newer run replaces a running one
        res = for_analysis(shown.model, shown.results, shown.values)
        if not res.file.uncertainty:
            self._message = ("This file has no uncertainty section: there is nothing to draw.")
            self._mark()
            return None
        run = Run(self.key(shown), shown, draws, seed, shown.focus)
        self.run = run
        self._dim()  # results of an earlier run stay readable, dimmed, until this one ends
        self.runs += 1
        self.progress.max, self.progress.value = draws, 0
        self.cancel_button.disabled, self._loop = False, running_loop()
        labels = {n: n for n in res.names} | dict(_labels(res))

        def work() -> None:
            try:
                mc = risk_of_plans(res.file, res.batch, res.names, draws, seed,
                                   on_progress=lambda d, _t: self._post(self._progress, run, d),
                                   cancelled=run.cancel.is_set, chunk_blocks=CHUNK_BLOCKS)
                figs = _focus_figures(mc, run.focus, labels)
            except MonteCarloCancelled:
                self._post(self._ended, run, None, {}, "cancelled")
            except Exception as exc:  # shown on the tab's line, never a traceback
                self._post(self._ended, run, None, {}, f"error: {exc}")
            else:
                self._post(self._ended, run, mc, figs, "done")

        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="roi-explorer-risk")
        self._future = self._pool.submit(work)
        self._mark()
        return run

    def stop(self) -> None:
        """Cancel a running run (it stops at its next chunk)."""
        if self.run is not None and self.run.status == "running":
            self.run.cancel.set()

    def wait(self, timeout: float | None = 120) -> Run | None:
        """Block until the worker is idle (tests and scripts without an event loop)."""
        if self._future is not None:
            self._future.result(timeout)
        return self.run

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on the event loop's thread (at once without a loop)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args)
        elif loop is None:
            fn(*args)

    def _progress(self, run: Run, done: int) -> None:
        run.done = max(run.done, done)
        if run is self.run:
            self.progress.value = run.done
            self._mark()

    def _ended(self, run: Run, mc: MonteCarloResults | None, figs: dict[str, dict],
               status: str) -> None:
        run.status = "done" if status == "done" else status.split(":")[0]
        run.error = status[len("error: "):] if status.startswith("error") else ""
        run.mc, run.figures, run.figures_focus = mc, figs, run.focus
        if run is not self.run:
            return  # replaced by a newer run, or the file changed
        self.cancel_button.disabled = True
        if mc is not None:
            self.progress.value = run.draws
        else:  # cancelled or failed: no figures of an earlier run stay on screen
            self.table.value = ""
            self.area.children = ()
            self.charts = None
        self.drawn = None  # draw the results with what is on screen now (or when shown)
        self.redraw()
        self._mark()

    # ------------------------------------------------------------------ drawing
    def stale(self, shown: Shown | None = None) -> bool:
        """Whether the latest run's settings are no longer those on screen."""
        shown = shown or self._shown
        return self.run is not None and shown is not None and self.run.key != self.key(shown)

    def _dim(self) -> None:
        """Dim the figures on screen (a newer run is going)."""
        if self.table.value and "roi-stale" not in self.table.value:
            self.table.value = self.table.value.replace(
                'class="roi-risk-table" style=""', 'class="roi-risk-table roi-stale" '
                'style="opacity:0.45"', 1)
        if self.charts is not None and self.charts.stale != list(ORDER):
            self.charts.stale = list(ORDER)

    def _render(self, run: Run, shown: Shown) -> None:
        mc = run.mc
        assert mc is not None
        focus = shown.focus if shown.focus in mc.names else mc.names[0]
        if run.figures_focus != focus:  # another plan in focus: its importance chart
            run.figures["importance"] = figure_json(importance_figure(
                mc.importance(), plan=focus, labels=dict(mc.labels)))
            run.figures_focus = focus
        stale = self.stale(shown)
        self.table.value = risk_table_html(mc, focus, stale=stale)
        if self.charts is None:
            self.charts = ChartsWidget()
            self.area.children = (self.charts,)
        self.charts.put(dict(run.figures), order=ORDER)
        wanted = list(ORDER) if stale else []
        if self.charts.stale != wanted:
            self.charts.stale = wanted

    def _mark(self) -> None:
        """The line above the table: what the figures are, and a data-state for scripts."""
        run, shown = self.run, self._shown
        stale = self.stale()
        state: dict[str, Any] = {"status": "idle", "stale": stale}
        if run is not None:
            state |= {"status": run.status, "draws": run.draws, "seed": run.seed,
                      "done": run.done, "file": run.shown.file,
                      "generation": run.shown.generation, "values": dict(run.shown.values)}
        if self._message:
            text, cls, colour = self._message, "roi-error", "#b00020"
        elif run is None:
            text = ("Runs a Monte Carlo of the settings on screen (every plan on the same draws "
                    "of the file's uncertainty section).")
            cls, colour = "roi-idle", "#555"
        elif run.status == "running":
            text = (f"Running {run.draws:,} draws (seed {run.seed})\u2026 "
                    f"{percent(run.done / run.draws, 0)}")
            if stale:
                text += " For the settings before your last change."
            cls, colour = "roi-running", "#8a6d00"
        elif run.status == "cancelled":
            text, cls, colour = "Cancelled: nothing computed. Run again.", "roi-cancelled", "#555"
        elif run.status == "error":
            text, cls, colour = f"Could not be computed: {run.error}.", "roi-error", "#b00020"
        elif stale:
            text, cls, colour = STALE_TEXT, "roi-stale", "#8a6d00"
        else:
            text = (f"{run.draws:,} draws, seed {run.seed}: the settings on screen.")
            cls, colour = "roi-current", "#1b5e20"
        if shown is not None and run is not None and run.mc is not None:
            state["focus"] = shown.focus
        self.state.value = (
            f'<span class="roi-risk-state {cls}" style="color:{colour}" '
            f"data-state='{html.escape(json.dumps(state), quote=True)}'>"
            f"{html.escape(text)}</span>")

    def close(self) -> None:
        self.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        super().close()


def _labels(res: Any) -> dict[str, str]:
    return {n: res.file.label(n) for n in res.names}


__all__ = ["DRAWS_DEFAULT", "DRAWS_RANGE", "RiskView", "best_other", "read_whole",
           "risk_rows", "risk_table_html"]

