"""The explorer's pure computation: lever values in, one batched simulation out.

:class:`ExplorerModel` holds what does not change while sliders move (the
scenario file, its parameter batch with one row per scenario, status quo
first, and the levers bound to the file). :func:`evaluate` applies lever
values to that batch with the rules of :mod:`roi_models.explorer.levers`
(checked against the schema's bounds first) and simulates every scenario
in one batch: a slider move costs one simulation of n scenarios x T months,
without re-validating the whole file. :func:`roi_models.explorer.apply_levers`
builds the equivalent validated file for saving and reporting; the tests
check that both give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Mapping

import numpy as np
import pandas as pd

from ..analysis.scenarios import ScenarioResults, run_scenarios
from ..assumptions import STATUS_QUO, ScenarioFile
from ..engine import (
    BusinessCase,
    ParamBatch,
    PlanMetrics,
    SimResult,
    business_case,
    plan_metrics,
    simulate,
)
from ..errors import InputError
from .levers import (
    LeverSpec,
    budget_levers,
    check_values,
    field_updates,
    file_values,
    lever_specs,
    move_budget,
    social_plans,
)

KPI_COLUMNS: tuple[str, ...] = (
    "npv", "roi", "irr_annual", "payback_month", "discounted_payback_month", "cac", "clv",
    "clv_to_cac",
)
"""KPI table columns: the first five against the status quo, the last three of the plan itself."""


@dataclass(frozen=True)
class ExplorerModel:
    """A scenario file prepared for fast lever evaluation (see the module docstring)."""

    file: ScenarioFile
    source: str
    base: ScenarioResults
    specs: tuple[LeverSpec, ...]
    social_rows: tuple[int, ...]

    @classmethod
    def from_file(cls, sf: ScenarioFile, source: str = "") -> "ExplorerModel":
        base = run_scenarios(sf, source=source)
        plans = social_plans(sf)
        return cls(file=sf, source=source, base=base, specs=lever_specs(sf),
                   social_rows=tuple(base.names.index(n) for n in plans))

    @property
    def names(self) -> tuple[str, ...]:
        return self.base.names

    @property
    def social_plan_names(self) -> tuple[str, ...]:
        return tuple(self.names[i] for i in self.social_rows)

    @property
    def currency(self) -> str:
        return self.file.currency

    def file_values(self) -> dict[str, float]:
        return file_values(self.file, tuple(s.lever for s in self.specs))

    def spec(self, key: str) -> LeverSpec:
        for s in self.specs:
            if s.key == key:
                return s
        raise KeyError(key)

    def batch_for(self, values: Mapping[str, float]) -> ParamBatch:
        """The file's batch with the lever values applied (bounds checked first)."""
        check_values(self.specs, values)
        batch = self.base.batch
        updates = field_updates(self.specs, values, self.file)
        if updates:
            batch = batch.with_values({k: float(v) for k, v in updates.items()})
        budget = budget_levers(self.specs, values)
        if budget is not None and self.social_rows:
            rows = list(self.social_rows)
            spend = np.broadcast_to(batch.spend, batch.spend.shape[:2] + (batch.n,)).copy()
            spend[:, :, rows] = move_budget(spend[:, :, rows], batch.channel_is_social, *budget)
            if np.any(spend > 1e10):
                raise InputError.one("explorer", "plans.budget_multiplier", budget[1],
                                     "a monthly spend of at most 1e10 per channel")
            batch = replace(batch, spend=spend)
        return batch


@dataclass(frozen=True)
class Evaluation:
    """The result of one evaluation: every scenario, status quo first (row 0)."""

    names: tuple[str, ...]
    values: Mapping[str, float]
    batch: ParamBatch
    sim: SimResult
    metrics: PlanMetrics
    case: BusinessCase
    currency: str
    seconds: float = field(default=0.0, compare=False)

    @property
    def discount_rate(self) -> float:
        return float(self.batch["finance.discount_rate_annual"][0])

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.sim.horizon + 1)

    @property
    def discounted_incremental(self) -> np.ndarray:
        """Discounted incremental cash flow against the status quo, (n, T+1)."""
        return self.case.discounted_incremental_cash_flow

    @cached_property
    def churn_rate(self) -> np.ndarray:
        """Monthly churn of all customers, months 1..T: churned(t) / active(t-1), (n, T)."""
        churned = self.sim.churned.sum(axis=1)[:, 1:]
        before = self.sim.active_customers[:, :-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(before > 0, churned / np.where(before > 0, before, 1.0), 0.0)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """One row per scenario: NPV, ROI, IRR, payback (against the status quo), CAC, CLV.

        Column names are those of :attr:`roi_models.ScenarioResults.summary`;
        missing figures are NaN here (the table shows "n/a").
        """
        c, m = self.case, self.metrics
        data = {"npv": c.npv, "roi": c.roi, "irr_annual": c.irr_annual,
                "payback_month": c.payback_month,
                "discounted_payback_month": c.discounted_payback_month,
                "cac": m.cac, "clv": m.clv, "clv_to_cac": m.clv_to_cac}
        frame = pd.DataFrame({"scenario": list(self.names)}
                             | {k: np.asarray(data[k], dtype=float) for k in KPI_COLUMNS})
        frame.attrs["currency"] = self.currency
        return frame

    def kpi(self, scenario: str, column: str) -> float:
        """One KPI of one scenario (NaN where it does not exist)."""
        return float(self.kpis.loc[self.names.index(scenario), column])


def evaluate(model: ExplorerModel, values: Mapping[str, float]) -> Evaluation:
    """Simulate every scenario of the model's file with the lever values applied.

    Raises InputError (lever, value, the schema's allowed range) for a value
    out of bounds; nothing is computed then.

    Examples
    --------
    How does the social plan's NPV move when a fifth of its traditional budget goes social?

    >>> from roi_models import load_shipped
    >>> model = ExplorerModel.from_file(load_shipped("b2b_it_services"))
    >>> before = evaluate(model, model.file_values()).kpi("social", "npv")
    >>> after = evaluate(model, {"plans.share_moved_to_social": 0.2}).kpi("social", "npv")
    >>> bool(after != before)
    True
    """
    import time

    start = time.perf_counter()
    batch = model.batch_for(values)
    sim = simulate(batch)
    baseline = SimResult(**{
        k: (v[:1] if isinstance(v, np.ndarray) else v) for k, v in sim.__dict__.items()
    })
    rate = float(batch["finance.discount_rate_annual"][0])
    return Evaluation(
        names=model.names, values=dict(values), batch=batch, sim=sim,
        metrics=plan_metrics(sim, batch), case=business_case(sim, baseline, rate),
        currency=model.currency, seconds=time.perf_counter() - start,
    )


__all__ = ["KPI_COLUMNS", "STATUS_QUO", "Evaluation", "ExplorerModel", "evaluate"]
