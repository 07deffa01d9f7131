"""Every tile kind the server accepts has a JavaScript renderer, and every renderer a kind.

The Python side is the composition root's registry (what a layout may name); the browser
side is ``TILE_MODULES`` in ``assets/wall/tiles.js``, the table the screen loads its tile
modules from. A kind on one side only is a layout that validates but draws "unsupported",
or a renderer no layout can reach.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_center.server.composition import build_registry

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "wall"
TILES_JS = ASSETS / "tiles.js"


def _js_modules() -> dict[str, str]:
    """kind → module path, read from the ``TILE_MODULES`` object literal."""
    source = TILES_JS.read_text(encoding="utf-8")
    block = re.search(r"TILE_MODULES\s*=\s*Object\.freeze\(\{(.*?)\}\)", source, re.S)
    assert block, f"no TILE_MODULES = Object.freeze({{…}}) in {TILES_JS}"
    entries = re.findall(r"""^\s*'?([\w-]+)'?\s*:\s*'([^']+)'\s*,?\s*$""", block.group(1), re.M)
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(entries) == len(lines), f"unreadable TILE_MODULES entries in {TILES_JS}"
    return dict(entries)


JS_MODULES = _js_modules()


def test_python_kinds_and_js_renderers_match() -> None:
    python_kinds = set(build_registry().names())
    js_kinds = set(JS_MODULES)
    assert python_kinds - js_kinds == set(), "kinds without a JS renderer (assets/wall/tiles.js)"
    assert js_kinds - python_kinds == set(), "JS renderers without a kind in the Python registry"


@pytest.mark.parametrize("kind", sorted(JS_MODULES))
def test_each_module_registers_its_kind(kind: str) -> None:
    module = (TILES_JS.parent / JS_MODULES[kind]).resolve()
    assert module.is_file(), f"{kind}: {JS_MODULES[kind]} does not exist"
    registered = re.findall(r"""registerTile\(\s*'([\w-]+)'""", module.read_text(encoding="utf-8"))
    assert registered == [kind], f"{module.name} registers {registered}, expected ['{kind}']"
