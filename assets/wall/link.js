// The screen's one WebSocket, kept alive by itself: on any close it reconnects with
// jittered exponential backoff (never a page reload: the last content stays on the wall).

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;
// Pings flow every 5 s, so silence this long means a half-open socket the browser
// has not noticed yet (cable pulled, server frozen).
const SILENCE_MS = 15000;

export class Link {
  /**
   * handlers: onOpen(), onMessage(msg), onDown(reason) — onDown once per lost socket.
   */
  constructor(url, handlers) {
    this.url = url;
    this.h = handlers;
    this.ws = null;
    this.delay = FIRST_DELAY_MS;
    this.override = null; // one-off retry delay (after a server error)
    this.retryTimer = null;
    this.lastRx = 0;
    this.closed = false;
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
  }

  start() {
    if (this.closed) return;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.down(`cannot open: ${err.message}`);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
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
    if (this.closed) return;
    this.h.onDown(reason);
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
    if (this.open && performance.now() - this.lastRx > SILENCE_MS) {
      this.down('no frames for 15 s');
    }
  }

  close() {
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.retryTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }
}
