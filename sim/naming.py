"""Display names of the rooms and entities a run forms.

The model's ledger (`sim.model.organisations`) and the documented record
replayed as a run (`sim.scoring.record`) name them by the same rules: the
scenario's first matching label, else a name made from the members.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sim.config.schema import Label


def label_for(labels: Iterable[Label], faction_ids: set[str], kind: str) -> str | None:
    """The first label whose `contains` are all among `faction_ids` and that
    applies to `kind` ("entity" or "room"), or None."""
    for lab in labels:
        if lab.applies_to in (kind, "any") and set(lab.contains) <= faction_ids:
            return lab.name
    return None


def entity_name(labels: Iterable[Label], faction_ids: set[str], leader_name: str) -> str:
    """A merged entity's name: its label, else "<strongest member> coalition"."""
    return label_for(labels, faction_ids, "entity") or f"{leader_name} coalition"


def room_name(labels: Iterable[Label], faction_ids: set[str], member_names: Sequence[str]) -> str:
    """A room's name: its label, else "Operations room of" its first three members."""
    return label_for(labels, faction_ids, "room") or "Operations room of " + ", ".join(
        member_names[:3]) + (" ..." if len(member_names) > 3 else "")
