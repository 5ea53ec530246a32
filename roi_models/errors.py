"""Domain exceptions of roi_models: every error a user can cause is raised from here.

One exception type covers bad input (:class:`InputError`); its message names
the file, the field path, the value and what is allowed, so that the CLI can
print it without a traceback.
"""

from __future__ import annotations

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


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        if len(self.problems) == 1:
            return f"{self.source}: {self.problems[0].describe()}"
        lines = [f"{self.source}: {len(self.problems)} problems"]
        lines += [f"  - {p.describe()}" for p in self.problems]
        return "\n".join(lines)

    @classmethod
    def one(cls, source: str, path: str, value: object, allowed: str) -> "InputError":
        """Build an error with a single problem."""
        return cls(source, [Problem(path, value, allowed)])
