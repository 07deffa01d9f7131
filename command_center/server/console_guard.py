"""Authorise every console action where it runs, not where its button is drawn.

A console is a long-lived Bokeh session: whatever the page shows, its callbacks can be
fired by anyone holding the page (the browser's developer tools reach ``Bokeh.documents``).
So each action arrives here as a typed message, and at the moment it runs the guard

    1. re-reads the session behind the page (ended, expired, user changed: refused),
    2. checks the role's permission against that fresh principal,
    3. audits a refusal (``detail.refused`` says why) and hands the console a message to show.

Only then does the action run. The console also calls ``check()`` periodically and closes
itself when the session has ended (``console.SESSION_WATCH_MS``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from command_center.audit import audit
from command_center.auth import Permission, Principal, authorize
from command_center.errors import AuthError, WallError
from command_center.store import Store

# The principal behind the page right now; AuthError once the session has ended.
SessionCheck = Callable[[], Awaitable[Principal]]


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SwitchAction(_Action):
    """Show a preset on the whole wall."""

    action: Literal["switch"]
    preset: str


class FocusAction(_Action):
    """Point the maps at a province of the 34-unit list (None: the whole country)."""

    action: Literal["focus"]
    province: str | None


class MuteAction(_Action):
    action: Literal["mute"]
    point: str
    muted: bool


class EndAction(_Action):
    """End a bridge point's call."""

    action: Literal["end"]
    point: str


class ProgramAction(_Action):
    """What the bridge points see: the room or one point."""

    action: Literal["program"]
    source: str


class PinAction(_Action):
    """Show ``source`` in the wall's video tile ``tile`` (None: the tile's own source)."""

    action: Literal["pin"]
    tile: str
    source: str | None


class RecordAction(_Action):
    """Start (``on``) or stop recording a bridge point's call (video/recordings.py)."""

    action: Literal["record"]
    point: str
    on: bool


class AckAlertAction(_Action):
    """Acknowledge an alert a rule raised."""

    action: Literal["ack_alert"]
    alert: str = Field(max_length=200)


class SnoozeAlertAction(_Action):
    action: Literal["snooze_alert"]
    alert: str = Field(max_length=200)
    seconds: int = Field(ge=60, le=4 * 3600)


class LockAction(_Action):
    """Lock the wall (no rule switches it) or unlock it."""

    action: Literal["lock"]
    locked: bool


class AnnounceAction(_Action):
    """Put an announcement on the wall (checked as the API checks its body)."""

    action: Literal["announce"]
    text_vi: str
    text_en: str
    severity: str
    expires_in_s: float | None
    zone: str | None


class WithdrawAction(_Action):
    """Take an announcement down."""

    action: Literal["withdraw_announcement"]
    id: str


ConsoleAction = Annotated[
    SwitchAction
    | FocusAction
    | MuteAction
    | EndAction
    | ProgramAction
    | PinAction
    | RecordAction
    | AckAlertAction
    | SnoozeAlertAction
    | LockAction
    | AnnounceAction
    | WithdrawAction,
    Field(discriminator="action"),
]
CONSOLE_ACTION: TypeAdapter[ConsoleAction] = TypeAdapter(ConsoleAction)

# The audit row's action for each message (the same names the JSON routes write).
AUDIT_NAMES = {
    "switch": "switch_layout",
    "focus": "focus_map",
    "mute": "video_mute",
    "end": "video_end",
    "program": "video_program",
    "pin": "video_pin",
    "record": "recording_start_or_stop",
    "ack_alert": "alert_acknowledged",
    "snooze_alert": "alert_snoozed",
    "lock": "wall_locked",
    "announce": "announce",
    "withdraw_announcement": "withdraw_announcement",
}
# Every console action changes the wall or a call: duty officers and admins only.
ACTION_PERMISSION = Permission.SWITCH_LAYOUT
MAX_TARGET = 80
# A page that keeps firing refused actions must not fill the audit log: after this many
# rows from one console, one more says so and the rest are refused unrecorded.
MAX_AUDITED_REFUSALS = 20


@dataclass(frozen=True)
class Outcome:
    """What became of one action; ``message`` is for the console to show."""

    ok: bool
    message: str
    refused: bool = False


Perform = Callable[[ConsoleAction, Principal], Awaitable[str]]


class ConsoleGuard:
    """One console session's gate: every action passes ``run`` (one guard per console)."""

    def __init__(
        self,
        store: Store,
        check: SessionCheck,
        seen_as: Principal,
        watch: SessionCheck | None = None,
    ) -> None:
        self._store = store
        self._check = check
        # The periodic look at the session (one that does not count as a use), if different.
        self._watch = watch or check
        # Who the page was opened as: the actor of a refusal once the session is gone.
        self.seen_as = seen_as
        self.refusals = 0

    async def watch(self) -> Principal:
        """The principal now, without using the session (AuthError once it has ended)."""
        return await self._watch()

    async def run(self, raw: object, perform: Perform) -> Outcome:
        """Authorise, then parse and perform ``raw`` (a message from the page)."""
        name, target = _describe(raw)
        try:
            who = await self._check()
        except AuthError as exc:
            await self._refused(self.seen_as, name, target, f"session: {exc.message}")
            return Outcome(False, exc.message, refused=True)
        try:
            authorize(who, ACTION_PERMISSION)
        except AuthError as exc:  # ForbiddenError is one
            await self._refused(who, name, target, exc.message)
            return Outcome(False, exc.message, refused=True)
        try:
            action = CONSOLE_ACTION.validate_python(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "message"
            return Outcome(False, f"malformed console action ({where}: {first['msg']})")
        try:
            return Outcome(True, await perform(action, who))
        except WallError as exc:
            return Outcome(False, exc.message)

    async def _refused(self, who: Principal, name: str, target: str, reason: str) -> None:
        self.refusals += 1
        if self.refusals > MAX_AUDITED_REFUSALS:
            if self.refusals == MAX_AUDITED_REFUSALS + 1:
                note = f"more than {MAX_AUDITED_REFUSALS} refused actions from one console"
                await audit(
                    self._store, who, "console_refusals_capped", "console", {"refused": note}
                )
            return
        await audit(
            self._store,
            who,
            AUDIT_NAMES.get(name, "console_action"),
            target,
            {"refused": reason, "via": "console", "requested": name},
        )


def _describe(raw: object) -> tuple[str, str]:
    """The action's name and target as far as an unparsed message tells (for a refusal)."""
    if not isinstance(raw, dict):
        return "unknown", ""
    name = raw.get("action")
    name = name[:MAX_TARGET] if isinstance(name, str) else "unknown"
    for key in ("preset", "province", "point", "tile", "source", "alert", "id", "text_vi"):
        value = raw.get(key)
        if isinstance(value, str):
            return name, value[:MAX_TARGET]
    return name, "VN" if name == "focus" else ""
