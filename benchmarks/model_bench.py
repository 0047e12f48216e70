"""Model speed: in-process time of one baseline run (median of N) and of
synthetic scenarios of 20, 100 and 500 factions over 48 months.

    .venv/bin/python benchmarks/model_bench.py [--runs 20] [--skip-500]

Goals (issue 2): baseline <= 20 ms per run; 500 factions <= 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim.api import simulate
from sim.config import load_scenario
from sim.synthetic import synthetic_scenario

ROOT = Path(__file__).resolve().parents[1]


def timed(scenario, seeds) -> list[float]:
    out = []
    for seed in seeds:
        t0 = time.perf_counter()
        simulate(scenario, seed=seed)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--skip-500", action="store_true")
    args = ap.parse_args()
    baseline = load_scenario(ROOT / "scenarios" / "idlib_2015_2018.yaml")
    simulate(baseline, seed=0)  # warm up imports and caches
    times = timed(baseline, range(1, args.runs + 1))
    print(f"{'case':<34}{'runs':>6}{'median':>12}{'min':>12}{'max':>12}")
    print(f"{'baseline idlib_2015_2018 (48 mo)':<34}{len(times):>6}"
          f"{statistics.median(times) * 1e3:>10.1f}ms{min(times) * 1e3:>10.1f}ms"
          f"{max(times) * 1e3:>10.1f}ms")
    for n in (20, 100, 500):
        if n == 500 and args.skip_500:
            continue
        sc = synthetic_scenario(n, months=48)
        reps = 5 if n < 500 else 3
        times = timed(sc, range(reps))
        print(f"{f'synthetic {n} factions (48 mo)':<34}{reps:>6}"
              f"{statistics.median(times):>11.3f}s{min(times):>11.3f}s{max(times):>11.3f}s")


if __name__ == "__main__":
    main()
