"""The sweep spec: what a sweep varies, how it samples, what it records.

A spec is a YAML file (by convention under `scenarios/experiments/`):

    name: teaching_grid                 # id: letters, digits, underscores
    description: "..."                  # optional
    scenario: ../teaching/four_factions.yaml   # relative to this file
    parameters:                         # names are fields of sim.config.schema.Parameters
      backer_pressure: {range: [0.0, 3.0]}
      ideology_weight: {choices: [0.5, 1.0, 2.0]}
      temperature: {value: 0.5}         # fixed for the whole sweep
    design: {type: grid, levels: 3}     # grid | random | latin_hypercube | sobol | morris
    replicates: 4                       # runs per design point, each with its own seed
    root_seed: 20240601                 # every run seed comes from it
    until: "2031-06"                    # optional: run to this month
    outcomes: [n_mergers, {name: largest_share_at, month: "2031-01"}]

Validation is the schema below (unknown keys rejected, strict types) followed by
a chain of small named checks (`CHECKS`), each raising an `InputError` that
names the file, the line and the key path. `load_spec` returns a `LoadedSpec`
holding the validated spec, the loaded scenario, the outcome calls and the spec
hash that `--resume` compares.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config import Scenario, config_sha256, load_scenario
from sim.config.loader import LocatedYaml, key_path, load_yaml, validate
from sim.config.months import to_index
from sim.config.schema import Id, Month, Parameters
from sim.errors import InputError
from sim.sweep.outcomes import REGISTRY, OutcomeCall, default_column

#: Columns every results row has before the parameters and outcomes.
FIXED_COLUMNS = ("run_id", "point_id", "replicate", "seed")
#: Column holding the error message of a failed run ("" when it ran).
ERROR_COLUMN = "error"
#: A sweep larger than this is almost certainly a typo.
MAX_RUNS = 50_000_000


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ParameterSpec(_Spec):
    """Exactly one of `range`, `choices`, `value`."""
    range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[low, high]: sampled continuously (grid: `levels` evenly spaced "
        "values).")
    choices: Annotated[list[float], Field(min_length=1)] | None = Field(
        None, description="A list of values, each equally likely (grid: all of them).")
    value: float | None = Field(None, description="A fixed value for every run.")

    @model_validator(mode="after")
    def _one_kind(self) -> "ParameterSpec":
        given = [k for k in ("range", "choices", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `range: [low, high]`, `choices: [...]` or "
                             f"`value: x` (got {', '.join(given) if given else 'none'})")
        return self

    @property
    def kind(self) -> str:
        return "range" if self.range is not None else "choices" if self.choices is not None \
            else "value"


class GridDesign(_Spec):
    """Full factorial: `levels` evenly spaced values of each range, every choice."""
    type: Literal["grid"]
    levels: int = Field(3, ge=2, le=10_000, description="Values per `range` parameter.")


class RandomDesign(_Spec):
    """`n` points drawn independently and uniformly."""
    type: Literal["random"]
    n: int = Field(ge=1, description="Number of design points.")


class LatinHypercubeDesign(_Spec):
    """`n` points of a Latin hypercube (scipy.stats.qmc.LatinHypercube)."""
    type: Literal["latin_hypercube"]
    n: int = Field(ge=2, description="Number of design points.")
    scramble: bool = Field(True, description="Place points randomly inside their cells "
                           "(false: at the cell centres).")
    optimization: Literal["random-cd", "lloyd"] | None = Field(
        None, description="scipy's optional space-filling optimisation.")


class SobolDesign(_Spec):
    """Saltelli's extension of Sobol' sequences (SALib.sample.sobol): n·(2D+2) points
    with second-order indices, n·(D+2) without."""
    type: Literal["sobol"]
    n: int = Field(ge=2, description="Base samples; a power of 2.")
    second_order: bool = Field(False, description="Also sample for second-order indices.")


class MorrisDesign(_Spec):
    """Morris elementary effects (SALib.sample.morris): (D+1)·trajectories points."""
    type: Literal["morris"]
    trajectories: int = Field(ge=2, description="Number of one-at-a-time trajectories.")
    levels: int = Field(4, ge=2, le=100, description="Grid levels of the Morris lattice (even).")


Design = Annotated[Union[GridDesign, RandomDesign, LatinHypercubeDesign, SobolDesign,
                         MorrisDesign], Field(discriminator="type")]
_DESIGN_TAGS = {"grid", "random", "latin_hypercube", "sobol", "morris"}


class SweepSpec(_Spec):
    """A whole sweep spec file."""
    name: Id = Field(description="Sweep id, used in the output folder's name.")
    description: str = Field("", description="What the sweep asks.")
    scenario: str = Field(min_length=1, description="Scenario file, relative to the spec.")
    parameters: dict[str, ParameterSpec] = Field(
        min_length=1, description="Parameters to vary or fix, by name.")
    design: Design
    replicates: int = Field(1, ge=1, le=1_000_000, description="Runs per design point.")
    root_seed: int = Field(ge=0, le=2**63 - 1, description="Root of every run's seed.")
    until: Month | None = Field(None, description="Run to this month instead of the "
                                "scenario's end.")
    outcomes: list[Union[str, dict[str, Any]]] = Field(
        min_length=1, description="Outcomes to record, by name (see sim/sweep/outcomes.py).")


@dataclass
class LoadedSpec:
    """A validated spec with everything resolved."""
    spec: SweepSpec
    path: str | None
    text: str | None
    scenario: Scenario
    scenario_path: str | None
    targets_path: str | None
    outcomes: list[OutcomeCall]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def parameter_names(self) -> list[str]:
        return list(self.spec.parameters)

    @property
    def outcome_columns(self) -> list[str]:
        return [o.column for o in self.outcomes]

    @property
    def first_month(self) -> str:
        return self.scenario.start

    @property
    def last_month(self) -> str:
        return self.spec.until or self.scenario.end

    def spec_hash(self) -> str:
        """sha256 of what determines the results: the spec (all but its description),
        the resolved scenario and the targets file. `--resume` refuses when it changed."""
        spec = self.spec.model_dump(mode="json")
        spec.pop("description", None)
        spec.pop("scenario", None)      # where the file is does not matter, what it holds does
        targets = None
        if self.targets_path:
            targets = hashlib.sha256(Path(self.targets_path).read_bytes()).hexdigest()
        blob = json.dumps({"spec": spec, "scenario_sha256": config_sha256(self.scenario),
                           "targets_sha256": targets}, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---- checks ---------------------------------------------------------------------------

Check = Callable[[SweepSpec, LocatedYaml, "LoadedSpec"], None]


def _bounds(name: str) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None]:
    """(low, inclusive), (high, inclusive) of a Parameters field; None when open."""
    low = high = None
    for m in Parameters.model_fields[name].metadata:
        if isinstance(m, at.Ge):
            low = (float(m.ge), True)
        elif isinstance(m, at.Gt):
            low = (float(m.gt), False)
        elif isinstance(m, at.Le):
            high = (float(m.le), True)
        elif isinstance(m, at.Lt):
            high = (float(m.lt), False)
    return low, high


def _describe_bounds(name: str) -> str:
    low, high = _bounds(name)
    lo = "" if low is None else f"{low[0]:g} {'≤' if low[1] else '<'} "
    hi = "" if high is None else f" {'≤' if high[1] else '<'} {high[0]:g}"
    return f"{lo}{name}{hi}"


def _inside(name: str, value: float) -> bool:
    if not math.isfinite(value):
        return False
    low, high = _bounds(name)
    if low is not None and (value < low[0] or (value == low[0] and not low[1])):
        return False
    if high is not None and (value > high[0] or (value == high[0] and not high[1])):
        return False
    return True


def check_parameter_names(spec: SweepSpec, doc: LocatedYaml, ls: LoadedSpec) -> None:
    known = Parameters.model_fields
    for name in spec.parameters:
        if name not in known:
            close = [k for k in known if k.split("_")[0] in name or name.split("_")[0] in k]
            hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
            raise doc.error(f"parameters.{name}", f"'{name}' is not a model parameter{hint}; "
                            "the parameters are the keys of `parameters:` in `coalsim schema`.")


def check_parameter_values(spec: SweepSpec, doc: LocatedYaml, ls: LoadedSpec) -> None:
    for name, p in spec.parameters.items():
        where = f"parameters.{name}.{p.kind}"
        if p.range is not None:
            lo, hi = p.range
            if not lo < hi:
                raise doc.error(where, f"the range of '{name}' must be [low, high] with low < "
                                f"high; got [{lo:g}, {hi:g}].")
            for i, v in enumerate((lo, hi)):
                if not _inside(name, v):
                    raise doc.error(f"{where}[{i}]", f"{v:g} is outside what the model accepts "
                                    f"for '{name}' ({_describe_bounds(name)}).")
        elif p.choices is not None:
            if len(set(p.choices)) != len(p.choices):
                raise doc.error(where, f"the choices of '{name}' repeat a value.")
            for i, v in enumerate(p.choices):
                if not _inside(name, v):
                    raise doc.error(f"{where}[{i}]", f"{v:g} is outside what the model accepts "
                                    f"for '{name}' ({_describe_bounds(name)}).")
        elif not _inside(name, p.value):
            raise doc.error(where, f"{p.value:g} is outside what the model accepts for "
                            f"'{name}' ({_describe_bounds(name)}).")


def check_design(spec: SweepSpec, doc: LocatedYaml, ls: LoadedSpec) -> None:
    d = spec.design
    ranges = [n for n, p in spec.parameters.items() if p.kind == "range"]
    if isinstance(d, (SobolDesign, MorrisDesign)):
        if not ranges:
            raise doc.error("design.type", f"a {d.type} design needs at least one parameter "
                            "with a `range`.")
        for name, p in spec.parameters.items():
            if p.kind == "choices":
                raise doc.error(f"parameters.{name}.choices", f"a {d.type} design samples "
                                f"continuous ranges only: give '{name}' a `range` or fix it "
                                "with `value`.")
    if isinstance(d, SobolDesign) and d.n & (d.n - 1):
        lower = 1 << (d.n.bit_length() - 1)
        raise doc.error("design.n", f"Sobol' sequences are balanced only for a power of 2 "
                        f"base samples: use {lower} or {lower * 2} instead of {d.n}.")
    if isinstance(d, MorrisDesign) and d.levels % 2:
        raise doc.error("design.levels", f"the Morris lattice needs an even number of levels "
                        f"(got {d.levels}).")


def check_size(spec: SweepSpec, doc: LocatedYaml, ls: LoadedSpec) -> None:
    n = design_size(spec) * spec.replicates
    if n > MAX_RUNS:
        raise doc.error("design", f"this sweep would make {n:,} runs, more than the limit of "
                        f"{MAX_RUNS:,}; reduce the design or the replicates.")


def check_until(spec: SweepSpec, doc: LocatedYaml, ls: LoadedSpec) -> None:
    if spec.until is not None and to_index(spec.until) < to_index(ls.scenario.start):
        raise doc.error("until", f"until {spec.until} is before the scenario starts "
                        f"({ls.scenario.start}).")


def check_outcomes(spec: SweepSpec, doc: LocatedYaml, ls: LoadedSpec) -> None:
    calls: list[OutcomeCall] = []
    taken = set(FIXED_COLUMNS) | {ERROR_COLUMN} | set(spec.parameters)
    factions = {f.id for f in ls.scenario.factions}
    first, last = to_index(ls.first_month), to_index(ls.last_month)
    for i, item in enumerate(spec.outcomes):
        where = f"outcomes[{i}]"
        if isinstance(item, str):
            name, raw, column = item, {}, None
        else:
            raw = dict(item)
            name = raw.pop("name", None)
            column = raw.pop("column", None)
            if not isinstance(name, str):
                raise doc.error(where, "an outcome with arguments is a mapping with a `name` "
                                "(and its arguments, and optionally `column`), e.g. "
                                "{name: largest_share_at, month: \"2017-08\"}.")
            if column is not None and (not isinstance(column, str) or not column.isidentifier()):
                raise doc.error(f"{where}.column", "`column` must be a name made of letters, "
                                f"digits and underscores; got {column!r}.")
        if name not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise doc.error(where if isinstance(item, str) else f"{where}.name",
                            f"'{name}' is not a known outcome; known outcomes: {known}.")
        d = REGISTRY[name]
        args: dict[str, Any] = {}
        if d.args is not None:
            try:
                args = d.args.model_validate(raw).model_dump()
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                sub = key_path(tuple(err["loc"]))
                msg = ("unknown argument of this outcome" if err["type"] == "extra_forbidden"
                       else "this outcome needs this argument" if err["type"] == "missing"
                       else f"{err['msg']}; got {err.get('input')!r}")
                raise doc.error(f"{where}.{sub}" if sub else where, f"{msg} ('{name}': "
                                f"{d.doc})") from None
        elif raw:
            bad = next(iter(raw))
            raise doc.error(f"{where}.{bad}", f"'{name}' takes no arguments.")
        for key in d.month_args:
            m = args.get(key)
            if m is not None and not first <= to_index(m) <= last:
                raise doc.error(f"{where}.{key}", f"{m} is outside the months the runs cover "
                                f"({ls.first_month} to {ls.last_month}).")
        for key in d.faction_args:
            if args.get(key) not in factions:
                raise doc.error(f"{where}.{key}", f"'{args.get(key)}' is not a faction of the "
                                f"scenario ({', '.join(sorted(factions))}).")
        if d.needs_targets:
            if ls.targets_path is None:
                raise doc.error(where, f"the outcome '{name}' scores runs against calibration "
                                "targets, but the scenario has no `targets:` key.")
            try:
                import sim.scoring  # noqa: F401
            except ImportError as err:
                raise doc.error(where, f"the outcome '{name}' needs the scoring package, which "
                                f"cannot be imported here ({err}).") from None
        col = column or default_column(name, {k: v for k, v in args.items() if v is not None})
        if col in taken:
            raise doc.error(where, f"two columns would be called '{col}' (an outcome repeated, "
                            "or named like a parameter or a fixed column): give it a "
                            "distinct `column:`.")
        taken.add(col)
        calls.append(OutcomeCall(col, name, tuple(sorted(args.items()))))
    ls.outcomes = calls


CHECKS: list[Check] = [check_parameter_names, check_parameter_values, check_design,
                       check_size, check_until, check_outcomes]


def design_size(spec: SweepSpec) -> int:
    """Number of design points (before replicates)."""
    d = spec.design
    ranges = sum(1 for p in spec.parameters.values() if p.kind == "range")
    if isinstance(d, GridDesign):
        n = 1
        for p in spec.parameters.values():
            n *= d.levels if p.kind == "range" else len(p.choices) if p.kind == "choices" else 1
        return n
    if isinstance(d, (RandomDesign, LatinHypercubeDesign)):
        return d.n
    if isinstance(d, SobolDesign):
        return d.n * (2 * ranges + 2 if d.second_order else ranges + 2)
    return d.trajectories * (ranges + 1)


# ---- loading --------------------------------------------------------------------------


def _validate(doc: LocatedYaml) -> SweepSpec:
    try:
        return validate(SweepSpec, doc)
    except InputError as err:
        err.message = err.message.replace("against `coalsim schema`", "against docs/sweeps.md")
        err.message = err.message.removeprefix("Value error, ")
        err.args = (err.message,)
        # pydantic names the branch of the discriminated union in the key path
        if err.key:
            parts = [p for p in err.key.split(".") if p not in _DESIGN_TAGS]
            err.key = ".".join(parts)
            err.line = doc.line_of(err.key)
        raise


def load_spec(path: str | Path) -> LoadedSpec:
    """Read, validate and resolve a sweep spec file."""
    doc = load_yaml(path, what="sweep spec")
    return _resolve(doc, Path(path).read_text(encoding="utf-8"), Path(path).resolve().parent)


def spec_from_dict(data: dict[str, Any], base: str | Path = ".", path: str = "<sweep spec>"
                   ) -> LoadedSpec:
    """Validate an in-memory spec; `scenario` is resolved against `base`."""
    return _resolve(LocatedYaml(data, {}, path), None, Path(base).resolve())


def _resolve(doc: LocatedYaml, text: str | None, base: Path) -> LoadedSpec:
    spec = _validate(doc)
    scenario_path = (base / spec.scenario).resolve()
    if not scenario_path.is_file():
        raise doc.error("scenario", f"the scenario file '{spec.scenario}' does not exist "
                        f"(looked for {scenario_path}).")
    scenario = load_scenario(scenario_path)
    targets = None
    if scenario.targets:
        t = (scenario_path.parent / scenario.targets).resolve()
        targets = str(t) if t.is_file() else None
    ls = LoadedSpec(spec=spec, path=None if doc.path.startswith("<") else str(doc.path),
                    text=text, scenario=scenario, scenario_path=str(scenario_path),
                    targets_path=targets, outcomes=[])
    for check in CHECKS:
        check(spec, doc, ls)
    return ls


def spec_json_schema() -> dict[str, Any]:
    return SweepSpec.model_json_schema()
