"""Benchmarks of the sensitivity analyses (issue 12's speed targets). Prints median times.

Targets on a 2-core machine: a tornado of 20 fields for the 4 plans of the B2B
file under 20 ms (one tornado per plan against the status quo), a spider of 20
fields x 13 points under 100 ms, goal seek under 50 ms, a 41 x 41 data table
under 1 s. The B2B file has 8 uncertain fields; the benchmark adds 12 more
(+-20 % of today's value, within the bounds) so that 20 fields move.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import roi_models as rm
from roi_models.analysis import sensitivity as sens
from roi_models.assumptions import scenario_file_from_dict, scenario_file_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _median_ms, print_figures

EXTRA = (
    "market.bass_p_annual", "market.potential_customers", "economics.gross_margin",
    "funnel.lead_to_opportunity", "funnel.win_rate", "funnel.cost_per_opportunity",
    "social.support_deflection", "social.referral_lift", "support.cost_per_contact",
    "retention.churn_monthly.traditional", "retention.churn_monthly.social",
    "channels.events.max_leads_monthly",
)


def twenty_field_results() -> rm.ScenarioResults:
    """The B2B file with 20 uncertain fields."""
    sf = rm.load_shipped("b2b_it_services")
    raw = copy.deepcopy(scenario_file_to_dict(sf))
    res = rm.run_scenarios(sf)
    for key in EXTRA:
        f = sens.field(res, key)
        today = sens._value_in(sens.Evaluator(res, sens.ask(res, "social")), f)
        lo, hi = f.clip(sens.np.array([0.8 * today, 1.2 * today]))
        raw["uncertainty"][key] = {"distribution": "uniform", "low": float(lo), "high": float(hi)}
    out = rm.run_scenarios(scenario_file_from_dict(raw, "benchmark"))
    assert len(out.file.uncertainty) == 20
    return out


TARGETS = {
    "tornado, 20 fields, each of the 4 plans [ms]": 20.0,
    "spider, 20 fields x 13 points [ms]": 100.0,
    "goal seek, revenue per customer for NPV = 0 [ms]": 50.0,
    "data table 41 x 41 [ms]": 1000.0,
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    res = twenty_field_results()
    plans = list(res.names)

    def tornadoes():
        for plan in plans[1:]:
            sens.tornado(res, plan=plan)
        sens.tornado(res, plan=plans[1], against=plans[2])  # a plan against a plan

    figures = {
        "tornado, 20 fields, one plan [ms]": _median_ms(
            lambda: sens.tornado(res, plan="social"), args.repeat),
        "tornado, 20 fields, each of the 4 plans [ms]": _median_ms(tornadoes, args.repeat),
        "spider, 20 fields x 13 points [ms]": _median_ms(
            lambda: sens.spider(res, plan="social"), args.repeat),
        "goal seek, revenue per customer for NPV = 0 [ms]": _median_ms(
            lambda: sens.goal_seek(res, "economics.revenue_per_customer_monthly", plan="social"),
            args.repeat),
        "decision margins, 20 fields x 2 rivals [ms]": _median_ms(
            lambda: sens.decision_margins(res, plan="social"), max(3, args.repeat // 4)),
        "data table 41 x 41 [ms]": _median_ms(
            lambda: sens.data_table(res, "social.word_of_mouth_lift", "market.bass_q_annual",
                                    points=41, plan="social"), max(3, args.repeat // 4)),
    }
    print_figures(figures, TARGETS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
