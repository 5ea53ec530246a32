"""The explorer's four charts as ONE small widget that draws plotly figures with ``Plotly.react``.

Why not four ``plotly.graph_objects.FigureWidget``s (what the explorer used
before issue 9):

- **lost updates**: in Chromium under Voila, two of the four FigureWidgets
  (the cash-flow and the CAC charts) received their update messages but
  never redrew (no ``plotly_update`` event, no error), while the other two
  and the KPI table moved on: the "redraw if unconfirmed" fallback existed
  because of it, and it rebuilt charts at the wrong width;
- **weight**: each FigureWidget carries plotly's 5 MB front-end bundle in its
  state, 20 MB per page load;
- **round trips**: after each update every FigureWidget sends its full
  trace and layout deltas back to the kernel.

This widget holds the figures as plain plotly JSON. :meth:`ChartsWidget.show`
sends whole figures (a new file); :meth:`ChartsWidget.patch` sends only the
trace attributes and layout paths that changed, in one message for all
charts; the browser applies them to its copy and redraws each changed chart
once per animation frame with ``Plotly.react``, which keeps the user's zoom
and legend choices (``uirevision``). Charts are sized by their grid cell
(``autosize``, ``responsive``, a ResizeObserver): no fixed width, whatever
redraws them. plotly.js is loaded once per page (the copy that ships with
the plotly package: nothing is fetched from a CDN).
"""

from __future__ import annotations

import base64
import copy
import json
import math
from functools import lru_cache
from typing import Any

import anywidget
import numpy as np
import traitlets

CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["sendDataToCloud", "select2d", "lasso2d", "editInChartStudio"]}

_RENDER = r"""
const CONFIG = __CONFIG__;
function setPath(obj, path, value) {
  const parts = path.split(".");
  let node = obj;
  for (const p of parts.slice(0, -1)) {
    if (node[p] === undefined || node[p] === null) node[p] = {};
    node = node[p];
  }
  node[parts[parts.length - 1]] = value;
}
function render({ model, el }) {
  const P = globalThis.Plotly;
  el.classList.add("roi-charts");
  Object.assign(el.style, {display: "grid", gridTemplateColumns: "repeat(2, minmax(0, 1fr))",
                           gap: "8px", width: "100%"});
  let figs = {}, divs = {}, dirty = new Set(), frame = null, seq = -1, viewSeq = -1;
  // what changed in each chart since it was last drawn: "full" (draw it whole with
  // Plotly.react), or the trace attributes and layout paths of the patches (drawn with
  // Plotly.update, which redraws only those: about half the time of a react here)
  let pending = {};
  const timing = globalThis.__roiCharts = globalThis.__roiCharts || {};  // for the benchmark
  const getPath = (obj, path) => path.split(".").reduce((o, p) => (o == null ? o : o[p]), obj);
  const draw = () => {
    frame = null;
    const start = performance.now();
    const done = [];
    for (const name of dirty) {
      const f = figs[name], div = divs[name], todo = pending[name] || {full: true};
      if (todo.full || !div._fullLayout) {
        // new objects: Plotly.react compares them with what it drew last
        done.push(P.react(div, f.data.map(t => Object.assign({}, t)),
                          structuredClone(f.layout), CONFIG));
      } else {
        const indices = [...todo.traces.keys()].sort((a, b) => a - b);
        const paths = new Set();
        for (const i of indices) for (const path of todo.traces.get(i)) paths.add(path);
        const update = {};
        for (const path of paths) update[path] = indices.map(i => getPath(f.data[i], path));
        const relayout = {};
        for (const path of todo.layout) relayout[path] = structuredClone(getPath(f.layout, path));
        done.push(P.update(div, update, relayout, indices));
      }
    }
    dirty.clear();
    pending = {};
    Promise.all(done).then(() => { timing.drawStart = start; timing.drawn = performance.now(); });
  };
  const schedule = (names, full) => {
    for (const n of names) {
      dirty.add(n);
      if (full) pending[n] = {full: true};
    }
    if (frame === null) frame = requestAnimationFrame(draw);
  };
  const full = () => {
    const state = model.get("figures") || {};
    figs = structuredClone(state.charts || {});
    seq = state.seq;
    viewSeq = -1;  // the next patch is applied whole
    for (const name of Object.keys(divs)) {
      if (!(name in figs)) { P.purge(divs[name]); divs[name].remove(); delete divs[name]; }
    }
    for (const name of state.order || []) {
      if (!divs[name]) {
        const div = document.createElement("div");
        div.className = "roi-chart roi-chart--" + name;
        div.style.minWidth = "0";
        el.appendChild(div);
        divs[name] = div;
      }
    }
    schedule(Object.keys(figs), true);
  };
  const patch = () => {
    const p = model.get("patch_state");
    // nothing shown yet (a widget displayed before its first figures), or a patch of
    // figures this view does not hold
    if (!p || !p.charts || p.seq === undefined || p.seq !== seq) return;
    timing.patched = performance.now();
    const whole = viewSeq !== p.n - 1;  // a patch missed: every chart is drawn whole
    const changed = whole ? Object.keys(p.charts) : p.changed;
    viewSeq = p.n;
    for (const [name, c] of Object.entries(p.charts)) {
      if (!changed.includes(name)) continue;
      const f = figs[name];
      const todo = pending[name] = pending[name] || {full: false, traces: new Map(),
                                                      layout: new Set()};
      for (const [i, attrs] of Object.entries(c.traces || {})) {
        const k = Number(i);
        if (!todo.full && !todo.traces.has(k)) todo.traces.set(k, new Set());
        for (const [path, value] of Object.entries(attrs)) {
          setPath(f.data[k], path, value);
          if (!todo.full) todo.traces.get(k).add(path);
        }
      }
      for (const [path, value] of Object.entries(c.layout || {})) {
        setPath(f.layout, path, value);
        if (!todo.full) todo.layout.add(path);
      }
      if (whole) todo.full = true;
    }
    schedule(changed, whole);
  };
  // charts whose figures wait for a newer computation are dimmed (the "updating" state)
  const markStale = () => {
    const stale = model.get("stale") || [];
    for (const [name, div] of Object.entries(divs)) {
      div.classList.toggle("roi-chart--stale", stale.includes(name));
      div.style.opacity = stale.includes(name) ? "0.45" : "";
    }
  };
  model.on("change:figures", () => { full(); markStale(); });
  model.on("change:patch_state", patch);
  model.on("change:stale", markStale);
  const resize = new ResizeObserver(() => {
    for (const d of Object.values(divs)) if (d._fullLayout) P.Plots.resize(d);
  });
  resize.observe(el);
  full();
  patch();
  markStale();
  return () => { resize.disconnect(); for (const d of Object.values(divs)) P.purge(d); };
}
export default { render };
"""


@lru_cache(maxsize=1)
def _esm() -> str:
    from plotly.offline import get_plotlyjs

    return ("if (!globalThis.Plotly) {\n" + get_plotlyjs() + "\n}\n"
            + _RENDER.replace("__CONFIG__", json.dumps(CONFIG)))


def _plain(value: Any) -> Any:
    """JSON-ready: numpy arrays to lists (NaN to None), tuples to lists."""
    if isinstance(value, np.ndarray):
        if value.ndim > 1:  # a heatmap's z: row by row
            return [_plain(row) for row in value]
        return [None if not np.isfinite(v) else float(v) for v in value.astype(float)] \
            if value.dtype.kind == "f" else value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value and set(value) <= {"bdata", "dtype", "shape"}:
            # plotly 6+ writes numpy arrays as base64 blocks: back to numbers
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                shape = value["shape"]
                array = array.reshape([int(n) for n in str(shape).split(",")]
                                      if isinstance(shape, str) else shape)
            return _plain(array)
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN: plotly reads null as a gap
    return value


def _get(node: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _put(node: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


class ChartsWidget(anywidget.AnyWidget):
    """Four (or any number of) plotly charts in a 2-column grid (see the module docstring)."""

    _esm = traitlets.Unicode(_esm()).tag(sync=True)
    figures = traitlets.Dict().tag(sync=True)
    patch_state = traitlets.Dict().tag(sync=True)
    stale = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Names of the charts drawn dimmed: their figures wait for a newer computation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._seq = 0
        self._charts: dict[str, dict] = {}
        self._order: list[str] = []
        self._patches = 0
        self._since_show: dict[str, dict] = {}

    @property
    def charts(self) -> dict[str, dict]:
        """The figures as the browser holds them: ``{name: {"data": [...], "layout": {...}}}``."""
        return self._charts

    def data(self, name: str) -> list[dict]:
        return self._charts[name]["data"]

    def layout(self, name: str) -> dict:
        return self._charts[name]["layout"]

    def show(self, figures: dict[str, Any]) -> None:
        """Replace every chart by ``figures`` (plotly figures or their JSON dicts)."""
        charts = {}
        for name, fig in figures.items():
            plain = fig if isinstance(fig, dict) else json.loads(fig.to_json())
            plain.setdefault("layout", {})["uirevision"] = self._seq + 1
            charts[name] = plain
        self._seq += 1
        self._since_show = {}
        self._charts, self._order = charts, list(figures)
        self.figures = {"seq": self._seq, "order": self._order, "charts": copy.deepcopy(charts)}

    def patch(self, changes: dict[str, dict]) -> dict:
        """Send what changed: ``{name: {"traces": {i: {attr: value}}, "layout": {path: value}}}``.

        Values equal to what the browser holds are dropped; nothing is sent
        when nothing changed. Returns what was sent.
        """
        out: dict[str, dict] = {}
        for name, change in changes.items():
            chart = self._charts[name]
            sent: dict[str, dict] = {}
            traces = {}
            for i, attrs in (change.get("traces") or {}).items():
                trace = chart["data"][int(i)]
                diff = {}
                for path, value in attrs.items():
                    value = _plain(value)
                    if _get(trace, path) != value:
                        _put(trace, path, value)
                        diff[path] = value
                if diff:
                    traces[str(i)] = diff
            if traces:
                sent["traces"] = traces
            layout = {}
            for path, value in (change.get("layout") or {}).items():
                value = _plain(value)
                if _get(chart["layout"], path) != value:
                    _put(chart["layout"], path, value)
                    layout[path] = value
            if layout:
                sent["layout"] = layout
            if sent:
                out[name] = sent
        if out:
            # the trait holds every change since the last show(), so that a view created
            # now (figures + this) draws the current state; the browser redraws `changed`
            for name, sent in out.items():
                into = self._since_show.setdefault(name, {})
                for i, attrs in sent.get("traces", {}).items():
                    into.setdefault("traces", {}).setdefault(i, {}).update(attrs)
                into.setdefault("layout", {}).update(sent.get("layout", {}))
            self._patches += 1
            self.patch_state = {"seq": self._seq, "n": self._patches, "changed": list(out),
                                "charts": self._since_show}
        return out

    def put(self, figures: dict[str, Any], *, order: tuple[str, ...] = ()) -> dict:
        """Show ``figures`` (plotly figures or :func:`figure_json` dicts; the other charts stay).

        A chart the browser holds with as many traces, of the same types, gets
        only the attributes and top-level layout entries that differ
        (:func:`figure_changes`); a new chart or a changed trace list sends every
        chart whole (:meth:`show`, in ``order`` first, then as held). Returns what
        was sent: the patch, or ``{"show": names}``.
        """
        plain = {name: fig if isinstance(fig, dict) else figure_json(fig)
                 for name, fig in figures.items()}
        changes = {}
        for name, fig in plain.items():
            change = figure_changes(self._charts[name], fig) if name in self._charts else None
            if change is None:
                break
            changes[name] = change
        else:
            return self.patch(changes)
        merged = {name: self._charts[name] for name in self._order} | plain
        names = [n for n in order if n in merged] + [n for n in merged if n not in order]
        self.show({name: merged[name] for name in names})
        return {"show": names}


def figure_json(fig: Any) -> dict:
    """A plotly figure as plain JSON values (lists, not numpy arrays nor base64 blocks).

    >>> import plotly.graph_objects as go
    >>> figure_json(go.Figure(go.Bar(x=np.array([1.5, np.nan]))))["data"][0]["x"]
    [1.5, None]
    """
    return _plain(fig.to_plotly_json())


_KEPT = ("uirevision",)  # layout entries the widget sets itself


def figure_changes(held: dict, new: dict) -> dict | None:
    """The patch turning figure ``held`` into ``new`` (both plain JSON), or None if it cannot.

    Per trace, every top-level attribute that differs (an attribute ``new`` lacks
    is sent as None, which plotly resets); per layout, every top-level entry
    that differs. None when the traces differ in number or type.

    >>> a = {"data": [{"type": "bar", "x": [1]}], "layout": {"title": {"text": "A"}}}
    >>> figure_changes(a, {"data": [{"type": "bar", "x": [2]}], "layout": {"title": {"text": "A"}}})
    {'traces': {0: {'x': [2]}}, 'layout': {}}
    >>> figure_changes(a, {"data": [], "layout": {}}) is None
    True
    """
    old_data, new_data = held.get("data", []), new.get("data", [])
    if len(old_data) != len(new_data) or any(
            a.get("type") != b.get("type") for a, b in zip(old_data, new_data, strict=True)):
        return None
    traces = {}
    for i, (a, b) in enumerate(zip(old_data, new_data, strict=True)):
        diff = {k: b.get(k) for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)}
        if diff:
            traces[i] = diff
    old_layout, new_layout = held.get("layout", {}), new.get("layout", {})
    layout = {k: new_layout.get(k) for k in dict.fromkeys([*old_layout, *new_layout])
              if k not in _KEPT and old_layout.get(k) != new_layout.get(k)}
    return {"traces": traces, "layout": layout}


__all__ = ["CONFIG", "ChartsWidget", "figure_changes", "figure_json"]
