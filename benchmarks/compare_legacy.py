# ruff: noqa  (TEMPORARY file of issue 10, restored from git history to time the old engine; deleted again)
"""TEMPORARY (issue 10): the compiled kernel against the numpy engine it replaces.

Compares every array of :class:`SimResult` of ``roi_models.engine.simulate``
with ``benchmarks/_legacy_engine.py`` (the engine of commit 26dd5c9) on

- every scenario of the three shipped files (one batch per file), and
- hypothesis-generated batches: every parameter drawn within its schema
  bounds, small markets (capacity binds), viral events, downturns,
  fractional and zero sales cycles, Hill shapes != 1, carry-over 0,
  horizons 12..240, per-row spend schedules, 1 to 6 rows per batch,

to ``|new - old| <= 1e-9 |old| + max(1e-12 max|old row|, 1e-200)`` (relative,
with an absolute floor for values near 0 at a millionth of a millionth of
that series' largest value, and never below 1e-200: below that the old
engine's closed forms (customer value through cumulative products) lose
digits to subnormal numbers). Then times ``simulate`` (4 plans x 60 months) and
``run_batch`` (100,000 rows) of both engines in this one process.

    .venv/bin/python benchmarks/compare_legacy.py --examples 2000
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _legacy_engine as legacy  # noqa: E402
import run as bench  # noqa: E402

import roi_models as rm  # noqa: E402
from roi_models.assumptions import field_meta  # noqa: E402
from roi_models.assumptions.examples import neutral_plan  # noqa: E402
from roi_models.assumptions.merge import nest  # noqa: E402
from roi_models.assumptions.schema import SOURCES  # noqa: E402
from roi_models.engine import ParamBatch, simulate  # noqa: E402
from roi_models.engine.batch import run_batch  # noqa: E402

RTOL = 1e-9
FLOOR = 1e-12
TINY = 1e-200  # absolute floor: below it the old closed forms lose digits to subnormal products
COUNT = {"batches": 0, "rows": 0, "arrays": 0, "values": 0}
WORST = {"rel": 0.0, "where": ""}

SCALAR_PATHS = [
    "finance.discount_rate_annual", "market.bass_p_annual", "market.bass_q_annual",
    "economics.revenue_per_customer_monthly", "economics.gross_margin",
    "funnel.lead_to_opportunity", "funnel.win_rate", "funnel.cost_per_opportunity",
    "funnel.sales_cycle_months", "funnel.social_cost_reduction", "funnel.social_cycle_reduction",
    "social.engagement_half_saturation", "social.word_of_mouth_lift", "social.churn_reduction",
    "social.support_deflection", "social.referral_lift",
    "referrals.referrals_per_customer_monthly", "referrals.conversion",
    "referrals.reward_per_customer", "support.contacts_per_customer_monthly",
    "support.cost_per_contact", "programme.one_time_cost", "programme.ongoing_monthly",
    "programme.response_capability", "organisation.ramp_up_months",
    "organisation.implementation_cost_multiplier", "viral_event.acquisition_hit",
    "viral_event.added_churn", "viral_event.half_life_months", "viral_event.mitigation",
    "retention.downturn.added_churn", *(f"retention.churn_monthly.{s}" for s in SOURCES),
]
CAPS = {  # business-like magnitudes within the bounds
    "economics.revenue_per_customer_monthly": 1e5, "funnel.cost_per_opportunity": 1e5,
    "social.engagement_half_saturation": 1e7, "referrals.referrals_per_customer_monthly": 0.2,
    "referrals.reward_per_customer": 1e4, "support.cost_per_contact": 1e3,
    "programme.one_time_cost": 1e7, "programme.ongoing_monthly": 1e6,
}


def bounded(path: str, cap: float | None = None):
    m = field_meta(path)
    low = m.low if m.low_inclusive else m.low + 1e-3
    high = m.high if cap is None else min(m.high, cap)
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def plan(draw, horizon: int):
    values = {p: draw(bounded(p, CAPS.get(p))) for p in SCALAR_PATHS}
    values["finance.horizon_months"] = horizon
    market = draw(st.sampled_from([10.0, 300.0, 5e3, 1e5, 1e8]) | st.floats(1.0, 1e8))
    values["market.potential_customers"] = market
    values["market.initial_customers"] = draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)) * market
    values["funnel.sales_cycle_months"] = draw(st.sampled_from([0.0, 1.0, 2.5, 3.0]) | bounded("funnel.sales_cycle_months"))
    values["funnel.social_win_rate_uplift"] = draw(st.floats(0.0, 1.0)) * (
        1 / max(values["funnel.win_rate"], 0.5) - 1)
    values["viral_event.enabled"] = draw(st.booleans())
    values["viral_event.month"] = draw(st.integers(1, horizon))
    values["retention.downturn.start_month"] = draw(st.integers(1, horizon))
    values["retention.downturn.duration_months"] = draw(st.integers(0, horizon))
    for ch in ("tv", "social_ads"):
        values[f"channels.{ch}.spend_before_plan"] = draw(st.sampled_from([0.0]) | st.floats(0.0, 1e7))
        values[f"channels.{ch}.carryover"] = draw(st.sampled_from([0.0, 0.95]) | bounded("channels.tv.carryover"))
        values[f"channels.{ch}.max_leads_monthly"] = draw(st.floats(0.0, 1e5))
        values[f"channels.{ch}.half_saturation"] = draw(st.floats(1.0, 1e7))
        values[f"channels.{ch}.shape"] = draw(st.sampled_from([1.0]) | bounded("channels.tv.shape"))
        spend = draw(st.sampled_from(["constant", "linear"]))
        if spend == "constant":
            values[f"channels.{ch}.spend.amount"] = draw(st.floats(0.0, 1e7))
        else:
            values[f"channels.{ch}.spend"] = {
                "kind": "linear", "start": draw(st.floats(0.0, 1e7)), "end": draw(st.floats(0.0, 1e7)),
                "ramp_months": draw(st.integers(1, horizon))}
    nested = nest({k: v for k, v in values.items() if not k.endswith(".spend")})
    for ch in ("tv", "social_ads"):
        if f"channels.{ch}.spend" in values:
            nested["channels"][ch]["spend"] = values[f"channels.{ch}.spend"]
    return neutral_plan(nested)


batches = st.integers(12, 240).flatmap(lambda h: st.lists(plan(h), min_size=1, max_size=6))


def compare(batch: ParamBatch, label: str) -> None:
    old, new = legacy.simulate(batch), simulate(batch)
    COUNT["batches"] += 1
    COUNT["rows"] += batch.n
    for f in dataclasses.fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if not isinstance(a, np.ndarray):
            assert a == b, (label, f.name)
            continue
        assert a.shape == b.shape, (label, f.name, a.shape, b.shape)
        COUNT["arrays"] += 1
        COUNT["values"] += a.size
        scale = np.abs(a).reshape(a.shape[0], -1).max(axis=1).reshape((-1,) + (1,) * (a.ndim - 1))
        err = np.abs(b - a)
        bound = RTOL * np.abs(a) + np.maximum(FLOOR * scale, TINY)
        same = (a == b) | (err <= bound)
        if not same.all():
            k = np.unravel_index(np.argmax(~same), a.shape)
            raise AssertionError(f"{label}: {f.name}{k} old {a[k]!r} new {b[k]!r}")
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(err > 0, err / np.maximum(np.abs(a), np.maximum(FLOOR * scale, TINY) / RTOL), 0.0)
        worst = float(np.nanmax(rel)) if rel.size else 0.0
        if worst > WORST["rel"]:
            WORST.update(rel=worst, where=f"{label}: {f.name}")


def shipped() -> None:
    for name in ("b2b_it_services", "consumer_brand", "small_fast_mover"):
        sf = rm.load_shipped(name)
        compare(ParamBatch.from_assumptions([sf.scenario(s) for s in sf.scenario_names]), name)


def generated(examples: int) -> None:
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(batches)
    def check(plans):
        compare(ParamBatch.from_assumptions(plans), "generated")

    check()


def _times(fn, repeat: int) -> list[tuple[float, float]]:
    """(wall, CPU of the process) seconds of each of ``repeat`` calls."""
    import resource

    out = []
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        out.append((t1 - t0, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime))
    return out


def _line(label, old, new, unit, scale):
    w_old, w_new = [a for a, _ in old], [a for a, _ in new]
    c_old, c_new = [b for _, b in old], [b for _, b in new]
    print(f"{label}: old wall min {scale * min(w_old):.3f} median {scale * statistics.median(w_old):.3f} {unit} "
          f"(CPU median {scale * statistics.median(c_old):.3f}); new wall min {scale * min(w_new):.3f} "
          f"median {scale * statistics.median(w_new):.3f} {unit} (CPU median {scale * statistics.median(c_new):.3f}); "
          f"old/new: mins {min(w_old) / min(w_new):.2f}, medians {statistics.median(w_old) / statistics.median(w_new):.2f}",
          flush=True)


def speed(repeat: int, n: int) -> None:
    sf = rm.load_shipped("b2b_it_services")
    batch = ParamBatch.from_assumptions([sf.scenario(s) for s in sf.scenario_names])
    legacy.simulate(batch), simulate(batch)
    old, new = [], []
    for _ in range(repeat):  # interleaved: both see the same machine load
        old += _times(lambda: legacy.simulate(batch), 20)
        new += _times(lambda: simulate(batch), 20)
    _line("simulate 4 plans x 60 months", old, new, "ms", 1e3)
    plan_b, base = bench.sampled_batch(n)
    for workers in (2, 1):
        legacy.run_batch(plan_b, base, workers=workers), run_batch(plan_b, base, workers=workers)
        old, new = [], []
        for _ in range(max(3, repeat // 2)):
            old += _times(lambda: legacy.run_batch(plan_b, base, workers=workers), 1)
            new += _times(lambda: run_batch(plan_b, base, workers=workers), 1)
        _line(f"run_batch {n:,} x 60 months with KPIs, {workers} thread(s)", old, new, "s", 1.0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args(argv)
    shipped()
    generated(args.examples)
    print(f"compared {COUNT['batches']} batches ({COUNT['rows']} rows), {COUNT['arrays']} arrays, "
          f"{COUNT['values']:,} values: all within {RTOL:g} relative (floor {FLOOR:g} x the "
          f"series' largest value, at least {TINY:g}); worst (relative to the tolerance's scale) {WORST['rel']:.2e} ({WORST['where']})")
    if not args.no_speed:
        speed(args.repeat, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
