"""What a counterfactual changes: scenarios run on the same seeds, side by side.

`compare(paths, seeds)` runs every scenario file on the same seeds (common
random numbers: run s of each scenario draws from seed s, so differences come
from the scenarios, not from luck), measures each run, and reports each
measure's mean per scenario and, for each scenario after the first, the mean
difference from the first with a 95 % t interval over the paired seeds.

Measures of a run (`measure_run`): the endogenous events by type, the actors
alive at the end and the largest one's share of all fighters, and, against the
first scenario's targets (the same documented record for all), the fit, the
key-event recall (default and strict matching) and whether each target was
reproduced (`hit:<target id>`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError

EVENT_TYPES = ("room_formed", "room_joined", "room_left", "room_expelled", "room_dissolved",
               "merger", "absorbed", "split", "dissolved", "infighting_started")
HEADLINE = ("fit", "fit_strict", "key_recall", "key_recall_strict", "actors_at_end",
            "largest_share_at_end")


def measure_run(scenario_path: str, seed: int, targets_path: str | None) -> dict:
    """One run of a scenario file, measured (a picklable task for any executor)."""
    from sim.calibration.objective import _scenario, _targets, frames, report_metrics
    from sim.model import CoalitionModel
    from sim.scoring.score import score_frames

    trajectory = CoalitionModel(_scenario(scenario_path), seed=seed).run()
    events, membership = frames(trajectory)
    out: dict = {"seed": seed}
    counts = pd.Series([e.type for e in trajectory.events if e.endogenous]).value_counts()
    for kind in EVENT_TYPES:
        out[f"events:{kind}"] = int(counts.get(kind, 0))
    end = membership[(membership.month == trajectory.months[-1])
                     & membership.alive.astype(bool)]
    by_actor = end.groupby("entity").strength.sum()
    out["actors_at_end"] = int(len(by_actor))
    out["largest_share_at_end"] = (float(by_actor.max() / by_actor.sum())
                                   if len(by_actor) and by_actor.sum() > 0 else float("nan"))
    if targets_path is not None:
        targets = _targets(targets_path)
        report = score_frames(events, membership, targets)
        strict = score_frames(events, membership, targets, entity_level=False)
        out.update({k: v for k, v in report_metrics(report, strict).items()
                    if k in ("fit", "fit_strict", "key_recall", "key_recall_strict")})
        table = report.targets_table
        for target, matched, scorable in zip(table.target, table.matched,
                                             table.status != "unscorable"):
            out[f"hit:{target}"] = float(matched) if scorable else float("nan")
    return out


@dataclass
class Comparison:
    labels: list[str]                 # scenario names (made unique)
    paths: list[str]
    seeds: list[int]
    targets: str | None               # the targets file every run was scored against
    key_targets: list[str]
    runs: pd.DataFrame                # one row per scenario and seed: every measure

    def summary(self) -> pd.DataFrame:
        """One row per measure: the mean under each scenario, and for each
        scenario after the first the mean paired difference and its 95 % interval."""
        from scipy import stats

        measures = [c for c in self.runs.columns if c not in ("scenario", "seed")]
        base = self.runs[self.runs.scenario == self.labels[0]].set_index("seed")
        rows = []
        for m in measures:
            row = {"measure": m}
            for label in self.labels:
                row[label] = float(self.runs.loc[self.runs.scenario == label, m].mean())
            for label in self.labels[1:]:
                other = self.runs[self.runs.scenario == label].set_index("seed")
                d = (other[m] - base[m]).dropna()
                mean = float(d.mean()) if len(d) else float("nan")
                half = (float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))
                        if len(d) > 1 else float("nan"))
                row[f"{label} - {self.labels[0]}"] = mean
                row[f"{label} - {self.labels[0]} low"] = mean - half
                row[f"{label} - {self.labels[0]} high"] = mean + half
            rows.append(row)
        return pd.DataFrame(rows)

    def to_text(self) -> str:
        s = self.summary().set_index("measure")
        head = [f"Scenarios compared on seeds {self.seeds[0]}..{self.seeds[-1]} "
                f"({len(self.seeds)} runs each, the same seeds for every scenario)"]
        if self.targets:
            head.append(f"Scored against {self.targets} (the first scenario's targets).")
        head.append("Mean per scenario; difference from the first: mean [95 % interval over the "
                    "paired seeds]; * where the interval excludes 0.")
        width = max(12, *(len(x) for x in self.labels))
        cols = "".join(f"{x[:width]:>{width + 2}s}" for x in self.labels)
        dw = max(34, *(len(x) + 16 for x in self.labels[1:]))
        diffs = "".join(f"{'difference: ' + x:>{dw}s}" for x in self.labels[1:])
        lines = [*head, "", f"{'measure':<34s}{cols}{diffs}"]

        def row(m: str, name: str) -> str:
            vals = "".join(f"{s.loc[m, x]:>{width + 2}.3f}" for x in self.labels)
            ds = ""
            for x in self.labels[1:]:
                key = f"{x} - {self.labels[0]}"
                mean, lo, hi = s.loc[m, key], s.loc[m, key + " low"], s.loc[m, key + " high"]
                star = "*" if (lo > 0 or hi < 0) else " "
                ds += f"{mean:>+12.3f} [{lo:+.3f}, {hi:+.3f}]{star}".rjust(dw)
            return f"{name[:34]:<34s}{vals}{ds}"

        present = [m for m in HEADLINE if m in s.index]
        lines += [row(m, m) for m in present]
        lines.append("events per run:")
        lines += [row(f"events:{k}", "  " + k) for k in EVENT_TYPES]
        if self.key_targets:
            lines.append("key targets reproduced (share of seeds):")
            lines += [row(f"hit:{t}", "  " + t) for t in self.key_targets if f"hit:{t}" in s.index]
        return "\n".join(lines)

    def plot(self, path: Path) -> None:
        """Forest plot: each measure's difference from the first scenario with its interval."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        s = self.summary().set_index("measure")
        shown = [m for m in (*HEADLINE, *(f"hit:{t}" for t in self.key_targets))
                 if m in s.index and m != "actors_at_end"]
        others = self.labels[1:]
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(shown) * (1 + 0.3 * (len(others) - 1)) + 1.8))
        y = np.arange(len(shown))
        for k, label in enumerate(others):
            key = f"{label} - {self.labels[0]}"
            mean = s.loc[shown, key].to_numpy()
            err = np.vstack([mean - s.loc[shown, key + " low"].to_numpy(),
                             s.loc[shown, key + " high"].to_numpy() - mean])
            offset = (k - (len(others) - 1) / 2) * 0.25
            ax.errorbar(mean, y + offset, xerr=np.nan_to_num(err), fmt="o", capsize=3,
                        label=f"{label} − {self.labels[0]}")
        ax.axvline(0.0, color="#888", lw=1)
        ax.set_yticks(y, [m.replace("hit:", "key target: ") for m in shown], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("difference from the first scenario (mean over paired seeds, 95 % interval)")
        ax.set_title("What changes against " + self.labels[0] + ":\n" + ", ".join(others), fontsize=10)
        if len(others) > 1:
            ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)

    def write(self, out: Path) -> Path:
        """`runs.csv`, `summary.csv` and `compare.png` in `out`, written atomically."""
        from sim.output.runfolder import atomic_folder

        with atomic_folder(Path(out)) as tmp:
            self.runs.to_csv(tmp / "runs.csv", index=False)
            self.summary().to_csv(tmp / "summary.csv", index=False)
            self.plot(tmp / "compare.png")
        return Path(out)


def compare(paths: list[str | Path], seeds: list[int], executor=None, progress=None) -> Comparison:
    """Run each scenario file on `seeds` and measure every run. `executor` is any
    `concurrent.futures.Executor` (default: in this process); `progress` wraps
    the iterator of finished runs (e.g. a tqdm bar)."""
    from concurrent.futures import as_completed

    from sim.config import load_scenario
    from sim.sweep.executors import SerialExecutor

    if len(paths) < 2:
        raise InputError("compare needs at least two scenario files")
    if not seeds:
        raise InputError("compare needs at least one seed")
    scenarios = [load_scenario(p) for p in paths]           # bad files stop here (exit 2)
    labels: list[str] = []
    for sc in scenarios:
        name, k = sc.name, 2
        while name in labels:
            name, k = f"{sc.name}#{k}", k + 1
        labels.append(name)
    first = scenarios[0]
    targets = (str((Path(paths[0]).resolve().parent / first.targets).resolve())
               if first.targets else None)
    key_targets: list[str] = []
    if targets is not None:
        from sim.scoring.targets import load_targets

        key_targets = [t.id for t in load_targets(targets).targets if t.key]
    executor = executor or SerialExecutor()
    resolved = [str(Path(p).resolve()) for p in paths]
    futures = {executor.submit(measure_run, path, int(seed), targets): (label, int(seed))
               for label, path in zip(labels, resolved) for seed in seeds}
    done = as_completed(futures)
    rows = []
    for future in (progress(done, total=len(futures)) if progress else done):
        label, _ = futures[future]
        rows.append({"scenario": label, **future.result()})
    runs = pd.DataFrame(rows)
    order = {label: k for k, label in enumerate(labels)}
    runs = (runs.assign(_o=runs.scenario.map(order)).sort_values(["_o", "seed"])
            .drop(columns="_o").reset_index(drop=True))
    return Comparison(labels=labels, paths=[str(p) for p in paths], seeds=list(seeds),
                      targets=os.path.relpath(targets) if targets else None,
                      key_targets=key_targets, runs=runs)
