"""Calibration specs: which parameters are free, over which ranges, against
which targets and window, with how many replicates and what budget."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sim.config import Parameters
from sim.config.loader import LocatedYaml, load_yaml, validate

Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FreeParameter(Strict):
    low: float
    high: float
    log: bool = False


class Window(Strict):
    start: Month | None = None
    end: Month | None = None


#: The search's objective unless a spec says otherwise: the combined fit alone.
DEFAULT_OBJECTIVE = {"fit": 1.0}


class Budget(Strict):
    trials: int = Field(200, ge=1, le=1_000_000)
    minutes: float = Field(50.0, gt=0.0, le=10_000.0)


class Reselect(Strict):
    top: int = Field(10, ge=1, le=1000, description="How many of the search's best trials "
                     "are run again.")
    replicates: int = Field(16, ge=0, le=10_000, description="Fresh replicates per candidate "
                            "(seeds the search never used); 0 keeps the search's best.")


class CalibrationSpec(Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    description: str = ""
    scenario: str = Field(description="Scenario file, relative to the spec.")
    targets: str = Field(description="Targets file, relative to the spec.")
    fit_window: Window = Field(default_factory=Window,
                               description="Targets (and simulated events) scored while fitting.")
    holdout_window: Window | None = Field(None, description="Out-of-sample window reported "
                                          "after fitting, never used by the search.")
    replicates: int = Field(4, ge=1, le=1000)
    root_seed: int = Field(2026, ge=0)
    reseed_every: int | None = Field(None, ge=1, description="Draw fresh replicate seeds "
                                     "every this many trials (by trial number), so that a "
                                     "long search cannot fit the luck of one set of seeds; "
                                     "trials within a block share their seeds (common random "
                                     "numbers). Default: one set of seeds for the whole search.")
    sampler: Literal["tpe", "random", "cmaes"] = "tpe"
    budget: Budget = Field(default_factory=Budget)
    validation_seeds: int = Field(20, ge=1, le=1000,
                                  description="Seeds used to report the best parameters' fit.")
    parameters: dict[str, FreeParameter] = Field(min_length=1)
    objective: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_OBJECTIVE),
                                        description="What the search maximises: a weighted sum "
                                        "of the calibration metrics' means over the replicates "
                                        "(default: the combined fit alone).")
    reselect: Reselect = Field(default_factory=Reselect,
                               description="Against the winner's curse: the search's best "
                               "trials are run again on fresh replicates and the best of them "
                               "by the fresh objective is the calibrated set.")


def load_spec(path: str | Path) -> tuple[CalibrationSpec, LocatedYaml]:
    doc = load_yaml(path, what="calibration spec")
    spec = validate(CalibrationSpec, doc)
    fields = Parameters.model_fields
    for name, free in spec.parameters.items():
        key = f"parameters.{name}"
        if name not in fields:
            raise doc.error(key, f"'{name}' is not a model parameter; see `coalsim schema --markdown`.")
        if free.low >= free.high:
            raise doc.error(key, f"low ({free.low}) must be below high ({free.high}).")
        for meta in fields[name].metadata:
            lo = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else getattr(meta, "gt", None)
            hi = getattr(meta, "le", None) if getattr(meta, "le", None) is not None else getattr(meta, "lt", None)
            if lo is not None and free.low < lo:
                raise doc.error(f"{key}.low", f"{free.low} is below the parameter's minimum {lo}.")
            if hi is not None and free.high > hi:
                raise doc.error(f"{key}.high", f"{free.high} is above the parameter's maximum {hi}.")
        if free.log and free.low <= 0:
            raise doc.error(f"{key}.low", "a log-scale range must be positive.")
    from sim.calibration.objective import METRICS

    for name, weight in spec.objective.items():
        if name not in METRICS:
            raise doc.error(f"objective.{name}", f"'{name}' is not a calibration metric; "
                            f"one of {', '.join(METRICS)}.")
        if not weight >= 0:
            raise doc.error(f"objective.{name}", f"the weight must be >= 0, got {weight}.")
    if not any(w > 0 for w in spec.objective.values()):
        raise doc.error("objective", "at least one weight must be positive.")
    base = Path(path).parent
    for key in ("scenario", "targets"):
        if not (base / getattr(spec, key)).is_file():
            raise doc.error(key, f"the file '{getattr(spec, key)}' does not exist "
                            f"(looked for {base / getattr(spec, key)}).")
    return spec, doc


def spec_hash(spec: CalibrationSpec) -> str:
    """Hash of what determines the search (not the budget, which may grow on resume)."""
    data = spec.model_dump(mode="json")
    data.pop("budget", None)
    data.pop("reselect", None)      # chooses among the trials after the search; not the search
    if data.get("objective") == DEFAULT_OBJECTIVE:
        data.pop("objective")        # the default: studies made before the key existed still match
    if data.get("reseed_every") is None:
        data.pop("reseed_every")     # likewise
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
