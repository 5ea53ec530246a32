"""Benchmark: the Python-side cost of one slider change in the explorer.

One "slider change" is what the explorer does after a debounced burst:
evaluate the lever values (one batched simulation of every scenario, 4 x 60
months for the shipped B2B case), then update every FigureWidget in place
and re-render the KPI table (:meth:`roi_models.explorer.Explorer.refresh`): only the
arrays that changed are sent.
No browser is attached, so the cost of sending the widget messages is
included but not the browser's redraw. Target: median under 50 ms.

Run:  .venv/bin/python benchmarks/explorer_bench.py [--repeat 60] [--scenario b2b_it_services]
"""

from __future__ import annotations

import argparse
import statistics
import time


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--scenario", default="b2b_it_services")
    args = parser.parse_args(argv)

    from roi_models.explorer import Explorer, evaluate

    ex = Explorer(args.scenario, interval=0)
    n, T = len(ex.model.names), ex.results.horizon
    control = ex.controls["social.word_of_mouth_lift"].slider  # an IntSlider over step indices
    values = [k % 20 for k in range(args.repeat + 5)]
    total, compute = [], []
    for k, value in enumerate(values):
        if value == control.value:
            value += 1
        t0 = time.perf_counter()
        control.value = value  # the slider callback: recompute + every figure + KPI table
        t1 = time.perf_counter()
        evaluate(ex.model, ex.values())
        t2 = time.perf_counter()
        if k >= 5:  # warm-up
            total.append((t1 - t0) * 1e3)
            compute.append((t2 - t1) * 1e3)
    out = {
        "scenarios": n, "months": T, "repeat": len(total),
        "median_ms": statistics.median(total), "p90_ms": sorted(total)[int(0.9 * len(total))],
        "compute_only_median_ms": statistics.median(compute),
    }
    print(f"explorer slider change, {n} scenarios x {T} months, {len(total)} runs: "
          f"median {out['median_ms']:.1f} ms (p90 {out['p90_ms']:.1f} ms; "
          f"compute alone {out['compute_only_median_ms']:.1f} ms); target < 50 ms")
    return out


if __name__ == "__main__":
    main()
