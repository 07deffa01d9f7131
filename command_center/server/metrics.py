"""``/metrics`` for the people who watch the servers: Prometheus text format, one registry per
wall process (no global one), served on its own address (``--metrics-bind``) so the scraper
reaches it on the management network and no kiosk or agency can.

Counted where it happens (``IngestCounters``: observation rows accepted, duplicate, refused);
everything else is read from the live objects at scrape time (hub, bus, loop lag, video room),
so a scrape costs a few dictionary walks and never touches Redis.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from command_center.bus import Bus
from command_center.server.hub import ScreenHub
from command_center.server.ingest_counters import IngestCounters
from command_center.server.loop_lag import LoopLag
from video.room import VideoRoom

# The loop-lag window the gauges describe: recent enough to show a stall now.
LAG_WINDOW_S = 10.0


@dataclass(eq=False)  # registries key collectors by identity
class _WallCollector(Collector):
    hub: ScreenHub
    bus: Bus
    loop_lag: LoopLag | None
    video: VideoRoom | None

    def collect(self) -> Iterator[Metric]:
        yield from self._screens()
        yield from self._health()
        yield from self._bus()
        yield from self._loop()
        if self.video is not None:
            yield from self._video(self.video)

    def _screens(self) -> Iterator[Metric]:
        snap = self.hub.snapshot()
        yield GaugeMetricFamily(
            "cc_screens_online",
            "Screens of the wall online on any process",
            value=len(self.hub.screens_online()),
        )
        total = GaugeMetricFamily("cc_screens_total", "Screens in the wall spec")
        total.add_metric([], len(snap["screens"]))
        yield total
        here = GaugeMetricFamily(
            "cc_screen_links", "Screen links open on this process", labels=["screen"]
        )
        skipped = CounterMetricFamily(
            "cc_screen_skipped_flushes",
            "Data messages held back because the screen had not read the last one",
            labels=["screen"],
        )
        lag = GaugeMetricFamily(
            "cc_screen_update_latency_p99_seconds",
            "Value injected to shown on the screen, p99 as the screen last reported it",
            labels=["screen"],
        )
        for screen in snap["screens"]:
            here.add_metric([screen["id"]], screen["connections"])
            skipped.add_metric([screen["id"]], screen["skipped_flushes"])
            if screen["latency_p99_ms"] is not None:
                lag.add_metric([screen["id"]], screen["latency_p99_ms"] / 1000.0)
        yield here
        yield skipped
        yield lag
        links = self.hub.links.snapshot()
        slow = CounterMetricFamily(
            "cc_links_slow_closed", "Screen and video links closed for not reading"
        )
        slow.add_metric([], links["slow_closed"])
        yield slow
        version = GaugeMetricFamily("cc_layout_version", "Version of the layout on the wall")
        version.add_metric([], snap["version"])
        yield version

    def _health(self) -> Iterator[Metric]:
        # What /health last decided (and told the screens): one sample per state, 1 for the
        # current one, and one per dependency that is not ok.
        state = self.hub.server_state
        status = GaugeMetricFamily(
            "cc_server_status", "The server's health as /health says it", labels=["status"]
        )
        for name in ("ok", "degraded", "down"):
            status.add_metric([name], 1 if state.status == name else 0)
        yield status
        failing = GaugeMetricFamily(
            "cc_dependency_failing",
            "Dependencies /health reports as not ok (store, bus, video, loop_lag)",
            labels=["dependency"],
        )
        for reason in state.reasons:
            failing.add_metric([reason], 1)
        yield failing

    def _bus(self) -> Iterator[Metric]:
        reconnects = CounterMetricFamily(
            "cc_bus_reconnects",
            "Times the bus link came back after a break (each followed by a resync)",
        )
        reconnects.add_metric([], self.bus.reconnects)
        yield reconnects
        down = GaugeMetricFamily("cc_bus_up", "1 while the bus link is up, 0 while reconnecting")
        down.add_metric([], 0 if self.bus.down_since is not None else 1)
        yield down
        rejected = CounterMetricFamily(
            "cc_bus_rejected", "Bus messages dropped for a missing or wrong signature"
        )
        rejected.add_metric([], self.bus.rejected)
        yield rejected
        takeovers = CounterMetricFamily(
            "cc_screen_failovers",
            "Screens that linked here while another process still held them (a takeover)",
        )
        takeovers.add_metric([], self.hub.takeovers)
        yield takeovers

    def _loop(self) -> Iterator[Metric]:
        if self.loop_lag is None:
            return
        snap = self.loop_lag.snapshot(LAG_WINDOW_S)
        for name, key in (("p99", "p99_ms"), ("max", "max_ms")):
            gauge = GaugeMetricFamily(
                f"cc_loop_lag_{name}_seconds",
                f"How late the event loop ran what was due, {name} of the last 10 s",
            )
            gauge.add_metric([], float(snap[key]) / 1000.0)
            yield gauge

    def _video(self, video: VideoRoom) -> Iterator[Metric]:
        gauges: dict[str, tuple[GaugeMetricFamily, float]] = {
            "fps": (GaugeMetricFamily("cc_bridge_fps", "Frames per second", labels=["point"]), 1),
            "bitrate_kbps": (
                GaugeMetricFamily("cc_bridge_bitrate_bps", "Bits per second", labels=["point"]),
                1000.0,
            ),
            "packet_loss_pct": (
                GaugeMetricFamily(
                    "cc_bridge_packet_loss_ratio", "Video packets lost (0–1)", labels=["point"]
                ),
                0.01,
            ),
            "rtt_ms": (
                GaugeMetricFamily(
                    "cc_bridge_rtt_seconds", "STUN round trip on the WHIP link", labels=["point"]
                ),
                0.001,
            ),
            "jitter_ms": (
                GaugeMetricFamily("cc_bridge_jitter_seconds", "Video jitter", labels=["point"]),
                0.001,
            ),
        }
        publishing = GaugeMetricFamily(
            "cc_bridge_publishing", "Bridge points publishing to this process", labels=["point"]
        )
        for point, session in list(video.publishers.items()):
            publishing.add_metric([point], 1)
            stats = session.stats.model_dump() if session.stats is not None else {}
            for key, (family, scale) in gauges.items():
                value = stats.get(key)
                if value is not None:
                    family.add_metric([point], float(value) * scale)
        yield publishing
        for family, _ in gauges.values():
            yield family


class WallMetrics:
    """One process's registry: the ingest counters, the live collector and the process's own
    CPU, memory and file descriptors."""

    def __init__(
        self, hub: ScreenHub, bus: Bus, loop_lag: LoopLag | None, video: VideoRoom | None
    ) -> None:
        self.registry = CollectorRegistry()
        self.ingest = IngestCounters(self.registry)
        self.registry.register(_WallCollector(hub, bus, loop_lag, video))
        ProcessCollector(registry=self.registry)

    def text(self) -> bytes:
        return generate_latest(self.registry)


class MetricsHandler(RequestHandler):
    """GET /metrics on the metrics address; nothing else is served there."""

    def initialize(self, metrics: WallMetrics) -> None:
        self.metrics = metrics

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.set_header("Cache-Control", "no-store")
        self.finish(self.metrics.text())


def parse_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` too) for ``--metrics-bind``."""
    host, colon, port = text.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--metrics-bind is HOST:PORT, e.g. 127.0.0.1:9464 (got {text!r})")
    return host, int(port)


@contextlib.contextmanager
def serve_metrics(metrics: WallMetrics, bind: str | None) -> Iterator[int | None]:
    """Listen on ``bind`` while the block runs; yields the port (None when not asked)."""
    if bind is None:
        yield None
        return
    host, port = parse_bind(bind)
    app: Any = Application([(r"/metrics", MetricsHandler, {"metrics": metrics})])
    server = HTTPServer(app, max_body_size=1024)
    sockets = bind_sockets(port, host)
    server.add_sockets(sockets)
    try:
        yield int(sockets[0].getsockname()[1])
    finally:
        server.stop()
