"""What-if: budget moved between traditional and social channels, swept from -100 % to +100 %.

Definition of "budget moved to social" (the one definition the explorer's
lever and the report's slider share, through :func:`move_budget`)
-------------------------------------------------------------------------
Take one plan's channel spend ``s_c(t)``, with ``T(t)`` its traditional and
``S(t)`` its social channel spend in month t. Moving ``x`` in [-1, 1]:

    x >= 0:  s_c(t) -> (1 - x) s_c(t)             traditional channel c
             s_c(t) -> s_c(t) + x T(t) w_c        social channel c
    x <  0:  s_c(t) -> s_c(t) + |x| S(t) w_c      traditional channel c
             s_c(t) -> (1 - |x|) s_c(t)           social channel c

where ``w_c`` is the channel's share of its kind's spend over the horizon
(equal shares when the plan spends nothing on that kind). So x = 0 is the
plan exactly as in its file, +100 % moves all its traditional spend to
social, -100 % all its social spend to traditional; every month keeps its
total and the plan keeps its timing. A budget multiple ``m`` then scales
every channel (1: the file's budget). Everything else in the plan
(programme costs and capabilities, funnel, spend before the plan) is kept:
the sweep answers "with this plan's programme, how should its channel
budget be split?". Each point is compared with the status quo, exactly like
the plan itself.

All points are simulated as ONE batch (one row per point); the finance
figures come from :func:`roi_models.engine.business_case` on that batch.

Examples
--------
What happens to the social plan's NPV when all its traditional budget goes to social?

>>> from roi_models import load_shipped, run_scenarios
>>> res = run_scenarios(load_shipped("b2b_it_services"))
>>> sweep = budget_share_sweep(res, "social")
>>> sweep.moved[[0, 20, -1]].tolist()
[-1.0, 0.0, 1.0]
>>> sweep.frame.columns[:3].tolist()
['moved_to_social', 'social_share', 'npv']
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..engine import BusinessCase, SimResult, business_case, simulate
from ..errors import InputError
from .scenarios import ScenarioResults

DEFAULT_MOVED: np.ndarray = np.round(np.linspace(-1.0, 1.0, 41), 10)
"""-100 %, -95 %, ..., +100 % of budget moved to social (0: the plan itself)."""

MOVED_LABEL = "Budget moved to social"
"""The name of the lever wherever it is shown (explorer, report)."""


@dataclass(frozen=True)
class BudgetShareSweep:
    """The sweep of one plan: one row of every array per amount of budget moved."""

    scenario: str
    moved: np.ndarray  # (k,) budget moved to social, -1..1 (0: the plan itself)
    social_share: np.ndarray  # (k,) social share of the channel budget over the horizon
    sim: SimResult
    case: BusinessCase
    discount_rate: float
    currency: str

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.sim.horizon + 1)

    @property
    def plan_index(self) -> int:
        """The point that is the plan itself (nothing moved), where a slider starts."""
        return int(np.argmin(np.abs(self.moved)))

    @property
    def discounted_cash_flow(self) -> np.ndarray:
        """Discounted incremental cash flow, (k, T+1)."""
        return self.case.discounted_incremental_cash_flow

    @cached_property
    def frame(self) -> pd.DataFrame:
        """One row per point: budget moved, social share, NPV, ROI, IRR, payback vs the status quo.

        Missing figures (no IRR, never pays back) are ``<NA>``.
        """
        c = self.case
        frame = pd.DataFrame({"moved_to_social": self.moved, "social_share": self.social_share})
        for col, v in (("npv", c.npv), ("roi", c.roi), ("irr_annual", c.irr_annual),
                       ("payback_month", c.payback_month),
                       ("discounted_payback_month", c.discounted_payback_month)):
            frame[col] = pd.array(np.asarray(v, dtype=float), dtype="Float64")
        for col in ("payback_month", "discounted_payback_month"):
            frame[col] = frame[col].astype("Int64")
        frame.attrs["units"] = {
            "moved_to_social": "share", "social_share": "share", "npv": self.currency,
            "roi": "ratio", "irr_annual": "share/year", "payback_month": "month",
            "discounted_payback_month": "month",
        }
        frame.attrs["scenario"] = self.scenario
        return frame


def move_budget(spend: np.ndarray, is_social: np.ndarray, moved, scale=1.0) -> np.ndarray:
    """Channel spend after moving budget between the kinds and scaling it (module docstring).

    Parameters
    ----------
    spend : (C, T+1, k) spend of k plans (or k copies of one plan) per channel and month.
    is_social : (C,) bool.
    moved : budget moved to social, x in [-1, 1]: a number, or (k,) one per column.
    scale : budget multiple m >= 0: a number, or (k,).

    Returns
    -------
    (C, T+1, k): a new array; ``moved = 0, scale = 1`` returns the same numbers exactly.

    Examples
    --------
    Events, outbound and LinkedIn spend 60, 30 and 10 a month: what if half of the
    traditional budget moved to LinkedIn, or half of LinkedIn's went back?

    >>> s = np.array([[0, 60, 60], [0, 30, 30], [0, 10, 30]], dtype=float)[:, :, None]
    >>> social = np.array([False, False, True])
    >>> move_budget(s, social, 0.5)[:, 1:, 0].tolist()
    [[30.0, 30.0], [15.0, 15.0], [55.0, 75.0]]
    >>> move_budget(s, social, -0.5)[:, 1:, 0].round(2).tolist()
    [[63.33, 70.0], [31.67, 35.0], [5.0, 15.0]]
    """
    spend = np.asarray(spend, dtype=float)
    social = np.asarray(is_social, dtype=bool)
    k = spend.shape[2]
    x = np.broadcast_to(np.asarray(moved, dtype=float), (k,))
    m = np.broadcast_to(np.asarray(scale, dtype=float), (k,))
    if not np.all(np.isfinite(x)) or np.any(np.abs(x) > 1.0):
        raise InputError.one("argument", "moved", x.tolist(),
                             "a share of budget moved in [-1, 1] (-100 % to +100 %)")
    if not np.all(np.isfinite(m)) or np.any(m < 0):
        raise InputError.one("argument", "scale", m.tolist(), "a budget multiple >= 0")
    to_social, to_traditional = np.maximum(x, 0.0), np.maximum(-x, 0.0)  # (k,)
    out = np.empty_like(spend)
    for kind, receives, gives in ((social, to_social, to_traditional),
                                  (~social, to_traditional, to_social)):
        other_month = spend[~kind].sum(axis=0)  # (T+1, k): the other kind's spend
        by_channel = spend[kind].sum(axis=1)  # (members, k) over the horizon
        total = by_channel.sum(axis=0)  # (k,)
        members = max(int(kind.sum()), 1)
        weight = np.where(total > 0, by_channel / np.where(total > 0, total, 1.0), 1.0 / members)
        out[kind] = ((1.0 - gives) * spend[kind]
                     + receives * other_month[None] * weight[:, None, :])
    return out * m if np.any(m != 1.0) else out


def budget_share_sweep(
    results: ScenarioResults, scenario: str, moved=DEFAULT_MOVED
) -> BudgetShareSweep:
    """Sweep the budget moved to social for one plan, in one batch (module docstring).

    Raises InputError when the plan has no channel of one kind (there is
    nothing to move the budget to) or no channel spend at all.
    """
    i = results.index(scenario)
    moved = np.asarray(moved, dtype=float)
    if moved.ndim != 1 or moved.size == 0 or np.any(~np.isfinite(moved) | (np.abs(moved) > 1)):
        raise InputError.one("argument", "moved", moved.tolist(),
                             "shares of budget moved in [-1, 1]")
    row = results.batch.rows(np.array([i]))
    social = np.asarray(row.channel_is_social, dtype=bool)
    if social.all() or not social.any():
        raise InputError.one(
            "argument", "scenario", scenario,
            "needs at least one traditional and one social channel to move budget between",
        )
    spend = np.broadcast_to(row.spend, row.spend.shape[:2] + (1,))
    if float(spend.sum()) <= 0:
        raise InputError.one("argument", "scenario", scenario, "has no channel spend to split")
    points = move_budget(np.repeat(spend, moved.size, axis=2), social, moved)
    batch = replace(row.repeat(moved.size), spend=points)
    sim = simulate(batch)
    baseline = _row(results.sim, results.index(results.names[0]))
    return BudgetShareSweep(
        scenario=scenario,
        moved=moved,
        social_share=points[social].sum(axis=(0, 1)) / points.sum(axis=(0, 1)),
        sim=sim,
        case=business_case(sim, baseline, results.discount_rate, spend=points,
                           baseline_spend=results.batch.rows(np.array([0])).spend,
                           terminal_value=results.terminal_value),
        discount_rate=results.discount_rate,
        currency=results.currency,
    )


def _row(sim: SimResult, i: int) -> SimResult:
    """One row of a simulation result, kept 2-D."""
    return sim.rows(i)
