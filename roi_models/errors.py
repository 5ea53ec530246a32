"""Domain exceptions of roi_models: every error a user can cause is raised from here.

One exception type covers bad input (:class:`InputError`); its message names
the file, the field path, the value and what is allowed, so that the CLI can
print it without a traceback.
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what value, what is allowed."""

    path: str
    value: object
    allowed: str

    def describe(self) -> str:
        if not self.path:  # a problem with the file as a whole
            if self.value is None or isinstance(self.value, str):
                return self.allowed
            return f"{_short(self.value)}: {self.allowed}"
        where = self.path
        if self.value is _MISSING:
            return f"{where}: missing; {self.allowed}"
        return f"{where} = {_short(self.value)}: {self.allowed}"


class _Missing:
    def __repr__(self) -> str:  # pragma: no cover - only shown in debugging
        return "<missing>"


_MISSING = _Missing()
MISSING: object = _MISSING
"""Sentinel for :class:`Problem.value` when a required key is absent."""


class _ShortRepr(reprlib.Repr):
    """``repr`` that never builds more than it shows.

    ``repr()`` of the whole value, cut afterwards, expands an aliased YAML
    structure in full (gigabytes for a "billion laughs" file) and raises for an
    integer of over 4,300 digits; this walks at most a few levels and items,
    and writes a huge integer by its size.
    """

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxdict, self.maxlist, self.maxtuple = 3, 4, 6, 6
        self.maxset = self.maxfrozenset = self.maxdeque = 6
        self.maxstring, self.maxother, self.maxlong = 80, 80, 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1:,} digits>"
        return repr(x)

    def repr_str(self, x: str, level: int) -> str:
        text = repr(x[: self.maxstring + 1])
        return text if len(x) <= self.maxstring else text[: self.maxstring - 3] + "..."


_SHORT = _ShortRepr()


def _short(value: object, limit: int = 80) -> str:
    """A short, bounded ``repr`` of ``value`` for messages (at most ``limit`` characters).

    >>> _short(10 ** 5000)
    '<an integer of about 5,001 digits>'
    >>> _short("x" * 1000)[-5:]
    'xx...'
    >>> a = [1]; a.append(a); _short(a)
    '[1, [1, [1, [...]]]]'
    """
    text = _SHORT.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


CONTROL_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Characters a message never prints raw: C0 and C1 controls (ESC can clear a terminal, CR
overwrite a line), DEL, zero-width and bidirectional formatting characters, the BOM."""


def visible(text: str) -> str:
    r"""``text`` with every control character written as an escape (``\x1b``, ``\u202e``).

    >>> visible("trad\x1b[2J")
    'trad\\x1b[2J'
    """
    return CONTROL_CHARACTERS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                                  text)


class InputError(ValueError):
    """Invalid input: a scenario file, a CLI option or an argument.

    Attributes
    ----------
    source : str
        The file (or "argument") the input came from.
    problems : tuple[Problem, ...]
        Every problem found, each with field path, value and what is allowed.
    """

    def __init__(self, source: str, problems: list[Problem] | tuple[Problem, ...]):
        self.source = str(source)
        self.problems = tuple(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        source = visible(self.source)
        if len(self.problems) == 1:
            return f"{source}: {visible(self.problems[0].describe())}"
        lines = [f"{source}: {len(self.problems)} problems"]
        lines += [f"  - {visible(p.describe())}" for p in self.problems]
        return "\n".join(lines)

    @classmethod
    def one(cls, source: str, path: str, value: object, allowed: str) -> "InputError":
        """Build an error with a single problem."""
        return cls(source, [Problem(path, value, allowed)])
