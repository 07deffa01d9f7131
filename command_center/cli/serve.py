"""``serve`` (the default command): the wall server until SIGINT or SIGTERM.

Settings come from the flags; TLS files are checked before anything starts. A stop that
takes longer than ``HARD_DEADLINE_S`` ends the process anyway (``EXIT_DEADLINE``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
import sys
import threading
import time
import webbrowser
from pathlib import Path

from command_center.settings import Settings


def run_server(args: argparse.Namespace) -> int:
    """The server with the settings the flags give; 2 on bad TLS files, 1 on bad keys or
    a bad wall, preset or schedule file."""
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
        sim_start=args.sim_start,
        sim_seed=args.sim_seed,
        ice_servers=tuple(args.ice_servers),
        servers=tuple(args.servers),
        ice_addresses=tuple(args.ice_addresses),
        metrics_bind=args.metrics_bind,
        polls=tuple(args.polls),
        watches=tuple((agency, Path(folder)) for agency, folder in args.watches),
        incident_retention_days=args.incident_retention_days,
        alert_rules=None if args.no_alerts else args.alert_rules,
        wall_alerts=not args.no_alerts,
        scenario=args.scenario,
        keys_file=args.keys_file,
        session_idle_min=args.session_idle_min,
        trusted_proxies=tuple(args.trusted_proxies),
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        verify_workers=args.verify_workers,
        schedule_file=None if args.schedule in (None, "none") else Path(args.schedule),
        shipped_schedule=args.schedule is None,
        clock_offset_s=args.clock_offset_s,
        history=not args.no_history,
        history_days=args.history_days,
        record_calls=args.record_calls,
        recording_days=args.recording_days,
        recording_segment_s=args.recording_segment_s,
    )
    if problem := _tls_problem(settings.tls_cert, settings.tls_key):
        print(problem, file=sys.stderr)
        return 2
    from command_center.errors import SpecError
    from command_center.private_files import ExposedSecretError
    from command_center.server.keys import KeyFileError

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(settings))
    except (ExposedSecretError, KeyFileError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except SpecError as exc:  # a bad wall, preset or schedule file: what validate says
        print(str(exc), file=sys.stderr)
        return 1
    return 0


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
