"""Probe the command line with hostile arguments, inputs and outputs (issue 14).

Runs each case against ``.venv/bin/roi-models`` under ``prlimit --as`` (1 GB of address
space) and a timeout, and prints one row per case: the exit status, whether stderr holds a
traceback, the number of stderr lines, wall time and peak memory (max RSS of the child),
and whether the case met its promise (exit 2 and one clean ``error:`` line, or for the
interrupt exit 130 and one line; for a broken pipe exit 0 and nothing on stderr).

Usage (from the repository, after ``make install``)::

    .venv/bin/python tools/probe_cli_hostile.py            # every case
    .venv/bin/python tools/probe_cli_hostile.py -k pdf     # cases whose name holds "pdf"
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = REPO / ".venv" / "bin" / "roi-models"
EXAMPLE = "b2b_it_services"
AS_LIMIT = 1_000_000_000
TIMEOUT = 20.0


@dataclass
class Case:
    name: str
    argv: list[bytes | str]
    expect: int = 2  # exit status promised
    stdout: str | None = None  # "full", "closed", "pipe-head"
    sigint_after: float | None = None  # seconds after start
    check: str | None = None  # a path that must not exist afterwards


@dataclass
class Outcome:
    code: int
    traceback: bool
    lines: int
    seconds: float
    rss_mb: float
    first: str


def run(case: Case, cwd: Path) -> Outcome:
    argv = [os.fsencode(a) if isinstance(a, str) else a for a in case.argv]
    cmd = [b"prlimit", f"--as={AS_LIMIT}".encode(), b"--", os.fsencode(CLI), *argv]
    stdout: object = subprocess.DEVNULL
    closers: list = []
    if case.stdout == "full":
        stdout = open("/dev/full", "wb")  # closed below
        closers.append(stdout)
    elif case.stdout == "pipe-head":
        stdout = subprocess.PIPE
    start = time.perf_counter()
    kwargs: dict = {}
    if case.stdout == "closed":
        kwargs["pass_fds"] = ()
        cmd = [b"sh", b"-c", b'exec "$@" >&-', b"sh", *cmd]
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"}, **kwargs)
    if case.stdout == "pipe-head":
        assert proc.stdout is not None
        proc.stdout.read(1)
        proc.stdout.close()  # the reader goes away, as `| head -c1` does
    if case.sigint_after is not None:
        time.sleep(case.sigint_after)
        # prlimit execs the CLI, so the pid is the CLI's (no shell in between)
        os.kill(proc.pid, signal.SIGINT)
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage (peak RSS)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    for c in closers:
        c.close()
    text = err.decode("utf-8", "backslashreplace")
    lines = [line for line in text.splitlines() if line.strip()]
    return Outcome(proc.returncode, "Traceback" in text, len(lines), seconds,
                   usage.ru_maxrss / 1024,
                   lines[-1][:110] if lines else "")


def cases(tmp: Path) -> list[Case]:
    fifo = tmp / "pipe.yaml"
    os.mkfifo(fifo)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp / "sock.yaml"))
    (tmp / "dir.yaml").mkdir()
    shipped = REPO / "data" / "scenarios" / f"{EXAMPLE}.yaml"
    odd = os.fsencode(tmp) + b"/plan\xff.yaml"
    shutil.copy(shipped, odd)
    shutil.copy(shipped, tmp / "copy.yaml")
    (tmp / "exists.pdf").write_bytes(b"user's pdf")
    (tmp / "pdfdir.pdf").mkdir()
    long_name = "r" * 300 + ".html"
    long_path = "/".join(["d" * 200] * 25) + "/r.html"
    return [
        Case("report -o ''", ["report", EXAMPLE, "-o", ""]),
        Case("export-excel -o ''", ["export-excel", EXAMPLE, "-o", ""]),
        Case("report -o NAME > NAME_MAX", ["report", EXAMPLE, "-o", long_name]),
        Case("export-excel -o NAME > NAME_MAX", ["export-excel", EXAMPLE, "-o", long_name]),
        Case("report -o PATH > PATH_MAX", ["report", EXAMPLE, "-o", long_path]),
        Case("report -o missing folder", ["report", EXAMPLE, "-o", "no/such/r.html"]),
        Case("run FILE > NAME_MAX", ["run", "p" * 300 + ".yaml"]),
        Case("run FILE > PATH_MAX", ["run", long_path]),
        Case("run --scenario twice", ["run", EXAMPLE, "--scenario", "social", "--scenario",
                                      "social"]),
        Case("report --scenario twice", ["report", EXAMPLE, "-o", "twice.html", "--scenario",
                                         "social", "--scenario", "social"],
             check="twice.html"),
        Case("run --scenario unknown", ["run", EXAMPLE, "--scenario", "nope"]),
        Case("run non-UTF-8 missing file", ["run", b"missing\xff.yaml"]),
        Case("run non-UTF-8 existing file", ["run", odd], expect=0),
        Case("validate non-UTF-8 file", ["validate", odd], expect=0),
        Case("report -o non-UTF-8 name", ["report", EXAMPLE, "-o", b"r\xff.html"], expect=0),
        Case("report --title non-UTF-8", ["report", EXAMPLE, "-o", "t.html", "--title",
                                          b"Plan \xff"], check="t.html"),
        Case("validate /dev/zero", ["validate", "/dev/zero"]),
        Case("validate /dev/urandom", ["validate", "/dev/urandom"]),
        Case("validate /dev/null", ["validate", "/dev/null"]),
        Case("validate FIFO", ["validate", str(fifo)]),
        Case("run FIFO", ["run", str(fifo)]),
        Case("validate socket", ["validate", str(tmp / "sock.yaml")]),
        Case("export-excel -o ESC name", ["export-excel", EXAMPLE, "-o", "\x1b[2J.xlsx"], expect=0),
        Case("report --title with ESC", ["report", EXAMPLE, "-o", "esc.html", "--title",
                                         "Plan \x1b[2J"], check="esc.html"),
        Case("report FILE -o FILE --overwrite", ["report", str(tmp / "copy.yaml"), "-o",
                                                 str(tmp / "copy.yaml"), "--overwrite"]),
        Case("validate directory", ["validate", str(tmp / "dir.yaml")]),
        Case("validate ''", ["validate", ""]),
        Case("run --json > /dev/full", ["run", EXAMPLE, "--json"], stdout="full"),
        Case("run > /dev/full", ["run", EXAMPLE], stdout="full"),
        Case("validate > /dev/full", ["validate", EXAMPLE], stdout="full"),
        Case("report > /dev/full", ["report", EXAMPLE, "-o", "full.html"], stdout="full"),
        Case("run --json, stdout closed", ["run", EXAMPLE, "--json"], stdout="closed"),
        Case("run, stdout closed", ["run", EXAMPLE], stdout="closed"),
        Case("run --json | head -c1", ["run", EXAMPLE, "--json"], stdout="pipe-head",
             expect=0),
        Case("run | head -c1", ["run", EXAMPLE], stdout="pipe-head", expect=0),
        Case("SIGINT during run", ["run", EXAMPLE], sigint_after=1.0, expect=130),
        Case("SIGINT during report", ["report", EXAMPLE, "-o", "int.html"], sigint_after=1.5,
             expect=130, check="int.html"),
        Case("report -o same.pdf --pdf", ["report", EXAMPLE, "-o", "same.pdf", "--pdf"],
             check="same.pdf"),
        Case("report --pdf, PDF exists", ["report", EXAMPLE, "-o", "exists.html", "--pdf"],
             check="exists.html"),
        Case("report --pdf, PDF is a directory", ["report", EXAMPLE, "-o", "pdfdir.html",
                                                  "--pdf", "--overwrite"],
             check="pdfdir.html"),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    opts = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="roi_probe_") as name:
        tmp = Path(name)
        for case in cases(tmp):
            if opts.k not in case.name:
                continue
            out = run(case, tmp)
            left = case.check is not None and (tmp / case.check).exists()
            if case.expect == 0 and case.stdout == "pipe-head":
                good = out.code == 0 and out.lines == 0
            elif case.expect == 0:
                good = out.code == 0 and not out.traceback
            else:
                good = (out.code == case.expect and not out.traceback and out.lines == 1
                        and not left)
            rows.append((case.name, out, left, good))
            left_text = f"LEFT {case.check}" if left else ""
            print(f"{'ok ' if good else 'BAD'} {case.name:<34} exit {out.code:>4}  "
                  f"tb {'yes' if out.traceback else 'no ':<3} lines {out.lines:>3}  "
                  f"{out.seconds:5.1f} s {out.rss_mb:4.0f} MB  {left_text}  {out.first}",
                  flush=True)
    bad = sum(not r[3] for r in rows)
    print(f"\n{len(rows) - bad} of {len(rows)} cases keep the promise")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
