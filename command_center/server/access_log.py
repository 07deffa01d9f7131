"""Tokens never reach the logs.

Kiosk and bridge-point URLs carry their credential in the query (``?token=…``) on the
first visit; Tornado's access log writes every request line, and Bokeh and Tornado log
URLs on errors. ``log_request`` is the access log (Tornado's format, the query's token
masked), and ``TokenMaskFilter`` masks ``token=`` values in any record a handler writes,
whatever logger made it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from tornado.web import RequestHandler

access_log = logging.getLogger("tornado.access")

# token=… (any parameter whose name ends in "token", also URL-encoded in a logged URL)
# up to the next separator.
_TOKEN = re.compile(r"(?i)([?&;\s\"']?[\w-]*token(?:=|%3D))[^&;\s\"'#]*")


def mask_tokens(text: str) -> str:
    """``text`` with every ``…token=VALUE`` turned into ``…token=***``."""
    return _TOKEN.sub(r"\1***", text)


def log_request(handler: RequestHandler) -> None:
    """Tornado's access log line (``Application.log_request``), the token masked."""
    status = handler.get_status()
    if status < 400:
        log = access_log.info
    elif status < 500:
        log = access_log.warning
    else:
        log = access_log.error
    request = handler.request
    elapsed_ms = 1000.0 * request.request_time()
    log(
        "%d %s %s (%s) %.2fms",
        status,
        request.method,
        mask_tokens(request.uri or ""),
        request.remote_ip,
        elapsed_ms,
    )


class TokenMaskFilter(logging.Filter):
    """Masks tokens in a record's final message (attach it to the handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_token_masking(handlers: list[Any] | None = None) -> None:
    """Attach ``TokenMaskFilter`` to ``handlers`` (default: the root logger's)."""
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        if not any(isinstance(f, TokenMaskFilter) for f in handler.filters):
            handler.addFilter(TokenMaskFilter())
