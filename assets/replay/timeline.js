// The replay's timeline: a slider over the retained range (drag to any instant; arrow keys
// move it), play/pause, ×1 ×10 ×60, a minute back and forward, and the marks (switches,
// alerts, banners, calls, recordings) as buttons along the slider that jump there.
// Vietnamese first, English second.

import { shownVn, toMs } from './source.js';

const RATES = [1, 10, 60];
const KIND_TEXT = {
  switch: 'Chuyển bố cục · Switch',
  alert: 'Cảnh báo · Alert',
  banner: 'Thông báo · Banner',
  call: 'Cuộc gọi · Call',
  recording: 'Ghi hình · Recording',
};

function button(parent, text, cls, title) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = text;
  if (title) b.title = title;
  parent.append(b);
  return b;
}

export class Timeline {
  constructor(nav, player, range) {
    this.player = player;
    this.range = range; // {from, to} epoch ms
    this.dragging = false;
    nav.replaceChildren();
    const controls = document.createElement('div');
    controls.className = 'tl-controls';
    nav.append(controls);
    this.back = button(controls, '− 1 phút', 'tl-back', 'Lùi 1 phút · One minute back');
    this.playButton = button(controls, '', 'tl-play');
    this.forward = button(controls, '+ 1 phút', 'tl-forward', 'Tiến 1 phút · One minute forward');
    this.rates = RATES.map((r) => {
      const b = button(controls, `×${r}`, 'tl-rate', `Tốc độ ×${r} · Speed ×${r}`);
      b.dataset.rate = String(r);
      b.addEventListener('click', () => this.player.play(r));
      return b;
    });
    this.label = document.createElement('output');
    this.label.className = 'tl-time';
    controls.append(this.label);

    const track = document.createElement('div');
    track.className = 'tl-track';
    nav.append(track);
    this.slider = document.createElement('input');
    this.slider.type = 'range';
    this.slider.className = 'tl-slider';
    this.slider.step = '1000';
    this.slider.setAttribute('aria-label', 'Thời điểm phát lại · Replayed instant');
    track.append(this.slider);
    this.marksBox = document.createElement('div');
    this.marksBox.className = 'tl-marks';
    track.append(this.marksBox);
    this.ends = document.createElement('div');
    this.ends.className = 'tl-ends';
    nav.append(this.ends);

    this.playButton.addEventListener('click', () => this.toggle());
    this.back.addEventListener('click', () => this.jump(-60_000));
    this.forward.addEventListener('click', () => this.jump(60_000));
    this.slider.addEventListener('input', () => {
      this.dragging = true;
      this.label.textContent = shownVn(Number(this.slider.value));
    });
    this.slider.addEventListener('change', () => {
      this.dragging = false;
      this.player.seek(Number(this.slider.value));
    });
    player.listen(() => this.render());
    this.setRange(range);
  }

  toggle() {
    if (this.player.playing) this.player.pause();
    else this.player.play();
  }

  jump(deltaMs) {
    this.player.seek(this.player.t + deltaMs);
  }

  setRange({ from, to }) {
    // Whole seconds, so the slider's steps land on them.
    from = Math.floor(from / 1000) * 1000;
    to = Math.ceil(to / 1000) * 1000;
    this.range = { from, to };
    this.player.limit = { from, to };
    this.slider.min = String(from);
    this.slider.max = String(to);
    this.ends.textContent = `${shownVn(from)} — ${shownVn(to)}`;
    this.render();
  }

  setMarks(marks) {
    this.marksBox.replaceChildren();
    const { from, to } = this.range;
    for (const m of marks) {
      const t = toMs(m.t);
      if (t < from || t > to) continue;
      const b = button(this.marksBox, '', `tl-mark kind-${m.kind}`);
      b.dataset.kind = m.kind;
      b.dataset.t = String(t);
      b.style.left = `${(100 * (t - from)) / Math.max(1, to - from)}%`;
      const what = `${KIND_TEXT[m.kind] ?? m.kind}: ${m.label_vi} · ${m.label_en}`;
      b.title = `${shownVn(t)} — ${what}`;
      b.setAttribute('aria-label', b.title);
      b.addEventListener('click', () => this.player.seek(t));
    }
  }

  render() {
    const p = this.player;
    this.playButton.textContent = p.playing ? '❚❚ Tạm dừng · Pause' : '▶ Phát · Play';
    this.playButton.setAttribute('aria-pressed', String(p.playing));
    for (const b of this.rates) {
      b.setAttribute('aria-pressed', String(p.playing && Number(b.dataset.rate) === p.rate));
    }
    if (!this.dragging) {
      this.slider.value = String(p.t);
      this.label.textContent = shownVn(p.t);
    }
  }
}
