"""schemathesis against the OpenAPI document the wall serves (``GET /api/v1/openapi.json``),
every operation, as every kind of caller: nobody, a viewer, a duty officer, an admin (console
sessions), two reporting agencies (``Bearer <agency>:<token>``), a bridge point and a screen
(their video credentials). On a real wall on 127.0.0.1.

Every answer: no 5xx; a status, content type, headers and body the document describes; and
every error in the one envelope ``{"error": {"code", "message", "details"}}``. A few examples
per operation and caller in the normal run (``FUZZ_EXAMPLES``, 10), 500 in ``make fuzz``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import checks
from wall_thread import EXAMPLES, LONG, ThreadWall

from command_center.auth import Role
from command_center.server.openapi import openapi_document

pytestmark = pytest.mark.fuzz

# Who calls; each gets fresh credentials per operation (a sign-out ends its session).
ROLES = [
    "anonymous",
    "viewer",
    "duty_officer",
    "admin",
    "agency",
    "sar_centre",
    "bridge_point",
    "screen",
]


@pytest.fixture(scope="module")
def wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadWall]:
    with ThreadWall(Path(tmp_path_factory.mktemp("fuzz-wall"))) as running:
        yield running


# The document as the server builds it; test_the_fuzzed_document_is_the_served_one checks the
# wall serves exactly this. (schemathesis.pytest.from_fixture would load it from the running
# wall, but its lazy loader needs pytest < 9: it reads ``Function._nodeid``.)
CONFIG = schemathesis.Config.from_dict(
    {
        # Coverage (every boundary of every field, deterministically) in the long run; the
        # short one is the schema's examples and random fuzzing, FUZZ_EXAMPLES of them.
        "phases": {"coverage": {"enabled": LONG}},
        "generation": {"max-examples": EXAMPLES, "database": "none"},
    }
)
# SDP offers and trickle fragments are text, sent as generated (text/csv already is).
schemathesis.serializer.alias("application/sdp", "text/plain")
schemathesis.serializer.alias("application/trickle-ice-sdpfrag", "text/plain")
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


def test_the_fuzzed_document_is_the_served_one(wall: ThreadWall) -> None:
    served = requests.get(f"{wall.url}/api/v1/openapi.json", timeout=30)
    assert served.status_code == 200 and served.json() == openapi_document()


def credentials(wall: ThreadWall, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    if role in ("viewer", "duty_officer", "admin"):
        return wall.login(Role(role))
    if role == "agency":
        return {"Authorization": f"Bearer bo_y_te:{wall.device('agency', 'bo_y_te')}"}
    if role == "sar_centre":
        token = wall.device("agency", "trung_tam_tkcn")
        return {"Authorization": f"Bearer trung_tam_tkcn:{token}"}
    if role == "bridge_point":
        return {"Authorization": f"Bearer point:hue:{wall.device('bridge', 'hue')}"}
    screen = wall.rt.wall.screens[0].id
    return {"Authorization": f"Bearer screen:{screen}:{wall.device('screen', screen)}"}


def error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx of the JSON API is the one envelope (command_center/errors.py)."""
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(
            f"{response.status_code} answer is not JSON: {response.content[:200]!r}"
        ) from None
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict) and {"code", "message", "details"} <= set(error), error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], list), error
    return None


CHECKS: list[Callable[..., Any]] = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    error_envelope,
]


class Callers:
    """Each role's headers, signed in once; a sign-out ends the session, so after one the
    role signs in again."""

    def __init__(self, wall: ThreadWall) -> None:
        self.wall = wall
        self.headers = {role: credentials(wall, role) for role in ROLES}

    def renew(self, role: str) -> None:
        if role in ("viewer", "duty_officer", "admin"):
            self.headers[role] = self.wall.session(Role(role))


@pytest.fixture(scope="module")
def callers(wall: ThreadWall) -> Callers:
    return Callers(wall)


SIGN_OUT = ("DELETE", "/api/v1/sessions/current")


@schema.parametrize()
def test_every_operation_as_every_caller(case: Any, wall: ThreadWall, callers: Callers) -> None:
    """The same generated request from each caller in turn."""
    for role in ROLES:
        case.call_and_validate(
            base_url=wall.url, headers=callers.headers[role], checks=CHECKS, timeout=30
        )
        if (case.method.upper(), case.path) == SIGN_OUT:
            callers.renew(role)
