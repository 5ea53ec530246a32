"""The conventions every figure in roi_models follows, stated once.

- **Period**: one month. Month 0 is the decision date: it carries one-time
  (implementation) costs only and is never discounted. Months 1..T carry
  the running plan; T is ``finance.horizon_months`` (60 by default).
- **Signs**: in cash-flow arrays inflows are positive and outflows negative.
  Cost *amounts* (spend, cost of sales, support cost) are positive numbers;
  they enter the net cash flow with a minus sign.
- **Rates**: annual rates in the inputs are converted explicitly. A discount
  rate compounds: the monthly rate is ``(1 + r_annual) ** (1/12) - 1``.
  Bass coefficients p and q are instantaneous hazard rates per year; the
  monthly ones are ``p / 12`` and ``q / 12`` (the continuous Bass curve
  depends on time only through ``(p + q) t``, so rescaling time rescales the
  rates; Bass 1969).
- **Revenue timing**: a customer acquired in month t first pays in month
  t + 1 if retained, the convention under which customer lifetime value is
  ``m r / (1 + i - r)`` (Gupta & Lehmann 2003).
- **Missing figures**: a figure that does not exist (a CAC with no customers
  acquired, a ROI with no incremental costs, an IRR of flows that never
  change sign, a payback that never comes) is NaN inside the package, with
  one division rule for every ratio (:func:`safe_ratio`: NaN where the
  denominator is not positive). Tables turn NaN into pandas' ``<NA>``, the
  JSON document into ``null`` (:func:`none_if_nan`), and text into
  ``n/a (reason)`` (:func:`roi_models.formatting.format_kpi`); never ``nan``.

Examples
--------
What monthly discount rate matches 10 % a year?

>>> round(monthly_rate(0.10), 6)
0.007974
>>> round(annualise(monthly_rate(0.10)), 12)
0.1
"""

from __future__ import annotations

import numpy as np

MONTHS_PER_YEAR = 12


def monthly_rate(annual_rate):
    """Monthly compounding rate equivalent to an annual rate.

    Parameters
    ----------
    annual_rate : float or array_like
        Annual rate(s), each > -1.

    Returns
    -------
    float or numpy.ndarray
        ``r_m``, a float for a scalar.

    Notes
    -----
    .. math:: r_m = (1 + r_a)^{1/12} - 1

    so that twelve months of ``r_m`` compound to ``r_a`` (compound-interest
    equivalence, [BMA]_ ch. 2).

    References
    ----------
    .. [BMA] R. A. Brealey, S. C. Myers and F. Allen, *Principles of Corporate
       Finance*, McGraw-Hill, ch. 2.

    Examples
    --------
    What monthly rate discounts like 10 % a year?

    >>> round(monthly_rate(0.10), 8)
    0.00797414
    """
    return _scalar_or_array(
        np.power(1.0 + np.asarray(annual_rate, dtype=float), 1.0 / MONTHS_PER_YEAR) - 1.0
    )


def annualise(monthly):
    """Annual rate equivalent to a monthly compounding rate.

    Parameters
    ----------
    monthly : float or array_like
        Monthly rate(s); NaN stays NaN (a missing IRR stays missing).

    Returns
    -------
    float or numpy.ndarray
        ``(1 + r_m)^12 - 1``, a float for a scalar.

    Examples
    --------
    What is 1 % a month, a year?

    >>> round(annualise(0.01), 6)
    0.126825
    """
    return _scalar_or_array(np.power(1.0 + np.asarray(monthly, dtype=float), MONTHS_PER_YEAR) - 1.0)


def bass_monthly(annual_coefficient):
    """Monthly Bass coefficient from an annual one.

    Parameters
    ----------
    annual_coefficient : float or array_like
        Bass p or q per year (an instantaneous hazard rate).

    Returns
    -------
    float or numpy.ndarray
        ``p / 12``: the Bass curve depends on time only through ``(p + q) t``,
        so measuring time in months divides the rates by 12 (Bass 1969).

    References
    ----------
    .. [B] F. M. Bass, "A New Product Growth for Model Consumer Durables",
       *Management Science* 15(5), 1969, 215-227.

    Examples
    --------
    >>> bass_monthly(0.38)  # Sultan, Farley & Lehmann's average q, per year
    0.03166666666666667
    """
    return _scalar_or_array(np.asarray(annual_coefficient, dtype=float) / MONTHS_PER_YEAR)


def safe_ratio(numerator, denominator):
    """``numerator / denominator`` where the denominator is positive, NaN elsewhere.

    The one division rule of the package: every ratio it reports (CAC, CLV,
    CLV/CAC, cost-of-sales share, churn, ROI) has a denominator that is an
    amount or a count, never negative (customers, costs, revenue, customers
    at risk). A zero denominator means the figure does not exist: NaN, never
    0 and never a division warning. Broadcasts over arrays.

    Parameters
    ----------
    numerator, denominator : array_like
        Broadcastable arrays (or scalars).

    Returns
    -------
    float or numpy.ndarray
        The ratio; NaN where ``denominator <= 0`` or either side is NaN. A
        Python float for scalar inputs.

    Examples
    --------
    What does a customer cost when a channel won 40 customers for 10,000, and
    when it won none?

    >>> safe_ratio(10_000, 40), safe_ratio(10_000, 0)
    (250.0, nan)
    >>> safe_ratio(np.array([1.0, 2.0]), np.array([4.0, 0.0]))
    array([0.25,  nan])
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    positive = den > 0
    # a positive denominator too small for the quotient (a denormal one) gives inf, silently,
    # as the compiled passes' division does; the formatter and the JSON show it as missing
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _scalar_or_array(np.where(positive, num / np.where(positive, den, 1.0), np.nan))


def none_if_nan(value) -> float | None:
    """A float, or None where the figure does not exist (NaN or infinite): the JSON boundary.

    >>> none_if_nan(0.25), none_if_nan(float("nan"))
    (0.25, None)
    """
    v = float(value)
    return v if np.isfinite(v) else None


def _scalar_or_array(x: np.ndarray):
    """A Python float for 0-d results, the array otherwise."""
    return float(x) if x.ndim == 0 else x
