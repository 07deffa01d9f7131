"""``python run_wall.py [serve|validate|kiosk|agency-tokens|bridge-tokens|bridge-client|reset-password|
users|audit|rotate-keys|credentials|unlock] …``: the wall's commands."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import gc
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

from command_center.credentials import DeviceKind
from command_center.errors import StoreFull
from command_center.server.keys import Keys
from command_center.settings import Settings
from command_center.store import Store

CHROMIUM_FLAGS = [
    "--kiosk",
    "--noerrdialogs",
    "--disable-infobars",
    "--no-first-run",
    "--disable-session-crashed-bubble",
    "--disable-features=Translate",
    "--autoplay-policy=no-user-gesture-required",
    "--check-for-update-interval=31536000",
]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=Path("data"), help="embedded store folder")
    p.add_argument(
        "--redis",
        dest="redis_url",
        type=_redis_url,
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
            "--incident-retention-days",
            type=float,
            default=365.0,
            help="resolved incidents are deleted this many days later (open ones never)",
        )
        p.add_argument(
            "--server",
            dest="servers",
            action="append",
            default=[],
            type=_server_url,
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
            type=_metrics_bind,
            help="serve Prometheus /metrics on this HOST:PORT only (the management network); "
            "default off",
        )
        p.add_argument(
            "--ice-server",
            dest="ice_servers",
            action="append",
            default=[],
            type=_ice_server,
            help="a STUN or TURN server for the video bridge, e.g. turn:USER:PASSWORD@HOST:3478 "
            "(repeatable; default none: host candidates only, no public server)",
        )
        p.add_argument(
            "--poll",
            dest="polls",
            action="append",
            default=[],
            type=_agency_pair,
            metavar="AGENCY=URL",
            help="poll an agency's JSON or CSV source (repeatable)",
        )
        p.add_argument(
            "--watch",
            dest="watches",
            action="append",
            default=[],
            type=_agency_pair,
            metavar="AGENCY=FOLDER",
            help="take the CSV/Excel files an agency drops in a folder (repeatable)",
        )
        p.add_argument(
            "--session-idle-min",
            type=_positive,
            default=30.0,
            help="a signed-in session unused this many minutes ends (besides its 12 h limit)",
        )
        p.add_argument(
            "--trusted-proxy",
            dest="trusted_proxies",
            action="append",
            default=[],
            type=_trusted_proxy,
            help="a reverse proxy (address or CIDR) whose X-Forwarded-For is believed "
            "(repeatable; default none: the connection's address is the client's)",
        )
        p.add_argument("--tls-cert", type=Path, default=None, help="serve HTTPS: PEM certificate")
        p.add_argument("--tls-key", type=Path, default=None, help="serve HTTPS: PEM private key")
        p.add_argument(
            "--verify-workers",
            type=_whole_positive,
            default=2,
            help="password checks at once; more get 503 busy (default 2)",
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


def _server_url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise argparse.ArgumentTypeError(
            f"a server is http(s)://HOST:PORT with no path (got {text!r})"
        )
    return text.rstrip("/")


def _metrics_bind(text: str) -> str:
    from command_center.server.metrics import parse_bind

    try:
        parse_bind(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _redis_url(text: str) -> str:
    from command_center.redis_client import parse_redis_url

    try:
        parse_redis_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _ice_server(text: str) -> str:
    from video.ice import parse_ice_server

    try:
        parse_ice_server(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def _agency_pair(text: str) -> tuple[str, str]:
    agency, sep, where = text.partition("=")
    if not sep or not agency.strip() or not where.strip():
        raise argparse.ArgumentTypeError(f"must be AGENCY=URL or AGENCY=FOLDER (got {text!r})")
    return agency.strip(), where.strip()


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0 (got {text!r})")
    return value


def _trusted_proxy(text: str) -> str:
    from command_center.server.client_address import parse_proxy

    try:
        parse_proxy(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def _tls_problem(cert: Path | None, key: Path | None) -> str | None:
    """Why the TLS files cannot be used, naming the flag and the file; None if they can."""
    if (cert is None) != (key is None):
        return "--tls-cert and --tls-key go together: give both or neither"
    if cert is None or key is None:
        return None
    import ssl

    for flag, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            return f"{flag} {path}: no such file"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        return (
            f"--tls-cert {cert} / --tls-key {key}: not a matching PEM certificate and key ({exc})"
        )
    return None


def _whole_positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 (got '{text}')")
    return value


def command_words(words: list[str]) -> list[str]:
    """The command line as argparse should read it: a bridge point's token may begin with
    '-', so ``bridge-client``'s ``--token T`` becomes ``--token=T``."""
    if words[:1] != ["bridge-client"]:
        return words
    from video.client import attach_values
    from video.client import parser as client_parser

    return ["bridge-client", *attach_values(client_parser(), words[1:])]


def main(argv: list[str] | None = None) -> int:
    from command_center.private_files import private_umask

    private_umask()  # every file this process writes (keys, stores) is its user's alone
    args = parser().parse_args(command_words(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from command_center.server.access_log import install_token_masking

    install_token_masking()
    command = args.command or "serve"
    try:
        return _run(command, args)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        return _cannot(command, f"the disk is full ({exc.filename or exc})")
    except StoreFull as exc:
        return _cannot(command, exc.message)


def _cannot(command: str, why: str) -> int:
    """A clear line instead of a traceback when the centre's disk or store is at fault."""
    print(f"run_wall.py {command}: {why}", file=sys.stderr)
    return 75  # EX_TEMPFAIL: try again once there is room


def _run(command: str, args: argparse.Namespace) -> int:
    if command == "validate":
        return validate(args.files, args.wall_file)
    if command == "kiosk":
        return kiosk(args)
    if command == "agency-tokens":
        return agency_tokens(args)
    if command == "bridge-tokens":
        return bridge_tokens(args)
    if command == "bridge-client":
        from video.client import main_async

        return asyncio.run(main_async(args))
    if command == "reset-password":
        return asyncio.run(reset_password(args))
    if command == "rotate-keys":
        return asyncio.run(rotate_keys(args))
    if command == "credentials":
        return asyncio.run(credentials(args))
    if command == "users":
        return asyncio.run(users_command(args))
    if command == "audit":
        return asyncio.run(audit_verify(args))
    if command == "unlock":
        return asyncio.run(unlock(args))
    settings = Settings(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        redis_url=args.redis_url,
        wall_file=args.wall_file,
        presets_dir=args.presets_dir,
        open_browser=not args.no_browser,
        flush_hz=args.flush_hz,
        switch_lead_ms=args.switch_lead_ms,
        public_url=args.public_url,
        simulate=not args.no_simulator,
        sim_speed=args.sim_speed,
        ice_servers=tuple(args.ice_servers),
        servers=tuple(args.servers),
        ice_addresses=tuple(args.ice_addresses),
        metrics_bind=args.metrics_bind,
        polls=tuple(args.polls),
        watches=tuple((agency, Path(folder)) for agency, folder in args.watches),
        incident_retention_days=args.incident_retention_days,
        keys_file=args.keys_file,
        session_idle_min=args.session_idle_min,
        trusted_proxies=tuple(args.trusted_proxies),
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        verify_workers=args.verify_workers,
    )
    if problem := _tls_problem(settings.tls_cert, settings.tls_key):
        print(problem, file=sys.stderr)
        return 2
    from command_center.private_files import ExposedSecretError
    from command_center.server.keys import KeyFileError

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(settings))
    except (ExposedSecretError, KeyFileError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def validate(files: list[Path], wall_file: Path | None) -> int:
    from command_center.errors import SpecError
    from command_center.server.composition import build_registry, check_references
    from feeds.loader import check_feeds_files, load_feeds
    from layouts import DEFAULT_WALL_FILE, WALLS_DIR, presets_dir_for
    from layouts.loader import check_files, load_preset, load_presets, load_wall

    registry = build_registry()
    # Without files: every shipped wall, each with its own presets, and the feeds' files.
    walls = [wall_file] if wall_file else sorted(WALLS_DIR.glob("*.yaml"))
    if files and not wall_file:
        walls = [DEFAULT_WALL_FILE]
    from video.registry import check_bridge_points_file

    problems = [] if files else check_feeds_files() + check_bridge_points_file()
    feeds = None if problems else load_feeds()
    for path in walls:
        try:
            wall = load_wall(path)
        except SpecError as exc:
            problems += exc.problems
            continue
        targets = files or [path, presets_dir_for(wall.id)]
        found = check_files(targets, wall, registry)
        problems += found
        if not found and feeds is not None:
            presets = {}
            for target in targets:
                if target.is_dir():
                    presets.update(load_presets(target, wall, registry))
                elif target.resolve().parent.name != "walls" and target != path:
                    preset = load_preset(target, wall, registry)
                    presets[preset.id] = preset
            problems += check_references(presets, feeds)
    targets = files or walls
    count = f"{len(targets)} file(s)" if files else f"{len(walls)} wall(s) and their presets"
    for problem in problems:
        print(problem, file=sys.stderr)
    print(
        f"{count} checked: " + (f"{len(problems)} problem(s)" if problems else "no problems"),
        file=sys.stderr,
    )
    return 1 if problems else 0


# How long a worker thread (a big CSV being parsed, a batch validated) may keep the
# interpreter lock before the event loop gets it back. The loop gives the lock up at every
# socket write and waits up to this long to have it again: at Python's 5 ms a flush to 16
# screens could wait 80 ms behind one upload (benchmarks/hostile.py measures it).
GIL_SWITCH_S = 0.001


# SIGTERM: the clean exit (runtime.py ``_wind_down``) takes about a second; past this the
# process ends itself anyway, with EXIT_DEADLINE, so a supervisor is never kept waiting.
HARD_DEADLINE_S = 5.0
EXIT_DEADLINE = 124


def _stop_by(stop: asyncio.Event) -> None:
    if stop.is_set():
        return
    stop.set()
    timer = threading.Timer(HARD_DEADLINE_S, _past_deadline)
    timer.daemon = True
    timer.start()


def _past_deadline() -> None:
    print(f"Không dừng kịp · not stopped within {HARD_DEADLINE_S:g} s: exiting", flush=True)
    os._exit(EXIT_DEADLINE)


async def serve(settings: Settings) -> None:
    from command_center.server.runtime import open_runtime

    sys.setswitchinterval(GIL_SWITCH_S)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, _stop_by, stop)
    async with open_runtime(settings) as rt:
        print(f"\nTường màn hình đang chạy · The wall is running at {rt.url}", flush=True)
        print(f"  Bảng điều khiển · Console: {rt.url}/console")
        print(f"  Sức khỏe · Health:         {rt.url}/health")
        # Tokens are printed at the first start only (when the keys were made); later the
        # explicit commands print them: kiosk, bridge-tokens, agency-tokens.
        first = rt.keys.created
        for screen in rt.wall.screens:
            token = f"?token={rt.keys.devices.issue('screen', screen.id)}" if first else ""
            print(f"  Màn hình · Screen {screen.id}: {rt.url}/wall/{screen.id}{token}")
        if rt.video is not None:
            from video.registry import ROOM

            for point in rt.video.registry:
                if point.id != ROOM:
                    token = f"?token={rt.keys.devices.issue('bridge', point.id)}" if first else ""
                    print(
                        f"  Điểm cầu · Bridge point {point.id}: {rt.url}/bridge/{point.id}{token}"
                    )
        if first:
            print("  (mã truy cập chỉ in lần đầu · tokens printed at this first start only)")
        else:
            print("  (mã truy cập · tokens: run_wall.py kiosk | bridge-tokens | agency-tokens)")
        if rt.new_users:
            print("\nTài khoản mới (chỉ in một lần) · New accounts (printed only once):")
            for name, password, role in rt.new_users:
                print(f"  {name:<10} {password}   ({role})")
        # What is alive now (every module, Panel's and Bokeh's included, the specs, the
        # indicator history) lives as long as the server: keep it out of the collector's
        # full passes, which otherwise rescan ~200,000 objects (~0.1 s, the event loop
        # stalled) each time the heap grows by a quarter, as it does under heavy reporting.
        gc.collect()
        gc.freeze()
        print("\nSẵn sàng · Ready (Ctrl+C để dừng · to stop)", flush=True)
        if settings.open_browser:
            _open_browser(f"{rt.url}/console")
        await stop.wait()
        stopping = time.monotonic()
        print("Đang dừng · Stopping", flush=True)
    print(f"Đã dừng · Stopped in {time.monotonic() - stopping:.2f} s", flush=True)


def _open_browser(url: str) -> None:
    try:
        webbrowser.get()
    except webbrowser.Error:
        print(f"(no browser found; open {url} yourself)")
        return
    webbrowser.open(url)


async def _keys(args: argparse.Namespace) -> Keys:
    from command_center.server.keys import key_file_path, load_keys
    from command_center.store import open_store

    async with open_store(args.data_dir, args.redis_url) as store:
        return await load_keys(store, key_file_path(args.data_dir, args.keys_file))


async def _audit(store: Store, action: str, target: str, detail: dict[str, object]) -> None:
    from command_center.audit import audit

    await audit(store, cli_actor(), action, target, detail, role="cli")


def _current_token(keys: Keys, kind: str, ident: str) -> str | None:
    """The credential's token, or None (and a word on stderr) when it is revoked."""
    try:
        return keys.devices.issue(kind, ident)
    except ValueError:
        print(
            f"{kind} '{ident}' is revoked (run_wall.py credentials reissue {kind} {ident})",
            file=sys.stderr,
        )
        return None


def kiosk(args: argparse.Namespace) -> int:
    from layouts import DEFAULT_WALL_FILE
    from layouts.loader import load_wall

    wall = load_wall(args.wall_file or DEFAULT_WALL_FILE)
    keys = asyncio.run(_keys(args))
    wanted = set(args.screen or [s.id for s in wall.screens])
    unknown = wanted - {s.id for s in wall.screens}
    if unknown:
        print(f"unknown screen(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for screen in wall.screens:
        if screen.id not in wanted:
            continue
        token = _current_token(keys, "screen", screen.id)
        if token is None:
            continue
        url = f"{args.url.rstrip('/')}/wall/{screen.id}?token={token}"
        cmd = [
            args.chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir=/var/tmp/wall-{screen.id}",
            f"--window-size={screen.width},{screen.height}",
            # Place each browser on its own output when one machine drives several screens.
            f"--window-position={screen.col * screen.width},{screen.row * screen.height}",
            url,
        ]
        print(f"# {screen.id} ({screen.width}×{screen.height})")
        print(shlex.join(cmd))
        if args.launch:
            subprocess.Popen(cmd, start_new_session=True)
    return 0


def agency_tokens(args: argparse.Namespace) -> int:
    """One line per agency: its id, then the whole ``Authorization: Bearer`` credential."""
    from command_center.server.observations_api import AGENCY_KIND
    from feeds.loader import load_feeds

    registry = load_feeds().agencies
    wanted = set(args.agency or registry.ids)
    unknown = wanted - set(registry.ids)
    if unknown:
        print(f"unknown agency id(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    keys = asyncio.run(_keys(args))
    for agency in registry:
        if agency.id in wanted:
            token = _current_token(keys, AGENCY_KIND, agency.id)
            if token is not None:
                print(f"{agency.id}\t{agency.id}:{token}")
    return 0


def bridge_tokens(args: argparse.Namespace) -> int:
    """One line per bridge point: its id, then its token (WHIP ``Authorization: Bearer``;
    ``point:<id>:<token>`` for WHEP and the control channel)."""
    from video.registry import load_bridge_points

    registry = load_bridge_points()
    wanted = set(args.point or registry.ids)
    unknown = wanted - set(registry.ids)
    if unknown:
        print(f"unknown bridge point id(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    keys = asyncio.run(_keys(args))
    for point in registry:
        token = _current_token(keys, "bridge", point.id) if point.id in wanted else None
        if token is not None:
            print(f"{point.id}\t{token}")
    return 0


async def reset_password(args: argparse.Namespace) -> int:
    """``users reset-password`` that also creates the user, or changes its role, with
    ``--role`` (the older command, kept for scripts)."""
    from command_center.store import open_store

    async with open_store(args.data_dir, args.redis_url) as store:
        user = await store.get_user(args.username)
    if user is None and args.role is None:
        print(f"no user '{args.username}'; pass --role to create it", file=sys.stderr)
        return 2
    if user is None:
        args.users_command = "add"
        return await users_command(args)
    if args.role is not None and args.role != user.role:
        args.users_command = "set-role"
        if code := await users_command(args):
            return code
    args.users_command = "reset-password"
    return await users_command(args)


def cli_actor() -> str:
    """Who ran a command, for the audit: ``cli:<os user>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


async def users_command(args: argparse.Namespace) -> int:
    from command_center import accounts
    from command_center.errors import WallError
    from command_center.server.login_limit import open_login_limiter
    from command_center.sessions import Sessions
    from command_center.store import open_store

    actor = cli_actor()
    async with (
        open_store(args.data_dir, args.redis_url) as store,
        open_login_limiter(store, args.data_dir) as locks,
    ):
        sessions = Sessions(store, None)
        try:
            match args.users_command:
                case "list":
                    for user in await store.users():
                        state = "đã khoá · disabled" if user.disabled else "hoạt động · enabled"
                        created = time.strftime("%d/%m/%Y", time.localtime(user.created_at))
                        print(f"{user.username}\t{user.role}\t{state}\t{created}")
                case "add":
                    password = await accounts.add_user(store, actor, args.username, args.role)
                    print(f"{args.username} ({args.role}): {password}")
                case "disable" | "enable":
                    disabled = args.users_command == "disable"
                    await accounts.set_disabled(store, sessions, actor, args.username, disabled)
                    print(f"{args.username}: {'disabled' if disabled else 'enabled'}")
                case "set-role":
                    await accounts.set_role(store, sessions, actor, args.username, args.role)
                    print(f"{args.username}: {args.role}")
                case "reset-password":
                    password = await accounts.reset_password(
                        store, sessions, locks, actor, args.username
                    )
                    account = await store.get_user(args.username)
                    print(f"{args.username} ({account.role if account else '?'}): {password}")
        except WallError as exc:
            print(exc.message, file=sys.stderr)
            return 2
    return 0


async def audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the chain is whole, 1 naming the first broken row."""
    from command_center.audit import verify_chain
    from command_center.store import open_store

    async with open_store(args.data_dir, args.redis_url) as store:
        entries, head = await store.audit_chain()
    problems = verify_chain(entries, head)
    if problems:
        print(f"Nhật ký bị sửa · audit trail broken: {problems[0]}", file=sys.stderr)
        for more in problems[1:]:
            print(f"  also {more}", file=sys.stderr)
        return 1
    print(f"{len(entries)} row(s): chain intact · chuỗi nguyên vẹn")
    return 0


def known_credentials(args: argparse.Namespace) -> dict[DeviceKind, list[str]]:
    """Every credential the registries name, by kind (the wall's screens, the agencies,
    the bridge points but the room itself)."""
    from command_center.server.credentials_api import known_credentials as known
    from feeds.loader import load_feeds
    from layouts import DEFAULT_WALL_FILE
    from layouts.loader import load_wall
    from video.registry import load_bridge_points

    wall = load_wall(args.wall_file or DEFAULT_WALL_FILE)
    return known(wall, load_feeds(), load_bridge_points())


def _credential_line(kind: str, ident: str, token: str, url: str) -> str:
    if kind == "screen":
        return f"{ident}\t{url.rstrip('/')}/wall/{ident}?token={token}"
    if kind == "agency":
        return f"{ident}\t{ident}:{token}"
    return f"{ident}\t{token}"


async def rotate_keys(args: argparse.Namespace) -> int:
    """A new key for one kind; prints that kind's new credentials, this once."""
    from command_center.server.keys import key_file_path, load_keys
    from command_center.store import open_store

    kind = DeviceKind(args.kind)
    known = known_credentials(args)[kind]
    async with open_store(args.data_dir, args.redis_url) as store:
        keys = await load_keys(store, key_file_path(args.data_dir, args.keys_file))
        keys.devices.rotate(kind)
        kid = keys.file.current().kinds[kind].kid
        await _audit(store, "rotate_keys", kind, {"kid": kid})
    print(f"# {kind}: new key {kid}; every older {kind} token is refused from now on")
    for ident in known:
        with contextlib.suppress(ValueError):  # a revoked credential stays revoked
            token = keys.devices.issue(kind, ident)
            print(_credential_line(kind, ident, token, args.url))
    return 0


async def credentials(args: argparse.Namespace) -> int:
    from command_center.credentials import credential_rows
    from command_center.server.keys import key_file_path, load_keys
    from command_center.store import open_store

    known = known_credentials(args)
    kind = DeviceKind(args.kind) if args.action != "list" else DeviceKind.SCREEN
    if args.action != "list" and args.ident not in known[kind]:
        print(f"unknown {kind} '{args.ident}' (known: {', '.join(known[kind])})", file=sys.stderr)
        return 2
    async with open_store(args.data_dir, args.redis_url) as store:
        keys = await load_keys(store, key_file_path(args.data_dir, args.keys_file))
        if args.action == "list":
            rows = await credential_rows(keys.file.current(), store, known)
            print("kind\tid\tkid\tgeneration\tstate\tlast_used\taddress")
            for row in rows:
                used = (
                    time.strftime("%d/%m/%Y %H:%M:%S", time.localtime(row["last_used_at"] / 1000))
                    if row["last_used_at"]
                    else "-"
                )
                print(
                    f"{row['kind']}\t{row['id']}\t{row['kid']}\t{row['generation']}\t"
                    f"{row['state']}\t{used}\t{row['last_address'] or '-'}"
                )
            return 0
        if args.action == "revoke":
            keys.devices.revoke(kind, args.ident)
            await _audit(store, "revoke_credential", f"{kind}:{args.ident}", {})
            print(f"{kind} '{args.ident}' revoked; reissue it to give it a new token")
            return 0
        token = keys.devices.reissue(kind, args.ident)
        generation = keys.file.current().credential(kind, args.ident).generation
        await _audit(
            store, "reissue_credential", f"{kind}:{args.ident}", {"generation": generation}
        )
    print(_credential_line(kind, args.ident, token, args.url))
    return 0


async def unlock(args: argparse.Namespace) -> int:
    """Lift the sign-in lock on a user (from one address, or from all), with an audit row."""
    from command_center.server.login_limit import open_login_limiter
    from command_center.store import open_store

    async with (
        open_store(args.data_dir, args.redis_url) as store,
        open_login_limiter(store, args.data_dir) as limiter,
    ):
        await limiter.clear(args.username, args.address)
        # Through the chained audit, as every other command (who ran it, in ms).
        await _audit(store, "unlock", args.username, {"address": args.address})
    where = f" from {args.address}" if args.address else ""
    print(f"{args.username}: sign-in unlocked{where} · đã mở khóa đăng nhập")
    return 0
