"""Panel components that mount the browser's screen renderer (``assets/wall/screen.js``).

One lean model per screen: the Bokeh document holds only the screen id and its token.
Tile state lives in the page and arrives over the screen's own WebSocket, which — unlike
a Bokeh session — reconnects by itself after a server restart, with no page reload.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

from command_center.server.page_actions import SEND_JS, ActionSource

_MOUNT = """
const ws = () => `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws/screen`;
const load = () => import(new URL("/assets/wall/screen.js", location.href).href);
// The screen's own modules did not load (a broken or missing file, the server gone while
// loading): a red band says so where the screen would be, never a blank kiosk.
const loadFailed = (el, err, retryS) => {
  console.error("wall: the screen could not load", err);
  const band = document.createElement("div");
  band.className = "wall-load-error";
  band.setAttribute("role", "alert");
  band.style.cssText = "padding:0.6em 1em;background:#b00020;color:#fff;font:600 4.5vh/1.3 sans-serif;";
  const retry = retryS ? ` — thử lại sau ${retryS} giây · retrying in ${retryS} s` : "";
  band.textContent = `LỖI TẢI MÀN HÌNH · Screen failed to load${retry}: ${err?.message ?? err}`;
  el.append(band);
};
"""


class ScreenView(JSComponent):
    """A whole wall screen (kiosk page). Its scripts hold a short-lived pass, renewed from
    ``credential_url`` with the page's HttpOnly cookie; the screen's token stays there."""

    screen_id = param.String(doc="Screen id from the wall spec")
    token = param.String(doc="A short-lived pass of the screen (device_cookie.device_pass)")
    credential_url = param.String(doc="Where the page fetches its next pass")
    credential_ttl_s = param.Number(default=600.0)
    servers = param.List(
        default=[], item_type=str, doc="Every wall server's URL, in failover order (--server)"
    )

    _esm = (
        _MOUNT
        + """
const passes = () => import(new URL("/assets/video/credential.js", location.href).href);
const RELOAD_AFTER_S = 30;

export function render({ model, el }) {
  let handle = null;
  let pass = null;
  Promise.all([load(), passes()]).then(([m, c]) => {
    // With several servers the link picks the server; the pass is renewed from the one in
    // use (the kiosk's cookie goes along on the same host: cookies ignore the port).
    const servers = model.servers.length > 1 ? model.servers : null;
    const renewFrom = () => new URL(model.credential_url, handle?.server() ?? location.origin).href;
    pass = new c.DevicePass(renewFrom, model.token, model.credential_ttl_s);
    handle = m.mountScreen(el, {
      screenId: model.screen_id, token: pass.value, wsUrl: servers ? "/ws/screen" : ws(), servers,
    });
    pass.listen((value) => handle.setToken(value));
  }).catch((err) => {
    // A kiosk has no one at its keyboard: it loads the page again (the module graph, cached
    // broken, would not load again in this page).
    loadFailed(el, err, RELOAD_AFTER_S);
    setTimeout(() => location.reload(), RELOAD_AFTER_S * 1000);
  });
  model.on("remove", () => { if (handle) handle.close(); if (pass) pass.close(); });
}
"""
    )


class WallPreview(ActionSource):
    """The console's live miniature: every screen at its place on the wall, bezels drawn.
    A click on a map province asks the console to focus it (when ``may_focus``)."""

    screens = param.List(doc="[{id, x, y, w, h}] viewports in wall pixels")
    wall_width = param.Number()
    wall_height = param.Number()
    token = param.String(doc="A short-lived view-only token, renewed by the console")
    may_focus = param.Boolean(default=False, doc="Duty officer or admin: map clicks focus")

    _esm = (
        _MOUNT
        + SEND_JS
        + """
export function render({ model, el }) {
  const send = channel(model);
  const onFocus = model.may_focus ? (province) => send({ action: "focus", province }) : null;
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
      handles.push(m.mountScreen(inner, { screenId: s.id, token: model.token, wsUrl: ws(), preview: true, onFocus }));
    }
  }).catch((err) => loadFailed(frame, err, 0));
  model.on("token", () => handles.forEach((h) => h.setToken(model.token)));
  model.on("remove", () => handles.forEach((h) => h.close()));
}
"""
    )
