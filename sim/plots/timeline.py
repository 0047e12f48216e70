"""`timeline.png`: who was with whom, month by month, and simulated against
documented events. Reads a Trajectory (or the CSVs), never live agents."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sim.trajectory import ENDOGENOUS, Trajectory  # noqa: E402

FIGHT_TYPES = ("infighting_started",)


def _documented(targets_path: str | None) -> list[tuple[str, str]]:
    """(month, type) of documented target events, or [] if there are none."""
    if not targets_path or not Path(targets_path).is_file():
        return []
    try:
        from sim.scoring.targets import load_targets

        return [(t.month, t.type) for t in load_targets(targets_path).targets]
    except Exception:  # a plot must not fail a run: fall back to plain reading
        data = yaml.safe_load(Path(targets_path).read_text(encoding="utf-8")) or {}
        rows = data.get("targets", []) if isinstance(data, dict) else []
        return [(str(r["month"]), str(r["type"])) for r in rows
                if isinstance(r, dict) and "month" in r and "type" in r]


def plot_timeline(tr: Trajectory, path: str | Path, targets_path: str | None = None) -> Path:
    months = tr.months
    month_ix = {m: i for i, m in enumerate(months)}
    factions = tr.factions
    n_f, n_m = len(factions), len(months)
    strength = np.zeros((n_f, n_m))
    entity = np.empty((n_f, n_m), dtype=object)
    rooms = np.empty((n_f, n_m), dtype=object)
    f_ix = {f: i for i, f in enumerate(factions)}
    for m, f, e, r, s, a in tr.membership_rows():
        i, t = f_ix[f], month_ix[m]
        strength[i, t] = s if a else 0
        entity[i, t] = e if a else ""
        rooms[i, t] = r if a else ""
    order = np.argsort(-strength[:, 0], kind="stable")
    # Merged entities: any entity value some other faction carries.
    merged = sorted({e for (i, t), e in np.ndenumerate(entity) if e and e != factions[i]})
    palette = plt.get_cmap("tab20")
    colour = {e: palette(k % 20) for k, e in enumerate(merged)}
    room_ids = sorted({x for r in rooms.ravel() if r for x in r.split(";")})
    room_colour = {r: plt.get_cmap("Dark2")(k % 8) for k, r in enumerate(room_ids)}

    documented = _documented(targets_path)
    fig, axes = plt.subplots(2 if documented else 1, 1, figsize=(14, 0.38 * n_f + (5 if documented else 2)),
                             gridspec_kw={"height_ratios": [max(n_f, 4), 6]} if documented else None,
                             squeeze=False)
    ax = axes[0, 0]
    smax = max(strength.max(), 1.0)
    for row, i in enumerate(order):
        for t in range(n_m):
            if strength[i, t] <= 0:
                continue
            h = 0.15 + 0.7 * np.sqrt(strength[i, t] / smax)
            e = entity[i, t]
            c = colour.get(e, (0.75, 0.75, 0.75, 1.0))
            ax.add_patch(plt.Rectangle((t - 0.5, row - h / 2), 1.0, h, color=c, lw=0))
            if rooms[i, t]:
                for k, rid in enumerate(rooms[i, t].split(";")[:3]):
                    ax.plot(t, row + 0.42 - 0.12 * k, marker="s", ms=2.5, color=room_colour[rid],
                            lw=0)
    for ev in tr.events:
        if ev.type in FIGHT_TYPES and ev.month in month_ix:
            for f in ev.actors:
                if f in f_ix:
                    ax.plot(month_ix[ev.month], int(np.flatnonzero(order == f_ix[f])[0]), "x",
                            color="crimson", ms=6, mew=1.5)
        elif ev.type in ("split", "dissolved") and ev.month in month_ix:
            for f in ev.actors:
                if f in f_ix:
                    ax.plot(month_ix[ev.month], int(np.flatnonzero(order == f_ix[f])[0]),
                            "v" if ev.type == "split" else "X", color="black", ms=5)
    ax.set_yticks(range(n_f))
    ax.set_yticklabels([f"{tr.names.get(factions[i], factions[i])} ({factions[i]})" for i in order],
                       fontsize=7)
    ax.set_ylim(n_f - 0.5, -0.5)
    _month_axis(ax, months)
    ax.set_title(f"{tr.scenario}, seed {tr.seed}: bar colour = merged entity, bar height = fighters, "
                 "squares = operations rooms, x = infighting, v = split, X = dissolved", fontsize=9)
    handles = [Patch(color=colour[e], label=tr.entity_names.get(e, e)) for e in merged[:12]]
    handles += [Patch(color=room_colour[r], label=f"room {tr.entity_names.get(r, r)}"[:40])
                for r in room_ids[:8]]
    if handles:
        ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    if documented:
        ax2 = axes[1, 0]
        types = list(ENDOGENOUS)
        sim = [(month_ix[e.month], types.index(e.type)) for e in tr.events
               if e.type in types and e.month in month_ix]
        doc = [(month_ix[m], types.index(t)) for m, t in documented if t in types and m in month_ix]
        if sim:
            x, y = zip(*sim)
            ax2.scatter(np.array(x), np.array(y) - 0.15, marker="o", s=18, label="simulated",
                        color="tab:blue")
        if doc:
            x, y = zip(*doc)
            ax2.scatter(np.array(x), np.array(y) + 0.15, marker="D", s=22, label="documented",
                        color="tab:orange")
        ax2.set_yticks(range(len(types)))
        ax2.set_yticklabels(types, fontsize=7)
        ax2.set_ylim(len(types) - 0.5, -0.5)
        _month_axis(ax2, months)
        ax2.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax2.set_title("Simulated against documented coalition events", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def _month_axis(ax, months: list[str]) -> None:
    ticks = [i for i, m in enumerate(months) if m.endswith(("-01", "-07"))]
    ax.set_xticks(ticks)
    ax.set_xticklabels([months[i] for i in ticks], fontsize=7, rotation=45)
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.grid(axis="x", alpha=0.3)
