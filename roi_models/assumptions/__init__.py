"""Inputs: the validated schema, scenario files (YAML in and out) and derived plans."""

from .merge import deep_merge, nest
from .scenario_file import (
    STATUS_QUO,
    ScenarioFile,
    dump_scenario_yaml,
    load_scenario_file,
    parse_scenario_text,
    save_scenario_file,
    scenario_file_from_dict,
    scenario_file_to_dict,
)
from .schema import SOURCES, Assumptions, FieldMeta, RegisterEntry, Uncertainty, field_meta

__all__ = [
    "SOURCES", "STATUS_QUO", "Assumptions", "FieldMeta", "RegisterEntry", "ScenarioFile",
    "Uncertainty", "deep_merge", "dump_scenario_yaml", "field_meta", "load_scenario_file",
    "nest", "parse_scenario_text", "save_scenario_file", "scenario_file_from_dict",
    "scenario_file_to_dict",
]
