"""Write calibrated parameters into the baseline scenario and its counterfactuals.

    .venv/bin/python scripts/apply_calibration.py calibration/results/baseline_2015_2018

Reads `best_parameters.yaml` from a `coalsim calibrate` output folder and
replaces the block between the `# BEGIN calibrated parameters` and
`# END calibrated parameters` markers (or adds it after the `targets:` line)
in `scenarios/idlib_2015_2018.yaml` and every `scenarios/counterfactuals/*.yaml`,
so that the counterfactuals keep differing from the baseline only where they
say. Each parameter's source names the calibration report.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "# BEGIN calibrated parameters (scripts/apply_calibration.py; do not edit by hand)"
END = "# END calibrated parameters"


def block(params: dict[str, float], source: str) -> str:
    body = yaml.safe_dump({"parameters": params}, sort_keys=True, width=100)
    sources = yaml.safe_dump({"parameter_sources": {k: source for k in sorted(params)}},
                             sort_keys=True, width=200)
    return f"{BEGIN}\n{body}{sources}{END}\n"


def apply(path: Path, text_block: str) -> None:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: text_block, text)
    else:
        match = re.search(r"^targets:.*\n", text, re.M) or re.search(r"^rule:.*\n", text, re.M)
        if match is None:
            raise SystemExit(f"{path}: no 'targets:' or 'rule:' line to put the block after")
        text = text[:match.end()] + text_block + text[match.end():]
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("results", help="a coalsim calibrate output folder")
    args = ap.parse_args()
    results = Path(args.results)
    params = yaml.safe_load((results / "best_parameters.yaml").read_text(encoding="utf-8"))
    source = ("calibrated by `coalsim calibrate calibration/baseline.yaml` against "
              "calibration/targets_2015_2018.yaml (documented events encoded from the "
              "timeline and seeds); report in docs/calibration.md")
    text_block = block(params, source)
    targets = [ROOT / "scenarios" / "idlib_2015_2018.yaml",
               *sorted((ROOT / "scenarios" / "counterfactuals").glob("*.yaml"))]
    for path in targets:
        apply(path, text_block)
        print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
