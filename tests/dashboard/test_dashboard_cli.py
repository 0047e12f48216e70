"""`coalsim dashboard`: argument checking and the offline server environment
(the server itself is started by the browser test)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sim.cli import cmd_dashboard
from sim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching" / "four_factions.yaml"


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["dashboard", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--host" in out and "SCENARIO" in out.upper()


def test_missing_scenario_exits_2(tmp_path, capsys):
    assert main(["dashboard", str(tmp_path / "nope.yaml"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "nope.yaml" in err and "Traceback" not in err


def test_invalid_scenario_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstart: '2030-01'\nfactions: 3\n", encoding="utf-8")
    assert main(["dashboard", str(bad), "--port", "0"]) == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_port_out_of_range_exits_2(capsys):
    assert main(["dashboard", str(TEACHING), "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def test_busy_port_exits_2(capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert main(["dashboard", str(TEACHING), "--port", str(port)]) == 2
    assert "choose another --port" in capsys.readouterr().err


def test_server_environment_is_offline():
    env = cmd_dashboard.OFFLINE_ENV
    assert env["SOLARA_ASSETS_PROXY"] == "true"                 # assets served by the server ...
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1")   # ... never fetched from a CDN
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


def test_solara_assets_are_installed():
    """The local copy of Solara's JavaScript that the offline server serves."""
    import solara.server.settings as settings

    cache = settings.assets.proxy_cache_dir
    assert (cache / "requirejs@2.3.6").exists() or any(cache.glob("requirejs@*")), (
        f"solara-assets is missing: nothing under {cache}")
