"""Reading YAML text into plain data, bounded before anything is expanded.

A scenario file is small: a few hundred values, no list longer than the
horizon (at most 240 months), a handful of levels deep. This module refuses
anything else *while the text is parsed*, from libyaml's event stream, before
PyYAML composes the node graph or builds Python objects; so a hostile file is
refused in milliseconds, whatever it would expand to:

- **size**: at most :data:`MAX_FILE_BYTES` (1 MB; the shipped files are 15-25 kB);
- **aliases**: ``&anchor``/``*alias`` and ``<<`` merges are allowed, but the
  document may expand to at most :data:`MAX_NODES` values counted with every
  alias expanded (a "billion laughs" bomb is refused at the first alias that
  crosses the budget); an alias to a node that is still open (``&r {x: *r}``)
  is refused as self-referencing;
- **shape**: at most :data:`MAX_DEPTH` levels, :data:`MAX_ITEMS` items per list
  (the longest horizon), :data:`MAX_KEYS` keys per mapping, keys plain text;
- **duplicate keys** are refused naming the key and both lines (PyYAML keeps the
  last one silently);
- **YAML 1.1 traps**: a plain ``060`` is read as octal 48 and ``1:00`` as 60
  (base 60); both are refused with the reading shown;
- **long numbers**: at most :data:`MAX_DIGITS` digits (Python refuses to
  convert integers over 4,300 digits; no figure of the model needs 40);
- **tags**: only YAML's own plain tags (str, int, float, bool, null,
  timestamp, seq, map, merge); ``!!python/...`` and the like are refused
  (the safe loader would refuse them too: no tag ever runs code);
- **values** that a constructor cannot build (``2024-02-30``, ``!!float abc``,
  ``!!bool abc``, ``!!timestamp abc``) are refused the same way.

Every refusal is an :class:`roi_models.errors.InputError` naming the file, the
field path with line and column, the value (shortened) and what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from ..errors import InputError

MAX_FILE_BYTES = 1_000_000
"""Largest scenario file read (1 MB: forty times the largest shipped file)."""
MAX_NODES = 50_000
"""Most values (scalars, lists and mappings) a document may hold with every alias expanded."""
MAX_DEPTH = 32
"""Deepest nesting of lists and mappings (the schema needs 6)."""
MAX_ITEMS = 240
"""Longest list: an explicit spend schedule of the longest horizon (240 months)."""
MAX_KEYS = 1_000
"""Most keys in one mapping."""
MAX_DIGITS = 40
"""Most digits in a number (float64 holds 17 significant digits)."""

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(_TAG + t for t in (
    "str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge"))
_RESOLVER = yaml.resolver.Resolver()
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_DIGIT = re.compile(r"[0-9a-fA-F]")
_DECIMAL = re.compile(r"[0-9]")


@dataclass
class _Frame:
    """An open list or mapping of the event stream."""

    kind: str  # "seq" or "map"
    path: str
    anchor: str | None
    size: int = 1  # values in this subtree, aliases expanded
    items: int = 0
    keys: dict[str, int] = field(default_factory=dict)  # key -> line
    key: str | None = None
    expect_key: bool = True


class _NodeError(Exception):
    """A constructor failed on one node (carried out of PyYAML with the node)."""

    def __init__(self, node: yaml.Node, exc: BaseException):
        super().__init__(str(exc))
        self.node, self.exc = node, exc


class _Loader(_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader; a constructor's error carries the node it failed on."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except _NodeError:
            raise
        except Exception as exc:  # every constructor error becomes one clean refusal
            raise _NodeError(node, exc) from None


def _where(path: str, mark: Any) -> str:
    at = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    if path and at:
        return f"{path} ({at})"
    return path or at


def _refuse(source: str, path: str, mark: Any, value: Any, allowed: str) -> InputError:
    return InputError.one(source, _where(path, mark), value, allowed)


def check_size(text: str | bytes, source: str) -> None:
    """Refuse a text longer than :data:`MAX_FILE_BYTES` (before it is parsed)."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > MAX_FILE_BYTES:
        raise InputError.one(
            source, "", None,
            f"the file has {size:,} bytes or more; a scenario file has at most "
            f"{MAX_FILE_BYTES:,} bytes (1 MB; the shipped ones have about 20,000)",
        )


def load_yaml(text: str, source: str = "<text>") -> Any:
    """Parse YAML text into plain Python data, refusing anything unbounded or ambiguous.

    Parameters
    ----------
    text : str
        The YAML text.
    source : str
        The file name shown in error messages.

    Returns
    -------
    Any
        What ``yaml.safe_load`` would return (None for an empty document).

    Raises
    ------
    InputError
        For any of the refusals listed in the module docstring, and for text
        that is not valid YAML; the message names the field path, line and column.

    Examples
    --------
    >>> load_yaml("a: 1\\nb: [x, y]")
    {'a': 1, 'b': ['x', 'y']}
    >>> load_yaml("months: 060", "plan.yaml")
    Traceback (most recent call last):
    ...
    roi_models.errors.InputError: plan.yaml: months (line 1, column 9) = '060': YAML 1.1 reads \
a plain 060 as the octal number 48; write 48 or 60 as meant, or quote it ('060') for text
    """
    check_size(text, source)
    try:
        _scan(text, source)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        try:
            return loader.construct_document(root)
        except _NodeError as err:
            raise _constructor_error(err, root, source) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return _refuse(source, "", mark, "(YAML)", f"not valid YAML: {problem}"[:300])


def _scan(text: str, source: str) -> None:
    """Walk libyaml's events once: count, measure and check before anything is built."""
    stack: list[_Frame] = []
    sizes: dict[str, int] = {}  # anchor -> values in its subtree, aliases expanded
    total = 0
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            done = stack.pop()
            if done.anchor is not None:
                sizes[done.anchor] = done.size
            if stack:
                stack[-1].size += done.size
            continue
        if not isinstance(event, (ScalarEvent, AliasEvent, SequenceStartEvent,
                                  MappingStartEvent)):
            continue  # stream and document events
        mark = event.start_mark
        parent = stack[-1] if stack else None
        if parent is not None and parent.kind == "map" and parent.expect_key:
            _take_key(parent, event, source)
            total += 1
            parent.size += 1
            continue
        if parent is None:
            path = ""
        elif parent.kind == "map":
            path = f"{parent.path}.{parent.key}" if parent.path else str(parent.key)
            parent.expect_key = True
        else:
            path = f"{parent.path}[{parent.items}]"
            parent.items += 1
            if parent.items > MAX_ITEMS:
                raise _refuse(source, parent.path or "(top)", mark, f"{parent.items}+ items",
                              f"a list has at most {MAX_ITEMS} items (an explicit spend "
                              f"schedule of the longest horizon, {MAX_ITEMS} months)")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in _PLAIN_TAGS:
            shown = tag.replace(_TAG, "!!")
            raise _refuse(source, path, mark, shown,
                          f"not valid YAML here: the tag {shown} is not allowed (plain values "
                          "only: text, numbers, true/false, dates, lists and mappings)")
        if isinstance(event, AliasEvent):
            name = event.anchor
            if any(f.anchor == name for f in stack):
                raise _refuse(source, path, mark, f"*{name}",
                              f"the alias *{name} refers to a node that contains it "
                              "(a self-referencing alias); write the values out")
            if name not in sizes:
                raise _refuse(source, path, mark, f"*{name}",
                              f"the alias *{name} has no anchor &{name} before it")
            count = sizes[name]
        elif isinstance(event, ScalarEvent):
            _check_scalar(event, path, source)
            count = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        else:
            if len(stack) >= MAX_DEPTH:
                raise _refuse(source, path, mark, "(nesting)",
                              f"nested deeper than {MAX_DEPTH} levels (the schema needs 6)")
            kind = "map" if isinstance(event, MappingStartEvent) else "seq"
            stack.append(_Frame(kind, path, event.anchor))
            count = 1
        total += count
        if total > MAX_NODES:
            raise _refuse(source, path, mark, f"{total:,}+ values",
                          f"the file expands to more than {MAX_NODES:,} values with its "
                          "aliases (*name) expanded; a scenario file needs a few hundred: "
                          "write the values out or use fewer aliases")
        if parent is not None and isinstance(event, (ScalarEvent, AliasEvent)):
            parent.size += count  # a list or mapping adds its size when it closes


def _take_key(frame: _Frame, event: Any, source: str) -> None:
    mark = event.start_mark
    where = frame.path or "(top)"
    if not isinstance(event, ScalarEvent):
        kind = "an alias" if isinstance(event, AliasEvent) else "a list or mapping"
        raise _refuse(source, where, mark, "(key)",
                      f"a key must be plain text, not {kind}")
    key = event.value
    frame.items += 1
    if frame.items > MAX_KEYS:
        raise _refuse(source, where, mark, f"{frame.items}+ keys",
                      f"a mapping has at most {MAX_KEYS} keys")
    if key in frame.keys and key != "<<":
        raise _refuse(source, f"{frame.path}.{key}" if frame.path else key, mark, key,
                      f"the key '{key}' appears twice in the same mapping (lines "
                      f"{frame.keys[key]} and {mark.line + 1}); keep one")
    frame.keys[key] = mark.line + 1
    frame.key = key
    frame.expect_key = False


def _check_scalar(event: ScalarEvent, path: str, source: str) -> None:
    value = event.value
    mark = event.start_mark
    if event.tag in (None, "!"):
        if not event.implicit[0]:
            return  # quoted: text, whatever it looks like
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
    else:
        tag = event.tag
    if tag not in (_TAG + "int", _TAG + "float"):
        return
    if tag == _TAG + "int":
        digits = len(_DIGIT.findall(re.sub(r"^[-+]?0[xXbBoO]", "", value)))
    else:
        digits = len(_DECIMAL.findall(value))
    if digits > MAX_DIGITS:
        raise _refuse(source, path, mark, f"(a number of {digits:,} digits)",
                      f"a number has at most {MAX_DIGITS} digits")
    if event.tag not in (None, "!"):
        return  # explicitly tagged: the constructor decides
    if tag == _TAG + "int" and _OCTAL.match(value):
        reading = _int_reading(value)
        raise _refuse(source, path, mark, value,
                      f"YAML 1.1 reads a plain {value} as the octal number {reading}; write "
                      f"{reading} or {value.replace('_', '').lstrip('+-0') or '0'} as meant, "
                      f"or quote it ('{value}') for text")
    if ":" in value:
        sexagesimal: float = (_int_reading(value) if tag == _TAG + "int"
                              else _float_reading(value))
        raise _refuse(source, path, mark, value,
                      f"YAML 1.1 reads a plain {value} as a base-60 number, {sexagesimal:g}; "
                      f"write the number itself, or quote it ('{value}') for text")


def _int_reading(value: str) -> int:
    return yaml.constructor.SafeConstructor.construct_yaml_int(
        _Loader(""), yaml.ScalarNode(_TAG + "int", value))


def _float_reading(value: str) -> float:
    return yaml.constructor.SafeConstructor.construct_yaml_float(
        _Loader(""), yaml.ScalarNode(_TAG + "float", value))


def _node_paths(root: yaml.Node) -> dict[int, str]:
    """Dotted path of every node of the composed graph (the first path where shared)."""
    paths: dict[int, str] = {}
    todo: list[tuple[yaml.Node, str]] = [(root, "")]
    while todo:
        node, path = todo.pop()
        if id(node) in paths:
            continue
        paths[id(node)] = path
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                todo.append((value, f"{path}.{name}" if path else name))
                todo.append((key, f"{path}.{name}" if path else name))
        elif isinstance(node, yaml.SequenceNode):
            todo += [(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
    return paths


def _constructor_error(err: _NodeError, root: yaml.Node, source: str) -> InputError:
    node = err.node
    path = _node_paths(root).get(id(node), "")
    kind = node.tag.removeprefix(_TAG) if isinstance(node.tag, str) else "value"
    value = node.value if isinstance(node, yaml.ScalarNode) else f"({kind})"
    if isinstance(value, str) and len(value) > 60:
        value = value[:57] + "..."
    # Python's own words where they help ("day is out of range for month"), not where they
    # describe PyYAML's internals ('NoneType' object has no attribute 'groupdict').
    reason = str(err.exc) if isinstance(err.exc, ValueError) else ""
    allowed = {
        "timestamp": "not a valid date (YYYY-MM-DD, a real day of a real month)",
        "bool": "not true or false",
        "int": "not a whole number",
        "float": "not a number",
    }.get(kind, f"cannot be read as {kind}")
    return _refuse(source, path, node.start_mark, value,
                   f"{allowed} ({reason[:120]})" if reason else allowed)


__all__ = ["MAX_DEPTH", "MAX_DIGITS", "MAX_FILE_BYTES", "MAX_ITEMS", "MAX_KEYS", "MAX_NODES",
           "check_size", "load_yaml"]
