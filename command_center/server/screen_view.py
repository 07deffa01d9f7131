"""Panel components that mount the browser's screen renderer (``assets/wall/screen.js``).

One lean model per screen: the Bokeh document holds only the screen id and its token.
Tile state lives in the page and arrives over the screen's own WebSocket, which — unlike
a Bokeh session — reconnects by itself after a server restart, with no page reload.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

_MOUNT = """
const ws = () => `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws/screen`;
const load = () => import(new URL("/assets/wall/screen.js", location.href).href);
"""


class ScreenView(JSComponent):
    """A whole wall screen (kiosk page)."""

    screen_id = param.String(doc="Screen id from the wall spec")
    token = param.String(doc="The screen's device token (from the kiosk URL)")

    _esm = (
        _MOUNT
        + """
export function render({ model, el }) {
  let handle = null;
  load().then((m) => {
    handle = m.mountScreen(el, { screenId: model.screen_id, token: model.token, wsUrl: ws() });
  });
  model.on("remove", () => handle && handle.close());
}
"""
    )


class WallPreview(JSComponent):
    """The console's live miniature: every screen at its place on the wall, bezels drawn."""

    screens = param.List(doc="[{id, x, y, w, h}] viewports in wall pixels")
    wall_width = param.Number()
    wall_height = param.Number()
    token = param.String(doc="The console session token; previews may only view")

    _esm = (
        _MOUNT
        + """
export function render({ model, el }) {
  const frame = document.createElement("div");
  frame.className = "wall-preview";
  frame.style.cssText = "position:relative;width:100%;background:#3a3f47;border-radius:4px;";
  frame.style.aspectRatio = `${model.wall_width} / ${model.wall_height}`;
  el.appendChild(frame);
  const handles = [];
  load().then((m) => {
    for (const s of model.screens) {
      const box = document.createElement("div");
      box.dataset.screen = s.id;
      box.style.cssText = "position:absolute;overflow:hidden;background:#000;";
      box.style.left = `${(100 * s.x) / model.wall_width}%`;
      box.style.top = `${(100 * s.y) / model.wall_height}%`;
      box.style.width = `${(100 * s.w) / model.wall_width}%`;
      box.style.height = `${(100 * s.h) / model.wall_height}%`;
      frame.appendChild(box);
      const inner = document.createElement("div");
      inner.style.cssText = "width:100%;height:100%;";
      box.appendChild(inner);
      handles.push(m.mountScreen(inner, { screenId: s.id, token: model.token, wsUrl: ws(), preview: true }));
    }
  });
  model.on("remove", () => handles.forEach((h) => h.close()));
}
"""
    )
