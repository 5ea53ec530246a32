"""Scenario files: base assumptions, named scenarios, uncertainty and the assumption register.

A scenario file (YAML) looks like::

    name: Example Ltd
    currency: EUR
    base:            # a complete Assumptions mapping
      market:
        potential_customers: {value: 50000, source: "Analyst estimate", confidence: low}
        ...
    scenarios:       # overrides deep-merged onto base; status_quo is required
      status_quo: {}
      social:
        label: Social programme   # optional: the plan's name in reports and charts
        channels: {social_ads: {spend: {amount: 30000}}}
    uncertainty:     # per numeric field: distribution and low/high range
      market.bass_q_annual: {distribution: pert, low: 0.25, mode: 0.38, high: 0.5}
      scenarios.social.programme.one_time_cost: {distribution: uniform, low: 2e5, high: 4e5}
    correlations:    # rank correlations between uncertain fields (Monte Carlo)
      - {fields: [market.bass_q_annual, social.word_of_mouth_lift], rank: 0.4,
         source: "Rationale: ..."}

A key of ``base`` (``market.bass_q_annual``) describes the world: its range
applies to every plan that takes the field from ``base``, the status quo
included, and not to a plan that sets the field itself. A key
``scenarios.<plan>.<field>`` is one plan's own figure: its range applies to
that plan only (see :mod:`roi_models.analysis.sensitivity`).

``correlations`` lists rank (Spearman) correlations between two keys of
``uncertainty``; together (1 on the diagonal, 0 for pairs not listed) they must
form a valid correlation matrix (positive definite): a matrix that is not is
refused naming the first pair, in file order, at which it stops being one,
never repaired.

Any value may be written as ``{value: x, source: .., confidence: .., owner: ..,
validated_on: .., note: ..}``: the register keys are taken out into
:attr:`ScenarioFile.assumption_register` and travel into results and reports untouched;
saving writes them back next to their values.

Loading uses the safe YAML loader only (``yaml.CSafeLoader``, the C build of
``yaml.safe_load``, where libyaml is installed), bounded before anything is
expanded (:mod:`roi_models.assumptions.yaml_input`: file size, aliases, list
lengths, duplicate keys, YAML 1.1 number traps). Every problem raises
:class:`roi_models.errors.InputError` naming the file, the field path, the
value and what is allowed.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Annotated, Any, Mapping

import yaml
from pydantic import BaseModel, BeforeValidator, Field, PrivateAttr, ValidationError

from ..errors import MISSING, InputError, Problem
from ..files import check_source, write_atomic
from .merge import deep_merge, get_path, nest
from .schema import (
    REGISTER_KEYS,
    Assumptions,
    Channel,
    ConstantSpend,
    CurrencyCode,
    ExplicitSpend,
    Line,
    LinearSpend,
    RegisterEntry,
    Text,
    Uncertainty,
    _list_to_tuple,
    _Model,
    _model_at,
    field_meta,
)
from .yaml_input import MAX_FILE_BYTES, check_size, load_yaml

STATUS_QUO = "status_quo"
"""The scenario every other one is compared with."""

LABEL_MAX_CHARS = 60
"""Longest scenario ``label`` (it names a plan in titles, menus and table rows)."""


def default_label(name: str) -> str:
    """The readable name of a scenario key: ``'social_reallocation' -> 'Social reallocation'``.

    >>> default_label("social_reallocation"), default_label("status_quo")
    ('Social reallocation', 'Status quo')
    """
    text = " ".join(str(name).replace("_", " ").split())
    return text[:1].upper() + text[1:] if text else str(name)

_SPEND_TAGS = {"constant", "linear", "explicit"}


class Correlation(_Model):
    """A rank correlation between two uncertain fields (keys of ``uncertainty``)."""

    fields: Annotated[tuple[str, str], BeforeValidator(_list_to_tuple)] = Field(
        ..., description="Two keys of the uncertainty section.")
    rank: float = Field(..., ge=-1, le=1, description="Spearman rank correlation, -1..1.")
    source: Text | None = Field(None, max_length=2000, description="Source or rationale.")


class ScenarioFile(_Model):
    """A validated scenario file. Resolved scenarios come from :meth:`scenario`."""

    name: Line = Field("Unnamed", max_length=200, description="Company or case name.")
    description: Text = Field("", max_length=5000, description="What the file describes.")
    currency: CurrencyCode = Field(
        "USD", description="Currency of every amount: an ISO 4217 code (EUR, USD, GBP...).")
    base: Assumptions
    scenarios: dict[Line, dict[str, Any]]
    uncertainty: dict[str, Uncertainty] = {}
    correlations: Annotated[tuple[Correlation, ...], BeforeValidator(_list_to_tuple)] = ()
    assumption_register: dict[str, dict[str, RegisterEntry]] = {}
    scenario_labels: dict[str, Annotated[str, Field(min_length=1, max_length=LABEL_MAX_CHARS)]] = {}
    """Labels written in the file (``scenarios.<name>.label``); see :meth:`label`."""

    # name -> (base, override, resolved); model_copy carries it over, so each entry is
    # reused only while base and override are the very objects it was resolved from.
    _resolved: dict[str, tuple[Any, Any, Assumptions]] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        # fields only: the cache of resolved scenarios is not part of the value
        return isinstance(other, ScenarioFile) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable-looking dict fields: not hashable

    @property
    def scenario_names(self) -> list[str]:
        """Scenario names in file order (status_quo first if it is first in the file)."""
        return list(self.scenarios)

    def label(self, name: str) -> str:
        """The name a report shows for a scenario: its ``label``, else :func:`default_label`.

        >>> from roi_models.data import scenario_path
        >>> sf = load_scenario_file(scenario_path("b2b_it_services"))
        >>> sf.label("status_quo"), sf.label("social")
        ('Status quo', 'LinkedIn and community')
        """
        if name not in self.scenarios:
            raise InputError.one(
                "argument", "scenario", name, _choice_text(name, self.scenario_names)
            )
        return self.scenario_labels.get(name) or default_label(name)

    def scenario(self, name: str) -> Assumptions:
        """The assumptions of one scenario: base with the scenario's overrides merged on.

        Raises InputError, with the nearest name, for an unknown scenario.
        """
        if name not in self.scenarios:
            raise InputError.one(
                "argument", "scenario", name, _choice_text(name, self.scenario_names)
            )
        override = self.scenarios[name]
        cached = self._resolved.get(name)
        if cached is None or cached[0] is not self.base or cached[1] is not override:
            merged = deep_merge(self.base.model_dump(mode="python"), override)
            cached = (self.base, override, Assumptions.model_validate(merged))
            self._resolved[name] = cached
        return cached[2]

    def register_for(self, name: str) -> dict[str, RegisterEntry]:
        """The register of one scenario, keyed by field path.

        The scenario's own entries win over the base ones. A value the scenario
        overrides without an annotation does not inherit the base value's source:
        its entry says so in ``note``. Entries for fields the scenario no longer
        has (a spend schedule of another kind) are left out.
        """
        resolved = self.scenario(name).model_dump()
        own = self.assumption_register.get(f"scenarios.{name}", {})
        overridden = set(_leaf_paths(self.scenarios[name]))
        merged: dict[str, RegisterEntry] = {}
        for path, entry in self.assumption_register.get("base", {}).items():
            if path in overridden and path not in own:
                entry = RegisterEntry(note=f"set by scenario '{name}' without a source")
            merged[path] = entry
        merged.update(own)
        return {p: e for p, e in merged.items() if _has_path(resolved, p)}


def _leaf_paths(data: Any, prefix: str = "") -> list[str]:
    if not isinstance(data, Mapping):
        return [prefix] if prefix else []
    out: list[str] = []
    for key, value in data.items():
        out += _leaf_paths(value, f"{prefix}.{key}" if prefix else str(key))
    return out


def _has_path(data: Mapping[str, Any], path: str) -> bool:
    try:
        get_path(data, path)
    except KeyError:
        return False
    return True


# ----------------------------------------------------------------------------- loading
def load_scenario_file(path: str | os.PathLike[str]) -> ScenarioFile:
    """Read, validate and resolve a scenario file.

    Raises
    ------
    InputError
        For a missing, unreadable, empty or non-mapping file, bad YAML, or any
        invalid field; the message names the file, the field path, the value
        and what is allowed.

    Examples
    --------
    Which scenarios does the shipped B2B case compare?

    >>> from roi_models.data import scenario_path
    >>> load_scenario_file(scenario_path("b2b_it_services")).scenario_names
    ['status_quo', 'traditional', 'social', 'blended']
    """
    source = str(path)
    check_source(path)  # a FIFO would block the read forever, /dev/zero never end
    try:
        with open(path, "rb") as handle:  # at most one byte past the cap: /dev/zero ends too
            data = handle.read(MAX_FILE_BYTES + 1)
        check_size(data, source)
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise InputError.one(source, "", source, "file not found") from None
    except IsADirectoryError:
        raise InputError.one(source, "", source, "is a directory, not a scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.one(source, "", source, f"cannot be read ({exc})") from None
    return parse_scenario_text(text, source)


def parse_scenario_text(text: str, source: str = "<text>") -> ScenarioFile:
    """Validate a scenario file given as YAML text (see :func:`load_scenario_file`)."""
    # libyaml's safe loader, bounded before anything is expanded (yaml_input: size, aliases,
    # list lengths, duplicate keys, YAML 1.1 number traps, constructor errors)
    return scenario_file_from_dict(load_yaml(text, source), source)


def scenario_file_from_dict(raw: Any, source: str = "<dict>") -> ScenarioFile:
    """Validate a scenario file given as a mapping (what ``yaml.safe_load`` returns)."""
    if raw is None:
        raise InputError.one(
            source, "", None, "the file is empty; expected a mapping with 'base' and 'scenarios'"
        )
    if not isinstance(raw, Mapping):
        raise InputError.one(
            source, "", raw,
            f"expected a mapping with 'base' and 'scenarios', got {type(raw).__name__}",
        )
    problems: list[Problem] = []
    if "assumption_register" in raw:
        problems.append(Problem(
            "assumption_register", "(section)",
            "not a key of a scenario file: annotate each value in place, "
            "{value: x, source: .., confidence: .., owner: .., validated_on: ..}",
        ))
    if "scenario_labels" in raw:
        problems.append(Problem("scenario_labels", "(section)",
                                "not a key of a scenario file: write label: under each scenario"))
    data, register = _split_register(raw, problems)
    data["scenario_labels"] = _take_labels(data, problems)
    if problems:
        raise InputError(source, problems)
    data["assumption_register"] = register
    try:
        sf = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, _problems(exc, "", ScenarioFile)) from None
    problems += _check_scenarios(sf)
    if not problems:
        problems += _check_uncertainty(sf)
    if not problems:
        problems += _check_correlations(sf)
    if problems:
        raise InputError(source, problems)
    return sf


def _split_register(raw: Mapping[str, Any], problems: list[Problem]):
    """Take ``{value: x, source: ...}`` annotations out of base and scenarios."""
    register: dict[str, dict[str, Any]] = {}
    data = dict(raw)
    for section in ("base", "scenarios"):
        if section not in data or not isinstance(data[section], Mapping):
            continue
        if section == "base":
            data["base"] = _strip(data["base"], "", register.setdefault("base", {}), problems, "base")
        else:
            scenarios = {}
            for name, override in data["scenarios"].items():
                entries: dict[str, Any] = {}
                where = f"scenarios.{name}"
                scenarios[name] = (
                    _strip(override, "", entries, problems, where)
                    if isinstance(override, Mapping) else override
                )
                if entries:
                    register[where] = entries
            data["scenarios"] = scenarios
    if not register.get("base"):
        register.pop("base", None)
    return data, register


def _take_labels(data: dict[str, Any], problems: list[Problem]) -> dict[str, str]:
    """Take each scenario's optional ``label`` out of its overrides, checked as a plain text."""
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, Mapping):
        return {}
    labels: dict[str, str] = {}
    kept = {}
    for name, override in scenarios.items():
        if isinstance(override, Mapping) and "label" in override:
            override = dict(override)
            value = override.pop("label")
            text = value.strip() if isinstance(value, str) else None
            if (not text or len(text) > LABEL_MAX_CHARS
                    or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)):
                problems.append(Problem(
                    f"scenarios.{name}.label", value,
                    f"a plan's name: a text of 1-{LABEL_MAX_CHARS} characters on one line, "
                    "without control characters"))
            else:
                labels[str(name)] = text
        kept[name] = override
    data["scenarios"] = kept
    seen: dict[str, str] = {}
    for name in kept:
        shown = labels.get(str(name)) or default_label(str(name))
        other = seen.setdefault(shown.casefold(), str(name))
        if other != name:
            problems.append(Problem(
                f"scenarios.{name}.label", shown,
                f"the same name as scenario '{other}': give each plan its own label"))
    return labels


def _strip(node: Any, path: str, entries: dict[str, Any], problems: list[Problem], where: str,
           _open: frozenset[int] = frozenset()):
    # _open: ids of the mappings on the way down. A mapping that contains itself (built in
    # Python; the YAML loader refuses self-referencing aliases) is refused, not recursed into.
    if isinstance(node, Mapping) and id(node) in _open:
        problems.append(Problem(f"{where}.{path}", "(a mapping that contains itself)",
                                "plain data only: a mapping may not contain itself"))
        return {}
    if isinstance(node, Mapping):
        if "value" in node:
            unknown = [k for k in node if k != "value" and k not in REGISTER_KEYS]
            for key in unknown:
                problems.append(Problem(
                    f"{where}.{path}.{key}", node[key],
                    "unknown key in an annotated value; " + _choice_text(
                        str(key), sorted(REGISTER_KEYS), noun="annotation"),
                ))
            entries[path] = {k: v for k, v in node.items() if k in REGISTER_KEYS}
            return node["value"]
        inner = _open | {id(node)}
        return {
            k: _strip(v, f"{path}.{k}" if path else str(k), entries, problems, where, inner)
            for k, v in node.items()
        }
    return node


def _check_scenarios(sf: ScenarioFile) -> list[Problem]:
    problems: list[Problem] = []
    if STATUS_QUO not in sf.scenarios:
        problems.append(Problem(
            "scenarios.status_quo", MISSING,
            "required: the scenario every other one is compared with (may be {} for base as is)",
        ))
    for name, override in sf.scenarios.items():
        prefix = f"scenarios.{name}"
        if not name.strip():
            problems.append(Problem(prefix, name, "a scenario name must not be empty"))
            continue
        try:
            resolved = sf.scenario(name)
        except ValidationError as exc:
            problems += _problems(exc, prefix, Assumptions, override)
            continue
        for key, value in resolved.finance.model_dump().items():
            if value != getattr(sf.base.finance, key):
                problems.append(Problem(
                    f"{prefix}.finance.{key}", value,
                    f"every scenario shares the base value ({getattr(sf.base.finance, key)}): "
                    "the business case compares scenarios month by month at one discount rate",
                ))
    return problems


def _check_uncertainty(sf: ScenarioFile) -> list[Problem]:
    problems: list[Problem] = []
    base = sf.base.model_dump()
    for key, spec in sf.uncertainty.items():
        where = f"uncertainty.{key}"
        path, plan = key, base
        parts = key.split(".")
        if parts[0] == "scenarios" and len(parts) > 2:  # one plan's own figure
            if parts[1] not in sf.scenarios:
                problems.append(Problem(where, key, "'scenarios.<name>.<field>' needs a scenario "
                                        "of this file; " + _choice_text(parts[1],
                                                                        sf.scenario_names)))
                continue
            path, plan = ".".join(parts[2:]), sf.scenario(parts[1]).model_dump()
        try:
            meta = field_meta(path)
            get_path(plan, path)
        except KeyError:
            problems.append(Problem(where, key, _unknown_path_text(path, plan)))
            continue
        if meta.integer:
            problems.append(Problem(where, path, "whole-number fields take no uncertainty"))
            continue
        for end in ("low", "high"):
            value = getattr(spec, end)
            below = meta.low is not None and (
                value < meta.low or (value == meta.low and not meta.low_inclusive)
            )
            above = meta.high is not None and value > meta.high
            if below or above:
                problems.append(Problem(f"{where}.{end}", value, "must be " + meta.allowed()))
    return problems


def _check_correlations(sf: ScenarioFile) -> list[Problem]:
    """Each pair names two uncertain fields, once; the matrix stays positive definite.

    Pairs are added in file order (the others 0); the first one after which the
    matrix has an eigenvalue <= 1e-10 is named: a valid correlation matrix is
    positive definite (Iman & Conover 1982 induce it through its Cholesky factor)."""
    if not sf.correlations:
        return []
    import numpy as np  # lazily: the CLI's top level stays free of numpy

    keys = list(sf.uncertainty)
    problems: list[Problem] = []
    seen: set[frozenset[str]] = set()
    matrix = np.eye(len(keys))
    for k, pair in enumerate(sf.correlations):
        where = f"correlations[{k}]"
        a, b = pair.fields
        for j, key in enumerate((a, b)):
            if key not in sf.uncertainty:
                problems.append(Problem(f"{where}.fields[{j}]", key, "a key of the uncertainty "
                                        "section; " + _choice_text(key, keys, noun="key")))
        if problems:
            continue
        if a == b:
            problems.append(Problem(f"{where}.fields", [a, b], "two different fields (a field's "
                                    "correlation with itself is 1)"))
            continue
        if frozenset((a, b)) in seen:
            problems.append(Problem(f"{where}.fields", [a, b], "each pair once: this pair is "
                                    "listed before"))
            continue
        seen.add(frozenset((a, b)))
        i, j = keys.index(a), keys.index(b)
        matrix[i, j] = matrix[j, i] = pair.rank
        if np.linalg.eigvalsh(matrix).min() <= 1e-10:
            problems.append(Problem(
                f"{where}.rank", pair.rank,
                f"with the pairs before it, the correlation of {a} and {b} makes a matrix that "
                "is not a valid correlation matrix (not positive definite): these correlations "
                "cannot hold together; lower this or an earlier one"))
            break
    return problems


def _unknown_path_text(path: str, base: Mapping[str, Any]) -> str:
    candidates = _numeric_paths(base)
    return "not a numeric field of base; " + _choice_text(path, candidates, noun="field")


def _numeric_paths(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out += _numeric_paths(value, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(path)
    return out


# ----------------------------------------------------------------------------- errors
def _choice_text(given: str, valid: list[str], noun: str = "name") -> str:
    close = difflib.get_close_matches(given, valid, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    listed = ", ".join(valid[:12]) + (", ..." if len(valid) > 12 else "")
    return f"{hint}valid {noun}s: {listed}"


def _problems(
    exc: ValidationError, prefix: str, model: type[BaseModel], raw: Any = None
) -> list[Problem]:
    """Translate pydantic's errors into problems with dotted paths and allowed values."""
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        loc = [p for i, p in enumerate(loc) if not (i and loc[i - 1] == "spend" and p in _SPEND_TAGS)]
        loc = [p for p in loc if p != "[key]"]
        if model is ScenarioFile and loc[:1] == ["assumption_register"]:
            # Register entries were taken out of base/scenarios: report where the user wrote them.
            loc = loc[1:]
        path = ".".join(([prefix] if prefix else []) + loc)
        kind = err["type"]
        value: Any = err.get("input", MISSING)
        schema_loc = _schema_loc(model, loc)
        if kind == "missing":
            value = MISSING
            allowed = "required" + _meta_suffix(schema_loc)
        elif kind == "extra_forbidden":
            allowed = "unknown key; " + _choice_text(
                loc[-1], _valid_keys(model, loc[:-1]), noun="key"
            )
        elif kind == "too_short" and loc[-1:] == ["channels"]:
            allowed = ("at least one channel: a plan without any channel has no spend to move "
                       "and no leads to simulate")
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            allowed = "spend needs kind: constant, linear or explicit"
        elif kind == "value_error":
            allowed = str(err["msg"]).removeprefix("Value error, ")
            if allowed.startswith("@") and ": " in allowed:  # a cross-field check names its field
                sub, allowed = allowed[1:].split(": ", 1)
                path = f"{path}.{sub}" if path else sub
                try:
                    value = get_path(value, sub) if isinstance(value, Mapping) else value
                except KeyError:
                    value = MISSING
            if isinstance(value, Mapping):
                value = "(see message)"
        else:
            allowed = str(err["msg"]) + _meta_suffix(schema_loc)
        out.append(Problem(path, value, allowed))
    return out


def _schema_loc(model: type[BaseModel], loc: list[str]) -> str | None:
    """The Assumptions path of a location, or None outside Assumptions' numeric fields."""
    if model is ScenarioFile:
        if len(loc) >= 2 and loc[0] == "base":
            return ".".join(loc[1:])
        return None
    return ".".join(loc) if model is Assumptions else None


def _meta_suffix(schema_loc: str | None) -> str:
    if not schema_loc:
        return ""
    try:
        meta = field_meta(schema_loc)
    except KeyError:
        return ""
    return f"; allowed: {meta.allowed()} - {meta.description}"


def _valid_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    """Field names of the model at a location (for 'did you mean' hints)."""
    try:
        if model is ScenarioFile:
            if not loc:
                # filled from annotations and scenario labels, never written as keys
                return [k for k in ScenarioFile.model_fields
                        if k not in ("assumption_register", "scenario_labels")]
            if loc[0] != "base":
                if loc[0] == "uncertainty" and len(loc) == 2:
                    return list(Uncertainty.model_fields)
                return []
            loc = loc[1:]
        if not loc:
            return list(Assumptions.model_fields)
        if len(loc) >= 2 and loc[0] == "channels":
            rest = loc[2:]
            if not rest:
                return list(Channel.model_fields)
            if rest == ["spend"]:
                return sorted(
                    {*ConstantSpend.model_fields, *LinearSpend.model_fields,
                     *ExplicitSpend.model_fields}
                )
        owner, name = _model_at(Assumptions, loc + ["_"])
        del name
        return list(owner.model_fields)
    except KeyError:
        return []


# ----------------------------------------------------------------------------- saving
def scenario_file_to_dict(sf: ScenarioFile) -> dict[str, Any]:
    """The plain mapping that :func:`scenario_file_from_dict` reads back to an equal object.

    Register entries are written back next to their values (``{value: x, source: ..}``).
    """
    data: dict[str, Any] = {
        "name": sf.name,
        "description": sf.description,
        "currency": sf.currency,
        "base": _annotate(_plain(sf.base.model_dump(mode="python")), sf.assumption_register.get("base", {})),
        "scenarios": {
            name: ({"label": sf.scenario_labels[name]} if name in sf.scenario_labels else {})
            | _annotate(_plain(override), sf.assumption_register.get(f"scenarios.{name}", {}))
            for name, override in sf.scenarios.items()
        },
    }
    if sf.uncertainty:
        data["uncertainty"] = {
            path: spec.model_dump(exclude_none=True) for path, spec in sf.uncertainty.items()
        }
    if sf.correlations:
        data["correlations"] = [
            {"fields": list(c.fields), **c.model_dump(exclude={"fields"}, exclude_none=True)}
            for c in sf.correlations]
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _annotate(data: dict[str, Any], entries: Mapping[str, RegisterEntry]) -> dict[str, Any]:
    if not entries:
        return data
    annotated = nest({
        path: {"value": get_path(data, path), **entry.model_dump(exclude_none=True)}
        for path, entry in entries.items()
    })
    return deep_merge(data, annotated)


def dump_scenario_yaml(sf: ScenarioFile) -> str:
    """The scenario file as YAML text (keys in schema order, no aliases)."""

    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - yaml's signature
            return True

    return yaml.dump(
        scenario_file_to_dict(sf), Dumper=_NoAliases, sort_keys=False, allow_unicode=True,
        width=100,
    )


def save_scenario_file(
    sf: ScenarioFile, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write a scenario file atomically; refuse to replace an existing file unless asked.

    The text is written to a temporary file in the same folder and moved into
    place with ``os.replace``, so a crash never leaves half a file.
    """
    return write_atomic(path, dump_scenario_yaml(sf), overwrite=overwrite)
