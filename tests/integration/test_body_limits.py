"""Bad-input table (issue 10, point 1): bodies are limited per route before they are buffered.

Each row is a case of issue 10 that failed before the change: Tornado read every body whole
(up to 100 MB) before any handler looked at it, so 40 MB sent to sign-in without credentials
grew the server by 80 MB before its 400. Now size and credentials are decided from the headers
(``prepare`` of a streamed handler): a declared length over the route's limit is a 413 in the
error envelope before one byte of the body is read (``Expect: 100-continue`` gets no ``100``),
a chunked body is cut at the limit, and a caller without credentials is a 401 first.

Raw sockets throughout: an HTTP client library would send the body whatever the server says.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from wallprocess import WallProcess
from wallsupport import device_token, login, running_wall

from command_center.auth import Role
from command_center.server.body_limit import (
    DRAIN_LIMIT,
    MAX_INCIDENTS_BODY,
    MAX_JSON_BODY,
    MAX_OBSERVATIONS_BODY,
    MAX_SDP_BODY,
    MAX_SIGN_IN_BODY,
)
from command_center.server.runtime import WallRuntime
from geo import CodeList, codes
from video.tokens import point_token

MB = 1024 * 1024
# One server for the whole table (every row is refused or changes nothing), on one loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rt(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WallRuntime]:
    async with running_wall(tmp_path_factory.mktemp("limits")) as runtime:
        yield runtime


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def duty(rt: WallRuntime) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c:
        return await login(c, rt, Role.DUTY_OFFICER)


# ---- raw HTTP -----------------------------------------------------------------------------


async def send_head(
    port: int, method: str, path: str, headers: dict[str, str]
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    return reader, writer


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One response: its status, headers (lower-case names) and body."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await asyncio.wait_for(reader.readexactly(length), 30) if length else b""
    return int(status_line.split()[1]), headers, body


async def close(writer: asyncio.StreamWriter) -> None:
    # The server may have reset the connection (a body it refused): drop it, no goodbye.
    writer.transport.abort()
    await asyncio.sleep(0)


def envelope(body: bytes) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(body)["error"]
    return error


# ---- the routes and their limits ----------------------------------------------------------


def credentials(rt: WallRuntime, duty: dict[str, str], who: str) -> dict[str, str]:
    if who == "duty":
        return duty
    if who == "hue":
        return {"Authorization": f"Bearer {point_token(rt.keys.devices, 'hue')}"}
    if who in ("bo_y_te", "trung_tam_tkcn"):
        return {"Authorization": f"Bearer {who}:{device_token(rt, 'agency', who)}"}
    return {}


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# (id, path, who, content type, the route's limit)
ROUTES = [
    ("sign-in-api", "/api/v1/sessions", "nobody", JSON, MAX_SIGN_IN_BODY),
    ("sign-in-form", "/login", "nobody", FORM, MAX_SIGN_IN_BODY),
    ("json-api-switch", "/api/v1/switch", "duty", JSON, MAX_JSON_BODY),
    ("json-api-focus", "/api/v1/focus", "duty", JSON, MAX_JSON_BODY),
    ("sdp-whip", "/whip/hue", "hue", "application/sdp", MAX_SDP_BODY),
    ("observations", "/api/v1/observations", "bo_y_te", "text/csv", MAX_OBSERVATIONS_BODY),
    ("incidents", "/api/v1/incidents", "trung_tam_tkcn", JSON, MAX_INCIDENTS_BODY),
]


@pytest.mark.parametrize(
    ("path", "who", "ctype", "limit"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES]
)
async def test_bad_input_a_declared_length_over_the_limit_is_413_before_the_body(
    rt: WallRuntime, duty: dict[str, str], path: str, who: str, ctype: str, limit: int
) -> None:
    """Issue 10: a body over the route's limit was buffered whole before the refusal. Now
    the headers alone get the 413 (no ``100 Continue``); one byte less is welcome."""
    headers = {**credentials(rt, duty, who), "Content-Type": ctype, "Expect": "100-continue"}
    reader, writer = await send_head(
        rt.port, "POST", path, {**headers, "Content-Length": str(limit + 1)}
    )
    try:
        status, answer_headers, body = await read_answer(reader)
    finally:
        await close(writer)
    assert status == 413, body
    assert answer_headers["content-type"].startswith("application/json")
    error = envelope(body)
    assert error["code"] == "body_too_large"
    assert f"{limit} bytes" in error["message"] and path in error["message"]
    assert error["details"] == [{"limit": limit, "route": path}]
    # At the limit exactly the server asks for the body: the bound is the route's, no lower.
    reader, writer = await send_head(
        rt.port, "POST", path, {**headers, "Content-Length": str(limit)}
    )
    try:
        status, _, _ = await read_answer(reader)
    finally:
        await close(writer)
    assert status == 100


# (id, path, content type)
NEEDS_CREDENTIALS = [
    ("json-api-switch", "/api/v1/switch", JSON),
    ("sdp-whip", "/whip/hue", "application/sdp"),
    ("sdp-whep", "/whep/program", "application/sdp"),
    ("video-action", "/api/v1/video/program", JSON),
    ("observations", "/api/v1/observations", "text/csv"),
    ("incidents", "/api/v1/incidents", JSON),
]


@pytest.mark.parametrize(
    ("path", "ctype"), [r[1:] for r in NEEDS_CREDENTIALS], ids=[r[0] for r in NEEDS_CREDENTIALS]
)
async def test_bad_input_no_credentials_is_401_before_the_body(
    rt: WallRuntime, path: str, ctype: str
) -> None:
    """Issue 10: a stranger's body was read before anyone asked who sent it. Now a body
    within the limit but without credentials is refused from the headers: no ``100``."""
    headers = {"Content-Type": ctype, "Expect": "100-continue", "Content-Length": "60000"}
    reader, writer = await send_head(rt.port, "POST", path, headers)
    try:
        status, _, body = await read_answer(reader)
    finally:
        await close(writer)
    assert status == 401, body
    assert envelope(body)["code"] == "unauthenticated"


def post_until_answered(
    port: int, path: str, headers: dict[str, str], total: int, chunked: bool = False
) -> tuple[int, bytes, int]:
    """A client that sends its whole body unless an answer comes first (in a thread: plain
    blocking socket). Returns (status, body, bytes of body sent). A server that refuses
    closes at once; the kernel still hands over the answer it received before the reset."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    piece = b"x" * (64 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        with contextlib.suppress(ConnectionError):
            while sent < total and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked and sent >= total:
                sock.sendall(b"0\r\n\r\n")
        data = b""
        with contextlib.suppress(ConnectionError):
            while b"\r\n\r\n" not in data or len(data) < _answer_size(data):
                got = sock.recv(65536)
                if not got:
                    break
                data += got
    head, _, body = data.partition(b"\r\n\r\n")
    assert head, f"no answer at all after {sent} bytes of body"
    return int(head.split()[1]), body, sent


def _answer_size(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.decode("latin-1").split("\r\n"):
        if line.lower().startswith("content-length:"):
            return len(head) + 4 + int(line.split(":")[1])
    return len(data)


@pytest.mark.parametrize(
    ("path", "who", "limit"),
    [("/api/v1/sessions", "nobody", MAX_SIGN_IN_BODY), ("/api/v1/switch", "duty", MAX_JSON_BODY)],
    ids=["sign-in", "json-api"],
)
async def test_bad_input_a_chunked_body_is_cut_at_the_limit(
    rt: WallRuntime, duty: dict[str, str], path: str, who: str, limit: int
) -> None:
    """Issue 10: a body without a length was read to its end (up to 100 MB). Now nothing
    past the route's limit is kept, and a body that goes on past ``DRAIN_LIMIT`` is cut
    there, with the same 413."""
    headers = {**credentials(rt, duty, who), "Content-Type": JSON, "Transfer-Encoding": "chunked"}
    status, body, sent = await asyncio.to_thread(
        post_until_answered, rt.port, path, headers, 4 * DRAIN_LIMIT, True
    )
    assert sent < 4 * DRAIN_LIMIT, "the server read the whole endless body"
    assert status == 413, body
    assert envelope(body)["details"] == [{"limit": limit, "route": path}]


# (id, path, who, content type, body): refused, each sent whole by a client that reads
# only afterwards (as most HTTP libraries do)
BLIND = [
    ("sign-in-1-mb", "/api/v1/sessions", "nobody", JSON, b"x" * MB),
    ("csv-without-credentials", "/api/v1/observations", "nobody", "text/csv", b"a,b\n" * 50_000),
    ("switch-100-kb", "/api/v1/switch", "duty", JSON, b" " * 100_000),
]


@pytest.mark.parametrize(
    ("path", "who", "ctype", "body"), [r[1:] for r in BLIND], ids=[r[0] for r in BLIND]
)
async def test_bad_input_a_client_sending_blindly_still_reads_its_refusal(
    rt: WallRuntime, duty: dict[str, str], path: str, who: str, ctype: str, body: bytes
) -> None:
    """A refusal decided from the headers reaches a client that sends its whole body before
    reading (no connection reset under it): the body is read and dropped, never kept."""
    headers = {**credentials(rt, duty, who), "Content-Type": ctype}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c:
        r = await c.post(path, content=body, headers=headers)
    assert r.status_code in (401, 413), r.text
    assert r.json()["error"]["code"] in ("unauthenticated", "body_too_large")


async def test_a_10000_row_csv_is_still_accepted(rt: WallRuntime) -> None:
    """The observations limit is what the largest batch needs: 10,000 rows with notes."""
    areas = sorted(codes(CodeList.OLD_63))[:40]
    lines = ["indicator,area_code,code_list,period,value,revision,note"]
    lines += [
        f"public_investment_disbursement,{area},gso-63,{1990 + i // 12}-{i % 12 + 1:02d},"
        f"{(i % 100) + 0.5},0,Ghi chú kiểm tra số {i} của tỉnh {area} – đã đối chiếu"
        for area in areas
        for i in range(250)
    ]
    body = ("\n".join(lines) + "\n").encode()
    auth = {"Authorization": f"Bearer bo_tai_chinh:{device_token(rt, 'agency', 'bo_tai_chinh')}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}", timeout=120) as c:
        r = await c.post(
            "/api/v1/observations", content=body, headers={**auth, "Content-Type": "text/csv"}
        )
    assert r.status_code == 201, r.text[:500]
    assert r.json()["rows"] == 10_000


# ---- memory: a separate server process, so its peak is its own -------------------------------


def peak_rss_kb(pid: int) -> int:
    """The process's peak resident size (VmHWM): a body buffered and freed still shows."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def wall_process(tmp_path_factory: pytest.TempPathFactory) -> Any:
    wall = WallProcess(tmp_path_factory.mktemp("limits-process")).start()
    try:
        yield wall
    finally:
        wall.stop()


async def test_bad_input_40_mb_to_sign_in_does_not_grow_the_server(
    wall_process: WallProcess,
) -> None:
    """Issue 10: 40 MB sent to ``/api/v1/sessions`` without credentials grew the server by
    80 MB before its 400. The client sends its body until the server answers; the server's
    peak memory must not grow by anything near the body's size."""
    assert wall_process.proc is not None
    pid, size = wall_process.proc.pid, 40 * MB
    async with httpx.AsyncClient(base_url=wall_process.url) as c:  # warm the route up
        assert (
            await c.post("/api/v1/sessions", json={"username": "x", "password": "y"})
        ).status_code == 401
    before = peak_rss_kb(pid)
    headers = {"Content-Type": JSON, "Content-Length": str(size)}
    status, body, sent = await asyncio.to_thread(
        post_until_answered, wall_process.port, "/api/v1/sessions", headers, size
    )
    grown_mb = (peak_rss_kb(pid) - before) / 1024
    print(f"sent {sent / MB:.1f} MB of 40; answer {status}; server peak grew {grown_mb:.1f} MB")
    assert status in (401, 413), body
    assert grown_mb < size / MB / 8, f"server grew {grown_mb:.1f} MB on a refused 40 MB body"
