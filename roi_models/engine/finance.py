"""Finance on batches of monthly cash flows: NPV, IRR, payback, ROI and the annual TEI table.

Conventions (see :mod:`roi_models.conventions`): cash flows are arrays whose
last axis is the month, month 0 first and undiscounted; inflows are positive.
Functions broadcast over leading axes and return NaN where a figure does not
exist; :func:`none_if_nan` turns those into ``None`` at the output boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..conventions import annualise, monthly_rate
from ..errors import InputError


def discount_factors(rate_monthly, months: int) -> np.ndarray:
    """``(1 + r)^-t`` for t = 0..months; shape (..., months + 1) for rates of shape (...)."""
    r = np.asarray(rate_monthly, dtype=float)
    return np.power(1.0 + r[..., None], -np.arange(months + 1, dtype=float))


def annual_discount_factors(annual_rate, months: int) -> np.ndarray:
    """Monthly discount factors for an annual rate: (months + 1,) when the batch has one rate
    (so present values are one BLAS product), (n, months + 1) for a rate per row."""
    rate = np.asarray(annual_rate, dtype=float)
    if rate.ndim and rate.size and np.all(rate == rate.flat[0]):
        rate = rate.flat[0]
    return discount_factors(monthly_rate(rate), months)


def npv(cash_flows, annual_rate) -> np.ndarray | float:
    """Net present value of monthly flows, month 0 undiscounted.

    ``NPV = sum_t CF_t / (1 + r_m)^t`` with ``r_m = (1 + r_annual)^(1/12) - 1``.
    Works on (n, T+1) batches in one matrix-vector product (numpy-financial's
    ``npv`` refuses 2-D input); ``annual_rate`` may be a scalar or shape (n,).
    Same timing convention as ``numpy_financial.npv`` (values from t = 0).

    Examples
    --------
    numpy's documented example, with the monthly rate given as an annual one:

    >>> from roi_models.conventions import annualise
    >>> round(float(npv([-100, 39, 59, 55, 20], annualise(0.281))), 10)
    -0.0084785916
    """
    cf = np.asarray(cash_flows, dtype=float)
    result = _present_value(cf, annual_discount_factors(annual_rate, cf.shape[-1] - 1))
    return float(result) if np.ndim(result) == 0 else result


def _present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Sum over the last axis of flows x discount factors (a BLAS product for one rate)."""
    if factors.ndim == 1:
        return flows @ factors
    return np.einsum("...t,...t->...", flows, factors)


def irr_monthly(cash_flows, *, tol: float = 1e-12, max_iter: int = 200) -> np.ndarray | float:
    """Internal rate of return per month of each row; NaN where none exists.

    The IRR solves ``sum_t CF_t (1 + r)^-t = 0`` (Gitman, *Principles of
    Managerial Finance*). Where several rates solve it, the one closest to 0 is
    returned, as ``numpy_financial.irr`` does. Vectorised: the NPV is
    evaluated on a grid of rates for all rows in one matrix product, the
    sign change nearest 0 is kept, and the Illinois method (regula falsi with
    halving, Dowell & Jarratt 1971) refines it to ``tol``.
    Rows whose flows never change sign have no IRR (NaN). The grid spans
    monthly rates from -95 % to +900 %; a root touching zero without a sign
    change is not found (NaN).

    >>> round(float(irr_monthly([-100, 39, 59, 55, 20])), 5)
    0.28095
    >>> irr_monthly([100, 10, 5])
    nan
    """
    cf = np.atleast_2d(np.asarray(cash_flows, dtype=float))
    n, T1 = cf.shape
    scale = np.abs(cf).sum(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    cf = cf / scale
    # grid on u = log(1 + r): dense near 0, covering -95 % .. +900 % a month
    u = np.concatenate([np.linspace(np.log(0.05), -0.1, 120), np.linspace(-0.1, 0.1, 401)[1:-1],
                        np.linspace(0.1, np.log(10.0), 160)])
    values = cf @ _powers(u, T1).T  # (n, G): the sign of NPV at each grid rate
    sign = np.sign(values)
    change = (sign[:, :-1] * sign[:, 1:] < 0) | (sign[:, :-1] == 0)
    has = change.any(axis=1)
    # the bracket nearest rate 0, refined on u by the Illinois variant of regula falsi
    # (Dowell & Jarratt 1971: superlinear, never leaves the bracket), vectorised over rows
    mid = np.expm1(0.5 * (u[:-1] + u[1:]))
    j = np.argmin(np.where(change, np.abs(mid)[None, :], np.inf), axis=1)
    lo, hi = u[j].copy(), u[j + 1].copy()
    f_lo = np.einsum("nt,nt->n", cf, _powers(lo, T1))
    f_hi = np.einsum("nt,nt->n", cf, _powers(hi, T1))
    root = 0.5 * (lo + hi)
    kept = np.zeros(n)  # +1: hi moved last time, -1: lo moved last time
    for _ in range(max_iter):
        denom = f_hi - f_lo
        safe = denom != 0
        root = np.where(safe, hi - f_hi * (hi - lo) / np.where(safe, denom, 1.0), 0.5 * (lo + hi))
        root = np.clip(root, lo, hi)
        f_m = np.einsum("nt,nt->n", cf, _powers(root, T1))
        to_hi = np.sign(f_m) == np.sign(f_hi)
        f_lo = np.where(to_hi & (kept > 0), 0.5 * f_lo, f_lo)  # lo kept twice: halve it
        f_hi = np.where(~to_hi & (kept < 0), 0.5 * f_hi, f_hi)  # hi kept twice: halve it
        hi, f_hi = np.where(to_hi, root, hi), np.where(to_hi, f_m, f_hi)
        lo, f_lo = np.where(to_hi, lo, root), np.where(to_hi, f_lo, f_m)
        kept = np.where(to_hi, 1.0, -1.0)
        small = np.expm1(hi) - np.expm1(lo) <= tol * np.maximum(1.0, np.abs(np.expm1(lo)))
        if np.all((np.abs(f_m) <= 1e-15) | small | ~has):
            break
    root = np.expm1(root)
    exact = values == 0  # a grid point that is itself a root
    exact_any = exact.any(axis=1)
    if exact_any.any():
        nearest = np.argmin(np.where(exact, np.abs(np.expm1(u))[None, :], np.inf), axis=1)
        root = np.where(exact_any, np.expm1(u[nearest]), root)
    changes_sign = (cf > 0).any(axis=1) & (cf < 0).any(axis=1)
    result = np.where(changes_sign & (has | exact_any), root, np.nan)
    return float(result[0]) if np.ndim(cash_flows) == 1 else result


def _powers(u: np.ndarray, T1: int) -> np.ndarray:
    """``(1 + r)^-t`` for ``u = log(1 + r)``, scaled by ``(1 + r)^T`` where ``r < 0``.

    The scale is positive, so the sign of the NPV is kept, and every power is at
    most 1: no overflow however long the horizon. Shape ``u.shape + (T1,)``.
    """
    t = np.arange(T1, dtype=float)
    u = np.asarray(u, dtype=float)[..., None]
    return np.exp(np.where(u < 0, (T1 - 1 - t) * u, -t * u))


def irr_annual(cash_flows) -> np.ndarray | float:
    """The monthly IRR annualised: ``(1 + irr_m)^12 - 1`` (NaN where no IRR exists)."""
    return annualise(irr_monthly(cash_flows))


def payback_month(cash_flows, annual_rate=None) -> np.ndarray | float:
    """First month after which the cumulative cash flow stays at or above zero.

    ``payback = min { m : sum_{t<=s} CF_t >= 0 for every s >= m }``; NaN when
    the cumulative flow ends below zero (never pays back within the horizon)
    or when every flow is zero (nothing to pay back). Month 0 means the plan
    never goes below zero. With ``annual_rate`` the flows are discounted first
    (the discounted payback month).

    >>> payback_month([-100, 30, 40, 50])
    3.0
    >>> payback_month([-100, 60, 60, -30])
    nan
    >>> round(float(payback_month([-100, 30, 40, 50], 0.5)), 1)
    3.0
    """
    cf = np.asarray(cash_flows, dtype=float)
    if annual_rate is not None:
        cf = cf * annual_discount_factors(annual_rate, cf.shape[-1] - 1)
    T1 = cf.shape[-1]
    flows = cf.reshape(-1, T1).T  # (T+1, rows): a view for 1-D, C or month-major 2-D input
    if flows.shape[1] > _MANY_ROWS:  # numpy's cumulative sum along a short axis costs about
        cum = np.empty(flows.shape)  # 4 ns an element, T + 1 additions of whole rows a tenth
        cum[0] = flows[0]
        for t in range(1, T1):
            np.add(cum[t - 1], flows[t], out=cum[t])
    else:
        cum = np.cumsum(flows, axis=0)
    size = np.abs(flows)
    tol = 1e-9 * np.maximum(1.0, size.sum(axis=0))
    # 1 + the last month below -tol (0: never below), in small integers: a tenth of floats
    later = np.arange(1, T1 + 1, dtype=np.int16 if T1 < 2**15 else np.int64)[:, None]
    after_last_below = np.multiply(np.less(cum, -tol), later, dtype=later.dtype).max(axis=0)
    month = after_last_below.astype(float)
    month[after_last_below == T1] = np.nan  # still below at the end: never pays back
    month[size.max(axis=0) <= tol] = np.nan  # every flow is ~0
    month = month.reshape(cf.shape[:-1])
    return float(month) if month.ndim == 0 else month


_MANY_ROWS = 64  # rows from which payback_month adds whole rows month by month


@dataclass(frozen=True)
class ROI:
    """Return on investment of incremental flows, with the PVs behind it."""

    roi: np.ndarray
    pv_benefits: np.ndarray
    pv_costs: np.ndarray


def roi_from_components(
    incremental_components: dict[str, np.ndarray], annual_rate
) -> ROI:
    """ROI = (PV benefits - PV costs) / PV costs, from incremental cash-flow components.

    Benefits and costs are defined component by component and month by
    month: for each signed component (gross profit, channel spend, cost of
    sales, support, programme...), an incremental *inflow* or *saving*
    (positive difference against the baseline) is a benefit and an
    incremental *outflow* or *loss* (negative difference) is a cost. So
    ``PV benefits - PV costs`` equals the NPV of the incremental flow, and ROI
    is the TEI definition (Forrester), not revenue over spend (that is ROAS).
    NaN when PV costs are zero.
    """
    return _roi(((np.asarray(v, dtype=float), 0.0) for v in incremental_components.values()),
                annual_rate)


def roi_of_differences(pairs, annual_rate, *, npv=None, workspace: dict | None = None) -> ROI:
    """:func:`roi_from_components` of the incremental components ``a - b`` of ``(a, b)`` pairs,
    without building the differences.

    An inflow component is the pair (plan, baseline); an outflow given as a
    positive amount is the pair (baseline, plan), since ``-plan - (-baseline)``
    is ``baseline - plan``. Either side may be one row broadcast against many.
    ``npv``: the NPV of the summed differences (the incremental flow) when the
    caller has it already; it spares a pass over every component.
    ``workspace``: a dict of buffers kept between calls of the same shape
    (the caller owns it: the next call with it overwrites them).
    """
    return _roi(((np.asarray(a, dtype=float), b) for a, b in pairs), annual_rate, workspace,
                npv_total=npv)


def _roi(pairs, annual_rate, workspace: dict | None = None, npv_total=None) -> ROI:
    """ROI of the differences ``a - b`` of (a, b) component pairs (definitions above).

    Month by month: the sum of the positive parts (the benefits) and, unless
    ``npv_total`` is given, the net flow."""
    total = benefits = part = None
    for a, b in pairs:
        if benefits is None:
            shape = np.broadcast_shapes(np.shape(a), np.shape(b))
            like = a if a.shape == shape else None  # keep the plan's layout
            benefits = _empty(workspace, "benefits", shape, like=like)
            part = _empty(workspace, "part", shape, like=like)
            if npv_total is None:
                total = _empty(workspace, "total", shape, like=like)
                np.subtract(a, b, out=total)
                np.maximum(total, 0.0, out=benefits)
            else:
                np.subtract(a, b, out=benefits)
                np.maximum(benefits, 0.0, out=benefits)
            continue
        np.subtract(a, b, out=part)
        if total is not None:
            total += part
        np.maximum(part, 0.0, out=part)
        benefits += part
    d = annual_discount_factors(annual_rate, benefits.shape[-1] - 1)
    pv_b = _present_value(benefits, d)  # discounting is linear: one product for all parts
    if total is not None:
        npv_total = _present_value(total, d)
    # PV costs = PV benefits - NPV; below rounding of the sums it is exactly no cost
    pv_c = pv_b - npv_total
    pv_c = np.where(pv_c <= 1e-12 * (np.abs(pv_b) + np.abs(npv_total)), 0.0, pv_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(pv_c > 0, (pv_b - pv_c) / np.where(pv_c > 0, pv_c, 1.0), np.nan)
    return ROI(roi=roi, pv_benefits=pv_b, pv_costs=pv_c)



def _empty(workspace: dict | None, name: str, shape: tuple[int, ...], *,
          like: np.ndarray | None = None) -> np.ndarray:
    """An uninitialised float array of ``shape`` (laid out like ``like`` when given):
    fresh, or the workspace's array of that name if it has that shape and layout."""
    def make() -> np.ndarray:
        return np.empty(shape) if like is None else np.empty_like(like, dtype=float)

    if workspace is None:
        return make()
    buffer = workspace.get(name)
    if (buffer is None or buffer.shape != tuple(shape)
            or (like is not None and buffer.strides != like.strides)):
        buffer = workspace[name] = make()
    return buffer


# ----------------------------------------------------------------------------- TEI table
@dataclass(frozen=True)
class TEITable:
    """The annual business-case table of a total-economic-impact study.

    ``table`` has rows Costs, Benefits, Net benefits and columns Initial,
    Year 1..N, Total, Present value. Costs are shown as positive amounts.
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

    ``costs`` and ``benefits`` are positive amounts ``[initial, year 1, year 2, ...]``.
    Initial is undiscounted, year n is discounted by ``(1 + i)^n``;
    ``NPV = PV benefits - PV costs``; ``ROI = (PV benefits - PV costs) / PV costs``
    (None when PV costs are 0); payback in years interpolates the cumulative
    undiscounted net benefit linearly within the year it turns non-negative for
    good (None when it never does).

    Examples
    --------
    Is a 100 up-front, 50-a-year project worth it over three years at 10 %?

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
    years = np.arange(len(c), dtype=float)
    d = (1.0 + discount_rate) ** -years
    pv_c, pv_b = float(c @ d), float(b @ d)
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
        roi=(pv_b - pv_c) / pv_c if pv_c > 0 else None,
        pv_costs=pv_c,
        pv_benefits=pv_b,
        payback_years=_payback_years(net),
    )


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


def _payback_years(net: np.ndarray) -> float | None:
    cum = np.cumsum(net)
    if cum[-1] < 0 or np.all(net == 0):
        return None
    below = np.flatnonzero(cum < 0)
    if below.size == 0:
        return 0.0
    k = int(below[-1])  # last year-end still below zero; pays back during year k + 1
    return float(k + (-cum[k]) / net[k + 1])


def none_if_nan(value) -> float | None:
    """A float, or None where the figure does not exist (NaN or infinite)."""
    v = float(value)
    return v if np.isfinite(v) else None
