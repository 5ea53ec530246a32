"""The command line: ``roi-models run | validate | report | sensitivity | goal-seek | montecarlo |
export-excel``.

Every command reads a scenario file, given as a path or as the name of a
shipped file (``roi-models run b2b_it_services``), and refuses a bad one the
same way: the error (file, field, value, what is allowed) on stderr, no
traceback, exit status 2.

``run`` prints the business case in the house style of
:mod:`roi_models.formatting` (:func:`format_summary`) or, with ``--json``, the
document of :func:`json_document`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .assumptions import STATUS_QUO, load_scenario_file
from .data import resolve_scenario_file, shipped_scenarios
from .errors import CONTROL_CHARACTERS, InputError, visible
from .files import check_source, check_target
from .formatting import EXTRA_SPEND_LABEL, KPIS, format_kpi, irr_caveat_text, money, percent

if TYPE_CHECKING:  # the analysis layer is imported when a command needs it (`validate` stays light)
    from .analysis import ScenarioResults

EXIT_OK, EXIT_INPUT = 0, 2

MONTHLY_JSON_FIELDS = (
    "net_cash_flow", "incremental_cash_flow", "active_customers", "new_customers", "revenue",
    "cost_of_sales", "marketing_spend", "support_cost", "programme_cost", "gross_profit",
    "churned_customers",
)
"""Columns of :attr:`roi_models.analysis.ScenarioResults.monthly` in the JSON document."""

SUMMARY_KPIS = (
    "npv", "roi", "irr_annual", "mirr_annual", "payback_month", "cac", "cac_blended", "clv",
    "clv_to_cac", "cost_of_sales_share", "churn_monthly_avg", "customers_end",
)
"""The columns of ``roi-models run``'s table, keys of :data:`roi_models.formatting.KPIS`."""


EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (SIGINT): 128 + 2, as a shell reports a process it interrupted."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``roi-models`` console script.

    The one place where every failure becomes one line on stderr and an exit status:
    bad input (:class:`~roi_models.errors.InputError`, an argument argparse refuses, and
    any :class:`OSError` the system raises for a file or for standard output: a name too
    long, a full disk or ``/dev/full``, a closed stdout) exits 2, Ctrl-C exits 130, and a
    reader that goes away (``roi-models run | head -c1``) ends the command quietly with 0.
    """
    stdout = sys.stdout
    if stdout is None:  # started with stdout closed (`roi-models run >&-`)
        print("error: standard output is closed; nothing could be shown (redirect it to a "
              "file or to /dev/null instead)", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout = _Output(stdout)
    interrupted: list[int] = []

    def on_ctrl_c(signum: int, frame: Any) -> None:
        interrupted.append(signum)
        raise KeyboardInterrupt

    # Python's own handler raises KeyboardInterrupt wherever the main thread is; when that is
    # a callback (an import lock's weakref callback, a __del__), the exception is printed as
    # "ignored" and the command runs on: the flag catches that case as well.
    previous = _set_sigint(on_ctrl_c)
    try:
        args = _parser().parse_args(argv)
        code = int(args.func(args) or EXIT_OK)
        if interrupted:  # a Ctrl-C that Python swallowed
            raise KeyboardInterrupt
        sys.stdout.flush()
        return code
    except InputError as exc:
        return _refuse(str(exc))
    except BrokenPipeError:  # the reader went away: what it wanted it has
        _discard(stdout)
        return EXIT_OK
    except _OutputFailed as exc:
        _discard(stdout)
        return _refuse(f"standard output: cannot be written ({exc.strerror or exc})")
    except OSError as exc:
        return _refuse(_os_error(exc))
    except KeyboardInterrupt:
        _discard(stdout)
        print("error: interrupted (Ctrl-C); no file was left half-written", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.stdout = stdout
        _set_sigint(previous)


def _set_sigint(handler: Any) -> Any:
    """Install a SIGINT handler and return the previous one (None off the main thread, where
    Python allows no handler: there the default one stays)."""
    import signal
    import threading

    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, handler)


def _refuse(message: str) -> int:
    print(f"error: {_shown(message)}", file=sys.stderr)
    return EXIT_INPUT


def _shown(text: str) -> str:
    """Text for the terminal: control characters and undecodable bytes as escapes."""
    return visible(text).encode("utf-8", "backslashreplace").decode("utf-8")


def _os_error(exc: OSError) -> str:
    """One line for an OSError: the file it names (shortened), what the system said."""
    what = exc.strerror or str(exc)
    if exc.filename is None:
        return f"the system refused: {what}"
    name = os.fsdecode(exc.filename)
    name = name if len(name) <= 80 else f"{name[:60]}...{name[-17:]}"
    return f"{name}: {what}"


class _OutputFailed(OSError):
    """Standard output could not be written (a full disk, ``/dev/full``, a closed file)."""


class _Output(io.TextIOBase):
    """Standard output for one command: its write errors say that it was standard output,
    and text it cannot encode (a non-UTF-8 file name) is written as escapes, never raises."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputFailed(exc.errno, exc.strerror) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputFailed(exc.errno, exc.strerror) from None

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding


def _discard(stream: TextIO) -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of what could not be
    written (a broken pipe, a full device) does not fail a second time with a traceback."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real file (a test's capture): nothing is flushed at exit
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


class _Parser(argparse.ArgumentParser):
    """argparse, refusing a bad argument in one line (the house style) instead of the usage."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {_shown(self.prog)}: {_shown(message)} (see {_shown(self.prog)} "
              "--help)", file=sys.stderr)
        sys.exit(EXIT_INPUT)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="roi-models",
        description="Business case for moving marketing spend from traditional channels to "
        "social media: NPV, ROI, IRR, payback, CAC and CLV of each scenario against the status "
        "quo.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="simulate a scenario file and print the business case")
    run.add_argument("file", help=_FILE_HELP)
    run.add_argument("--scenario", action="append", metavar="NAME",
                     help="only this scenario (repeatable); the status quo is the baseline")
    run.add_argument("--json", action="store_true", help="print a JSON document instead")
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser("validate", help="check a scenario file; exit 0 if valid, 2 if not")
    val.add_argument("file", help=_FILE_HELP)
    val.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="write the self-contained HTML report for CMOs")
    rep.add_argument("file", help=_FILE_HELP)
    rep.add_argument("-o", "--output", required=True, help="HTML file to write")
    rep.add_argument("--scenario", action="append", metavar="NAME",
                     help="scenarios to include (repeatable; default all)")
    rep.add_argument("--title", type=_text, help="report title (default: the file's name)")
    rep.add_argument("--risk-adjust-benefits", type=_share, default=0.10, metavar="SHARE",
                     help="reduce benefits by this share in the risk-adjusted table (default 0.10)")
    rep.add_argument("--risk-adjust-costs", type=_share, default=0.05, metavar="SHARE",
                     help="raise costs by this share in the risk-adjusted table (default 0.05)")
    rep.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                     help="date shown in the report (default today)")
    rep.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    rep.add_argument("--draws", type=_report_draws, default=2_000, metavar="N",
                     help="Monte Carlo draws of the risk section and the 'how likely' sentence "
                     "(default 2,000; 0: none)")
    rep.add_argument("--seed", type=_seed, default=0, metavar="S",
                     help="seed of the Monte Carlo draws (default 0)")
    rep.add_argument("--pdf", action="store_true",
                     help="also print OUTPUT as PDF (same name, .pdf) with headless Chromium")
    rep.set_defaults(func=_cmd_report)

    sens = sub.add_parser(
        "sensitivity", help="tornado: which uncertain assumptions move a KPI most (one at a time, "
        "each at the low and the high of the file's uncertainty section)")
    sens.add_argument("file", help=_FILE_HELP)
    _question_args(sens)
    sens.add_argument("--margins", action="store_true",
                      help="also how far each assumption can move before the decision changes")
    sens.add_argument("--json", action="store_true", help="print a JSON document instead")
    sens.set_defaults(func=_cmd_sensitivity)

    goal = sub.add_parser("goal-seek", help="the value of a field at which a KPI reaches a "
                          "target (break-even: NPV = 0)")
    goal.add_argument("file", help=_FILE_HELP)
    goal.add_argument("--field", required=True, metavar="PATH",
                      help="a numeric field, e.g. economics.revenue_per_customer_monthly")
    _question_args(goal)
    goal.add_argument("--target", type=_finite, default=0.0, help="KPI value to reach (default 0)")
    goal.add_argument("--json", action="store_true", help="print a JSON document instead")
    goal.set_defaults(func=_cmd_goal_seek)

    mc = sub.add_parser("montecarlo", help="Monte Carlo: the distribution of each plan's NPV "
                        "and how likely it beats the others (the file's uncertainty section, "
                        "random viral events and downturn)")
    mc.add_argument("file", help=_FILE_HELP)
    mc.add_argument("--draws", type=_draws, default=10_000, metavar="N",
                    help="number of draws (default 10,000)")
    mc.add_argument("--seed", type=_seed, default=0, metavar="S",
                    help="seed: the same seed gives the same figures (default 0)")
    mc.add_argument("--method", choices=["lhs", "random"], default="lhs",
                    help="Latin hypercube (default) or plain random sampling")
    mc.add_argument("--engine", choices=["local", "dask"], default="local",
                    help="threads on this machine (default) or a Dask cluster")
    mc.add_argument("--scheduler", metavar="ADDR",
                    help="Dask scheduler address (tcp://host:8786); default: a LocalCluster")
    mc.add_argument("--scenario", action="append", metavar="NAME",
                    help="only this scenario (repeatable); the status quo is the baseline")
    mc.add_argument("--json", action="store_true", help="print a JSON document instead")
    mc.set_defaults(func=_cmd_montecarlo)

    xl = sub.add_parser("export-excel", help="write assumptions and results to an Excel workbook")
    xl.add_argument("file", help=_FILE_HELP)
    xl.add_argument("-o", "--output", required=True, help="XLSX file to write")
    xl.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    xl.set_defaults(func=_cmd_excel)
    return p


_FILE_HELP = ("scenario file (YAML), or the name of a shipped one: "
              + ", ".join(shipped_scenarios()))


def _question_args(p: argparse.ArgumentParser) -> None:
    # the KPIs a question may ask about are the figures of formatting.KPIS (the same names
    # as analysis.sensitivity.KPI_NAMES, which a test checks): building the parser imports
    # no analysis, so that `validate` does not load the engine
    p.add_argument("--plan", metavar="NAME", help="the plan (default: the recommended one)")
    p.add_argument("--against", metavar="NAME", help="the plan it is compared with (default: "
                   f"{STATUS_QUO}; a plan against a plan is the decision question)")
    p.add_argument("--kpi", default="npv", choices=list(KPIS), help="the KPI (default npv)")


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (a share in [0, 1])") from None
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise argparse.ArgumentTypeError(f"{text} is not a share in [0, 1]")
    return value


def _draws(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of draws") from None
    if not 2 <= value <= 100_000_000:
        raise argparse.ArgumentTypeError(f"{value} draws: give 2 to 100,000,000")
    return value


def _report_draws(text: str) -> int:
    return 0 if text.strip() == "0" else _draws(text)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2 ** 63:
        raise argparse.ArgumentTypeError(f"{value} is not a seed in 0..2^63 - 1")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _text(text: str) -> str:
    """A text argument (``--title``): UTF-8 text without control characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes of the command line that are not UTF-8
        raise argparse.ArgumentTypeError(
            f"{text!r} holds bytes that are not UTF-8 text (shown as \\udcXX); write the "
            "title in UTF-8") from None
    if CONTROL_CHARACTERS.search(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} holds a control character (an escape, a tab, a newline or an "
            "invisible formatting character); write plain text")
    return text


def _source(args: argparse.Namespace) -> str:
    """The scenario file of a command: the path given, or a shipped file's path by name.

    A name no file system holds and anything but a regular file (a FIFO would block the
    read forever) are refused before the file is opened (:func:`roi_models.files.check_source`).
    """
    check_source(args.file)
    return str(check_source(resolve_scenario_file(args.file)))


def _target(args: argparse.Namespace, path: str | os.PathLike[str]) -> Path:
    """An output file of a command, checked before any work (:func:`files.check_target`).

    Also refused: the scenario file being read, even with ``--overwrite`` (``report
    plan.yaml -o plan.yaml --overwrite`` would replace the plan with its report).
    """
    target = check_target(path, overwrite=args.overwrite)
    source = Path(_source(args))
    if target.exists() and source.exists() and os.path.samefile(target, source):
        raise InputError.one(str(target), "", None,
                             "is the scenario file being read; write the output to another "
                             "file")
    return target


def _unique_scenarios(args: argparse.Namespace) -> list[str] | None:
    """The ``--scenario`` names in order, refusing a name given twice."""
    names = getattr(args, "scenario", None)
    if not names:
        return names
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError.one("argument", "--scenario", name,
                                 "given twice; name each scenario once")
        seen.add(name)
    return names


def _results(args: argparse.Namespace) -> ScenarioResults:
    _unique_scenarios(args)
    source = _source(args)  # the arguments are checked before the engine is imported
    from .analysis import run_scenarios  # imported here so that `validate` stays light

    sf = load_scenario_file(source)
    return run_scenarios(sf, getattr(args, "scenario", None), source=source)


# ----------------------------------------------------------------------------- commands
def _cmd_validate(args: argparse.Namespace) -> int:
    sf = load_scenario_file(_source(args))
    channels = len(sf.base.channels)
    annotated = sum(len(v) for v in sf.assumption_register.values())
    print(
        f"OK {_shown(args.file)}: '{sf.name}', {len(sf.scenarios)} scenarios "
        f"({', '.join(sf.scenario_names)}), {sf.base.finance.horizon_months} months, "
        f"{channels} channels, {len(sf.uncertainty)} uncertain fields, "
        f"{annotated} annotated values"
    )
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    res = _results(args)
    shown = list(args.scenario) if args.scenario else list(res.names)
    if args.json:
        doc = json_document(res, shown)
        json.dump(doc, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_summary(res, shown))
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    out = _target(args, args.output)  # both targets refused before anything is built
    pdf = out.with_suffix(".pdf")
    if args.pdf:
        if pdf == out:
            raise InputError.one(str(out), "", None,
                                 "--pdf would print the PDF over this HTML report (the PDF "
                                 "takes the same name with .pdf); give -o a name ending in "
                                 ".html")
        _target(args, pdf)
    res = _results(args)
    from .report import ReportOptions, print_pdf, write_report

    options = ReportOptions(
        title=args.title,
        date=args.date or dt.date.today(),
        risk_adjust_benefits=args.risk_adjust_benefits,
        risk_adjust_costs=args.risk_adjust_costs,
        scenarios=tuple(args.scenario) if args.scenario else None,
        draws=args.draws, seed=args.seed,
    )
    path = write_report(res, out, options, overwrite=args.overwrite)
    print(f"wrote {_shown(str(path))} ({path.stat().st_size / 1e6:.1f} MB)")
    if args.pdf:
        written = print_pdf(path, pdf, overwrite=args.overwrite)
        print(f"wrote {_shown(str(written))}")
    return EXIT_OK


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from .analysis import sensitivity

    res = _results(args)
    frame = sensitivity.tornado(res, plan=args.plan, against=args.against, kpi=args.kpi)
    margins = sensitivity.decision_margins(res, plan=frame.attrs["plan"]) if args.margins else None
    if args.json:
        json.dump(sensitivity_document(frame, margins), sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_tornado(res, frame, margins))
    return EXIT_OK


def _cmd_goal_seek(args: argparse.Namespace) -> int:
    from .analysis import sensitivity

    res = _results(args)
    g = sensitivity.goal_seek(res, args.field, plan=args.plan, against=args.against,
                              kpi=args.kpi, target=args.target)
    _emit(args, g.to_json_dict, lambda: format_goal_seek(res, g))
    return EXIT_OK


def _cmd_montecarlo(args: argparse.Namespace) -> int:
    from .analysis.montecarlo import montecarlo

    if args.scheduler and args.engine != "dask":
        raise InputError.one("argument", "--scheduler", args.scheduler,
                             "a scheduler address needs --engine dask")
    res = _results(args)
    mc = montecarlo(res, args.draws, args.seed, method=args.method, engine=args.engine,
                    scheduler=args.scheduler, progress=not args.json)
    _emit(args, mc.to_json_dict, lambda: format_montecarlo(res, mc))
    return EXIT_OK


def _emit(args: argparse.Namespace, document: Any, text: Any) -> None:
    """Print ``document()`` as JSON (missing figures as null) with ``--json``, else ``text()``."""
    if args.json:
        json.dump(_finite_or_null(document()), sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(text())


def format_montecarlo(res: ScenarioResults, mc: Any) -> str:
    """The table ``roi-models montecarlo`` prints: per plan the NPV's P10, P50, P90, mean
    (with its standard error), P(NPV > 0), VaR and ES at 5 %, then P(beats) of each pair."""
    cur = res.currency
    doc = mc.to_json_dict()["scenarios"]

    def money(v: Any) -> str:
        return format_kpi("npv", v, cur)

    header = ["scenario", "P10", "P50", "P90", "mean (se)", "P(NPV > 0)", "VaR 5 %", "ES 5 %"]
    rows = [[res.file.label(name), money(d["npv"]["p10"]), money(d["npv"]["p50"]),
             money(d["npv"]["p90"]), f"{money(d['npv']['mean'])} ({money(d['npv']['se'])})",
             percent(d["p_npv_positive"], 1), money(d["var_5"]), money(d["es_5"])]
            for name, d in doc.items()]
    lines = [
        res.file.name,
        f"Monte Carlo of the NPV against '{STATUS_QUO}': {mc.draws:,} draws "
        f"({'Latin hypercube' if mc.method == 'lhs' else 'random'}, seed {mc.seed}), the same "
        f"draws for every plan, amounts in {cur}",
        "",
        *_table(header, rows),
        "",
        "P(beats): share of draws where the row's NPV is higher than the column's.",
    ]
    names = list(doc)
    beats = [[res.file.label(a)] + [
        "" if a == b else percent(doc[a]["p_beats"][b], 1) for b in [STATUS_QUO, *names]]
        for a in names]
    lines += _table(["plan \\ against", res.file.label(STATUS_QUO),
                     *(res.file.label(n) for n in names)], beats)
    lines.append("VaR 5 %: the NPV that 95 % of draws reach; ES 5 %: the mean of the worst 5 %.")
    return "\n".join(lines)


def _cmd_excel(args: argparse.Namespace) -> int:
    out = _target(args, args.output)
    res = _results(args)
    from .report import write_excel

    path = write_excel(res, out, overwrite=args.overwrite)
    print(f"wrote {_shown(str(path))}")
    return EXIT_OK


# ----------------------------------------------------------------------------- output
def format_summary(res: ScenarioResults, names: Sequence[str] | None = None) -> str:
    """The business-case table ``roi-models run`` prints, in the house style.

    Parameters
    ----------
    res : ScenarioResults
        A run of a scenario file.
    names : sequence of str, optional
        The scenarios to show, in order (default: every scenario of the run).

    Returns
    -------
    str
        A title, one line of assumptions, one column per KPI of
        :data:`SUMMARY_KPIS` headed by its label from
        :data:`roi_models.formatting.KPIS`, every value written by
        :func:`roi_models.formatting.format_kpi`, then each plan's extra
        spend over the status quo (undiscounted). A figure that does not
        exist reads ``n/a [k]``, its reason given once in note [k] below the
        table; an IRR that is not a meaningful rate carries ``[k]`` with its
        caveat the same way. Below the table: the recommended plan
        (:func:`roi_models.analysis.decision.recommend`) and the
        terminal-value setting with each plan's NPV at the other setting.

    Examples
    --------
    >>> from roi_models import load_shipped, run_scenarios
    >>> text = format_summary(run_scenarios(load_shipped("b2b_it_services"), ["social"]))
    >>> print(text.splitlines()[3].split()[:5])
    ['scenario', 'NPV', 'ROI', 'IRR', 'MIRR']
    >>> "EUR 2.7 m" in text and "n/a [1]" in text and "[1] this is the baseline" in text
    True
    >>> "Recommended: social" in text
    True
    """
    from .analysis.decision import recommend

    cur = res.currency
    table = res.summary.set_index("scenario")
    names = list(names) if names else list(res.names)
    reasons: list[str] = []

    def cell(name: str, key: str) -> str:
        text = format_kpi(key, table.loc[name, key], cur, baseline=name == STATUS_QUO,
                          horizon=res.horizon)
        if not text.startswith("n/a ("):
            return text
        return f"n/a [{note(text[len('n/a ('):-1])}]"

    def note(reason: str) -> int:
        if reason not in reasons:
            reasons.append(reason)
        return reasons.index(reason) + 1

    def irr_cell(name: str) -> str:
        text = cell(name, "irr_annual")
        caveat = None if name == STATUS_QUO else irr_caveat_text(table.loc[name, "irr_caveat"])
        return f"{text} [{note(caveat)}]" if caveat else text

    def extra(name: str) -> str:
        if name == STATUS_QUO:
            return f"n/a [{note('this is the baseline')}]"
        value = float(table.loc[name, "extra_spend"])
        return ("+" if value > 0 else "") + money(value, cur)

    rows = [[name] + [irr_cell(name) if key == "irr_annual" else cell(name, key)
                      for key in SUMMARY_KPIS] + [extra(name)] for name in names]
    header = ["scenario"] + [KPIS[key].label for key in SUMMARY_KPIS] + [EXTRA_SPEND_LABEL]
    rec = recommend(res)
    with_tv = res.terminal_value == "customer_value"
    other = "npv_without_terminal_value" if with_tv else "npv_with_terminal_value"
    others = ", ".join(f"{n} {money(table.loc[n, other], cur)}" for n in names if n != STATUS_QUO)
    lines = [
        res.file.name,
        f"Business case against '{STATUS_QUO}' over {res.horizon} months, discount rate "
        f"{percent(res.discount_rate, 1, ' a year')}, amounts in {cur}",
        "",
        *_table(header, rows),
        "",
        *textwrap.wrap(
            "NPV, ROI, IRR, MIRR and payback are incremental against the status quo. CAC "
            "(paid): channel spend and cost of sales per customer won by paid channels; CAC "
            "(blended) also counts free word-of-mouth and referral customers. CLV / CAC uses "
            "CAC (paid). Extra spend: channel and programme spend over the horizon minus the "
            "status quo's, undiscounted.", 100),
        f"Recommended: {rec.plan}" + (" (no plan has an NPV above 0)"
                                      if not rec.adopts_a_plan and rec.best else ""),
        (f"Terminal value: {res.terminal_value}"
         + (" (NPV stops at the horizon)" if not with_tv else
            " (customers active at the horizon valued at their customer value)")
         + (f"; NPV {'without' if with_tv else 'with'} it: {others}" if others else "")),
    ]
    lines += [f"[{k}] {reason}" for k, reason in enumerate(reasons, start=1)]
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of a text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]

    def line(cells: list[str]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        rest = [f"{c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(r) for r in rows)]


def json_document(res: ScenarioResults, names: Sequence[str] | None = None) -> dict[str, Any]:
    """The document ``roi-models run --json`` prints: strict JSON, ``null`` for a missing figure.

    Parameters
    ----------
    res : ScenarioResults
        A run of a scenario file.
    names : sequence of str, optional
        The scenarios to include (default: every scenario of the run).

    Returns
    -------
    dict
        ``file``, ``name``, ``currency``, ``discount_rate_annual``,
        ``horizon_months``, ``baseline``, ``terminal_value`` (the file's
        ``finance.terminal_value``), ``recommended`` (the recommended plan),
        ``units`` (of the KPIs) and ``scenarios``: per scenario its ``kpis``
        (:meth:`~roi_models.analysis.ScenarioResults.kpis`) and ``monthly``
        arrays indexed by month from 0 (``month`` and
        :data:`MONTHLY_JSON_FIELDS`).

    Notes
    -----
    Among the KPIs: ``cac`` and ``cac_paid`` (the same figure, CAC (paid))
    and ``cac_blended``; ``npv`` at the file's terminal-value setting,
    ``npv_without_terminal_value`` and ``npv_with_terminal_value`` at each
    (``terminal_value``: their difference, a present value); ``irr_annual``
    with ``irr_caveat`` (the caveat's text, null for a meaningful rate) and
    ``mirr_annual``; ``peak_outlay``; ``budget`` and ``extra_spend``
    (channel and programme spend over months 0..T, undiscounted, and its
    difference from the status quo's).

    Examples
    --------
    >>> from roi_models import load_shipped, run_scenarios
    >>> doc = json_document(run_scenarios(load_shipped("b2b_it_services"), ["social"]))
    >>> list(doc["scenarios"]), doc["scenarios"]["status_quo"]["kpis"]["irr_annual"]
    (['status_quo', 'social'], None)
    >>> len(doc["scenarios"]["social"]["monthly"]["net_cash_flow"])
    61
    >>> k = doc["scenarios"]["social"]["kpis"]
    >>> k["cac"] == k["cac_paid"] > k["cac_blended"], doc["terminal_value"], doc["recommended"]
    (True, 'none', 'social')
    """
    from .analysis.decision import recommend

    names = list(names) if names is not None else list(res.names)
    monthly = res.monthly
    scenarios = {}
    for name in names:
        part = monthly[monthly["scenario"] == name]
        kpis: dict[str, Any] = dict(res.kpis(name))
        kpis["irr_caveat"] = irr_caveat_text(kpis["irr_caveat"])
        scenarios[name] = {
            "kpis": kpis,
            "monthly": {"month": part["month"].tolist()} | {
                f: [float(v) for v in part[f]] for f in MONTHLY_JSON_FIELDS
            },
        }
    return {
        "file": res.source,
        "name": res.file.name,
        "currency": res.currency,
        "discount_rate_annual": res.discount_rate,
        "horizon_months": res.horizon,
        "baseline": STATUS_QUO,
        "terminal_value": res.terminal_value,
        "recommended": recommend(res).plan,
        "units": res.summary.attrs["units"] | {"irr_caveat": "text"},
        "scenarios": scenarios,
    }


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


# ----------------------------------------------------------------------------- sensitivity
def _finite_or_null(value: Any) -> Any:
    """JSON-ready: NaN and inf become None, numpy numbers Python numbers, recursively."""
    if isinstance(value, dict):
        return {k: _finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_null(v) for v in value]
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, int):
        return value
    from .conventions import none_if_nan  # numpy: not at the top (`validate` stays light)

    try:
        return none_if_nan(value)
    except (TypeError, ValueError):
        return value


def sensitivity_document(frame: Any, margins: Any = None) -> dict[str, Any]:
    """The document ``roi-models sensitivity --json`` prints.

    ``kpi``, ``plan``, ``against``, ``base`` (the KPI of the deterministic run) and
    ``fields``: a list sorted by swing of ``{field, label, value, low, high, kpi_low,
    kpi_high, swing}``; with margins, ``margins``: ``{field, rival, today, value, change_pct,
    in_ranges, sentence}`` (``value`` null where no value of the field makes the plans tie).
    """
    a = frame.attrs
    doc: dict[str, Any] = {
        "kpi": a["kpi"], "plan": a["plan"], "against": a["against"], "base": a["base"],
        "fields": [
            {k: row[k] for k in ("field", "label", "value", "low", "high", "kpi_low", "kpi_high",
                                 "swing")}
            for row in frame.to_dict("records")
        ],
    }
    if margins is not None:
        doc["margins"] = [
            {k: row[k] for k in ("field", "rival", "today", "value", "change_pct", "in_ranges",
                                 "sentence")}
            for row in margins.to_dict("records")
        ]
    return _finite_or_null(doc)


def format_tornado(res: ScenarioResults, frame: Any, margins: Any = None) -> str:
    """The tornado table ``roi-models sensitivity`` prints (and the margins' sentences)."""
    a = frame.attrs
    kpi, cur = a["kpi"], res.currency

    def fig(v: Any) -> str:
        return format_kpi(kpi, v, cur, horizon=res.horizon)

    versus = f" against {_plan_name(res, a['against'])}" if KPIS[kpi].incremental else ""
    rows = [[r["label"], f"{r['low']:,.6g} .. {r['high']:,.6g}", fig(r["kpi_low"]),
             fig(r["kpi_high"]), fig(r["swing"]) if KPIS[kpi].style == "money" else ""]
            for r in frame.to_dict("records")]
    header = ["assumption", "low .. high", f"{KPIS[kpi].label} at low", "at high", "swing"]
    lines = [
        res.file.name,
        f"Sensitivity of the {KPIS[kpi].label} of {_plan_name(res, a['plan'])}{versus}: each "
        "uncertain "
        f"assumption at its low and its high, the others as in the file "
        f"(today {fig(a['base'])})",
        "",
        *_table(header, rows),
    ]
    if margins is not None and len(margins):
        lines += ["", "How far each assumption can move before the decision changes:"]
        for rival, part in margins.groupby("rival", sort=False):
            found = part[part["value"].notna()]
            lines += [f"- {s}" for s in found["sentence"]]
            never = part[part["value"].isna()]
            if len(never):
                who = ("the status quo" if rival == STATUS_QUO
                       else f"\u201c{res.file.label(rival)}\u201d")
                lines.append(f"- \u201c{res.file.label(a['plan'])}\u201d beats {who} at every "
                             "value of: "
                             + ", ".join(never["label"]) + ".")
    return "\n".join(lines)


def _plan_name(res: ScenarioResults, name: str) -> str:
    """A plan in a sentence: its label in quotes, or "the status quo"."""
    return "the status quo" if name == STATUS_QUO else f"\u201c{res.file.label(name)}\u201d"


def format_goal_seek(res: ScenarioResults, g: Any) -> str:
    """The answer ``roi-models goal-seek`` prints."""
    q = g.question
    versus = f" against {_plan_name(res, q.against)}" if KPIS[q.kpi].incremental else ""
    what = f"{KPIS[q.kpi].label} of {_plan_name(res, q.plan)}{versus}"
    target = format_kpi(q.kpi, g.target, res.currency, exact=True)
    if g.value is None:
        return f"{what}: {g.reason}."
    change = (g.value - g.today) / abs(g.today) if g.today else float("nan")
    moved = f", {percent(change, 0)} from today's {g.today:,.6g}" if math.isfinite(change) else ""
    return (f"{what} reaches {target} at {g.field} = {g.value:,.6g}{moved} "
            f"({KPIS[q.kpi].label} there: "
            f"{format_kpi(q.kpi, g.kpi_at_value, res.currency, exact=True)}).")

