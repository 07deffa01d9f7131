"""Where this server is: its own URL, a free port resolved up front, and the origins its
Bokeh WebSockets accept (every name the machine answers to, and the public URL's)."""

from __future__ import annotations

import contextlib
import socket
from urllib.parse import urlsplit

from command_center.settings import Settings


def own_url(settings: Settings, port: int) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    scheme = "https" if settings.tls_cert else "http"
    return f"{scheme}://{host}:{port}"


def free_port(host: str) -> int:
    # Bokeh checks WebSocket origins against exact ports, so port 0 is resolved up front.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def websocket_origins(settings: Settings, port: int) -> list[str]:
    hosts = {"localhost", "127.0.0.1", settings.host}
    if settings.host in ("0.0.0.0", "::", ""):
        name = socket.gethostname()
        hosts |= {name, socket.getfqdn()}
        with contextlib.suppress(OSError):
            hosts |= set(socket.gethostbyname_ex(name)[2])
    origins = {f"{h}:{port}" for h in hosts if h and h not in ("0.0.0.0", "::")}
    if settings.public_url:
        origins.add(urlsplit(settings.public_url).netloc)
    return sorted(origins)
