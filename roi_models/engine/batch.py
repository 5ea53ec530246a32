"""Large batches in chunks: the KPIs of many parameter sets without keeping every monthly array.

A Monte Carlo run or a fine sensitivity grid has 10^4-10^6 rows. Simulating
them at once would hold about 2 kB per row and month; :func:`run_batch`
simulates chunks of a few thousand rows and keeps only the per-row figures (and, if
asked, the net cash flow), so memory grows with n only through (n,) and
(n, T+1) arrays.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .finance import npv, payback_month, roi_of_differences
from .metrics import plan_metrics
from .params import ParamBatch
from .simulate import INFLOWS, OUTFLOWS, simulate

DEFAULT_CHUNK_ROWS = 6144  # fewer chunks (less per-chunk overhead) beat smaller ones here


@dataclass(frozen=True)
class BatchSummary:
    """Per-row figures of a large batch (shape (n,)); incremental ones need a baseline."""

    npv_plan: np.ndarray
    cac: np.ndarray
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

    Chunks are independent, so ``workers`` threads (default: the machine's
    cores) simulate them side by side: numpy releases the GIL inside its
    loops. The result does not depend on ``workers`` (rows keep their order).

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
    base_res = simulate(baseline) if baseline is not None and baseline.n == 1 else None
    count = max(1, -(-n // chunk_rows))  # chunks of at most chunk_rows rows
    threads = max(1, min(workers or os.cpu_count() or 1, count))
    # as many chunks as a multiple of the threads: no thread idles at the end while
    # another finishes a last chunk
    count = -(-count // threads) * threads
    chunk_rows = max(1, -(-n // count))
    starts = list(range(0, n, chunk_rows))
    local = threading.local()  # one workspace per thread: chunks reuse their arrays

    def chunk(start: int) -> dict[str, np.ndarray]:
        rows = slice(start, min(start + chunk_rows, n))
        sub = batch.rows(rows)
        if not hasattr(local, "workspace"):
            local.workspace, local.kpi_workspace = {}, {}
        res = simulate(sub, workspace=local.workspace)  # used up before this thread's next chunk
        m = plan_metrics(res, sub)
        out = {
            "npv_plan": m.npv, "cac": m.cac, "clv": m.clv, "clv_to_cac": m.clv_to_cac,
            "cost_of_sales_share": m.cost_of_sales_share, "churn_monthly_avg": m.churn_monthly_avg,
            "customers_end": m.customers_end,
        }
        if baseline is not None:
            ref = base_res if base_res is not None else simulate(baseline.rows(rows))
            rate = sub["finance.discount_rate_annual"]
            # (n, T+1) view of a month-major array: payback_month adds whole rows month by month
            inc = np.subtract(res.net_cash_flow.T, ref.net_cash_flow.T).T
            # inflows as (plan, baseline), outflow amounts as (baseline, plan): see roi_of_differences
            pairs = ([(getattr(res, k), getattr(ref, k)) for k in INFLOWS]
                     + [(getattr(ref, k), getattr(res, k)) for k in OUTFLOWS])
            npv_inc = np.asarray(npv(inc, rate))
            r = roi_of_differences(pairs, rate, npv=npv_inc, workspace=local.kpi_workspace)
            out |= {"npv": npv_inc, "roi": r.roi,
                    "payback_month": np.asarray(payback_month(inc))}
        if keep_cash_flows:
            out["net_cash_flow"] = res.net_cash_flow
        # copies: the workspace's arrays (and views of them) are overwritten by the next chunk
        return {k: np.array(v, order="C") for k, v in out.items()}

    if threads == 1:
        done = [chunk(s) for s in starts]
    else:
        with ThreadPoolExecutor(threads) as pool:
            done = list(pool.map(chunk, starts))
    return BatchSummary(**{k: np.concatenate([d[k] for d in done]) for k in done[0]})
