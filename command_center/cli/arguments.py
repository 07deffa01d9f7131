"""Every command's flags: the one place they are declared (values are parsed in
``arg_types.py``). The README's command tables list them, and ``tests/unit/test_docs.py``
checks both directions."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from command_center.cli.arg_types import (
    agency_pair,
    ice_server,
    metrics_bind,
    positive,
    redis_url,
    server_url,
    trusted_proxy,
    whole_positive,
)
from feeds.scenarios import SCENARIOS


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=Path("data"), help="embedded store folder")
    p.add_argument(
        "--redis",
        dest="redis_url",
        type=redis_url,
        default=None,
        help="redis://host:port/db or redis+sentinel://host:26379,host2:26379/MASTER/db "
        "(?replicas=N&wait_ms=M: replicas that must hold a write before it is acknowledged)",
    )
    p.add_argument("--wall", dest="wall_file", type=Path, default=None, help="wall spec YAML")
    p.add_argument(
        "--keys-file",
        type=Path,
        default=None,
        help="the key file (default DATA_DIR/keys.json); every process of one wall, "
        "with --redis too, must use the same file",
    )


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="run_wall.py",
        description="Tường màn hình Trung tâm điều hành · Operations-centre video wall",
    )
    sub = ap.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the wall server (the default)")
    for p in (ap, serve):
        p.add_argument("--host", default="127.0.0.1", help="address to bind (0.0.0.0 for a LAN)")
        p.add_argument("--port", type=int, default=5006, help="port (0 picks a free one)")
        p.add_argument("--no-browser", action="store_true", help="do not open the console")
        p.add_argument("--presets", dest="presets_dir", type=Path, default=None)
        p.add_argument(
            "--flush-hz",
            type=float,
            default=30.0,
            help="data messages per screen per second, at most",
        )
        p.add_argument("--switch-lead-ms", type=float, default=250.0)
        p.add_argument("--public-url", default=None, help="URL screens use to reach the server")
        p.add_argument(
            "--no-simulator",
            action="store_true",
            help="no simulated reports (a real centre: only agencies report)",
        )
        p.add_argument(
            "--sim-speed",
            type=float,
            default=1.0,
            help="simulated time runs this many times faster",
        )
        p.add_argument(
            "--alerts",
            dest="alert_rules",
            type=Path,
            default=None,
            help="alert rules file (default: the wall's own, layouts/alerts/<wall id>.yaml)",
        )
        p.add_argument(
            "--scenario",
            default=None,
            choices=sorted(SCENARIOS),
            help="play a scripted situation into the wall (a rehearsal: the search-and-rescue "
            "centre's reports arrive on their own)",
        )
        p.add_argument(
            "--no-alerts",
            action="store_true",
            help="no alert rules: only the duty officer switches the wall",
        )
        p.add_argument(
            "--sim-start",
            type=datetime.fromisoformat,
            default=None,
            help="the simulated calendar starts at this ISO time with its offset, e.g. "
            "2026-11-20T09:00+07:00 (default now): the same dates whatever the day (the wall "
            "audit's pictures rely on it)",
        )
        p.add_argument(
            "--sim-seed",
            type=int,
            default=2020,
            help="the simulator's seed: the same seed gives the same reports for the same "
            "dates (the wall audit's pictures rely on it)",
        )
        p.add_argument(
            "--incident-retention-days",
            type=float,
            default=365.0,
            help="resolved incidents are deleted this many days later (open ones never)",
        )
        p.add_argument(
            "--record-calls",
            action="store_true",
            help="record every bridge call (ĐANG GHI · REC shows on the bridge page and tiles)",
        )
        p.add_argument(
            "--recording-days",
            type=float,
            default=90.0,
            help="recorded calls are deleted this many days after they ended (default 90)",
        )
        p.add_argument(
            "--recording-segment-s",
            type=float,
            default=300.0,
            help="length of one recording file in seconds (a crash loses at most one)",
        )
        p.add_argument(
            "--server",
            dest="servers",
            action="append",
            default=[],
            type=server_url,
            help="every wall server's URL, this one included, in the order screens, consoles and "
            "bridge points fail over to them (repeatable; default: this server only)",
        )
        p.add_argument(
            "--ice-address",
            dest="ice_addresses",
            action="append",
            default=[],
            help="the video relay gathers ICE candidates on this address only (repeatable; "
            "default: every interface but loopback)",
        )
        p.add_argument(
            "--metrics-bind",
            default=None,
            type=metrics_bind,
            help="serve Prometheus /metrics on this HOST:PORT only (the management network); "
            "default off",
        )
        p.add_argument(
            "--ice-server",
            dest="ice_servers",
            action="append",
            default=[],
            type=ice_server,
            help="a STUN or TURN server for the video bridge, e.g. turn:USER:PASSWORD@HOST:3478 "
            "(repeatable; default none: host candidates only, no public server)",
        )
        p.add_argument(
            "--poll",
            dest="polls",
            action="append",
            default=[],
            type=agency_pair,
            metavar="AGENCY=URL",
            help="poll an agency's JSON or CSV source (repeatable)",
        )
        p.add_argument(
            "--watch",
            dest="watches",
            action="append",
            default=[],
            type=agency_pair,
            metavar="AGENCY=FOLDER",
            help="take the CSV/Excel files an agency drops in a folder (repeatable)",
        )
        p.add_argument(
            "--session-idle-min",
            type=positive,
            default=30.0,
            help="a signed-in session unused this many minutes ends (besides its 12 h limit)",
        )
        p.add_argument(
            "--trusted-proxy",
            dest="trusted_proxies",
            action="append",
            default=[],
            type=trusted_proxy,
            help="a reverse proxy (address or CIDR) whose X-Forwarded-For is believed "
            "(repeatable; default none: the connection's address is the client's)",
        )
        p.add_argument("--tls-cert", type=Path, default=None, help="serve HTTPS: PEM certificate")
        p.add_argument("--tls-key", type=Path, default=None, help="serve HTTPS: PEM private key")
        p.add_argument(
            "--schedule",
            default=None,
            metavar="FILE|none",
            help="presets by time of day from this schedule file; 'none': no schedule "
            "(default: the wall's layouts/schedules/<wall id>.yaml, if it has one)",
        )
        p.add_argument(
            "--clock-offset-s",
            type=float,
            default=0.0,
            help="for tests: the schedule's clock runs this many seconds ahead of the real one",
        )
        p.add_argument(
            "--verify-workers",
            type=whole_positive,
            default=2,
            help="password checks at once; more get 503 busy (default 2)",
        )
        p.add_argument(
            "--history-days",
            type=float,
            default=90.0,
            help="the wall's history (what every screen showed) is kept this many days",
        )
        p.add_argument(
            "--no-history",
            action="store_true",
            help="do not record the wall's history (what is recorded stays readable)",
        )
        _common(p)
    val = sub.add_parser("validate", help="check wall and preset YAML files; exit 1 on errors")
    val.add_argument("files", nargs="*", type=Path)
    val.add_argument("--wall", dest="wall_file", type=Path, default=None)
    kiosk = sub.add_parser("kiosk", help="print (or --launch) the Chromium kiosk command lines")
    kiosk.add_argument("--url", default="http://127.0.0.1:5006", help="the server's URL")
    kiosk.add_argument("--screen", action="append", help="only these screen ids")
    kiosk.add_argument("--chromium", default="chromium")
    kiosk.add_argument("--launch", action="store_true", help="start the browsers too")
    _common(kiosk)
    tokens = sub.add_parser("agency-tokens", help="print each reporting agency's API credential")
    tokens.add_argument("--agency", action="append", help="only these agency ids")
    _common(tokens)
    bridge = sub.add_parser("bridge-tokens", help="print each video bridge point's token")
    bridge.add_argument("--point", action="append", help="only these bridge point ids")
    _common(bridge)
    from video.client import add_arguments

    add_arguments(sub.add_parser("bridge-client", help="a headless bridge point (WHIP/WHEP)"))
    reset = sub.add_parser("reset-password", help="set a new random password for a user")
    reset.add_argument("username")
    reset.add_argument("--role", default=None, help="create the user with this role if missing")
    _common(reset)
    kinds = ["screen", "bridge", "agency"]
    rotate = sub.add_parser(
        "rotate-keys", help="new key for one device kind: its old tokens stop working"
    )
    rotate.add_argument("--kind", required=True, choices=kinds)
    rotate.add_argument("--url", default="http://127.0.0.1:5006", help="for the kiosk URLs")
    _common(rotate)
    creds = sub.add_parser("credentials", help="list, revoke or reissue device credentials")
    creds_sub = creds.add_subparsers(dest="action", required=True)
    _common(creds_sub.add_parser("list", help="every credential with its state and last use"))
    for action, text in (
        ("revoke", "refuse this one credential from now on"),
        ("reissue", "a new token for this credential (the old one stops working)"),
    ):
        one = creds_sub.add_parser(action, help=text)
        one.add_argument("kind", choices=kinds)
        one.add_argument("ident", metavar="ID")
        one.add_argument("--url", default="http://127.0.0.1:5006", help="for a kiosk URL")
        _common(one)
    # Part "sessions": accounts and the audit chain.
    users = sub.add_parser("users", help="list and change accounts (audited)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    _common(users_sub.add_parser("list", help="every account"))
    add = users_sub.add_parser("add", help="a new account with a random password")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="admin, duty_officer or viewer")
    for name, text in (
        ("disable", "the user can no longer sign in; their sessions end"),
        ("enable", "the user may sign in again"),
        ("reset-password", "a new random password; sessions end, sign-in locks clear"),
    ):
        one = users_sub.add_parser(name, help=text)
        one.add_argument("username")
    role = users_sub.add_parser("set-role", help="change the role; the user's sessions end")
    role.add_argument("username")
    role.add_argument("role", help="admin, duty_officer or viewer")
    for p in users_sub.choices.values():
        if p.prog.split()[-1] != "list":
            _common(p)
    audit_cmd = sub.add_parser("audit", help="check the audit trail")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", required=True)
    _common(audit_sub.add_parser("verify", help="exit 1 if a row was edited or deleted"))
    unlock = sub.add_parser("unlock", help="lift a user's sign-in lock (audited)")
    unlock.add_argument("username")
    unlock.add_argument("--address", default=None, help="only the lock from this address")
    _common(unlock)
    return ap
