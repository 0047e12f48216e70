"""The generic contract (`contract.RuleContract`) for every rule in `sim.rules.RULES`.

One test class per registered rule is built here, so a rule added to the
registry is checked without writing anything. `KNOWN_FAILURES` lists the
contract points a registered rule breaks today; each runs as a strict xfail
(so it must be removed once the rule is fixed).
"""

from __future__ import annotations

import subprocess
import sys

from contract import RuleContract

from sim.rules import RULES

KNOWN_FAILURES: dict[str, dict[str, str]] = {}


def _contract_for(name: str) -> type:
    cls = RULES[name]
    return type(f"TestContract_{name}", (RuleContract,), {
        "rule_class": cls,
        "known_failures": KNOWN_FAILURES.get(name, {}),
        "__module__": __name__,
        "__doc__": f"The rule contract for `{name}` ({cls.__module__}.{cls.__qualname__}).",
    })


for _name in sorted(RULES):
    globals()[f"TestContract_{_name}"] = _contract_for(_name)


def test_registry_is_not_empty_and_keys_are_names() -> None:
    assert {"utility", "inert", "random"} <= set(RULES)
    for key, cls in RULES.items():
        assert cls.name == key


def test_known_failures_name_registered_rules() -> None:
    assert set(KNOWN_FAILURES) <= set(RULES)
    tests = {n for n in dir(RuleContract) if n.startswith("test_")}
    for name, failing in KNOWN_FAILURES.items():
        assert set(failing) <= tests, (name, set(failing) - tests)


def test_importing_the_rules_does_not_import_mesa_or_the_model() -> None:
    code = ("import sys, sim.rules; "
            "bad = [m for m in sys.modules "
            "if m == 'mesa' or m.startswith(('mesa.', 'sim.model'))]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"importing sim.rules imports {out.stdout.strip()} {out.stderr}"
