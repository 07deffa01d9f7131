"""The OpenAPI document against the routes the server really serves: the same set, the same
methods, templates that name the URLs their patterns match, and an answer on each."""

from __future__ import annotations

import json
import re

import httpx
from tornado.web import RequestHandler

from command_center.server.openapi import ROUTE_DOCS, served_routes
from command_center.server.runtime import WallRuntime


def _methods(handler: type[RequestHandler]) -> set[str]:
    return {
        m.lower()
        for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if getattr(handler, m.lower()) is not getattr(RequestHandler, m.lower())
    }


async def test_openapi_describes_exactly_the_routes_served(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    served = served_routes()
    assert {pattern for pattern, _ in served} == set(ROUTE_DOCS)
    for pattern, handler in served:
        template, _ = ROUTE_DOCS[pattern]
        assert set(document["paths"][template]) == _methods(handler), pattern
        # The template names the same URL the pattern matches.
        example = re.sub(r"\{[a-z_]+\}", "0a1b", template)
        assert re.fullmatch(pattern, example), (pattern, template)
    assert set(document["paths"]) == {template for template, _ in ROUTE_DOCS.values()}
    for pattern, _ in served:  # and the server really answers on each
        path = re.sub(r"\(.*?\)", "0a1b", pattern)
        r = await client.get(path)
        assert r.json().get("error", {}).get("code") != "not_found" or "switches" in path, path
    json.dumps(document)
