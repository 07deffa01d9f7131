"""The exported replay's bundle: every module the replay page reaches, named in the import
map, with no relative import left (a data: module cannot resolve one) and every static file
it loads inlined; and the picture renderer's bounds that need no browser."""

from __future__ import annotations

import base64
import json
import re

import pytest

from command_center.auth import Principal, Role
from command_center.server.replay_export import ENTRY, bokehjs, export_html, import_map
from command_center.server.replay_picture import (
    PictureRenderer,
    RendererUnavailable,
    picture_size,
)

SPECIFIER = re.compile(r"""(?:from\s+|import\s*\(\s*|import\s+)(['"])([^'"]+)\1""")


def modules() -> dict[str, str]:
    entries = json.loads(import_map())["imports"]
    prefix = "data:text/javascript;base64,"
    return {name: base64.b64decode(url[len(prefix) :]).decode() for name, url in entries.items()}


def test_every_import_names_a_module_of_the_map() -> None:
    found = modules()
    assert f"cc/{ENTRY}" in found and "cc/wall/screen.js" in found
    assert "cc/wall/tiles/map.js" in found  # the tiles' dynamic imports are followed too
    for name, text in found.items():
        for _, spec in SPECIFIER.findall(text):
            assert spec in found, f"{name} imports {spec}, which the map does not hold"
        beside = re.search(r"new URL\(\s*['\"][^)]*import\.meta\.url\)", text)
        assert beside is None, f"{name} still loads a file beside itself: {beside}"


def test_static_files_are_inlined() -> None:
    screen = modules()["cc/wall/screen.js"]
    assert "new URL('data:text/css;base64," in screen
    geo = modules()["cc/wall/tiles/map-geo.js"]
    assert geo.count("data:application/geo+json;base64,") == 3


def test_the_file_carries_its_config_safely() -> None:
    page = export_html({"data": {"note": "</script><b>x"}}, "04/12/2026 14:05:00")
    assert "</script><b>x" not in page
    assert "PHÁT LẠI · REPLAY" in page and '<script type="importmap">' in page


def test_bokehjs_travels_in_a_script_the_parser_cannot_end_early() -> None:
    page = export_html({"data": {}}, "04/12/2026 14:05:00")
    script = bokehjs()
    assert len(script) > 1_000_000 and "Bokeh" in script
    assert f"<script>{script}</script>" in page
    assert "</script" not in script.lower() and "<!--" not in script


def test_picture_size_keeps_the_proportions_within_1920() -> None:
    assert picture_size(3840 + 40, 2160 + 20) == (1920, 1079)
    assert picture_size(1920, 1080) == (1920, 1080)
    assert picture_size(1080, 1920) == (1080, 1920)
    assert picture_size(640, 360) == (640, 360)


async def test_no_chromium_is_said_before_anything_is_started() -> None:
    renderer = PictureRenderer("http://127.0.0.1:1", sessions=None, executable="/no/chromium")  # type: ignore[arg-type]
    with pytest.raises(RendererUnavailable) as caught:
        await renderer.render(Principal("a", Role.VIEWER), "/replay", (10, 10))
    assert caught.value.status == 503 and caught.value.code == "renderer_unavailable"
