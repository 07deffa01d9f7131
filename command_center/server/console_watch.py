"""The console's server watchdog (``assets/console/failover.js``): with several wall servers
(``--server``), a console whose Bokeh session loses its socket opens itself on the next
live server."""

from __future__ import annotations

import param
from panel.custom import JSComponent


class ServerWatch(JSComponent):
    """Invisible until its server is lost; then a one-line bilingual notice."""

    servers = param.List(default=[], item_type=str, doc="Every wall server's URL (--server)")

    _esm = """
export function render({ model, el }) {
  const notice = document.createElement("div");
  notice.className = "server-watch";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  notice.style.cssText = "padding:0.5em 1em;background:#8a1c1c;color:#fff;font-weight:600;";
  el.append(notice);
  let stop = null;
  import(new URL("/assets/console/failover.js", location.href).href).then((m) => {
    stop = m.watchSession(model.servers, notice);
  });
  model.on("remove", () => { if (stop) stop(); });
}
"""
