"""The rendered HTML report: content, escaping, determinism, discounting convention, size."""

from __future__ import annotations

import datetime
import html as html_lib
import re
from html.parser import HTMLParser

import pytest

import roi_models as rm
from roi_models.assumptions import parse_scenario_text
from roi_models.data import scenario_path
from roi_models.errors import InputError
from roi_models.formatting import money
from roi_models.report import ReportOptions, render_report, write_report

MAX_BYTES = 6 * 1024 * 1024


class _Collect(HTMLParser):
    """Elements with their attributes and text (enough to read data-* cells back)."""

    def __init__(self):
        super().__init__()
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, **{k: (v or "") for k, v in attrs}, "_text": ""}
        for k in ("src", "href"):
            if el.get(k):
                self.srcs.append(el[k])
        self.elements.append(el)
        if tag not in ("meta", "br", "link", "img", "input"):
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            el = self.stack.pop()
            if el["tag"] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el["_text"] += data


def parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


def test_size_below_target_and_plotly_inline_once(report_html):
    size = len(report_html.encode("utf-8"))
    print(f"report size: {size / 1e6:.2f} MB")
    assert size < MAX_BYTES
    assert report_html.count("<script src") == 0
    main = re.findall(r'<div id="(chart-[a-z-]+)" class="plotly-graph-div"', report_html)
    assert len(main) == 9  # the seven charts, the tornado and the decision margins
    prints = re.findall(r'<div id="(print-[a-z]+-\d+)" class="plotly-graph-div"', report_html)
    # for paper: the other plans of the three menus and the what-if without its slider
    assert len(prints) == 2 + 2 + 3 + 1
    assert report_html.count("Plotly.newPlot(") == len(main) + len(prints)
    # plotly.js is inlined once: its licence banner appears once
    assert len(re.findall(r"plotly\.js v\d", report_html)) == 1


def test_no_external_resources(report_html):
    p = parse(report_html)
    assert all(s.startswith("#") for s in p.srcs), p.srcs  # only in-page links
    assert "<link" not in report_html
    assert "@import" not in report_html and "fonts.googleapis" not in report_html


def test_no_nan_shown(report_html):
    text = re.sub(r"<script.*?</script>", "", report_html, flags=re.S)
    assert not re.search(r"\bnan\b", text, flags=re.I)
    assert "n/a (this is the baseline)" in text
    assert "n/a (does not pay back within 60 months)" in text  # the traditional plan


def test_kpi_attributes_equal_results(results, report_html):
    cells = [e for e in parse(report_html).elements if "data-kpi" in e]
    assert cells
    checked = 0
    for e in cells:
        expected = results.kpis(e["data-scenario"])[e["data-kpi"]]
        if e["data-value"] == "":
            assert expected is None or e["data-scenario"] == "status_quo"
        else:
            assert float(e["data-value"]) == expected
            checked += 1
    assert checked > 20


def test_recommendation_names_best_plan_without_a_probability(results, report_html):
    best = results.summary.iloc[1:].sort_values("npv").iloc[-1]["scenario"]
    rec = next(e for e in parse(report_html).elements if e.get("id") == "recommendation")
    assert rec["data-scenario"] == best
    assert f"adopt the plan \u201c{results.file.label(best)}\u201d" in rec["_text"]
    assert "Monte Carlo" in rec["_text"]
    assert "%" not in rec["_text"].split("Monte Carlo")[1]  # no invented probability


def test_annual_table_discounting_convention(results, report_html):
    """Present value = Initial + sum of Year n / (1 + i)^n, read from the rendered cells."""
    i = results.discount_rate
    by_key: dict = {}
    p = parse(report_html)
    current = None
    for e in p.elements:
        if e["tag"] == "table" and "tei" in e.get("class", ""):
            current = (e["data-scenario"], e["data-adjusted"])
        if e["tag"] == "tr" and "data-row" in e:
            row = e["data-row"]
        if e["tag"] == "td" and "data-col" in e and current:
            by_key.setdefault((*current, row), {})[e["data-col"]] = float(e["data-value"])
    assert len(by_key) == 3 * 2 * 3  # 3 plans x (plain, risk-adjusted) x 3 rows
    for (scenario, adjusted, row), cols in by_key.items():
        years = sorted((int(k.split()[1]), v) for k, v in cols.items() if k.startswith("Year "))
        pv = cols["Initial"] + sum(v / (1 + i) ** n for n, v in years)
        assert cols["Present value"] == pytest.approx(pv, rel=1e-12, abs=1e-6)
        assert cols["Total"] == pytest.approx(cols["Initial"] + sum(v for _, v in years))
    # risk adjustment: benefits x 0.9, costs x 1.05 (the default options)
    plain, adj = by_key[("social", "false", "benefits")], by_key[("social", "true", "benefits")]
    assert adj["Year 2"] == pytest.approx(0.9 * plain["Year 2"])
    plain, adj = by_key[("social", "false", "costs")], by_key[("social", "true", "costs")]
    assert adj["Initial"] == pytest.approx(1.05 * plain["Initial"])
    assert by_key[("social", "false", "costs")]["Initial"] == pytest.approx(
        -results.case.incremental_components["programme_cost"][results.index("social"), 0])


def _hostile_file():
    text = scenario_path("b2b_it_services").read_text(encoding="utf-8")
    text = text.replace("  blended:\n", "  \"<script>alert(1)</script>\":\n", 1)
    text = text.replace(
        'source: "Rationale: the illustrative count of active clients at the decision date; '
        'the client list in the billing system gives the real figure"',
        'source: "<b>CRM</b> & <img src=x onerror=alert(2)> export", note: "</td><td>x"',
    )
    text = text.replace("name: Northwind IT Services (illustrative B2B case)",
                        'name: "Evil <i>Corp</i> & Co"')
    return parse_scenario_text(text, "hostile.yaml")


def test_user_text_is_escaped():
    res = rm.run_scenarios(_hostile_file())
    html = render_report(res, ReportOptions(date=datetime.date(2025, 1, 1)))
    outside_scripts = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outside_scripts
    assert "<img src=x" not in html
    assert "&lt;b&gt;CRM&lt;/b&gt; &amp; &lt;img src=x onerror=alert(2)&gt; export" in html
    assert "Evil &lt;i&gt;Corp&lt;/i&gt; &amp; Co" in outside_scripts
    assert "</td><td>x" not in html
    # the only script tags are plotly.js, the charts (9, and 8 for paper) and the fitting script
    assert html.count("<script") == 1 + 9 + 8 + 1


def test_deterministic_and_date_from_options(results):
    a = render_report(results, ReportOptions(date=datetime.date(2025, 3, 14)))
    b = render_report(results, ReportOptions(date=datetime.date(2025, 3, 14)))
    c = render_report(results, ReportOptions(date=datetime.date(2026, 7, 1)))
    assert a == b
    assert a != c
    assert "14 March 2025" in a and "1 July 2026" in c
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", a)  # no uuid-style ids


def test_options_are_validated(results):
    with pytest.raises(InputError, match="date"):
        ReportOptions(date="2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="risk_adjust_costs"):
        ReportOptions(date=datetime.date(2025, 1, 1), risk_adjust_costs=1.5)
    with pytest.raises(InputError, match="scenario"):
        render_report(results, ReportOptions(date=datetime.date(2025, 1, 1), scenarios=("socail",)))


def test_scenario_selection_and_title(results):
    html = render_report(results, ReportOptions(date=datetime.date(2025, 1, 1),
                                                scenarios=("traditional",), title="Board pack Q3"))
    assert "<h1>Board pack Q3</h1>" in html
    assert 'data-scenario="social"' not in html
    assert "keep the status quo" in html  # traditional alone does not beat doing nothing


def test_write_report_refuses_overwrite(results, report_options, tmp_path):
    target = tmp_path / "r.html"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="already exists"):
        write_report(results, target, report_options)
    assert target.read_text(encoding="utf-8") == "keep me"
    write_report(results, target, report_options, overwrite=True)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))  # nothing left behind


def test_plotly_js_cannot_close_its_script_tag():
    import plotly.offline
    assert "</script" not in plotly.offline.get_plotlyjs().lower()


def test_print_css_present(report_html):
    assert "@media print" in report_html
    assert "break-inside: avoid" in report_html and "break-before: page" in report_html


def test_how_sure_says_when_the_file_already_holds_the_viral_event(consumer_with_certain_event):
    # a file that enables the event in base: "with the stress" would repeat the NPV
    options = ReportOptions(date=datetime.date(2026, 1, 31))
    consumer = render_report(rm.run_scenarios(consumer_with_certain_event), options)
    assert "already includes the viral event of month 14" in consumer
    b2b = render_report(rm.run_scenarios(rm.load_shipped("b2b_it_services")), options)
    assert "with the viral-event stress it is EUR" in b2b


@pytest.mark.parametrize("case", ["status_quo_only", "no_social_channel"])
def test_report_renders_files_without_plans_or_social_channels(case):
    # a file with nothing to compare, or with no social channel, still gives a full report
    # that says what is missing instead of failing
    import yaml

    raw = yaml.safe_load(scenario_path("b2b_it_services").read_text())
    if case == "status_quo_only":
        raw["scenarios"] = {"status_quo": {}}
    else:
        del raw["base"]["channels"]["linkedin"]
        raw["uncertainty"].pop("channels.linkedin.max_leads_monthly")
        raw["scenarios"] = {"status_quo": {}, "more_events": {
            "channels": {"events": {"spend": {"amount": 150000}}}}}
    sf = parse_scenario_text(yaml.safe_dump(raw), f"{case}.yaml")
    html = render_report(rm.run_scenarios(sf), ReportOptions(date=datetime.date(2026, 1, 31)))
    text = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    assert "n/a (" in text and not re.search(r"\bnan\b", text, flags=re.I)


def visible_text(html: str) -> str:
    """The page's text without scripts and tags (what a reader sees, on screen or paper)."""
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S))
    return html_lib.unescape(text)


@pytest.fixture(scope="module")
def shipped():
    """The three shipped files' reports."""
    options = ReportOptions(date=datetime.date(2025, 3, 14))
    out = {}
    for name in ("b2b_it_services", "consumer_brand", "small_fast_mover"):
        res = rm.run_scenarios(rm.load_shipped(name))
        out[name] = (res, render_report(res, options))
    return out


def test_plans_are_named_by_their_labels(shipped):
    for name, (res, html) in shipped.items():
        text = visible_text(html)
        for scenario in res.names:
            assert res.file.label(scenario) in text, (name, scenario)
        for raw in ("status_quo", "social_reallocation"):
            assert raw not in text, (name, raw)
        p = parse(html)
        rows = [e for e in p.elements if e["tag"] == "tr" and e.get("data-scenario")]
        for row in rows:
            assert res.file.label(row["data-scenario"]) in row["_text"]


def test_recommendation_says_when_a_plan_is_not_budget_neutral(shipped):
    res, html = shipped["b2b_it_services"]
    rec = next(e for e in parse(html).elements if e.get("id") == "recommendation")["_text"]
    # social: EUR 14.7 m of channels and programme against EUR 10.8 m (hand-added from the
    # monthly frame: 60 x 180,000 + the LinkedIn ramp + 250,000 + 60 x 15,000)
    m = res.monthly
    spend = (m.channel_spend_traditional + m.channel_spend_social + m.programme_cost)
    totals = spend.groupby(m.scenario).sum()
    extra = totals["social"] - totals["status_quo"]
    assert extra > 0.01 * totals["status_quo"]
    assert f"this plan spends {money(extra, 'EUR')} more than the status quo over 60 months" in rec
    res, html = shipped["consumer_brand"]
    rec = next(e for e in parse(html).elements if e.get("id") == "recommendation")["_text"]
    assert "TV budget moved to social" in rec and "It is budget-neutral" in rec


def test_one_payback_convention_and_reasons_for_differing_figures(shipped):
    res, html = shipped["b2b_it_services"]
    text = visible_text(html)
    k = res.kpis("social")
    # the issue-11 model (before: months 27 and 28, NPV 9.2 m, annual 8,837,294)
    assert (k["payback_month"], k["discounted_payback_month"]) == (40, 42)
    assert "pays back in month 40" in text
    assert "years" not in re.sub(r"\s+", " ", text).split("Appendix")[0].replace(
        "Five-year", "")  # no payback in years before the appendix
    assert text.count("Payback, throughout this report, is the first month") == 1
    # the chart's discounted payback is explained where it is shown
    assert "discounted payback month 42, against month 40 in the summary" in text
    # annual vs monthly NPV: the sentence that shows the annual NPV says why it is lower
    assert re.search(r"EUR 2,581,219.{0,30}annual discounting; the summary's monthly NPV is "
                     r"EUR 2\.7 m, higher because", re.sub(r"\s+", " ", text))
    # the stressed NPV above the unstressed one: said why
    assert "higher than without it because the event hits the status quo harder" in text
    # the annual tables' payback: months, on the same flows
    p = parse(html)
    paybacks = [e for e in p.elements if e.get("data-figure") == "payback"]
    assert paybacks and all("month" in e["_text"] or "n/a" in e["_text"] for e in paybacks)


def test_tables_payback_is_the_summarys_convention(results, report_html):
    p = parse(report_html)
    tables = [e for e in p.elements if e.get("data-figure") == "payback"]
    unadjusted = tables[0::2]
    for e, name in zip(unadjusted, results.names[1:], strict=False):
        expected = results.kpis(name)["payback_month"]
        assert (e["data-value"] == "" and expected is None) or float(e["data-value"]) == expected


def test_paper_never_asks_to_move_a_slider_or_pick_a_menu(shipped):
    for name, (res, html) in shipped.items():
        for phrase in ("Drag the slider", "Pick another plan"):
            for m in re.finditer(phrase, html):
                before = html[:m.start()]
                opened = before.rfind('<span class="screen-only">')
                assert opened > before.rfind("</span>"), (name, phrase)
        assert "The other plans follow as small charts." in html


def test_event_in_every_scenario_is_said_not_drawn_twice(consumer_with_certain_event):
    html = render_report(rm.run_scenarios(consumer_with_certain_event),
                         ReportOptions(date=datetime.date(2026, 1, 31)))
    text = visible_text(html)
    assert "puts the event in every scenario" in text
    table = re.search(r'<table class="stress".*?</table>', html, re.S).group(0)
    assert "without the event" not in table and "viral event included" in table


def test_plotly_config_sends_nothing_off_the_machine(report_html):
    configs = [report_html[m.start() - 40:m.start() + 400]
               for m in re.finditer('"displaylogo"', report_html)]
    assert len(configs) >= 7
    for c in configs:
        assert '"displaylogo": false' in c and '"showSendToCloud": false' in c
        assert '"sendDataToCloud"' in c
        assert '"showLink": true' not in c and '"showEditInChartStudio": true' not in c


def test_one_number_style(shipped):
    for name, (res, html) in shipped.items():
        text = visible_text(html)
        assert "\u2212" not in text  # ASCII minus, as in formatting.MINUS
        assert not re.search(r"EUR -\d", text)  # -EUR 1.0 m, never EUR -1.0 m
        assert not re.search(r"\d k\b", text)  # no 'EUR 850 k'
        assert not re.search(r"\d%", text.split("Appendix")[0])  # '174 %', with a space
