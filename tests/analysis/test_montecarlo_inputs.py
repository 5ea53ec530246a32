"""The Monte Carlo inputs of a scenario file: correlations, random viral events, the downturn.

Expected: a matrix that is not a valid correlation matrix is refused naming the pair that
breaks it (never repaired); keys must be uncertain fields; the severity and downturn
fields are validated; the deterministic run shows the expected path of random events,
rate x mean severity each month (Wald's identity).
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import roi_models as rm
from roi_models.assumptions import scenario_file_from_dict
from roi_models.data import scenario_path
from roi_models.engine import ParamBatch
from roi_models.errors import InputError


def _raw(name: str = "b2b_it_services") -> dict:
    return yaml.safe_load(scenario_path(name).read_text())


def _with(correlations: list) -> dict:
    raw = _raw()
    raw["correlations"] = correlations
    return raw


def test_a_valid_matrix_loads_and_round_trips():
    raw = _with([{"fields": ["market.bass_q_annual", "social.word_of_mouth_lift"], "rank": 0.5}])
    sf = scenario_file_from_dict(raw)
    assert sf.correlations[0].fields == ("market.bass_q_annual", "social.word_of_mouth_lift")
    again = rm.assumptions.parse_scenario_text(rm.assumptions.dump_scenario_yaml(sf))
    assert again.correlations == sf.correlations


def test_a_matrix_that_is_not_positive_definite_is_refused_naming_the_pair():
    # a ~ b 0.6, a ~ c 0.6 (valid so far: smallest eigenvalue 1 - 0.6 sqrt(2) = 0.15), then
    # b ~ c -0.6: b and c cannot both follow a and oppose each other (determinant 0.64 -
    # 2 x 0.576 = -0.512 < 0): refused at the third pair
    a, b, c = "market.bass_q_annual", "social.word_of_mouth_lift", "social.churn_reduction"
    raw = _with([{"fields": [a, b], "rank": 0.6}, {"fields": [a, c], "rank": 0.6},
                 {"fields": [b, c], "rank": -0.6}])
    with pytest.raises(InputError) as err:
        scenario_file_from_dict(raw, "case.yaml")
    text = str(err.value)
    assert "correlations[2].rank = -0.6" in text
    assert "not a valid correlation matrix" in text and b in text and c in text


@pytest.mark.parametrize("pairs, where, message", [
    ([{"fields": ["market.bass_q_annual", "market.bass_p_annual"], "rank": 0.3}],
     "correlations[0].fields[1]", "a key of the uncertainty section"),
    ([{"fields": ["market.bass_q_annual", "market.bass_q_annual"], "rank": 0.3}],
     "correlations[0].fields", "two different fields"),
    ([{"fields": ["market.bass_q_annual", "social.churn_reduction"], "rank": 0.3},
      {"fields": ["social.churn_reduction", "market.bass_q_annual"], "rank": 0.2}],
     "correlations[1].fields", "each pair once"),
    ([{"fields": ["market.bass_q_annual", "social.churn_reduction"], "rank": 1.5}],
     "correlations.0.rank", "less than or equal to 1"),
])
def test_bad_pairs_are_refused(pairs, where, message):
    with pytest.raises(InputError) as err:
        scenario_file_from_dict(_with(pairs), "case.yaml")
    assert where in str(err.value) and message in str(err.value)


def test_severity_and_downturn_fields_are_validated():
    raw = _raw()
    raw["base"]["viral_event"]["severity"] = {"distribution": "uniform", "low": 0.5, "high": 9}
    with pytest.raises(InputError, match=r"viral_event\.severity.*within \[0, 5\]"):
        scenario_file_from_dict(raw)
    raw = _raw()
    raw["base"]["retention"]["downturn"]["start_month_latest"] = 3
    with pytest.raises(InputError, match=r"start_month_latest.*before start_month"):
        scenario_file_from_dict(raw)
    raw = _raw()
    raw["base"]["retention"]["downturn"]["probability"] = 1.2
    with pytest.raises(InputError, match=r"downturn\.probability"):
        scenario_file_from_dict(raw)


def test_the_run_shows_the_expected_path_of_random_events():
    sf = rm.load_shipped("consumer_brand")
    batch = ParamBatch.from_assumptions([sf.scenario(n) for n in sf.scenario_names])
    ev = sf.base.viral_event
    # Expected: 0.028 events a month x the truncated lognormal's mean severity in every
    # month 1..60, nothing in month 0
    mean = ev.severity.expected_value()
    assert 0.9 < mean < 1.0  # the cut at 3 removes more of the mean than the cut at 0.2
    assert batch.viral_onsets.shape == (61, batch.n)
    np.testing.assert_allclose(batch.viral_onsets[1:], 0.028 * mean)
    assert not batch.viral_onsets[0].any()
    # a new rate through with_values gives the expected path of that rate
    doubled = batch.with_values({"viral_event.rate_per_month": 0.056})
    np.testing.assert_allclose(doubled.viral_onsets[1:], 0.056 * mean)


def test_the_expected_path_is_the_mean_of_the_draws():
    # The events enter the kernel linearly in the onsets only through the impact level, so
    # the mean NPV over draws is not the NPV of the mean path; but the mean onsets are:
    # 0.028 x mean severity a month, within 3 standard errors over 4,096 draws x 60 months.
    from roi_models.analysis.montecarlo import problem, sample

    res = rm.run_scenarios(rm.load_shipped("consumer_brand"))
    _, events = sample(problem(res), 1, 0, 4, 4096)
    sev = res.file.base.viral_event.severity
    mean = 0.028 * sev.expected_value()
    per_month = events.onsets[1:]
    se = np.sqrt(0.028 * (1.0 + 0.6 ** 2) / per_month.size)  # rate x E[S^2], roughly
    assert abs(per_month.mean() - mean) < 3 * se
