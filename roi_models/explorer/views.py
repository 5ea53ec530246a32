"""The explorer's views: tabs under the KPI table, each built by a function, drawn when visible.

:data:`VIEWS` lists the tabs in order; each entry is a function that builds
one :class:`View` (its widgets, no figures yet). The explorer draws the
*visible* view after every recompute, a file switch, a change of the plan in
focus or a tab switch, and nothing else: an invisible view costs nothing
until it is shown, and then it draws the figures on screen at that moment
(:attr:`View.drawn` says which). A new tab (the Monte Carlo risk view, say)
is a :class:`View` subclass and one more entry in :data:`VIEWS`.

- :class:`BusinessCaseView` (``"Business case"``): the four charts of
  :mod:`roi_models.explorer.figures` (customers, churn, cash flow, CAC and
  cost of sales), patched in place;
- :class:`SensitivityView` (``"Sensitivity"``): the tornado of the plan in
  focus against the status quo or another plan, for a KPI (NPV by default),
  and the decision margins of the plan in focus, both from
  :mod:`roi_models.analysis.sensitivity` with the lever values on screen as
  the base, drawn by :mod:`roi_models.charts.sensitivity`. The tornado (one
  batch, about 2 ms, and its figure) is drawn with every step; the decision
  margins (one root search over every field, about 70-160 ms, and their
  figure) are computed once the steps settle, on a worker thread
  (:class:`~roi_models.explorer.coalesce.Settled`): meanwhile their chart is
  dimmed and the line above it says "updating", and a result whose file,
  lever values or plan are no longer those on screen is dropped, never shown;
- :class:`~roi_models.explorer.risk.RiskView` (``"Risk"``): a Monte Carlo of the
  settings on screen, run on demand on a worker thread (:mod:`roi_models.explorer.risk`).

:class:`Shown` and :class:`View` live in :mod:`roi_models.explorer.base`.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..analysis.scenarios import ScenarioResults
from ..analysis.sensitivity import INCREMENTAL_KPIS, KPI_NAMES, decision_margins, tornado
from ..assumptions import STATUS_QUO
from ..assumptions.scenario_file import default_label
from ..charts.sensitivity import decision_margin_figure, tornado_figure
from ..formatting import KPIS
from . import figures
from .base import Shown, View
from .chartwidget import ChartsWidget, figure_json
from .coalesce import Settled
from .compute import for_analysis
from .risk import RiskView


class BusinessCaseView(View):
    """The four business-case charts (:mod:`roi_models.explorer.figures`)."""

    title = "Business case"

    def __init__(self, redraw: Callable[[], None]) -> None:
        super().__init__(redraw)
        self.charts = ChartsWidget()
        self.widget = self.charts
        self._built: int | None = None  # generation whose figures the charts hold

    def draw(self, shown: Shown) -> None:
        if self._built != shown.generation:
            self.charts.show(figures.build(shown.results, shown.focus))
            self._built = shown.generation
        self.charts.patch(figures.changes(shown.results, shown.focus))


def plan_labels(res: ScenarioResults) -> dict[str, str]:
    """The plans' names as the rest of the explorer writes them (the plan picker, the KPI
    table): ``social_reallocation`` -> ``Social reallocation``."""
    return {n: default_label(n) for n in res.names}


def _tornado_json(res: ScenarioResults, plan: str, against: str, kpi: str) -> dict:
    """The tornado figure of a question as JSON (runs on a worker thread: no widgets here)."""
    frame = tornado(res, plan=plan, against=against, kpi=kpi)
    return figure_json(tornado_figure(frame, labels=plan_labels(res)))


def _margins_json(res: ScenarioResults, plan: str) -> dict:
    """The decision-margin figure of ``plan`` as JSON (runs on a worker thread)."""
    frame = decision_margins(res, plan=plan)
    return figure_json(decision_margin_figure(frame, labels=plan_labels(res)))


ORDER = ("tornado", "margins")


class SensitivityView(View):
    """Tornado and decision margins of the plan in focus (module docstring)."""

    title = "Sensitivity"

    def __init__(self, redraw: Callable[[], None], *, settle: float = 0.25) -> None:
        super().__init__(redraw)
        self.against = w.Dropdown(description="Against", style={"description_width": "60px"},
                                  layout=w.Layout(width="300px"),
                                  options=[(figures.plan_label(STATUS_QUO), STATUS_QUO)])
        self.kpi = w.Dropdown(description="KPI", style={"description_width": "40px"},
                              layout=w.Layout(width="260px"),
                              options=[(KPIS[k].label, k) for k in KPI_NAMES], value="npv")
        self.state = w.HTML("")
        self.area = w.VBox([])  # the charts widget, made when the tab is first shown
        self.charts: ChartsWidget | None = None
        self.widget = w.VBox([
            w.HBox([self.against, self.kpi], layout=w.Layout(align_items="center")),
            self.state, self.area])
        self.widget.add_class("roi-sensitivity")
        # the figures are built on worker threads (plotly takes 20-40 ms a figure): the
        # tornado at once after each step, the margins once the steps settle
        self.tornado_runs = Settled(0.0)
        self.settled = Settled(settle)
        self._setting = False
        self._shown: Shown | None = None
        self._wanted: dict[str, tuple] = {}  # chart -> key of the inputs on screen
        self._held: dict[str, tuple] = {}  # chart -> key of what the chart holds
        self._inputs: dict[str, dict[str, Any]] = {}  # chart -> its inputs (data-state)
        self._error = ""
        self.against.observe(self._on_choice, names="value")
        self.kpi.observe(self._on_choice, names="value")

    def _on_choice(self, change: dict[str, Any]) -> None:
        if not self._setting:
            self.drawn = None  # the same figures on screen, another question
            self.redraw()

    def bind(self, shown: Shown) -> None:
        super().bind(shown)
        self.tornado_runs.cancel()
        self.settled.cancel()
        self._wanted, self._held, self._inputs, self._error = {}, {}, {}, ""
        self._setting = True
        try:  # the new file's plans; "against" back to the status quo
            self.against.options = [(figures.plan_label(n), n) for n in shown.results.names]
            self.against.value = STATUS_QUO
        finally:
            self._setting = False

    def _choices(self, shown: Shown) -> tuple[str, str]:
        """(against, kpi): the picked ones, the status quo when "against" is the plan itself."""
        plan, against = shown.focus, self.against.value
        if against == plan or against not in shown.results.names:
            self._setting = True
            try:
                self.against.value = STATUS_QUO
            finally:
                self._setting = False
            against = STATUS_QUO
        self.against.disabled = self.kpi.value not in INCREMENTAL_KPIS
        return against, self.kpi.value

    def draw(self, shown: Shown) -> None:
        self._shown = shown
        res = for_analysis(shown.model, shown.results, shown.values)
        if not res.file.uncertainty:
            self.state.value = ('<span class="roi-sensitivity-state" style="color:#555">This '
                                "file has no uncertainty section: no field has a low and a "
                                "high to move.</span>")
            self.area.children = ()
            return
        if self.charts is None:
            self.charts = ChartsWidget()
            self.area.children = (self.charts,)
        against, kpi = self._choices(shown)
        plan, values = shown.focus, tuple(sorted(shown.values.items()))
        wanted = {"tornado": (shown.generation, values, plan, against, kpi),
                  "margins": (shown.generation, values, plan)}  # NPV of plan vs its rivals
        inputs = {"tornado": {"values": dict(shown.values), "plan": plan, "against": against,
                              "kpi": kpi},
                  "margins": {"values": dict(shown.values), "plan": plan}}
        jobs = {"tornado": (self.tornado_runs, lambda: _tornado_json(res, plan, against, kpi)),
                "margins": (self.settled, lambda: _margins_json(res, plan))}
        self._wanted = wanted
        for name, (runner, compute) in jobs.items():
            if self._held.get(name) == wanted[name] or runner.wanted == wanted[name]:
                continue  # on screen, or on its way
            runner.submit(wanted[name], compute, functools.partial(
                self._deliver, name, wanted[name], inputs[name]))
        self._mark()

    def _deliver(self, name: str, key: tuple, inputs: dict[str, Any], fig: Any,
                 error: BaseException | None) -> None:
        """A figure, on the loop's thread: shown only if its inputs are still those on screen."""
        if self.charts is None or self._wanted.get(name) != key:
            return  # stale: never shown
        self._error = "" if error is None else f"{name}: {error}"
        if error is None:
            self.charts.put({name: fig}, order=ORDER)
            self._held[name], self._inputs[name] = key, inputs
        self._mark()

    def _mark(self) -> None:
        """Dim the margins while they wait, and write the line above the charts."""
        if self.charts is None or self._shown is None:
            return
        waiting = [n for n in ORDER if self._held.get(n) != self._wanted.get(n)]
        stale = [n for n in waiting if n == "margins" and n in self._held]
        if self.charts.stale != stale:
            self.charts.stale = stale
        shown = self._shown
        state = {"file": shown.file, "generation": shown.generation,
                 "values": dict(shown.values), "charts": self._inputs, "updating": waiting}
        q = self._wanted["tornado"]
        labels = plan_labels(shown.results)
        text = (f"Tornado: {KPIS[q[4]].label} of {labels[q[2]]}"
                + (f" against {labels[q[3]]}" if q[4] in INCREMENTAL_KPIS else "")
                + ", with the levers as set. ")
        if self._error:
            text += f"Could not be computed: {self._error}."
            cls, colour = "roi-error", "#b00020"
        elif "margins" in waiting:
            text += "Decision margins of this plan: updating\u2026"
            cls, colour = "roi-updating", "#8a6d00"
        else:
            text += "Decision margins of this plan: up to date."
            cls, colour = "roi-current", "#555"
        self.state.value = (
            f'<span class="roi-sensitivity-state {cls}" style="color:{colour}" '
            f"data-state='{html.escape(json.dumps(state), quote=True)}'>"
            f"{html.escape(text)}</span>")

    def close(self) -> None:
        self.tornado_runs.cancel()
        self.settled.cancel()
        super().close()


VIEWS: tuple[Callable[[Callable[[], None]], View], ...] = (BusinessCaseView, SensitivityView,
                                                          RiskView)
"""The explorer's tabs, in order: each builds one :class:`View` from a redraw callback."""

__all__ = ["VIEWS", "BusinessCaseView", "RiskView", "SensitivityView", "Shown", "View",
           "plan_labels"]
