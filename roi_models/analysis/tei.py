"""The annual business-case table of a total-economic-impact (TEI) study.

A TEI study (Forrester) shows costs, benefits and net benefits with columns
Initial, Year 1..N, Total and Present value; Initial is undiscounted and
year n is discounted by ``(1 + i)^n``. :func:`tei_table` builds that layout
from yearly amounts; :func:`yearly` sums monthly flows into its columns, and
:meth:`roi_models.analysis.ScenarioResults.annual` feeds it the incremental
benefits and costs of a scenario.

Because the table discounts annual sums once a year, its NPV differs slightly
from the monthly NPV of :func:`roi_models.engine.npv` (which discounts every
month); both use the same definitions of benefits and costs
(:func:`roi_models.engine.roi_from_components`).

References
----------
.. [TEI] Forrester Research, *Total Economic Impact* (TEI) methodology: costs,
   benefits, flexibility and risk; ROI = (PV benefits - PV costs) / PV costs;
   risk as percentage adjustments of benefits and costs.
.. [BMA] R. A. Brealey, S. C. Myers and F. Allen, *Principles of Corporate
   Finance*, McGraw-Hill, ch. 2 and 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy_financial as npf
import pandas as pd

from ..conventions import MONTHS_PER_YEAR, none_if_nan, safe_ratio
from ..engine import payback_month
from ..errors import InputError


@dataclass(frozen=True)
class TEITable:
    """The annual business-case table of a TEI study and its headline figures.

    Attributes
    ----------
    table : pandas.DataFrame
        Rows ``Costs``, ``Benefits``, ``Net benefits``; columns ``Initial``,
        ``Year 1`` .. ``Year N``, ``Total``, ``Present value``. Costs are
        positive amounts.
    discount_rate : float
        The annual rate of the Present value column.
    npv : float
        PV benefits - PV costs.
    roi : float or None
        (PV benefits - PV costs) / PV costs; None where PV costs are 0.
    pv_costs, pv_benefits : float
        Present values of the two rows.
    payback_years : float or None
        Years until the cumulative net benefit stays non-negative, interpolated
        within the year (see :func:`tei_table`); None if it never does.
    """

    table: pd.DataFrame
    discount_rate: float
    npv: float
    roi: float | None
    pv_costs: float
    pv_benefits: float
    payback_years: float | None

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return self.table.to_html(float_format=lambda v: f"{v:,.0f}")


def tei_table(
    costs: Sequence[float], benefits: Sequence[float], discount_rate: float = 0.10
) -> TEITable:
    """Annual costs and benefits in the layout of Forrester's TEI studies.

    Parameters
    ----------
    costs, benefits : sequence of float
        Positive amounts ``[initial, year 1, year 2, ...]`` (same length, at
        least two values).
    discount_rate : float, default 0.10
        Annual discount rate, in (-0.99, 10]; 10 % is the usual TEI rate.

    Returns
    -------
    TEITable
        The table and its NPV, ROI, present values and payback in years.

    Raises
    ------
    InputError
        For a negative or non-finite amount, lists of different lengths or
        fewer than two values, or a rate out of range.

    Notes
    -----
    With yearly amounts :math:`x_0` (initial), :math:`x_1 .. x_N`:

    .. math:: PV(x) = \\sum_{n=0}^{N} \\frac{x_n}{(1 + i)^n}, \\qquad
              NPV = PV(B) - PV(C), \\qquad ROI = \\frac{PV(B) - PV(C)}{PV(C)}

    Initial is undiscounted, as in ``numpy_financial.npv`` (values from
    t = 0), which computes both present values [TEI]_ [BMA]_. ROI is None
    where PV costs are 0 (:func:`roi_models.conventions.safe_ratio`).

    The payback year is :func:`roi_models.engine.payback_month`'s rule on the
    yearly net benefits (the first year after which the cumulative net
    benefit stays at or above zero, same tolerance); the annual-table
    convention then interpolates linearly within that year: if the
    cumulative net benefit is :math:`S_{k-1} < 0` at the start of payback
    year k and the year's net benefit is :math:`n_k`,
    ``payback_years = (k - 1) + (-S_{k-1}) / n_k`` (at most k).

    References
    ----------
    .. [TEI] Forrester Research, *Total Economic Impact* methodology.
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2 and 5.

    Examples
    --------
    Is a project costing 100 up front and 10 a year, bringing 60 a year,
    worth it over three years at 10 %, and when has it paid for itself?

    >>> t = tei_table([100, 10, 10, 10], [0, 60, 60, 60], 0.10)
    >>> round(t.pv_costs, 2), round(t.pv_benefits, 2), round(t.npv, 2), round(t.roi, 4)
    (124.87, 149.21, 24.34, 0.1949)
    >>> t.payback_years
    2.0
    >>> list(t.table.columns)
    ['Initial', 'Year 1', 'Year 2', 'Year 3', 'Total', 'Present value']
    """
    c = _amounts("costs", costs)
    b = _amounts("benefits", benefits)
    if len(c) != len(b):
        raise InputError.one(
            "argument", "benefits", list(benefits),
            f"needs as many values as costs ({len(c)}: initial, then one a year)",
        )
    if not np.isfinite(discount_rate) or not -0.99 < discount_rate <= 10:
        raise InputError.one("argument", "discount_rate", discount_rate, "a rate in (-0.99, 10]")
    pv_c = float(npf.npv(discount_rate, c))
    pv_b = float(npf.npv(discount_rate, b))
    net = b - c
    columns = ["Initial"] + [f"Year {k}" for k in range(1, len(c))]
    rows = {"Costs": c, "Benefits": b, "Net benefits": net}
    table = pd.DataFrame(
        {col: [rows[r][k] for r in rows] for k, col in enumerate(columns)}, index=list(rows)
    )
    table["Total"] = [c.sum(), b.sum(), net.sum()]
    table["Present value"] = [pv_c, pv_b, pv_b - pv_c]
    table.index.name = "flow"
    return TEITable(
        table=table,
        discount_rate=float(discount_rate),
        npv=pv_b - pv_c,
        roi=none_if_nan(safe_ratio(pv_b - pv_c, pv_c)),
        pv_costs=pv_c,
        pv_benefits=pv_b,
        payback_years=payback_years(net),
    )


def payback_years(net: Sequence[float]) -> float | None:
    """Payback in years of yearly net benefits ``[initial, year 1, ...]`` (see :func:`tei_table`).

    Parameters
    ----------
    net : sequence of float
        Net benefit of the initial column and of each year.

    Returns
    -------
    float or None
        0.0 when the cumulative net benefit is never below zero; None when it
        ends below zero or every value is zero.

    Notes
    -----
    The payback year k comes from :func:`roi_models.engine.payback_month`;
    the fraction of year k is ``-S_{k-1} / n_k`` (linear within the year, the
    annual-table convention), capped at 1.

    Examples
    --------
    When does -100, then +60 and +70 a year, pay back?

    >>> round(payback_years([-100, 60, 70]), 4)  # 40 of year 2's 70 are needed
    1.5714
    >>> payback_years([-100, 60, 60, -30]) is None
    True
    """
    values = np.asarray(net, dtype=float)
    year = payback_month(values)
    if np.isnan(year):
        return None
    k = int(year)
    if k == 0:
        return 0.0
    before = float(values[:k].sum())  # cumulative net benefit at the start of year k (< 0)
    return float(k - 1 + min(1.0, -before / values[k]))


def yearly(monthly: np.ndarray) -> list[float]:
    """Monthly flows ``[month 0, month 1, ...]`` summed into TEI columns.

    Parameters
    ----------
    monthly : numpy.ndarray, shape (T + 1,)
        Month 0 first.

    Returns
    -------
    list of float
        ``[month 0, months 1-12, months 13-24, ...]``; a last partial year keeps
        its months.

    Examples
    --------
    >>> yearly(np.array([5.0] + [1.0] * 14))
    [5.0, 12.0, 2.0]
    """
    T = monthly.shape[-1] - 1
    years = [float(monthly[0])]
    for start in range(1, T + 1, MONTHS_PER_YEAR):
        years.append(float(monthly[start:start + MONTHS_PER_YEAR].sum()))
    return years


def _amounts(name: str, values: Sequence[float]) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError.one("argument", name, values, "a sequence of numbers") from None
    if arr.ndim != 1 or arr.size < 2:
        raise InputError.one(
            "argument", name, values, "a sequence [initial, year 1, ...] with at least two values"
        )
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError.one(
            "argument", f"{name}[{k}]", float(arr[k]), "a finite amount >= 0 (costs are positive)"
        )
    return arr


__all__ = ["TEITable", "payback_years", "tei_table", "yearly"]
