"""The business-case explorer: sliders generated from the schema, charts updated in place.

:class:`Explorer` wires ipywidgets to the pure computation of
:mod:`roi_models.explorer.compute`. Every callback does the same few steps:
read the widgets' values, evaluate them (a new batch from the file's, never
a mutated one), update the FigureWidgets and the KPI table. Results depend
on the widget values only, never on the order of clicks.

- Sliders (with a box to type a value, the unit and a message area) are
  generated from the schema's field metadata for the levers of
  :data:`roi_models.explorer.LEVERS`, grouped in tabs.
- Slider moves are coalesced by a :class:`~roi_models.explorer.debounce.Debouncer`
  (one recompute after a burst); :meth:`Explorer.flush` runs a pending one now.
- A typed value the schema refuses is shown next to its control with the
  schema's message; the slider, the charts and the KPI table keep the last
  valid state.
- "Save scenario" writes the current settings as a scenario file
  (:func:`roi_models.explorer.apply_levers`, validated, atomic, never over an
  existing file unless "overwrite" is ticked); "Export report" writes the
  CMO report of the current settings. Messages appear under the buttons,
  never as tracebacks.
"""

from __future__ import annotations

import datetime
import functools
import html
import os
import re
import time
from pathlib import Path
from typing import Any, Callable

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go

from ..assumptions import ScenarioFile, load_scenario_file, save_scenario_file
from ..data import DEFAULT_SCENARIO, scenario_path, shipped_scenarios
from ..errors import InputError
from . import figures
from .compute import Evaluation, ExplorerModel, evaluate
from .debounce import Debouncer, running_loop
from .kpis import kpi_html
from .levers import GROUPS, BUDGET_SCALE, SHARE_MOVED, LeverSpec, apply_levers

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_ERROR = "color:#b00020"
_OK = "color:#1b5e20"


CHART_ANSWER_SECONDS = 2.0  # a chart update unanswered by the browser this long is redrawn


class LeverControl:
    """One lever's widgets: slider, typed value, unit and message, in one row."""

    def __init__(self, spec: LeverSpec) -> None:
        self.spec = spec
        Slider = w.IntSlider if spec.integer else w.FloatSlider
        Text = w.IntText if spec.integer else w.FloatText
        conv = int if spec.integer else float
        self.slider = Slider(
            value=conv(spec.file_value), min=conv(spec.slider_min), max=conv(spec.slider_max),
            step=conv(spec.step), description=spec.label, readout=False,
            continuous_update=True, tooltip=spec.meta.description,
            style={"description_width": "220px"}, layout=w.Layout(width="460px"),
        )
        self.text = Text(value=conv(spec.file_value), step=conv(spec.step),
                         layout=w.Layout(width="110px"), tooltip=spec.meta.description)
        self.unit = w.HTML(f'<span style="color:#555">{html.escape(spec.meta.unit)}</span>',
                           layout=w.Layout(width="170px"))
        self.message = w.HTML("", layout=w.Layout(width="auto"))
        self.box = w.HBox([self.slider, self.text, self.unit, self.message],
                          layout=w.Layout(align_items="center"))
        self.box.add_class("roi-lever")

    @property
    def value(self) -> float:
        return float(self.slider.value)

    def rebind(self, spec: LeverSpec) -> None:
        """Bounds and value of another file (callbacks must be held by the caller)."""
        self.spec = spec
        conv = int if spec.integer else float
        s = self.slider
        s.min, s.max = min(conv(spec.slider_min), s.min), max(conv(spec.slider_max), s.max)
        s.value = conv(spec.file_value)
        s.min, s.max, s.step = conv(spec.slider_min), conv(spec.slider_max), conv(spec.step)
        s.tooltip = self.text.tooltip = spec.meta.description
        self.text.value = conv(spec.file_value)
        self.text.step = conv(spec.step)
        self.message.value = ""


class Explorer:
    """Interactive business-case explorer for one scenario file (see the module docstring).

    Parameters
    ----------
    scenario : a shipped scenario name (:func:`roi_models.shipped_scenarios`), a path to
        a scenario file, or a :class:`ScenarioFile`.
    folder : where "Save scenario" and "Export report" write (default: the current
        folder, which is the notebook's folder in Jupyter and Voila).
    debounce : seconds of quiet after the last slider event before recomputing
        (0: at once). Without a running event loop updates always run at once.
    today : the date printed on exported reports (default: ``datetime.date.today``).

    Examples
    --------
    What does moving a fifth of the social plans' traditional budget to social do?

    >>> ex = Explorer("b2b_it_services")
    >>> before = ex.evaluation.kpi("social", "npv")
    >>> ex.set("plans.share_moved_to_social", 0.2)
    >>> bool(ex.evaluation.kpi("social", "npv") != before)
    True
    """

    def __init__(
        self, scenario: str | os.PathLike[str] | ScenarioFile = DEFAULT_SCENARIO, *,
        folder: str | os.PathLike[str] | None = None, debounce: float = 0.15,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        self._today = today
        self._hold = False
        self._debouncer = Debouncer(self.refresh, debounce)
        self._acknowledged: dict[str, bool] = {}
        self._chart_check: Any | None = None
        sf, source, label = _resolve(scenario)
        self.model = ExplorerModel.from_file(sf, source)
        self.evaluation: Evaluation = evaluate(self.model, self.model.file_values())
        self.history_ms: list[float] = []

        options = list(shipped_scenarios())
        if label not in options:
            options.append(label)
        self._sources = {n: n for n in shipped_scenarios()} | {label: scenario}
        self.picker = w.Dropdown(options=options, value=label, description="Scenario file",
                                 style={"description_width": "100px"},
                                 layout=w.Layout(width="330px"))
        plans = self.model.names[1:] or self.model.names
        self.focus = w.Dropdown(options=list(plans), value=_default_focus(self.model),
                                description="Plan in focus", style={"description_width": "100px"},
                                layout=w.Layout(width="300px"))
        self.reset_button = w.Button(description="Reset to file", icon="undo",
                                     tooltip="Every lever back to the scenario file's value")
        self.status = w.HTML("")
        self.title = w.HTML("")
        self.budget_note = w.HTML("")

        self.controls: dict[str, LeverControl] = {s.key: LeverControl(s) for s in self.model.specs}
        pages = []
        for group in GROUPS:
            rows = [c.box for c in self.controls.values() if c.spec.lever.group == group]
            if group == "Budget":
                rows = [self.budget_note] + rows
            pages.append(w.VBox(rows))
        self.tabs = w.Tab(children=pages, titles=list(GROUPS))

        self.figures = figures.new_figures(self.evaluation, self.focus.value)
        self.kpi_table = w.HTML(kpi_html(self.evaluation.kpis, self.evaluation.currency))

        stem = _stem(label)
        self.folder = w.Text(value=str(Path(folder) if folder is not None else Path.cwd()),
                             description="Folder", style={"description_width": "60px"},
                             layout=w.Layout(width="420px"))
        self.file_name = w.Text(value=f"{stem}_explorer", description="Name",
                                style={"description_width": "50px"},
                                layout=w.Layout(width="280px"))
        self.overwrite = w.Checkbox(value=False, description="overwrite existing files",
                                    indent=False, layout=w.Layout(width="200px"))
        self.save_button = w.Button(description="Save scenario", icon="save",
                                    tooltip="Write the current settings as <name>.yaml")
        self.export_button = w.Button(description="Export report", icon="file",
                                      tooltip="Write the CMO report of the current settings "
                                      "as <name>.html")
        self.message = w.HTML("")

        for c in self.controls.values():
            c.slider.observe(self._on_slider, names="value")
            c.text.observe(self._on_text, names="value")
        self.picker.observe(self._on_picker, names="value")
        self.focus.observe(self._on_focus, names="value")
        self.reset_button.on_click(lambda _: self.reset())
        self.save_button.on_click(lambda _: self._report(self.save_scenario))
        self.export_button.on_click(lambda _: self._report(self.export_report))

        charts = self._charts = w.GridBox(list(self.figures.values()), layout=w.Layout(
            grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap="6px", width="100%"))
        self.widget = w.VBox([
            self.title,
            w.HBox([self.picker, self.focus, self.reset_button, self.status],
                   layout=w.Layout(align_items="center", flex_flow="row wrap")),
            self.tabs,
            w.HTML("<b>Business case of every scenario against the status quo</b>"),
            self.kpi_table,
            charts,
            w.HBox([self.folder, self.file_name, self.overwrite, self.save_button,
                    self.export_button], layout=w.Layout(flex_flow="row wrap")),
            self.message,
        ])
        self.widget.add_class("roi-explorer")
        self._describe()

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ values
    def values(self) -> dict[str, float]:
        """The current lever values (the sliders' values: always the last valid ones)."""
        return {key: c.value for key, c in self.controls.items()}

    def scenario_file(self) -> ScenarioFile:
        """A NEW validated scenario file with the current settings."""
        return apply_levers(self.model.file, self.values(), source=self.model.source or "explorer",
                            specs=self.model.specs)

    def set(self, key: str, value: float, *, flush: bool = True) -> None:
        """Set a lever as if typed into its box (refused values show their message).

        With ``flush`` (default) the pending recompute runs before returning.
        """
        control = self.controls[key]
        control.text.value = value
        if flush:
            self.flush()

    def flush(self) -> bool:
        """Run a pending (debounced) recompute now; True if there was one."""
        return self._debouncer.flush()

    def refresh(self) -> None:
        """Recompute with the current values and update every chart and the KPI table."""
        start = time.perf_counter()
        try:
            ev = evaluate(self.model, self.values())
        except InputError as exc:  # keep the last valid state
            self.status.value = f'<span style="{_ERROR}">{html.escape(str(exc))}</span>'
            return
        self.evaluation = ev
        figures.update(self.figures, ev, self.focus.value)
        self._watch_charts()
        self.kpi_table.value = kpi_html(ev.kpis, ev.currency)
        self._describe()
        ms = (time.perf_counter() - start) * 1e3
        self.history_ms.append(ms)
        self.status.value = f'<span style="color:#555">updated in {ms:.0f} ms</span>'

    def reset(self) -> None:
        """Every lever back to the file's value, then one recompute."""
        with self._held():
            for key, c in self.controls.items():
                c.rebind(self.model.spec(key))
        self._debouncer.cancel()
        self.refresh()

    def load(self, scenario: str | os.PathLike[str] | ScenarioFile) -> None:
        """Switch to another scenario file: levers rebound, charts refilled in place."""
        sf, source, label = _resolve(scenario)
        model = ExplorerModel.from_file(sf, source)
        self.model = model
        ev = evaluate(model, model.file_values())
        self.evaluation = ev
        with self._held():
            for key, c in self.controls.items():
                c.rebind(model.spec(key))
            plans = list(model.names[1:] or model.names)
            self.focus.options = plans
            self.focus.value = _default_focus(model)
            if label not in self.picker.options:
                self.picker.options = list(self.picker.options) + [label]
                self._sources[label] = scenario
            self.picker.value = label
            self.file_name.value = f"{_stem(label)}_explorer"
        self._debouncer.cancel()
        figures.reload(self.figures, ev, self.focus.value)
        self._watch_charts()
        self.kpi_table.value = kpi_html(ev.kpis, ev.currency)
        self._describe()
        self.message.value = ""

    # ------------------------------------------------------------------ files
    def _target(self, suffix: str, folder: str | os.PathLike[str] | None,
                name: str | None) -> Path:
        name = self.file_name.value.strip() if name is None else name
        if name.endswith(suffix):
            name = name[: -len(suffix)]
        if not _NAME.match(name):
            raise InputError.one("explorer", "name", name, "letters, digits, '_', '-' and '.' "
                                 "(no folders), starting with a letter or digit")
        target = Path(self.folder.value if folder is None else folder).expanduser()
        target.mkdir(parents=True, exist_ok=True)  # the folder the analyst chose
        return target / (name + suffix)

    def save_scenario(self, name: str | None = None, folder: str | os.PathLike[str] | None = None,
                      *, overwrite: bool | None = None) -> Path:
        """Write the current settings as ``<folder>/<name>.yaml`` (validated, atomic).

        Refuses an existing file unless ``overwrite`` (default: the checkbox).
        """
        path = self._target(".yaml", folder, name)
        overwrite = self.overwrite.value if overwrite is None else overwrite
        return save_scenario_file(self.scenario_file(), path, overwrite=overwrite)

    def export_report(self, name: str | None = None, folder: str | os.PathLike[str] | None = None,
                      *, overwrite: bool | None = None) -> Path:
        """Write the CMO report of the current settings as ``<folder>/<name>.html``."""
        # The report layer sits above the explorer; imported here, where it is used.
        from ..analysis.scenarios import run_scenarios
        from ..report import ReportOptions, write_report

        path = self._target(".html", folder, name)
        overwrite = self.overwrite.value if overwrite is None else overwrite
        if path.exists() and not overwrite:  # refuse before the work of rendering
            raise InputError.one(str(path), "", str(path),
                                 "already exists; tick 'overwrite existing files' to replace it")
        results = run_scenarios(self.scenario_file(), source=str(path.with_suffix(".yaml").name))
        return write_report(results, path, ReportOptions(date=self._today()), overwrite=overwrite)

    def _report(self, action: Callable[[], Path]) -> None:
        try:
            path = action()
        except InputError as exc:
            text = str(exc)
            if any(p.allowed.startswith("already exists") for p in exc.problems):
                text = (f"{exc.problems[0].value} already exists: tick 'overwrite existing files' "
                        "to replace it, or choose another name")
            self.message.value = _html_message(text, _ERROR)
        except OSError as exc:
            self.message.value = _html_message(f"could not write: {exc}", _ERROR)
        else:
            self.message.value = _html_message(f"Written: {path}", _OK)

    # ------------------------------------------------------------------ callbacks
    def _on_slider(self, change: dict[str, Any]) -> None:
        if self._hold:
            return
        control = self._control_of(change["owner"], "slider")
        with self._held():
            control.text.value = change["new"]
        control.message.value = ""
        self._debouncer.trigger()

    def _on_text(self, change: dict[str, Any]) -> None:
        if self._hold:
            return
        control = self._control_of(change["owner"], "text")
        value = change["new"]
        why = self._refusal(control.spec, value)
        if why:
            control.message.value = _html_message(f"{value!r} refused: {why}", _ERROR)
            return
        control.message.value = ""
        s = control.slider
        with self._held():
            s.min, s.max = min(s.min, value), max(s.max, value)
        s.value = value  # -> _on_slider -> recompute

    def _on_picker(self, change: dict[str, Any]) -> None:
        if self._hold:
            return
        try:
            self.load(self._sources[change["new"]])
        except InputError as exc:
            self.message.value = _html_message(str(exc), _ERROR)

    def _on_focus(self, change: dict[str, Any]) -> None:
        if self._hold:
            return
        figures.update_cashflow(self.figures["cashflow"], self.evaluation, change["new"])
        self._watch_charts()

    def _watch_charts(self) -> None:
        """Make sure the browser drew the charts' last update.

        A FigureWidget sends each update once, and the browser's view answers
        with the edit's id. Under load, Voila was seen to leave some charts'
        updates unanswered and undrawn while the KPI table moved on (found by
        tests/notebooks/test_explorer_voila.py). So each chart registers for
        the answer, and a chart still unanswered ``CHART_ANSWER_SECONDS``
        later is replaced by a new widget built from its current figure (its
        first view carries the whole figure). Nothing is watched without an
        event loop (plain Python, tests).
        """
        loop = running_loop()
        if loop is None:
            return
        for name, fig in self.figures.items():
            self._acknowledged[name] = False
            fig.on_edits_completed(functools.partial(self._answered, name, fig))
        if self._chart_check is not None:
            self._chart_check.cancel()
        self._chart_check = loop.call_later(CHART_ANSWER_SECONDS, self.redraw_unanswered)

    def _answered(self, name: str, fig: Any) -> None:
        if self.figures.get(name) is fig:
            self._acknowledged[name] = True

    def redraw_unanswered(self) -> list[str]:
        """Rebuild the charts whose last update the browser did not answer; their names."""
        self._chart_check = None
        stale = [name for name, done in self._acknowledged.items() if not done]
        old = [self.figures[name] for name in stale]
        for name in stale:
            self.figures[name] = go.FigureWidget(self.figures[name])
            self._acknowledged[name] = True
        if stale:
            self._charts.children = tuple(self.figures.values())
            for fig in old:
                fig.close()  # its browser model goes too
        return stale

    def _refusal(self, spec: LeverSpec, value: Any) -> str | None:
        """The schema's message for a typed value, or None if it is allowed."""
        quick = spec.problem(value)
        if spec.lever.kind != "field":
            return quick
        try:
            apply_levers(self.model.file, self.values() | {spec.key: value}, specs=self.model.specs)
        except InputError as exc:
            mine = [p for p in exc.problems if p.path.endswith(spec.key)] or list(exc.problems)
            return "; ".join(p.allowed for p in mine)
        return quick

    def _control_of(self, owner: Any, attr: str) -> LeverControl:
        return next(c for c in self.controls.values() if getattr(c, attr) is owner)

    def _held(self):
        explorer = self

        class _Hold:
            def __enter__(self):
                self.before = explorer._hold
                explorer._hold = True

            def __exit__(self, *exc):
                explorer._hold = self.before

        return _Hold()

    def _describe(self) -> None:
        m, ev = self.model, self.evaluation
        self.title.value = (
            f"<h3 style='margin:4px 0'>{html.escape(m.file.name)}</h3>"
            f"<div style='color:#555'>{len(m.names) - 1} plans against the status quo, "
            f"{ev.sim.horizon} months, amounts in {html.escape(m.currency)}, discount rate "
            f"{ev.discount_rate:.1%} a year</div>")
        rows = list(m.social_rows)
        if not rows:
            text = "No scenario adds social spend to the status quo: the budget levers act on none."
        else:
            spend = np.broadcast_to(ev.batch.spend, ev.batch.spend.shape[:2] + (ev.batch.n,))
            monthly = spend[:, 1:, :].sum(axis=0).mean(axis=0)
            social = spend[ev.batch.channel_is_social][:, 1:, :].sum(axis=0).mean(axis=0)
            parts = [f"{html.escape(m.names[i])}: {monthly[i]:,.0f} {html.escape(m.currency)}"
                     f"/month, {social[i] / monthly[i] if monthly[i] else 0:.0%} social"
                     for i in rows]
            text = ("The budget levers act on the plans that add social spend "
                    f"({'; '.join(parts)}); the status quo and the other plans keep theirs.")
        self.budget_note.value = f"<div style='color:#555;margin:4px 0'>{text}</div>"


def _default_focus(model: ExplorerModel) -> str:
    plans = list(model.names[1:] or model.names)
    return "social" if "social" in plans else plans[0]


def _resolve(scenario: Any) -> tuple[ScenarioFile, str, str]:
    """(file, source text, picker label) of a shipped name, a path or a ScenarioFile."""
    if isinstance(scenario, ScenarioFile):
        return scenario, "", scenario.name
    text = os.fspath(scenario)
    if text in shipped_scenarios():
        path = scenario_path(text)
        return load_scenario_file(path), str(path), text
    path = Path(text)
    return load_scenario_file(path), str(path), str(path)


def _stem(label: str) -> str:
    stem = Path(label).stem if label.endswith((".yaml", ".yml")) else label
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-") or "scenario"
    return stem


def _html_message(text: str, style: str) -> str:
    return f'<pre style="{style};white-space:pre-wrap;margin:2px 0">{html.escape(text)}</pre>'


__all__ = ["Explorer", "LeverControl", "SHARE_MOVED", "BUDGET_SCALE"]
