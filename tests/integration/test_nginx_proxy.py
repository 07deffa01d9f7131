"""The README's nginx configuration, run for real in front of the wall: Debian's nginx
with a private prefix (pid, logs, temp files in the test's folder, 127.0.0.1 on a free
port, one process, no privileges needed), TLS at nginx with a certificate made here, the
wall told ``--trusted-proxy 127.0.0.1/32``. The console's Bokeh socket opens through it,
and the wall sees the address nginx saw, not one the client claims."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from tlssupport import MadeCertificate, make_certificate
from wallprocess import free_port
from wallsupport import password_of, running_wall

from command_center.auth import Role
from command_center.server.runtime import WallRuntime

README = Path(__file__).resolve().parents[2] / "README.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The address the test's client connects from (a loopback alias): not 127.0.0.1, which is
# the trusted proxy's.
CLIENT = "127.0.0.3"

pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is missing (make system-deps installs it)"
)


def readme_site(upstream_port: int, listen_port: int, cert: MadeCertificate) -> str:
    """The README's nginx block with this test's ports and certificate: each replaced
    line must be there, so a README that drifts from what is tested fails here."""
    found = re.search(r"```nginx\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert found, "README has no nginx block"
    site = found.group(1)
    for old, new in [
        ("listen 443 ssl;", f"listen 127.0.0.1:{listen_port} ssl;"),
        ("server 127.0.0.1:5006;", f"server 127.0.0.1:{upstream_port};"),
        ("/etc/ssl/wall/fullchain.pem", str(cert.cert)),
        ("/etc/ssl/wall/privkey.pem", str(cert.key)),
    ]:
        assert old in site, f"README nginx block lacks {old!r}"
        site = site.replace(old, new)
    return site


@contextlib.contextmanager
def running_nginx(folder: Path, site: str, port: int) -> Iterator[Path]:
    """nginx in the foreground, one process (no user switch), everything under ``folder``;
    yields its error log."""
    folder.mkdir(parents=True, exist_ok=True)
    temp = {k: folder / k for k in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    error_log = folder / "error.log"
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {error_log} info;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{site}
}}
"""
    )
    proc = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(error_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                log = error_log.read_text() if error_log.exists() else ""
                raise AssertionError(f"nginx did not start: {err}\n{log}")
            time.sleep(0.05)
        yield error_log
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture
async def proxied(tmp_path: Path) -> AsyncIterator[tuple[WallRuntime, str, MadeCertificate]]:
    cert = make_certificate(tmp_path / "tls")
    port = free_port()
    public = f"https://127.0.0.1:{port}"
    async with running_wall(
        tmp_path / "data", trusted_proxies=("127.0.0.1/32",), public_url=public
    ) as rt:
        with running_nginx(tmp_path / "nginx", readme_site(rt.port, port, cert), port):
            yield rt, public, cert


def client(public: str, cert: MadeCertificate) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=public,
        verify=cert.client_context(),
        transport=httpx.AsyncHTTPTransport(local_address=CLIENT, verify=cert.client_context()),
    )


async def test_the_wall_sees_the_address_nginx_saw(
    proxied: tuple[WallRuntime, str, MadeCertificate],
) -> None:
    rt, public, cert = proxied
    name, _password = password_of(rt, Role.ADMIN)
    assert rt.sign_in is not None
    async with client(public, cert) as http:
        r = await http.post(
            "/api/v1/sessions",
            json={"username": name, "password": "guess"},
            # What the client claims is dropped by nginx ($remote_addr, not appended).
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert r.status_code == 401, r.text
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert (await rt.sign_in.limiter.failures(name, CLIENT))["pair"] == 1
    assert (await rt.sign_in.limiter.failures(name, "198.51.100.7"))["pair"] == 0
    assert (await rt.sign_in.limiter.failures(name, "127.0.0.1"))["pair"] == 0


async def test_the_console_socket_works_through_nginx(
    proxied: tuple[WallRuntime, str, MadeCertificate],
) -> None:
    rt, public, cert = proxied
    name, password = password_of(rt, Role.DUTY_OFFICER)
    async with client(public, cert) as http:
        headers = {"Origin": public, "Sec-Fetch-Site": "same-origin"}
        r = await http.post(
            "/login", data={"username": name, "password": password}, headers=headers
        )
        assert r.status_code == 302, r.text
        assert "Secure" in r.headers["Set-Cookie"]  # https public URL: Secure cookie
        page = await http.get("/console")
        assert page.status_code == 200
        token = re.search(r'"token":\s*"([^"]+)"', page.text)
        assert token, "the console page carries no Bokeh session token"
    url = public.replace("https://", "wss://") + "/console/ws"
    async with websockets.connect(
        url,
        origin=public,  # type: ignore[arg-type]
        subprotocols=["bokeh", token.group(1)],  # type: ignore[list-item]
        ssl=cert.client_context(),
    ) as ws:
        header = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert header["msgtype"] == "ACK"
