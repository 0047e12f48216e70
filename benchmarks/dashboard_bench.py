"""How long one Step takes to update the dashboard page. Goal: < 1 s.

Starts `coalsim dashboard` on the baseline scenario (scenarios/idlib_2015_2018.yaml,
or the four-faction teaching scenario when the baseline is absent), opens it
in headless Debian chromium (Python playwright, /usr/bin/chromium), clicks
Step N times and times each click until the page shows the new month and the
new network image. The server prints its own render time per step
(COALSIM_DASHBOARD_TIMING=1), so the report splits the total into server
rendering and the rest (websocket, browser). It also times the same rendering
in this process, as CPU time, which does not depend on how busy the machine is.
Run:

    .venv/bin/python benchmarks/dashboard_bench.py [--steps 10] [--scenario FILE]

The load average is printed because wall-clock times on a busy machine are
not comparable to an idle one's.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "idlib_2015_2018.yaml"
TEACHING = ROOT / "scenarios" / "teaching" / "four_factions.yaml"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
GOAL = 1.0


def in_process(scenario: Path, steps: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of one step plus the page's rendering, in this process."""
    sys.path.insert(0, str(ROOT))
    from sim.dashboard.app import _render
    from sim.dashboard.session import Session

    session = Session(scenario)
    _render(session)                                   # warm-up: fonts, caches
    wall, cpu = [], []
    for _ in range(steps):
        w, c = time.perf_counter(), time.process_time()
        session.step()
        _render(session)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return wall, cpu


def in_browser(scenario: Path, steps: int) -> tuple[list[float], list[float], float]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    env = dict(os.environ, COALSIM_DASHBOARD_TIMING="1")
    coalsim = Path(sys.executable).parent / "coalsim"
    proc = subprocess.Popen([str(coalsim), "dashboard", str(scenario), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    t0 = time.perf_counter()
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 90:
                    raise SystemExit("the dashboard did not start; see " + log.name)
                time.sleep(0.2)
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            t1 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("img.coalsim-network", timeout=60000)
            first_paint = time.perf_counter() - t1
            for _ in range(steps):
                status = page.locator(".coalsim-status").inner_text()
                src = page.locator("img.coalsim-network").get_attribute("src")
                start = time.perf_counter()
                page.get_by_role("button", name="Step", exact=True).click()
                page.wait_for_function(
                    "([st, src]) => document.querySelector('.coalsim-status').innerText !== st"
                    " && document.querySelector('img.coalsim-network').src !== src",
                    arg=[status, src], timeout=30000)
                times.append(time.perf_counter() - start)
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    text = Path(log.name).read_text(encoding="utf-8")
    renders = [float(x) for x in re.findall(r"coalsim-dashboard render t=\d+ ([0-9.]+)s", text)]
    return times, renders[-steps:], first_paint


def summary(xs: list[float]) -> str:
    if not xs:
        return "n/a"
    return (f"median {statistics.median(xs):.3f} s, mean {statistics.mean(xs):.3f} s, "
            f"min {min(xs):.3f} s, max {max(xs):.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--scenario", type=Path, default=None)
    parser.add_argument("--no-browser", action="store_true", help="only the in-process timing")
    args = parser.parse_args()
    scenario = args.scenario or (BASELINE if BASELINE.exists() else TEACHING)
    print(f"scenario: {scenario.relative_to(ROOT) if scenario.is_relative_to(ROOT) else scenario}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    wall, cpu = in_process(scenario, args.steps)
    print(f"in process, step + render (wall): {summary(wall)}")
    print(f"in process, step + render (CPU):  {summary(cpu)}")
    if not args.no_browser:
        if not Path(CHROMIUM).exists():
            print(f"no {CHROMIUM}: browser timing skipped (apt-get install -y chromium)")
        else:
            times, renders, first = in_browser(scenario, args.steps)
            print(f"page first shown in {first:.2f} s")
            print(f"Step -> page updated:             {summary(times)}")
            print(f"  of which server rendering:      {summary(renders)}")
            verdict = "meets" if statistics.median(times) < GOAL else "misses"
            print(f"goal < {GOAL:.0f} s per step: {verdict} (median)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
