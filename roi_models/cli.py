"""The command line: ``roi-models run | validate | report | export-excel``.

Every command reads a scenario file and refuses a bad one the same way: the
error (file, field, value, what is allowed) on stderr, no traceback, exit
status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Sequence

from .assumptions import STATUS_QUO, load_scenario_file
from .errors import InputError

EXIT_OK, EXIT_INPUT = 0, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``roi-models`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or EXIT_OK)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `roi-models run --json | head`
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roi-models",
        description="Business case for moving marketing spend from traditional channels to "
        "social media: NPV, ROI, IRR, payback, CAC and CLV of each scenario against the status quo.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="simulate a scenario file and print the business case")
    run.add_argument("file", help="scenario file (YAML)")
    run.add_argument("--scenario", action="append", metavar="NAME",
                     help="only this scenario (repeatable); the status quo is the baseline")
    run.add_argument("--json", action="store_true", help="print a JSON document instead")
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser("validate", help="check a scenario file; exit 0 if valid, 2 if not")
    val.add_argument("file")
    val.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="write the self-contained HTML report for CMOs")
    rep.add_argument("file")
    rep.add_argument("-o", "--output", required=True, help="HTML file to write")
    rep.add_argument("--scenario", action="append", metavar="NAME",
                     help="scenarios to include (repeatable; default all)")
    rep.add_argument("--title", help="report title (default: the file's name)")
    rep.add_argument("--risk-adjust-benefits", type=_share, default=0.10, metavar="SHARE",
                     help="reduce benefits by this share in the risk-adjusted table (default 0.10)")
    rep.add_argument("--risk-adjust-costs", type=_share, default=0.05, metavar="SHARE",
                     help="raise costs by this share in the risk-adjusted table (default 0.05)")
    rep.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                     help="date shown in the report (default today)")
    rep.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    rep.add_argument("--pdf", action="store_true",
                     help="also print OUTPUT as PDF (same name, .pdf) with headless Chromium")
    rep.set_defaults(func=_cmd_report)

    xl = sub.add_parser("export-excel", help="write assumptions and results to an Excel workbook")
    xl.add_argument("file")
    xl.add_argument("-o", "--output", required=True, help="XLSX file to write")
    xl.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    xl.set_defaults(func=_cmd_excel)
    return p


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (a share in [0, 1])") from None
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise argparse.ArgumentTypeError(f"{text} is not a share in [0, 1]")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _results(args: argparse.Namespace):
    from .analysis import run_scenarios  # imported here so that `validate` stays light

    sf = load_scenario_file(args.file)
    return run_scenarios(sf, getattr(args, "scenario", None), source=str(args.file))


# ----------------------------------------------------------------------------- commands
def _cmd_validate(args: argparse.Namespace) -> int:
    sf = load_scenario_file(args.file)
    channels = len(sf.base.channels)
    annotated = sum(len(v) for v in sf.assumption_register.values())
    print(
        f"OK {args.file}: '{sf.name}', {len(sf.scenarios)} scenarios "
        f"({', '.join(sf.scenario_names)}), {sf.base.finance.horizon_months} months, "
        f"{channels} channels, {len(sf.uncertainty)} uncertain fields, "
        f"{annotated} annotated values"
    )
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    res = _results(args)
    shown = list(args.scenario) if args.scenario else list(res.names)
    if args.json:
        doc = res.to_json_dict(shown)
        json.dump(doc, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_summary(res, shown))
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import ReportOptions, print_pdf, write_report

    res = _results(args)
    options = ReportOptions(
        title=args.title,
        date=args.date or dt.date.today(),
        risk_adjust_benefits=args.risk_adjust_benefits,
        risk_adjust_costs=args.risk_adjust_costs,
        scenarios=tuple(args.scenario) if args.scenario else None,
    )
    out = Path(args.output)
    pdf = out.with_suffix(".pdf")
    if args.pdf and pdf.exists() and not args.overwrite:  # refuse before writing anything
        raise InputError.one(str(pdf), "", str(pdf), "already exists; pass --overwrite to replace it")
    path = write_report(res, out, options, overwrite=args.overwrite)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.pdf:
        written = print_pdf(path, pdf, overwrite=args.overwrite)
        print(f"wrote {written}")
    return EXIT_OK


def _cmd_excel(args: argparse.Namespace) -> int:
    from .report import write_excel

    res = _results(args)
    path = write_excel(res, Path(args.output), overwrite=args.overwrite)
    print(f"wrote {path}")
    return EXIT_OK


# ----------------------------------------------------------------------------- output
def format_summary(res, names: Sequence[str] | None = None) -> str:
    """The readable business-case table ``roi-models run`` prints."""
    cur = res.currency
    table = res.summary.set_index("scenario")
    names = list(names) if names else list(res.names)
    header = (
        f"{res.file.name}\n"
        f"Business case against '{STATUS_QUO}' over {res.horizon} months, "
        f"discount rate {res.discount_rate:.1%} a year, amounts in {cur}\n"
    )
    cols = [
        ("NPV", "npv", _money), ("ROI", "roi", _pct), ("IRR/yr", "irr_annual", _pct),
        ("Payback", "payback_month", _month), ("CAC", "cac", _money), ("CLV", "clv", _money),
        ("CLV/CAC", "clv_to_cac", _ratio), ("CoS/rev", "cost_of_sales_share", _pct),
        ("Churn/mo", "churn_monthly_avg", _pct2), ("Customers", "customers_end", _count),
    ]
    width = max(10, *(len(n) for n in names))
    lines = [header, f"{'scenario':<{width}}  " + "  ".join(f"{c[0]:>10}" for c in cols)]
    for name in names:
        row = table.loc[name]
        lines.append(f"{name:<{width}}  " + "  ".join(f"{fmt(row[key]):>10}" for _, key, fmt in cols))
    lines.append(
        "\nNPV, ROI, IRR and payback are incremental against the status quo; n/a: the figure does "
        "not exist (no investment, flows never turn positive, or no customers)."
    )
    return "\n".join(lines)


def _na(fmt):
    def wrapped(value) -> str:
        import pandas as pd

        return "n/a" if pd.isna(value) else fmt(float(value))
    return wrapped


_money = _na(lambda v: f"{v / 1e6:,.2f}M" if abs(v) >= 1e6 else f"{v:,.0f}")
_pct = _na(lambda v: f"{v:.1%}")
_pct2 = _na(lambda v: f"{v:.2%}")
_ratio = _na(lambda v: f"{v:.2f}")
_month = _na(lambda v: f"month {v:.0f}")
_count = _na(lambda v: f"{v:,.0f}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
