"""Benchmarks of the Monte Carlo run (issue 13's speed targets). Prints figures and verdicts.

Targets on a 2-core machine: 100,000 draws x 4 plans (the B2B file: the status quo and
three plans) x 60 months, sampling and KPIs included, under 1.5 s with peak memory under
1.5 GB; 10 million draws in bounded memory (the per-draw figures grow linearly, the monthly
arrays stay within a chunk); a Dask LocalCluster run of 1 million draws within 1.5 x the
local engine; the report with its default 2,000 draws built in under 5 s.

Times are medians of ``--repeat`` runs after a warm-up (the compiled kernels loaded).
Memory: the peak resident set size of a fresh subprocess (``resource.getrusage``,
interpreter and libraries included) and the peak of ``tracemalloc`` (what numpy and Python
allocate during the run itself). The machine's load average is printed first: other
people's work on a shared machine slows every figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _median_ms, print_figures

import roi_models as rm
from roi_models.analysis.montecarlo import KPI_COLUMNS, montecarlo
from roi_models.engine.batch import BLOCK_ROWS

ROOT = Path(__file__).resolve().parents[1]


def _results() -> rm.ScenarioResults:
    return rm.run_scenarios(rm.load_shipped("b2b_it_services"))


def _child(draws: int, engine: str = "local") -> dict[str, float]:
    """Run ``draws`` draws in a fresh interpreter: wall time, peak RSS and tracemalloc peak."""
    code = f"""
import json, resource, time, tracemalloc
import roi_models as rm
from roi_models.analysis.montecarlo import montecarlo
res = rm.run_scenarios(rm.load_shipped("b2b_it_services"))
montecarlo(res, 2048, 1)  # load the compiled kernels
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t0 = time.perf_counter()
mc = montecarlo(res, {draws}, 0, engine="{engine}")
seconds = time.perf_counter() - t0
traced = tracemalloc.get_traced_memory()[1]
print(json.dumps({{"seconds": seconds, "rss_mb": resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_before_mb": base / 1024,
    "traced_mb": traced / 1e6, "kept_mb": (mc.inputs.nbytes + sum(
        v.nbytes for v in mc.kpis.values())) / 1e6}}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=3600).stdout
    return json.loads(out.strip().splitlines()[-1])


def _timed_once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100_000, help="draws of the timed run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big", type=int, default=1_000_000,
                    help="draws of the bounded-memory run (10,000,000 for the issue's size)")
    ap.add_argument("--dask", type=int, default=1_000_000,
                    help="draws of the Dask-against-local run (0: skip)")
    ap.add_argument("--report-draws", type=int, default=2_000)
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    res = _results()
    plans = len(res.names)
    n = args.draws
    key = f"montecarlo {n:,} draws x {plans} plans x {res.horizon} months, local [s]"
    figures = {key: _median_ms(lambda: montecarlo(res, n, 0), args.repeat) / 1000}
    targets = {key: 1.5}

    child = _child(n)
    mem = f"peak memory of the {n:,}-draw run, fresh process (RSS) [MB]"
    figures[mem] = child["rss_mb"]
    figures["  of which before the run (interpreter, libraries, kernels) [MB]"] = \
        child["rss_before_mb"]
    figures["  tracemalloc peak during the run [MB]"] = child["traced_mb"]
    targets[mem] = 1500.0

    per_draw = 8 * (len(KPI_COLUMNS) * (plans - 1) + len(res.file.uncertainty) + 2)
    chunk = 2 * 1024  # draws of a local chunk (2 blocks)
    working = 22e3 * 2 * BLOCK_ROWS * 2 / 1e6  # two threads' blocks of monthly arrays
    big = _child(args.big)
    figures[f"montecarlo {args.big:,} draws, fresh process [s]"] = big["seconds"]
    figures["  peak RSS [MB]"] = big["rss_mb"]
    figures["  tracemalloc peak [MB]"] = big["traced_mb"]
    figures["  per-draw figures kept [MB]"] = big["kept_mb"]
    bound_10m = (10_000_000 * per_draw + 2 * chunk * per_draw) / 1e6 + working
    figures["bound for 10,000,000 draws: per-draw figures + 2 chunks + monthly [MB]"] = \
        bound_10m

    if args.dask:
        local = _timed_once(lambda: montecarlo(res, args.dask, 0))
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.run(lambda: None)
            address = cluster.scheduler_address
            montecarlo(res, 20_000, 1, engine="dask", scheduler=address)  # warm the workers
            remote = _timed_once(lambda: montecarlo(res, args.dask, 0, engine="dask",
                                                    scheduler=address))
        figures[f"montecarlo {args.dask:,} draws, local engine [s]"] = local
        figures[f"montecarlo {args.dask:,} draws, Dask LocalCluster (2 workers) [s]"] = remote
        ratio = f"Dask / local, {args.dask:,} draws [x]"
        figures[ratio] = remote / local
        targets[ratio] = 1.5

    from roi_models.report import ReportOptions
    from roi_models.report.html import render_report

    options = ReportOptions(date=datetime.date(2026, 1, 31), draws=args.report_draws)
    report = f"report with {args.report_draws:,} draws (consumer file) [s]"
    consumer = rm.run_scenarios(rm.load_shipped("consumer_brand"))
    figures[report] = _median_ms(lambda: render_report(consumer, options), args.repeat) / 1000
    figures["report without draws [s]"] = _median_ms(
        lambda: render_report(consumer, ReportOptions(date=options.date)), args.repeat) / 1000
    targets[report] = 5.0
    print_figures(figures, targets)
    print(f"per-draw figures: {per_draw} bytes a draw ({len(KPI_COLUMNS)} KPIs x "
          f"{plans - 1} plans + inputs, float64); monthly arrays only for a block of "
          f"{BLOCK_ROWS} draws of the status quo and {BLOCK_ROWS} rows of a plan (about "
          f"{working:.1f} MB for two threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
