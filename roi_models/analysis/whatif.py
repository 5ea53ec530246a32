"""What-if: the share of the marketing budget moved to social, swept from 0 to 100 %.

Definition (what "share moved to social" means here)
----------------------------------------------------
Take one scenario's parameter row. Its total channel spend in month t is
``S(t) = sum_c s_c(t)`` over every channel, traditional and social. At share
``x`` the scenario's spend is replaced by

    s_c(t; x) = S(t) (1 - x) w_c   for a traditional channel c,
    s_c(t; x) = S(t) x w_c         for a social channel c,

where ``w_c`` is the channel's share of its kind's spend over the horizon in
the scenario (``sum_t s_c(t) / sum_t s_kind(t)``), or ``1 / (channels of
that kind)`` when the scenario spends nothing on that kind. So the total
budget and its timing are kept, only the split between the kinds moves.
The split ``x`` is the same in every month, so a scenario whose own split
changes over time (a social budget that ramps up) is not itself a point of
the sweep; its horizon-average share is :attr:`BudgetShareSweep.current_share`.
Everything else in the scenario (programme costs and capabilities, funnel,
spend before the plan) is kept as it is: the sweep answers "with this plan's
programme, how should its channel budget be split?". Each point is compared
with the status quo, exactly like the scenario itself.

All shares are simulated as ONE batch (one row per share); the finance
figures come from :func:`roi_models.engine.business_case` on that batch.

Examples
--------
What happens to the social plan's NPV when all its channel budget goes to social?

>>> from roi_models import load_shipped, run_scenarios
>>> res = run_scenarios(load_shipped("b2b_it_services"))
>>> sweep = budget_share_sweep(res, "social")
>>> sweep.shares[[0, -1]].tolist()
[0.0, 1.0]
>>> sweep.frame.columns[:3].tolist()
['share_social', 'npv', 'roi']
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..engine import BusinessCase, SimResult, business_case, simulate
from ..errors import InputError
from .scenarios import ScenarioResults

DEFAULT_SHARES: np.ndarray = np.round(np.linspace(0.0, 1.0, 21), 10)
"""0 %, 5 %, ..., 100 %."""


@dataclass(frozen=True)
class BudgetShareSweep:
    """The sweep of one scenario: one row of every array per share."""

    scenario: str
    shares: np.ndarray  # (k,)
    current_share: float  # the scenario's own social share of channel spend
    sim: SimResult
    case: BusinessCase
    discount_rate: float
    currency: str

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.sim.horizon + 1)

    @property
    def discounted_cash_flow(self) -> np.ndarray:
        """Discounted incremental cash flow, (k, T+1)."""
        return self.case.discounted_incremental_cash_flow

    @cached_property
    def frame(self) -> pd.DataFrame:
        """One row per share: NPV, ROI, IRR, payback against the status quo.

        Missing figures (no IRR, never pays back) are ``<NA>``.
        """
        c = self.case
        frame = pd.DataFrame({"share_social": self.shares})
        for col, v in (("npv", c.npv), ("roi", c.roi), ("irr_annual", c.irr_annual),
                       ("payback_month", c.payback_month),
                       ("discounted_payback_month", c.discounted_payback_month)):
            frame[col] = pd.array(np.asarray(v, dtype=float), dtype="Float64")
        for col in ("payback_month", "discounted_payback_month"):
            frame[col] = frame[col].astype("Int64")
        frame.attrs["units"] = {
            "share_social": "share", "npv": self.currency, "roi": "ratio",
            "irr_annual": "share/year", "payback_month": "month",
            "discounted_payback_month": "month",
        }
        frame.attrs["scenario"] = self.scenario
        return frame


def split_spend(spend: np.ndarray, is_social: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Spend arrays for every share, vectorised (see the module docstring).

    Parameters
    ----------
    spend : (C, T+1) spend of one scenario per channel and month.
    is_social : (C,) bool.
    shares : (k,) social shares in [0, 1].

    Returns
    -------
    (C, T+1, k) spend: month totals kept, split ``(1 - x)`` / ``x``.

    >>> s = np.array([[0, 60, 60], [0, 30, 30], [0, 10, 10]], dtype=float)
    >>> out = split_spend(s, np.array([False, False, True]), np.array([0.0, 0.5]))
    >>> out[:, 1, :].round(2).tolist()  # month 1 of events, outbound, linkedin at 0 % and 50 %
    [[66.67, 33.33], [33.33, 16.67], [0.0, 50.0]]
    """
    spend = np.asarray(spend, dtype=float)
    social = np.asarray(is_social, dtype=bool)
    kinds = np.stack([~social, social]).astype(float)  # (2, C)
    by_channel = spend.sum(axis=1)  # (C,)
    by_kind = kinds @ by_channel  # (2,)
    count = kinds.sum(axis=1)  # channels of each kind
    own = np.where(by_kind[:, None] > 0, kinds * by_channel / np.where(by_kind > 0, by_kind, 1.0)[:, None],
                   kinds / np.maximum(count, 1.0)[:, None])
    weight = own.sum(axis=0)  # (C,): each channel belongs to one kind
    kind_share = np.where(social[:, None], shares[None, :], 1.0 - shares[None, :])  # (C, k)
    total = spend.sum(axis=0)  # (T+1,)
    return total[None, :, None] * (weight[:, None] * kind_share)[:, None, :]


def budget_share_sweep(
    results: ScenarioResults, scenario: str, shares=DEFAULT_SHARES
) -> BudgetShareSweep:
    """Sweep the social share of one scenario's channel budget, in one batch.

    Raises InputError when the scenario has no channel of one kind (there is
    nothing to move the budget to) or no channel spend at all.
    """
    i = results.index(scenario)
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 1 or shares.size == 0 or np.any((shares < 0) | (shares > 1)):
        raise InputError.one("argument", "shares", shares.tolist(), "shares in [0, 1]")
    row = results.batch.rows(np.array([i]))
    social = np.asarray(row.channel_is_social, dtype=bool)
    if social.all() or not social.any():
        raise InputError.one(
            "argument", "scenario", scenario,
            "needs at least one traditional and one social channel to move budget between",
        )
    spend = np.broadcast_to(row.spend, row.spend.shape[:2] + (1,))[:, :, 0]
    total = float(spend.sum())
    if total <= 0:
        raise InputError.one("argument", "scenario", scenario, "has no channel spend to split")
    batch = replace(row.repeat(shares.size), spend=split_spend(spend, social, shares))
    sim = simulate(batch)
    baseline = _row(results.sim, results.index(results.names[0]))
    return BudgetShareSweep(
        scenario=scenario,
        shares=shares,
        current_share=float(spend[social].sum() / total),
        sim=sim,
        case=business_case(sim, baseline, results.discount_rate),
        discount_rate=results.discount_rate,
        currency=results.currency,
    )


def _row(sim: SimResult, i: int) -> SimResult:
    """One row of a simulation result, kept 2-D."""
    return sim.rows(i)
