"""Writing files never destroys what is not ours (issue 14): ``--overwrite`` replaces a regular
file or a symbolic link and nothing else, and a write killed mid-way leaves nothing behind.

Expected behaviour (``roi_models.files``): an existing target that is a directory, a FIFO, a
socket or a device is refused with or without ``overwrite`` and stays what it was (as root,
``report -o /dev/null --overwrite`` used to replace the null device with a regular file; the
tests use a character device made in a temporary folder, never the real ``/dev/null``). A
writer killed by SIGKILL or SIGTERM while writing leaves no temporary file where O_TMPFILE
exists (Linux); with the named fallback its ``.NAME.PID.*.tmp`` file is removed by the next
write to the same target.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hostile import EXAMPLE, assert_refused, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from roi_models import files
from roi_models.errors import InputError
from roi_models.files import write_atomic

USER_BYTES = b"the user's own file\n"


def _make(kind: str, path: Path) -> None:
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "char device":
        try:  # a second null device (major 1, minor 3), in the test's own folder
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("creating a device node needs root")
    else:
        raise ValueError(kind)


def _kind(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


KINDS = ["directory", "fifo", "socket", "char device"]


@settings(max_examples=30)
@given(kind=st.sampled_from(KINDS), overwrite=st.booleans(),
       data=st.one_of(st.binary(max_size=2000), st.text(max_size=200)))
def test_a_target_that_is_not_a_regular_file_is_refused_and_left_alone(tmp_path_factory, kind,
                                                                       overwrite, data):
    folder = tmp_path_factory.mktemp("target")
    target = folder / "out.html"
    _make(kind, target)
    before = _kind(target)
    with pytest.raises(InputError) as info:
        write_atomic(target, data, overwrite=overwrite)
    # Expected: the message names the target and what it is; the target keeps its type.
    assert str(target) in str(info.value) and "not a regular file" in str(info.value)
    assert _kind(target) == before
    assert sorted(p.name for p in folder.iterdir()) == ["out.html"]


def test_a_symbolic_link_is_replaced_itself_not_followed(tmp_path):
    # Expected (as before): --overwrite replaces the link with the new file; the file the
    # link pointed at keeps its bytes.
    pointed = tmp_path / "elsewhere.html"
    pointed.write_bytes(USER_BYTES)
    link = tmp_path / "out.html"
    link.symlink_to(pointed)
    write_atomic(link, "new", overwrite=True)
    assert not link.is_symlink() and link.read_text() == "new"
    assert pointed.read_bytes() == USER_BYTES


@pytest.mark.parametrize("command, kind", [("report", "char device"), ("report", "directory"),
                                           ("export-excel", "fifo"),
                                           ("export-excel", "char device")])
def test_the_cli_refuses_to_overwrite_what_is_not_a_file(tmp_path, command, kind):
    target = tmp_path / ("out.html" if command == "report" else "out.xlsx")
    _make(kind, target)
    run = run_cli(command, str(EXAMPLE), "-o", str(target), "--overwrite", timeout=120)
    assert_refused(run, str(target), "not a regular file", seconds=60)
    assert stat.S_IFMT(os.lstat(target).st_mode) == {
        "char device": stat.S_IFCHR, "directory": stat.S_IFDIR, "fifo": stat.S_IFIFO}[kind]
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# --------------------------------------------------------------------------- killed writers
CHILD = textwrap.dedent("""
    import os, sys, time
    import roi_models.files as files
    target, mode = sys.argv[1], sys.argv[2]
    if mode == "named":
        files._HAVE_O_TMPFILE = False
    real_write = os.write
    told = []
    def slow_write(fd, data):
        written = real_write(fd, data)
        if not told:
            told.append(1)
            print("writing", flush=True)
        time.sleep(0.02)
        return written
    files.os.write = slow_write   # os.write of this child only
    files._CHUNK = 1 << 16        # 128 chunks of 64 kB: about 2.5 s of writing
    files.write_atomic(target, b"x" * (8 << 20), overwrite=True)
    print("done", flush=True)
""")


def _killed_writer(target: Path, mode: str, sig: int) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(target), mode],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
        child.send_signal(sig)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -sig  # killed mid-write, not finished


@pytest.mark.skipif(not files._HAVE_O_TMPFILE, reason="no O_TMPFILE on this system")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_a_killed_write_leaves_nothing_beside_the_target(tmp_path, sig, existing):
    target = tmp_path / "report.html"
    if existing:
        target.write_bytes(USER_BYTES)
    _killed_writer(target, "unnamed", sig)
    # Expected: the folder holds exactly what it held before (no hidden partial file, up to
    # 4 MB before the fix), and an existing target keeps its bytes.
    assert sorted(p.name for p in tmp_path.iterdir()) == (["report.html"] if existing else [])
    if existing:
        assert target.read_bytes() == USER_BYTES


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_without_o_tmpfile_the_next_write_removes_what_a_killed_writer_left(tmp_path, sig):
    target = tmp_path / "report.html"
    target.write_bytes(USER_BYTES)
    _killed_writer(target, "named", sig)
    left = sorted(p.name for p in tmp_path.iterdir())
    # Expected: the named fallback leaves its partial file (SIGKILL cannot be caught) ...
    assert len(left) == 2 and left[0].startswith(".report.html.") and left[0].endswith(".tmp")
    assert target.read_bytes() == USER_BYTES
    # ... and the next write to the same target removes it, whichever path it takes.
    other = tmp_path / ".other.html.1.abcd.tmp"  # not this target's: left alone
    other.write_bytes(b"")
    write_atomic(target, "new report", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "report.html"]
    assert target.read_text() == "new report"
