"""The command line never shows a traceback (issue 14): hostile arguments, inputs and outputs.

Each class of hostile use is driven by generated cases in process (``main([...])``, fast: every
refusal here happens before the model runs) and checked once more as a console script under
``prlimit --as`` (1 GB of address space) with a time bound (:func:`hostile.run_cli`,
:func:`hostile.assert_refused`: exit 2, one ``error:`` line naming the argument or file, no
traceback, no raw control character). Expected figures: the file system here allows 255 bytes
in a name (NAME_MAX) and 4,095 in a path (PATH_MAX 4,096 with its NUL), as ``os.pathconf``
reports on Linux.

``tools/probe_cli_hostile.py`` runs the same classes (and more) as a table for a person.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roi_models.cli import EXIT_INTERRUPTED, main
from roi_models.data import scenario_path


def _helpers():
    """tests/assumptions/hostile.py: the bounded CLI run shared by the hostile-input tests."""
    if "hostile" not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "assumptions" / "hostile.py"
        spec = importlib.util.spec_from_file_location("hostile", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["hostile"] = module
        spec.loader.exec_module(module)
    return sys.modules["hostile"]


hostile = _helpers()
B2B = str(scenario_path("b2b_it_services"))
IN_PROCESS = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
NAME_MAX, PATH_MAX = 255, 4096


def _main(capsys, argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` in process: (exit status, stdout, stderr); argparse's exit is caught."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refuses a bad option value itself
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line_refusal(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert not hostile.CONTROL.search(err), err
    for needle in needles:
        assert needle in err, (needle, err)


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------ output names
NAME_CHARS = st.sampled_from("abcXYZ09_-.é€")  # é is 2 bytes, € 3: NAME_MAX counts bytes


@st.composite
def bad_output_names(draw) -> tuple[str, str]:
    """(a name no file system holds, the words its refusal must contain)."""
    kind = draw(st.sampled_from(["empty", "folder", "long name", "long path"]))
    if kind == "empty":
        return "", "an empty file name"
    if kind == "folder":
        return draw(st.sampled_from([".", "..", "out/", "./", "a/b/"])), "names a folder"
    if kind == "long name":
        stem = draw(st.text(NAME_CHARS, min_size=NAME_MAX + 1, max_size=400))
        return stem + ".html", "NAME_MAX"
    part = draw(st.text(NAME_CHARS, min_size=50, max_size=NAME_MAX // 3))  # <= 255 bytes
    count = PATH_MAX // (len(part.encode()) + 1) + 1
    return "/".join([part] * count) + "/r.html", "PATH_MAX"


@IN_PROCESS
@given(case=bad_output_names(), command=st.sampled_from(["report", "export-excel"]),
       overwrite=st.booleans())
def test_an_output_name_no_file_system_holds_is_refused_in_one_line(capsys, tmp_path_factory,
                                                                    case, command, overwrite):
    folder = tmp_path_factory.mktemp("names")
    name, words = case
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code, _, err = _main(capsys, [command, B2B, f"--output={name}"]
                             + (["--overwrite"] if overwrite else []))
    finally:
        os.chdir(cwd)
    _one_line_refusal(code, err, words)
    assert _listing(folder) == []  # nothing written anywhere


@pytest.mark.parametrize("name, words", [("", "an empty file name"),
                                         ("r" * 300 + ".html", "a name of 305 bytes")])
def test_the_console_script_refuses_bad_output_names(tmp_path, name, words):
    run = hostile.run_cli("report", B2B, "-o", name)
    hostile.assert_refused(run, words)


def test_a_scenario_file_name_longer_than_name_max_is_refused():
    run = hostile.run_cli("run", "p" * 300 + ".yaml")
    hostile.assert_refused(run, "a name of 305 bytes", "NAME_MAX")


# ------------------------------------------------------------------ --scenario twice
SCENARIOS = ["status_quo", "traditional", "social", "blended"]


@IN_PROCESS
@given(names=st.lists(st.sampled_from(SCENARIOS), min_size=2, max_size=6)
       .filter(lambda n: len(set(n)) < len(n)),
       command=st.sampled_from(["run", "report"]))
def test_a_scenario_named_twice_is_refused(capsys, tmp_path_factory, names, command):
    folder = tmp_path_factory.mktemp("twice")
    twice = next(n for i, n in enumerate(names) if n in names[:i])
    argv = [command, B2B]
    if command in ("report", "export-excel"):
        argv += ["-o", str(folder / "out")]
    for n in names:
        argv += ["--scenario", n]
    code, out, err = _main(capsys, argv)
    _one_line_refusal(code, err, "--scenario", repr(twice), "given twice")
    assert out == "" and _listing(folder) == []


def test_the_console_script_refuses_a_scenario_named_twice():
    run = hostile.run_cli("run", B2B, "--scenario", "social", "--scenario", "social")
    hostile.assert_refused(run, "--scenario = 'social'", "given twice")


# ------------------------------------------------------------------ non-UTF-8 and control text
def _not_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


NOT_UTF8 = st.binary(min_size=1, max_size=30).filter(_not_utf8).filter(lambda b: b"\0" not in b)
CONTROLS = st.sampled_from(["\x1b[2J", "\x07", "\r", "\n", "\t", "\x9b", "\u202e", "\x00x"])


@IN_PROCESS
@given(title=st.one_of(NOT_UTF8.map(os.fsdecode),
                       st.tuples(st.text(max_size=10), CONTROLS).map("".join)))
def test_a_title_that_is_not_plain_utf8_text_is_refused(capsys, tmp_path_factory, title):
    if "\x00" in title:
        title = title.replace("\x00", "\x01")  # argv cannot hold NUL; \x01 is a control too
    folder = tmp_path_factory.mktemp("title")
    code, _, err = _main(capsys, ["report", B2B, "-o", str(folder / "r.html"), "--title", title])
    _one_line_refusal(code, err, "--title")
    assert _listing(folder) == []


@IN_PROCESS
@given(raw=NOT_UTF8.filter(lambda b: b"/" not in b))
def test_a_missing_file_with_a_non_utf8_name_is_named_with_escapes(capsys, raw):
    code, _, err = _main(capsys, ["run", os.fsdecode(b"missing-" + raw + b".yaml")])
    _one_line_refusal(code, err, "missing-", "file not found")


def test_non_utf8_and_control_characters_in_names_reach_the_terminal_escaped(tmp_path):
    odd = os.fsencode(tmp_path) + b"/plan\xff\x1b[2J.yaml"
    Path(os.fsdecode(odd)).write_bytes(Path(B2B).read_bytes())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}  # as under a strict UTF-8 locale
    start = time.perf_counter()
    for argv in (["validate", odd], ["export-excel", B2B, "-o", odd[:-5] + b".xlsx"]):
        proc = subprocess.run([str(hostile.ROI_MODELS), *argv], capture_output=True, env=env,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr[-1000:]
        assert b"\x1b" not in proc.stdout and b"\xff" not in proc.stdout  # escaped
        assert b"\\x1b[2J" in proc.stdout and b"\\udcff" in proc.stdout, proc.stdout
    assert time.perf_counter() - start < 2 * hostile.CLI_SECONDS
    assert Path(os.fsdecode(odd[:-5] + b".xlsx")).stat().st_size > 0


def test_the_console_script_refuses_a_non_utf8_title(tmp_path):
    run = hostile.run_cli("report", B2B, "-o", str(tmp_path / "r.html"), "--title",
                          os.fsdecode(b"Plan \xff"))
    hostile.assert_refused(run, "--title", "not UTF-8")
    assert _listing(tmp_path) == []


# ------------------------------------------------------------------ non-regular inputs
def _make_input(kind: str, folder: Path) -> str:
    path = folder / "plan.yaml"
    if kind in ("/dev/zero", "/dev/urandom", "/dev/null"):
        return kind
    if kind == "fifo":
        os.mkfifo(path)  # no writer: opening it would block for ever
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "directory":
        path.mkdir()
    elif kind == "link to a fifo":
        os.mkfifo(folder / "pipe")
        path.symlink_to(folder / "pipe")
    return str(path)


INPUT_KINDS = ["/dev/zero", "/dev/urandom", "/dev/null", "fifo", "socket", "directory",
               "link to a fifo"]
KIND_WORDS = {"/dev/zero": "character device", "/dev/urandom": "character device",
              "/dev/null": "character device", "fifo": "FIFO", "socket": "socket",
              "directory": "directory", "link to a fifo": "FIFO"}


@IN_PROCESS
@given(kind=st.sampled_from(INPUT_KINDS),
       command=st.sampled_from(["validate", "run", "report", "export-excel", "sensitivity"]))
def test_an_input_that_is_not_a_regular_file_is_refused_without_reading_it(
        capsys, tmp_path_factory, kind, command):
    folder = tmp_path_factory.mktemp("input")
    source = _make_input(kind, folder)
    argv = [command, source] + (["-o", str(folder / "out")]
                                if command in ("report", "export-excel") else [])
    start = time.perf_counter()
    code, out, err = _main(capsys, argv)
    assert time.perf_counter() - start < hostile.PARSE_SECONDS * 4  # refused before any read
    _one_line_refusal(code, err, source, KIND_WORDS[kind], "not a regular file")
    assert out == "" and not (folder / "out").exists()


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo"])
def test_the_console_script_refuses_non_regular_inputs(tmp_path, kind):
    source = _make_input(kind, tmp_path)
    hostile.assert_refused(hostile.run_cli("validate", source, timeout=30), source,
                           "not a regular file")


# ------------------------------------------------------------------ standard output
def _run_with_stdout(stdout: str, *argv: str) -> tuple[int, bytes, float]:
    cmd = ["prlimit", f"--as={hostile.AS_LIMIT}", "--", str(hostile.ROI_MODELS), *argv]
    if stdout == "closed":
        cmd = ["sh", "-c", 'exec "$@" >&-', "sh", *cmd]
    start = time.perf_counter()
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(cmd, stdout=full if stdout == "full" else None,
                              stderr=subprocess.PIPE, timeout=120, check=False)
    return proc.returncode, proc.stderr, time.perf_counter() - start


@pytest.mark.parametrize("stdout", ["full", "closed"])
@pytest.mark.parametrize("argv", [["validate", B2B], ["run", B2B, "--json"], ["run", B2B]],
                         ids=["validate", "run --json", "run"])
def test_standard_output_that_cannot_be_written_is_one_line(stdout, argv):
    code, err, seconds = _run_with_stdout(stdout, *argv)
    text = err.decode("utf-8", "backslashreplace")
    # Expected: exit 2 and one line naming standard output, never "Exception ignored" (the
    # interpreter's own last flush) or an OSError traceback
    assert code == 2 and text.startswith("error: standard output") and text.count("\n") == 1, text
    assert "Traceback" not in text and "Exception ignored" not in text
    assert seconds < hostile.CLI_SECONDS


def test_a_reader_that_goes_away_ends_the_command_quietly():
    proc = subprocess.Popen([str(hostile.ROI_MODELS), "run", B2B, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(1) == b"{"
    proc.stdout.close()  # `| head -c1`
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0 and err == b"", err


# ------------------------------------------------------------------ Ctrl-C
def _wait_for_numpy(pid: int, timeout: float = 60.0) -> None:
    """Until the child has loaded numpy: it is then inside a command, past main()'s start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text():
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError("the child never loaded numpy")


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", ["run", "report"])
def test_ctrl_c_prints_one_line_and_exits_130(tmp_path, command):
    argv = [str(hostile.ROI_MODELS), command, B2B]
    if command == "report":
        argv += ["-o", str(tmp_path / "r.html")]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_numpy(proc.pid)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = err.decode()
    assert proc.returncode == EXIT_INTERRUPTED, text
    assert text.startswith("error: interrupted") and text.count("\n") == 1, text
    assert "KeyboardInterrupt" not in text and "Traceback" not in text
    assert _listing(tmp_path) == []  # no report, no temporary file


# ------------------------------------------------------------------ --pdf and the targets
@IN_PROCESS
@given(case=st.sampled_from(["same name", "pdf exists", "pdf is a directory",
                             "pdf is a fifo", "html is the scenario file"]),
       overwrite=st.booleans())
def test_every_target_is_checked_before_anything_is_written(capsys, tmp_path_factory, case,
                                                            overwrite):
    folder = tmp_path_factory.mktemp("pdf")
    html, pdf = folder / "r.html", folder / "r.pdf"
    source = B2B
    if case == "same name":
        html = pdf
    elif case == "pdf exists":
        pdf.write_bytes(b"%PDF the user's own")
        if overwrite:
            return  # replacing it is what --overwrite asks for (and needs a browser)
    elif case == "pdf is a directory":
        pdf.mkdir()
    elif case == "pdf is a fifo":
        os.mkfifo(pdf)
    else:
        html = folder / "plan.yaml"
        html.write_bytes(Path(B2B).read_bytes())
        source = str(html)
        if not overwrite:
            return  # refused as an existing file: covered by the report tests
    before = {p.name: p.lstat().st_mode for p in folder.iterdir()}
    code, out, err = _main(capsys, ["report", source, "-o", str(html), "--pdf"]
                           + (["--overwrite"] if overwrite else []))
    _one_line_refusal(code, err, str(pdf if case.startswith("pdf") else html))
    assert out == ""
    assert {p.name: p.lstat().st_mode for p in folder.iterdir()} == before  # nothing written
    if case == "pdf exists":
        assert pdf.read_bytes() == b"%PDF the user's own"


def test_the_console_script_refuses_html_and_pdf_of_the_same_name(tmp_path):
    run = hostile.run_cli("report", B2B, "-o", str(tmp_path / "same.pdf"), "--pdf")
    hostile.assert_refused(run, "same.pdf", "--pdf would print the PDF over this HTML report")
    assert _listing(tmp_path) == []
