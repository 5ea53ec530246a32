"""Large batches in chunks: the KPIs of many parameter sets without keeping every monthly array.

A Monte Carlo run or a fine sensitivity grid has 10^4-10^6 rows. Simulating
them at once would hold about 22 kB per row (60 months); :func:`run_batch`
cuts the batch into chunks of a few hundred rows, runs :func:`summarise_chunk`
on each (plain arrays in, plain arrays out: the unit of work a Dask worker
can run as well) on a thread pool, and keeps only the per-row figures (and,
if asked, the net cash flow), so memory grows with n only through (n,) and
(n, T+1) arrays. The compiled kernel releases the GIL, so threads run
chunks side by side; every figure of a row depends on that row alone, so
the result does not depend on the chunk size or the number of threads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ._compile import compiled
from .finance import annual_discount_factors
from .metrics import _case_arrays, _case_rows, _plan_rows, channel_lines
from .params import ParamBatch
from .simulate import (
    SCALARS,
    SimResult,
    _allocate,
    _simulate_rows,
    batch_arrays,
    kernel_inputs,
    simulate_chunk,
)

DEFAULT_CHUNK_ROWS = 2048  # rows a thread takes at a time
BLOCK_ROWS = 32  # rows simulated together in a chunk: their monthly arrays (0.7 MB) stay in cache


@dataclass(frozen=True)
class BatchSummary:
    """Per-row figures of a large batch (shape (n,)); incremental ones need a baseline."""

    npv_plan: np.ndarray
    cac: np.ndarray  # CAC (paid)
    cac_blended: np.ndarray
    clv: np.ndarray
    clv_to_cac: np.ndarray
    cost_of_sales_share: np.ndarray
    churn_monthly_avg: np.ndarray
    customers_end: np.ndarray
    npv: np.ndarray | None = None
    roi: np.ndarray | None = None
    payback_month: np.ndarray | None = None
    net_cash_flow: np.ndarray | None = None


def run_batch(
    batch: ParamBatch,
    baseline: ParamBatch | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    keep_cash_flows: bool = False,
    workers: int | None = None,
) -> BatchSummary:
    """Simulate ``batch`` in chunks of at most ``chunk_rows`` rows and return per-row KPIs.

    ``baseline`` (one row, or as many rows as ``batch``) gives the incremental
    NPV, ROI and payback month of each row against it, as
    :func:`roi_models.engine.business_case` defines them (IRR is left out: it
    is the costly figure; compute it for the rows you show).

    Chunks (:func:`summarise_chunk`) are independent, so ``workers`` threads
    (default: the machine's cores) run them side by side: the compiled kernel
    releases the GIL. The result depends neither on ``workers`` nor on
    ``chunk_rows`` (rows keep their order).

    >>> from roi_models.data import load_shipped
    >>> sf = load_shipped("b2b_it_services")
    >>> social = ParamBatch.from_assumptions([sf.scenario("social")]).repeat(3)
    >>> status_quo = ParamBatch.from_assumptions([sf.scenario("status_quo")])
    >>> out = run_batch(social, status_quo, chunk_rows=2)
    >>> bool(np.allclose(out.npv, out.npv[0]))
    True
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    n = batch.n
    if baseline is not None and baseline.n not in (1, n):
        raise ValueError(f"baseline needs 1 or {n} rows, has {baseline.n}")
    threads = max(1, workers or os.cpu_count() or 1)
    plan_arrays = batch_arrays(batch)
    base_arrays = batch_arrays(baseline) if baseline is not None else None
    # each channel's spend of plan and baseline on one channel axis: the lines of ROI
    lines = channel_lines(batch, baseline) if baseline is not None else None

    per_row_baseline = baseline is not None and baseline.n > 1
    # a baseline shared by every row is simulated once, not once a chunk
    shared = simulate_chunk(base_arrays) if base_arrays is not None and not per_row_baseline \
        else None

    def chunk(start: int) -> dict[str, np.ndarray]:
        rows = slice(start, min(start + chunk_rows, n))
        plan = rows_of(plan_arrays, rows)
        spend = None if lines is None else (_rows(lines[0], rows), _rows(lines[1], rows))
        if base_arrays is not None and per_row_baseline:
            return summarise_chunk(plan, rows_of(base_arrays, rows),
                                   keep_cash_flows=keep_cash_flows, spend_lines=spend)
        return summarise_chunk(plan, baseline_result=shared, keep_cash_flows=keep_cash_flows,
                               spend_lines=spend)

    starts = range(0, n, chunk_rows)
    if threads == 1 or len(starts) == 1:
        done = [chunk(s) for s in starts]
    else:
        with ThreadPoolExecutor(min(threads, len(starts))) as pool:
            done = list(pool.map(chunk, starts))
    return BatchSummary(**{k: np.concatenate([d[k] for d in done]) for k in done[0]})


def _rows(spend: np.ndarray, rows: slice) -> np.ndarray:
    """Some rows of a spend array (C, T + 1, n); a spend shared by every row stays as it is."""
    return spend if spend.shape[-1] == 1 else spend[..., rows]


def rows_of(arrays: dict[str, np.ndarray], rows: slice) -> dict[str, np.ndarray]:
    """The arrays of :func:`~roi_models.engine.simulate.batch_arrays` for some rows (views).

    The row axis is the last one; spend and viral onsets shared by every row
    (last axis 1) and the channel kinds stay as they are."""
    return {k: v if k == "channel_is_social" or (k in _SHARED and v.shape[-1] == 1)
            else v[..., rows] for k, v in arrays.items()}


_SHARED = ("spend", "viral_onsets")  # arrays whose last axis may be 1: shared by every row


def summarise_chunk(plan: dict[str, np.ndarray], baseline: dict[str, np.ndarray] | None = None,
                    *, baseline_result: Mapping[str, np.ndarray] | None = None,
                    keep_cash_flows: bool = False, keep_baseline_cash_flows: bool = False,
                    spend_lines: tuple[np.ndarray, np.ndarray] | None = None,
                    ) -> dict[str, np.ndarray]:
    """The per-row figures of :class:`BatchSummary` for one chunk: plain arrays in and out.

    ``plan`` and ``baseline`` are :func:`~roi_models.engine.simulate.batch_arrays`
    dicts: the baseline with one row, or b rows for n = m b plan rows, row i
    against baseline row i mod b (:func:`~roi_models.engine.metrics.incremental_figures`;
    a Monte Carlo chunk passes its status quo rows, one a draw, and the other
    plans' rows plan by plan). Or ``baseline_result``, the
    :func:`~roi_models.engine.simulate.simulate_chunk` output of a baseline
    already simulated (:func:`run_batch` simulates a baseline shared by every
    chunk once), with the same rule. Returns the fields of
    :class:`BatchSummary` by name, each (n,) (the net cash flow (n, T+1));
    ``keep_baseline_cash_flows`` adds ``"baseline_net_cash_flow"`` (b, T+1), for
    a ``baseline`` of b > 1 rows.
    ``spend_lines``: each channel's spend of plan and baseline on one
    channel axis (:func:`~roi_models.engine.metrics.channel_lines`), the
    lines of ROI; by default the two ``spend`` arrays, which must then share
    their channels.
    Pure: the unit of work of :func:`run_batch` and of a Dask task.
    """
    if baseline is not None and baseline_result is not None:
        raise ValueError("give baseline or baseline_result, not both")
    g, channel, spend, social, onsets = kernel_inputs(plan)
    n, T1 = g.shape[1], spend.shape[1]
    rate = plan["finance.discount_rate_annual"]  # plan_metrics reads it by its schema path
    factors = np.ascontiguousarray(np.atleast_2d(annual_discount_factors(rate, T1 - 1)))
    paired = baseline is not None and np.shape(baseline[SCALARS[0]]) != (1,)
    if baseline is not None and not paired:  # one row: simulated once for every plan row
        baseline_result = simulate_chunk(baseline)
    if keep_baseline_cash_flows and not paired:
        raise ValueError("keep_baseline_cash_flows needs a baseline of more than one row")
    base_inputs = kernel_inputs(baseline) if baseline is not None and paired else None
    with_case = baseline_result is not None or base_inputs is not None
    if with_case:
        if base_inputs is not None:
            b, base_T1 = base_inputs[0].shape[1], base_inputs[2].shape[1]
        else:
            b, base_T1 = np.shape(baseline_result["net_cash_flow"])  # type: ignore[index]
        base_spend = baseline["spend"] if baseline is not None else None
        plan_spend, base_spend = spend_lines or (plan["spend"], base_spend)
        if base_spend is None:
            raise ValueError("a baseline_result needs spend_lines (each channel's spend)")
        plan_spend = np.asarray(plan_spend, dtype=float)
        base_spend = np.asarray(base_spend, dtype=float)
        if n % b or base_T1 != T1:
            raise InputError.one("argument", "baseline" if paired else "baseline_result",
                                 (b, base_T1),
                                 f"one row, {n} rows or a divisor of {n}, of {T1} months")
        for name, arr, rows in (("spend", plan_spend, n), ("baseline_spend", base_spend, b)):
            if arr.ndim != 3 or arr.shape[1] != T1 or arr.shape[2] not in (1, rows) \
                    or arr.shape[0] != plan_spend.shape[0]:
                raise InputError.one("argument", name, arr.shape,
                                     f"(channels, {T1}, 1 or {rows}) on the plans' channel axis")
    else:  # no baseline: the case pass is skipped and reads none of these
        plan_spend = base_spend = spend[:, :, :1]
    names = _PLAN_FIGURES + (_CASE_FIGURES if with_case else ())
    out = {name: np.empty(n) for name in _PLAN_FIGURES + _CASE_FIGURES}
    flows = np.empty((n if keep_cash_flows else 0, T1))
    # the monthly arrays of a block: one allocation (simulate._allocate), not 21 anywhere in
    # memory: where two arrays the kernel touches at the same index start a multiple of 4 KiB
    # apart, its loads wait on unrelated stores (4K aliasing; seen here as a third more time
    # in one process out of two)
    months = _allocate(min(BLOCK_ROWS, n), T1)
    result: dict[str, np.ndarray] = {}
    if base_inputs is not None:
        # a block of baseline rows at a time, simulated into monthly arrays of its own, then
        # each plan's rows of the same draws against them, all in cache
        base_months = _allocate(min(BLOCK_ROWS, b), T1)
        base_flows = np.empty((b if keep_baseline_cash_flows else 0, T1))
        _paired_rows(BLOCK_ROWS, g, channel, spend, social, onsets, factors, plan_spend,
                     *base_inputs, base_spend,
                     *out.values(), flows, base_flows, *months.values(), *base_months.values())
        if keep_baseline_cash_flows:
            result["baseline_net_cash_flow"] = base_flows
    else:
        ref = (SimResult(horizon=T1 - 1, **baseline_result) if baseline_result is not None
               else SimResult(horizon=T1 - 1, revenue_per_customer=np.empty(1),
                              **_allocate(1, T1)))  # not read without a case
        _summary_rows(BLOCK_ROWS, g, channel, spend, social, onsets, factors, with_case,
                      plan_spend, *_case_arrays(ref), base_spend,
                      *out.values(), flows, *months.values())
    result |= {k: out[k] for k in names}
    if keep_cash_flows:
        result["net_cash_flow"] = flows
    return result


_PLAN_FIGURES = ("npv_plan", "cac", "cac_blended", "clv", "clv_to_cac", "cost_of_sales_share",
                 "churn_monthly_avg", "customers_end")  # of plan_metrics, in _plan_rows' order
_CASE_FIGURES = ("npv", "roi", "payback_month")  # of incremental_figures


@compiled()
def _block(x, a, b):
    """Rows ``a..b-1`` of an array whose last axis is the rows (spend, onsets), or the
    array as it is where that axis has length 1 (shared by every row): the compiled
    passes' form of :func:`_rows`."""
    return x[..., a:b] if x.shape[-1] > 1 else x[..., 0:1]


@compiled()
def _block_of_rows(x, a, b):
    """The same for an array whose first axis is the rows (the discount factors)."""
    return x[a:b] if x.shape[0] > 1 else x[0:1]


@compiled(error_model="numpy")
def _summary_rows(block, g, channel, spend, social, onsets, factors, with_case,
                  case_spend, base_gross_profit, base_cost_of_sales_by_kind,
                  base_referral_rewards, base_support_cost, base_programme_cost, base_active,
                  base_customer_value, base_net_cash_flow, base_spend,
                  npv_plan, cac, cac_blended, clv, clv_to_cac, cost_of_sales_share,
                  churn_monthly_avg, customers_end, npv, roi, payback_month, net_cash_flow_kept,
                  active, new, retained, survival, customer_value,
                  leads, opportunities, cost_of_sales_by_kind, spend_by_kind,
                  referral_rewards, engagement, revenue, gross_profit, support_cost,
                  programme_cost, net_cash_flow, channel_spend, cost_of_sales,
                  margin_per_customer, active_customers, new_customers):
    """The figures of :func:`summarise_chunk`, ``block`` rows at a time.

    Each block of rows goes through the three compiled passes one after the
    other while its monthly arrays are still in cache: the model
    (:func:`~roi_models.engine.simulate._simulate_rows`), the plan's figures
    (:func:`~roi_models.engine.metrics._plan_rows`, as
    :func:`~roi_models.engine.metrics.plan_metrics`) and, ``with_case``, the
    incremental ones against the baseline result
    (:func:`~roi_models.engine.metrics._case_rows`, as
    :func:`~roi_models.engine.metrics.incremental_figures` with the terminal
    value left out, row i against baseline row i mod b). The monthly arrays
    of a block (the last 21 arguments, the outputs of ``_simulate_rows``, ``block``
    rows each) are filled entirely by each block (every quantity its own array);
    only the per-row figures (and the net cash flow when ``net_cash_flow_kept``
    has n rows) are written out.
    """
    n = g.shape[1]
    S = 5  # customer sources
    m = min(block, n)
    # per-row figures of the passes that a summary does not keep
    new_customers_total, budget = np.empty(m), np.empty(m)
    cac_by_source, clv_by_source = np.empty((m, S)), np.empty((m, S))
    clv_to_cac_by_source = np.empty((m, S))
    npv_with_terminal_value, terminal_value = np.empty(m), np.empty(m)
    pv_benefits, pv_costs = np.empty(m), np.empty(m)
    peak_outlay = np.empty(m)
    not_kept = np.empty(0)  # the discounted payback month: not computed for a summary
    for a in range(0, n, block):
        b = min(a + block, n)
        k = b - a
        sp, on, d = _block(spend, a, b), _block(onsets, a, b), _block_of_rows(factors, a, b)
        _simulate_rows(g[:, a:b], channel[:, :, a:b], sp, social, on,
                       active[:k], new[:k], retained[:k], survival[:k], customer_value[:k],
                       leads[:k], opportunities[:k], cost_of_sales_by_kind[:k], spend_by_kind[:k],
                       referral_rewards[:k], engagement[:k], revenue[:k], gross_profit[:k],
                       support_cost[:k], programme_cost[:k], net_cash_flow[:k],
                       channel_spend[:k], cost_of_sales[:k], margin_per_customer[:k],
                       active_customers[:k], new_customers[:k])
        _plan_rows(d, new[:k], customer_value[:k], spend_by_kind[:k],
                   cost_of_sales_by_kind[:k], referral_rewards[:k], revenue[:k],
                   net_cash_flow[:k], active_customers[:k], new_customers[:k],
                   programme_cost[:k],
                   npv_plan[a:b], cac[a:b], cac_blended[a:b], clv[a:b], clv_to_cac[a:b],
                   cost_of_sales_share[a:b], churn_monthly_avg[a:b], customers_end[a:b],
                   new_customers_total[:k], budget[:k],
                   cac_by_source[:k], clv_by_source[:k], clv_to_cac_by_source[:k])
        if with_case:
            cs = _block(case_spend, a, b)
            _case_rows(d, False, gross_profit[:k], cost_of_sales_by_kind[:k],
                       referral_rewards[:k], support_cost[:k], programme_cost[:k], active[:k],
                       customer_value[:k], net_cash_flow[:k], cs,
                       base_gross_profit, base_cost_of_sales_by_kind, base_referral_rewards,
                       base_support_cost, base_programme_cost, base_active,
                       base_customer_value, base_net_cash_flow, base_spend, a,
                       npv[a:b], npv_with_terminal_value[:k], terminal_value[:k], roi[a:b],
                       pv_benefits[:k], pv_costs[:k], payback_month[a:b],
                       not_kept, peak_outlay[:k])
        if net_cash_flow_kept.shape[0] > 0:
            net_cash_flow_kept[a:b] = net_cash_flow[:k]


@compiled(error_model="numpy")
def _paired_rows(block, g, channel, spend, social, onsets, factors, case_spend,
                 base_g, base_channel, base_spend_kernel, base_social, base_onsets, base_spend,
                 npv_plan, cac, cac_blended, clv, clv_to_cac, cost_of_sales_share,
                 churn_monthly_avg, customers_end, npv, roi, payback_month,
                 net_cash_flow_kept, base_net_cash_flow_kept,
                 active, new, retained, survival, customer_value,
                 leads, opportunities, cost_of_sales_by_kind, spend_by_kind,
                 referral_rewards, engagement, revenue, gross_profit, support_cost,
                 programme_cost, net_cash_flow, channel_spend, cost_of_sales,
                 margin_per_customer, active_customers, new_customers,
                 b_active, b_new, b_retained, b_survival, b_customer_value,
                 b_leads, b_opportunities, b_cost_of_sales_by_kind, b_spend_by_kind,
                 b_referral_rewards, b_engagement, b_revenue, b_gross_profit, b_support_cost,
                 b_programme_cost, b_net_cash_flow, b_channel_spend, b_cost_of_sales,
                 b_margin_per_customer, b_active_customers, b_new_customers):
    """The figures of :func:`summarise_chunk` for n = m b plan rows against b baseline rows
    simulated here (plan row r against baseline row r mod b), ``block`` baseline rows at a time.

    For each block of baseline rows: the model
    (:func:`~roi_models.engine.simulate._simulate_rows`) fills the baseline's
    monthly arrays (the last 21 arguments, ``block`` rows each), then the rows
    of each of the m plans for the same baseline rows go through
    :func:`_summary_rows` against them: the baseline's months are still in
    cache when the plans read them (a baseline simulated whole beforehand,
    256 rows of 22 kB, is read back from memory). The baseline's own inputs
    are ``base_g``, ``base_channel``, ``base_spend_kernel``, ``base_social`` and
    ``base_onsets`` (:func:`~roi_models.engine.simulate.kernel_inputs`: its own
    channels, which need not be the plans'); ``base_spend`` its spend on the
    plans' channel axis (the lines of ROI). ``base_net_cash_flow_kept`` (b or 0
    rows) receives the baseline's net cash flow.
    """
    b, n = base_g.shape[1], g.shape[1]
    for a in range(0, b, block):
        e = min(a + block, b)
        k = e - a
        sp, on = _block(base_spend_kernel, a, e), _block(base_onsets, a, e)
        _simulate_rows(base_g[:, a:e], base_channel[:, :, a:e], sp, base_social, on,
                       b_active[:k], b_new[:k], b_retained[:k], b_survival[:k],
                       b_customer_value[:k], b_leads[:k], b_opportunities[:k],
                       b_cost_of_sales_by_kind[:k], b_spend_by_kind[:k],
                       b_referral_rewards[:k], b_engagement[:k], b_revenue[:k],
                       b_gross_profit[:k], b_support_cost[:k], b_programme_cost[:k],
                       b_net_cash_flow[:k], b_channel_spend[:k], b_cost_of_sales[:k],
                       b_margin_per_customer[:k], b_active_customers[:k], b_new_customers[:k])
        if base_net_cash_flow_kept.shape[0] > 0:
            base_net_cash_flow_kept[a:e] = b_net_cash_flow[:k]
        bs = _block(base_spend, a, e)
        for first in range(a, n, b):  # the block's rows of each plan: first .. first + k - 1
            r = first + k
            sp, on, d = _block(spend, first, r), _block(onsets, first, r), \
                _block_of_rows(factors, first, r)
            cs = _block(case_spend, first, r)
            kept = net_cash_flow_kept[first:r] if net_cash_flow_kept.shape[0] > 0 \
                else net_cash_flow_kept
            _summary_rows(block, g[:, first:r], channel[:, :, first:r], sp, social, on, d, True,
                          cs, b_gross_profit[:k], b_cost_of_sales_by_kind[:k],
                          b_referral_rewards[:k], b_support_cost[:k], b_programme_cost[:k],
                          b_active[:k], b_customer_value[:k], b_net_cash_flow[:k], bs,
                          npv_plan[first:r], cac[first:r], cac_blended[first:r], clv[first:r],
                          clv_to_cac[first:r], cost_of_sales_share[first:r],
                          churn_monthly_avg[first:r], customers_end[first:r], npv[first:r],
                          roi[first:r], payback_month[first:r], kept,
                          active, new, retained, survival, customer_value,
                          leads, opportunities, cost_of_sales_by_kind, spend_by_kind,
                          referral_rewards, engagement, revenue, gross_profit, support_cost,
                          programme_cost, net_cash_flow, channel_spend, cost_of_sales,
                          margin_per_customer, active_customers, new_customers)
