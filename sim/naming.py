"""Display names of the rooms and entities a run forms.

The model's ledger (`sim.model.organisations`) and the documented record
replayed as a run (`sim.scoring.record`) name them by the same rules: the
scenario's first label that matches the members and is valid in the month
(`since` .. `until`: Hay'at Tahrir al-Sham is not named before January 2017),
else a name made from the members.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sim.config.schema import Label


def label_for(labels: Iterable[Label], faction_ids: set[str], kind: str,
              month: str) -> str | None:
    """The first label whose `contains` are all among `faction_ids`, that
    applies to `kind` ("entity" or "room") and is valid in `month` ("YYYY-MM"),
    or None."""
    for lab in labels:
        if (lab.applies_to in (kind, "any") and set(lab.contains) <= faction_ids
                and (lab.since is None or lab.since <= month)
                and (lab.until is None or month <= lab.until)):
            return lab.name
    return None


def entity_name(labels: Iterable[Label], faction_ids: set[str], leader_name: str,
                month: str) -> str:
    """A merged entity's name: its label, else "<strongest member> coalition"."""
    return label_for(labels, faction_ids, "entity", month) or f"{leader_name} coalition"


def room_name(labels: Iterable[Label], faction_ids: set[str], member_names: Sequence[str],
              month: str) -> str:
    """A room's name: its label, else "Operations room of" its first three members."""
    return label_for(labels, faction_ids, "room", month) or "Operations room of " + ", ".join(
        member_names[:3]) + (" ..." if len(member_names) > 3 else "")
