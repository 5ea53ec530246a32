"""The shipped data in ``data/``: scenario files load, every value states its source, the
stories run to finite figures, and the benchmark files match their published values.

Expected figures come from the files themselves (a value must have a source), from the
schema (customers never exceed market potential) and from closed forms stated next to each
assertion (the Gupta & Lehmann margin multiple r / (1 + i - r)).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np
import pytest

import roi_models
from roi_models.assumptions import field_meta
from roi_models.data import data_dir, load_benchmarks

SCENARIO_FILES = sorted((data_dir() / "scenarios").glob("*.yaml"))
BENCHMARKS = ("bass_diffusion", "carryover", "clv_multiples")
REQUIRED_SCENARIOS = ("status_quo", "traditional", "social", "blended")
REPO = Path(__file__).resolve().parents[1]
BENCHMARK_FILES = sorted((data_dir() / "benchmarks").glob("*.yaml"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


@pytest.fixture(scope="module", params=SCENARIO_FILES, ids=_ids(SCENARIO_FILES))
def scenario_file(request) -> roi_models.ScenarioFile:
    return roi_models.load_scenario_file(request.param)


@pytest.fixture(scope="module")
def results(scenario_file) -> roi_models.ScenarioResults:
    return roi_models.run_scenarios(scenario_file)


def _numeric_leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Dotted paths of the numbers in a model dump; a list (explicit spend) is one leaf."""
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            yield from _numeric_leaves(value, path)
        elif isinstance(value, (list, tuple)):
            yield path, value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield path, value


# ------------------------------------------------------------------------------- (a) loading
def test_the_three_scenario_files_are_shipped():
    # Expected: exactly the three documented files (data/README.md).
    assert _ids(SCENARIO_FILES) == ["b2b_it_services", "consumer_brand", "small_fast_mover"]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=_ids(SCENARIO_FILES))
def test_every_scenario_file_loads(path):
    sf = roi_models.load_scenario_file(path)  # raises InputError on any invalid field
    # Expected: a description and a currency code are set (not the defaults "" and "USD"
    # left silently in place).
    assert sf.description.strip(), f"{path.name}: description is empty"
    assert sf.currency in ("EUR", "USD", "GBP", "CHF"), f"{path.name}: currency {sf.currency!r}"


# ----------------------------------------------------------------- (b) every value has a source
@pytest.mark.parametrize(
    "path",
    SCENARIO_FILES,
    ids=_ids(SCENARIO_FILES),
)
def test_every_numeric_base_value_states_its_source(path):
    sf = roi_models.load_scenario_file(path)
    register = sf.register_for("status_quo")
    leaves = list(_numeric_leaves(sf.base.model_dump()))
    # Expected: the walk sees the channel fields and spend amounts too (a channel has at least
    # carryover, max_leads_monthly, half_saturation, shape, spend_before_plan and its spend).
    assert any(p.endswith(".spend.amount") for p, _ in leaves)
    assert sum(p.startswith("channels.") for p, _ in leaves) >= 6 * len(sf.base.channels)
    missing = []
    for leaf, _ in leaves:
        entry = register.get(leaf)
        if entry is None and leaf.endswith(".spend.amounts"):
            entry = register.get(leaf.rsplit(".", 1)[0])  # an explicit list annotated as a whole
        if entry is None or not (entry.source or "").strip():
            missing.append(leaf)
    # Expected: no numeric value of base without a non-empty source.
    assert missing == [], f"{path.name}: no source for {missing}"


@pytest.mark.parametrize("name", ["b2b_it_services", "consumer_brand", "small_fast_mover"])
def test_every_base_value_states_its_confidence(name):
    sf = roi_models.load_shipped(name)
    register = sf.register_for("status_quo")
    unrated = [p for p, _ in _numeric_leaves(sf.base.model_dump())
               if register[p].confidence is None]
    # Expected: every numeric value of base is rated low, medium or high.
    assert unrated == []


# ------------------------------------------------------------ (b2) every source is fit for a board
# The rule a source (or note) of a shipped value must meet, stated once:
#
# - not empty, and not a bare label or placeholder ("Rationale", "Stress", "Plan",
#   "no source given", "TBD"...): what follows a leading "Rationale:", "Stress:" or "Plan:"
#   label is the text that counts;
# - at least MIN_WORDS words (a full-sentence rationale), or at least MIN_CITED_WORDS words
#   that include a citation: a capitalised author or document name followed by a year
#   19xx/20xx ("Luo (2009)", "Sultan, Farley & Lehmann (1990)");
# - every file it names exists in this repository: any token with a file extension
#   (*.md, *.mdx, *.py, *.yaml, ...) or starting with a top-level folder of the repository
#   ("roi_models/...", "data/...") is looked up; "DOMAIN.md argument 1" and "features.mdx"
#   (files of other repositories) fail;
# - no doubled unit: no word or unit written twice in a row ("18 month months", "% %"),
#   and the field's label does not end with the unit the value is shown with
#   ("Start month: 25 month").
MIN_WORDS = 8
MIN_CITED_WORDS = 4
_LABEL = re.compile(
    r"^\s*(?:rationale|stress(?:\s+test)?|plan(?:\s+decision)?|plan\s*\([^)]*\))"
    r"(?:\s*,\s*not a published figure)?\s*(?::|\(|-|$)\s*", re.I)
_PLACEHOLDERS = {
    "", "rationale", "stress", "stress test", "plan", "no source", "no source given", "tbd",
    "todo", "n/a", "na", "unknown", "see above", "assumption", "estimate", "source", "-", "?",
}
_CITATION = re.compile(r"\b[A-Z][A-Za-z&'.-]+[^;:]{0,80}?\b(?:19|20)\d{2}\b")
_FILE_EXT = r"(?:mdx?|py|ipynb|ya?ml|json|csv|txt|toml|html?|xlsx|cfg|ini|rst|r)"
_FILE_TOKEN = re.compile(rf"(?<![\w/.-])[\w./-]*\w\.{_FILE_EXT}\b", re.I)
_DOUBLED_WORD = re.compile(r"\b(\w+)\s+\1\b|%\s*%|\b(month|year|week|day)s?\s+\2s?\b", re.I)


def _repo_files() -> set[str]:
    """Every file of the repository as a relative POSIX path (virtualenv and caches left out)."""
    skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "node_modules"}
    out: set[str] = set()
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in skip and not d.endswith(".egg-info")]
        for name in files:
            out.add((Path(root) / name).relative_to(REPO).as_posix())
    return out


REPO_FILES = _repo_files()
TOP_FOLDERS = sorted({f.split("/", 1)[0] for f in REPO_FILES if "/" in f})
_FOLDER_TOKEN = re.compile(rf"(?<![\w/.-])(?:{'|'.join(map(re.escape, TOP_FOLDERS))})/[\w./-]*\w")


def missing_files(text: str) -> list[str]:
    """The file names and paths in ``text`` that are not files of this repository.

    >>> missing_files("see DOMAIN.md argument 6 and data/README.md")
    ['DOMAIN.md']
    """
    tokens = {*_FILE_TOKEN.findall(text), *_FOLDER_TOKEN.findall(text)}
    names = {f.rsplit("/", 1)[-1] for f in REPO_FILES}
    found = [t for t in tokens if t.rstrip("./") in REPO_FILES
             or ("/" not in t and t in names) or (REPO / t).is_dir()]
    return sorted(tokens - set(found))


def source_problem(text: Any) -> str | None:
    """Why ``text`` is not a source fit for a board, or None when it is.

    >>> source_problem("Rationale"), source_problem("Stress")
    ('a bare label or placeholder', 'a bare label or placeholder')
    >>> source_problem("Luo (2009): negative word of mouth wears out over months") is None
    True
    >>> source_problem("Rationale (DOMAIN.md argument 6): a large firm validates first")
    'names files that are not in this repository: DOMAIN.md'
    """
    if not isinstance(text, str) or not text.strip():
        return "empty"
    body = _LABEL.sub("", text, count=1).strip()
    bare = {text.strip().lower().rstrip(".:"), body.lower().rstrip(".:")}
    if bare & _PLACEHOLDERS:
        return "a bare label or placeholder"
    absent = missing_files(text)
    if absent:
        return "names files that are not in this repository: " + ", ".join(absent)
    doubled = _DOUBLED_WORD.search(text)
    if doubled:
        return f"repeats a word or unit: {doubled.group(0)!r}"
    words = len(body.split())
    cited = _CITATION.search(text) is not None
    if words < MIN_WORDS and not (cited and words >= MIN_CITED_WORDS):
        return (f"too short ({words} words) without a citation: state what the value is, why "
                "this number and what would change it, or cite the published work")
    return None


def _register_texts(path: Path) -> Iterator[tuple[str, str, Any]]:
    """(section.field, key, text) of every source and note in a scenario file's register."""
    sf = roi_models.load_scenario_file(path)
    for section, entries in sf.assumption_register.items():
        for field, entry in entries.items():
            yield f"{section}.{field}", "source", entry.source
            if entry.note is not None:
                yield f"{section}.{field}", "note", entry.note


def _benchmark_texts(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(node, Mapping):
        for key in ("source", "note"):
            if key in node:
                yield path or "(top)", key, node[key]
        for k, v in node.items():
            yield from _benchmark_texts(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _benchmark_texts(v, f"{path}[{i}]")


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=_ids(SCENARIO_FILES))
def test_every_register_source_is_fit_for_a_board(path):
    bad = [f"{where}.{key}: {problem} -- {text!r}" for where, key, text in _register_texts(path)
           if key == "source" or text is not None
           for problem in [source_problem(text)] if problem]
    # Expected: no empty, bare-word, too-short or dangling source or note (the rule above).
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_every_benchmark_source_is_fit_for_a_board(name):
    texts = list(_benchmark_texts(load_benchmarks(name)))
    # Expected: the top-level source and one per entry at least.
    assert len(texts) >= 3
    bad = [f"{where}.{key}: {problem} -- {text!r}" for where, key, text in texts
           for problem in [source_problem(text)] if problem]
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("path", SCENARIO_FILES + BENCHMARK_FILES,
                         ids=_ids(SCENARIO_FILES + BENCHMARK_FILES))
def test_no_shipped_file_names_a_file_outside_the_repository(path):
    # Comments and descriptions included: the whole text, not only the parsed sources.
    assert missing_files(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=_ids(SCENARIO_FILES))
def test_every_scenario_override_states_its_source(path):
    sf = roi_models.load_scenario_file(path)
    missing = []
    for name, override in sf.scenarios.items():
        own = sf.assumption_register.get(f"scenarios.{name}", {})
        for leaf, _ in _numeric_leaves(override):
            if source_problem(getattr(own.get(leaf), "source", None)):
                missing.append(f"{name}: {leaf}")
    # Expected: every number a plan changes says why (a plan decision or a rationale).
    assert missing == []


def test_no_label_repeats_its_unit():
    """'Start month: 25 month' reads the unit twice: labels of shipped fields do not end in it.

    Time units only: 'Maximum leads: 400 leads/month' names what is counted, not a unit twice.
    """
    doubled = []
    for path in SCENARIO_FILES:
        sf = roi_models.load_scenario_file(path)
        for section in sf.assumption_register.values():
            for field in section:
                try:
                    meta = field_meta(field)
                except KeyError:
                    continue
                last = meta.label.lower().split()[-1].rstrip("s")
                unit = re.split(r"[/ ]", meta.unit.lower())[0].rstrip("s")
                if last == unit and unit in ("month", "year", "week", "day"):
                    doubled.append(f"{field}: '{meta.label}' in {meta.unit}")
    # Expected: none (downturn start, viral event start, downturn length, spend ramp).
    assert sorted(set(doubled)) == []


@pytest.mark.parametrize("text, problem", [
    ("", "empty"), ("Rationale", "a bare label or placeholder"),
    ("Stress", "a bare label or placeholder"), ("no source given", "a bare label or placeholder"),
    ("Rationale:", "a bare label or placeholder"),
    ("Rationale: current budget", "too short"),
    ("Robyn rules of thumb (Meta, features.mdx): TV 0.3-0.8", "names files"),
    ("Rationale (DOMAIN.md argument 1): prospects need fewer touches as they research",
     "names files"),
    ("Rationale: the plan lasts 18 month months, as the board asked in its last meeting",
     "repeats"),
])
def test_the_source_rule_refuses_what_the_issue_saw(text, problem):
    # Expected: each sample from issue 9 is refused for its own reason.
    assert (source_problem(text) or "").startswith(problem)


@pytest.mark.parametrize("text", [
    "Luo (2009): negative word of mouth wears out over months",
    "Rationale: the current trade-show and seminar budget, averaged over the year",
    "Plan: the extra EUR 60,000 a month all goes to events",
    "see data/README.md and roi_models/assumptions/schema.py for the annotation format",
])
def test_the_source_rule_accepts_citations_and_full_sentences(text):
    assert source_problem(text) is None


# --------------------------------------------------------------------- (c) the four scenarios
def test_each_file_has_the_four_scenarios(scenario_file):
    # Expected: status_quo, traditional, social and blended in every file.
    missing = [n for n in REQUIRED_SCENARIOS if n not in scenario_file.scenario_names]
    assert missing == []


def test_status_quo_is_the_base_plan(scenario_file):
    # Expected: the status quo is the current plan, i.e. base unchanged ({}).
    assert scenario_file.scenarios["status_quo"] == {}
    assert scenario_file.scenario("status_quo") == scenario_file.base


def test_the_uncertainty_section_brackets_the_base_values(scenario_file):
    from roi_models.assumptions.merge import get_path

    base = scenario_file.base.model_dump()
    # Expected: 6-12 uncertain inputs per file (9-11 since issue 11 added the community
    # participation cap to each).
    assert 6 <= len(scenario_file.uncertainty) <= 12
    for path, spec in scenario_file.uncertainty.items():
        value = get_path(base, path)
        # Expected: the base value lies inside its own range [low, high].
        assert spec.low <= value <= spec.high, f"{path}: {value} outside [{spec.low}, {spec.high}]"


# ------------------------------------------------------------------- (d) finite, bounded runs
def test_the_key_figures_are_finite(results):
    m, c = results.metrics, results.case
    for name, values in {"npv": c.npv, "cac": m.cac, "clv": m.clv,
                         "churn_monthly_avg": m.churn_monthly_avg}.items():
        # Expected: a finite number for every scenario (no NaN, no inf).
        assert np.all(np.isfinite(values)), f"{name}: {values}"
    # Expected: the status quo is its own baseline, so its incremental NPV is 0.
    assert c.npv[0] == 0.0


def test_customers_never_exceed_market_potential(results):
    sim, sf = results.sim, results.file
    for i, name in enumerate(results.names):
        market = sf.scenario(name).market
        # Expected: active customers <= potential M in every month (the engine's capacity rule).
        assert np.all(sim.active_customers[i] <= market.potential_customers), name
        # Expected: everyone ever acquired (initial + all new customers) <= M as well.
        ever = market.initial_customers + sim.new_customers[i, 1:].sum()
        assert ever <= market.potential_customers * (1 + 1e-12), name


@pytest.mark.parametrize("name", ["consumer_brand", "small_fast_mover"])
def test_the_stories_have_believable_magnitudes(name):
    res = roi_models.run_scenarios(roi_models.load_shipped(name))
    s = res.summary.set_index("scenario")
    sf = res.file
    # Expected: customers stay well below the market (under half of M after the horizon;
    # about 5 % in both files).
    assert (s["customers_end"] < 0.5 * sf.base.market.potential_customers).all()
    # Expected: average monthly churn between 1 % and 10 % (consumer about 5.6 %,
    # start-up about 2.6 %).
    assert s["churn_monthly_avg"].between(0.01, 0.10).all()
    # Expected: cost of sales a small share of revenue (about 3 % and 5 %), below 15 %.
    assert (s["cost_of_sales_share"] < 0.15).all()
    # Expected: CLV / CAC (paid) between 1 and 10 for the status quo (consumer about 1.1,
    # B2B 2.4, start-up 1.4): a business that pays for its customers, not a rigged one; a plan
    # may buy customers dearer than they are worth (the consumer's extra TV: 0.96), not by
    # a factor of two.
    assert 1.0 <= s.loc["status_quo", "clv_to_cac"] <= 10.0
    assert s["clv_to_cac"].between(0.5, 10.0).all()
    # Expected: not every plan wins; at least one loses money against the status quo
    # (the traditional plan: about -4.3 million EUR and -0.12 million EUR).
    assert (s["npv"].drop("status_quo") < 0).any()


def test_consumer_and_startup_cac_clv_scale():
    cb = roi_models.run_scenarios(roi_models.load_shipped("consumer_brand")).summary
    sm = roi_models.run_scenarios(roi_models.load_shipped("small_fast_mover")).summary
    # Expected: consumer CAC and CLV in the tens to hundreds of EUR (about 87 and 160),
    # start-up CLV in the thousands (about 2,300).
    assert cb["cac"].between(20, 300).all() and cb["clv"].between(50, 500).all()
    assert sm["clv"].between(1000, 10000).all()


# ------------------------------------------------------------------------- (e) benchmarks
def _entries_without_source(node: Any, path: str = "") -> list[str]:
    """Paths of mappings that hold a number directly but no non-empty 'source'."""
    out: list[str] = []
    if isinstance(node, Mapping):
        holds_number = any(isinstance(v, (int, float)) and not isinstance(v, bool)
                           for v in node.values())
        source = node.get("source")
        if holds_number and not (isinstance(source, str) and source.strip()):
            out.append(path or "(top)")
        for k, v in node.items():
            out += _entries_without_source(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _entries_without_source(v, f"{path}[{i}]")
    return out


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_file_loads_and_every_entry_has_a_source(name):
    data = load_benchmarks(name)
    # Expected: a mapping with a description and a top-level source.
    assert isinstance(data, dict) and data["description"].strip() and data["source"].strip()
    # Expected: every entry holding a number names its source.
    assert _entries_without_source(data) == []


def test_bass_averages_start_with_sultan_farley_lehmann():
    data = load_benchmarks("bass_diffusion")
    first = data["averages"][0]
    # Expected: p = 0.03, q = 0.38 per year (Sultan, Farley & Lehmann 1990).
    assert (first["p"], first["q"], first["per"]) == (0.03, 0.38, "year")
    assert "Sultan" in first["source"]
    # Expected: every category analogue has 0 < p < q (imitation dominates in all seven).
    assert len(data["categories"]) == 7
    assert all(0 < c["p"] < c["q"] for c in data["categories"])


def test_carryover_ranges_are_robyns():
    data = load_benchmarks("carryover")
    ranges = {c["channel_type"]: (c["low"], c["high"]) for c in data["channel_types"]}
    # Expected (Robyn): TV 0.3-0.8; out-of-home, print, radio 0.1-0.4; digital 0.0-0.3.
    assert ranges == {"tv": (0.3, 0.8), "out_of_home_print_radio": (0.1, 0.4),
                      "digital": (0.0, 0.3)}
    # Expected (Robyn): Hill alpha 0.5-3, gamma 0.3-1.
    assert (data["hill"]["shape"]["low"], data["hill"]["shape"]["high"]) == (0.5, 3.0)
    assert (data["hill"]["half_saturation"]["low"],
            data["hill"]["half_saturation"]["high"]) == (0.3, 1.0)


def test_clv_multiples_equal_the_gupta_lehmann_formula():
    data = load_benchmarks("clv_multiples")
    rows = data["multiples"]
    # Expected: the full grid, 8 retentions (0.60..0.95) x 4 discount rates = 32 rows.
    assert len(rows) == 32
    assert sorted({r["discount_rate"] for r in rows}) == [0.08, 0.10, 0.12, 0.15]
    assert sorted({r["retention"] for r in rows}) == [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
    for row in rows:
        r, i = row["retention"], row["discount_rate"]
        # Margin multiple (Gupta & Lehmann 2003): r / (1 + i - r), rounded to 4 decimals.
        expected = r / (1 + i - r)
        assert math.isclose(row["margin_multiple"], expected, abs_tol=5e-5), (r, i)
    check = {(r["retention"], r["discount_rate"]): r["margin_multiple"] for r in rows}
    # Expected: 0.8 / (1 + 0.10 - 0.8) = 2.6667, the published 2.67 to 2 decimals.
    assert round(check[(0.8, 0.10)], 2) == 2.67
    assert data["published_check"][0]["margin_multiple"] == 2.67


def test_carryover_monthly_ranges_convert_robyns_weekly_ones():
    rows = load_benchmarks("carryover")["channel_types"]
    for row in rows:
        # Expected: Robyn's ranges are per week; per month lambda_week ^ (52/12) (REFERENCES:
        # TV 0.3-0.8 a week is 0.005-0.38 a month), rounded to 6 decimals.
        assert row["per"] == "week"
        assert math.isclose(row["low_monthly"], row["low"] ** (52 / 12), abs_tol=5e-7)
        assert math.isclose(row["high_monthly"], row["high"] ** (52 / 12), abs_tol=5e-7)
    tv = next(r for r in rows if r["channel_type"] == "tv")
    assert (round(tv["low_monthly"], 3), round(tv["high_monthly"], 2)) == (0.005, 0.38)


CHANNEL_TYPES = {"tv": "tv", "print_radio": "out_of_home_print_radio",
                 "events": "out_of_home_print_radio", "outbound": "digital",
                 "paid_social": "digital", "influencer": "digital", "linkedin": "digital"}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=_ids(SCENARIO_FILES))
def test_shipped_carryovers_are_compared_with_robyn_per_month(path):
    """A monthly carry-over is never justified by Robyn's weekly range as if it were monthly."""
    ranges = {c["channel_type"]: (c["low_monthly"], c["high_monthly"])
              for c in load_benchmarks("carryover")["channel_types"]}
    sf = roi_models.load_scenario_file(path)
    register = sf.register_for("status_quo")
    assert set(sf.base.channels) <= set(CHANNEL_TYPES)
    for name, channel in sf.base.channels.items():
        entry = register[f"channels.{name}.carryover"]
        low, high = ranges[CHANNEL_TYPES[name]]
        if "Robyn" in entry.source:
            # Expected: a source that cites Robyn states the weekly range and its monthly form.
            assert "per week" in entry.source and "per month" in entry.source, name
        if not low <= channel.carryover <= high:
            # Expected: a value outside Robyn's monthly range is our own rationale, says so,
            # and is rated low (issue 11 converted every shipped channel from Robyn's weekly
            # range, so none is outside today: 0-0.21 a month against at most 0.38 for TV and
            # 0.019 for print and radio).
            assert entry.source.startswith("Rationale, not a published figure"), name
            assert entry.confidence == "low", name


# ----------------------------------------------------------------- (f) the consumer brand's risk
def test_consumer_brand_states_its_viral_events_as_a_rate_in_every_scenario():
    sf = roi_models.load_shipped("consumer_brand")
    # Expected: a chance, not a certainty (issue 13): about one story every three years
    # (0.028 a month) in base, hence in every scenario, the status quo included; the
    # deterministic event stays off (the stress test switches it on).
    assert sf.base.viral_event.enabled is False
    assert all(sf.scenario(n).viral_event.rate_per_month == 0.028 for n in sf.scenario_names)
    assert sf.base.viral_event.severity is not None
    # Expected: the social plan listens and answers better (0.8) than today (0.2).
    assert (sf.scenario("social").programme.response_capability
            > sf.scenario("status_quo").programme.response_capability)


def test_consumer_brand_social_plans_are_social_and_the_reallocation_budget_neutral():
    sf = roi_models.load_shipped("consumer_brand")
    kinds = {n: c.kind for n, c in sf.base.channels.items()}
    # Expected: TV and print/radio traditional, paid social and influencer social.
    assert kinds == {"tv": "traditional", "print_radio": "traditional",
                     "paid_social": "social", "influencer": "social"}

    def monthly_budget(name: str) -> float:
        plan = sf.scenario(name)
        spend = sum(c.spend.amount for c in plan.channels.values())
        return spend + plan.programme.ongoing_monthly

    # Expected: moving 100,000 EUR out of TV into paid social (60,000), creators (15,000) and
    # the programme (25,000) leaves the monthly budget at 580,000 EUR.
    assert monthly_budget("social_reallocation") == monthly_budget("status_quo") == 580_000


def test_small_fast_mover_is_small_and_fast():
    org = roi_models.load_shipped("small_fast_mover").base.organisation
    # Expected: profile small, ramp-up 1-3 months (2), implementation multiplier below 1 (0.6).
    assert org.profile == "small"
    assert 1 <= org.ramp_up_months <= 3
    assert org.implementation_cost_multiplier < 1
