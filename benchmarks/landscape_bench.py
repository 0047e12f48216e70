"""Time and memory of the exact landscape (all minima and basins) for random 20 and 24 actors.

Goals (one core): n = 20 in <= 1 s, n = 24 in <= 20 s. Run:

    .venv/bin/python benchmarks/landscape_bench.py [--sizes 20 24] [--repeat 3] [--seed 0]

Each size runs in a fresh subprocess so that the peak resident memory it reports
(ru_maxrss) belongs to that size alone; tracemalloc's peak of numpy allocations is
reported too. BLAS threads are pinned to one (OMP/OPENBLAS/MKL_NUM_THREADS=1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

GOALS = {20: 1.0, 24: 20.0}

CHILD = r"""
import json, resource, sys, time, tracemalloc
import numpy as np
from sim.landscape.minima import find_minima
n, repeat, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
s = rng.uniform(0.5, 2.0, n)
A = rng.normal(size=(n, n))
P = (A + A.T) / 2
find_minima(s[:8], P[:8, :8])                     # warm-up (imports, first allocations)
times = []
for _ in range(repeat):
    t0 = time.perf_counter()
    r = find_minima(s, P)
    times.append(time.perf_counter() - t0)
tracemalloc.start()
find_minima(s, P)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"n": n, "best_s": min(times), "times_s": times, "minima": len(r.minima),
                  "configurations": r.n_configurations,
                  "basin_total": sum(m.basin_size for m in r.minima),
                  "numpy_peak_mib": peak / 2**20,
                  "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 24])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    ok = True
    print(f"{'actors':>6} {'configurations':>15} {'minima':>7} {'best time':>10} {'goal':>7} "
          f"{'numpy peak':>11} {'max RSS':>9}")
    for n in args.sizes:
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(args.repeat), str(args.seed)],
                             env=env, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        goal = GOALS.get(n)
        met = goal is None or r["best_s"] <= goal
        ok &= met
        assert r["basin_total"] == r["configurations"]
        print(f"{n:>6} {r['configurations']:>15,} {r['minima']:>7} {r['best_s']:>9.2f}s "
              f"{(f'{goal:.0f}s' if goal else '-'):>7} {r['numpy_peak_mib']:>8.0f} MiB "
              f"{r['max_rss_mib']:>5.0f} MiB{'' if met else '  (goal missed)'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
