"""Why an actor did what it did: one month's choice, term by term.

`explain(scenario, month, actor)` runs the scenario (same seed, same draws) to
`month`, keeps a copy of the observation the decision rule saw that month and
what it decided, and lays out for one actor:

* the probability of each action (doing nothing, leaving its least attached
  room, dissolving, coordinating, merging, fighting), with the share of months
  in which it acts at all (`base_activity` and its crisis);
* its likeliest targets for each targeted action, with the target's chance of
  accepting a proposal;
* with a `partner`, each utility towards it as the rule's named terms (the
  `utility` rule's `terms`; other rules give totals only), both ways: what i
  weighs towards j and what j weighs towards i, whose acceptance decides;
* for a merged entity, each component's chance of leaving it;
* what it drew, and the events of that month that name its factions.

The utilities are the rule's own (`Rule.utilities`), and the probabilities
come from the same functions the model draws with (`sim.rules.choice`), so
the explanation is of the run itself, not of a re-implementation.
"""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass, field

import numpy as np

from sim.config import Scenario
from sim.config.months import MONTH_RE
from sim.errors import InputError
from sim.rules.base import SINGLE_ACTIONS, TARGETED_ACTIONS, Decisions, Observation, Utilities
from sim.rules.choice import N_SINGLE, acceptance_utility, choice_logits, logistic, valid_options

ACTIONS = SINGLE_ACTIONS + TARGETED_ACTIONS


@dataclass
class Target:
    key: str
    name: str
    utility: float
    probability: float          # of choosing this target for this action
    accept: float | None        # the target's chance of accepting (coordinate, merge)


@dataclass
class Explanation:
    scenario: str
    seed: int
    month: str
    rule: str
    actor: str
    actor_name: str
    members: list[str]
    note: str                   # how the requested id was resolved to an actor
    active: float               # chance it acts at all this month
    probabilities: dict[str, float]
    utilities: dict[str, float]  # single actions
    top: dict[str, list[Target]]
    partner: str | None = None
    partner_name: str | None = None
    terms: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)
    totals: dict[str, tuple[float, float]] = field(default_factory=dict)
    single_terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    defect: list[tuple[str, float, str]] = field(default_factory=list)
    chosen: str = ""
    received: list[str] = field(default_factory=list)   # proposals and attacks by others
    events: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_text(self) -> str:
        out = [f"{self.actor_name} [{self.actor}] in {self.month} "
               f"({self.scenario}, seed {self.seed}, rule '{self.rule}')"]
        if self.note:
            out.append(self.note)
        if len(self.members) > 1:
            out.append(f"factions: {', '.join(self.members)}")
        out.append("")
        out.append(f"Chance of acting at all this month: {self.active:.2f}")
        out.append("Chance of each action:")
        for a in ACTIONS:
            u = f"   utility {self.utilities[a]:+.2f}" if a in self.utilities else ""
            out.append(f"  {a:<11s}{self.probabilities[a]:6.3f}{u}")
        for a in TARGETED_ACTIONS:
            if not self.top.get(a):
                continue
            out.append(f"Likeliest targets to {a}:")
            for t in self.top[a]:
                acc = f"   accepts {t.accept:.2f}" if t.accept is not None else ""
                out.append(f"  {t.name[:34]:<34s} {'[' + t.key + ']':<18s} p {t.probability:.3f}"
                           f"   utility {t.utility:+7.2f}{acc}")
        if self.single_terms:
            for a, rows in self.single_terms.items():
                out.append(f"Terms of '{a}':")
                out.extend(f"  {name:<40s}{v:+8.2f}" for name, v in rows)
        if self.partner is not None:
            out.append("")
            out.append(f"Towards {self.partner_name} [{self.partner}] "
                       f"(i = {self.actor}, j = {self.partner}):")
            for a in TARGETED_ACTIONS:
                ij, ji = self.totals[a]
                out.append(f"  {a}: i->j {ij:+.2f}, j->i {ji:+.2f}")
                rows = self.terms.get(a, [])
                for name, v_ij, v_ji in rows:
                    if abs(v_ij) >= 0.005 or abs(v_ji) >= 0.005:
                        out.append(f"    {name:<46s}{v_ij:+8.2f} {v_ji:+8.2f}")
                zero = [name for name, v_ij, v_ji in rows if abs(v_ij) < 0.005 and abs(v_ji) < 0.005]
                if zero:
                    out.append(textwrap.fill("zero: " + ", ".join(zero), width=96,
                                             initial_indent="    ", subsequent_indent="      "))
            if not self.terms:
                out.append("  (this rule gives totals only, no terms)")
        if self.defect:
            out.append("Components' chance of leaving the entity (largest term):")
            out.extend(f"  {fid:<20s}{p:6.3f}   {term}" for fid, p, term in self.defect)
        out.append("")
        out.append(f"Drawn: {self.chosen}")
        out.extend(f"Received: {r}" for r in self.received)
        if self.events:
            out.append("Events of the month naming its factions:")
            out.extend(f"  {e}" for e in self.events)
        return "\n".join(out)


def _copy(obs: Observation) -> Observation:
    return dataclasses.replace(obs, **{f.name: np.array(getattr(obs, f.name))
                                       for f in dataclasses.fields(obs)
                                       if isinstance(getattr(obs, f.name), np.ndarray)})


@dataclass
class Moment:
    """One month's decision as the rule saw it: a copy of the observation, the
    decisions drawn, and who the actors were (before the month's changes)."""

    obs: Observation
    decisions: Decisions
    keys: list[str]                     # actor of each observation row
    names: dict[str, str]               # actor key -> display name
    members: dict[str, list[str]]       # actor key -> its alive factions
    actor_of: dict[str, str]            # alive faction -> its actor key
    components: list[str]               # faction of each `comp_*` row
    rule: str
    month: str
    events: list                        # the trajectory's events of the month


def _check_month(scenario: Scenario, month: str, option: str) -> None:
    if not MONTH_RE.match(month):
        raise InputError(f"{option}: expected a month as YYYY-MM, got '{month}'")
    if not scenario.start <= month <= scenario.end:
        raise InputError(f"{option} {month} is outside the scenario's period "
                         f"({scenario.start} to {scenario.end})")


def decisions_between(scenario: Scenario, first: str, last: str,
                      seed: int | None = None) -> list[Moment]:
    """Run `scenario` to `last` (the same draws as a full run) and return the
    decision of every month from `first` to `last`, in order."""
    from sim.model import CoalitionModel
    from sim.model.observe import actors_of, component_units

    _check_month(scenario, first, "--from" if first != last else "--month")
    _check_month(scenario, last, "--to" if first != last else "--month")
    if last < first:
        raise InputError(f"--to {last} is before --from {first}")
    model = CoalitionModel(scenario, seed=seed)
    st = model.state
    seen: list[Moment] = []
    decide = model.rule.decide

    def spy(obs: Observation, rng: np.random.Generator) -> Decisions:
        decisions = decide(obs, rng)
        if first <= model.month <= last:
            keys = list(actors_of(st).keys)          # the rows of `obs`, as the model built them
            index = {k: r for r, k in enumerate(keys)}
            seen.append(Moment(
                obs=_copy(obs), decisions=decisions, keys=keys,
                names={k: (st.entities[k].name if k in st.entities else st.names[st.ids.index(k)])
                       for k in keys},
                members={k: [st.ids[v] for v in st.units_of(k)] for k in keys},
                actor_of={st.ids[u]: st.actor_of[u] for u in range(st.n) if st.alive[u]},
                components=[st.ids[u] for u in component_units(st, index)[0]],
                rule=model.rule.name, month=model.month, events=[]))
        return decisions

    model.rule.decide = spy
    while model.month <= last and not model.finished:
        model.step()
    for moment in seen:
        moment.events = [e for e in model.trajectory.events if e.month == moment.month]
    return seen


def decision_at(scenario: Scenario, month: str, seed: int | None = None) -> Moment:
    """Run `scenario` to `month` (the same draws as a full run) and return that
    month's decision."""
    found = decisions_between(scenario, month, month, seed)
    if not found:
        raise InputError(f"no decision was taken in {month}: every faction is gone by then")
    return found[0]


def drivers(scenario: Scenario, first: str, last: str, seeds, action: str = "merge"):
    """What drove the `action` ("coordinate", "merge" or "fight") taken from
    `first` to `last` over `seeds`: one row per proposal accepted (coordinate,
    merge) or fight started by choice, and per term of the rule, with the
    term's value for the actor that chose it (`actor`) and for its target
    (`target`, which for a proposal decided whether to accept). Needs a rule
    with named terms (`utility`). A pandas DataFrame with columns seed, month,
    actor, target, term, actor_value, target_value."""
    import pandas as pd

    from sim.rules import make_rule

    if action not in TARGETED_ACTIONS:
        raise InputError(f"--drivers: expected one of {', '.join(TARGETED_ACTIONS)}, got '{action}'")
    code = ACTIONS.index(action)
    rows = []
    for seed in seeds:
        for moment in decisions_between(scenario, first, last, seed):
            rule = make_rule(moment.rule)
            if not hasattr(rule, "terms"):
                raise InputError(f"rule '{moment.rule}' gives no terms to weigh")
            d, m = moment.decisions, moment.obs.n_actors
            chosen = d.action == code
            if action != "fight":
                chosen &= d.accepted
            picked = np.flatnonzero(chosen)
            if not picked.size:
                continue
            terms = rule.terms(moment.obs)[action]
            for i in picked:
                j = int(d.target[i])
                for name, v in terms.items():
                    full = np.broadcast_to(v, (m, m))
                    rows.append((seed, moment.month, moment.keys[i], moment.keys[j], name,
                                 float(full[i, j]), float(full[j, i])))
    return pd.DataFrame(rows, columns=["seed", "month", "actor", "target", "term", "actor_value",
                                       "target_value"])


def _resolve(moment: Moment, fid: str, what: str, month: str) -> tuple[str, str]:
    """The actor key standing for faction or entity id `fid`, and a note."""
    if fid in moment.keys:
        return fid, ""
    if fid in moment.actor_of:
        key = moment.actor_of[fid]
        return key, f"{fid} is a component of entity {key}; the entity decides."
    raise InputError(f"{what} '{fid}' is not an alive faction or an actor in {month}; "
                     f"actors: {', '.join(moment.keys)}")


def action_probabilities(u: Utilities, obs: Observation, i: int
                         ) -> tuple[dict[str, float], np.ndarray, float]:
    """The chance that actor `i` takes each action this month, the chance of
    each of its options given that it acts (laid out as `valid_options`), and
    the chance that it acts at all: what `sim.rules.choice.choose` draws from."""
    m = obs.n_actors
    logits = choice_logits(u, obs, valid_options(obs))[i]
    w = np.exp(logits - logits.max())
    prob = w / w.sum()
    base = obs.params.base_activity
    active = 1.0 if base >= 1.0 else float(base + (1.0 - base) * obs.crisis[i])
    per_action = [float(prob[a]) for a in range(N_SINGLE)]
    per_action += [float(prob[N_SINGLE + k * m:N_SINGLE + (k + 1) * m].sum()) for k in range(3)]
    probabilities = {a: active * p for a, p in zip(ACTIONS, per_action)}
    probabilities["none"] += 1.0 - active
    return probabilities, prob, active


def explain(scenario: Scenario, month: str, actor: str, *, seed: int | None = None,
            partner: str | None = None, top: int = 5) -> Explanation:
    """The decision of `actor` (a faction id or entity id) in `month`."""
    from sim.rules import make_rule

    seed = scenario.seed if seed is None else seed
    moment = decision_at(scenario, month, seed)
    obs, keys, decisions = moment.obs, moment.keys, moment.decisions
    key, note = _resolve(moment, actor, "actor", month)
    i = keys.index(key)
    m = obs.n_actors
    rule = make_rule(moment.rule)
    u = rule.utilities(obs)
    probabilities, prob, active = action_probabilities(u, obs, i)
    utilities = {"none": float(u.none[i]), "leave": float(u.leave[i]),
                 "dissolve": float(u.dissolve[i])}

    def accept(k: int, j: int) -> float | None:
        if k == 2:
            return None
        mat = acceptance_utility(u, obs, np.array([i]), np.array([j]), np.array([k == 0]))
        return float(logistic(mat[0] / obs.params.temperature))

    mats = (u.coordinate, u.merge, u.fight)
    tops: dict[str, list[Target]] = {}
    for k, a in enumerate(TARGETED_ACTIONS):
        block = prob[N_SINGLE + k * m:N_SINGLE + (k + 1) * m] * active
        order = [j for j in np.argsort(-block, kind="stable") if block[j] > 0][:top]
        tops[a] = [Target(keys[j], moment.names[keys[j]], float(mats[k][i, j]), float(block[j]),
                          accept(k, j)) for j in order]

    ex = Explanation(scenario=scenario.name, seed=seed, month=month, rule=rule.name, actor=key,
                     actor_name=moment.names[key], members=moment.members[key],
                     note=note, active=active, probabilities=probabilities,
                     utilities=utilities, top=tops)
    terms = rule.terms(obs) if hasattr(rule, "terms") else None
    if terms is not None:
        for a in ("leave", "dissolve"):
            if a == "leave" and not obs.in_room[i]:
                continue
            ex.single_terms[a] = [(n, float(np.broadcast_to(v, (m,))[i]))
                                  for n, v in terms[a].items()]
    if partner is not None:
        pkey, _ = _resolve(moment, partner, "partner", month)
        if pkey == key:
            raise InputError(f"--partner '{partner}' is the actor itself ({key})" if partner == actor
                             else f"--actor '{actor}' and --partner '{partner}' are one actor in "
                             f"{month}: entity {key}")
        j = keys.index(pkey)
        ex.partner, ex.partner_name = pkey, moment.names[pkey]
        for k, a in enumerate(TARGETED_ACTIONS):
            ex.totals[a] = (float(mats[k][i, j]), float(mats[k][j, i]))
            if terms is not None:
                ex.terms[a] = [(n, float(np.broadcast_to(v, (m, m))[i, j]),
                                float(np.broadcast_to(v, (m, m))[j, i]))
                               for n, v in terms[a].items()]
    comps = np.flatnonzero((obs.comp_actor == i) & ~obs.comp_is_leader)
    if comps.size:
        tau = obs.params.temperature
        for c in comps:
            p_leave = float(logistic(u.defect[c] / tau)) * active
            biggest = ""
            if terms is not None:
                parts = {n: float(np.broadcast_to(v, u.defect.shape)[c])
                         for n, v in terms["defect"].items()}
                name = max(parts, key=lambda n: parts[n])
                biggest = f"{name} {parts[name]:+.2f}"
            ex.defect.append((moment.components[c], p_leave, biggest))
    a, t = int(decisions.action[i]), int(decisions.target[i])
    chosen = ACTIONS[a] + (f" {keys[t]}" if t >= 0 else "")
    if ACTIONS[a] in ("coordinate", "merge"):
        chosen += " (accepted)" if decisions.accepted[i] else " (refused)"
    ex.chosen = chosen
    for r in np.flatnonzero((decisions.target == i) & (decisions.action >= N_SINGLE)):
        what = ACTIONS[int(decisions.action[r])]
        answer = ""
        if what in ("coordinate", "merge"):
            answer = " (accepted)" if decisions.accepted[r] else " (refused)"
        ex.received.append(f"{keys[r]} proposes to {what}{answer}" if what != "fight"
                           else f"{keys[r]} attacks")
    mine = set(ex.members)
    ex.events = [f"{e.type} {';'.join(e.actors)}: {e.detail}" for e in moment.events
                 if e.endogenous and mine & set(e.actors)]
    return ex


def drivers_text(table, action: str, first: str, last: str, n_seeds: int) -> str:
    """The `drivers` table summarised: the mean of each term over the choices,
    for the actor and for its target, largest first, and the commonest pairs."""
    what = {"merge": "merger proposals accepted", "coordinate": "room proposals accepted",
            "fight": "fights chosen"}[action]
    if table.empty:
        return f"No {what} from {first} to {last} over {n_seeds} seed(s)."
    choices = table.groupby(["seed", "month", "actor", "target"], sort=False).ngroups
    means = table.groupby("term", sort=False)[["actor_value", "target_value"]].mean()
    means = means.reindex(means["actor_value"].abs().sort_values(ascending=False).index)
    out = [f"{choices} {what} from {first} to {last} over {n_seeds} seed(s); mean of each term",
           "(the actor's utility towards its target, and the target's towards the actor):",
           f"  {'term':<48s}{'actor':>8s}{'target':>8s}"]
    out += [f"  {term:<48s}{row.actor_value:+8.2f}{row.target_value:+8.2f}"
            for term, row in means.iterrows()]
    pairs = (table.drop_duplicates(["seed", "month", "actor", "target"])
             .groupby(["actor", "target"]).size().sort_values(ascending=False).head(10))
    out.append("Commonest pairs (actor -> target: choices):")
    out += [f"  {a} -> {t}: {n}" for (a, t), n in pairs.items()]
    return "\n".join(out)
