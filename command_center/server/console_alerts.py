"""The console's alert desk: a Panel component that mounts ``assets/console/alerts.js`` and
is fed the alerts at each console refresh (``alerts_api.alerts_listed`` and the lock); its
buttons send actions through the console's guard like every other page action."""

from __future__ import annotations

import param

from command_center.auth import Principal
from command_center.errors import RequestError
from command_center.server.alerts import WallAlerts
from command_center.server.alerts_api import alerts_listed
from command_center.server.console_guard import AckAlertAction, LockAction, SnoozeAlertAction
from command_center.server.i18n import Lang
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

    async def feed(self, alerts: WallAlerts | None) -> None:
        """The alerts and the lock as the store has them now (each console refresh); each
        alert says whether its rule rings the chime."""
        if alerts is None:
            return
        listed = alerts_listed(await alerts.records())
        for item in listed:
            rule = alerts.rules.get(item["rule"])
            item["chime"] = bool(rule is not None and rule.do.chime)
        locked = await alerts.locked_by()
        if listed != self.alerts or locked != self.locked:
            self.param.update(alerts=listed, locked=locked)


async def alert_verb(
    alerts: WallAlerts | None,
    action: AckAlertAction | SnoozeAlertAction | LockAction,
    who: Principal,
    lang: Lang,
) -> str:
    """Acknowledge, snooze, lock or unlock for a principal the guard has just authorised;
    the sentence the officer reads."""
    if alerts is None:
        raise RequestError("this server evaluates no alert rules")
    i = 0 if lang == "vi" else 1
    if isinstance(action, AckAlertAction):
        await alerts.acknowledge(action.alert, who)
        return ("Đã xác nhận cảnh báo", "Alert acknowledged")[i]
    if isinstance(action, SnoozeAlertAction):
        await alerts.snooze(action.alert, action.seconds, who)
        return ("Đã tạm hoãn cảnh báo", "Alert snoozed")[i]
    if action.locked:
        await alerts.lock(who)
        return ("Đã khóa tường: không quy tắc nào tự chuyển", "Wall locked: no rule switches it")[i]
    await alerts.unlock(who)
    return ("Đã mở khóa tường", "Wall unlocked")[i]
