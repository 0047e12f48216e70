"""Every broken scenario in `tests/broken/` is refused cleanly by the command line.

For each file, `coalsim validate FILE` and `coalsim run FILE --out <tmp>/run`
must exit with code 2 and a one-paragraph message on stderr that names the
file, the key path and the line given in `tests/broken/expected.yaml`, contains
the expected phrase and shows no traceback; `run` must leave no run folder
(nor a `.coalsim-tmp-*` folder) behind.

Each command runs in its own child process. Starting a fresh interpreter costs
about two seconds here (Mesa, pandas and SciPy are imported on start), which
for ~40 files and two commands would take most of the test budget, so by
default the child is forked from the test process, with sim already imported,
and runs `sim.cli.main.main` with the file descriptors 1 and 2 redirected, its
exit status coming from `os.waitpid` as for any subprocess. Set
`COALSIM_TEST_REAL_SUBPROCESS=1` to start a real `python -m sim.cli.main` for
every command instead; `test_real_subprocess_matches_forked` always does so for
one file, so the two paths cannot drift apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "broken"
EXPECTED_FILE = BROKEN / "expected.yaml"
REAL = os.environ.get("COALSIM_TEST_REAL_SUBPROCESS", "") not in ("", "0")
TIMEOUT_FORK, TIMEOUT_REAL = 5.0, 60.0


def _expected() -> dict[str, dict]:
    return yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))


def _corpus() -> list[Path]:
    return sorted(p for p in BROKEN.iterdir()
                  if p.is_file() and p != EXPECTED_FILE and not p.name.startswith((".", "_"))
                  and p.suffix not in (".py", ".pyc"))


# ---- running the command line in a child process -------------------------------


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def cli_command() -> list[str]:
    """How to start the command line (`test_real_subprocess_matches_forked`
    checks that this works)."""
    return [sys.executable, "-m", "sim.cli.main"]


def run_real(args: list[str], cwd: Path, timeout: float = TIMEOUT_REAL) -> Result:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        out = subprocess.run(cli_command() + args, cwd=cwd, capture_output=True, text=True,
                             timeout=timeout, env=env)
    except subprocess.TimeoutExpired as err:
        return Result(-9, str(err.stdout or ""), f"timed out after {timeout} s")
    return Result(out.returncode, out.stdout, out.stderr)


_WARM = False


def _warm_up() -> None:
    """Import the command line and every subcommand before forking, so that the
    child starts warm (building the parser imports all `cmd_*` modules)."""
    global _WARM
    if not _WARM:
        from sim.cli.main import build_parser

        build_parser()
        _WARM = True


def run_forked(args: list[str], cwd: Path, timeout: float = TIMEOUT_FORK) -> Result:
    """Run `coalsim ARGS` in a forked child; stdout/stderr go through files."""
    import time

    _warm_up()

    out_path, err_path = cwd / ".cli-stdout", cwd / ".cli-stderr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)   # "process is multi-threaded"
        pid = os.fork()
    if pid == 0:                                                  # the child
        code = 1
        try:
            os.chdir(cwd)
            for fd, path in ((1, out_path), (2, err_path)):
                f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(f, fd)
                os.close(f)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            sys.argv = ["coalsim", *args]
            try:
                from sim.cli.main import main

                code = main(args)
            except SystemExit as exc:          # what the interpreter does with sys.exit()
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
                    code = 1
            except BaseException:              # an escaped exception: the interpreter's traceback
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) else 1)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            code = -9
            break
        time.sleep(0.01)
    stdout = out_path.read_text(encoding="utf-8", errors="replace") if out_path.exists() else ""
    stderr = err_path.read_text(encoding="utf-8", errors="replace") if err_path.exists() else ""
    out_path.unlink(missing_ok=True)
    err_path.unlink(missing_ok=True)
    if code == -9:
        stderr += f"\n[killed after {timeout} s]"
    return Result(code, stdout, stderr)


def run_cli(args: list[str], cwd: Path) -> Result:
    return run_real(args, cwd) if REAL or not hasattr(os, "fork") else run_forked(args, cwd)


# ---- checks ----------------------------------------------------------------------


def _flat(text: str) -> str:
    """The message with its line wrapping undone."""
    return " ".join(text.split())


def check_refusal(res: Result, path: Path, exp: dict, command: str) -> None:
    flat = _flat(res.stderr)
    where = f"`coalsim {command}` on {path.name}"
    assert "Traceback" not in res.stderr, f"{where} printed a traceback:\n{res.stderr}"
    assert res.code == 2, f"{where} exited {res.code}, expected 2; stderr:\n{res.stderr}"
    assert path.name in flat, f"{where}: message does not name the file:\n{res.stderr}"
    assert "\n\n" not in res.stderr.strip(), f"{where}: message is not one paragraph"
    if exp.get("key") is not None:
        assert f"'{exp['key']}'" in flat, (
            f"{where}: message does not name the key path {exp['key']}:\n{res.stderr}")
    if exp.get("line") is not None:
        assert f"line {exp['line']}:" in flat or f"line {exp['line']} " in flat, (
            f"{where}: message does not name line {exp['line']}:\n{res.stderr}")
    assert _flat(exp["phrase"]) in flat, (
        f"{where}: message lacks the phrase {exp['phrase']!r}:\n{res.stderr}")


def _leftovers(tmp: Path, before: set[str]) -> list[str]:
    return sorted(set(os.listdir(tmp)) - before)


# ---- the corpus itself -------------------------------------------------------------


def test_corpus_is_complete() -> None:
    expected = _expected()
    names = [p.name for p in _corpus()]
    assert len(names) >= 20, f"the broken corpus has only {len(names)} files"
    assert len(expected) >= 20
    missing = sorted(set(names) - set(expected))
    assert not missing, f"files in tests/broken/ without an entry in expected.yaml: {missing}"
    stale = sorted(set(expected) - set(names))
    assert not stale, f"entries in expected.yaml without a file: {stale}"
    for name, exp in expected.items():
        assert set(exp) <= {"key", "line", "phrase", "xfail"}, name
        assert isinstance(exp.get("phrase"), str) and exp["phrase"].strip(), name
        assert exp.get("key") is None or isinstance(exp["key"], str), name
        assert exp.get("line") is None or (isinstance(exp["line"], int) and exp["line"] >= 1), name


def _params():
    expected = _expected()
    out = []
    for path in _corpus():
        exp = expected.get(path.name, {})
        marks = []
        if exp.get("xfail"):
            marks.append(pytest.mark.xfail(strict=True, reason=" ".join(exp["xfail"].split())))
        out.append(pytest.param(path, exp, id=path.name, marks=marks))
    return out


@pytest.mark.parametrize(("path", "exp"), _params())
def test_broken_file_is_refused(path: Path, exp: dict, tmp_path: Path) -> None:
    assert exp, f"{path.name} has no entry in tests/broken/expected.yaml"
    work = tmp_path / "work"
    work.mkdir()
    before = set(os.listdir(work))

    res = run_cli(["validate", str(path)], work)
    check_refusal(res, path, exp, "validate")
    assert _leftovers(work, before) == []

    res = run_cli(["run", str(path), "--out", str(work / "run"), "--seed", "3"], work)
    check_refusal(res, path, exp, "run")
    left = _leftovers(work, before)
    assert left == [], f"`coalsim run` on {path.name} left {left} behind"
    assert not list(tmp_path.rglob(".coalsim-tmp-*"))
    assert not (work / "runs").exists()


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    """The `!!python/object/apply:os.system` tag would create this file if it ran."""
    path = BROKEN / "python_object_tag.yaml"
    assert "touch coalsim_pwned" in path.read_text(encoding="utf-8")
    for args in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "run")]):
        res = run_cli(args, tmp_path)
        assert res.code == 2
        assert not (tmp_path / "coalsim_pwned").exists()
        assert not (Path.cwd() / "coalsim_pwned").exists()


@pytest.mark.parametrize("name", ["duplicate_yaml_key.yaml"])
def test_real_subprocess_matches_forked(name: str, tmp_path: Path) -> None:
    """A real `python -m sim.cli.main` says exactly what the forked child says."""
    path = BROKEN / name
    real = run_real(["validate", str(path)], tmp_path)
    forked = run_forked(["validate", str(path)], tmp_path) if hasattr(os, "fork") else real
    assert real.code == forked.code == 2
    assert real.stderr == forked.stderr
    check_refusal(real, path, _expected()[name], "validate")
