"""JSON a client sent: one parser, so every route refuses broken or hostile JSON the same way
(a 400 naming the problem, never a RecursionError), and big bodies are parsed off the event
loop that serves every screen."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from command_center.errors import RequestError

# Bodies up to this size parse on the loop (well under a millisecond); larger ones in a thread.
ON_LOOP_BYTES = 64 * 1024


def parse_json(raw: bytes | str, what: str = "body") -> Any:
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestError(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise RequestError(
            f"{what} is JSON nested too deeply (Python's limit, about 1,000 levels)",
            [{"field": what, "expected": "JSON nested a few levels", "got": "deeper"}],
        ) from None


async def parse_json_off_loop(raw: bytes, what: str = "body") -> Any:
    if len(raw) <= ON_LOOP_BYTES:
        return parse_json(raw, what)
    return await asyncio.to_thread(parse_json, raw, what)
