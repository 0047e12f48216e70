"""Reading what a sweep folder already holds, for `--resume` and for the final table.

Result parts are written to a hidden temporary name and renamed with
`os.replace` once complete and flushed (`write_part`), so a part that exists
under its final name is whole: a sweep killed with SIGKILL leaves at most a
`.part-*.tmp` file, which `clean_temporary` removes. A final-named part that
cannot be read anyway (copied half-way by hand, a disk error) is set aside as
`*.corrupt` with a warning, and its runs are simply run again.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError

PART_RE = re.compile(r"^part-(\d+)\.parquet$")
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
RESULTS = "results.parquet"
PARTS = "results"
#: Writer options shared by parts and the final table: same input, same bytes.
WRITE_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True,
                     write_statistics=True, row_group_size=65536)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=False) + "\n").encode("utf-8"))


def write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file atomically (temporary name, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, **WRITE_OPTIONS)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def part_paths(folder: Path) -> list[tuple[int, Path]]:
    d = Path(folder) / PARTS
    if not d.is_dir():
        return []
    out = []
    for p in d.iterdir():
        m = PART_RE.match(p.name)
        if m:
            out.append((int(m.group(1)), p))
    return sorted(out)


def part_path(folder: Path, index: int) -> Path:
    return Path(folder) / PARTS / f"part-{index:05d}.parquet"


def clean_temporary(folder: Path) -> list[Path]:
    """Remove leftovers of writes cut short (hidden `.*.tmp` files)."""
    removed = []
    for d in (Path(folder), Path(folder) / PARTS):
        if d.is_dir():
            for p in d.glob(".*.tmp"):
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise InputError("this is not a sweep folder (it has no manifest.json)", file=str(folder))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"manifest.json cannot be read ({err})", file=str(path)) from None


def readable_parts(folder: Path) -> list[tuple[int, Path]]:
    """Parts that read back; unreadable ones are renamed `*.corrupt` with a warning."""
    good = []
    for index, path in part_paths(folder):
        try:
            pq.read_metadata(path)
        except (pa.ArrowException, OSError) as err:
            bad = path.with_name(path.name + ".corrupt")
            os.replace(path, bad)
            warnings.warn(f"{path} cannot be read ({err}); set aside as {bad.name}, its runs "
                          "will be run again", stacklevel=2)
            continue
        good.append((index, path))
    return good


def completed_runs(folder: Path, n_runs: int) -> np.ndarray:
    """Boolean mask over run ids: True where a readable part holds the run."""
    done = np.zeros(n_runs, dtype=bool)
    for _index, path in readable_parts(folder):
        ids = pq.read_table(path, columns=["run_id"]).column("run_id").to_numpy()
        ids = ids[(ids >= 0) & (ids < n_runs)]
        done[ids] = True
    return done


def next_part_index(folder: Path) -> int:
    parts = part_paths(folder)
    return parts[-1][0] + 1 if parts else 0


def check_resumable(folder: Path, spec_hash: str) -> dict[str, Any]:
    """The manifest of a sweep that `--resume` may continue with this spec."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("--resume needs the folder of an existing sweep; this one does not "
                         "exist", file=str(folder))
    manifest = read_manifest(folder)
    if manifest.get("kind") != "coalsim-sweep":
        raise InputError("this folder's manifest.json is not a sweep's", file=str(folder))
    old = manifest.get("spec_sha256")
    if old != spec_hash:
        raise InputError(
            "the spec (or its scenario, or the scenario's targets) changed since this sweep "
            f"started: spec hash {spec_hash[:12]} now, {str(old)[:12]} in the manifest. Results "
            "from two different specs cannot be mixed: restore the spec, or start a new sweep "
            "with another --out.", file=str(folder / MANIFEST), key="spec_sha256")
    if not (folder / DESIGN).is_file():
        raise InputError("the sweep folder has no design.parquet; it cannot be resumed",
                         file=str(folder))
    return manifest
