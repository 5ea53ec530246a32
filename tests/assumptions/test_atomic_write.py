"""Saving is atomic and never overwrites a user's file unasked.

The promise under test (project issue): "Writing files is atomic and never
overwrites a user's file unasked." :func:`save_scenario_file` writes through
:func:`roi_models.files.write_atomic`: a temporary file in the target folder,
then a hard link (no overwrite) or ``os.replace`` (overwrite=True). After
success or failure the folder holds no temporary file, and a refused or
failed write leaves the user's bytes as they were.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from roi_models import files
from roi_models.assumptions import dump_scenario_yaml, load_scenario_file, save_scenario_file
from roi_models.errors import InputError
from roi_models.files import write_atomic

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "b2b_it_services.yaml"
USER_BYTES = b"# my own notes, not a scenario file\nkeep: me\n"


@pytest.fixture(scope="module")
def sf():
    return load_scenario_file(EXAMPLE)


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_save_writes_the_file_and_nothing_else(tmp_path, sf):
    target = save_scenario_file(sf, tmp_path / "plan.yaml")
    assert target == tmp_path / "plan.yaml"
    assert _listing(tmp_path) == ["plan.yaml"]
    assert target.read_text(encoding="utf-8") == dump_scenario_yaml(sf)
    assert load_scenario_file(target) == sf


def test_save_accepts_a_string_path(tmp_path, sf):
    save_scenario_file(sf, str(tmp_path / "plan.yaml"))
    assert _listing(tmp_path) == ["plan.yaml"]


def test_refuses_to_overwrite_without_being_asked(tmp_path, sf):
    target = tmp_path / "plan.yaml"
    target.write_bytes(USER_BYTES)
    with pytest.raises(InputError) as info:
        save_scenario_file(sf, target)
    assert type(info.value) is InputError
    message = str(info.value)
    assert str(target) in message
    assert "already exists" in message and "overwrite=True" in message
    assert target.read_bytes() == USER_BYTES
    assert _listing(tmp_path) == ["plan.yaml"]


def test_refuses_even_identical_content_without_being_asked(tmp_path, sf):
    target = save_scenario_file(sf, tmp_path / "plan.yaml")
    before = target.read_bytes()
    with pytest.raises(InputError):
        save_scenario_file(sf, target)
    assert target.read_bytes() == before


def test_overwrites_when_asked(tmp_path, sf):
    target = tmp_path / "plan.yaml"
    target.write_bytes(USER_BYTES)
    save_scenario_file(sf, target, overwrite=True)
    assert load_scenario_file(target) == sf
    assert _listing(tmp_path) == ["plan.yaml"]


def test_overwrite_true_also_creates_a_new_file(tmp_path, sf):
    save_scenario_file(sf, tmp_path / "plan.yaml", overwrite=True)
    assert _listing(tmp_path) == ["plan.yaml"]


def test_refuses_a_missing_folder(tmp_path, sf):
    target = tmp_path / "no_such_folder" / "plan.yaml"
    with pytest.raises(InputError) as info:
        save_scenario_file(sf, target)
    assert type(info.value) is InputError
    message = str(info.value)
    assert str(target) in message and "folder does not exist" in message
    assert _listing(tmp_path) == []


def test_refuses_a_missing_folder_with_overwrite(tmp_path, sf):
    with pytest.raises(InputError):
        save_scenario_file(sf, tmp_path / "no_such_folder" / "plan.yaml", overwrite=True)
    assert _listing(tmp_path) == []


# ------------------------------------------------------------------ failures mid-write
def test_failure_while_writing_leaves_no_temporary_file(tmp_path):
    # A lone surrogate cannot be encoded as UTF-8: the write fails half-way.
    with pytest.raises(UnicodeEncodeError):
        write_atomic(tmp_path / "plan.yaml", "ok so far \udc80 then broken")
    assert _listing(tmp_path) == []


def test_failure_while_writing_keeps_the_original(tmp_path):
    target = tmp_path / "plan.yaml"
    target.write_bytes(USER_BYTES)
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "broken \udc80", overwrite=True)
    assert target.read_bytes() == USER_BYTES
    assert _listing(tmp_path) == ["plan.yaml"]


def test_failure_when_moving_into_place_keeps_the_original(tmp_path, sf, monkeypatch):
    target = tmp_path / "plan.yaml"
    target.write_bytes(USER_BYTES)

    def failing_replace(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(InputError, match="cannot be written") as info:
        save_scenario_file(sf, target, overwrite=True)
    assert "plan.yaml" in str(info.value)
    assert target.read_bytes() == USER_BYTES
    assert _listing(tmp_path) == ["plan.yaml"]


def test_file_system_without_hard_links_still_saves(tmp_path, sf, monkeypatch):
    def failing_link(src, dst):
        raise OSError("Operation not permitted (simulated)")

    monkeypatch.setattr(files.os, "link", failing_link)
    save_scenario_file(sf, tmp_path / "plan.yaml")
    assert _listing(tmp_path) == ["plan.yaml"]


def test_failure_when_both_link_and_replace_fail_leaves_nothing(tmp_path, sf, monkeypatch):
    monkeypatch.setattr(files, "_HAVE_O_TMPFILE", False)  # the named fallback

    def failing(src, dst):
        raise OSError("I/O error (simulated)")

    monkeypatch.setattr(files.os, "link", failing)
    monkeypatch.setattr(files.os, "replace", failing)
    with pytest.raises(InputError, match="cannot be written"):
        save_scenario_file(sf, tmp_path / "plan.yaml")
    assert _listing(tmp_path) == []


def test_overwrite_keeps_the_permissions_of_the_replaced_file(tmp_path, sf):
    target = tmp_path / "plan.yaml"
    target.write_bytes(USER_BYTES)
    target.chmod(0o600)
    save_scenario_file(sf, target, overwrite=True)
    assert target.stat().st_mode & 0o777 == 0o600


def test_file_appearing_during_the_write_is_not_overwritten(tmp_path, sf, monkeypatch):
    """A user's file created between the existence check and the move survives."""
    monkeypatch.setattr(files, "_HAVE_O_TMPFILE", False)  # the named fallback
    target = tmp_path / "plan.yaml"
    real_link = os.link

    def link_after_user_saved(src, dst):
        Path(dst).write_bytes(USER_BYTES)  # the user saves at the worst moment
        return real_link(src, dst)

    monkeypatch.setattr(files.os, "link", link_after_user_saved)
    with pytest.raises(InputError) as info:
        save_scenario_file(sf, target)
    assert type(info.value) is InputError
    assert "already exists" in str(info.value)
    assert target.read_bytes() == USER_BYTES
    assert _listing(tmp_path) == ["plan.yaml"]


@pytest.mark.skipif(not files._HAVE_O_TMPFILE, reason="no O_TMPFILE on this system")
def test_unnamed_file_appearing_during_the_write_is_not_overwritten(tmp_path, sf, monkeypatch):
    """The O_TMPFILE path: linkat refuses an existing name, so the user's file survives."""
    target = tmp_path / "plan.yaml"
    real_link_fd = files._link_fd

    def link_after_user_saved(fd, name):
        Path(name).write_bytes(USER_BYTES)
        return real_link_fd(fd, name)

    monkeypatch.setattr(files, "_link_fd", link_after_user_saved)
    with pytest.raises(InputError, match="already exists"):
        save_scenario_file(sf, target)
    assert target.read_bytes() == USER_BYTES
    assert _listing(tmp_path) == ["plan.yaml"]


@pytest.mark.skipif(not files._HAVE_O_TMPFILE, reason="no O_TMPFILE on this system")
def test_unnamed_file_failing_to_link_leaves_nothing(tmp_path, sf, monkeypatch):
    def failing(fd, name):
        raise OSError(5, "I/O error (simulated)")

    monkeypatch.setattr(files, "_link_fd", failing)
    with pytest.raises(InputError, match="cannot be written"):
        save_scenario_file(sf, tmp_path / "plan.yaml")
    assert _listing(tmp_path) == []


# ------------------------------------------------------------------ write_atomic itself
def test_write_atomic_bytes_and_text(tmp_path):
    write_atomic(tmp_path / "a.bin", b"\x00\x01")
    write_atomic(tmp_path / "b.txt", "line\nnext €\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    # text is UTF-8 with \n line ends on every platform
    assert (tmp_path / "b.txt").read_bytes() == "line\nnext €\n".encode("utf-8")
    assert _listing(tmp_path) == ["a.bin", "b.txt"]


def test_written_file_is_readable_by_others(tmp_path):
    target = write_atomic(tmp_path / "plan.yaml", "x: 1\n")
    # mkstemp creates 0600 files; the result should be an ordinary 0644 file.
    assert target.stat().st_mode & 0o777 == 0o644
