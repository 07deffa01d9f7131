"""``pip install .`` (not editable) gives a wall that runs: the ``run-wall`` entry point, the
specs and registries, and every static file a kiosk loads, found through package data and
not through the checkout.

The wheel is built the way a centre would build it, installed into a folder of its own with
``--no-deps`` (the dependencies are the test environment's), and started from a folder that
is not the checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from wallprocess import ROOT


def _wheel(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        check=True,
        timeout=300,
    )
    (wheel,) = out.glob("command_center-*.whl")
    return wheel


def test_a_wheel_installs_a_wall_that_runs_from_anywhere(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(_wheel(tmp_path)),
        ],
        check=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import command_center, geo; print(command_center.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(site)), f"the checkout was imported, not the wheel: {where}"
    entry = site / "bin" / "run-wall"
    assert entry.exists(), "no run-wall entry point"
    checked = subprocess.run(
        [str(entry), "validate"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no problems" in checked.stderr

    server = subprocess.Popen(
        [
            str(entry),
            "--no-browser",
            "--no-simulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line, "the server stopped before it printed its URL"
            m = re.search(r"The wall is running at (http://\S+)", line)
            url = m.group(1) if m else None
        assert url, "no URL printed"
        with httpx.Client(base_url=url, timeout=30) as client:
            for asset in ("wall/screen.js", "wall/tiles/map.js", "video/bridge.js"):
                r = client.get(f"/assets/{asset}")
                assert r.status_code == 200 and len(r.content) > 100, asset
            r = client.get("/assets/geo/provinces-34.geojson")
            assert r.status_code == 200 and r.json()["type"] == "FeatureCollection"
            assert client.get("/health").json()["status"] in ("ok", "degraded")
    finally:
        server.terminate()
        server.wait(30)
        if server.stdout is not None:
            server.stdout.close()
