// The screen's one WebSocket, kept alive by itself: on any close it reconnects with
// jittered exponential backoff (never a page reload: the last content stays on the wall).
// With several wall servers (servers.js) every retry goes to the next one in the order,
// and a page away from its own server goes back to it as soon as it answers again.

import { answers } from './servers.js';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;
// Pings flow every 2 s (screen.js), so silence this long means a half-open socket the
// browser has not noticed (cable pulled) or a hung server (SIGSTOP); a killed server
// closes the socket at once. With several servers the link gives up after three missed
// pongs, so a hung server is left within ~7 s; alone, there is nowhere to go and a busy
// server's pause must not cost a reconnect, so it waits longer.
const SILENCE_MS = 15000;
const SILENCE_SEVERAL_MS = 6000;
// A hung server still completes TCP (the kernel's backlog) but never the WebSocket
// handshake: with another server to try, give up on an attempt after this.
const CONNECT_TIMEOUT_MS = 4000;
// Away from the page's own server, ask it this often whether it is back.
const HOME_CHECK_MS = 3000;

export class Link {
  /**
   * handlers: onOpen(), onMessage(msg), onDown(reason) — onDown once per lost socket —
   * and optionally onMove(origin): the link leaves a live server for the page's own one.
   * servers: a servers.Servers (url is then a path such as '/ws/screen'), or null.
   */
  constructor(url, handlers, servers = null) {
    this.url = url;
    this.servers = servers;
    this.h = handlers;
    this.ws = null;
    this.delay = FIRST_DELAY_MS;
    this.override = null; // one-off retry delay (after a server error)
    this.retryTimer = null;
    this.lastRx = 0;
    this.closed = false;
    this.connectTimer = null;
    this.probing = false;
    this.silenceMs = servers?.several ? SILENCE_SEVERAL_MS : SILENCE_MS;
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
    this.homeTimer = servers?.several ? setInterval(() => this.checkHome(), HOME_CHECK_MS) : null;
  }

  /** The origin the link uses now (the page's own without a server list). */
  get origin() {
    return this.servers ? this.servers.current : location.origin;
  }

  start() {
    if (this.closed) return;
    let ws;
    try {
      ws = new WebSocket(this.servers ? this.servers.url(this.url) : this.url);
    } catch (err) {
      this.down(`cannot open: ${err.message}`);
      return;
    }
    this.ws = ws;
    clearTimeout(this.connectTimer);
    if (this.servers?.several) {
      this.connectTimer = setTimeout(() => {
        if (this.ws === ws && ws.readyState === WebSocket.CONNECTING) this.down('no answer in 4 s');
      }, CONNECT_TIMEOUT_MS);
    }
    ws.onopen = () => {
      clearTimeout(this.connectTimer);
      this.lastRx = performance.now();
      this.h.onOpen();
    };
    ws.onmessage = (ev) => {
      this.lastRx = performance.now();
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        console.warn('wall: unreadable frame ignored');
        return;
      }
      this.h.onMessage(msg);
    };
    // error is always followed by close; handle the loss once, on close.
    ws.onclose = (ev) => {
      if (this.ws === ws) this.down(ev.reason || `closed (${ev.code})`);
    };
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  send(msg) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** The link works end to end (welcome arrived): the next loss starts backoff afresh. */
  healthy() {
    this.delay = FIRST_DELAY_MS;
  }

  /** Drop the socket and retry after `delayMs` (a server error: retry slowly). */
  restart(delayMs, reason) {
    this.override = delayMs;
    const ws = this.ws;
    if (ws) {
      this.down(reason);
      ws.close();
    }
  }

  down(reason) {
    if (this.ws) {
      const ws = this.ws;
      ws.onopen = ws.onmessage = ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
    }
    this.ws = null;
    clearTimeout(this.connectTimer);
    if (this.closed) return;
    this.h.onDown(reason);
    // The next attempt goes to the next server: the one just lost is likely gone, and the
    // home check brings the page back to its own server once that answers.
    if (this.servers?.several) this.servers.advance();
    let wait;
    if (this.override !== null) {
      wait = this.override;
      this.override = null;
    } else {
      wait = this.delay;
      this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
    }
    // Jitter ±25 %: a wall of screens that lost the server together must not return in lockstep.
    wait *= 0.75 + Math.random() * 0.5;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), wait);
  }

  checkSilence() {
    if (this.open && performance.now() - this.lastRx > this.silenceMs) {
      this.down(`no frames for ${this.silenceMs / 1000} s`);
    }
  }

  /** On another server than the page's own: move back once the own one answers. */
  async checkHome() {
    if (this.closed || this.probing || !this.open || this.servers.atPreferred) return;
    this.probing = true;
    const back = await answers(this.servers.preferred);
    this.probing = false;
    if (!back || this.closed || !this.open || this.servers.atPreferred) return;
    // A planned move, not a loss: no onDown (no banner); the next welcome takes over.
    const ws = this.ws;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close(1000, 'back to the preferred server');
    this.servers.home();
    this.h.onMove?.(this.servers.current);
    this.delay = FIRST_DELAY_MS;
    this.start();
  }

  close() {
    this.closed = true;
    clearInterval(this.watchdog);
    clearInterval(this.homeTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }
}
