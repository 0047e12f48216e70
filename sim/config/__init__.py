"""Scenario input: schema, safe YAML loading with line numbers, cross-checks.

`load_scenario(path)` is the one way in: it returns a validated `Scenario` or
raises an `InputError` naming the file, the line and the key path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from sim.config.checks import CHECKS
from sim.config.loader import LocatedYaml, load_yaml, validate
from sim.config.schema import Parameters, Scenario
from sim.errors import InputError

__all__ = ["Scenario", "Parameters", "load_scenario", "scenario_from_dict", "resolved_yaml",
           "config_sha256", "with_parameters"]


def _check(scenario: Scenario, doc: LocatedYaml) -> Scenario:
    for check in CHECKS:
        check(scenario, doc)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario file."""
    doc = load_yaml(path, what="scenario file")
    return _check(validate(Scenario, doc), doc)


def scenario_from_dict(data: dict[str, Any], path: str = "<scenario>") -> Scenario:
    """Validate an in-memory scenario (used by sweeps, the dashboard and tests)."""
    doc = LocatedYaml(data, {}, path)
    return _check(validate(Scenario, doc), doc)


def resolved_yaml(scenario: Scenario) -> str:
    """The scenario with every default filled in, as YAML: exactly what runs."""
    return yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True,
                          width=100)


def config_sha256(scenario: Scenario) -> str:
    return hashlib.sha256(resolved_yaml(scenario).encode("utf-8")).hexdigest()


def with_parameters(scenario: Scenario, **overrides: Any) -> Scenario:
    """A copy of `scenario` with some model parameters replaced (validated)."""
    unknown = set(overrides) - set(Parameters.model_fields)
    if unknown:
        raise InputError(f"unknown model parameter(s): {', '.join(sorted(unknown))}")
    params = scenario.parameters.model_dump()
    params.update(overrides)
    data = scenario.model_dump(mode="json")
    data["parameters"] = params
    return scenario_from_dict(data, path=f"<{scenario.name} with overrides>")
