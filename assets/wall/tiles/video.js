// Video tiles: a bridge point's live picture (WHEP, the screen's device token), its name and
// link quality overlaid, and "KHÔNG CÓ TÍN HIỆU · No signal" instead of a frozen frame as
// soon as frames stop. Resubscribes by itself: when the point rejoins, when frames stay
// away, and when the console pins another source to this tile.
//
// params: {point: <point id> | 'active' | 'program', show_name, show_quality}
// The control channel (assets/video/control.js) gives names, pins, joins and statistics.

import { onServer } from '../servers.js';
import { addStylesheet, setText } from '../../common/dom.js';
import { registerTile } from '../tiles.js';
import { acquireControl } from '../../video/control.js';
import { LEVEL_TEXT, describe, grade } from '../../video/quality.js';
import { hangup, watch } from '../../video/whip.js';

const NO_FRAME_MS = 1500; // frames stopped this long: no signal, never a frozen picture
const RESUBSCRIBE_MIN_MS = 3000;
const RESUBSCRIBE_MAX_MS = 15000;
const WATCH_EVERY_MS = 250;

// For tests and the console: every live tile of this page.
const live = new Set();
window.wallVideo = {
  stats: () => [...live].map((t) => t.stats()),
};

class VideoTile {
  constructor(el, params, ctx) {
    this.el = el;
    this.params = params;
    this.ctx = ctx;
    this.tileId = (el.closest('[data-tile]')?.dataset.tile || '').split('@')[0];
    // The wall server the screen's link uses now (another one after a failover).
    this.base = ctx.serverOrigin ?? location.origin;
    this.ctx = ctx;
    this.state = 'connecting';
    this.frames = 0;
    this.subscriptions = 0;
    this.lastFrameAt = null;
    this.subscribedAt = performance.now();
    this.backoffMs = RESUBSCRIBE_MIN_MS;
    this.session = null; // {pc, stream, location}
    this.source = null;
    this.error = null;
    this.closed = false;

    el.classList.add('video-tile');
    el.innerHTML = `
      <video muted autoplay playsinline disablepictureinpicture></video>
      <div class="video-nosignal" hidden>
        <div class="v-big">KHÔNG CÓ TÍN HIỆU</div><div class="v-big-en">No signal</div>
        <div class="v-why"></div>
      </div>
      <div class="video-name"><span class="n-vi"></span><span class="n-en"></span></div>
      <div class="video-rec" hidden><i class="rec-dot"></i><span>ĐANG GHI · REC</span></div>
      <div class="video-quality" data-level="none"><span class="q-bars"><i></i><i></i><i></i></span>
        <span class="q-text"></span></div>`;
    this.video = el.querySelector('video');
    this.noSignal = el.querySelector('.video-nosignal');
    this.nameBox = el.querySelector('.video-name');
    this.qualityBox = el.querySelector('.video-quality');
    // ĐANG GHI · REC while the point's call is recorded (its status says so: everyone who
    // sees the call is told it is kept).
    this.recBox = el.querySelector('.video-rec');
    this.placeNoSignal(ctx.parts, el);
    this.placeName(ctx.parts, el);
    this.nameBox.hidden = params.show_name === false;
    this.qualityBox.hidden = params.show_quality === false;
    addTileStylesheet(el, this.base);

    this.countFrames();
    this.held = acquireControl(this.base, this.ctx.videoCredential);
    this.control = this.held.control;
    this.unlisten = this.control.listen((msg) => this.onControl(msg));
    this.watchdog = setInterval(() => this.check(), WATCH_EVERY_MS);
    live.add(this);
    this.subscribe();
    this.render();
  }

  /** The WHEP source this tile shows now: a console pin wins over the preset. */
  wanted() {
    return this.control.pins[this.tileId] ?? this.params.point;
  }

  /** The point whose picture the source carries (for the name and the quality). */
  shownPoint() {
    const source = this.source ?? this.wanted();
    if (source === 'active') return this.control.activeSpeaker;
    if (source === 'program') return this.control.program;
    return source;
  }

  async subscribe() {
    if (this.closed) return;
    this.unsubscribe();
    const source = this.wanted();
    this.source = source;
    this.subscribedAt = performance.now();
    this.subscriptions += 1;
    const attempt = this.subscriptions;
    this.setState(this.lastFrameAt === null ? 'connecting' : 'no-signal');
    try {
      const session = await watch(this.base, source, this.ctx.videoCredential, { audio: false });
      if (this.closed || attempt !== this.subscriptions) {
        session.pc.close();
        hangup(session.location, this.ctx.videoCredential);
        return;
      }
      this.session = session;
      this.error = null;
      this.video.srcObject = session.stream;
      this.video.play().catch(() => {}); // muted: autoplay is allowed
      session.pc.addEventListener('connectionstatechange', () => {
        if (this.session !== session) return;
        const s = session.pc.connectionState;
        if (s === 'failed' || s === 'closed') this.lost('link');
      });
    } catch (err) {
      if (attempt !== this.subscriptions) return;
      this.error = err.status ? `${err.status} ${err.code}: ${err.message}` : String(err.message || err);
      console.warn(`wall: video tile ${this.tileId} could not watch ${source}:`, this.error);
      this.setState(err.final ? 'refused' : 'no-signal');
    }
    this.render();
  }

  unsubscribe() {
    const session = this.session;
    this.session = null;
    if (!session) return;
    session.pc.close();
    hangup(session.location, this.ctx.videoCredential);
    this.video.srcObject = null;
  }

  countFrames() {
    const v = this.video;
    if (typeof v.requestVideoFrameCallback === 'function') {
      const onFrame = () => {
        if (this.closed) return;
        this.frames += 1;
        this.lastFrameAt = performance.now();
        if (this.state !== 'playing') this.setState('playing');
        v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
    } else {
      // Fallback: currentTime advancing means frames are arriving.
      let lastTime = -1;
      this.timeProbe = setInterval(() => {
        if (v.currentTime !== lastTime && !v.paused) {
          lastTime = v.currentTime;
          this.frames += 1;
          this.lastFrameAt = performance.now();
          if (this.state !== 'playing') this.setState('playing');
        }
      }, 100);
    }
  }

  check() {
    if (this.closed) return;
    const now = performance.now();
    if (this.state === 'playing' && now - (this.lastFrameAt ?? 0) > NO_FRAME_MS) {
      this.lost('frames');
      return;
    }
    if (this.state === 'playing') return;
    // No picture: ask again, slower each time (a point that is away stays away a while).
    const since = Math.max(this.subscribedAt, this.lastFrameAt ?? 0);
    const wait = this.state === 'refused' ? RESUBSCRIBE_MAX_MS : this.backoffMs;
    if (now - since > wait) {
      this.backoffMs = Math.min(RESUBSCRIBE_MAX_MS, this.backoffMs * 1.5);
      this.subscribe();
    }
  }

  lost(why) {
    if (this.state === 'playing' || this.state === 'connecting') this.lostAt = Date.now();
    this.why = why;
    // A point that left or a failed link will send nothing more: drop the session so a
    // frame still queued in the decoder cannot flip the tile back to "playing".
    if (why !== 'frames') this.unsubscribe();
    this.setState('no-signal');
  }

  onControl(msg) {
    if (this.closed) return;
    const point = this.shownPoint();
    switch (msg.type) {
      case 'roster':
        if (this.wanted() !== this.source) this.subscribe();
        break;
      case 'pinned':
        if (msg.tile === this.tileId && this.wanted() !== this.source) {
          this.backoffMs = RESUBSCRIBE_MIN_MS;
          this.lastFrameAt = null;
          this.subscribe();
        }
        break;
      case 'joined':
        // The point is back: a fresh subscription gets its next keyframe at once.
        if (msg.point === point && this.state !== 'playing') {
          this.backoffMs = RESUBSCRIBE_MIN_MS;
          this.subscribe();
        }
        break;
      case 'left':
        if (msg.point === point) this.lost('left');
        break;
      default:
        break;
    }
    this.render();
  }

  // On a tile across screens the words go inside its largest screen (the stripes still fill
  // the tile): "KHÔNG CÓ TÍN HIỆU" never on a bezel or its cross.
  placeNoSignal(parts, el) {
    if (!parts || parts.length < 2) return;
    const p = parts.reduce((a, b) => (b.w * b.h > a.w * a.h ? b : a));
    const x = p.x - el.offsetLeft;
    const y = p.y - el.offsetTop;
    const W = el.offsetWidth;
    const H = el.offsetHeight;
    Object.assign(this.noSignal.style, {
      paddingLeft: `${Math.max(0, x)}px`, paddingTop: `${Math.max(0, y)}px`,
      paddingRight: `${Math.max(0, W - x - p.w)}px`, paddingBottom: `${Math.max(0, H - y - p.h)}px`,
    });
  }

  // The name bar runs along the tile's bottom: on a tile across screens it stays inside the
  // widest screen of the bottom row, so no name is read across a bezel.
  placeName(parts, el) {
    if (!parts || parts.length < 2) return;
    const bottom = el.offsetTop + el.offsetHeight;
    const row = parts.filter((q) => Math.abs(q.y + q.h - bottom) < 1);
    if (!row.length) return;
    const p = row.reduce((a, b) => (b.w > a.w ? b : a));
    const x = p.x - el.offsetLeft;
    Object.assign(this.nameBox.style, {
      left: `${Math.max(0, x)}px`,
      right: `${Math.max(0, el.offsetWidth - x - p.w)}px`,
    });
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (state === 'playing') this.backoffMs = RESUBSCRIBE_MIN_MS;
    this.render();
  }

  render() {
    const el = this.el;
    el.dataset.videoState = this.state;
    el.dataset.source = this.source ?? '';
    const pointId = this.shownPoint();
    el.dataset.point = pointId ?? '';
    const p = pointId ? this.control.point(pointId) : null;
    const vi = p?.name_vi ?? (pointId || (this.source === 'active' ? 'Người đang phát biểu' : '—'));
    const en = p?.name_en ?? (this.source === 'active' ? 'Active speaker' : '');
    setText(this.nameBox.children[0], vi);
    setText(this.nameBox.children[1], en);
    this.nameBox.classList.toggle('is-muted', Boolean(p?.muted));
    this.recBox.hidden = !p?.recording;

    const stats = this.state === 'playing' ? p?.stats ?? null : null;
    const level = this.state === 'playing' ? grade(stats) : 'none';
    this.qualityBox.dataset.level = level;
    const [lvi, len] = LEVEL_TEXT[level];
    const detail = describe(stats, this.ctx.lang);
    setText(this.qualityBox.children[1], stats ? `${lvi} · ${len} — ${detail}` : '');

    const dark = this.state !== 'playing';
    this.noSignal.hidden = !dark;
    el.classList.toggle('is-no-signal', dark);
    if (dark) setText(this.noSignal.querySelector('.v-why'), this.reason(p));
  }

  reason(p) {
    if (this.state === 'refused') return `Bị từ chối · Refused — ${this.error ?? ''}`;
    if (this.state === 'connecting') return 'Đang kết nối… · Connecting…';
    if (p?.no_media) return 'Điểm cầu không gửi hình · The point sends no picture';
    if (p && !p.in_call) return 'Điểm cầu chưa vào phiên · Point not in the call';
    return 'Đang kết nối lại… · Reconnecting…';
  }

  stats() {
    return {
      tile: this.tileId,
      source: this.source,
      point: this.shownPoint(),
      state: this.state,
      frames: this.frames,
      width: this.video.videoWidth,
      subscriptions: this.subscriptions,
      name_vi: this.nameBox.children[0].textContent,
      recording: !this.recBox.hidden,
      error: this.error,
    };
  }

  destroy() {
    this.closed = true;
    live.delete(this);
    clearInterval(this.watchdog);
    clearInterval(this.timeProbe);
    this.unlisten();
    this.unsubscribe();
    this.held.release();
  }
}

// The tile's styles live beside the video modules, on the server the screen uses now.
function addTileStylesheet(el, origin) {
  addStylesheet(el, onServer(new URL('../../video/tile.css', import.meta.url).href, origin));
}

// Replay mode: no live video, a card says so (a recording plays beside the wall instead).
function replayCard(el, params) {
  el.classList.add('video-tile', 'video-replay-card');
  el.innerHTML = `<div class="video-nosignal"><div class="v-big">VIDEO KHÔNG PHÁT LẠI</div>
    <div class="v-big-en">Live video is not replayed</div><div class="v-why"></div></div>`;
  el.querySelector('.v-why').textContent = `Điểm cầu · Bridge point: ${params.point ?? '—'}`;
  addTileStylesheet(el, null);
}

registerTile('video', {
  create(el, params, ctx) {
    if (ctx.replay) {
      replayCard(el, params);
      return;
    }
    el.videoTile = new VideoTile(el, params, ctx);
  },
  update(el) {
    el.videoTile?.render();
  },
  destroy(el) {
    el.videoTile?.destroy();
    el.videoTile = null;
  },
});
