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
  lever values or plan are no longer those on screen is dropped, never shown.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from ..analysis.scenarios import ScenarioResults
from ..analysis.sensitivity import INCREMENTAL_KPIS, KPI_NAMES, decision_margins, tornado
from ..assumptions import STATUS_QUO
from ..charts.sensitivity import decision_margin_figure, tornado_figure
from ..formatting import KPIS
from . import figures
from .chartwidget import ChartsWidget
from .coalesce import Settled
from .compute import ExplorerModel, for_analysis


@dataclass(frozen=True, eq=False)
class Shown:
    """What the explorer shows: the results of the lever values, for the plan in focus."""

    model: ExplorerModel
    results: ScenarioResults
    values: Mapping[str, float]
    focus: str
    file: str  # the picker's label of the file
    generation: int  # the file's generation (bumped by every file switch)
    serial: int  # bumped by every recompute

    @property
    def key(self) -> tuple[int, int, str]:
        """Equal keys, equal figures."""
        return (self.generation, self.serial, self.focus)


class View:
    """One tab: ``title``, ``widget``; :meth:`draw` shows a :class:`Shown` (module docstring)."""

    title = ""

    def __init__(self, redraw: Callable[[], None]) -> None:
        self.redraw = redraw  # asks the explorer to draw this view again (its own inputs moved)
        self.widget: w.Widget = w.VBox([])
        self.drawn: tuple[int, int, str] | None = None  # key of the Shown drawn last
        self.draws = 0

    def bind(self, shown: Shown) -> None:
        """A new file is loaded (``shown`` is its first state): forget what was drawn."""
        self.drawn = None

    def draw(self, shown: Shown) -> None:  # pragma: no cover - every view defines it
        raise NotImplementedError

    def show(self, shown: Shown, *, force: bool = False) -> None:
        """Draw ``shown`` unless it is already on screen."""
        if force or self.drawn != shown.key:
            self.draw(shown)
            self.drawn = shown.key
            self.draws += 1

    def close(self) -> None:
        self.widget.close()


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
    """The plans' names as the report writes them (the file's labels)."""
    return {n: res.file.label(n) for n in res.names}


def _margins_figure(res: ScenarioResults, plan: str) -> Any:
    """The decision-margin figure of ``plan`` (runs on the worker thread: no widgets here)."""
    return decision_margin_figure(decision_margins(res, plan=plan), labels=plan_labels(res))


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
        self.settled = Settled(settle)
        self._setting = False
        self._margins: tuple | None = None  # key of the margins the chart holds
        self._margins_values: dict[str, float] | None = None
        self._margins_error = ""
        self._question: dict[str, str] = {}
        self._shown: Shown | None = None
        self.against.observe(self._on_choice, names="value")
        self.kpi.observe(self._on_choice, names="value")

    def _on_choice(self, change: dict[str, Any]) -> None:
        if not self._setting:
            self.drawn = None  # the same figures on screen, another question
            self.redraw()

    def bind(self, shown: Shown) -> None:
        super().bind(shown)
        self.settled.cancel()
        self._margins, self._margins_values, self._margins_error = None, None, ""
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

    @staticmethod
    def margins_key(shown: Shown) -> tuple:
        """The inputs of the decision margins: file, lever values and plan (not against/KPI)."""
        return (shown.generation, tuple(sorted(shown.values.items())), shown.focus)

    def draw(self, shown: Shown) -> None:
        self._shown = shown
        res = for_analysis(shown.model, shown.results, shown.values)
        if not res.file.uncertainty:
            self.state.value = ('<span class="roi-sensitivity-state" style="color:#555">This '
                                "file has no uncertainty section: no field has a low and a "
                                "high to move.</span>")
            self.area.children = ()
            return
        against, kpi = self._choices(shown)
        frame = tornado(res, plan=shown.focus, against=against, kpi=kpi)
        if self.charts is None:
            self.charts = ChartsWidget()
            self.area.children = (self.charts,)
        self._question = {"plan": shown.focus, "against": against, "kpi": kpi}
        self.charts.put({"tornado": tornado_figure(frame, labels=plan_labels(res))})
        key = self.margins_key(shown)
        if key != self._margins:
            self.charts.stale = ["margins"] if self._margins is not None else []
            self._write_state(shown, updating=True)
            values = dict(shown.values)
            self.settled.submit(key, lambda: _margins_figure(res, shown.focus),
                                lambda fig, error: self._deliver(key, values, fig, error))
        else:
            self._write_state(shown, updating=False)

    def _deliver(self, key: tuple, values: dict[str, float], fig: Any,
                 error: BaseException | None) -> None:
        """A margins result, on the loop's thread: shown only if its inputs are still on screen."""
        shown = self._shown
        if shown is None or key != self.margins_key(shown) or self.charts is None:
            return  # stale: never shown
        self._margins, self._margins_values = key, values
        self._margins_error = "" if error is None else str(error)
        if error is None:
            self.charts.put({"margins": fig})
        self.charts.stale = []
        self._write_state(shown, updating=False)

    def _write_state(self, shown: Shown, *, updating: bool) -> None:
        """The line above the charts; ``data-state`` says what each chart was computed from."""
        q = self._question
        margins = None if self._margins_values is None else {
            "values": self._margins_values, "plan": self._margins[2] if self._margins else None}
        state = {"file": shown.file, "generation": shown.generation,
                 "values": dict(shown.values), **q, "margins": margins,
                 "margins_current": not updating and self._margins == self.margins_key(shown)}
        labels = plan_labels(shown.results)
        text = (f"Tornado: {KPIS[q['kpi']].label} of {labels[q['plan']]}"
                + (f" against {labels[q['against']]}" if q["kpi"] in INCREMENTAL_KPIS else "")
                + ", with the levers as set. ")
        if updating:
            text += "Decision margins of this plan: updating\u2026"
            cls, colour = "roi-updating", "#8a6d00"
        elif self._margins_error:
            text += f"Decision margins: could not be computed ({self._margins_error})."
            cls, colour = "roi-error", "#b00020"
        else:
            text += "Decision margins of this plan: up to date."
            cls, colour = "roi-current", "#555"
        self.state.value = (
            f'<span class="roi-sensitivity-state {cls}" style="color:{colour}" '
            f"data-state='{html.escape(json.dumps(state), quote=True)}'>"
            f"{html.escape(text)}</span>")

    def close(self) -> None:
        self.settled.cancel()
        super().close()


VIEWS: tuple[Callable[[Callable[[], None]], View], ...] = (BusinessCaseView, SensitivityView)
"""The explorer's tabs, in order: each builds one :class:`View` from a redraw callback."""

__all__ = ["VIEWS", "BusinessCaseView", "SensitivityView", "Shown", "View", "plan_labels"]
