"""Finance on batches of monthly cash flows: discounting, NPV, IRR, payback and ROI.

Conventions (stated once in :mod:`roi_models.conventions`): cash flows are
arrays whose last axis is the month, month 0 first and undiscounted; inflows
are positive, outflows negative; annual rates become monthly ones by
``(1 + r) ** (1/12) - 1``. Every function broadcasts over leading axes (one
row per plan) and returns NaN where a figure does not exist;
:func:`roi_models.conventions.none_if_nan` turns those into ``None`` at the
output boundary.

Where ``numpy_financial`` has the function it is the reference: the IRR of
the rows a user sees is ``numpy_financial.irr`` (:func:`irr_monthly_npf`);
:func:`irr_monthly` solves the same equation for large batches at once and
is tested against it. ``numpy_financial.npv`` takes one rate and one row,
so :func:`npv` is its batched form (same timing: values from t = 0). The
annual TEI table lives with the analyses (:mod:`roi_models.analysis.tei`).

References
----------
.. [BMA] R. A. Brealey, S. C. Myers and F. Allen, *Principles of Corporate
   Finance*, McGraw-Hill: ch. 2 (present values) and ch. 5 (NPV, IRR and
   payback as investment criteria).
.. [G] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed.,
   Addison-Wesley, 2003 (the IRR definition numpy-financial cites).
.. [TEI] Forrester Research, *Total Economic Impact* (TEI) methodology:
   ROI = (PV benefits - PV costs) / PV costs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy_financial as npf

from ..conventions import annualise, monthly_rate, none_if_nan, safe_ratio
from ..errors import InputError
from ._compile import compiled

IRRSolver = Literal["numpy_financial", "vectorised"]
"""How an IRR is solved: ``numpy_financial.irr`` row by row (the rows a user sees) or the
vectorised solver of :func:`irr_monthly` (large batches). Same definition, same roots."""

PAYBACK_TOLERANCE = 1e-9
"""Relative tolerance of :func:`payback_month`: a cumulative flow above
``-1e-9 x max(1, sum |CF_t|)`` counts as "at or above zero" (rounding of the sums)."""


def discount_factors(rate_monthly, months: int) -> np.ndarray:
    """Discount factors ``(1 + r)^-t`` for months t = 0..``months``.

    Parameters
    ----------
    rate_monthly : float or array_like, shape (...)
        Monthly discount rate(s), each > -1.
    months : int
        Horizon T: factors are returned for t = 0, 1, ..., T.

    Returns
    -------
    numpy.ndarray, shape (..., months + 1)
        ``d_t = (1 + r_m)^-t``; ``d_0 = 1`` (month 0 is not discounted).

    Notes
    -----
    The present value of an amount paid at the end of month t is the amount
    times ``d_t = 1 / (1 + r_m)^t`` [BMA]_ (ch. 2).

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2.

    Examples
    --------
    What is 1 euro worth today if it arrives in one and in two months, at 1 % a month?

    >>> discount_factors(0.01, 2).round(6)
    array([1.      , 0.990099, 0.980296])
    """
    r = np.asarray(rate_monthly, dtype=float)
    return np.power(1.0 + r[..., None], -np.arange(months + 1, dtype=float))


def annual_discount_factors(annual_rate, months: int) -> np.ndarray:
    """Monthly discount factors for an annual discount rate.

    Parameters
    ----------
    annual_rate : float or array_like, shape (n,)
        Annual discount rate(s), each > -1. A batch whose rows share one rate
        gets one row of factors, so that present values are one BLAS
        matrix-vector product.
    months : int
        Horizon T (factors for t = 0..T).

    Returns
    -------
    numpy.ndarray
        Shape (months + 1,) for one rate (or all rates equal), (n, months + 1)
        for a rate per row.

    Notes
    -----
    ``d_t = (1 + r_m)^-t`` with ``r_m = (1 + r_annual)^(1/12) - 1``
    (:func:`roi_models.conventions.monthly_rate`; compound-interest
    equivalence, [BMA]_ ch. 2). So ``d_12 = 1 / (1 + r_annual)``.

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2.

    Examples
    --------
    At 10 % a year, what is a euro received in twelve months worth today?

    >>> round(float(annual_discount_factors(0.10, 12)[12]), 10)  # 1 / 1.1
    0.9090909091
    >>> annual_discount_factors([0.1, 0.1], 3).shape, annual_discount_factors([0.1, 0.2], 3).shape
    ((4,), (2, 4))
    """
    rate = np.asarray(annual_rate, dtype=float)
    if rate.ndim and rate.size and np.all(rate == rate.flat[0]):
        rate = rate.flat[0]
    return discount_factors(monthly_rate(rate), months)


def npv(cash_flows, annual_rate) -> Any:
    """Net present value of monthly cash flows, month 0 undiscounted.

    Parameters
    ----------
    cash_flows : array_like, shape (..., T + 1)
        Monthly flows, month 0 first; inflows positive, outflows negative.
    annual_rate : float or array_like, shape (n,)
        Annual discount rate: one for the batch or one per row.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        NPV of each row; a Python float for one row.

    Notes
    -----
    .. math:: NPV = \\sum_{t=0}^{T} \\frac{CF_t}{(1 + r_m)^t},
              \\qquad r_m = (1 + r_{annual})^{1/12} - 1

    the discounted-cash-flow value of [BMA]_ (ch. 2 and 5). The timing is
    ``numpy_financial.npv``'s (values from t = 0: the first flow is not
    discounted), evaluated for a whole (n, T + 1) batch in one matrix-vector
    product (``numpy_financial.npv`` takes one rate and one row).

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2 and 5.

    Examples
    --------
    numpy-financial's documented example, with its monthly rate of 28.1 % given
    as the annual equivalent: is the project worth its 100 up front?

    >>> from roi_models.conventions import annualise
    >>> round(npv([-100, 39, 59, 55, 20], annualise(0.281)), 10)
    -0.0084785916

    Does a 1,000 outlay repaid 600 in each of the next two months create
    value at 12 % a year?

    >>> round(npv([-1000, 600, 600], 0.12), 2)
    183.13
    """
    cf = np.asarray(cash_flows, dtype=float)
    result = _present_value(cf, annual_discount_factors(annual_rate, cf.shape[-1] - 1))
    return float(result) if np.ndim(result) == 0 else result


def _present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Sum over the last axis of flows x discount factors (a BLAS product for one rate)."""
    if factors.ndim == 1:
        return flows @ factors
    return np.einsum("...t,...t->...", flows, factors)


def _changes_sign(cf: np.ndarray) -> np.ndarray:
    """Rows (last axis = months) with at least one inflow and one outflow."""
    return np.asarray((cf > 0).any(axis=-1) & (cf < 0).any(axis=-1))


def irr_monthly_npf(cash_flows) -> Any:
    """Monthly IRR of each row by ``numpy_financial.irr``: the rows a user sees.

    Parameters
    ----------
    cash_flows : array_like, shape (T + 1,) or (n, T + 1)
        Monthly flows, month 0 first.

    Returns
    -------
    float or numpy.ndarray, shape (n,)
        The monthly rate r solving ``NPV(r) = 0``; NaN where the flows never
        change sign or no real rate above -100 % solves it.

    Notes
    -----
    The IRR solves [G]_ [BMA]_ (ch. 5)

    .. math:: \\sum_{t=0}^{T} \\frac{CF_t}{(1 + r)^t} = 0.

    ``numpy_financial.irr`` finds every root of that polynomial in
    ``1/(1 + r)`` and keeps the real one closest to 0. It costs about 0.5 ms
    a row for 61 months (an eigenvalue problem), so it serves the few rows a
    user is shown (the scenarios of a file, the explorer's plans, a what-if
    sweep); :func:`irr_monthly` solves the same equation for large batches.
    Rows whose flows never change sign are NaN without calling it; each row
    is scaled by its total magnitude first (the roots do not change).

    References
    ----------
    .. [G] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed., 2003, p. 348.
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    What monthly return does 100 invested now earn if it pays back 39, 59, 55
    and 20 (numpy-financial's example)? And a plan that never costs anything?

    >>> round(irr_monthly_npf([-100, 39, 59, 55, 20]), 5)
    0.28095
    >>> irr_monthly_npf([[-100, 0, 0, 74], [100, 10, 5, 0]]).round(4)
    array([-0.0955,     nan])
    """
    cf = np.asarray(cash_flows, dtype=float)
    rows = cf.reshape(-1, cf.shape[-1])
    out = np.full(rows.shape[0], np.nan)
    for i in np.flatnonzero(_changes_sign(rows)):
        row = rows[i]
        out[i] = npf.irr(row / np.abs(row).sum())
    shaped = out.reshape(cf.shape[:-1])
    return float(shaped) if shaped.ndim == 0 else shaped


def irr_monthly(cash_flows, *, tol: float = 1e-12, max_iter: int = 200) -> Any:
    """Monthly IRR of every row of a large batch at once (vectorised solver).

    Parameters
    ----------
    cash_flows : array_like, shape (T + 1,) or (n, T + 1)
        Monthly flows, month 0 first.
    tol : float, default 1e-12
        Stop when the bracket on ``r`` is narrower than
        ``tol x max(1, |r|)`` for every row.
    max_iter : int, default 200
        Most refinement steps (each one matrix product for all rows).

    Returns
    -------
    float or numpy.ndarray, shape (n,)
        The monthly IRR of each row; NaN where the flows never change sign
        or no rate in the grid's range solves ``NPV(r) = 0``.

    Notes
    -----
    Same equation as :func:`irr_monthly_npf` [G]_ [BMA]_,
    ``sum_t CF_t (1 + r)^-t = 0``, and the same choice among several roots
    (the one closest to 0, as ``numpy_financial.irr``). The NPV of every row
    is evaluated on a grid of rates in one matrix product, the sign change
    nearest 0 is kept, and the Illinois variant of regula falsi (Dowell &
    Jarratt 1971: superlinear, never leaves the bracket) refines it to
    ``tol`` (where a row has sign changes at both negative and positive
    rates, the nearest of each side is refined and the root closer to 0
    kept). The grid spans monthly rates from -95 % to +900 %; a root that
    touches zero without a sign change (a double root) is not found (NaN).
    The tests check it against ``numpy_financial.irr`` on random flows.

    References
    ----------
    .. [G] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed., 2003, p. 348.
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5.
    .. [DJ] M. Dowell and P. Jarratt, "A modified regula falsi method for
       computing the root of an equation", *BIT* 11, 1971, 168-174.

    Examples
    --------
    The monthly return of numpy-financial's example project, and of a row of
    inflows only (no IRR), in one call:

    >>> irr_monthly([[-100, 39, 59, 55, 20], [100, 10, 5, 0, 0]]).round(5)
    array([0.28095,     nan])
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
    # The root closest to 0 lies in the sign change nearest 0 on the side of negative rates or
    # in the one nearest 0 on the side of positive rates: refine both (where a row has both)
    # and keep the root closer to 0. Bracket midpoints alone can misorder two roots at nearly
    # the same distance from 0 (the grid is coarse away from 0).
    mid = np.expm1(0.5 * (u[:-1] + u[1:]))
    distance = np.where(change, np.abs(mid)[None, :], np.inf)
    below, above = np.where(mid < 0, distance, np.inf), np.where(mid >= 0, distance, np.inf)
    j_below, j_above = np.argmin(below, axis=1), np.argmin(above, axis=1)
    has_below = np.isfinite(below[np.arange(n), j_below])
    has_above = np.isfinite(above[np.arange(n), j_above])
    both = np.flatnonzero(has_below & has_above)
    rows = np.concatenate([np.arange(n), both])
    j = np.concatenate([np.where(has_below, j_below, j_above), j_above[both]])
    roots = _illinois(cf[rows], u[j], u[j + 1], tol, max_iter)
    root = roots[:n].copy()
    second = roots[n:]
    closer = np.abs(second) < np.abs(root[both])
    root[both[closer]] = second[closer]
    exact = values == 0  # a grid point that is itself a root
    exact_any = exact.any(axis=1)
    if exact_any.any():
        nearest = np.expm1(u[np.argmin(np.where(exact, np.abs(np.expm1(u))[None, :], np.inf),
                                       axis=1)])
        root = np.where(exact_any & (~has | (np.abs(nearest) <= np.abs(root))), nearest, root)
    result = np.where(_changes_sign(cf) & (has | exact_any), root, np.nan)
    return float(result[0]) if np.ndim(cash_flows) == 1 else result


def _illinois(cf: np.ndarray, lo: np.ndarray, hi: np.ndarray, tol: float,
              max_iter: int) -> np.ndarray:
    """Rates ``r = exp(u) - 1`` of each row's root of the NPV within ``[lo, hi]`` (on u).

    The Illinois variant of regula falsi (Dowell & Jarratt 1971: superlinear,
    never leaves the bracket), vectorised over rows; rows whose bracket has
    no sign change come back as some point of the bracket (the caller masks them).
    """
    T1 = cf.shape[1]
    lo, hi = lo.copy(), hi.copy()
    f_lo = np.einsum("nt,nt->n", cf, _powers(lo, T1))
    f_hi = np.einsum("nt,nt->n", cf, _powers(hi, T1))
    root = 0.5 * (lo + hi)
    kept = np.zeros(cf.shape[0])  # +1: hi moved last time, -1: lo moved last time
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
        if np.all((np.abs(f_m) <= 1e-15) | small):
            break
    return np.expm1(root)


def _powers(u: np.ndarray, T1: int) -> np.ndarray:
    """``(1 + r)^-t`` for ``u = log(1 + r)``, scaled by ``(1 + r)^T`` where ``r < 0``.

    The scale is positive, so the sign of the NPV is kept, and every power is at
    most 1: no overflow however long the horizon. Shape ``u.shape + (T1,)``.
    """
    t = np.arange(T1, dtype=float)
    u = np.asarray(u, dtype=float)[..., None]
    return np.exp(np.where(u < 0, (T1 - 1 - t) * u, -t * u))


def irr_annual(cash_flows, *, solver: IRRSolver = "numpy_financial") -> Any:
    """IRR of monthly cash flows, annualised.

    Parameters
    ----------
    cash_flows : array_like, shape (T + 1,) or (n, T + 1)
        Monthly flows, month 0 first.
    solver : {"numpy_financial", "vectorised"}, default "numpy_financial"
        ``numpy_financial.irr`` row by row (:func:`irr_monthly_npf`, for the
        rows shown to a user) or the batch solver (:func:`irr_monthly`).

    Returns
    -------
    float or numpy.ndarray, shape (n,)
        ``(1 + irr_m)^12 - 1``; NaN where no IRR exists.

    Notes
    -----
    .. math:: IRR_{annual} = (1 + IRR_{monthly})^{12} - 1

    (compounding, :func:`roi_models.conventions.annualise`; [BMA]_ ch. 5).

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    A plan that returns exactly 1 % a month: what is that a year?

    >>> flows = [-100] + [0] * 11 + [100 * 1.01 ** 12]
    >>> round(irr_annual(flows), 6), round(irr_annual(flows, solver="vectorised"), 6)
    (0.126825, 0.126825)
    """
    if solver not in get_args(IRRSolver):
        raise InputError.one("argument", "solver", solver,
                             "one of: " + ", ".join(get_args(IRRSolver)))
    if solver == "numpy_financial":
        return annualise(irr_monthly_npf(cash_flows))
    return annualise(irr_monthly(cash_flows))


def mirr_monthly_npf(cash_flows, rate_monthly) -> Any:
    """``numpy_financial.mirr`` of each row, financing and reinvesting at ``rate_monthly``.

    Parameters
    ----------
    cash_flows : array_like, shape (T + 1,) or (n, T + 1)
        Monthly flows, month 0 first.
    rate_monthly : float or array_like, shape (n,)
        Monthly rate of both the financing of the outflows and the
        reinvestment of the inflows (the discount rate).

    Returns
    -------
    float or numpy.ndarray, shape (n,)
        The monthly MIRR; NaN where the flows have no outflow or no inflow.

    Examples
    --------
    numpy-financial's own example flows, financed and reinvested at 1 % a month:

    >>> round(mirr_monthly_npf([-4500, -800, 800, 800, 600, 600, 800, 800, 700, 3000], 0.01), 6)
    0.051406
    """
    cf = np.atleast_2d(np.asarray(cash_flows, dtype=float))
    rates = np.broadcast_to(np.asarray(rate_monthly, dtype=float), (cf.shape[0],))
    out = np.array([npf.mirr(row, r, r) for row, r in zip(cf, rates, strict=True)], dtype=float)
    return float(out[0]) if np.ndim(cash_flows) == 1 else out


def mirr_monthly(cash_flows, rate_monthly) -> Any:
    """The modified IRR of a batch of monthly flows at once (same definition as numpy-financial).

    Parameters
    ----------
    cash_flows : array_like, shape (T + 1,) or (n, T + 1)
        Monthly flows, month 0 first.
    rate_monthly : float or array_like, shape (n,)
        Monthly financing and reinvestment rate (the discount rate).

    Returns
    -------
    float or numpy.ndarray, shape (n,)
        NaN where a row has no outflow or no inflow.

    Notes
    -----
    The outflows are financed at the rate (their present value at month 0),
    the inflows reinvested at it until month T (their future value); the
    MIRR is the rate that grows the first into the second over T months
    [BMA]_ (ch. 5), as ``numpy_financial.mirr`` computes it:

    .. math:: MIRR = \\left( \\frac{FV_T(CF^+)}{-PV_0(CF^-)} \\right)^{1/T} - 1

    Unlike the IRR it has one value for any flows with both signs, and it
    does not assume that inflows earn the IRR itself: a plan whose IRR is
    several hundred per cent a year because it ties up almost no money
    keeps a MIRR that says what its cash earns at the discount rate.

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    >>> mirr_monthly([[-4500, -800, 800, 800, 600, 600, 800, 800, 700, 3000],
    ...               [100, 10, 0, 0, 0, 0, 0, 0, 0, 0]], 0.01).round(6)
    array([0.051406,      nan])
    """
    cf = np.atleast_2d(np.asarray(cash_flows, dtype=float))
    n, T1 = cf.shape
    r = np.broadcast_to(np.asarray(rate_monthly, dtype=float), (n,))
    t = np.arange(T1, dtype=float)
    pv_out = -(np.minimum(cf, 0.0) * (1.0 + r[:, None]) ** -t).sum(axis=1)
    fv_in = (np.maximum(cf, 0.0) * (1.0 + r[:, None]) ** (T1 - 1 - t)).sum(axis=1)
    ok = (pv_out > 0) & (fv_in > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(ok, (fv_in / np.where(ok, pv_out, 1.0)) ** (1.0 / (T1 - 1)) - 1.0, np.nan)
    return float(out[0]) if np.ndim(cash_flows) == 1 else out


def mirr_annual(cash_flows, annual_rate, *, solver: IRRSolver = "numpy_financial") -> Any:
    """Modified IRR of monthly flows at the discount rate, annualised.

    Parameters
    ----------
    cash_flows : array_like, shape (T + 1,) or (n, T + 1)
        Monthly flows, month 0 first.
    annual_rate : float or array_like, shape (n,)
        Annual discount rate: financing and reinvestment at its monthly
        equivalent (:func:`roi_models.conventions.monthly_rate`).
    solver : {"numpy_financial", "vectorised"}, default "numpy_financial"
        ``numpy_financial.mirr`` row by row (:func:`mirr_monthly_npf`) or
        the batch form (:func:`mirr_monthly`); the tests hold them equal.

    Returns
    -------
    float or numpy.ndarray, shape (n,)
        ``(1 + mirr_m)^12 - 1``; NaN where the flows lack an outflow or an inflow.

    Notes
    -----
    .. math:: MIRR_{annual} = (1 + MIRR_{monthly})^{12} - 1

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    Money that doubles in a year, with proceeds reinvested at 10 % a year:

    >>> flows = [-100] + [0] * 11 + [200]
    >>> round(mirr_annual(flows, 0.10), 6), round(mirr_annual(flows, 0.10, solver="vectorised"), 6)
    (1.0, 1.0)
    """
    if solver not in get_args(IRRSolver):
        raise InputError.one("argument", "solver", solver,
                             "one of: " + ", ".join(get_args(IRRSolver)))
    rate = monthly_rate(np.asarray(annual_rate, dtype=float))
    if solver == "numpy_financial":
        return annualise(mirr_monthly_npf(cash_flows, rate))
    return annualise(mirr_monthly(cash_flows, rate))


IRR_MEANINGFUL, IRR_NO_OUTLAY, IRR_ABOVE_100 = 0.0, 1.0, 2.0
"""Codes of :func:`irr_caveat`: a meaningful rate; no material up-front outlay; above 100 % a
year."""
MATERIAL_OUTLAY = 0.10
"""An outlay is material when the deepest cumulative shortfall is at least this share of the
present value of the incremental costs (see :func:`irr_caveat`)."""


def irr_caveat(irr_annual_values, peak_outlay, pv_costs) -> np.ndarray:
    """Whether an IRR is a meaningful rate of return, as a code per row.

    Parameters
    ----------
    irr_annual_values : array_like, shape (n,)
        Annual IRRs (NaN where none exists).
    peak_outlay : array_like, shape (n,)
        The deepest cumulative incremental shortfall, undiscounted (>= 0).
    pv_costs : array_like, shape (n,)
        Present value of the incremental costs (ROI's).

    Returns
    -------
    numpy.ndarray, shape (n,)
        :data:`IRR_NO_OUTLAY` where the peak outlay is below
        :data:`MATERIAL_OUTLAY` (10 %) of the PV of costs, else
        :data:`IRR_ABOVE_100` where the IRR is above 100 % a year, else
        :data:`IRR_MEANINGFUL`; NaN where there is no IRR.

    Notes
    -----
    The IRR is the return on the money a project ties up. A plan that pays
    for its costs as it goes (a budget-neutral reallocation whose cumulative
    cash dips only a little) has almost nothing tied up, and its IRR, the
    rate that discounts a small dip against large later gains to zero, runs
    into hundreds of per cent a year without saying anything a finance
    reader can compare with a cost of capital; above 100 % a year the
    implied reinvestment of every inflow at the IRR is not credible either
    [BMA]_ (ch. 5, the pitfalls of IRR). The modified IRR
    (:func:`mirr_annual`, at the discount rate) is shown beside it.

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    >>> irr_caveat([0.3, 5.9, 1.3, float("nan")], [100.0, 1.0, 100.0, 0.0], [500.0] * 4)
    array([ 0.,  1.,  2., nan])
    """
    irr = np.asarray(irr_annual_values, dtype=float)
    outlay = np.asarray(peak_outlay, dtype=float)
    costs = np.asarray(pv_costs, dtype=float)
    code = np.where(outlay < MATERIAL_OUTLAY * costs, IRR_NO_OUTLAY,
                    np.where(irr > 1.0, IRR_ABOVE_100, IRR_MEANINGFUL))
    return np.where(np.isnan(irr), np.nan, code)


def payback_month(cash_flows, annual_rate=None) -> Any:
    """First month after which the cumulative cash flow stays at or above zero.

    Parameters
    ----------
    cash_flows : array_like, shape (..., T + 1)
        Monthly flows, month 0 first (any period works: the TEI table passes
        yearly flows and gets a year).
    annual_rate : float or array_like, optional
        When given, the flows are discounted first (the discounted payback
        month).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        The payback month (0 when the cumulative flow is never below zero);
        NaN when the cumulative flow ends below zero (it does not pay back
        within the horizon) or every flow is zero (nothing to pay back).

    Notes
    -----
    With the cumulative flow :math:`C_s = \\sum_{t \\le s} CF_t`,

    .. math:: payback = \\min \\{ m : C_s \\ge 0 \\text{ for every } s \\ge m \\}

    so a plan that dips below zero again later pays back after its last dip
    (the payback criterion of [BMA]_ ch. 5, "for good"). Rounding of the sums
    is tolerated: :data:`PAYBACK_TOLERANCE` (1e-9) times ``max(1, sum |CF_t|)``;
    a flow whose magnitudes are all within it counts as all zero; a row with
    a NaN has no payback month. This is the one payback rule of the package,
    compiled (one row at a time, the cumulative sum in month order): the
    business case of every plan and the annual TEI table's payback in years
    use it (:func:`roi_models.engine.metrics.incremental_figures`,
    :func:`roi_models.analysis.tei.tei_table`).

    References
    ----------
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    When has a 100 investment returning 30, 40 and 50 paid for itself? And
    one whose last month loses 30 again?

    >>> payback_month([-100, 30, 40, 50]), payback_month([-100, 60, 60, -30])
    (3.0, nan)

    Discounted at 300 % a year, month 3 falls short (-100 + 26.7 + 31.7 + 35.4)
    and a fourth month of 20 (12.6 today) is needed:

    >>> payback_month([-100, 30, 40, 50], 3.0), payback_month([-100, 30, 40, 50, 20], 3.0)
    (nan, 4.0)
    """
    cf = np.asarray(cash_flows, dtype=float)
    if annual_rate is not None:
        cf = cf * annual_discount_factors(annual_rate, cf.shape[-1] - 1)
    rows = np.ascontiguousarray(cf.reshape(-1, cf.shape[-1]))
    months = np.empty(rows.shape[0])
    _payback_rows(rows, months)
    shaped = months.reshape(cf.shape[:-1])
    return float(shaped) if shaped.ndim == 0 else shaped


@compiled()
def _payback(flows):
    """The payback month of one row of flows (:func:`payback_month`'s rule); NaN if none.

    The one implementation of the rule: :func:`payback_month` calls it row by
    row, and so does the business case of every plan
    (:func:`roi_models.engine.metrics.incremental_figures`). A flow that is
    not a number anywhere has no payback month (NaN).
    """
    size = 0.0  # sum |CF_t|
    largest = 0.0  # max |CF_t|
    for t in range(flows.shape[0]):
        if math.isnan(flows[t]):
            return np.nan
        size += abs(flows[t])
        largest = max(largest, abs(flows[t]))
    tol = PAYBACK_TOLERANCE * max(1.0, size)
    if largest <= tol:  # every flow is ~0: nothing to pay back
        return np.nan
    cumulative = 0.0
    after_last_below = 0  # 1 + the last month whose cumulative flow is below -tol
    for t in range(flows.shape[0]):
        cumulative += flows[t]
        if cumulative < -tol:
            after_last_below = t + 1
    if after_last_below == flows.shape[0]:  # still below at the end: never pays back
        return np.nan
    return float(after_last_below)


@compiled()
def _payback_rows(flows, out):
    """``out[i] = _payback(flows[i])`` for every row of a (rows, T + 1) array."""
    for i in range(flows.shape[0]):
        out[i] = _payback(flows[i])


@dataclass(frozen=True)
class ROI:
    """Return on investment of incremental flows, with the present values behind it.

    Attributes
    ----------
    roi : numpy.ndarray
        ``(pv_benefits - pv_costs) / pv_costs``; NaN where ``pv_costs`` is 0.
    pv_benefits, pv_costs : numpy.ndarray
        Present values of the benefits and of the costs (both >= 0).
    """

    roi: np.ndarray
    pv_benefits: np.ndarray
    pv_costs: np.ndarray


def roi_from_components(incremental_components: dict[str, np.ndarray], annual_rate) -> ROI:
    """ROI of a plan from its incremental cash-flow components, the TEI way.

    Parameters
    ----------
    incremental_components : dict of str to array_like, each shape (..., T + 1)
        Signed incremental flows of each component (plan minus baseline):
        gross profit, channel spend, referral rewards, cost of sales,
        support, programme cost (as in the net cash flow, outflows negative).
    annual_rate : float or array_like, shape (n,)
        Annual discount rate.

    Returns
    -------
    ROI
        ``roi``, ``pv_benefits`` and ``pv_costs``, each of shape (...).

    Notes
    -----
    Benefits and costs are taken component by component and month by month:
    an incremental *inflow* or *saving* (a positive difference against the
    baseline) is a benefit, an incremental *outflow* or *loss* (a negative
    difference) is a cost:

    .. math:: B_t = \\sum_k \\max(\\Delta_{k,t}, 0), \\qquad
              C_t = \\sum_k \\max(-\\Delta_{k,t}, 0), \\qquad
              ROI = \\frac{PV(B) - PV(C)}{PV(C)}

    with PV as in :func:`npv`. So ``PV(B) - PV(C)`` is the NPV of the
    incremental flow, and ROI is the TEI definition [TEI]_, not revenue over
    spend (that is ROAS). Both present values are sums of non-negative
    terms, taken directly (not PV(B) minus the NPV, which loses the digits of
    costs that are small beside the benefits); no tolerance is applied, so
    ROI is NaN exactly when no component ever costs more than in the
    baseline. The business case of simulated plans takes the same
    definition in its compiled pass over the rows
    (:func:`roi_models.engine.metrics.incremental_figures`), which the tests
    hold to this function (1e-12 relative).

    References
    ----------
    .. [TEI] Forrester Research, *Total Economic Impact* methodology.
    .. [BMA] Brealey, Myers & Allen, *Principles of Corporate Finance*, ch. 2.

    Examples
    --------
    A programme costs 60 up front; it adds 50 of gross profit in each of two
    months, saves 5 of spend in month 1 and costs 10 more in month 2. What is
    its ROI at a zero discount rate?

    >>> r = roi_from_components({"gross_profit": [0, 50, 50], "programme_cost": [-60, 0, 0],
    ...                          "channel_spend": [0, 5, -10]}, 0.0)
    >>> float(r.pv_benefits), float(r.pv_costs), float(r.roi)
    (105.0, 70.0, 0.5)
    """
    return _roi(((np.asarray(v, dtype=float), 0.0) for v in incremental_components.values()),
                annual_rate)


def _roi(pairs: Iterable[tuple[np.ndarray, Any]], annual_rate) -> ROI:
    """ROI of the differences ``a - b`` of (a, b) component pairs (definitions above)."""
    benefits = costs = None
    for a, b in pairs:
        part = np.subtract(a, b)
        positive = np.maximum(part, 0.0)
        if benefits is None or costs is None:
            benefits, costs = positive, positive - part  # max(part, 0) - part = max(-part, 0)
            continue
        benefits = benefits + positive
        costs = costs + (positive - part)
    if benefits is None or costs is None:
        raise InputError.one("argument", "components", [], "at least one cash-flow component")
    d = annual_discount_factors(annual_rate, benefits.shape[-1] - 1)
    pv_b = _present_value(benefits, d)  # discounting is linear: one product for all parts
    pv_c = _present_value(costs, d)
    return ROI(roi=np.asarray(safe_ratio(pv_b - pv_c, pv_c)), pv_benefits=pv_b, pv_costs=pv_c)


__all__ = [
    "IRR_ABOVE_100", "IRR_MEANINGFUL", "IRR_NO_OUTLAY", "MATERIAL_OUTLAY", "PAYBACK_TOLERANCE",
    "ROI", "IRRSolver", "annual_discount_factors", "discount_factors", "irr_annual",
    "irr_caveat", "irr_monthly", "irr_monthly_npf", "mirr_annual", "mirr_monthly",
    "mirr_monthly_npf", "none_if_nan", "npv", "payback_month", "roi_from_components",
]
