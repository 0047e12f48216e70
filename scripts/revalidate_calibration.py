"""Validate the committed calibrations again, on the model as it is now.

    .venv/bin/python scripts/revalidate_calibration.py [baseline] [out_of_sample]

A change to the model changes what the committed parameters do, even when the
parameters stay. This scores each committed calibration's best parameters (its
``calibration/<name>_summary.json``) on the spec's validation seeds, with the
nulls, exactly as ``coalsim calibrate`` does after a search, and rewrites the
committed validation files and figures:

- ``calibration/<name>_validation_scores.csv`` (and, for the baseline,
  ``calibration/baseline_target_hit_rates.csv``);
- ``docs/img/calibration/``: ``fit_vs_nulls.png``, ``target_hit_rates.png`` and
  ``timeline_seed1.png`` for the baseline, ``out_of_sample_fit_vs_nulls.png``
  for the out-of-sample calibration.

The summaries (the search: trials, spread of the best sets, reselection) are
left as the search wrote them. Run it with the model change, say so in the
commit message, and update the figures quoted in the docs
(``benchmarks/calibration_goals.py`` prints the goals from the new files).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibration.report import validate_best, write_validation  # noqa: E402
from sim.calibration.spec import load_spec  # noqa: E402
from sim.errors import InputError  # noqa: E402

NAMES = ("baseline", "out_of_sample")


def revalidate(name: str, calibration: Path, images: Path) -> dict[str, Path]:
    """Validate ``<calibration>/<name>.yaml``'s committed best parameters again and
    write its validation files and figures; returns what it wrote."""
    spec_path = calibration / f"{name}.yaml"
    summary_path = calibration / f"{name}_summary.json"
    for path in (spec_path, summary_path):
        if not path.is_file():
            raise InputError("no such file", file=path)
    spec, _doc = load_spec(spec_path)
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    best = {k: v["best"] for k, v in summary["parameters"].items()}
    unknown = sorted(set(best) - set(spec.parameters))
    missing = sorted(set(spec.parameters) - set(best))
    if unknown or missing:
        raise InputError("the summary's parameters are not the spec's: "
                         + "; ".join(f"{what} {', '.join(names)}" for what, names in
                                     (("not free in the spec:", unknown),
                                      ("missing:", missing)) if names),
                         file=summary_path)
    validation = validate_best(spec, spec_path.parent, best)
    images.mkdir(parents=True, exist_ok=True)
    written = {"scores_csv": calibration / f"{name}_validation_scores.csv"}
    if name == "baseline":
        written.update(fit_png=images / "fit_vs_nulls.png",
                       rates_csv=calibration / f"{name}_target_hit_rates.csv",
                       rates_png=images / "target_hit_rates.png",
                       timeline_png=images / "timeline_seed1.png")
    else:
        written["fit_png"] = images / f"{name}_fit_vs_nulls.png"
    write_validation(validation, **written)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", metavar="NAME",
                    help=f"committed calibrations to validate again: {', '.join(NAMES)} "
                    "(default: both)")
    ap.add_argument("--calibration", type=Path, default=ROOT / "calibration",
                    help="folder of the specs, summaries and validation files")
    ap.add_argument("--images", type=Path, default=ROOT / "docs" / "img" / "calibration",
                    help="folder of the report's figures")
    args = ap.parse_args(argv)
    wrong = [n for n in args.names if n not in NAMES]
    if wrong:
        ap.error(f"unknown calibration {', '.join(wrong)} (choose from {', '.join(NAMES)})")
    try:
        for name in args.names or NAMES:
            print(f"{name}: validating ...", flush=True)
            for path in revalidate(name, args.calibration, args.images).values():
                print(f"  wrote {path}")
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
