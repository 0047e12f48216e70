"""Cross-reference checks of a scenario, run after the schema.

Each check is a small function `check_x(scenario, doc)` that raises a located
`InputError` with a full-sentence message. `CHECKS` lists them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sim.config.loader import LocatedYaml
from sim.config.schema import Designated, Renamed, Scenario, Shock, Ultimatum

Check = Callable[[Scenario, LocatedYaml], None]


def _ids(items: Iterable) -> list[str]:
    return [item.id for item in items]


def check_period(sc: Scenario, doc: LocatedYaml) -> None:
    if sc.end < sc.start:
        raise doc.error("end", f"the scenario ends ({sc.end}) before it starts ({sc.start}).")


def check_unique_ids(sc: Scenario, doc: LocatedYaml) -> None:
    seen: dict[str, str] = {}
    for section in ("factions", "backers", "fronts", "rooms", "entities"):
        for i, item in enumerate(getattr(sc, section)):
            if item.id in seen:
                raise doc.error(f"{section}[{i}].id",
                                f"the id '{item.id}' is already used in {seen[item.id]}; ids must be unique.")
            seen[item.id] = section


def check_ideology_dimensions(sc: Scenario, doc: LocatedYaml) -> None:
    k = len(sc.ideology_scales)
    for i, f in enumerate(sc.factions):
        if len(f.ideology) != k:
            raise doc.error(f"factions[{i}].ideology",
                            f"faction '{f.id}' has {len(f.ideology)} ideology values but the scenario "
                            f"declares {k} ideology_scales.")
    for i, b in enumerate(sc.backers):
        if len(b.ideal) != k:
            raise doc.error(f"backers[{i}].ideal",
                            f"backer '{b.id}' has {len(b.ideal)} ideal values but the scenario "
                            f"declares {k} ideology_scales.")
    for i, ev in enumerate(sc.events):
        if isinstance(ev, Shock):
            for fid, vec in ev.ideology.items():
                if len(vec) != k:
                    raise doc.error(f"events[{i}].ideology.{fid}",
                                    f"the new ideology of '{fid}' has {len(vec)} values, expected {k}.")


def check_faction_references(sc: Scenario, doc: LocatedYaml) -> None:
    fronts, backers = set(_ids(sc.fronts)), set(_ids(sc.backers))
    for i, f in enumerate(sc.factions):
        for fr in f.fronts:
            if fr not in fronts:
                raise doc.error(f"factions[{i}].fronts.{fr}",
                                f"faction '{f.id}' is placed on an unknown front '{fr}'; known fronts: "
                                f"{', '.join(sorted(fronts)) or 'none'}.")
        if sum(f.fronts.values()) > 1.0 + 1e-9:
            raise doc.error(f"factions[{i}].fronts",
                            f"the front shares of '{f.id}' add up to {sum(f.fronts.values()):.3f}; "
                            "they must not exceed 1.")
        for b in f.backers:
            if b not in backers:
                raise doc.error(f"factions[{i}].backers.{b}",
                                f"faction '{f.id}' names an unknown backer '{b}'; known backers: "
                                f"{', '.join(sorted(backers)) or 'none'}.")
        allowed = set(type(f).model_fields) - {"sources", "id"}
        for key in f.sources:
            if key not in allowed:
                raise doc.error(f"factions[{i}].sources.{key}",
                                f"a source is given for '{key}', which is not a faction key.")


def check_backer_policies(sc: Scenario, doc: LocatedYaml) -> None:
    factions = set(_ids(sc.factions))
    for i, b in enumerate(sc.backers):
        for j, pol in enumerate(b.policy):
            if pol.month < sc.start:
                raise doc.error(f"backers[{i}].policy[{j}].month",
                                f"policy change of '{b.id}' in {pol.month} is before the scenario "
                                f"starts ({sc.start}); put it in the backer's initial values.")
            for fid in pol.clients or {}:
                if fid not in factions:
                    raise doc.error(f"backers[{i}].policy[{j}].clients.{fid}",
                                    f"policy change of '{b.id}' names an unknown faction '{fid}'.")


def check_events(sc: Scenario, doc: LocatedYaml) -> None:
    factions, backers = set(_ids(sc.factions)), set(_ids(sc.backers))
    for i, ev in enumerate(sc.events):
        key = f"events[{i}]"
        if ev.month < sc.start:
            raise doc.error(f"{key}.month", f"the event is in {ev.month}, before the scenario starts "
                            f"({sc.start}).")
        named: list[tuple[str, str]] = []
        if isinstance(ev, Renamed):
            named = [("faction", ev.faction)]
        elif isinstance(ev, (Designated, Ultimatum)):
            if ev.by not in backers:
                raise doc.error(f"{key}.by", f"unknown backer '{ev.by}'.")
            named = [(f"factions[{j}]", fid) for j, fid in enumerate(ev.factions)]
            if isinstance(ev, Ultimatum) and ev.deadline < ev.month:
                raise doc.error(f"{key}.deadline", f"the deadline {ev.deadline} is before the "
                                f"ultimatum ({ev.month}).")
        elif isinstance(ev, Shock):
            named = [(f"losses.{fid}", fid) for fid in ev.losses]
            named += [(f"ideology.{fid}", fid) for fid in ev.ideology]
            named += [(f"excluded[{j}]", fid) for j, fid in enumerate(ev.excluded)]
        for sub, fid in named:
            if fid not in factions:
                raise doc.error(f"{key}.{sub}", f"unknown faction '{fid}'.")


def check_trust(sc: Scenario, doc: LocatedYaml) -> None:
    factions = set(_ids(sc.factions))
    for what, pairs in (("trust", sc.trust), ("rivalries", sc.rivalries)):
        for i, t in enumerate(pairs):
            for side in ("a", "b"):
                if getattr(t, side) not in factions:
                    raise doc.error(f"{what}[{i}].{side}", f"unknown faction '{getattr(t, side)}'.")
            if t.a == t.b:
                raise doc.error(f"{what}[{i}]", f"{what} entry of '{t.a}' with itself makes no sense.")


def check_groups(sc: Scenario, doc: LocatedYaml) -> None:
    factions = set(_ids(sc.factions))
    owner: dict[str, str] = {}
    for i, e in enumerate(sc.entities):
        for j, fid in enumerate(e.members):
            if fid not in factions:
                raise doc.error(f"entities[{i}].members[{j}]", f"unknown faction '{fid}'.")
            if fid in owner:
                raise doc.error(f"entities[{i}].members[{j}]",
                                f"faction '{fid}' is already a component of entity '{owner[fid]}'.")
            owner[fid] = e.id
    actors = (factions - set(owner)) | set(_ids(sc.entities))
    for i, r in enumerate(sc.rooms):
        if len(set(r.members)) != len(r.members):
            raise doc.error(f"rooms[{i}].members", f"room '{r.id}' lists a member twice.")
        for j, aid in enumerate(r.members):
            if aid in owner:
                raise doc.error(f"rooms[{i}].members[{j}]",
                                f"'{aid}' is a component of entity '{owner[aid]}': name the entity "
                                "in the room instead.")
            if aid not in actors:
                raise doc.error(f"rooms[{i}].members[{j}]", f"unknown faction or entity '{aid}'.")
        if r.front is not None and r.front not in {fr.id for fr in sc.fronts}:
            raise doc.error(f"rooms[{i}].front", f"unknown front '{r.front}'.")
    for i, lab in enumerate(sc.labels):
        for j, fid in enumerate(lab.contains):
            if fid not in factions:
                raise doc.error(f"labels[{i}].contains[{j}]", f"unknown faction '{fid}'.")
        if lab.since is not None and lab.until is not None and lab.until < lab.since:
            raise doc.error(f"labels[{i}].until", f"'{lab.until}' is before 'since' ({lab.since}).")


def check_rule(sc: Scenario, doc: LocatedYaml) -> None:
    from sim.rules import RULES

    if sc.rule not in RULES:
        raise doc.error("rule", f"unknown decision rule '{sc.rule}'; known rules: "
                        f"{', '.join(sorted(RULES))}.")


def check_parameter_sources(sc: Scenario, doc: LocatedYaml) -> None:
    for key in sc.parameter_sources:
        if key not in type(sc.parameters).model_fields:
            raise doc.error(f"parameter_sources.{key}", f"'{key}' is not a model parameter.")


def check_targets(sc: Scenario, doc: LocatedYaml) -> None:
    if sc.targets is None:
        return
    if not Path(doc.path).is_file():   # an in-memory scenario: nothing to resolve against
        return
    path = Path(doc.path).parent / sc.targets
    if not path.is_file():
        raise doc.error("targets", f"the targets file '{sc.targets}' does not exist "
                        f"(looked for {path}).")


CHECKS: list[Check] = [
    check_period,
    check_unique_ids,
    check_ideology_dimensions,
    check_faction_references,
    check_backer_policies,
    check_events,
    check_trust,
    check_groups,
    check_rule,
    check_parameter_sources,
    check_targets,
]
