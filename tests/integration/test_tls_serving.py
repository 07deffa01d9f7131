"""``--tls-cert``/``--tls-key``: the wall itself speaks HTTPS (HSTS on, the cookie
Secure), and files that cannot serve are refused at start, naming the flag and file."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
from tlssupport import make_certificate
from wallsupport import password_of, running_wall

from command_center.auth import Role

ROOT = Path(__file__).resolve().parents[2]


async def test_the_wall_serves_https_with_its_own_certificate(tmp_path: Path) -> None:
    cert = make_certificate(tmp_path / "tls")
    async with running_wall(tmp_path / "data", tls_cert=cert.cert, tls_key=cert.key) as rt:
        assert rt.url == f"https://127.0.0.1:{rt.port}"
        name, password = password_of(rt, Role.VIEWER)
        async with httpx.AsyncClient(base_url=rt.url, verify=cert.client_context()) as client:
            page = await client.get("/login")
            assert page.status_code == 200
            assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
            r = await client.post("/login", data={"username": name, "password": password})
            assert r.status_code == 302
            assert "Secure" in r.headers["Set-Cookie"]
        async with httpx.AsyncClient() as plain:
            try:
                await plain.get(f"http://127.0.0.1:{rt.port}/login")
            except httpx.HTTPError:
                pass  # clear text gets nothing: the port speaks TLS only
            else:
                raise AssertionError("the TLS port answered clear-text HTTP")


async def run_wall(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run_wall.py"),
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_unusable_tls_files_are_named_at_start(tmp_path: Path) -> None:
    cert = make_certificate(tmp_path / "tls")
    other = make_certificate(tmp_path / "other")
    code, err = await run_wall("--no-browser", "--tls-cert", str(cert.cert))
    assert code == 2 and "--tls-cert and --tls-key go together" in err
    code, err = await run_wall(
        "--no-browser", "--tls-cert", str(tmp_path / "nope.pem"), "--tls-key", str(cert.key)
    )
    assert code == 2 and f"--tls-cert {tmp_path / 'nope.pem'}: no such file" in err
    code, err = await run_wall(
        "--no-browser", "--tls-cert", str(cert.cert), "--tls-key", str(other.key)
    )
    assert code == 2 and "not a matching PEM certificate and key" in err
