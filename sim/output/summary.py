"""The short readable summary `coalsim run` prints."""

from __future__ import annotations

from collections import defaultdict

from sim.trajectory import Trajectory

MAJOR = ("room_formed", "room_left", "room_expelled", "room_dissolved", "merger", "absorbed",
         "split", "infighting_started", "infighting_ended", "dissolved")


def summary_text(tr: Trajectory, max_months: int = 40) -> str:
    by_month: dict[str, list[str]] = defaultdict(list)
    for e in tr.events:
        if e.type in MAJOR:
            by_month[e.month].append(f"{e.type}: {e.detail}")
    lines = [f"{tr.scenario}, seed {tr.seed}: {tr.months[0]} to {tr.months[-1]}, "
             f"{len(tr.endogenous_events())} coalition events"]
    for month in sorted(by_month)[:max_months]:
        for k, text in enumerate(by_month[month]):
            lines.append(f"  {month if k == 0 else ' ' * 7}  {text}")
    if len(by_month) > max_months:
        lines.append(f"  ... {len(by_month) - max_months} more months with events (see events.csv)")
    lines.append(f"Final coalitions ({tr.months[-1]}):")
    strength = {f: s for m, f, _e, _r, s, a in tr.membership_rows() if m == tr.months[-1] and a}
    for key, members in sorted(tr.final_partition().items(),
                               key=lambda kv: -sum(strength[f] for f in kv[1])):
        total = sum(strength[f] for f in members)
        if len(members) > 1:
            name = tr.entity_names.get(key, key)
            lines.append(f"  {name} [{key}]: {', '.join(members)} ({total:,} fighters)")
        else:
            lines.append(f"  {tr.names.get(members[0], members[0])} [{members[0]}]: "
                         f"{total:,} fighters")
    for rid, members in sorted(tr.final_rooms().items()):
        lines.append(f"  room {tr.entity_names.get(rid, rid)} [{rid}]: {', '.join(members)}")
    return "\n".join(lines)
