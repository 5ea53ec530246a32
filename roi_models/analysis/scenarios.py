"""Scenario comparison: every scenario of a file in one batch, against the status quo.

:func:`run_scenarios` is the deterministic run behind the CLI, the notebooks
and the reports. Its :class:`ScenarioResults` hands out tidy pandas frames
(units in ``DataFrame.attrs["units"]``), the annual TEI table of each
scenario (:mod:`roi_models.analysis.tei`), the assumption register and the
KPIs of each scenario as plain Python values (None where a figure does not
exist). The JSON document of ``roi-models run --json`` is built from those
by :func:`roi_models.cli.json_document`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..assumptions import SOURCES, STATUS_QUO, ScenarioFile, field_meta
from ..assumptions.merge import get_path
from ..conventions import none_if_nan, safe_ratio
from ..engine import (
    KINDS,
    BusinessCase,
    ParamBatch,
    PlanMetrics,
    SimResult,
    business_case,
    plan_metrics,
    simulate,
)
from ..engine.metrics import TerminalValue
from ..errors import InputError
from .tei import TEITable, tei_table, yearly


@dataclass(frozen=True)
class ScenarioResults:
    """Results of a deterministic run: one batch row per scenario, the status quo included."""

    file: ScenarioFile
    names: tuple[str, ...]
    batch: ParamBatch
    sim: SimResult
    metrics: PlanMetrics
    case: BusinessCase
    source: str = ""
    discount_rate_annual: float | None = None  # None: the file's (base) discount rate

    @classmethod
    def from_batch(
        cls, sf: ScenarioFile, names: Sequence[str], batch: ParamBatch, *, source: str = "",
        discount_rate_annual: float | None = None,
    ) -> ScenarioResults:
        """Simulate an already validated batch (row 0: the status quo) into results.

        For callers that derive a batch from a file's own (the explorer's
        levers) without re-validating a whole file: ``names`` label the rows,
        ``discount_rate_annual`` (default: the file's) discounts every row
        against row 0. :func:`run_scenarios` builds its results here too, so
        both give the same figures for the same batch.
        """
        names = tuple(names)
        if not names or names[0] != STATUS_QUO or len(names) != batch.n:
            raise InputError.one("argument", "names", list(names),
                                 f"one name per batch row ({batch.n}), {STATUS_QUO} first")
        rate = (sf.base.finance.discount_rate_annual if discount_rate_annual is None
                else float(discount_rate_annual))
        sim = simulate(batch)
        case = business_case(sim, sim.rows(0), rate, spend=batch.spend,
                             baseline_spend=batch.rows(np.array([0])).spend,
                             terminal_value=sf.base.finance.terminal_value)
        return cls(file=sf, names=names, batch=batch, sim=sim, metrics=plan_metrics(sim, batch),
                   case=case, source=source, discount_rate_annual=discount_rate_annual)

    @property
    def discount_rate(self) -> float:
        if self.discount_rate_annual is not None:
            return float(self.discount_rate_annual)
        return self.file.base.finance.discount_rate_annual

    @property
    def terminal_value(self) -> TerminalValue:
        """``finance.terminal_value`` of the file's base: one setting for every plan, as the
        discount rate."""
        return self.file.base.finance.terminal_value

    @property
    def horizon(self) -> int:
        return self.batch.horizon

    @property
    def currency(self) -> str:
        return self.file.currency

    def index(self, name: str) -> int:
        """Row of a scenario; InputError naming the valid scenarios if unknown."""
        if name not in self.names:
            self.file.scenario(name)  # raises with the nearest valid name
            raise InputError.one("argument", "scenario", name,
                                 "not in this run: " + ", ".join(self.names))
        return self.names.index(name)

    # ------------------------------------------------------------------ frames
    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per scenario: the business case against the status quo and plan KPIs.

        Missing figures (no IRR, never pays back, no customers from a source)
        are ``<NA>``, never NaN. ``npv`` is at the file's ``finance.terminal_value``
        setting, ``npv_without_terminal_value`` and ``npv_with_terminal_value`` at
        each (``terminal_value``: their difference, in present value); ``cac`` is
        CAC (paid), also as ``cac_paid``, beside ``cac_blended``; ``irr_caveat`` is
        a code of :func:`roi_models.engine.finance.irr_caveat` (0: a meaningful
        rate); ``budget`` is channel spend + programme cost over months 0..T and
        ``extra_spend`` its difference from the status quo's (undiscounted).
        """
        m, c = self.metrics, self.case
        cols: dict[str, Any] = {
            "npv": c.npv, "irr_annual": c.irr_annual, "mirr_annual": c.mirr_annual,
            "irr_caveat": c.irr_caveat, "roi": c.roi,
            "payback_month": c.payback_month,
            "discounted_payback_month": c.discounted_payback_month,
            "pv_benefits": c.pv_benefits, "pv_costs": c.pv_costs,
            "npv_without_terminal_value": c.npv_without_terminal_value,
            "npv_with_terminal_value": c.npv_with_terminal_value,
            "terminal_value": c.terminal_value, "peak_outlay": c.peak_outlay,
            "extra_spend": m.budget - m.budget[0], "budget": m.budget,
            "npv_plan": m.npv, "cac": m.cac, "cac_paid": m.cac_paid,
            "cac_blended": m.cac_blended, "clv": m.clv, "clv_to_cac": m.clv_to_cac,
            "cost_of_sales_share": m.cost_of_sales_share, "churn_monthly_avg": m.churn_monthly_avg,
            "customers_end": m.customers_end, "new_customers": m.new_customers_total,
        }
        for i, s in enumerate(SOURCES[1:], start=1):
            cols[f"cac_{s}"] = m.cac_by_source[:, i]
            cols[f"clv_{s}"] = m.clv_by_source[:, i]
            cols[f"clv_to_cac_{s}"] = m.clv_to_cac_by_source[:, i]
        frame = pd.DataFrame({"scenario": list(self.names)})
        for k, v in cols.items():
            frame[k] = pd.array(np.asarray(v, dtype=float), dtype="Float64")
        for k in ("payback_month", "discounted_payback_month", "irr_caveat"):
            frame[k] = frame[k].astype("Int64")
        frame.attrs["units"] = _summary_units(self.currency, frame.columns)
        frame.attrs["baseline"] = STATUS_QUO
        frame.attrs["discount_rate_annual"] = self.discount_rate
        return frame

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """One row per scenario and month (0..T): customers, cash flows and their parts.

        ``churn_rate`` is churned(t) / active(t - 1), NaN in month 0 (no month
        before the decision date) and wherever nobody was active
        (:func:`roi_models.conventions.safe_ratio`). The column stays float64
        (NaN, not ``<NA>``) so that the Excel export reads back equal.
        """
        r, T = self.sim, self.horizon
        inc = self.case.incremental_cash_flow
        discounted = self.case.discounted_incremental_cash_flow
        cols = {
            "active_customers": r.active_customers, "new_customers": r.new_customers,
            "churned_customers": r.churned.sum(axis=1),
            "churn_rate": safe_ratio(r.churned.sum(axis=1), np.concatenate(
                [np.zeros((r.n, 1)), r.active_customers[:, :-1]], axis=1)),
            "engagement": r.engagement,
            "revenue": r.revenue, "gross_profit": r.gross_profit,
            "marketing_spend": r.marketing_spend,
            **{f"channel_spend_{k}": r.spend_by_kind[:, i] for i, k in enumerate(KINDS)},
            "referral_rewards": r.referral_rewards,
            "cost_of_sales": r.cost_of_sales,
            **{f"cost_of_sales_{k}": r.cost_of_sales_by_kind[:, i] for i, k in enumerate(KINDS)},
            **{f"leads_{k}": r.leads[:, i] for i, k in enumerate(KINDS)},
            **{f"opportunities_{k}": r.opportunities[:, i] for i, k in enumerate(KINDS)},
            "support_cost": r.support_cost, "programme_cost": r.programme_cost,
            "net_cash_flow": r.net_cash_flow,
            "incremental_cash_flow": inc,
            "cumulative_incremental_cash_flow": np.cumsum(inc, axis=1),
            "discounted_incremental_cash_flow": discounted,
            "cumulative_discounted_incremental_cash_flow": np.cumsum(discounted, axis=1),
        }
        frame = pd.DataFrame({
            "scenario": np.repeat(np.array(self.names, dtype=object), T + 1),
            "month": np.tile(np.arange(T + 1), len(self.names)),
            **{k: np.asarray(v).reshape(-1) for k, v in cols.items()},
        })
        frame.attrs["units"] = _monthly_units(self.currency, frame.columns)
        return frame

    @cached_property
    def by_source(self) -> pd.DataFrame:
        """One row per scenario, customer source and month: the cohorts."""
        r, T, S = self.sim, self.horizon, len(SOURCES)
        frame = pd.DataFrame({
            "scenario": np.repeat(np.array(self.names, dtype=object), S * (T + 1)),
            "source": np.tile(np.repeat(np.array(SOURCES, dtype=object), T + 1), len(self.names)),
            "month": np.tile(np.arange(T + 1), len(self.names) * S),
            "active_customers": r.active.reshape(-1),
            "new_customers": r.new.reshape(-1),
            "churned_customers": r.churned.reshape(-1),
            "churn_rate": r.churn_rate.reshape(-1),
            "revenue": r.revenue_by_source.reshape(-1),
        })
        frame.attrs["units"] = _monthly_units(self.currency, frame.columns)
        return frame

    def annual(
        self, name: str, *, risk_adjust_benefits: float = 0.0, risk_adjust_costs: float = 0.0
    ) -> TEITable:
        """The TEI table of one scenario against the status quo.

        Benefits and costs are the incremental lines of the business case
        (:attr:`roi_models.engine.BusinessCase.incremental_lines`: each channel's
        spend its own line, as ROI takes them), summed per year by
        :func:`roi_models.analysis.tei.yearly` (Initial = month 0, Year k =
        months 12k-11..12k; a last partial year keeps its months). Risk
        adjustment, as in TEI studies, reduces benefits by
        ``risk_adjust_benefits`` and raises costs by ``risk_adjust_costs``
        (shares, 0..1). See :func:`roi_models.analysis.tei.tei_table`.

        Examples
        --------
        What does the B2B social plan cost up front, and what is its
        risk-adjusted ROI?

        >>> from roi_models.data import load_shipped
        >>> res = run_scenarios(load_shipped("b2b_it_services"), ["social"])
        >>> float(res.annual("social").table.loc["Costs", "Initial"])
        400000.0
        >>> adjusted = res.annual("social", risk_adjust_benefits=0.1, risk_adjust_costs=0.05)
        >>> bool(adjusted.roi < res.annual("social").roi)
        True
        """
        for arg, value in (("risk_adjust_benefits", risk_adjust_benefits),
                           ("risk_adjust_costs", risk_adjust_costs)):
            if not (np.isfinite(value) and 0.0 <= value <= 1.0):
                raise InputError.one("argument", arg, value, "a share in [0, 1]")
        i = self.index(name)
        parts = np.stack([v[i] for v in self.case.incremental_lines.values()])
        benefits = np.clip(parts, 0, None).sum(axis=0) * (1.0 - risk_adjust_benefits)
        costs = np.clip(-parts, 0, None).sum(axis=0) * (1.0 + risk_adjust_costs)
        return tei_table(yearly(costs), yearly(benefits), self.discount_rate)

    @cached_property
    def register(self) -> pd.DataFrame:
        """The assumption register: every annotated value per scenario, with unit and source."""
        rows = []
        for name in self.names:
            plan = self.file.scenario(name).model_dump()
            for path, entry in sorted(self.file.register_for(name).items()):
                try:
                    value = get_path(plan, path)
                except KeyError:
                    value = None
                try:
                    unit = field_meta(path).unit.replace("currency", self.currency)
                except KeyError:
                    unit = ""
                rows.append({
                    "scenario": name, "path": path, "value": value, "unit": unit,
                    **entry.model_dump(),
                })
        columns = ["scenario", "path", "value", "unit", "source", "confidence", "owner",
                   "validated_on", "note"]
        return pd.DataFrame(rows, columns=columns)

    # ------------------------------------------------------------------ plain values
    def kpis(self, name: str) -> dict[str, float | int | None]:
        """KPIs of one scenario as Python values: None where a figure does not exist.

        Keys are the columns of :attr:`summary`; payback months are ints.

        >>> from roi_models.data import load_shipped
        >>> k = run_scenarios(load_shipped("b2b_it_services"), ["social"]).kpis("status_quo")
        >>> k["npv"], k["roi"], k["payback_month"]
        (0.0, None, None)
        """
        row = self.summary.iloc[self.index(name)]
        out: dict[str, float | int | None] = {}
        for col in self.summary.columns[1:]:
            value = row[col]
            if pd.isna(value):
                out[col] = None
            elif col.endswith("payback_month") or col == "irr_caveat":
                out[col] = int(value)
            else:
                out[col] = none_if_nan(value)
        return out


def run_scenarios(
    sf: ScenarioFile, names: Sequence[str] | None = None, *, source: str = ""
) -> ScenarioResults:
    """Simulate the scenarios of a file (all by default) in one batch, with the status quo.

    The status quo is always simulated (it is the baseline); ``names`` picks
    which other scenarios to run too.

    Examples
    --------
    Does the social plan of the shipped B2B case beat doing nothing?

    >>> from roi_models.data import load_shipped
    >>> res = run_scenarios(load_shipped("b2b_it_services"))
    >>> bool(res.summary.set_index("scenario").loc["social", "npv"] > 0)
    True
    """
    wanted = list(names) if names is not None else sf.scenario_names
    for name in wanted:
        sf.scenario(name)  # unknown names raise InputError with the nearest valid one
    order = [STATUS_QUO] + [n for n in wanted if n != STATUS_QUO]
    batch = ParamBatch.from_assumptions([sf.scenario(n) for n in order], order)
    return ScenarioResults.from_batch(sf, order, batch, source=source)


def _summary_units(currency: str, columns) -> dict[str, str]:
    units = {}
    for col in columns:
        if col == "scenario":
            continue
        if col.startswith(("npv", "pv_", "cac", "clv")) and "to_cac" not in col:
            units[col] = currency if not col.startswith(("cac", "clv")) else f"{currency}/customer"
        elif col in ("terminal_value", "peak_outlay", "extra_spend", "budget"):
            units[col] = currency
        elif col in ("irr_annual", "mirr_annual"):
            units[col] = "share/year"
        elif col == "irr_caveat":
            units[col] = "code"
        elif col.endswith("payback_month"):
            units[col] = "month"
        elif col in ("customers_end", "new_customers"):
            units[col] = "customers"
        elif col == "churn_monthly_avg":
            units[col] = "share/month"
        else:
            units[col] = "ratio"
    return units


def _monthly_units(currency: str, columns) -> dict[str, str]:
    units = {}
    for col in columns:
        if col in ("scenario", "source"):
            continue
        if col == "month":
            units[col] = "month"
        elif col.endswith("customers"):
            units[col] = "customers"
        elif col.startswith(("leads", "opportunities")):
            units[col] = col.split("_")[0] + "/month"
        elif col in ("churn_rate",):
            units[col] = "share/month"
        elif col == "engagement":
            units[col] = "0-1"
        else:
            units[col] = f"{currency}/month"
    return units
