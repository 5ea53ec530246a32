"""The Python API refuses the hostile inputs the command line refuses (issue 14), at the root.

The command line checks its arguments before it calls the package; a notebook or a script
calls the package directly, so the functions themselves must refuse cleanly: a FIFO as a
scenario file (a read would block forever), a name longer than the file system allows
(``OSError: File name too long`` from ``Path.exists()``), for reading and for writing.
"""

from __future__ import annotations

import datetime
import os
import threading

import pytest

import roi_models as rm
from roi_models.data import resolve_scenario_file
from roi_models.errors import InputError
from roi_models.report import ReportOptions, write_excel, write_report

LONG = "x" * 300  # NAME_MAX is 255 bytes on Linux file systems


@pytest.fixture(scope="module")
def results():
    return rm.run_scenarios(rm.load_shipped("small_fast_mover"))


def test_a_fifo_is_refused_at_once_not_read_forever(tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load():
        try:
            rm.load_scenario_file(fifo)
        except BaseException as exc:  # the test reports whatever was raised
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the reader before failing
        with open(fifo, "w"):
            pass
    assert not reader.is_alive(), "load_scenario_file blocked on a FIFO"
    # Expected: one InputError naming the file and saying what it is
    assert len(outcome) == 1 and isinstance(outcome[0], InputError)
    assert str(fifo) in str(outcome[0]) and "regular file" in str(outcome[0])


def test_a_name_too_long_to_exist_resolves_to_itself_and_loading_it_is_refused(tmp_path):
    name = str(tmp_path / f"{LONG}.yaml")
    assert str(resolve_scenario_file(name)) == name  # no OSError from Path.exists()
    with pytest.raises(InputError, match="bytes"):
        rm.load_scenario_file(name)


@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_writing_under_a_name_too_long_is_refused_before_any_work(results, tmp_path, suffix):
    target = tmp_path / f"{LONG}{suffix}"
    with pytest.raises(InputError, match="NAME_MAX"):
        if suffix == ".html":
            write_report(results, target, ReportOptions(date=datetime.date(2026, 1, 1)))
        else:
            write_excel(results, target)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temp file left
