"""Scenario files are read with ``yaml.safe_load`` only: python tags run nothing.

A file with ``!!python/object/apply:os.system [...]`` would run a shell command
under ``yaml.load(..., Loader=yaml.Loader)`` / ``unsafe_load``. Each case below
asks the shell to create a marker file; the test checks that loading raises
:class:`InputError` naming the file and position, and that the marker was
never written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from roi_models.assumptions import load_scenario_file, parse_scenario_text
from roi_models.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "b2b_it_services.yaml"

TAGS = {
    "apply-os-system": '!!python/object/apply:os.system ["touch {marker}"]',
    "apply-subprocess": '!!python/object/apply:subprocess.check_call [["touch", "{marker}"]]',
    "new-object": '!!python/object/new:os.system ["touch {marker}"]',
    "name": "!!python/name:os.system ''",
}


@pytest.mark.parametrize("tag", TAGS.values(), ids=TAGS.keys())
@pytest.mark.parametrize("where", ["whole-file", "top-level-value", "deep-value"])
def test_python_tags_are_refused_and_run_nothing(tmp_path, tag, where):
    marker = tmp_path / "pwned"
    node = tag.format(marker=marker)
    if where == "whole-file":
        text = node + "\n"
    elif where == "top-level-value":
        text = f"name: {node}\n" + EXAMPLE.read_text(encoding="utf-8").split("\n", 1)[1]
    else:
        text = EXAMPLE.read_text(encoding="utf-8").replace(
            "potential_customers: {value: 6000,", f"potential_customers: {{value: {node},", 1
        )
        assert node in text
    target = tmp_path / "evil.yaml"
    target.write_text(text, encoding="utf-8")

    with pytest.raises(InputError) as info:
        load_scenario_file(target)

    assert type(info.value) is InputError
    message = str(info.value)
    assert message.startswith(str(target))
    assert "not valid YAML" in message and "line " in message and "column " in message
    assert "python/" in message  # names the refused tag
    assert not marker.exists(), "a python tag was executed"


def test_parse_scenario_text_refuses_python_tags(tmp_path, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd) or 0)
    with pytest.raises(InputError):
        parse_scenario_text('!!python/object/apply:os.system ["echo hi"]', source="pasted")
    assert calls == []
