"""The business-case explorer: sliders generated from the schema, charts updated in place.

:class:`Explorer` wires ipywidgets to the pure computation of
:mod:`roi_models.explorer.compute`. The state is in ONE place: the lever
values of the loaded file (:meth:`Explorer.values`), kept in Python and
validated on the way in. Every callback does the same few steps: check the
event belongs to the file on screen, read the new value, store it, and
recompute (:meth:`Explorer.refresh`) into a
:class:`~roi_models.ScenarioResults`, from which the charts, the KPI table,
"Save scenario" and "Export report" all take their figures
(:attr:`Explorer.results`, :attr:`Explorer.shown_values`).

One file, one set of controls
-----------------------------
Switching the scenario file builds NEW controls (sliders, boxes, the plan
picker) for the new file, closes the old ones and bumps a generation
number that every callback checks (the charts, which hold no input, get
the new file's figures in place:
:class:`~roi_models.explorer.chartwidget.ChartsWidget`). That is the fix of issue 9:
the browser's slider view re-snaps and echoes its value when its range or
step changes, and those echoes of the old file's values arrived after the
load had finished and were applied to the new file (a revenue per customer
of 4,000 in a file of 120, a social NPV of 821,938 instead of 122,592).
Old widgets are closed, so their late events find no comm; any that still
arrive are counted in :attr:`Explorer.stale_events` and ignored.

- Sliders move over step indices, values are formatted and parsed in
  Python (:mod:`roi_models.explorer.controls`, :mod:`~roi_models.explorer.display`):
  boxes show the step's precision, a typed value is rounded visibly or
  refused with plain advice on the row's own line, and the charts keep the
  last valid state (which is also what Save writes).
- Under the KPI table, the views (:mod:`roi_models.explorer.views`) are tabs;
  only the visible one is drawn after a recompute, the others catch up when
  shown.
- Changes are coalesced by a leading-edge
  :class:`~roi_models.explorer.coalesce.Coalescer`: a single step is
  computed at once, a drag at most every 30 ms.
- "Save scenario" writes the settings the charts show as a scenario file
  (validated, atomic, never over an existing file unless "overwrite" is
  ticked); "Export report" writes their CMO report. Messages appear under
  the buttons, never as tracebacks.
"""

from __future__ import annotations

import datetime
import functools
import html
import math
import numbers
import os
import re
import time
from pathlib import Path
from typing import Any, Callable

import ipywidgets as w
import pandas as pd

from ..analysis.scenarios import ScenarioResults
from ..assumptions import ScenarioFile, load_scenario_file, save_scenario_file
from ..data import DEFAULT_SCENARIO, scenario_path, shipped_scenarios
from ..errors import CONTROL_CHARACTERS, InputError, visible
from ..formatting import money_exact, percent
from . import figures
from .chartwidget import ChartsWidget
from .coalesce import Coalescer
from .compute import ExplorerModel, evaluate
from .controls import LeverControl
from .kpis import KPI_CSS, kpi_html
from .levers import BUDGET_SCALE, GROUPS, SHARE_MOVED, apply_levers
from .views import VIEWS, BusinessCaseView, RiskView, SensitivityView, Shown, View

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")  # fullmatch: the whole name
_ERROR = "color:#b00020"
_OK = "color:#1b5e20"


class Explorer:
    """Interactive business-case explorer for one scenario file at a time (module docstring).

    Parameters
    ----------
    scenario : a shipped scenario name (:func:`roi_models.shipped_scenarios`), a path to
        a scenario file, or a :class:`ScenarioFile`.
    folder : where "Save scenario" and "Export report" write (default: the current
        folder, which is the notebook's folder in Jupyter and Voila).
    interval : at most one recompute every ``interval`` seconds during a burst of
        changes (an isolated change is computed at once). Without a running event loop
        every change is computed at once.
    today : the date printed on exported reports (default: ``datetime.date.today``).

    Examples
    --------
    What does moving a fifth of the social plans' traditional budget to social do?

    >>> ex = Explorer("b2b_it_services")
    >>> before = ex.kpi("social", "npv")
    >>> ex.set("plans.share_moved_to_social", 0.2)
    >>> bool(ex.kpi("social", "npv") != before)
    True
    """

    def __init__(
        self, scenario: str | os.PathLike[str] | ScenarioFile = DEFAULT_SCENARIO, *,
        folder: str | os.PathLike[str] | None = None, interval: float = 0.03,
        today: Callable[[], datetime.date] = datetime.date.today, settle: float = 0.25,
    ) -> None:
        start = time.perf_counter()
        self._today = today
        self._generation = 0
        self.stale_events = 0
        self.history_ms: list[float] = []
        self._coalescer = Coalescer(self.refresh, interval)
        self._sources: dict[str, Any] = {n: n for n in shipped_scenarios()}
        self._picking = False
        self._serial = 0

        self.picker = w.Dropdown(options=list(shipped_scenarios()), description="Scenario file",
                                 style={"description_width": "100px"},
                                 layout=w.Layout(width="340px"))
        self.reset_button = w.Button(description="Reset to file",
                                     tooltip="Every lever back to the scenario file's value")
        self.status = w.HTML("")
        self.title = w.HTML("")
        self.budget_note = w.HTML("")
        self.focus_area = w.HBox([])
        self.lever_area = w.VBox([])
        self.kpi_table = w.HTML("", layout=w.Layout(overflow="auto"))  # wide: scrolls
        self.views: list[View] = []
        for make in VIEWS:
            view = make(self._draw_visible)
            if isinstance(view, SensitivityView):
                view.settled.delay = settle
            self.views.append(view)
        self.view_tabs = w.Tab(children=[v.widget for v in self.views],
                               titles=[v.title for v in self.views], selected_index=0)
        self.view_tabs.add_class("roi-views")
        self.folder = w.Text(value=str(Path(folder) if folder is not None else Path.cwd()),
                             description="Folder", style={"description_width": "60px"},
                             layout=w.Layout(width="420px"))
        self.file_name = w.Text(description="Name", style={"description_width": "50px"},
                                layout=w.Layout(width="280px"))
        self.overwrite = w.Checkbox(value=False, description="overwrite existing files",
                                    indent=False, layout=w.Layout(width="200px"))
        self.save_button = w.Button(description="Save scenario",
                                    tooltip="Write the settings the charts show as <name>.yaml")
        self.export_button = w.Button(description="Export report",
                                      tooltip="Write the CMO report of the settings the charts "
                                      "show as <name>.html")
        self.message = w.HTML("")

        self.controls: dict[str, LeverControl] = {}
        self._bind(scenario)

        self.picker.observe(self._on_picker, names="value")
        self.view_tabs.observe(lambda _: self._draw_visible(), names="selected_index")
        self.reset_button.on_click(lambda _: self.reset())
        self.save_button.on_click(lambda _: self._report(self.save_scenario))
        self.export_button.on_click(lambda _: self._report(self.export_report))
        self.widget = w.VBox([
            w.HTML(f"<style>{KPI_CSS}</style>"),
            self.title,
            w.HBox([self.picker, self.focus_area, self.reset_button, self.status],
                   layout=w.Layout(align_items="center", flex_flow="row wrap")),
            self.lever_area,
            w.HTML("<b>Business case of every plan against the status quo</b>"),
            self.kpi_table,
            self.view_tabs,
            w.HBox([self.folder, self.file_name, self.overwrite, self.save_button,
                    self.export_button], layout=w.Layout(flex_flow="row wrap")),
            self.message,
        ])
        self.widget.add_class("roi-explorer")
        self.timings = {"build_s": round(time.perf_counter() - start, 3)}
        self.status.value = (f'<span class="roi-timings" data-timings="build_s='
                             f'{self.timings["build_s"]}" style="color:#555">ready</span>')

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ views
    @property
    def charts(self) -> ChartsWidget:
        """The business-case charts (the first tab)."""
        return self.view(BusinessCaseView).charts

    @property
    def sensitivity(self) -> SensitivityView:
        """The Sensitivity tab (tornado and decision margins)."""
        return self.view(SensitivityView)

    @property
    def risk(self) -> RiskView:
        """The Risk tab (a Monte Carlo of the settings on screen, on demand)."""
        return self.view(RiskView)

    def view(self, kind: type) -> Any:
        """The view of a type (:data:`roi_models.explorer.views.VIEWS`)."""
        return next(v for v in self.views if isinstance(v, kind))

    def show_view(self, title: str) -> None:
        """Select a tab by its title ("Business case", "Sensitivity", "Risk"), as a click would."""
        self.view_tabs.selected_index = [v.title for v in self.views].index(title)

    def shown(self) -> Shown:
        """What the explorer shows now (the input of every view)."""
        return Shown(self.model, self.results, dict(self.shown_values), self.focus.value,
                     self.label, self._generation, self._serial)

    def _draw_visible(self) -> None:
        """Draw the visible view if it does not show the current figures (the others wait)."""
        index = self.view_tabs.selected_index or 0
        self.views[index].show(self.shown())

    # ------------------------------------------------------------------ state
    def values(self) -> dict[str, float]:
        """The current lever values of the loaded file (always valid ones)."""
        return dict(self._values)

    def kpi(self, scenario: str, column: str) -> float:
        """One KPI of the figures on screen (NaN where it does not exist)."""
        value = self.results.summary.set_index("scenario").loc[scenario, column]
        return float("nan") if pd.isna(value) else float(value)

    def scenario_file(self) -> ScenarioFile:
        """A NEW validated scenario file of the settings the charts show."""
        self.flush()
        return apply_levers(self.model.file, self.shown_values,
                            source=self.model.source or "explorer", specs=self.model.specs)

    def set(self, key: str, value: float, *, flush: bool = True) -> None:
        """Set a lever as if its value were typed into its box (refusals show their message).

        Anything but a finite real number (NaN, inf, a string, None, ``True``,
        which is no month nor count) is refused on the lever's row with the
        schema's allowed values, like a refused typed value: the figures and
        what Save writes keep the last valid state. With ``flush`` (default) a
        pending recompute runs before returning.
        """
        control = self.controls[key]
        if not _finite_real(value):
            kept = self._values[key]
            control.show(kept)
            control.say(f"{_echo(_repr(value))} refused: {control.spec.problem(value)}. "
                        f"Kept {control.fmt.quantity(kept)}.", error=True)
            return
        text = f"{float(value) * control.fmt.scale:.10g}"
        if control.text.value == text:  # a refused value shown again: type it anew
            control.setting = True
            control.text.value = ""
            control.setting = False
        control.text.value = text
        if flush:
            self.flush()

    def flush(self) -> bool:
        """Run a pending (coalesced) recompute now; True if there was one."""
        return self._coalescer.flush()

    def refresh(self) -> None:
        """Recompute with the current values and update every chart and the KPI table."""
        start = time.perf_counter()
        values = dict(self._values)
        try:
            res = evaluate(self.model, values)
        except InputError as exc:  # keep the last valid state
            self.status.value = f'<span style="{_ERROR}">{html.escape(str(exc))}</span>'
            return
        self._show(res, values)
        ms = (time.perf_counter() - start) * 1e3
        self.history_ms.append(ms)

    def _show(self, res: ScenarioResults, values: dict[str, float]) -> None:
        self.results, self.shown_values = res, values
        self._serial += 1
        self._draw_visible()  # the charts' messages first: the table's state says they are sent
        self.kpi_table.value = kpi_html(
            res.summary, res.currency, horizon=res.horizon,
            labels={n: figures.plan_label(n) for n in res.names},
            state={"file": self.label, "generation": self._generation, "values": values})

    def reset(self) -> None:
        """Every lever back to the file's value, then one recompute."""
        self._values = self.model.file_values()
        for key, c in self.controls.items():
            c.show(self._values[key])
            c.say()
        self._coalescer.cancel()
        self.refresh()

    def load(self, scenario: str | os.PathLike[str] | ScenarioFile) -> None:
        """Switch to another scenario file: new controls and charts, the old ones closed."""
        self.flush()
        self._bind(scenario)
        self.message.value = ""

    def _bind(self, scenario: Any) -> None:
        """Build everything that belongs to one file (module docstring: one file, one set)."""
        sf, source, label = _resolve(scenario)
        model = ExplorerModel.from_file(sf, source)
        self._coalescer.cancel()
        self._generation += 1
        gen = self._generation
        self.model, self.label = model, label
        self._values = model.file_values()
        old_controls = self.controls

        controls = {s.key: LeverControl(s, model.currency, self._values[s.key])
                    for s in model.specs}
        for key, c in controls.items():
            c.slider.observe(functools.partial(self._on_index, gen, key), names="value")
            c.text.observe(functools.partial(self._on_text, gen, key), names="value")
        pages = []
        for group in GROUPS:
            rows = [c.box for c in controls.values() if c.spec.lever.group == group]
            if group == "Budget":
                rows = [self.budget_note] + rows
            pages.append(w.VBox(rows))
        selected = self.lever_area.children[0].selected_index if self.lever_area.children else 0
        tabs = w.Tab(children=pages, titles=list(GROUPS), selected_index=selected)
        tabs.add_class("roi-lever-tabs")
        plans = list(model.names[1:] or model.names)
        focus = w.Dropdown(options=[(figures.plan_label(n), n) for n in plans],
                           value=_default_focus(model), description="Plan in focus",
                           style={"description_width": "100px"}, layout=w.Layout(width="300px"))
        focus.observe(functools.partial(self._on_focus, gen), names="value")
        self.controls, self.focus = controls, focus

        res = model.base  # the file's own run: every lever at its file value
        self.results, self.shown_values = res, dict(self._values)
        first = self.shown()
        for view in self.views:  # each draws the new file when it is next visible
            view.bind(first)

        old_tabs = self.lever_area.children
        old_focus = self.focus_area.children
        self.lever_area.children = (tabs,)
        self.focus_area.children = (focus,)
        self._show(res, dict(self._values))
        self._describe()  # the file's own figures: text above the levers does not move per step
        if label not in self.picker.options:
            self.picker.options = list(self.picker.options) + [label]
            self._sources[label] = scenario
        if self.picker.value != label:
            self._picking = True
            try:
                self.picker.value = label
            finally:
                self._picking = False
        self.file_name.value = f"{_stem(label)}_explorer"
        for c in old_controls.values():  # after the swap: no view shows them any more
            c.close()
        for widget in (*old_focus, *old_tabs):
            for page in getattr(widget, "children", ()):
                page.close()
            widget.close()

    # ------------------------------------------------------------------ files
    def _target(self, suffix: str, folder: str | os.PathLike[str] | None,
                name: str | None) -> Path:
        """The file to write: ``name`` checked by :func:`file_name_problem`, in ``folder``."""
        name = self.file_name.value.strip(" ") if name is None else name
        if isinstance(name, str) and name.endswith(suffix):
            name = name[: -len(suffix)]
        why = file_name_problem(name)
        if why:
            raise InputError.one("explorer", "name", name, why)
        where = self.folder.value if folder is None else folder
        text = os.fspath(where) if isinstance(where, (str, os.PathLike)) else None
        if not isinstance(text, str) or not text.strip() or CONTROL_CHARACTERS.search(text):
            raise InputError.one("explorer", "folder", where, "a folder path without control "
                                 "characters")
        target = Path(text).expanduser()
        target.mkdir(parents=True, exist_ok=True)  # the folder the analyst chose
        return target / (name + suffix)

    def save_scenario(self, name: str | None = None, folder: str | os.PathLike[str] | None = None,
                      *, overwrite: bool | None = None) -> Path:
        """Write the settings the charts show as ``<folder>/<name>.yaml`` (validated, atomic).

        Refuses an existing file unless ``overwrite`` (default: the checkbox).
        """
        path = self._target(".yaml", folder, name)
        overwrite = self.overwrite.value if overwrite is None else overwrite
        return save_scenario_file(self.scenario_file(), path, overwrite=overwrite)

    def export_report(self, name: str | None = None, folder: str | os.PathLike[str] | None = None,
                      *, overwrite: bool | None = None) -> Path:
        """Write the CMO report of the settings the charts show as ``<folder>/<name>.html``."""
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
    def _current(self, gen: int) -> bool:
        """Whether an event comes from the controls of the file on screen (else it is counted)."""
        if gen != self._generation:
            self.stale_events += 1
            return False
        return True

    def _on_index(self, gen: int, key: str, change: dict[str, Any]) -> None:
        if not self._current(gen) or self.controls[key].setting:
            return
        control = self.controls[key]
        value = control.value_at(change["new"])
        self._values[key] = value
        control.show(value, slider=False)
        control.say()
        self._coalescer.trigger()

    def _on_text(self, gen: int, key: str, change: dict[str, Any]) -> None:
        if not self._current(gen) or self.controls[key].setting:
            return
        control = self.controls[key]
        typed = str(change["new"])
        try:
            value, note = control.fmt.read(typed)
            why = self._refusal(key, value)
            if why:
                raise ValueError(why)
        except ValueError as exc:
            kept = self._values[key]
            control.show(kept)
            control.say(f"{_echo(typed.strip())} refused: {exc}. "
                        f"Kept {control.fmt.quantity(kept)}.", error=True)
            return
        self._values[key] = value
        control.show(value)
        control.say(note or "")
        self._coalescer.trigger()

    def _on_picker(self, change: dict[str, Any]) -> None:
        if self._picking:
            return
        try:
            self.load(self._sources[change["new"]])
        except InputError as exc:
            self.message.value = _html_message(str(exc), _ERROR)

    def _on_focus(self, gen: int, change: dict[str, Any]) -> None:
        if not self._current(gen):
            return
        self.flush()
        self._draw_visible()

    def _refusal(self, key: str, value: float) -> str | None:
        """Why the schema refuses ``value`` with the other settings (None: allowed)."""
        spec = self.model.spec(key)
        if spec.lever.kind != "field":
            return None
        try:
            apply_levers(self.model.file, self._values | {key: value}, specs=self.model.specs)
        except InputError as exc:
            mine = [p for p in exc.problems if p.path.endswith(key)] or list(exc.problems)
            return "not allowed with the other settings: " + "; ".join(p.allowed for p in mine)
        return None

    def _describe(self) -> None:
        m = self.model
        res = m.base
        self.title.value = (
            f"<h3 style='margin:4px 0'>{html.escape(m.file.name)}</h3>"
            f"<div style='color:#555'>{len(m.names) - 1} plans against the status quo, "
            f"{res.horizon} months, amounts in {html.escape(m.currency)}, discount rate in the "
            f"file {percent(res.discount_rate, 1)} a year</div>")
        rows = list(m.social_rows)
        if not rows:
            text = "No scenario adds social spend to the status quo: the budget levers act on none."
        else:
            spend = res.sim.spend_by_kind  # (n, kinds, T+1): traditional, social
            monthly = spend[:, :, 1:].sum(axis=1).mean(axis=1)
            social = spend[:, 1, 1:].mean(axis=1)
            parts = [f"{html.escape(figures.plan_label(m.names[i]))}: "
                     f"{money_exact(monthly[i], m.currency)} a month, "
                     f"{percent(social[i] / monthly[i] if monthly[i] else 0)} social"
                     for i in rows]
            text = ("The budget levers act on the plans that add social spend (in the file: "
                    f"{'; '.join(parts)}); the status quo and the other plans keep theirs.")
        note = f"<div style='color:#555;margin:4px 0'>{text}</div>"
        if self.budget_note.value != note:
            self.budget_note.value = note


RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{d}{i}" for d in ("COM", "LPT") for i in (*"123456789", "\u00b9", "\u00b2", "\u00b3")])
"""Device names Windows reserves whatever the extension (``nul.yaml`` is the null device there)."""


def file_name_problem(name: object) -> str | None:
    r"""Why ``name`` cannot be a Save or Export file name (without its suffix), or None.

    Allowed: 1-100 ASCII letters, digits, ``_``, ``-`` and ``.``, starting with a
    letter or digit, not ending with ``.``, not a reserved device name. So no
    folder (``/``, ``\``), no control character (a trailing newline included:
    the whole name must match, not a line of it), no space.

    >>> file_name_problem("b2b_case.v2") is None
    True
    >>> [bool(file_name_problem(n)) for n in ("case\n", "../case", "NUL", "con.tar", "a.")]
    [True, True, True, True, True]
    """
    allowed = ("1-100 letters, digits, '_', '-' and '.', starting with a letter or digit "
               "(no folder, space or control character)")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return allowed
    if name.endswith("."):
        return allowed + ", not ending with '.'"
    if name.split(".")[0].upper() in RESERVED_NAMES:
        return allowed + ", not a reserved device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)"
    return None


def _finite_real(value: object) -> bool:
    """A finite real number, not a bool (``True`` is no month nor count), nor too big a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return math.isfinite(float(value))
    except (OverflowError, ValueError):  # an int of 400 digits
        return False


def _repr(value: object) -> str:
    try:
        return repr(value)
    except ValueError:  # an int of more digits than Python converts to text
        return "<a very large integer>"


def _echo(text: str, limit: int = 40) -> str:
    """A refused input as a message shows it: control characters escaped, at most ``limit``."""
    shown = visible(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


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


__all__ = ["BUDGET_SCALE", "RESERVED_NAMES", "SHARE_MOVED", "Explorer", "LeverControl",
           "file_name_problem"]
