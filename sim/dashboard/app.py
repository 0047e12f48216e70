"""The dashboard page (Solara). Only the user interface lives here: the model is
held and stepped by `sim.dashboard.session`, and every picture and list comes
from the pure functions of `sim.dashboard.views`.

Started by `coalsim dashboard`, which passes the scenario to open in
$COALSIM_DASHBOARD_SCENARIO and the folder to list scenarios from in
$COALSIM_DASHBOARD_ROOT. Each browser tab gets its own session.
"""

from __future__ import annotations

import html
import os
import sys
import time
from pathlib import Path

import solara

from sim.dashboard import views
from sim.dashboard.session import (SLIDERS, Session, default_root, discover_scenarios,
                                   initial_scenario_path)
from sim.errors import InputError

PLAY_INTERVAL = 0.7      # seconds between months while playing
LOG_LIMIT = 400          # newest events shown in the log
TIMING = os.environ.get("COALSIM_DASHBOARD_TIMING") == "1"   # print render times to stderr

CSS = """
.coalsim-event-log { max-height: 460px; overflow-y: auto; font-size: 13px; line-height: 1.35; }
.coalsim-event-log .cs-month { font-weight: 600; margin-top: 6px; }
.coalsim-event-log .cs-event { margin-left: 10px; }
.coalsim-event-log .cs-kind { font-weight: 600; }
.coalsim-event-log .cs-input { color: #6a3d9a; }
.coalsim-compare { font-size: 13px; line-height: 1.35; }
.coalsim-documented { max-height: 340px; overflow-y: auto; }
.coalsim-compare td { vertical-align: top; padding: 2px 8px 2px 0; }
.coalsim-image img, img.coalsim-image { max-width: 100%; height: auto; }
.coalsim-status { font-size: 15px; font-weight: 600; }
.coalsim-why { max-height: 420px; overflow: auto; font-size: 12px; line-height: 1.3; }
.coalsim-legend { font-size: 12px; line-height: 1.5; }
.coalsim-legend .cs-key { display: inline-block; margin-right: 12px; white-space: nowrap; }
.coalsim-legend .cs-swatch { display: inline-block; width: 14px; height: 3px; margin-right: 4px;
                             vertical-align: middle; }
"""


def slider_position(value: float, lo: float, hi: float, step: float) -> float:
    """Where a slider shows `value`: the nearest point of its grid. A slider
    handed a value off its grid (a calibrated 0.2944654...) moves it onto the
    grid and reports the move, which must not count as the user's change."""
    return float(min(max(round(lo + round((value - lo) / step) * step, 10), lo), hi))


def slider_unmoved(reported: float, shown: float) -> bool:
    """Whether a slider's report is only the position it was given: the
    scenario's own value then stays, so that the dashboard runs exactly what
    `coalsim run` runs for the same seed."""
    return abs(reported - shown) < 1e-9


def _label(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _scenario_options(root: Path, current: Path) -> dict[str, Path]:
    options = {_label(p, root): p for p in discover_scenarios(root)}
    label = _label(current, root)
    if label not in options:
        options[label] = current
    return dict(sorted(options.items()))


def _log_html(log) -> str:
    parts = []
    for month, rows in log:
        parts.append(f'<div class="cs-month">{html.escape(month)}</div>')
        for r in rows:
            cls = "cs-event" if r.endogenous else "cs-event cs-input"
            parts.append(f'<div class="{cls}"><span class="cs-kind" style="color:{r.colour}">'
                         f'{html.escape(r.label)}</span>: {html.escape(r.text)}</div>')
    if not parts:
        parts.append("<i>No events yet: press Step or Play.</i>")
    return "".join(parts)


def _legend_html(entries) -> str:
    return "".join(
        f'<span class="cs-key"><span class="cs-swatch" style="background:{colour}"></span>'
        f"{html.escape(name)}</span>" for name, colour in entries)


def _compare_html(month: str | None, documented, simulated, names, upcoming) -> str:
    doc_rows = views.documented_rows(documented, simulated, names)
    left = "".join(
        f"<div>{'&#10003; ' if r.simulated else ''}<b>{html.escape(r.label)}</b>: "
        f"{html.escape(r.text)}</div>" for r in doc_rows) or "<i>nothing documented</i>"
    sim = [e for e in simulated if e.endogenous]
    right = "".join(
        f"<div><b>{html.escape(views.EVENT_STYLE.get(e.type, (e.type, ''))[0])}</b>: "
        f"{html.escape(views.event_text(e, names))}</div>" for e in sim) or "<i>nothing</i>"
    nxt = ""
    if upcoming is not None:
        nxt = (f"<div style='margin-top:4px;color:#555'>Next documented event: "
               f"{html.escape(upcoming.month)}, {html.escape(upcoming.type)} "
               f"({html.escape(', '.join(names.get(a, a) for a in upcoming.actors))})</div>")
    return (f"<table class='coalsim-compare'><tr><th align='left'>Documented in "
            f"{html.escape(month or '-')}</th><th align='left'>Simulated in "
            f"{html.escape(month or '-')}</th></tr><tr><td>{left}</td><td>{right}</td></tr>"
            f"</table>{nxt}<div style='color:#555'>&#10003; = the simulation has an event of the "
            "same type with one of the same factions this month.</div>")


def _render(session: Session):
    """Everything drawn from one state of the session, taken under its lock so that
    a month being simulated in the play thread is never half-read."""
    started = time.perf_counter()
    with session.lock:
        snap = session.snapshot
        start, end = session.months
        initial = session.history[0]
        reference = max(initial.strength) if initial.strength else 1.0
        trajectory = session.trajectory
        network = views.figure_png(views.network_figure(snap, session.layout,
                                                        reference_strength=reference))
        strength = views.figure_png(views.strength_figure(
            trajectory, start, end, initial=dict(zip(initial.ids, initial.strength)),
            legend=False))
        counts = views.figure_png(views.counts_figure(session.history, start, end))
        names = dict(zip(snap.ids, snap.names))
        names.update(trajectory.names)
        names.update(trajectory.entity_names)
        log = _log_html(views.event_log(trajectory.events, names, limit=LOG_LIMIT))
        compare = ""
        if session.documented:
            month = snap.month
            simulated = [e for e in trajectory.events if e.month == month] if month else []
            compare = _compare_html(month, session.documented_in(month), simulated, names,
                                    session.next_documented(month))
    if TIMING:
        print(f"coalsim-dashboard render t={snap.t} {time.perf_counter() - started:.3f}s",
              file=sys.stderr, flush=True)
    return network, strength, counts, log, names, compare, _legend_html(
        views.strength_colours(trajectory))


@solara.component
def Page():
    solara.Title("coalsim: faction coalitions")
    solara.Style(CSS)
    root = solara.use_memo(default_root, [])

    def make_session():
        try:
            return Session(initial_scenario_path(root)), ""
        except InputError as err:
            return None, str(err)

    session, problem = solara.use_memo(make_session, [])
    if session is None:
        solara.Error(f"Could not open the scenario: {problem}")
    else:
        Dashboard(session=session, root=root)


@solara.component
def Dashboard(session: Session, root: Path):
    error = solara.use_reactive("")
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)

    def refresh():
        version.set(session.version)

    def apply(**settings):
        playing.set(False)
        try:
            session.reset(**settings)
            error.set("")
        except InputError as err:
            error.set(str(err))
        refresh()

    def step():
        session.step()
        refresh()

    def play_loop():
        while playing.value and not session.finished:
            time.sleep(PLAY_INTERVAL)
            if not playing.value:
                break
            session.step()
            refresh()
        if session.finished and playing.value:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    options = solara.use_memo(lambda: _scenario_options(root, session.scenario_path),
                              [str(session.scenario_path)])
    current_label = _label(session.scenario_path, root)

    # ---- controls ------------------------------------------------------------------
    with solara.Sidebar():
        solara.HTML(tag="h3", unsafe_innerHTML="Scenario")
        solara.Select(label="Scenario", values=list(options), value=current_label,
                      on_value=lambda label: apply(scenario_path=options[label]))
        solara.InputInt("Seed", value=session.seed, on_value=lambda s: apply(seed=s))
        solara.HTML(tag="h3", unsafe_innerHTML="Parameters")
        for name, (label, lo, hi, stepsize) in SLIDERS.items():
            value = session.parameters[name]
            shown = slider_position(value, lo, hi, stepsize)
            solara.SliderFloat(f"{label}: {value:g}", value=shown, min=lo, max=hi,
                               step=stepsize, thumb_label=True,
                               on_value=lambda v, name=name, shown=shown: (
                                   None if slider_unmoved(v, shown)
                                   else apply(parameters={name: v})))
        solara.Button("Scenario defaults", text=True, small=True,
                      on_click=lambda: apply(parameters=session.default_parameters()))
        solara.HTML(tag="p", unsafe_innerHTML=(
            "Changing the scenario, the seed or a parameter restarts the run from its first "
            "month. The same settings and seed always give the same run."),
            style="font-size: 13px; color: #444")

    # ---- status and buttons ------------------------------------------------------------
    snap = session.snapshot
    where = snap.month or f"before {session.months[0]}"
    status = (f"{session.base.name}: {where} (month {snap.t} of {session.n_months}), "
              f"seed {session.seed}")
    if session.finished:
        status += " - run finished, press Reset"
    with solara.Row(style="align-items: center; flex-wrap: wrap"):
        solara.Button("Step", on_click=step, disabled=session.finished or playing.value,
                      color="primary")
        solara.Button("Pause" if playing.value else "Play",
                      on_click=lambda: playing.set(not playing.value),
                      disabled=session.finished and not playing.value)
        solara.Button("Reset", on_click=lambda: apply())
        solara.Text(status, classes=["coalsim-status"])
    if error.value:
        solara.Error(error.value)
    if session.documented_warning:
        solara.Warning(session.documented_warning)

    # ---- pictures and log (rendered once per model change) ------------------------------------
    rendered = solara.use_memo(lambda: _render(session), [id(session), session.version,
                                                           version.value])
    network_png, strength_png, counts_png, log, names, compare, legend = rendered

    with solara.Columns([3, 2]):
        with solara.Card("Faction network", margin=0):
            solara.Image(network_png, width="100%", classes=["coalsim-image", "coalsim-network"])
            solara.HTML(tag="p", unsafe_innerHTML=(
                "Node area: fighters. Colour: merged entity (grey: on its own). Thick line: "
                "components of one entity; dashed blue: operations room; dotted red with a "
                "cross: infighting."), style="font-size: 13px; color: #444")
        with solara.Column():
            if compare:
                with solara.Card("Documented and simulated this month", margin=0):
                    solara.HTML(tag="div", unsafe_innerHTML=compare,
                                classes=["coalsim-documented"])
            with solara.Card("Event log (newest first)", margin=0):
                solara.HTML(tag="div", unsafe_innerHTML=log,
                            classes=["coalsim-event-log"])
    with solara.Columns([1, 1]):
        with solara.Card(margin=0):
            solara.Image(strength_png, width="100%", classes=["coalsim-image", "coalsim-strength"])
            solara.HTML(tag="div", unsafe_innerHTML=legend, classes=["coalsim-legend"])
        with solara.Card(margin=0):
            solara.Image(counts_png, width="100%", classes=["coalsim-image", "coalsim-counts"])
    Why(session=session, version=version.value)


NOBODY = "(nobody)"


@solara.component
def Why(session: Session, version: int):
    """Why did a faction do what it did this month: `coalsim explain` on this run."""
    actor = solara.use_reactive("")
    partner = solara.use_reactive(NOBODY)
    snap = session.snapshot
    alive = {f"{name} ({fid})": fid for fid, name, a in zip(snap.ids, snap.names, snap.alive) if a}
    labels = list(alive)
    current = actor.value if actor.value in alive else (labels[0] if labels else "")

    def compute():
        if session.month is None or not current:
            return "Press Step: the explanation is of the month last simulated."
        other = alive.get(partner.value)
        try:
            ex = session.explain(alive[current], other if other != alive[current] else None)
        except InputError as err:
            return str(err)
        return ex.to_text() if ex is not None else ""

    text = solara.use_memo(compute, [id(session), session.version, version, current,
                                     partner.value])
    with solara.Card("Why did it do that?", margin=0):
        with solara.Row(style="flex-wrap: wrap"):
            solara.Select(label="Faction", values=labels, value=current, on_value=actor.set)
            solara.Select(label="Towards (terms of each utility)", values=[NOBODY, *labels],
                          value=partner.value if partner.value in alive else NOBODY,
                          on_value=partner.set)
        solara.HTML(tag="pre", unsafe_innerHTML=html.escape(text), classes=["coalsim-why"])
        solara.HTML(tag="p", unsafe_innerHTML=(
            "The chance of each action this month, the likeliest partners and targets, and "
            "with a second faction every utility towards it, term by term (i&rarr;j is what the "
            "first weighs, j&rarr;i what the second weighs to accept). The same as "
            "<code>coalsim explain</code>: see docs/explain.md."),
            style="font-size: 13px; color: #444")
