"""`coalsim run` and its run folder (DESIGN.md §5), plus the command line's
help, schema and argument errors.

The main run is a real `python -m sim.cli.main run` subprocess on the teaching
scenario; the other checks call `sim.cli.main.main(argv)` in-process (the
console script is `sys.exit(main())`), which is much faster and lets a test
break the writing of the folder with monkeypatch.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import sim
from sim.api import load_scenario, simulate
from sim.cli.main import build_parser, main
from sim.config import config_sha256
from sim.trajectory import EVENT_COLUMNS, MEMBERSHIP_COLUMNS, Trajectory

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching" / "four_factions.yaml"
RUN_FILES = {"manifest.json", "config.resolved.yaml", "events.csv", "membership.csv",
             "timeline.png"}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"",
                                         p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def leftovers(folder: Path) -> list[Path]:
    return sorted(folder.rglob(".coalsim-tmp-*"))


# ---- the run folder ---------------------------------------------------------------------


def test_run_folder(tmp_path: Path) -> None:
    """One real `coalsim run` of the teaching scenario (default seed, with the
    plot), checked by the `check_*` functions below. (One test rather than
    several sharing a fixture: under pytest-xdist each worker would redo the run.)"""
    work = tmp_path
    out = work / "run"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-m", "sim.cli.main", "run", str(TEACHING), "--out",
                          str(out)], capture_output=True, text=True, cwd=work, env=env, timeout=300)
    run = (work, out, res)
    check_run_succeeds_and_prints_a_summary(run)
    check_run_folder_holds_exactly_the_five_files(run)
    check_manifest_has_the_design_fields(run)
    check_tables_have_the_design_columns(run)
    check_resolved_config_revalidates_and_reproduces_the_run(run)


def check_run_succeeds_and_prints_a_summary(teaching_run) -> None:
    work, out, res = teaching_run
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "Final coalitions" in res.stdout
    assert f"Run folder: {out}" in res.stdout
    assert "four_factions" in res.stdout.splitlines()[0]


def check_run_folder_holds_exactly_the_five_files(teaching_run) -> None:
    work, out, res = teaching_run
    assert res.returncode == 0, res.stderr
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert sorted(p.name for p in work.iterdir()) == ["run"], "something else was left behind"
    assert not leftovers(work)
    assert (out / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def check_manifest_has_the_design_fields(teaching_run) -> None:
    work, out, res = teaching_run
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sc = load_scenario(TEACHING)
    assert man["status"] == "complete"
    assert Path(man["scenario_path"]).resolve() == TEACHING.resolve()
    assert man["config_sha256"] == config_sha256(sc)
    assert re.fullmatch(r"[0-9a-f]{64}", man["config_sha256"])
    assert man["seed"] == sc.seed
    version_key = next(k for k in ("version", "coalsim_version", "package_version") if k in man)
    assert man[version_key] == sim.__version__
    assert "git_commit" in man
    assert man["git_commit"] is None or re.fullmatch(r"[0-9a-f]{7,40}", man["git_commit"])
    assert man["python"] == platform.python_version()
    deps = man["dependencies"]
    assert isinstance(deps, dict) and {"mesa", "numpy", "pydantic"} <= set(deps)
    assert deps["mesa"] and deps["mesa"].startswith("3.")
    started = datetime.fromisoformat(man["started"])
    finished = datetime.fromisoformat(man["finished"])
    assert started.tzinfo is not None and started <= finished
    if "files" in man:
        assert set(man["files"]) == RUN_FILES


def check_tables_have_the_design_columns(teaching_run) -> None:
    work, out, res = teaching_run
    events = (out / "events.csv").read_text(encoding="utf-8").splitlines()
    members = (out / "membership.csv").read_text(encoding="utf-8").splitlines()
    assert tuple(events[0].split(",")) == EVENT_COLUMNS == ("month", "type", "actors", "entity",
                                                            "detail")
    assert tuple(members[0].split(",")) == MEMBERSHIP_COLUMNS == (
        "month", "faction", "entity", "rooms", "strength", "alive")
    sc = load_scenario(TEACHING)
    assert len(members) == 1 + 36 * len(sc.factions)


def check_resolved_config_revalidates_and_reproduces_the_run(teaching_run) -> None:
    work, out, res = teaching_run
    resolved = load_scenario(out / "config.resolved.yaml")
    original = load_scenario(TEACHING)
    assert resolved == original
    assert config_sha256(resolved) == json.loads(
        (out / "manifest.json").read_text(encoding="utf-8"))["config_sha256"]
    tr: Trajectory = simulate(resolved, resolved.seed)
    assert tr.events_csv() == (out / "events.csv").read_text(encoding="utf-8")
    assert tr.membership_csv() == (out / "membership.csv").read_text(encoding="utf-8")


def test_resolved_config_is_exactly_what_ran_with_seed_and_until(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["run", str(TEACHING), "--out", str(out), "--seed", "11", "--until", "2033-02",
                 "--no-plot", "--quiet"]) == 0
    resolved = load_scenario(out / "config.resolved.yaml")
    tr = simulate(resolved)
    assert tr.membership_csv() == (out / "membership.csv").read_text(encoding="utf-8")
    assert tr.events_csv() == (out / "events.csv").read_text(encoding="utf-8")


# ---- refusing to clobber, and failing cleanly ---------------------------------------------


def test_out_to_a_non_empty_folder_is_refused_and_untouched(tmp_path: Path, capsys) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("precious", encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "events.csv").write_text("old", encoding="utf-8")
    before = snapshot(tmp_path)
    code = main(["run", str(TEACHING), "--out", str(out), "--no-plot"])
    err = capsys.readouterr().err
    assert code == 2
    flat = " ".join(err.split())
    assert "not empty" in flat and str(out) in flat
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before
    assert not leftovers(tmp_path)


def test_out_to_a_file_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "file.txt"
    out.write_text("x", encoding="utf-8")
    assert main(["run", str(TEACHING), "--out", str(out), "--no-plot"]) == 2
    assert out.read_text(encoding="utf-8") == "x"
    assert not leftovers(tmp_path)


def test_out_to_an_empty_folder_is_used(tmp_path: Path, capsys) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert main(["run", str(TEACHING), "--out", str(out), "--no-plot", "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} == RUN_FILES - {"timeline.png"}
    assert not leftovers(tmp_path)


@pytest.mark.parametrize(("exc", "code"), [(RuntimeError("disk on fire"), 1),
                                           (KeyboardInterrupt(), 130)])
def test_interrupted_run_leaves_nothing(tmp_path: Path, monkeypatch, capsys, exc, code) -> None:
    """Writing membership.csv fails half-way through the folder: no folder, no temp folder."""
    def broken(self):
        raise exc

    monkeypatch.setattr(Trajectory, "membership_csv", broken)
    out = tmp_path / "run"
    before = sorted(os.listdir(tmp_path))
    result = main(["run", str(TEACHING), "--out", str(out), "--no-plot"])
    err = capsys.readouterr().err
    assert result == code, err
    assert not out.exists(), "a failed run left a folder with the final name"
    assert not leftovers(tmp_path), "a failed run left its temporary folder"
    assert sorted(os.listdir(tmp_path)) == before
    assert "Traceback" not in err


def test_default_folder_is_under_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(TEACHING), "--no-plot", "--seed", "3"]) == 0
    stdout = capsys.readouterr().out
    folders = list((tmp_path / "runs").iterdir())
    assert len(folders) == 1
    name = folders[0].name
    assert re.fullmatch(r"four_factions-\d{8}T\d{6}Z-[0-9a-f]{8}(-s3)?", name), name
    assert f"Run folder: runs/{name}" in stdout or f"Run folder: {folders[0]}" in stdout


# ---- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("until", ["2031-13", "2031-1", "next year", "2029-12"])
def test_bad_until_is_refused(until: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["run", str(TEACHING), "--out", str(out), "--until", until, "--no-plot"]) == 2
    err = capsys.readouterr().err
    assert "--until" in err and "Traceback" not in err
    assert not out.exists() and not leftovers(tmp_path)


def test_until_past_the_end_extends_the_run(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["run", str(TEACHING), "--out", str(out), "--until", "2033-03", "--no-plot",
                 "--quiet"]) == 0
    rows = (out / "membership.csv").read_text(encoding="utf-8").splitlines()
    assert rows[-1].startswith("2033-03,")
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "2033-03" in json.dumps(man)


def test_negative_seed_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["run", str(TEACHING), "--out", str(tmp_path / "r"), "--seed", "-1"]) == 2
    assert not (tmp_path / "r").exists()


def test_missing_scenario_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["run", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "r")]) == 2
    assert "nope.yaml" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


# ---- schema and help --------------------------------------------------------------------------


def test_schema_prints_json_schema(capsys) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "factions" in schema["properties"]
    assert schema["properties"]["factions"].get("type") == "array"
    assert {"name", "start", "end", "factions"} <= set(schema.get("required", []))


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(action.choices)


def test_the_design_subcommands_exist() -> None:
    assert {"run", "validate", "schema"} <= set(_subcommands())


@pytest.mark.parametrize("argv", [["--help"]] + [[cmd, "--help"] for cmd in _subcommands()],
                         ids=lambda argv: " ".join(argv))
def test_help_exits_zero(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code in (0, None)
    out = capsys.readouterr().out
    assert out.startswith("usage: coalsim")


def test_validate_accepts_the_teaching_scenario(capsys) -> None:
    assert main(["validate", str(TEACHING)]) == 0
    assert capsys.readouterr().out.startswith("ok:")


def test_run_with_targets_prints_and_records_its_fit(tmp_path: Path, capsys) -> None:
    baseline = Path(__file__).resolve().parents[2] / "scenarios" / "idlib_2015_2018.yaml"
    out = tmp_path / "run"
    assert main(["run", str(baseline), "--out", str(out), "--seed", "2", "--no-plot"]) == 0
    printed = capsys.readouterr().out
    fit = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["fit"]
    assert 0.0 <= fit["fit"] <= 1.0 and fit["targets"].endswith("targets_2015_2018.yaml")
    assert f"{fit['fit']:.3f}" in printed and "Fit against the documented trajectory" in printed
    # The same number as `coalsim score` on the folder.
    from sim.scoring import score_run

    assert score_run(out).fit == pytest.approx(fit["fit"], abs=1e-6)
    # ... and the strict fit that of `coalsim score --strict`.
    assert score_run(out, entity_level=False).fit == pytest.approx(fit["fit_strict"], abs=1e-6)
    assert f"strict matching: fit {fit['fit_strict']:.3f}" in printed
