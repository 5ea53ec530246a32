"""The explorer's levers: which assumptions the sliders move, and how a lever applies to scenarios.

Every lever is a numeric input with the schema's metadata (label, unit,
bounds, step, description from :func:`roi_models.assumptions.field_meta`), or,
for the three levers that are not one schema field, metadata of the same
shape defined here. A lever has a *file value* (what the loaded scenario
file says); a lever whose value equals its file value (within 1e-9,
relative) is *untouched* and changes nothing, so the explorer with every
lever untouched reproduces the file's results exactly.

How a touched lever applies
---------------------------
- **Field levers** (word-of-mouth lift, social effect on churn, social
  cost-of-sales advantage, community deflection, churn of each customer
  source, revenue per customer, gross margin, discount rate, ramp-up months,
  viral-event month, downturn churn shock) set that field in ``base`` AND in
  every scenario: a scenario that overrides the field in the file loses its
  override once the lever is moved (one slider, one value in every plan, so
  the comparison isolates what differs on purpose: channel spend and the
  social programme). The file value shown is the base value. Moving the
  slider back to the file value restores the overrides.
- **Viral-event severity** is the event's hit on acquisition at its peak
  (``viral_event.acquisition_hit``, 0..1). 0 switches the event off
  (``viral_event.enabled = false``); a value v > 0 switches it on in every
  scenario with ``acquisition_hit = v`` and ``added_churn`` scaled in
  proportion, ``added_churn = v x (file added churn / file hit)``, so that
  the file's own event is the point v = file hit. Its file value is the
  file's hit when the file enables the event, else 0.
- **Budget moved to social** x in [-1, 1] (:data:`roi_models.analysis.whatif.MOVED_LABEL`,
  the one definition the CMO report's slider shares: 0 is the plan as in
  its file, +100 % moves all its traditional channel spend to social,
  -100 % all its social spend to traditional, month by month, keeping each
  month's total and the plan's timing) and **total marketing budget** m (a
  multiple of the plan's own channel budget) act only on the *social
  plans*: the scenarios, other than the status quo, whose social channel
  spend over the horizon exceeds the status quo's (in the shipped files:
  ``social``, ``blended`` and ``social_reallocation``; the ``traditional``
  plan and the status quo keep their spend). Both go through
  :func:`roi_models.analysis.whatif.move_budget`, whose docstring has the
  formula. Programme costs, funnel and the spend before the plan are kept.
  File values: x = 0, m = 1.

:func:`apply_levers` turns lever values into a NEW validated scenario file
(schema validation and messages included); the explorer's fast path
(:mod:`roi_models.explorer.compute`) applies the same rules to the file's
parameter batch and is tested to give the same results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Mapping

import numpy as np

from ..analysis.whatif import MOVED_LABEL, move_budget
from ..assumptions import (
    STATUS_QUO,
    FieldMeta,
    ScenarioFile,
    field_meta,
    scenario_file_from_dict,
    scenario_file_to_dict,
)
from ..assumptions.merge import get_path
from ..engine import spend_schedule
from ..errors import InputError, Problem

LeverKind = Literal["field", "share_moved", "budget_scale", "viral_severity"]

SHARE_MOVED = "plans.share_moved_to_social"
BUDGET_SCALE = "plans.budget_multiplier"
VIRAL_SEVERITY = "viral_event.severity"

EXPLORER_SOURCE = "Set in the roi_models explorer (file value: {old})"
"""Register source written next to every value a lever changed."""

_SPEND_LIMIT = 1e10  # the schema's bound on a monthly spend amount


@dataclass(frozen=True)
class Lever:
    """One slider: a schema field (``kind="field"``) or one of the derived levers.

    ``span`` bounds the slider to multiples of the file value (for amounts,
    whose schema bounds are far too wide for a slider); ``limits`` caps the
    slider's range absolutely. Typed values may go anywhere the schema allows.
    """

    key: str
    group: str
    kind: LeverKind = "field"
    label: str | None = None
    span: tuple[float, float] | None = None
    limits: tuple[float | None, float | None] = (None, None)


LEVERS: tuple[Lever, ...] = (
    Lever(SHARE_MOVED, "Budget", "share_moved"),
    Lever(BUDGET_SCALE, "Budget", "budget_scale", limits=(None, 3.0)),
    Lever("social.participation_cap", "Social effects"),
    Lever("social.word_of_mouth_lift", "Social effects", limits=(None, 2.0)),
    Lever("social.churn_reduction", "Social effects", limits=(None, 0.6)),
    Lever("funnel.social_cost_reduction", "Social effects", limits=(None, 0.6)),
    Lever("social.support_deflection", "Social effects", limits=(None, 0.6)),
    Lever("organisation.ramp_up_months", "Social effects", limits=(None, 36.0)),
    Lever("retention.churn_monthly.existing", "Customers", label="Churn: existing customers",
          span=(0.0, 4.0)),
    Lever("retention.churn_monthly.traditional", "Customers",
          label="Churn: won by traditional", span=(0.0, 4.0)),
    Lever("retention.churn_monthly.social", "Customers", label="Churn: won by social",
          span=(0.0, 4.0)),
    Lever("retention.churn_monthly.organic", "Customers", label="Churn: word of mouth",
          span=(0.0, 4.0)),
    Lever("retention.churn_monthly.referral", "Customers", label="Churn: referred",
          span=(0.0, 4.0)),
    Lever("economics.revenue_per_customer_monthly", "Customers", span=(0.25, 3.0)),
    Lever("economics.gross_margin", "Customers"),
    Lever("finance.discount_rate_annual", "Finance and risk", limits=(None, 0.3)),
    Lever(VIRAL_SEVERITY, "Finance and risk", "viral_severity"),
    Lever("viral_event.month", "Finance and risk", label="Viral-event month"),
    Lever("retention.downturn.added_churn", "Finance and risk", limits=(None, 0.1)),
)
"""The explorer's levers, in display order (grouped into tabs by ``group``)."""

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(lever.group for lever in LEVERS))


@dataclass(frozen=True)
class LeverSpec:
    """A lever bound to one scenario file: metadata, file value and slider range."""

    lever: Lever
    meta: FieldMeta
    file_value: float
    slider_min: float
    slider_max: float
    step: float

    @property
    def key(self) -> str:
        return self.lever.key

    @property
    def label(self) -> str:
        return self.lever.label or self.meta.label

    @property
    def integer(self) -> bool:
        return self.meta.integer

    def touched(self, value: float) -> bool:
        """Whether ``value`` differs from the file value (beyond float noise)."""
        return abs(float(value) - self.file_value) > 1e-9 * max(1.0, abs(self.file_value))

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed ("must be a number in [0, 0.9] (share)"), or None."""
        meta = self.meta
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return "must be " + meta.allowed()
        try:
            v = float(value)
        except OverflowError:  # an int too big for a float
            return "must be " + meta.allowed()
        if not math.isfinite(v):
            return "must be " + meta.allowed()
        if meta.integer and v != round(v):
            return "must be " + meta.allowed()
        below = meta.low is not None and (v < meta.low or (v == meta.low and not meta.low_inclusive))
        above = meta.high is not None and v > meta.high
        return "must be " + meta.allowed() if below or above else None


# ----------------------------------------------------------------------------- metadata
def _derived_meta(lever: Lever, sf: ScenarioFile) -> FieldMeta:
    if lever.kind == "share_moved":
        return FieldMeta(
            path=lever.key, label=MOVED_LABEL, unit="share moved (+: to social, -: to traditional)",
            description="Share of each social plan's channel budget moved between the kinds, "
            "month by month, keeping each month's total: +100 % moves all its traditional "
            "spend to social, -100 % all its social spend to traditional, 0 is the plan as in "
            "its file (the same definition as the CMO report's what-if slider).",
            low=-1.0, high=1.0, low_inclusive=True, step=0.05, integer=False,
        )
    if lever.kind == "budget_scale":
        return FieldMeta(
            path=lever.key, label="Total marketing budget", unit="x plan budget",
            description="Multiplies every channel's spend in each social plan (1: the budget "
            "in the file).",
            low=0.0, high=10.0, low_inclusive=True, step=0.05, integer=False,
        )
    assert lever.kind == "viral_severity"
    hit = field_meta("viral_event.acquisition_hit")
    churn = field_meta("viral_event.added_churn")
    ev = sf.base.viral_event
    high = 1.0
    if ev.acquisition_hit > 0 and ev.added_churn > 0:  # added churn scales with the hit
        high = min(1.0, float(churn.high) * ev.acquisition_hit / ev.added_churn)
    return FieldMeta(
        path=lever.key, label="Viral-event severity", unit="share of new customers lost",
        description="Hit of a false viral story on acquisition at its peak; 0 switches the "
        "event off; its added churn scales in proportion (file: "
        f"{ev.added_churn:g} churn at a {ev.acquisition_hit:g} hit). " + hit.description,
        low=0.0, high=high, low_inclusive=True, step=0.01, integer=False,
    )


def lever_meta(lever: Lever, sf: ScenarioFile) -> FieldMeta:
    """The metadata of a lever: the schema's for field levers, derived ones defined here."""
    if lever.kind == "field":
        meta = field_meta(lever.key)
        if lever.key == "viral_event.month":  # the event must happen within the horizon
            meta = _replace_meta(meta, high=float(sf.base.finance.horizon_months))
        return meta
    return _derived_meta(lever, sf)


def _replace_meta(meta: FieldMeta, **changes: Any) -> FieldMeta:
    from dataclasses import replace

    return replace(meta, **changes)


def file_value(lever: Lever, sf: ScenarioFile) -> float:
    """The lever's value in the file (base value; see the module docstring for derived levers)."""
    if lever.kind == "share_moved":
        return 0.0
    if lever.kind == "budget_scale":
        return 1.0
    if lever.kind == "viral_severity":
        ev = sf.base.viral_event
        return float(ev.acquisition_hit) if ev.enabled else 0.0
    return float(get_path(sf.base.model_dump(), lever.key))


def _fit_step(step: float, *values: float) -> float:
    """The largest of step, step/10, ... that divides every value (so sliders land on them)."""
    for _ in range(8):
        if all(abs(v / step - round(v / step)) < 1e-6 for v in values):
            return step
        step /= 10
    return step


def _nice_step(value: float) -> float:
    return 10.0 ** (math.floor(math.log10(value)) - 2) if value > 0 else 1.0


def lever_specs(sf: ScenarioFile, levers: tuple[Lever, ...] = LEVERS) -> tuple[LeverSpec, ...]:
    """Bind levers to a file: metadata, file values, slider ranges and steps."""
    specs = []
    for lever in levers:
        meta = lever_meta(lever, sf)
        value = file_value(lever, sf)
        step = float(meta.step) if meta.step else (1.0 if meta.integer else _nice_step(value))
        lo = 0.0 if meta.low is None else meta.low
        hi = meta.high if meta.high is not None else max(10 * abs(value), 1.0)
        if lever.span is not None and value > 0:
            lo, hi = max(lo, lever.span[0] * value), min(hi, lever.span[1] * value)
        if lever.limits[0] is not None:
            lo = max(lo, lever.limits[0])
        if lever.limits[1] is not None:
            hi = min(hi, lever.limits[1])
        if meta.integer:
            step = max(1.0, round(step))
        else:
            step = _fit_step(step, value)
        lo = math.floor(lo / step + 1e-9) * step
        if not meta.low_inclusive and lo <= (meta.low or 0.0):
            lo = (meta.low or 0.0) + step
        lo, hi = min(lo, value), max(hi, value)  # the file value is always on the slider
        specs.append(LeverSpec(lever, meta, value, float(lo), float(hi), float(step)))
    return tuple(specs)


def file_values(sf: ScenarioFile, levers: tuple[Lever, ...] = LEVERS) -> dict[str, float]:
    """Every lever at its file value (nothing touched)."""
    return {lever.key: file_value(lever, sf) for lever in levers}


def check_values(specs: tuple[LeverSpec, ...], values: Mapping[str, float]) -> None:
    """Raise InputError (one problem per bad lever, the schema's allowed text) if any is invalid."""
    problems = []
    known = {s.key: s for s in specs}
    for key, value in values.items():
        spec = known.get(key)
        if spec is None:
            problems.append(Problem(key, value, "unknown lever; valid: " + ", ".join(known)))
            continue
        why = spec.problem(value)
        if why:
            problems.append(Problem(key, value, why))
    if problems:
        raise InputError("explorer", problems)


# ----------------------------------------------------------------------------- budget
def social_plans(sf: ScenarioFile) -> tuple[str, ...]:
    """Scenarios the budget levers act on: not the status quo, more social spend than it."""
    def social_spend(name: str) -> float:
        plan = sf.scenario(name)
        T = plan.finance.horizon_months
        return float(sum(spend_schedule(ch, T).sum() for ch in plan.channels.values()
                         if ch.kind == "social"))

    base = social_spend(STATUS_QUO)
    tol = 1e-9 * max(1.0, abs(base))
    return tuple(n for n in sf.scenario_names if n != STATUS_QUO and social_spend(n) > base + tol)


def _spend_override(amounts: np.ndarray, old: str) -> dict[str, Any]:
    """A spend schedule for months 1..T: constant when every month is equal, else explicit."""
    source = EXPLORER_SOURCE.format(old=old)
    if np.all(amounts == amounts[0]):
        return {"kind": "constant", "amount": {"value": float(amounts[0]), "source": source}}
    return {"kind": "explicit", "amounts": {"value": [float(v) for v in amounts], "source": source}}


# ----------------------------------------------------------------------------- apply
def drop_path(node: dict[str, Any], parts: list[str]) -> None:
    """Remove a dotted path from a nested override (and the mappings it leaves empty)."""
    if not parts or not isinstance(node, dict) or parts[0] not in node:
        return
    if len(parts) == 1:
        del node[parts[0]]
        return
    drop_path(node[parts[0]], parts[1:])
    if isinstance(node[parts[0]], dict) and not node[parts[0]]:
        del node[parts[0]]


def _set_path(node: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _annotated(value: Any, old: Any) -> dict[str, Any]:
    return {"value": value, "source": EXPLORER_SOURCE.format(old=_fmt(old))}


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def field_updates(specs: tuple[LeverSpec, ...], values: Mapping[str, float],
                  sf: ScenarioFile) -> dict[str, float]:
    """Schema paths and values the touched non-budget levers set (in base and every scenario)."""
    out: dict[str, float] = {}
    for spec in specs:
        if spec.key not in values or not spec.touched(values[spec.key]):
            continue
        v = float(values[spec.key])
        if spec.lever.kind == "field":
            out[spec.key] = int(round(v)) if spec.integer else v
        elif spec.lever.kind == "viral_severity":
            ev = sf.base.viral_event
            out["viral_event.enabled"] = v > 0
            if v > 0:
                out["viral_event.acquisition_hit"] = v
                ratio = ev.added_churn / ev.acquisition_hit if ev.acquisition_hit > 0 else None
                out["viral_event.added_churn"] = (
                    min(v * ratio, 0.2) if ratio is not None else float(ev.added_churn))
    return out


def budget_levers(specs: tuple[LeverSpec, ...], values: Mapping[str, float]) -> tuple[float, float] | None:
    """(share moved, budget multiple) if either budget lever is touched, else None."""
    by_key = {s.key: s for s in specs}
    share = float(values.get(SHARE_MOVED, 0.0))
    scale = float(values.get(BUDGET_SCALE, 1.0))
    touched = (SHARE_MOVED in by_key and by_key[SHARE_MOVED].touched(share)) or (
        BUDGET_SCALE in by_key and by_key[BUDGET_SCALE].touched(scale))
    return (share, scale) if touched else None


def apply_levers(
    sf: ScenarioFile, values: Mapping[str, float], *, source: str = "explorer",
    specs: tuple[LeverSpec, ...] | None = None,
) -> ScenarioFile:
    """A NEW validated scenario file with the lever values applied (see the module docstring).

    Untouched levers change nothing; every value a lever changed carries the
    register source ``"Set in the roi_models explorer (file value: ...)"``.

    Raises
    ------
    InputError
        From the schema (path, value and what is allowed) when a value is invalid.

    Examples
    --------
    What if the social effect on churn were twice what the B2B file assumes?

    >>> from roi_models import load_shipped
    >>> sf = load_shipped("b2b_it_services")
    >>> new = apply_levers(sf, {"social.churn_reduction": 0.3})
    >>> new.base.social.churn_reduction, sf.base.social.churn_reduction
    (0.3, 0.15)
    >>> new.scenario("social").social.churn_reduction
    0.3
    """
    specs = specs if specs is not None else lever_specs(sf)
    raw = scenario_file_to_dict(sf)
    base_plain = sf.base.model_dump()
    updates = field_updates(specs, values, sf)
    for path, value in updates.items():
        _set_path(raw["base"], path, _annotated(value, get_path(base_plain, path)))
        for override in raw["scenarios"].values():
            if isinstance(override, dict):
                drop_path(override, path.split("."))
    budget = budget_levers(specs, values)
    if budget is not None:
        share, scale = budget
        for name in social_plans(sf):
            plan = sf.scenario(name)
            T = plan.finance.horizon_months
            names = list(plan.channels)
            spend = np.stack([np.concatenate([[0.0], spend_schedule(plan.channels[c], T)])
                              for c in names])[:, :, None]
            social = np.array([plan.channels[c].kind == "social" for c in names])
            new = move_budget(spend, social, share, scale)[:, 1:, 0]
            override = raw["scenarios"].setdefault(name, {})
            if not isinstance(override, dict):  # pragma: no cover - validated files have mappings
                continue
            for i, c in enumerate(names):
                if np.array_equal(new[i], spend[i, 1:, 0]):
                    continue
                if np.any(new[i] > _SPEND_LIMIT):
                    raise InputError.one(source, f"scenarios.{name}.channels.{c}.spend", float(
                        new[i].max()), f"a monthly spend of at most {_SPEND_LIMIT:g}: lower the "
                        "total marketing budget")
                old = plan.channels[c].spend
                old_text = _fmt(old.amount) if old.kind == "constant" else f"{old.kind} schedule"
                override.setdefault("channels", {}).setdefault(c, {})["spend"] = _spend_override(
                    new[i], old_text)
    touched = [s for s in specs if s.key in values and s.touched(values[s.key])]
    if touched:
        note = "Saved from the roi_models explorer: " + "; ".join(
            f"{s.label} = {float(values[s.key]):g} (file {s.file_value:g})" for s in touched)
        raw["description"] = (raw.get("description", "") + ("\n" if raw.get("description") else "")
                              + note)[:5000]
    return scenario_file_from_dict(raw, source)
