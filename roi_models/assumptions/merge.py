"""Derived plans: a scenario is the base assumptions with overrides deep-merged onto them.

Merge rules (stated once, used by scenario files, the explorer and analyses):

- mappings merge key by key, recursively;
- lists and scalars replace;
- a spend schedule whose ``kind`` changes replaces the whole schedule
  (``{kind: linear, start: .., end: ..}`` onto a constant schedule does not
  keep the old ``amount``).
"""

from __future__ import annotations

from typing import Any, Mapping


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a new mapping: ``override`` merged onto ``base`` (neither is modified).

    Examples
    --------
    >>> deep_merge({"a": {"x": 1, "y": 2}, "b": 3}, {"a": {"y": 5}})
    {'a': {'x': 1, 'y': 5}, 'b': 3}
    >>> deep_merge({"spend": {"kind": "constant", "amount": 1}},
    ...            {"spend": {"kind": "linear", "start": 0, "end": 2}})
    {'spend': {'kind': 'linear', 'start': 0, 'end': 2}}
    """
    merged: dict[str, Any] = {k: _copy(v) for k, v in base.items()}
    for key, value in (override or {}).items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping) and not _kind_changes(old, value):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = _copy(value)
    return merged


def _kind_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return "kind" in new and "kind" in old and new["kind"] != old["kind"]


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``{"a.b.c": 1}`` into ``{"a": {"b": {"c": 1}}}`` (dotted paths to an override).

    >>> nest({"market.bass_q_annual": 0.5, "market.bass_p_annual": 0.02})
    {'market': {'bass_q_annual': 0.5, 'bass_p_annual': 0.02}}
    """
    out: dict[str, Any] = {}
    for path, value in values.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a nested mapping (KeyError if absent)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node
