// Calibration: what the installer checks from across the room — which screen this is,
// its resolution, how far its clock is from the server's, the link's round trip and
// update latency; a 120 px grid and a 1 px border show alignment across the bezels.

import { registerTile } from '../tiles.js';
import { formatNumber, formatSigned, formatTime } from '../format.js';

function ms(value) {
  return value === null || value === undefined ? '—' : `${formatNumber(value, 1)} ms`;
}

function draw(el, ctx) {
  const st = ctx.stats;
  const screen = ctx.screen || {};
  const lat = st.latencies;
  const now = ctx.serverNow();
  const set = (cls, text) => {
    const node = el.querySelector(cls);
    if (node.textContent !== text) node.textContent = text;
  };
  set('.cal-id', screen.id ?? '?');
  set('.cal-res', `${screen.width ?? '?'} × ${screen.height ?? '?'}`);
  if (ctx.replay) {
    // The history keeps what the screen was sent, not its link's measurements: say so
    // rather than show this browser's own (empty) figures as the screen's.
    const none = 'không lưu khi phát lại · not kept for replay';
    set('.cal-offset', `lệch đồng hồ · clock offset: ${none}`);
    set('.cal-rtt', `khứ hồi · round trip: ${none}`);
    set('.cal-lat', `độ trễ cập nhật · update latency: ${none}`);
  } else {
    set('.cal-offset', `lệch đồng hồ · clock offset ${st.offset_ms === null ? '—' : `${formatSigned(st.offset_ms, 1)} ms`}`);
    set('.cal-rtt', `khứ hồi · round trip ${ms(st.rtt_ms)}`);
    set('.cal-lat', `độ trễ cập nhật · update latency p50 ${ms(lat.p50)} · p99 ${ms(lat.p99)}`);
  }
  set('.cal-time', `${formatTime(now)} · ${st.version === null ? '—' : `v${st.version}`}`);
  // Flips on every server second: photograph the wall to see every screen flip together.
  el.classList.toggle('odd-second', Math.floor(now / 1000) % 2 === 1);
}

registerTile('calibration', {
  create(el, params, ctx) {
    el.classList.add('calibration');
    if (params.show_grid !== false) el.classList.add('with-grid');
    el.innerHTML = `
      <div class="cal-info">
        <div class="cal-id"></div>
        <div class="cal-res"></div>
        <div class="cal-offset"></div>
        <div class="cal-rtt"></div>
        <div class="cal-lat"></div>
        <div class="cal-time"></div>
      </div>
      <div class="cal-flash"></div>`;
    draw(el, ctx);
  },
  update(el, data, params, ctx) {
    draw(el, ctx);
  },
  tick(el, data, params, ctx) {
    draw(el, ctx);
  },
});
