"""Benchmark: the Python-side cost of one slider change in the explorer, per visible tab.

One "slider change" is what the explorer does for one slider step: evaluate
the lever values (one batched simulation of every scenario, 4 x 60 months
for the shipped B2B case), re-render the KPI table and draw the visible tab
(:meth:`roi_models.explorer.Explorer.refresh`):

- **Business case visible** (the Sensitivity tab hidden: it costs nothing):
  the four charts, of which only the arrays that changed are sent;
- **Sensitivity visible**: the KPI table in the step; the tornado of the
  plan in focus (one batch of every uncertain field at its low and high) and
  its figure (:func:`roi_models.charts.sensitivity.tornado_figure`, 20-40 ms
  of plotly) on a worker thread at once after the step, the decision margins
  on a worker thread once the steps settle (0.25 s). Their times are printed
  apart: from the step to each figure handed to the widget, with steps
  ``--gap`` seconds apart on a running asyncio loop, as in Jupyter and Voila.

- **Risk** (``--risk-draws``, default 2,000): from Run to the results drawn
  (the Monte Carlo, its three figures on the worker thread, the table and the
  charts handed to the widgets on the loop), the Monte Carlo alone
  (:func:`roi_models.analysis.montecarlo.risk_of_plans`), and a slider step with
  the Business case tab visible while a 20,000-draw run goes on the worker thread.

No browser is attached, so the cost of sending the widget messages is
included but not the browser's redraw. Targets: median under 50 ms; the
Sensitivity tab adds under 20 ms to a step (issue 12).

Run:  .venv/bin/python benchmarks/explorer_bench.py [--repeat 40] [--scenario b2b_it_services]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time


def _steps(ex, repeat: int):
    control = ex.controls["social.word_of_mouth_lift"].slider  # an IntSlider over step indices
    for k in range(repeat + 5):
        value = k % 20
        if value == control.value:
            value += 1
        yield k >= 5, control, value  # the first 5: warm-up


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def hidden(args) -> dict[str, float]:
    """Steps with the Business case tab visible (the charts), and the compute alone."""
    from roi_models.explorer import Explorer, evaluate

    ex = Explorer(args.scenario, interval=0)
    total, compute = [], []
    for timed, control, value in _steps(ex, args.repeat):
        t0 = time.perf_counter()
        control.value = value  # the slider callback: recompute + every figure + KPI table
        t1 = time.perf_counter()
        evaluate(ex.model, ex.values())
        t2 = time.perf_counter()
        if timed:
            total.append((t1 - t0) * 1e3)
            compute.append((t2 - t1) * 1e3)
    assert ex.sensitivity.draws == 0 and ex.risk.draws == 0  # the hidden tabs cost nothing
    return {"scenarios": len(ex.model.names), "months": ex.results.horizon,
            "median_ms": _median(total), "p90_ms": sorted(total)[int(0.9 * len(total))],
            "compute_only_median_ms": _median(compute)}


async def _visible(args) -> dict[str, float]:
    from roi_models.explorer import Explorer

    ex = Explorer(args.scenario, interval=0)  # interval 0: every step computed at once
    ex.show_view("Sensitivity")
    view = ex.sensitivity
    runs = (view.tornado_runs, view.settled)
    while any(r.wanted is not None for r in runs):
        await asyncio.sleep(0.01)
    total, tornado, margins = [], [], []
    patches = ex.charts.patch_state.get("n")
    for timed, control, value in _steps(ex, args.repeat):
        t0 = time.perf_counter()
        control.value = value  # recompute + KPI table; tornado and margins handed on
        t1 = time.perf_counter()
        done = [None, None]
        while any(d is None for d in done):  # both figures delivered to the widget
            await asyncio.sleep(0.001)
            for i, r in enumerate(runs):
                if done[i] is None and r.wanted is None:
                    done[i] = time.perf_counter()
        if timed:
            total.append((t1 - t0) * 1e3)
            tornado.append((done[0] - t0) * 1e3)
            margins.append((done[1] - t0) * 1e3)
        await asyncio.sleep(max(0.0, args.gap - (time.perf_counter() - t0)))
    assert ex.charts.patch_state.get("n") == patches  # the hidden charts cost nothing
    return {"median_ms": _median(total), "p90_ms": sorted(total)[int(0.9 * len(total))],
            "tornado_median_ms": _median(tornado), "tornado_max_ms": max(tornado),
            "margins_median_ms": _median(margins), "margins_max_ms": max(margins),
            "margins_started": view.settled.started, "margins_dropped": view.settled.dropped,
            "settle_s": view.settled.delay}


async def _risk(args) -> dict[str, float]:
    from roi_models.analysis.montecarlo import risk_of_plans
    from roi_models.explorer import Explorer
    from roi_models.explorer.compute import for_analysis

    ex = Explorer(args.scenario, interval=0)
    ex.show_view("Risk")
    view = ex.risk
    view.draws_box.value = f"{args.risk_draws}"
    runs = []
    for k in range(args.risk_repeat + 1):  # the first: warm-up
        view.seed_box.value = str(k)
        t0 = time.perf_counter()
        run = view.start()
        while run.status == "running" or view.drawn is None:
            await asyncio.sleep(0.002)
        if k:
            runs.append((time.perf_counter() - t0) * 1e3)
    shown = ex.shown()
    res = for_analysis(shown.model, shown.results, shown.values)
    alone = []
    for k in range(args.risk_repeat):
        t0 = time.perf_counter()
        risk_of_plans(res.file, res.batch, res.names, args.risk_draws, k, chunk_blocks=1)
        alone.append((time.perf_counter() - t0) * 1e3)
    ex.show_view("Business case")
    steps = []
    view.draws_box.value = "20000"
    control = ex.controls["social.word_of_mouth_lift"].slider
    for _ in range(3):
        run = view.start()
        await asyncio.sleep(0.05)
        while run.status == "running":
            t0 = time.perf_counter()
            control.value = (control.value + 1) % 20
            ms = (time.perf_counter() - t0) * 1e3
            if run.status == "running":
                steps.append(ms)
            await asyncio.sleep(0.1)
    return {"run_median_ms": _median(runs), "run_max_ms": max(runs),
            "mc_median_ms": _median(alone), "step_during_run_median_ms": _median(steps),
            "step_during_run_max_ms": max(steps), "steps_during_run": len(steps)}


def parts(args) -> dict[str, float]:
    """Where the Sensitivity tab's time goes: analysis and figure, tornado and margins."""
    from roi_models import load_shipped, run_scenarios
    from roi_models.analysis.sensitivity import decision_margins, tornado
    from roi_models.charts.sensitivity import decision_margin_figure, tornado_figure

    res = run_scenarios(load_shipped(args.scenario))
    frame, margins = tornado(res, plan="social"), decision_margins(res, plan="social")

    def t(fn, n):
        fn()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
        return _median(times)

    return {"tornado_ms": t(lambda: tornado(res, plan="social"), 20),
            "tornado_figure_ms": t(lambda: tornado_figure(frame), 20),
            "margins_ms": t(lambda: decision_margins(res, plan="social"), 5),
            "margin_figure_ms": t(lambda: decision_margin_figure(margins), 10)}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--scenario", default="b2b_it_services")
    parser.add_argument("--gap", type=float, default=0.5,
                        help="seconds between steps with the Sensitivity tab visible")
    parser.add_argument("--risk-draws", type=int, default=2_000)
    parser.add_argument("--risk-repeat", type=int, default=5)
    args = parser.parse_args(argv)

    h = hidden(args)
    v = asyncio.run(_visible(args))
    p = parts(args)
    r = asyncio.run(_risk(args))
    n, T = h["scenarios"], h["months"]
    added = v["median_ms"] - h["median_ms"]
    print(f"explorer slider change, {n} scenarios x {T} months, {args.repeat} runs each:")
    print(f"  Business case tab visible (Sensitivity hidden): median {h['median_ms']:.1f} ms "
          f"(p90 {h['p90_ms']:.1f} ms; compute alone {h['compute_only_median_ms']:.1f} ms); "
          f"target < 50 ms {'met' if h['median_ms'] < 50 else 'MISSED'}")
    print(f"  Sensitivity tab visible: median {v['median_ms']:.1f} ms (p90 {v['p90_ms']:.1f} ms); "
          f"{added:+.1f} ms against the Business case tab; target < +20 ms "
          f"{'met' if added < 20 else 'MISSED'}")
    print(f"  tornado on the widget after a step (worker thread): median "
          f"{v['tornado_median_ms']:.0f} ms, max {v['tornado_max_ms']:.0f} ms")
    print(f"  decision margins on the widget after a step (settle {v['settle_s']:.2f} s "
          f"included, worker thread): median {v['margins_median_ms']:.0f} ms, max "
          f"{v['margins_max_ms']:.0f} ms; {v['margins_started']} computed, "
          f"{v['margins_dropped']} dropped as stale")
    print(f"  parts: tornado {p['tornado_ms']:.1f} ms + its figure "
          f"{p['tornado_figure_ms']:.1f} ms; margins {p['margins_ms']:.0f} ms + their figure "
          f"{p['margin_figure_ms']:.1f} ms")
    print(f"  Risk tab, {args.risk_draws:,} draws: Run to results drawn median "
          f"{r['run_median_ms']:.0f} ms (max {r['run_max_ms']:.0f} ms; the Monte Carlo alone "
          f"{r['mc_median_ms']:.0f} ms)")
    print(f"  slider step (Business case tab) while a 20,000-draw run goes: median "
          f"{r['step_during_run_median_ms']:.1f} ms, max {r['step_during_run_max_ms']:.1f} ms "
          f"({r['steps_during_run']} steps)")
    return {"hidden": h, "visible": v, "parts": p, "risk": r}


if __name__ == "__main__":
    main()
