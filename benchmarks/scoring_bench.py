"""Scorer speed: median time of one ``score_frames`` call on stored baseline frames.

    .venv/bin/python benchmarks/scoring_bench.py [--rounds 20] [--ref 3c61e33]

The frames are those of the scoring regression fixture
(``tests/scoring/data/regression_scores.json``: baseline runs, three parameter sets,
seeds 1..6), scored against the targets stored with them, whole period (what the
calibration objective does). ``--ref REV`` also times the scorer of git revision
REV (``sim/scoring`` extracted to a temporary package), interleaved call by call
with the current one so that both see the same machine load; the machine may be
shared, so compare the ratio rather than absolute times. ``--window START END``
scores a window instead.

Goal (calibration): <= 30 ms per call, about 15x faster than before the scorer
was rewritten on plain lists (the reference revision for that is 3c61e33).
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "scoring" / "data"


def load_maker():
    sys.path.insert(0, str(DATA))
    import make_regression  # noqa: E402

    return make_regression


def reference_package(rev: str, tmp: Path):
    """``sim/scoring`` at git revision ``rev`` as an importable package ``_scoring_ref``."""
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{rev}:sim/scoring"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split()
    pkg = tmp / "_scoring_ref"
    pkg.mkdir()
    for name in names:
        if not name.endswith(".py"):
            continue
        text = subprocess.run(["git", "show", f"{rev}:sim/scoring/{name}"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout
        (pkg / name).write_text(text.replace("sim.scoring.", "_scoring_ref."), encoding="utf-8")
    sys.path.insert(0, str(tmp))
    return (importlib.import_module("_scoring_ref.score"),
            importlib.import_module("_scoring_ref.targets"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20, help="calls per frame (default 20)")
    ap.add_argument("--ref", help="git revision whose scorer is timed too (e.g. 3c61e33)")
    ap.add_argument("--window", nargs=2, metavar=("START", "END"), default=(None, None))
    args = ap.parse_args()

    from sim.scoring.score import score_frames

    maker = load_maker()
    fixture = json.loads((DATA / "regression_scores.json").read_text(encoding="utf-8"))
    targets = maker.fixture_targets(fixture)
    names = [n for n, f in fixture["frames"].items() if f["params"] is not None]
    frames = [(maker.frame_from_json(fixture["frames"][n]["events"]),
               maker.frame_from_json(fixture["frames"][n]["membership"])) for n in names]
    start, end = args.window

    runs = [("current", score_frames, targets)]
    tmp = None
    if args.ref:
        tmp = tempfile.TemporaryDirectory()
        ref_score, ref_targets = reference_package(args.ref, Path(tmp.name))
        runs.append((f"ref {args.ref}", ref_score.score_frames,
                     ref_targets.parse_targets(fixture["targets_yaml"],
                                               file=maker.TARGETS_NAME)))

    for _, fn, tg in runs:  # warm up imports and caches
        for ev, mem in frames[:2]:
            fn(ev, mem, tg, start=start, end=end)
    wall: dict[str, list[float]] = {label: [] for label, _, _ in runs}
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in runs}
    best: dict[str, list[float]] = {label: [float("inf")] * len(frames) for label, _, _ in runs}
    for _ in range(args.rounds):
        for i, (ev, mem) in enumerate(frames):
            for label, fn, tg in runs:
                t0, c0 = time.perf_counter(), time.thread_time()
                fn(ev, mem, tg, start=start, end=end)
                c1, t1 = time.thread_time(), time.perf_counter()
                wall[label].append(t1 - t0)
                cpu[label].append(c1 - c0)
                best[label][i] = min(best[label][i], c1 - c0)

    print(f"score_frames on {len(frames)} stored baseline frames x {args.rounds} rounds, "
          f"window {start or 'start'}..{end or 'end'}")
    print("wall = perf_counter; cpu = this thread's CPU time (steadier on a shared machine); "
          "cpu best = mean over frames of each frame's fastest call")
    print(f"{'scorer':<16}{'wall median':>13}{'wall min':>10}{'cpu median':>12}"
          f"{'cpu best':>10}   (ms per call)")
    for label in wall:
        print(f"{label:<16}{1e3 * statistics.median(wall[label]):>13.2f}"
              f"{1e3 * min(wall[label]):>10.2f}{1e3 * statistics.median(cpu[label]):>12.2f}"
              f"{1e3 * statistics.mean(best[label]):>10.2f}")
    if args.ref:
        ref = f"ref {args.ref}"
        for what, t in (("wall median", wall), ("cpu median", cpu)):
            print(f"speed-up ({what}): "
                  f"{statistics.median(t[ref]) / statistics.median(t['current']):.1f}x")
        print(f"speed-up (cpu best): "
              f"{statistics.mean(best[ref]) / statistics.mean(best['current']):.1f}x")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
