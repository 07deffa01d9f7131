"""Settings of one wall server, from the command line (``run_wall.py --help``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Everything a wall server needs to start: the embedded store and an in-memory bus by
    default. ``run_wall.py`` turns the simulator on unless ``--no-simulator`` (the quick
    start); a Settings made in code (the tests) starts without it."""

    host: str = "127.0.0.1"
    port: int = 5006
    data_dir: Path = Path("data")
    # None: embedded store (SQLite in data_dir) and an in-memory bus.
    redis_url: str | None = None
    wall_file: Path | None = None
    presets_dir: Path | None = None
    open_browser: bool = True
    # Screens receive coalesced data at this rate: at most one message per screen per tick.
    flush_hz: float = 30.0
    # A switch is shown everywhere at now + lead: long enough for every screen to prepare.
    switch_lead_ms: float = 250.0
    session_ttl_s: float = 12 * 3600
    # Public origin for kiosk URLs when the server sits behind a proxy or a LAN name.
    public_url: str | None = None
    # Simulated reports for the whole catalogue (the quick start); off for a real centre.
    simulate: bool = False
    sim_speed: float = 1.0
    # The simulated calendar starts here (None: now): the same dates whatever the day.
    sim_start: datetime | None = None
    # A fixed seed: a restart re-sends the same history, which the store keeps once.
    sim_seed: int = 2020
    # Adapters, one agency each: (agency id, URL) polled, (agency id, folder) watched.
    polls: tuple[tuple[str, str], ...] = ()
    watches: tuple[tuple[str, Path], ...] = ()
    # STUN/TURN servers as URLs (video/ice.py); none: host candidates only, never a public one.
    ice_servers: tuple[str, ...] = ()
    # Alert rules (layouts/alert_rules.py): this file, or with ``wall_alerts`` the wall's own
    # (layouts/alerts/<wall id>.yaml, as run_wall.py does unless --no-alerts); a Settings
    # made in code (the tests) has none unless given.
    alert_rules: Path | None = None
    wall_alerts: bool = False
    # A scripted situation played into the wall (feeds/scenarios.py), for rehearsals.
    scenario: str | None = None
    # Resolved search-and-rescue incidents are deleted this long after they were resolved.
    incident_retention_days: float = 365.0
    poll_interval_s: float = 60.0
    watch_interval_s: float = 5.0
    # The key file (signing keys, device credentials' generations); default <data>/keys.json.
    # Every process of one wall must read the same file; it never goes into Redis.
    keys_file: Path | None = None
    # Part "sessions": a session unused this long ends (besides its absolute session_ttl_s).
    session_idle_min: float = 30.0
    # --- edge (issue 9): TLS, reverse proxy, sign-in ---
    # Reverse proxies (CIDR blocks) whose X-Forwarded-For / -Proto are believed.
    trusted_proxies: tuple[str, ...] = ()
    # Serve HTTPS and WSS directly with this certificate chain and key (PEM files).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # Password checks (argon2id) running at once; the next one gets 503 busy.
    verify_workers: int = 2
    # --- failover (issue 11) ---
    # Every wall server's public URL, this one included, in the order kiosks, consoles and
    # bridge points try them when the one they use is lost. Empty: this server only.
    servers: tuple[str, ...] = ()
    # The video relay gathers ICE host candidates on these addresses only (empty: every
    # interface but loopback); 127.0.0.1 for wall processes that meet only on one machine.
    ice_addresses: tuple[str, ...] = ()
    # /metrics (Prometheus) listens here only, HOST:PORT on the management network; None: off.
    metrics_bind: str | None = None
    # --- schedules (issue 14) ---
    # Presets by time of day from this file; else, with shipped_schedule (run_wall.py's
    # default), layouts/schedules/<wall id>.yaml if the wall has one; else no schedule.
    schedule_file: Path | None = None
    shipped_schedule: bool = False
    # Tests: the schedule's clock runs this far ahead of the real one.
    clock_offset_s: float = 0.0
    # --- history (issue 15) ---
    # Keep what every screen is shown (history.sqlite3 or Redis), and for how long.
    history: bool = True
    history_days: float = 90.0
    # --- recording bridge calls (issue 15, video/recordings.py) ---
    # Record every call from its first keyframe (else only when started from the console/API).
    record_calls: bool = False
    # Recordings that ended longer ago than this are deleted (at start and hourly).
    recording_days: float = 90.0
    # Length of one recorded file: a crash loses at most the segment being written.
    recording_segment_s: float = 300.0

    @property
    def https(self) -> bool:
        """The wall is reached over TLS: by its public URL, else by its own certificate."""
        if self.public_url:
            return self.public_url.lower().startswith("https://")
        return self.tls_cert is not None
