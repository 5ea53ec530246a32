"""Sensitivity and break-even: which assumptions carry the case, and how far each can move.

The analyses executives know from spreadsheets, each ONE batch through the
engine (or, for root finding, a short sequence of batched evaluations):

- :func:`tornado`: every uncertain field at its low and at its high, all
  other fields at their values (one at a time), sorted by swing;
- :func:`spider`: the KPI against -30 %..+30 % of each field, clipped to the
  field's bounds (the clip is reported);
- :func:`data_table`: the KPI over a grid of two fields (Excel's
  two-variable Data Table);
- :func:`goal_seek`: the value of a field at which a KPI reaches a target
  (Excel's Goal Seek), by scipy's bracketing root finder;
- :func:`decision_margins`: for each uncertain field, the value at which the
  recommended plan stops beating the next best plan and the status quo, and
  how far that is from today's value.

The question
------------
Every analysis answers a :class:`Question`: a KPI of ``plan`` against
``against`` (the status quo by default; the decision question "social or
traditional?" is plan against plan). Incremental KPIs (NPV, ROI, IRR,
payback) are those of the plan's cash flow minus the other plan's, month by
month (:func:`roi_models.engine.business_case`); the plan's own KPIs (CAC,
CLV, CLV/CAC, cost-of-sales share, churn, customers) are the plan's values.

The world versus the plan
-------------------------
An uncertain field of ``base`` describes the world: its low, high or any
other value applies to every plan that takes the field from ``base``, the
status quo included, and not to a plan that sets the field itself (that
value is the plan's own decision). A plan's own figure is uncertain only
where the file says so, under the key ``scenarios.<plan>.<field path>`` in
the ``uncertainty`` section (for example
``scenarios.social.programme.one_time_cost``): that range applies to that
plan only. The budget levers, which are not one schema path, act on the
question's plan only, with the explorer's meaning
(:func:`roi_models.analysis.whatif.move_budget`): ``plans.budget_moved_to_social``
(-1..1, 0: the plan itself) and ``plans.budget_multiplier`` (1: the file's
budget).

Examples
--------
Which assumption moves the B2B social plan's NPV most?

>>> from roi_models import load_shipped, run_scenarios
>>> res = run_scenarios(load_shipped("b2b_it_services"))
>>> t = tornado(res, plan="social")
>>> t.iloc[0]["field"]
'economics.revenue_per_customer_monthly'
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import elementwise

from ..assumptions import STATUS_QUO, FieldMeta, field_meta
from ..assumptions.merge import get_path
from ..engine import ParamBatch, business_case, plan_metrics, simulate
from ..errors import InputError
from ..formatting import KPIS, percent
from .decision import recommend
from .scenarios import ScenarioResults
from .whatif import move_budget

MOVED = "plans.budget_moved_to_social"
"""Lever path: budget moved to social (-1..1; :func:`roi_models.analysis.whatif.move_budget`)."""
MULTIPLIER = "plans.budget_multiplier"
"""Lever path: multiple of the plan's channel budget (1: the file's)."""

INCREMENTAL_KPIS: tuple[str, ...] = (
    "npv", "roi", "irr_annual", "payback_month", "discounted_payback_month", "mirr_annual")
OWN_KPIS: tuple[str, ...] = (
    "cac", "cac_blended", "clv", "clv_to_cac", "cost_of_sales_share", "churn_monthly_avg",
    "customers_end")
KPI_NAMES: tuple[str, ...] = INCREMENTAL_KPIS + OWN_KPIS

SPIDER_CHANGES: np.ndarray = np.round(np.linspace(-0.3, 0.3, 13), 10)
"""-30 %, -25 %, ..., +30 % of each field's value."""

_LEVER_META = {
    MOVED: FieldMeta(path=MOVED, label="Budget moved to social", unit="share", low=-1.0,
                     high=1.0, low_inclusive=True, step=0.05, integer=False,
                     description="Share of the plan's traditional channel spend moved to its "
                     "social channels (negative: social spend moved to traditional)."),
    MULTIPLIER: FieldMeta(path=MULTIPLIER, label="Total marketing budget", unit="x plan budget",
                          low=0.0, high=10.0, low_inclusive=True, step=0.05, integer=False,
                          description="Multiple of every channel's spend in the plan."),
}
_CHANNEL_PARAMS = ("spend_before_plan", "carryover", "max_leads_monthly", "half_saturation",
                   "shape")


# ----------------------------------------------------------------------------- question
@dataclass(frozen=True)
class Question:
    """A KPI of ``plan`` against ``against`` (see the module docstring)."""

    plan: str
    against: str = STATUS_QUO
    kpi: str = "npv"

    @property
    def incremental(self) -> bool:
        return self.kpi in INCREMENTAL_KPIS

    def describe(self) -> str:
        label = KPIS[self.kpi].label
        if self.incremental:
            return f"{label} of {self.plan} against {self.against}"
        return f"{label} of {self.plan}"


def recommended_plan(results: ScenarioResults) -> str:
    """The recommended plan of a run (:func:`roi_models.analysis.decision.recommend`)."""
    return recommend(results).plan


def ask(results: ScenarioResults, plan: str | None = None, against: str | None = None,
        kpi: str = "npv") -> Question:
    """A validated :class:`Question`; ``plan`` defaults to the recommended plan.

    Raises InputError for an unknown plan or KPI (with the nearest valid name),
    or a plan compared with itself.
    """
    if kpi not in KPI_NAMES:
        raise InputError.one("argument", "kpi", kpi, _choice(kpi, list(KPI_NAMES), "KPI"))
    if plan is None:
        rec = recommend(results)
        # nothing beats doing nothing: the question is about the best plan all the same
        plan = rec.plan if rec.adopts_a_plan or rec.best is None else rec.best
    results.index(plan)
    against = STATUS_QUO if against is None else against
    results.index(against)
    if against == plan and kpi in INCREMENTAL_KPIS:
        raise InputError.one("argument", "against", against,
                             f"another plan than '{plan}' (a plan against itself is 0)")
    return Question(plan=plan, against=against, kpi=kpi)


# ----------------------------------------------------------------------------- fields
@dataclass(frozen=True)
class Field:
    """A numeric input an analysis can move: a schema path, a plan's own figure or a lever."""

    key: str  # as written: "market.bass_q_annual", "scenarios.social.programme.one_time_cost"
    path: str  # schema path (or lever path) the value goes to
    plan: str | None  # the one plan it applies to (a plan's own figure), None for the world
    meta: FieldMeta
    low: float | None = None  # uncertainty range, when the file gives one
    high: float | None = None

    @property
    def label(self) -> str:
        """A readable name: the schema's label, with the channel or cohort it belongs to."""
        parts = self.path.split(".")
        label = self.meta.label
        if parts[0] == "channels" and len(parts) == 3:
            label = f"{parts[1]}: {label[:1].lower()}{label[1:]}"
        elif parts[:2] == ["retention", "churn_monthly"]:
            label = f"Monthly churn, {label[:1].lower()}{label[1:]} customers"
        return label + (f" ({self.plan})" if self.plan else "")

    @property
    def lever(self) -> bool:
        return self.path in _LEVER_META

    def bounds(self) -> tuple[float, float]:
        """The schema's bounds as a closed search interval (open ends nudged inside)."""
        lo = -math.inf if self.meta.low is None else float(self.meta.low)
        hi = math.inf if self.meta.high is None else float(self.meta.high)
        if self.meta.low is not None and not self.meta.low_inclusive:
            lo = lo + max(abs(lo), 1.0) * 1e-9
        return lo, hi

    def clip(self, values: np.ndarray) -> np.ndarray:
        lo, hi = self.bounds()
        return np.clip(values, lo, hi)


def field(results: ScenarioResults, key: str) -> Field:
    """The :class:`Field` of a key: a schema path, ``scenarios.<plan>.<path>`` or a lever.

    Raises InputError naming the nearest valid key for a path that is not a
    numeric field of the schema or is a whole number (horizon, months).
    """
    spec = results.file.uncertainty.get(key)
    rng = (float(spec.low), float(spec.high)) if spec is not None else (None, None)
    if key in _LEVER_META:
        return Field(key, key, None, _LEVER_META[key], *rng)
    plan: str | None = None
    path = key
    parts = key.split(".")
    if parts[0] == "scenarios" and len(parts) > 2:
        plan, path = parts[1], ".".join(parts[2:])
        if plan not in results.names:
            raise InputError.one("argument", "field", key,
                                 _choice(plan, list(results.names), "scenario"))
    try:
        meta = _field_meta(path)
        if not _is_batch_path(results.batch, path):
            raise KeyError(path)
    except KeyError:
        raise InputError.one("argument", "field", key, "a numeric field of the scenario file; "
                             + _choice(key, numeric_keys(results), "field")) from None
    if meta.integer:
        raise InputError.one("argument", "field", key, "a field that takes any number (whole-"
                             "number fields such as months cannot be moved continuously)")
    return Field(key, path, plan, _cross_field_bounds(results.batch, path, meta), *rng)


def _cross_field_bounds(batch: ParamBatch, path: str, meta: FieldMeta) -> FieldMeta:
    """The schema's bounds narrowed by its rules between fields, for the rows of a run.

    The schema asks ``market.initial_customers <= market.potential_customers``
    (:meth:`roi_models.engine.ParamBatch.with_values` checks it): moving one of
    the two keeps within the other's values in every plan.
    """
    if path == "market.potential_customers":
        floor = float(np.max(batch["market.initial_customers"]))
        if meta.low is None or floor > meta.low:
            return replace(meta, low=floor, low_inclusive=True)
    if path == "market.initial_customers":
        ceiling = float(np.min(batch["market.potential_customers"]))
        if meta.high is None or ceiling < meta.high:
            return replace(meta, high=ceiling)
    return meta


def uncertain_fields(results: ScenarioResults) -> tuple[Field, ...]:
    """The fields of the file's ``uncertainty`` section, in file order."""
    return tuple(field(results, key) for key in results.file.uncertainty)


def numeric_keys(results: ScenarioResults) -> list[str]:
    """Every key :func:`field` accepts for this file (schema paths of the batch and the levers)."""
    batch = results.batch
    keys = [p for p in batch.scalars if _is_numeric_path(p)]
    keys += [f"channels.{c}.{p}" for c in batch.channel_names for p in _CHANNEL_PARAMS]
    return keys + list(_LEVER_META)


@functools.lru_cache(maxsize=512)
def _field_meta(path: str) -> FieldMeta:
    """The schema's metadata of a path (cached: the schema never changes in a process)."""
    return field_meta(path)


def _is_numeric_path(path: str) -> bool:
    try:
        return not _field_meta(path).integer
    except KeyError:
        return False


def _is_batch_path(batch: ParamBatch, path: str) -> bool:
    if path in batch.scalars:
        return True
    parts = path.split(".")
    return (len(parts) == 3 and parts[0] == "channels" and parts[1] in batch.channel_names
            and parts[2] in _CHANNEL_PARAMS)


def _current(batch: ParamBatch, path: str) -> np.ndarray:
    """The values of a schema path in every row of a batch, (n,)."""
    if path in batch.scalars:
        return np.asarray(batch.scalars[path], dtype=float)
    _, name, param = path.split(".")
    return np.asarray(batch.channel[param][batch.channel_names.index(name)], dtype=float)


def _takes_from_base(results: ScenarioResults, plan: str, path: str) -> bool:
    """Whether a plan leaves a field as ``base`` has it (the world rule applies to it)."""
    override = results.file.scenarios.get(plan) or {}
    try:
        get_path(override, path)
    except (KeyError, TypeError):
        parts = path.split(".")  # a whole channel (or a parent mapping) set by the plan
        for k in range(1, len(parts)):
            try:
                node = get_path(override, ".".join(parts[:k]))
            except (KeyError, TypeError):
                return True
            if not isinstance(node, Mapping):
                return False
        return True
    return False


# ----------------------------------------------------------------------------- evaluation
class Evaluator:
    """Evaluates a question at many points in one batch (two rows a point: plan, against).

    A point sets some fields; :meth:`__call__` takes ``{key: (k,) values}``
    (NaN: this field keeps its value at that point) and returns the KPI at
    the k points. Fields apply by the world-versus-plan rule of the module
    docstring.
    """

    def __init__(self, results: ScenarioResults, question: Question) -> None:
        self.results = results
        self.question = question
        self.rows = np.array([results.index(question.plan), results.index(question.against)])
        self.base = results.batch.rows(self.rows)
        self.runs = 0  # batches simulated (for tests and benchmarks)
        self._applies: dict[str, np.ndarray] = {}

    def applies(self, f: Field) -> np.ndarray:
        """(2,) bool: does the field move the plan's row, the other plan's row?"""
        hit = self._applies.get(f.key)
        if hit is not None:
            return hit
        names = (self.question.plan, self.question.against)
        if f.lever:
            hit = np.array([True, False])
        elif f.plan is not None:
            hit = np.array([n == f.plan for n in names])
        else:
            hit = np.array([_takes_from_base(self.results, n, f.path) for n in names])
        self._applies[f.key] = hit
        return hit

    def batch(self, points: Mapping[str, np.ndarray], fields: Mapping[str, Field]) -> ParamBatch:
        """The batch of every point: rows 0..k-1 the plan, k..2k-1 the other plan."""
        k = _points(points)
        rows = np.repeat(np.arange(2), k)  # plan rows first, then the other plan's
        batch = self.base.rows(rows)
        values: dict[str, np.ndarray] = {}
        levers: dict[str, np.ndarray] = {}
        for key, raw in points.items():
            f = fields[key]
            v = np.broadcast_to(np.asarray(raw, dtype=float), (k,))
            if f.lever:
                levers[f.path] = v
                continue
            current = values.get(f.path, _current(batch, f.path))
            moves = np.repeat(self.applies(f), k) & np.tile(~np.isnan(v), 2)
            values[f.path] = np.where(moves, np.tile(v, 2), current)
        if values:
            batch = batch.with_values(values)
        if levers:
            moved = np.nan_to_num(levers.get(MOVED, np.zeros(k)), nan=0.0)
            scale = np.nan_to_num(levers.get(MULTIPLIER, np.ones(k)), nan=1.0)
            spend = np.broadcast_to(batch.spend, batch.spend.shape[:2] + (2 * k,)).copy()
            spend[:, :, :k] = move_budget(spend[:, :, :k], batch.channel_is_social, moved, scale)
            batch = replace(batch, spend=spend)
        return batch

    def __call__(self, points: Mapping[str, np.ndarray], fields: Mapping[str, Field]
                 ) -> np.ndarray:
        k = _points(points)
        batch = self.batch(points, fields)
        sim = simulate(batch)
        self.runs += 1
        plan, other = sim.rows(slice(0, k)), sim.rows(slice(k, 2 * k))
        kpi = self.question.kpi
        if kpi in INCREMENTAL_KPIS:
            rate = np.asarray(batch["finance.discount_rate_annual"][:k], dtype=float)
            case = business_case(
                plan, other, rate, spend=_spend_rows(batch, slice(0, k)),
                baseline_spend=_spend_rows(batch, slice(k, 2 * k)),
                terminal_value=self.results.terminal_value,
                with_irr=kpi in ("irr_annual", "mirr_annual"))
            return np.asarray(getattr(case, kpi), dtype=float)
        metrics = plan_metrics(plan, batch.rows(slice(0, k)))
        return np.asarray(getattr(metrics, kpi), dtype=float)

    def base_kpi(self) -> float:
        """The KPI with every field at its file value."""
        return float(self({}, {})[0])


def _spend_rows(batch: ParamBatch, rows: slice) -> np.ndarray:
    """Each channel's spend of some rows of a batch (a spend shared by every row stays shared)."""
    return batch.spend if batch.spend.shape[2] == 1 else batch.spend[:, :, rows]


def _points(points: Mapping[str, np.ndarray]) -> int:
    """The number of points (1 when no field moves: the base)."""
    sizes = {np.asarray(v).size for v in points.values()} or {1}
    if len(sizes) != 1:
        raise ValueError(f"every field needs the same number of points, got {sorted(sizes)}")
    return sizes.pop()


def _choice(given: str, valid: list[str], noun: str) -> str:
    near = difflib.get_close_matches(given, valid, n=1, cutoff=0.5)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    shown = ", ".join(valid[:12]) + (", ..." if len(valid) > 12 else "")
    return f"a {noun} of {shown}{hint}"


def _frame_attrs(frame: pd.DataFrame, results: ScenarioResults, q: Question, base: float
                 ) -> pd.DataFrame:
    frame.attrs.update(kpi=q.kpi, plan=q.plan, against=q.against, base=base,
                       currency=results.currency, question=q.describe())
    return frame


# ----------------------------------------------------------------------------- analyses
def tornado(results: ScenarioResults, *, plan: str | None = None, against: str | None = None,
            kpi: str = "npv", fields: Sequence[str] | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity: each field at its low and its high, in one batch.

    Parameters
    ----------
    results : the deterministic run of a file (:func:`roi_models.run_scenarios`).
    plan, against, kpi : the :class:`Question` (plan: the recommended one by default).
    fields : keys to move (default: every field of the file's ``uncertainty`` section, whose
        low and high are used; a key without a range there is refused).

    Returns
    -------
    DataFrame, one row per field sorted by swing (largest first): ``field``, ``label``,
    ``unit``, ``value`` (today's value in the plan), ``low``, ``high``, ``kpi_low``,
    ``kpi_high``, ``swing`` = |kpi_high - kpi_low|. ``attrs``: ``kpi``, ``plan``,
    ``against``, ``base`` (the KPI of the deterministic run), ``currency``.

    Notes
    -----
    A tornado ignores interactions and correlations between inputs (Crystal
    Ball's documentation says so of its own); the Monte Carlo importance
    measures do not. Row 2k+... of the batch: the plan and the other plan at
    each of the 2F points, so the KPI differences are paired.

    Examples
    --------
    How much does the B2B social plan's NPV swing on the word-of-mouth lift?

    >>> from roi_models import load_shipped, run_scenarios
    >>> t = tornado(run_scenarios(load_shipped("b2b_it_services")), plan="social")
    >>> row = t.set_index("field").loc["social.word_of_mouth_lift"]
    >>> bool(row.kpi_low < t.attrs["base"] < row.kpi_high)
    True
    """
    q = ask(results, plan, against, kpi)
    keys = list(fields) if fields is not None else list(results.file.uncertainty)
    specs = [field(results, k) for k in keys]
    for f in specs:
        if f.low is None:
            raise InputError.one("argument", "fields", f.key, "a field of the file's "
                                 "uncertainty section (it gives the low and high)")
    ev = Evaluator(results, q)
    F = len(specs)
    points: dict[str, np.ndarray] = {}
    for i, f in enumerate(specs):  # point 0: the base; 1 + 2i: field i low; 2 + 2i: high
        v = np.full(2 * F + 1, np.nan)
        v[1 + 2 * i], v[2 + 2 * i] = f.low, f.high
        points[f.key] = v
    kpis = ev(points, {f.key: f for f in specs}) if specs else ev({}, {})
    base = float(kpis[0])
    frame = pd.DataFrame({
        "field": [f.key for f in specs],
        "label": [f.label for f in specs],
        "unit": [f.meta.unit.replace("currency", results.currency) for f in specs],
        "value": [_value_in(ev, f) for f in specs],
        "low": [f.low for f in specs],
        "high": [f.high for f in specs],
        "kpi_low": kpis[1::2][:F],
        "kpi_high": kpis[2::2][:F],
    })
    frame["swing"] = (frame["kpi_high"] - frame["kpi_low"]).abs()
    frame = frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    return _frame_attrs(frame, results, q, base)


def _value_in(ev: Evaluator, f: Field) -> float:
    """Today's value of a field in the question's plan (the other plan's if it only moves that)."""
    if f.path == MOVED:
        return 0.0
    if f.path == MULTIPLIER:
        return 1.0
    row = 0 if ev.applies(f)[0] or not ev.applies(f)[1] else 1
    return float(_current(ev.base, f.path)[row])


def spider(results: ScenarioResults, *, plan: str | None = None, against: str | None = None,
           kpi: str = "npv", fields: Sequence[str] | None = None,
           changes: Sequence[float] = tuple(SPIDER_CHANGES)) -> pd.DataFrame:
    """The KPI against relative changes of each field (-30 %..+30 %), in one batch.

    Returns
    -------
    Tidy DataFrame, one row per field and change: ``field``, ``label``, ``change`` (the
    relative change asked for), ``value`` (the value used: today's value x (1 + change),
    clipped to the field's bounds), ``clipped`` (True where the bound was hit), ``kpi``.
    ``attrs`` as :func:`tornado`'s.

    Examples
    --------
    Does a 30 % higher revenue per customer raise the social plan's NPV?

    >>> from roi_models import load_shipped, run_scenarios
    >>> s = spider(run_scenarios(load_shipped("b2b_it_services")), plan="social",
    ...            fields=["economics.revenue_per_customer_monthly"])
    >>> bool(s.kpi.iloc[-1] > s.kpi.iloc[0])
    True
    """
    q = ask(results, plan, against, kpi)
    keys = list(fields) if fields is not None else list(results.file.uncertainty)
    specs = [field(results, k) for k in keys]
    changes_arr = np.asarray(changes, dtype=float)
    if changes_arr.ndim != 1 or changes_arr.size == 0 or not np.all(np.isfinite(changes_arr)):
        raise InputError.one("argument", "changes", list(changes), "finite relative changes")
    ev = Evaluator(results, q)
    G, F = changes_arr.size, len(specs)
    points, used, clipped = {}, [], []
    for i, f in enumerate(specs):
        today = _value_in(ev, f)
        wanted = today * (1.0 + changes_arr)
        if f.path == MOVED:  # a share moved is 0 today: move it by the change itself
            wanted = changes_arr.copy()
        value = f.clip(wanted)
        v = np.full(F * G, np.nan)
        v[i * G:(i + 1) * G] = value
        points[f.key] = v
        used.append(value)
        clipped.append(~np.isclose(value, wanted, rtol=1e-12, atol=0.0))
    kpis = ev(points, {f.key: f for f in specs}) if specs else np.array([])
    frame = pd.DataFrame({
        "field": np.repeat([f.key for f in specs], G),
        "label": np.repeat([f.label for f in specs], G),
        "change": np.tile(changes_arr, F),
        "value": np.concatenate(used) if used else [],
        "clipped": np.concatenate(clipped) if clipped else [],
        "kpi": kpis,
    })
    return _frame_attrs(frame, results, q, ev.base_kpi())


@dataclass(frozen=True)
class DataTable:
    """The KPI over a grid of two fields (Excel's two-variable Data Table)."""

    row_field: Field
    column_field: Field
    rows: np.ndarray  # (r,) values of the row field
    columns: np.ndarray  # (c,) values of the column field
    kpi: np.ndarray  # (r, c)
    question: Question
    base: float

    @property
    def frame(self) -> pd.DataFrame:
        """The grid as a DataFrame: index the row field's values, columns the column field's."""
        out = pd.DataFrame(self.kpi, index=pd.Index(self.rows, name=self.row_field.key),
                           columns=pd.Index(self.columns, name=self.column_field.key))
        out.attrs.update(kpi=self.question.kpi, plan=self.question.plan,
                         against=self.question.against, base=self.base)
        return out

    @property
    def tidy(self) -> pd.DataFrame:
        """One row per grid cell: both values and the KPI."""
        r, c = np.meshgrid(self.rows, self.columns, indexing="ij")
        return pd.DataFrame({self.row_field.key: r.ravel(), self.column_field.key: c.ravel(),
                             "kpi": self.kpi.ravel()})


def data_table(results: ScenarioResults, row_field: str, column_field: str, *,
               rows: Sequence[float] | None = None, columns: Sequence[float] | None = None,
               points: int = 11, plan: str | None = None, against: str | None = None,
               kpi: str = "npv") -> DataTable:
    """The KPI over a grid of two fields, in one batch.

    Grid values default to ``points`` evenly spaced values over each field's
    uncertainty range (or -30 %..+30 % of today's value, within the bounds,
    when the file gives none). Values outside a field's bounds are refused.

    Examples
    --------
    Social NPV over the word-of-mouth lift and Bass q, 3 x 3:

    >>> from roi_models import load_shipped, run_scenarios
    >>> dt = data_table(run_scenarios(load_shipped("b2b_it_services")),
    ...                 "social.word_of_mouth_lift", "market.bass_q_annual", points=3,
    ...                 plan="social")
    >>> dt.frame.shape
    (3, 3)
    """
    q = ask(results, plan, against, kpi)
    fr, fc = field(results, row_field), field(results, column_field)
    if fr.key == fc.key:
        raise InputError.one("argument", "column_field", column_field, "another field than "
                             "the row field")
    ev = Evaluator(results, q)
    grid = [_grid(ev, f, given, points) for f, given in ((fr, rows), (fc, columns))]
    r, c = np.meshgrid(grid[0], grid[1], indexing="ij")
    kpis = ev({fr.key: r.ravel(), fc.key: c.ravel()}, {fr.key: fr, fc.key: fc})
    return DataTable(fr, fc, grid[0], grid[1], kpis.reshape(r.shape), q, ev.base_kpi())


def _grid(ev: Evaluator, f: Field, given: Sequence[float] | None, points: int) -> np.ndarray:
    if given is not None:
        values = np.asarray(given, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise InputError.one("argument", f.key, list(given), "a list of values")
        bad = values[~np.isfinite(values) | (values != f.clip(values))]
        if bad.size:
            raise InputError.one("argument", f.key, float(bad[0]), "must be " + f.meta.allowed())
        return values
    if points < 2:
        raise InputError.one("argument", "points", points, "at least 2 values per field")
    if f.low is not None and f.high is not None:
        return np.linspace(f.low, f.high, points)
    today = _value_in(ev, f)
    return np.unique(f.clip(np.linspace(0.7 * today, 1.3 * today, points)))


# ----------------------------------------------------------------------------- goal seek
@dataclass(frozen=True)
class GoalSeek:
    """The value of a field at which a KPI reaches a target, or why there is none."""

    field: str
    target: float
    value: float | None
    kpi_at_value: float | None
    today: float
    kpi_today: float
    bounds: tuple[float, float]
    reason: str | None
    question: Question

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field, "plan": self.question.plan, "against": self.question.against,
            "kpi": self.question.kpi, "target": self.target, "value": self.value,
            "kpi_at_value": self.kpi_at_value, "today": self.today, "kpi_today": self.kpi_today,
            "bounds": list(self.bounds)}
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def _search_grid(f: Field, today: float, size: int = 64) -> np.ndarray:
    """Trial values over a field's bounds, dense near today's value (for bracketing)."""
    lo, hi = f.bounds()
    scale = max(abs(today), 1e-3 if f.meta.high is None or f.meta.high <= 1 else 1.0)
    near = today + scale * np.linspace(-1.0, 1.0, size // 2 + 1)
    far = today + np.sign(np.linspace(-1, 1, size // 2)) * scale * np.logspace(
        0, 3, size // 2)  # out to 1,000x today's size on either side
    parts = [near, far, [today]]
    if math.isfinite(lo):
        parts.append([lo])
    if math.isfinite(hi):
        parts.append([hi])
    if math.isfinite(lo) and math.isfinite(hi):
        parts.append(np.linspace(lo, hi, size // 2))
    grid = np.unique(f.clip(np.concatenate([np.ravel(np.asarray(p, dtype=float))
                                            for p in parts])))
    return grid[np.isfinite(grid)]


_ZERO = 1e-12  # relative size of a KPI difference treated as 0 (rounding noise of a batch)


def _brackets(grid: np.ndarray, values: np.ndarray, today: float
              ) -> tuple[float, float] | float | None:
    """The sign change of ``values`` on ``grid`` nearest ``today``.

    A bracket (two grid values), an exact root (one value) or None."""
    finite = np.isfinite(values)
    g, v = grid[finite], values[finite].copy()
    # values within rounding noise of 0 are roots: the same point evaluated in batches of
    # another size can land on either side of 0 by 1e-9 of the figures' size
    v[np.abs(v) <= _ZERO * max(1.0, float(np.max(np.abs(v), initial=0.0)))] = 0.0
    exact = g[v == 0]
    best: tuple[float, tuple[float, float] | float] | None = None
    for x in exact:
        d = abs(x - today)
        if best is None or d < best[0]:
            best = (d, float(x))
    change = np.flatnonzero(np.sign(v[:-1]) * np.sign(v[1:]) < 0)
    for j in change:
        d = min(abs(g[j] - today), abs(g[j + 1] - today))
        if best is None or d < best[0]:
            best = (d, (float(g[j]), float(g[j + 1])))
    return None if best is None else best[1]


def goal_seek(results: ScenarioResults, field_key: str, *, plan: str | None = None,
              against: str | None = None, kpi: str = "npv", target: float = 0.0,
              bounds: tuple[float, float] | None = None) -> GoalSeek:
    """The value of a field at which a KPI equals ``target`` (NPV = 0, break-even, by default).

    Parameters
    ----------
    field_key : a numeric schema path, ``scenarios.<plan>.<path>`` or a lever path.
    target : the KPI value to reach.
    bounds : the interval to search (default: the field's schema bounds).

    Returns
    -------
    GoalSeek with ``value`` (None when no value in the bounds reaches the target,
    ``reason`` then says so: "NPV stays above 0 for every value in [0, 0.9]").

    Notes
    -----
    One batch evaluates the KPI on a grid over the bounds, dense near today's
    value; of the sign changes of KPI - target, the one nearest today's value
    is refined by Chandrupatla's bracketing method
    (``scipy.optimize.elementwise.find_root``; Chandrupatla 1997), each
    iteration one batched evaluation. Payback months are whole numbers: their
    "root" is the value at which the month jumps.

    Examples
    --------
    How low could the word-of-mouth lift go before the social plan stops paying?

    >>> from roi_models import load_shipped, run_scenarios
    >>> res = run_scenarios(load_shipped("b2b_it_services"))
    >>> g = goal_seek(res, "social.word_of_mouth_lift", plan="social")
    >>> g.value is None or abs(g.kpi_at_value) < 1.0
    True
    """
    q = ask(results, plan, against, kpi)
    f = field(results, field_key)
    if not math.isfinite(float(target)):
        raise InputError.one("argument", "target", target, "a finite number")
    ev = Evaluator(results, q)
    today = _value_in(ev, f)
    if bounds is not None:
        lo, hi = (float(b) for b in bounds)
        if not (lo < hi) or f.clip(np.array([lo, hi])).tolist() != [lo, hi]:
            raise InputError.one("argument", "bounds", [lo, hi],
                                 "an interval within the field's bounds: " + f.meta.allowed())
        f = replace(f, meta=replace(f.meta, low=lo, high=hi, low_inclusive=True))
    lo, hi = f.bounds()
    grid = _search_grid(f, today)
    specs = {f.key: f}
    values = ev({f.key: grid}, specs) - target
    kpi_today = float(ev({f.key: np.array([today])}, specs)[0])
    found = _brackets(grid, values, today)
    label = KPIS[q.kpi].label
    if found is None:
        where = "above" if np.nanmin(values) > 0 else "below" if np.nanmax(values) < 0 else None
        shown = f"[{_num(grid[0])}, {_num(grid[-1])}]"
        reason = (f"{label} stays {where} {_num(target)} for every value in {shown}"
                  if where else f"{label} does not cross {_num(target)} in {shown}")
        return GoalSeek(f.key, float(target), None, None, today, kpi_today, (lo, hi), reason, q)
    if isinstance(found, float):
        value = found
    else:
        def fn(x: np.ndarray) -> np.ndarray:
            return ev({f.key: np.ravel(x)}, specs).reshape(np.shape(x)) - target
        res = elementwise.find_root(fn, found, tolerances={"xatol": 1e-12, "xrtol": 1e-10})
        value = _refined(res)
    at = float(ev({f.key: np.array([value])}, specs)[0])
    return GoalSeek(f.key, float(target), value, at, today, kpi_today, (lo, hi), None, q)


def _refined(res: Any) -> Any:
    """find_root's roots; where it stopped at once because an end of the bracket is already
    0 within noise (its sign flipped on re-evaluation), that end."""
    x = np.asarray(res.x, dtype=float)
    (xl, xr), (fl, fr) = (np.asarray(b, dtype=float) for b in res.bracket), (
        np.asarray(b, dtype=float) for b in res.f_bracket)
    end = np.where(np.abs(fl) <= np.abs(fr), xl, xr)
    out = np.where(np.asarray(res.success), x, end)
    return float(out) if out.ndim == 0 else out


def _num(x: float) -> str:
    return f"{x:,.6g}"


# ----------------------------------------------------------------------------- margins
def decision_margins(results: ScenarioResults, *, plan: str | None = None,
                     fields: Sequence[str] | None = None) -> pd.DataFrame:
    """How far each uncertain field can move before the recommended plan stops winning.

    For the plan (the recommended one by default) and each rival (the next
    best plan by NPV, and the status quo), the value of each field at which
    the two plans' NPVs tie, searched over the field's bounds (the tie nearest
    today's value), and its distance from today's value.

    Returns
    -------
    DataFrame, one row per field and rival: ``field``, ``label``, ``rival``, ``today``,
    ``value`` (NaN when no value in the bounds makes the plans tie), ``change``
    (value - today), ``change_pct`` (change / |today|), ``in_ranges`` (|change| over the
    width of the field's uncertainty range, NaN without a range), ``direction``
    ('lower', 'higher' or ''), ``sentence`` (plain English for a board), sorted by rival
    and by ``in_ranges``.

    Notes
    -----
    The NPV of the plan against the rival is the NPV of the difference of
    their cash flows; a tie is where it is 0. The roots of all fields are
    found together by ``scipy.optimize.elementwise.find_root``, each iteration
    one batch of every field's trial value.

    Examples
    --------
    >>> from roi_models import load_shipped, run_scenarios
    >>> m = decision_margins(run_scenarios(load_shipped("b2b_it_services")), plan="social")
    >>> sorted(set(m.rival))
    ['blended', 'status_quo']
    """
    q0 = ask(results, plan)
    npv = dict(zip(results.names, np.asarray(results.case.npv, dtype=float), strict=True))
    others = sorted((n for n in results.names if n not in (q0.plan, STATUS_QUO)),
                    key=lambda n: -npv[n])
    rivals = ([others[0]] if others else []) + ([STATUS_QUO] if q0.plan != STATUS_QUO else [])
    keys = list(fields) if fields is not None else list(results.file.uncertainty)
    specs = [field(results, k) for k in keys]
    frames = [_margins_against(results, Question(q0.plan, rival, "npv"), specs)
              for rival in rivals]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    frame.attrs.update(plan=q0.plan, rivals=rivals, currency=results.currency, kpi="npv")
    return frame


def _margins_against(results: ScenarioResults, q: Question, specs: list[Field]) -> pd.DataFrame:
    ev = Evaluator(results, q)
    F = len(specs)
    fields = {f.key: f for f in specs}
    today = np.array([_value_in(ev, f) for f in specs])
    grids = [_search_grid(f, t) for f, t in zip(specs, today, strict=True)]
    sizes = [g.size for g in grids]
    points = {}
    start = np.cumsum([0] + sizes)
    for i, f in enumerate(specs):  # one batch: every field's grid, one field at a time
        v = np.full(start[-1], np.nan)
        v[start[i]:start[i + 1]] = grids[i]
        points[f.key] = v
    values = ev(points, fields) if specs else np.array([])
    found = [_brackets(grids[i], values[start[i]:start[i + 1]], today[i]) for i in range(F)]
    root = np.full(F, np.nan)
    todo = [i for i, b in enumerate(found) if isinstance(b, tuple)]
    for i, b in enumerate(found):
        if isinstance(b, float):
            root[i] = b
    if todo:
        idx = np.array(todo)
        lo = np.array([found[i][0] for i in todo])  # type: ignore[index]
        hi = np.array([found[i][1] for i in todo])  # type: ignore[index]

        def fn(x: np.ndarray, which: np.ndarray) -> np.ndarray:
            flat, sel = np.ravel(x), np.ravel(which).astype(int)
            pts = {}
            for i in set(sel.tolist()):
                v = np.full(flat.size, np.nan)
                v[sel == i] = flat[sel == i]
                pts[specs[i].key] = v
            return ev(pts, fields).reshape(np.shape(x))

        res = elementwise.find_root(fn, (lo, hi), args=(idx,),
                                    tolerances={"xatol": 1e-12, "xrtol": 1e-10})
        root[idx] = _refined(res)
    change = root - today
    width = np.array([f.high - f.low if f.low is not None and f.high is not None else np.nan
                      for f in specs])
    frame = pd.DataFrame({
        "field": [f.key for f in specs], "label": [f.label for f in specs],
        "rival": q.against, "today": today, "value": root, "change": change,
        "change_pct": np.where(today != 0, change / np.where(today != 0, np.abs(today), 1.0),
                               np.nan),
        "in_ranges": np.abs(change) / width,
        "direction": np.where(np.isnan(change), "", np.where(change < 0, "lower", "higher")),
    })
    names = {n: results.file.label(n) for n in (q.plan, q.against)}
    frame["sentence"] = [_margin_sentence(r, q, names) for r in frame.itertuples()]
    return frame.sort_values(["in_ranges", "change_pct"], key=lambda s: s.abs(),
                             na_position="last", kind="stable").reset_index(drop=True)


def _margin_sentence(row: Any, q: Question, names: Mapping[str, str]) -> str:
    """Plain English for a board, plans by their labels ("the status quo" for the baseline)."""
    rival = "the status quo" if q.against == STATUS_QUO else f"\u201c{names[q.against]}\u201d"
    if not np.isfinite(row.value):
        return (f"{row.label}: \u201c{names[q.plan]}\u201d beats {rival} at every value the "
                "field can take.")
    if np.isfinite(row.change_pct) and row.today != 0:
        how = f"{percent(abs(row.change_pct))} {row.direction}"
    else:
        how = f"{row.direction}, at {_num(row.value)}"
    return f"{row.label} could be {how} before {rival} wins."


__all__ = [
    "KPI_NAMES",
    "MOVED",
    "MULTIPLIER",
    "DataTable",
    "Evaluator",
    "Field",
    "GoalSeek",
    "Question",
    "ask",
    "data_table",
    "decision_margins",
    "field",
    "goal_seek",
    "numeric_keys",
    "recommended_plan",
    "spider",
    "tornado",
    "uncertain_fields",
]
