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

from .metrics import channel_lines, incremental_figures, plan_metrics
from .params import ParamBatch
from .simulate import SimResult, batch_arrays, simulate_chunk

DEFAULT_CHUNK_ROWS = 256  # a chunk's monthly arrays (5.6 MB at 60 months) stay in cache


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
                    keep_cash_flows: bool = False,
                    spend_lines: tuple[np.ndarray, np.ndarray] | None = None,
                    ) -> dict[str, np.ndarray]:
    """The per-row figures of :class:`BatchSummary` for one chunk: plain arrays in and out.

    ``plan`` and ``baseline`` are :func:`~roi_models.engine.simulate.batch_arrays`
    dicts (the baseline with one row, or as many as the plan); or
    ``baseline_result``, the :func:`~roi_models.engine.simulate.simulate_chunk`
    output of a baseline already simulated (:func:`run_batch` simulates a
    baseline shared by every chunk once; a Monte Carlo chunk passes its status
    quo rows, b of them for n = m b plan rows: row i against baseline row
    i mod b, :func:`~roi_models.engine.metrics.incremental_figures`). Returns the fields of
    :class:`BatchSummary` by name, each (n,) (the net cash flow (n, T+1)).
    ``spend_lines``: each channel's spend of plan and baseline on one
    channel axis (:func:`~roi_models.engine.metrics.channel_lines`), the
    lines of ROI; by default the two ``spend`` arrays, which must then share
    their channels.
    Pure: the unit of work of :func:`run_batch` and of a Dask task.
    """
    if baseline is not None and baseline_result is not None:
        raise ValueError("give baseline or baseline_result, not both")
    res = _result(plan)
    m = plan_metrics(res, plan)  # plan_metrics reads the discount rate by its schema path
    out = {
        "npv_plan": m.npv, "cac": m.cac, "cac_blended": m.cac_blended, "clv": m.clv,
        "clv_to_cac": m.clv_to_cac,
        "cost_of_sales_share": m.cost_of_sales_share, "churn_monthly_avg": m.churn_monthly_avg,
        "customers_end": m.customers_end,
    }
    if baseline is not None:
        baseline_result = simulate_chunk(baseline)
    if baseline_result is not None:
        ref = SimResult(horizon=res.horizon, **baseline_result)
        base_spend = baseline["spend"] if baseline is not None else None
        plan_spend, base_spend = spend_lines or (plan["spend"], base_spend)
        if base_spend is None:
            raise ValueError("a baseline_result needs spend_lines (each channel's spend)")
        case = incremental_figures(res, ref, plan["finance.discount_rate_annual"],
                                   spend=plan_spend, baseline_spend=base_spend)
        out |= {"npv": case["npv"], "roi": case["roi"], "payback_month": case["payback_month"]}
    if keep_cash_flows:
        out["net_cash_flow"] = res.net_cash_flow
    # copies: a view would keep the chunk's whole block of monthly results alive
    return {k: np.array(v, order="C") for k, v in out.items()}


def _result(arrays: dict[str, np.ndarray]) -> SimResult:
    return SimResult(horizon=arrays["spend"].shape[1] - 1, **simulate_chunk(arrays))
