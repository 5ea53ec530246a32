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
    memo: dict[int, Any] = {}
    merged: dict[str, Any] = {k: _copy(v, memo) for k, v in base.items()}
    for key, value in (override or {}).items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping) and not _kind_changes(old, value):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = _copy(value, memo)
    return merged


def _kind_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return "kind" in new and "kind" in old and new["kind"] != old["kind"]


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    """A deep copy of mappings and lists that copies a shared object once.

    A YAML alias makes one object appear in many places; copying it anew at
    each place expands the alias (a "billion laughs" file to gigabytes), and
    a self-containing object would recurse forever. ``memo`` maps the id of
    each object copied so far to its copy, as :func:`copy.deepcopy` does.
    """
    if not isinstance(value, (Mapping, list, tuple)):
        return value
    done = memo.get(id(value))
    if done is not None:
        return done
    if isinstance(value, Mapping):
        out: Any = {}
        memo[id(value)] = out
        out.update((k, _copy(v, memo)) for k, v in value.items())
    else:
        out = []
        memo[id(value)] = out
        out.extend(_copy(v, memo) for v in value)
    return out


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
