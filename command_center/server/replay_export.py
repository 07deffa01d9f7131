"""A span of the wall's history as one self-contained HTML file: the replay page with every
script, stylesheet, boundary layer and the span's data inlined, so it plays from disk with
no server (``file://``), with the same timeline. BokehJS is inlined too (1.3 MB): the trend
tiles' figures travel in their data, and a briefing wants its charts.

The wall's scripts are ES modules that import each other by relative path. In the file each
module becomes a ``data:`` URL named by a bare specifier (``cc/wall/screen.js``) in an import
map; relative specifiers and ``new URL('./x.css', import.meta.url)`` are rewritten to those
names and to ``data:`` URLs. The bundle is built once per process, off the event loop.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
from functools import cache
from pathlib import Path
from typing import Any

from bokeh.util.paths import bokehjs_path

ASSETS = Path(__file__).resolve().parents[1] / "assets"
ENTRY = "replay/replay.js"
MAX_SPAN_MS = 2 * 3600 * 1000  # a briefing's span; the events API allows 6 h

_MODULE_PATH = re.compile(r"""(['"])(\.{1,2}/[^'"\s]+\.js)\1""")
_ASSET_URL = re.compile(r"""new URL\((['"])([^'"]+)\1,\s*import\.meta\.url\)""")
_MIME = {".css": "text/css", ".geojson": "application/geo+json", ".json": "application/json"}


def _data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _rewrite(name: str, text: str, found: list[str]) -> str:
    """One module's text with its imports named for the import map."""
    here = posixpath.dirname(name)

    def module(m: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(here, m.group(2)))
        found.append(target)
        return f"{m.group(1)}cc/{target}{m.group(1)}"

    def asset(m: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(here, m.group(2)))
        path = ASSETS / target
        mime = _MIME.get(path.suffix, "application/octet-stream")
        return f"new URL('{_data_url(mime, path.read_bytes())}')"

    return _MODULE_PATH.sub(module, _ASSET_URL.sub(asset, text))


@cache
def import_map() -> str:
    """Every module the replay page reaches, as ``data:`` URLs under bare names."""
    modules: dict[str, str] = {}
    todo = [ENTRY]
    while todo:
        name = todo.pop()
        if name in modules:
            continue
        found: list[str] = []
        text = _rewrite(name, (ASSETS / name).read_text(encoding="utf-8"), found)
        modules[name] = _data_url("text/javascript", text.encode())
        todo.extend(found)
    entries = {f"cc/{name}": url for name, url in sorted(modules.items())}
    return json.dumps({"imports": entries})


@cache
def bokehjs() -> str:
    """BokehJS as the text of a classic ``<script>``: the HTML parser ends a script at
    ``</script`` and changes state at ``<!--``, so both are written as JS escapes (the
    build has neither today; this keeps it true)."""
    text = (bokehjs_path() / "js" / "bokeh.min.js").read_text(encoding="utf-8")
    return re.sub(r"<(?=/script|!--)", r"\\x3c", text, flags=re.IGNORECASE)


@cache
def stylesheet() -> str:
    return (ASSETS / "replay" / "replay.css").read_text(encoding="utf-8")


def _script_json(payload: Any) -> str:
    # "</" cannot end the script element early inside JSON written this way.
    return json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")


def export_html(config: dict[str, Any], title_time: str) -> str:
    """The file: ``config`` is the replay page's, with ``data`` = {from, to, state, events,
    marks} (what ``assets/replay/source.js`` ``inlineSource`` reads)."""
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Phát lại tường màn hình {title_time} · Wall replay</title>
<style>{stylesheet()}</style>
<script>{bokehjs()}</script>
<script type="importmap">{import_map()}</script></head>
<body class="replay replay-export">
<div class="replay-badge" role="status"><b>PHÁT LẠI · REPLAY</b> <time class="replay-time">{title_time}</time></div>
<main class="replay-main">
<div class="replay-wall" aria-label="Tường màn hình lúc đó · The wall at that moment"></div>
<aside class="replay-recordings" hidden></aside>
</main>
<nav class="replay-timeline" aria-label="Dòng thời gian · Timeline"></nav>
<script type="application/json" id="replay-config">{_script_json(config)}</script>
<script type="module">import "cc/{ENTRY}";</script>
</body></html>"""
