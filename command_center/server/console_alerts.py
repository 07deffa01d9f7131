"""The console's alert desk: a Panel component that mounts ``assets/console/alerts.js`` and
is fed the alerts at each console refresh (``alerts_api.alerts_listed`` and the lock); its
buttons send actions through the console's guard like every other page action."""

from __future__ import annotations

import param

from command_center.server.page_actions import SEND_JS, ActionSource


class AlertDesk(ActionSource):
    alerts = param.List(doc="alerts_api.alerts_listed(...), each with 'chime'")
    locked = param.Dict(default=None, allow_None=True, doc="{by, at} while the wall is locked")
    may_operate = param.Boolean(default=False, doc="Duty officer or admin")
    lang = param.String(default="vi")

    _esm = (
        SEND_JS
        + """
const load = () => import(new URL("/assets/console/alerts.js", location.href).href);

export function render({ model, el }) {
  const send = channel(model);
  let desk = null;
  const state = () => ({ alerts: model.alerts, locked: model.locked, lang: model.lang });
  load().then((m) => {
    desk = m.mountAlerts(el, { send, mayOperate: model.may_operate });
    desk.update(state());
  });
  for (const name of ["alerts", "locked", "lang"]) {
    model.on(name, () => desk && desk.update(state()));
  }
}
"""
    )
