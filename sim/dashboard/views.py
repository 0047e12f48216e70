"""Pure views of a run: matplotlib figures and event-log rows.

Every function here takes snapshots (`sim.dashboard.session.Snapshot`), the
trajectory or documented events, and returns a new figure or plain data. None
keeps state and none touches the model. Figures are built with
`matplotlib.figure.Figure` (no pyplot, so no global figure registry and safe
to build from the server's threads) and turned into PNG bytes by `figure_png`.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.config.months import to_index, to_month
from sim.trajectory import ENDOGENOUS, Event, Trajectory

# Colour-blind-friendly palette (Okabe-Ito, then tab10 extras) for merged entities.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#8c564b", "#bcbd22", "#17becf", "#9467bd", "#e377c2")
STANDALONE = "#d9d9d9"
ROOM_COLOUR = "#1f5fa8"
FIGHT_COLOUR = "#c0142b"
DEAD_COLOUR = "#f2f2f2"

EVENT_STYLE = {   # type -> (label, colour) for the event log
    "room_formed": ("room formed", ROOM_COLOUR),
    "room_joined": ("joins room", ROOM_COLOUR),
    "room_left": ("leaves room", "#b35900"),
    "room_expelled": ("expelled from room", "#b35900"),
    "room_dissolved": ("room dissolved", "#b35900"),
    "merger": ("merger", "#007a5a"),
    "absorbed": ("absorbed", "#007a5a"),
    "split": ("split", "#b35900"),
    "infighting_started": ("infighting starts", FIGHT_COLOUR),
    "infighting_ended": ("infighting ends", "#7a0a1a"),
    "dissolved": ("dissolved", "#555555"),
    "renamed": ("renamed (input)", "#6a3d9a"),
    "designated": ("designated (input)", "#6a3d9a"),
    "ultimatum": ("ultimatum (input)", "#6a3d9a"),
    "shock": ("shock (input)", "#6a3d9a"),
    "policy": ("backer policy (input)", "#6a3d9a"),
}


# ---- helpers ---------------------------------------------------------------------

def entity_colour(key: str) -> str:
    """A stable colour for a merged entity key (same key, same colour, every step)."""
    digits = "".join(ch for ch in key if ch.isdigit())
    if key[:1] == "E" and digits == key[1:] and digits:
        index = int(digits) - 1
    else:
        index = zlib.crc32(key.encode("utf-8"))
    return PALETTE[index % len(PALETTE)]


DPI = 80


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (at the figure's own resolution, `DPI`)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi="figure")
    return buf.getvalue()


def _month_axis(ax, start: str, end: str) -> None:
    """Months from `start` to `end` on the x axis, with room on the left for the
    state before the first month (plotted at `start` - 1)."""
    lo, hi = to_index(start), to_index(end)
    ax.set_xlim(lo - 1.5, hi + 0.5)
    span = hi - lo + 1
    step = next((k for k in (1, 2, 3, 6, 12, 24, 60) if span / k <= 7), 120)
    ticks = [i for i in range(lo, hi + 1) if (i - lo) % step == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([to_month(i) for i in ticks], fontsize=7)


def _representative(snap, key: str, index: dict[str, int]) -> int | None:
    """The strongest alive faction of an actor (its node in the network)."""
    units = [u for u, k in enumerate(snap.actor_of) if k == key and snap.alive[u]]
    if not units and key in index and snap.alive[index[key]]:
        units = [index[key]]
    return max(units, key=lambda u: snap.strength[u]) if units else None


# ---- the faction network -----------------------------------------------------------

def network_figure(snap, layout: dict[str, tuple[float, float]], *,
                   reference_strength: float | None = None, title: str | None = None,
                   size: tuple[float, float] = (7.0, 5.6)) -> Figure:
    """The factions as a network at one moment.

    Node area is proportional to strength (scaled by `reference_strength`,
    e.g. the largest faction at the start, so that growth shows); node colour
    is the merged entity (grey: on its own; hollow: dissolved). Edges: solid
    thick in the entity's colour between components of a merged entity;
    dashed blue between room partners (their strongest factions); dotted red
    between the two sides of an active fight. Positions come from `layout`.
    """
    fig = Figure(figsize=size, dpi=DPI)
    ax = fig.add_axes((0.0, 0.11, 1.0, 0.84))
    ax.set_axis_off()
    index = {fid: u for u, fid in enumerate(snap.ids)}
    xy = np.array([layout.get(fid, (0.0, 0.0)) for fid in snap.ids], dtype=float)
    strength = np.array(snap.strength, dtype=float)
    alive = np.array(snap.alive, dtype=bool)
    ref = reference_strength or (float(strength.max()) if len(strength) else 1.0) or 1.0
    merged = snap.merged

    # Merged entities: every pair of components.
    for key, members in merged.items():
        colour = entity_colour(key)
        units = [index[f] for f in members]
        for i, a in enumerate(units):
            for b in units[i + 1:]:
                ax.plot(*xy[[a, b]].T, color=colour, lw=4.0, alpha=0.85, zorder=1,
                        solid_capstyle="round")
    # Rooms: partners' strongest factions.
    for _rid, _name, members in snap.rooms:
        reps = [r for r in (_representative(snap, k, index) for k in members) if r is not None]
        for i, a in enumerate(reps):
            for b in reps[i + 1:]:
                ax.plot(*xy[[a, b]].T, color=ROOM_COLOUR, lw=1.8, ls=(0, (5, 3)), zorder=2)
    # Fights.
    for a_key, b_key in snap.fights:
        a, b = _representative(snap, a_key, index), _representative(snap, b_key, index)
        if a is None or b is None:
            continue
        ax.plot(*xy[[a, b]].T, color=FIGHT_COLOUR, lw=3.0, ls=(0, (1, 1.2)), zorder=3)
        mid = xy[[a, b]].mean(axis=0)
        ax.scatter([mid[0]], [mid[1]], marker="X", s=110, color=FIGHT_COLOUR, zorder=4,
                   edgecolors="white", linewidths=0.8)

    # Nodes.
    colours = []
    for u, key in enumerate(snap.actor_of):
        if not alive[u]:
            colours.append(DEAD_COLOUR)
        elif key in merged:
            colours.append(entity_colour(key))
        else:
            colours.append(STANDALONE)
    area = np.where(alive, np.maximum(1600.0 * strength / ref, 40.0), 60.0)
    ax.scatter(xy[:, 0], xy[:, 1], s=area, c=colours, edgecolors=np.where(alive, "#333333", "#aaaaaa"),
               linewidths=np.where(alive, 1.0, 0.8), zorder=5)
    for u, name in enumerate(snap.names):
        label = name if alive[u] else f"{name} (gone)"
        radius = np.sqrt(area[u]) / 2.0
        ax.annotate(label, xy[u], xytext=(0, -radius - 3), textcoords="offset points",
                    ha="center", va="top", fontsize=8, zorder=6,
                    color="#222222" if alive[u] else "#999999")

    # Stable frame: the layout's bounds, not the data drawn this month.
    if len(xy):
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        pad = np.maximum((hi - lo) * np.array([0.16, 0.1]), 0.25)
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1] * 1.3, hi[1] + pad[1])

    handles = [Line2D([], [], color="#555555", lw=4, label="merged entity (colour)"),
               Line2D([], [], color=ROOM_COLOUR, lw=1.8, ls=(0, (5, 3)), label="operations room"),
               Line2D([], [], color=FIGHT_COLOUR, lw=3, ls=(0, (1, 1.2)), label="infighting"),
               Patch(facecolor=STANDALONE, edgecolor="#333333", label="on its own")]
    handles += [Patch(facecolor=entity_colour(k), edgecolor="#333333",
                      label=_short(snap.display(k), 28)) for k in sorted(merged)]
    fig.legend(handles=handles, loc="lower center", fontsize=7, frameon=False,
               ncol=min(len(handles), 4), columnspacing=1.2, handlelength=2.5)
    c = snap.counts
    heading = title or (snap.month or "start")
    ax.set_title(f"{heading}: {c['factions']} factions, {c['rooms']} rooms, "
                 f"{c['entities']} merged entities, {c['fights']} fights  "
                 "(node area = fighters)", fontsize=9)
    return fig


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ---- time series ---------------------------------------------------------------------

def strength_series(trajectory: Trajectory) -> tuple[list[str], dict[str, np.ndarray]]:
    """Months and, per faction, its strength each month (NaN once dissolved)."""
    months = list(trajectory.months)
    row = {m: i for i, m in enumerate(months)}
    series = {fid: np.full(len(months), np.nan) for fid in trajectory.factions}
    for m, f, _e, _r, s, a in trajectory.membership_rows():
        if a and f in series:
            series[f][row[m]] = s
    return months, series


def strength_colours(trajectory: Trajectory) -> list[tuple[str, str]]:
    """(display name, line colour) of each faction in `strength_figure`, in order."""
    n = len(trajectory.factions)
    return [(trajectory.names.get(fid, fid), _faction_colour(i, n))
            for i, fid in enumerate(trajectory.factions)]


def strength_figure(trajectory: Trajectory, start: str, end: str, *,
                    initial: dict[str, float] | None = None, legend: bool = True,
                    size: tuple[float, float] = (6.0, 3.4)) -> Figure:
    """Fighters per faction over time (the whole run's months on the x axis).
    `initial` adds the state before the first month; `legend=False` leaves the
    legend out (the dashboard draws it as HTML from `strength_colours`, which
    is several times cheaper than drawing it in the figure every step)."""
    fig = Figure(figsize=size, dpi=DPI)
    ncol = 1 if len(trajectory.factions) <= 10 else 2
    right = 0.97 if not legend else 0.74 if ncol == 1 else 0.6
    fig.subplots_adjust(left=0.11, right=right, bottom=0.12, top=0.91)
    ax = fig.add_subplot()
    months, series = strength_series(trajectory)
    x0 = to_index(start) - 1
    xs = np.array([to_index(m) for m in months], dtype=float)
    for i, (fid, ys) in enumerate(series.items()):
        name = trajectory.names.get(fid, fid)
        colour = _faction_colour(i, len(series))
        x, y = xs, ys
        if initial and fid in initial:
            x, y = np.concatenate([[x0], xs]), np.concatenate([[initial[fid]], ys])
        ax.plot(x, y, color=colour, lw=1.5, label=_short(name, 22))
    _month_axis(ax, start, end)
    ax.set_ylabel("fighters", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylim(bottom=0)
    ax.set_title("Strength by faction", fontsize=9)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=ncol,
                  frameon=False)
    return fig


def _faction_colour(i: int, n: int) -> str:
    """tab10 for up to ten factions; beyond, tab20 with its dark shades first."""
    import matplotlib

    if n <= 10:
        return matplotlib.colors.to_hex(matplotlib.colormaps["tab10"](i))
    k = i % 20
    return matplotlib.colors.to_hex(matplotlib.colormaps["tab20"](2 * k if k < 10 else 2 * (k - 10) + 1))


def counts_figure(history: Sequence, start: str, end: str, *,
                  size: tuple[float, float] = (6.0, 3.0)) -> Figure:
    """Number of rooms, merged entities and active fights after each month."""
    fig = Figure(figsize=size, dpi=DPI)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.9)
    ax = fig.add_subplot()
    x0 = to_index(start) - 1
    xs = [x0 + snap.t for snap in history]
    # Small vertical offsets keep lines that share a value (often 0) all visible.
    for key, label, colour, shift in (("rooms", "operations rooms", ROOM_COLOUR, 0.05),
                                      ("entities", "merged entities", "#007a5a", 0.0),
                                      ("fights", "active fights", FIGHT_COLOUR, -0.05)):
        ax.step(xs, [snap.counts[key] + shift for snap in history], where="post", color=colour,
                lw=1.8, label=label)
    _month_axis(ax, start, end)
    top = max([max(s.counts["rooms"], s.counts["entities"], s.counts["fights"]) for s in history]
              + [3])
    ax.set_ylim(-0.2, top + 0.5)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title("Rooms, merged entities and fights", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    return fig


# ---- the event log -----------------------------------------------------------------------

@dataclass(frozen=True)
class LogRow:
    month: str
    type: str
    label: str
    colour: str
    text: str
    endogenous: bool


def event_text(event: Event, names: dict[str, str]) -> str:
    if event.detail:
        return event.detail
    return ", ".join(names.get(a, a) for a in event.actors)


def event_log(events: Sequence[Event], names: dict[str, str], *,
              limit: int | None = None) -> list[tuple[str, list[LogRow]]]:
    """Events grouped by month, newest month first (and, within a month, the
    order they happened). `limit` keeps only the newest events."""
    chosen = list(events)[-limit:] if limit else list(events)
    months: dict[str, list[LogRow]] = {}
    for e in chosen:
        label, colour = EVENT_STYLE.get(e.type, (e.type, "#333333"))
        months.setdefault(e.month, []).append(
            LogRow(e.month, e.type, label, colour, event_text(e, names), e.type in ENDOGENOUS))
    return sorted(months.items(), key=lambda kv: kv[0], reverse=True)


def event_log_text(log: list[tuple[str, list[LogRow]]]) -> str:
    """The log as plain text (for tests and copying)."""
    lines = []
    for month, rows in log:
        lines.append(month)
        lines.extend(f"  {r.label}: {r.text}" for r in rows)
    return "\n".join(lines)


# ---- documented against simulated -------------------------------------------------------

@dataclass(frozen=True)
class DocumentedRow:
    label: str
    text: str
    simulated: bool          # an event of the same type with a shared actor was simulated this month


def documented_rows(documented: Sequence, simulated: Sequence[Event],
                    names: dict[str, str]) -> list[DocumentedRow]:
    """The documented events of a month, each marked when the simulation has an
    endogenous event of the same type sharing at least one actor that month."""
    rows = []
    for d in documented:
        hit = any(e.type == d.type and set(e.actors) & set(d.actors) for e in simulated)
        actors = ", ".join(names.get(a, a) for a in d.actors)
        label, _ = EVENT_STYLE.get(d.type, (d.type, ""))
        text = f"{actors}" + (f" ({d.description})" if d.description else "")
        rows.append(DocumentedRow(label, text, hit))
    return rows
