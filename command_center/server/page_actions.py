"""Console actions sent by a page's own scripts, through its Bokeh document.

A component that takes actions (a map click in the wall preview, the video roster's buttons)
sends ``{action, ...}`` with ``send(action)`` (``SEND_JS``); the console's ``sink`` decides
(``console_guard``) and the answer ``{ok, message}`` goes back to the page. The page side is
untrusted: anything can arrive here, from any page holding the document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import panel as pn
from panel.custom import JSComponent

# The console's side of an action a page sends (see ``console_guard``): the answer
# ``{ok, message}`` goes back to the page.
ActionSink = Callable[[object], Awaitable[dict[str, Any]]]

# Page side of that exchange: send({action, ...}) resolves with the console's answer.
SEND_JS = """
const channel = (model) => {
  let seq = 0;
  const waiting = new Map();
  model.on("msg:custom", (msg) => {
    const resolve = waiting.get(msg && msg.reply);
    if (resolve) { waiting.delete(msg.reply); resolve(msg); }
  });
  return (action) => new Promise((resolve) => {
    const id = ++seq;
    waiting.set(id, resolve);
    model.send_msg({ ...action, id });
  });
};
"""


class ActionSource(JSComponent):
    """A component whose page sends console actions; ``sink`` (set by the console) decides:
    whatever arrives is handed to it, and it authorises each action as it runs."""

    sink: ActionSink | None = None

    def _handle_msg(self, data: Any) -> None:
        pn.state.execute(partial(self._answer, data))

    async def _answer(self, data: Any) -> None:
        reply = data.pop("id", None) if isinstance(data, dict) else None
        if self.sink is None:
            answer: dict[str, Any] = {"ok": False, "message": "this page takes no actions"}
        else:
            answer = await self.sink(data)
        self._send_msg({"reply": reply, **answer})
