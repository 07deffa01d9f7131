// Playback beside the wall: the recorded call(s) covering the replayed instant, in a
// <video> kept in step with the timeline (play, pause, rate, seek). For whom the recordings
// API answers (admin, duty officer); anyone else never sees the panel.

import { shownVn, toMs } from './source.js';

const DRIFT_MS = 1500; // the video is put back on the timeline past this much apart
const WINDOW_MS = 6 * 3600 * 1000; // the recordings listed around t

export class RecordingsPanel {
  constructor(box, source, player) {
    this.box = box;
    this.source = source;
    this.player = player;
    this.list = [];
    this.listedAround = null;
    this.current = null; // {recording, segment}
    box.hidden = false;
    box.innerHTML = `<h2>Bản ghi cuộc gọi <small>Call recordings</small></h2>
      <p class="rec-none" role="status">Không có bản ghi lúc này · No recording at this moment</p>
      <div class="rec-now" hidden><p class="rec-name"></p>
      <video class="rec-video" controls preload="auto" playsinline></video>
      <a class="rec-download" download>Tải đoạn ghi · Download segment</a></div>`;
    this.none = box.querySelector('.rec-none');
    this.now = box.querySelector('.rec-now');
    this.video = box.querySelector('video');
    this.name = box.querySelector('.rec-name');
    this.download = box.querySelector('.rec-download');
    player.listen((kind) => this.follow(kind));
  }

  async refresh(t) {
    if (this.listedAround !== null && Math.abs(t - this.listedAround) < WINDOW_MS / 2) return;
    this.listedAround = t;
    try {
      const answer = await this.source.recordings(t - WINDOW_MS, t + WINDOW_MS);
      this.list = answer.recordings ?? [];
    } catch (err) {
      // 403: not for this person; anything else: say nothing is shown.
      if (err.status === 403) this.box.hidden = true;
      this.list = [];
    }
  }

  covering(t) {
    for (const recording of this.list) {
      for (const segment of recording.segments ?? []) {
        const start = toMs(segment.started_at);
        const end = segment.ended_at ? toMs(segment.ended_at) : Date.now();
        if (t >= start && t < end) return { recording, segment, start };
      }
    }
    return null;
  }

  async follow(kind) {
    const p = this.player;
    if (kind === 'seeking' || kind === 'seeked') this.listedAround = kind === 'seeked' ? null : this.listedAround;
    await this.refresh(p.t);
    const found = this.covering(p.t);
    const same = found && this.current && found.segment.url === this.current.segment.url;
    if (!found) {
      if (this.current) this.video.pause();
      this.current = null;
      this.none.hidden = false;
      this.now.hidden = true;
      this.box.dataset.state = 'none';
      return;
    }
    this.none.hidden = true;
    this.now.hidden = false;
    if (!same) {
      this.current = found;
      const name = found.recording.point_name ?? {};
      this.name.textContent = `${name.vi ?? found.recording.point} · ${name.en ?? ''} — ${shownVn(found.start)}`;
      this.video.src = found.segment.url;
      this.download.href = found.segment.url;
    }
    this.box.dataset.state = 'playing';
    this.box.dataset.segment = found.segment.url;
    const want = (p.t - found.start) / 1000;
    if (!same || kind === 'seeked' || Math.abs(this.video.currentTime - want) * 1000 > DRIFT_MS) {
      this.video.currentTime = Math.max(0, want);
    }
    this.video.playbackRate = Math.min(16, p.rate);
    this.video.muted = p.rate !== 1;
    if (p.playing && this.video.paused) this.video.play().catch(() => {});
    if (!p.playing && !this.video.paused) this.video.pause();
  }
}
