"""Decision rules: pure classes from an Observation to Decisions.

`RULES` maps the name a scenario gives in its `rule:` key to the class.
Register a new rule by adding it here; `tests/rules/` runs the contract tests
on every registered rule.
"""

from __future__ import annotations

from sim.rules.base import Classifier, Decisions, Observation, Rule, Utilities
from sim.rules.landscape import LandscapeRule
from sim.rules.mwc import MinimumWinningCoalition
from sim.rules.simple import Inert, Random
from sim.rules.utility import WeightedUtility

RULES: dict[str, type[Rule]] = {cls.name: cls for cls in (WeightedUtility, Inert, Random,
                                                          LandscapeRule, MinimumWinningCoalition)}


def make_rule(name: str) -> Rule:
    return RULES[name]()


__all__ = ["RULES", "make_rule", "Rule", "Observation", "Utilities", "Decisions", "Classifier"]
