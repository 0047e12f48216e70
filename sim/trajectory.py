"""A run's output: the event log and the monthly membership table.

The model returns a `Trajectory`; everything downstream (run folders, plots,
scores, sweeps, the dashboard) reads it or the CSV files written from it,
never the live model. CSV text is produced here, once, so that the same
trajectory always gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

ENDOGENOUS = ("room_formed", "room_joined", "room_left", "room_expelled", "room_dissolved",
              "merger", "absorbed", "split", "infighting_started", "infighting_ended", "dissolved")
EXOGENOUS = ("renamed", "designated", "ultimatum", "shock", "policy")
EVENT_COLUMNS = ("month", "type", "actors", "entity", "detail")
MEMBERSHIP_COLUMNS = ("month", "faction", "entity", "rooms", "strength", "alive")


@dataclass(frozen=True)
class Event:
    month: str
    type: str
    actors: tuple[str, ...]
    entity: str = ""
    detail: str = ""

    @property
    def endogenous(self) -> bool:
        return self.type in ENDOGENOUS

    def row(self) -> tuple[str, str, str, str, str]:
        return (self.month, self.type, ";".join(self.actors), self.entity, self.detail)


@dataclass
class Trajectory:
    scenario: str
    seed: int
    months: list[str] = field(default_factory=list)
    factions: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)         # faction id -> last display name
    entity_names: dict[str, str] = field(default_factory=dict)  # entity/room id -> display name
    events: list[Event] = field(default_factory=list)
    # Membership, one row per faction per month, column-wise.
    m_month: list[str] = field(default_factory=list)
    m_faction: list[str] = field(default_factory=list)
    m_entity: list[str] = field(default_factory=list)
    m_rooms: list[str] = field(default_factory=list)
    m_strength: list[int] = field(default_factory=list)
    m_alive: list[bool] = field(default_factory=list)

    def membership_rows(self):
        return zip(self.m_month, self.m_faction, self.m_entity, self.m_rooms, self.m_strength,
                   self.m_alive)

    def events_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(EVENT_COLUMNS)
        writer.writerows(e.row() for e in self.events)
        return buf.getvalue()

    def membership_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(MEMBERSHIP_COLUMNS)
        writer.writerows((m, f, e, r, s, "True" if a else "False")
                         for m, f, e, r, s, a in self.membership_rows())
        return buf.getvalue()

    def endogenous_events(self) -> list[Event]:
        return [e for e in self.events if e.endogenous]

    def final_partition(self) -> dict[str, list[str]]:
        """Alive factions grouped by the entity they belong to in the last month."""
        last = self.months[-1]
        groups: dict[str, list[str]] = {}
        for m, f, e, _r, _s, a in self.membership_rows():
            if m == last and a:
                groups.setdefault(e, []).append(f)
        return groups

    def final_rooms(self) -> dict[str, list[str]]:
        """Room id -> entities/factions in it in the last month."""
        last = self.months[-1]
        rooms: dict[str, list[str]] = {}
        for m, _f, e, r, _s, a in self.membership_rows():
            if m == last and a and r:
                for room in r.split(";"):
                    if e not in rooms.setdefault(room, []):
                        rooms[room].append(e)
        return rooms
