// The video control channel (/ws/video): the roster of bridge points, then events as they
// happen (joined, left, muted, active speaker, program, pins, link statistics). Keeps a
// current picture of the room and tells listeners what changed. Reconnects by itself.
// One channel per page and credential (every video tile of a screen shares it).

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10000;

export class VideoControl {
  constructor(baseUrl, credential) {
    this.url = `${baseUrl.replace(/^http/, 'ws')}/ws/video`;
    this.credential = credential;
    this.points = new Map(); // id -> PointStatus (with .stats kept current)
    this.pins = {};
    this.program = 'room';
    this.activeSpeaker = null;
    this.connected = false;
    this.error = null; // the last refusal ({code, message}), e.g. a wrong token
    this.listeners = new Set();
    this.retryMs = RETRY_MIN_MS;
    this.closed = false;
    this.ws = null;
    this.timer = null;
    this.open();
  }

  /** listener(event) for every event after it is applied; returns an unsubscribe function. */
  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  point(id) {
    return this.points.get(id) ?? null;
  }

  /** Follow the call to another wall server: reconnect there now if the channel is down. */
  moveTo(baseUrl) {
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws/video`;
    if (url === this.url) return;
    this.url = url;
    if (!this.ws && !this.closed) {
      clearTimeout(this.timer);
      this.retryMs = RETRY_MIN_MS;
      this.open();
    }
  }

  open() {
    if (this.closed) return;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      ws.send(JSON.stringify({ type: 'hello', credential: this.credential }));
    });
    ws.addEventListener('message', (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      this.apply(msg);
    });
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const was = this.connected;
      this.connected = false;
      if (was) this.emit({ type: 'control_down', code: e.code });
      // A refused credential will not get better by hammering: wait the longest step.
      if (e.code === 4401 || e.code === 4403) this.retryMs = RETRY_MAX_MS;
      this.retry();
    });
  }

  retry() {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  apply(msg) {
    switch (msg.type) {
      case 'roster':
        this.points = new Map((msg.points || []).map((p) => [p.id, { ...p }]));
        this.pins = { ...(msg.pins || {}) };
        this.program = msg.program ?? 'room';
        this.activeSpeaker = msg.active_speaker ?? null;
        this.connected = true;
        this.error = null;
        this.retryMs = RETRY_MIN_MS;
        break;
      case 'joined': {
        const p = this.points.get(msg.point);
        if (p) Object.assign(p, { online: true, in_call: true, no_media: false });
        break;
      }
      case 'left': {
        const p = this.points.get(msg.point);
        if (p) Object.assign(p, { online: false, in_call: false, no_media: false, recording: false, stats: null });
        break;
      }
      case 'muted': {
        const p = this.points.get(msg.point);
        if (p) p.muted = msg.muted;
        break;
      }
      case 'active_speaker':
        this.activeSpeaker = msg.point ?? null;
        break;
      case 'program':
        this.program = msg.source;
        break;
      case 'pinned':
        if (msg.source === null || msg.source === undefined) delete this.pins[msg.tile];
        else this.pins[msg.tile] = msg.source;
        break;
      case 'link_stats': {
        const p = this.points.get(msg.point);
        if (p) p.stats = msg.stats;
        break;
      }
      case 'point': {
        // A full PointStatus: sent when a point's media stalls (no_media) or comes back, and
        // when its recording starts or stops (recording).
        if (msg.status?.id) this.points.set(msg.status.id, { ...msg.status });
        break;
      }
      case 'error':
        this.error = { code: msg.code, message: msg.message };
        break;
      default:
        break;
    }
    this.emit(msg);
  }

  emit(msg) {
    for (const listener of this.listeners) {
      try { listener(msg, this); } catch (err) { console.error('video control listener', err); }
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close();
    }
    this.listeners.clear();
  }
}

// ---- one shared channel per page and credential, counted -----------------------------------
const shared = new Map();

/** The page's channel for `credential` (opened on first use); release() when done. */
export function acquireControl(baseUrl, credential) {
  const key = `${baseUrl}\n${credential}`;
  let entry = shared.get(key);
  if (!entry) {
    entry = { control: new VideoControl(baseUrl, credential), users: 0 };
    shared.set(key, entry);
  }
  entry.users += 1;
  let released = false;
  return {
    control: entry.control,
    release() {
      if (released) return;
      released = true;
      entry.users -= 1;
      // Kept a little while: a layout swap releases and re-acquires within a second.
      setTimeout(() => {
        if (entry.users === 0 && shared.get(key) === entry) {
          shared.delete(key);
          entry.control.close();
        }
      }, 5000);
    },
  };
}
