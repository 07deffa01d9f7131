// A wall screen: one page per physical screen. Keeps one WebSocket to the server,
// estimates the server's clock, shows layouts (switching at an agreed server instant
// so the whole wall changes in the same frame), applies live tile data and reports
// health. Message contract: command_center/protocol.py.

import { addStylesheet } from '../common/dom.js';
import { Banner } from './banner.js';
import { ClockSync } from './clocksync.js';
import { DelayedMarker } from './delayed.js';
import { Layer } from './layer.js';
import { LatencyRing } from './latency.js';
import { Link } from './link.js';
import { OverlayBanners } from './overlay-banners.js';
import { Servers } from './servers.js';
import { runAtServerTime } from './swap.js';
import { localNow } from './timing.js';
import { loadTileModules } from './tiles.js';

const PING_BURST = 8;
const PING_EVERY_MS = 2000; // with several servers, three missed pongs move the link (link.js)
const HEALTH_EVERY_MS = 5000;
const ERROR_RETRY_MS = 10000;
// After the server says it restarts, reconnect quietly this long before the lost banner.
const RESTART_GRACE_MS = 10000;
const KEEP_SWAPS = 100;

/**
 * Fill `el` with the screen `screenId` and keep it live. Returns {stats(), close(),
 * setToken(token)}.
 * preview: a console preview — it only listens (sends hello and ping, never health or swapped);
 * its token is short-lived and view-only, renewed by the console through setToken.
 * onFocus(province): a console preview whose person may focus the maps (map clicks).
 * servers: every wall server's URL (the server's --server list): the link fails over
 * through them and returns to the page's own; wsUrl is then a path ('/ws/screen').
 * replay: {now()} — replay mode (assets/replay/): no socket; the page feeds the messages the
 * history API kept through receive(msg), `now()` is the replayed instant (ages, clocks,
 * banner expiries), layouts show at once, video tiles show a card (no live video).
 */
export function mountScreen(el, { screenId, token: firstToken, wsUrl, preview = false, onFocus = null, servers = null, replay = null }) {
  let token = firstToken;
  const sync = new ClockSync();
  const latency = new LatencyRing(2048);
  const serverNow = replay ? () => replay.now() : () => localNow() + sync.offset;

  let screen = null; // welcome.screen
  let lang = 'vi';
  let connected = false;
  let current = null; // Layer on show
  let pending = null; // {layer, cancel} waiting for its swap_at
  let version = null;
  let preset = null;
  let shownAt = null;
  let applied = 0;
  const swaps = [];
  let lost = { sinceServer: serverNow(), sinceLocal: performance.now(), error: null };
  let lastError = null;
  // The server refused this screen's device token: said as such, not as a lost link.
  let refused = false;
  let degraded = null; // {sinceServer, sinceLocal} while the server says it is degraded
  let graceUntil = 0; // local ms: the server said it restarts; no banner before then
  let burstLeft = 0;
  let dataQueue = [];
  let cancelFlush = null;
  let tickTimer = null;
  let closed = false;

  // ---- stats: live getters, so window.wallScreen is always current -------------------
  const round = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);
  const fields = {
    screen: () => screenId,
    connected: () => connected,
    server_state: () => (degraded ? 'degraded' : 'ok'),
    offset_ms: () => round(sync.offset),
    rtt_ms: () => round(sync.rtt),
    version: () => version,
    shown_at: () => shownAt,
    applied: () => applied,
    latencies: () => latency.summary(),
    swaps: () => swaps.slice(),
    server: () => link.origin,
    banners: () => overlay.shown(),
  };
  const snapshot = () => Object.fromEntries(Object.entries(fields).map(([k, get]) => [k, get()]));
  const live = {};
  for (const [key, get] of Object.entries(fields)) {
    Object.defineProperty(live, key, { enumerable: true, get });
  }
  // Methods stay non-enumerable so serialising window.wallScreen gives plain data.
  Object.defineProperty(live, 'stats', { value: snapshot });
  Object.defineProperty(live, 'close', { value: close });
  Object.defineProperty(live, 'serverNow', { value: serverNow });
  Object.defineProperty(live, 'latencySamples', { value: () => latency.samples() });
  Object.defineProperty(live, 'clearLatency', { value: () => latency.clear() });

  const ctx = {
    get screen() { return screen; },
    get lang() { return lang; },
    // A console preview: the map takes clicks there (focus), never on a kiosk.
    preview,
    replay: Boolean(replay),
    onFocus,
    serverNow,
    stats: live,
    // How this screen signs in to the video routes (WHEP, /ws/video): a kiosk as its
    // device, the console's preview with the person's session.
    get videoCredential() { return preview ? token : `screen:${screenId}:${token}`; },
    // The server the link uses now: where the tiles' server requests (WHEP) go.
    get serverOrigin() { return link.origin; },
  };

  // ---- DOM ------------------------------------------------------------------------------
  const host = el.parentElement;
  el.replaceChildren();
  el.classList.add('wall-screen');
  if (preview) el.classList.add('is-preview');
  host?.classList.add('wall-host');
  const stage = document.createElement('div');
  stage.className = 'wall-stage';
  el.append(stage);
  const banner = new Banner(el);
  const delayed = new DelayedMarker(el);
  const overlay = new OverlayBanners(el, serverNow);
  setLinkState('lost');
  banner.render(lost);

  // Show the screen at its own resolution, scaled to fit the box it is in (a preview
  // iframe, a kiosk window of another size), letterboxed and centred.
  const fit = () => {
    const full = host === document.body || host === document.documentElement || !host;
    const bw = full ? window.innerWidth : host.clientWidth;
    const bh = full ? window.innerHeight : host.clientHeight;
    if (!screen) {
      // Until welcome names the resolution, fill the box so the banner can show.
      Object.assign(el.style, { width: `${bw}px`, height: `${bh}px`, transform: '' });
      return;
    }
    el.style.width = `${screen.width}px`;
    el.style.height = `${screen.height}px`;
    const s = Math.min(bw / screen.width, bh / screen.height);
    if (!(s > 0) || Math.abs(s - 1) < 0.001) {
      el.style.transform = ''; // 1:1 stays pixel-exact: no resampling on the real wall
      return;
    }
    const dx = (bw - screen.width * s) / 2;
    const dy = (bh - screen.height * s) / 2;
    el.style.transformOrigin = '0 0';
    el.style.transform = `translate(${dx}px, ${dy}px) scale(${s})`;
  };
  const resizeObserver = new ResizeObserver(fit);
  if (host) resizeObserver.observe(host);
  window.addEventListener('resize', fit);
  fit();

  // The wall's legibility rule as CSS variables: tile type is never smaller than these
  // (max() against sizes relative to the tile). A wall without a rule leaves them unset,
  // and every size falls back to its relative one.
  function applyLegibility(info) {
    for (const [name, px] of [['--min-text', info.min_text_px], ['--min-value', info.min_value_px]]) {
      if (Number.isFinite(px) && px > 0) el.style.setProperty(name, `${px}px`);
      else el.style.removeProperty(name);
    }
  }

  function setLinkState(state) {
    el.dataset.link = state;
  }

  function setShownAttributes() {
    el.dataset.layoutVersion = String(version);
    el.dataset.preset = preset ?? '';
    document.body.dataset.layoutVersion = String(version);
    document.body.dataset.preset = preset ?? '';
  }

  // ---- link -------------------------------------------------------------------------------
  const link = replay ? quietLink() : new Link(wsUrl, {
    onOpen() {
      link.send({ type: 'hello', screen: screenId, token, layout_version: version, preview });
    },
    onMessage(msg) {
      const handler = handlers[msg?.type];
      if (handler) handler(msg);
      else console.warn('wall: unknown message type', msg?.type);
    },
    onDown(reason) {
      connected = false;
      burstLeft = 0;
      if (!lost) lost = { sinceServer: serverNow(), sinceLocal: performance.now(), error: null };
      lost.error = lastError;
      lost.refused = refused;
      setLinkState(refused ? 'refused' : 'lost');
      // What the server said of itself no longer holds; the banner speaks for the link.
      degraded = null;
      delayed.render(null);
      // A server that said it restarts is back in seconds: no red band for that.
      if (performance.now() >= graceUntil) banner.render(lost);
      console.warn('wall: link down:', reason);
    },
    onMove(origin) {
      // Back to the page's own server: the content stays, no banner; welcome follows.
      connected = false;
      burstLeft = 0;
      console.info('wall: back to', origin);
    },
  }, servers ? new Servers(servers) : null);

  const sendPing = () => link.send({ type: 'ping', t0: localNow() });

  const handlers = {
    welcome(msg) {
      screen = msg.screen;
      lang = msg.lang || 'vi';
      if (!sync.best) sync.setRough(msg.server_time, localNow());
      el.dataset.screen = screen.id;
      applyLegibility(screen);
      fit();
      connected = true;
      lastError = null;
      refused = false;
      lost = null;
      graceUntil = 0;
      link.healthy();
      setLinkState('up');
      banner.render(null);
      // A burst, one ping per pong: quick convergence without queueing pings behind each other.
      burstLeft = PING_BURST - 1;
      sendPing();
    },
    pong(msg) {
      sync.addSample(msg.t0, localNow(), msg.ts);
      if (burstLeft > 0) {
        burstLeft -= 1;
        sendPing();
      }
    },
    layout: onLayout,
    server_state(msg) {
      el.dataset.server = msg.status;
      if (msg.status === 'ok') degraded = null;
      else if (!degraded) degraded = { sinceServer: serverNow(), sinceLocal: performance.now() };
      delayed.render(degraded);
    },
    banners(msg) {
      overlay.set(msg.banners);
    },
    restarting(msg) {
      graceUntil = performance.now() + (msg.grace_ms ?? RESTART_GRACE_MS);
    },
    data(msg) {
      // Several messages within one frame become one DOM pass.
      dataQueue.push(msg);
      // Applied as soon as the burst of frames that arrived together is read: the browser
      // batches the DOM writes into its next paint anyway, and waiting for an animation
      // frame adds up to a frame of latency (more on a busy machine).
      if (!cancelFlush) {
        const timer = setTimeout(flushData, 0);
        cancelFlush = () => clearTimeout(timer);
      }
    },
    error(msg) {
      lastError = `${msg.code}: ${msg.message}`;
      console.error('wall: server error', lastError);
      // A kiosk's token is wrong or revoked (the page then has no pass at all, and its
      // hello is refused as malformed): retrying will not help until it gets a new URL.
      refused = !preview && (msg.code === 'unauthenticated' || !token);
      if (lost) Object.assign(lost, { error: lastError, refused });
      link.restart(ERROR_RETRY_MS, lastError);
    },
  };

  // ---- layouts ----------------------------------------------------------------------------
  function onLayout(msg) {
    if (replay) msg = { ...msg, swap_at: null }; // replayed: shown when it is applied
    // Data that arrived before this layout is older than its initial data: apply it now,
    // to the old layers, so it can never overwrite the newer values.
    flushData();
    if (pending) {
      pending.cancel();
      pending.layer.destroy();
      pending = null;
    }
    const layer = new Layer(stage, msg, ctx);
    if (msg.swap_at === null || msg.swap_at === undefined) {
      show(layer, msg, serverNow());
      return;
    }
    const cancel = runAtServerTime(msg.swap_at, serverNow, (at) => show(layer, msg, at));
    pending = { layer, cancel };
  }

  function show(layer, msg, at) {
    // Same frame: the new layer appears and the old one goes, never both or neither.
    layer.show();
    if (current) current.retire();
    current = layer;
    if (pending?.layer === layer) pending = null;
    version = msg.version;
    preset = msg.preset;
    shownAt = at;
    setShownAttributes();
    if (msg.switch_id) {
      const lateMs = msg.swap_at == null ? 0 : Math.max(0, at - msg.swap_at);
      const record = { switch_id: msg.switch_id, at, late_ms: lateMs };
      swaps.push(record);
      if (swaps.length > KEEP_SWAPS) swaps.shift();
      if (!preview) link.send({ type: 'swapped', ...record });
    }
  }

  // ---- data -------------------------------------------------------------------------------
  function flushData() {
    if (cancelFlush) cancelFlush();
    cancelFlush = null;
    if (dataQueue.length === 0) return;
    const queue = dataQueue;
    dataQueue = [];
    const stamps = [];
    for (const msg of queue) {
      for (const [tileId, patch] of Object.entries(msg.tiles || {})) {
        // A pending layout gets the data too: it must be current when it appears.
        const a = current ? current.apply(tileId, patch) : false;
        const b = pending ? pending.layer.apply(tileId, patch) : false;
        if (!a && !b) continue;
        applied += 1;
        const ts = msg.ts?.[tileId];
        if (typeof ts === 'number') stamps.push(ts);
      }
    }
    const now = serverNow(); // after the DOM work: latency up to "applied", not "received"
    for (const ts of stamps) latency.add(now - ts);
  }

  // ---- periodic work ----------------------------------------------------------------------
  // Once a second, just after each server-clock second boundary, so every screen's
  // clock and age labels turn over together.
  function scheduleTick() {
    tickTimer = setTimeout(() => {
      if (closed) return;
      current?.tick();
      pending?.layer.tick();
      if (lost && performance.now() >= graceUntil) banner.render(lost);
      if (degraded) delayed.render(degraded);
      overlay.render(); // the clock offset may have moved an expiry
      scheduleTick();
    }, 1000 - (((serverNow() % 1000) + 1000) % 1000) + 10);
  }

  const pingTimer = replay ? null : setInterval(sendPing, PING_EVERY_MS);
  const healthTimer = preview || replay ? null : setInterval(sendHealth, HEALTH_EVERY_MS);

  function sendHealth() {
    if (!connected || !screen || sync.rtt === null) return;
    const lat = latency.summary();
    const mem = performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null;
    link.send({
      type: 'health',
      offset_ms: round(sync.offset),
      rtt_ms: round(sync.rtt),
      latency_p50_ms: lat.p50,
      latency_p99_ms: lat.p99,
      memory_mb: mem === null ? null : round(mem),
      width: screen.width,
      height: screen.height,
      applied,
    });
  }

  function close() {
    if (closed) return;
    closed = true;
    link.close();
    clearTimeout(tickTimer);
    if (pingTimer) clearInterval(pingTimer);
    if (healthTimer) clearInterval(healthTimer);
    if (cancelFlush) cancelFlush();
    if (pending) { pending.cancel(); pending.layer.destroy(); }
    current?.destroy();
    overlay.close();
    resizeObserver.disconnect();
    window.removeEventListener('resize', fit);
    el.replaceChildren();
    if (window.wallScreen === live) delete window.wallScreen;
  }

  if (!replay) window.wallScreen = live;
  scheduleTick();
  // Tiles measure themselves when built (the ticker its text), so styles come first; and
  // every tile module has loaded or failed (tiles.js), so a layout finds each renderer.
  const ready = Promise.all([addStylesheet(el, new URL('./screen.css', import.meta.url).href), loadTileModules()])
    .then(() => { if (!closed) link.start(); });
  const setToken = (next) => { token = next; };
  const handle = { stats: snapshot, close, setToken, server: () => link.origin };
  if (!replay) return handle;
  // Replay: the page applies kept messages in order, each at once; reset() before a seek.
  const receive = (msg) => {
    handlers[msg?.type]?.(msg);
    flushData();
  };
  const reset = () => {
    flushData();
    if (pending) { pending.cancel(); pending.layer.destroy(); pending = null; }
    current?.destroy();
    current = null;
    overlay.set([]);
  };
  const tick = () => { current?.tick(); overlay.render(); };
  return { ...handle, ready, receive, reset, tick };
}

// Replay mode's link: nothing to connect to, nothing sent.
function quietLink() {
  const noop = () => {};
  return { start: noop, send: noop, close: noop, restart: noop, healthy: noop, origin: null };
}
