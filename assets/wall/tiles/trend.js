// A series of recent periods against its target, drawn as plain SVG: the value line with
// a point per period in its status colour (a hollow red ring where a report is missing),
// the target as a dashed line (a step where the target changes between years), warning
// and alarm thresholds, a shaded band for band indicators, axes in Vietnamese numbers.
// Data: feeds.tile_data.trend_data ({…indicator header, points, lines}).

import { registerTile } from '../tiles.js';
import { bilingual } from '../format.js';
import { ensureStyles, lateNow, lateText, num, setText, svg } from './indicator-common.js';

function niceStep(range, ticks) {
  const raw = range / Math.max(1, ticks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
}

function statusOf(value, data) {
  // Colour points by the thresholds the tile knows; the last point uses data.status.
  const l = data.lines || {};
  if (value === null || value === undefined || data.direction === 'neutral') return 'neutral';
  if (data.direction === 'band') {
    if (l.band_low === null || l.band_low === undefined) return 'neutral';
    return value >= l.band_low && value <= l.band_high ? 'ok' : 'warning';
  }
  const has = (v) => v !== null && v !== undefined;
  if (!has(l.alarm) && !has(l.warning)) return 'neutral';
  const sign = data.direction === 'lower_better' ? -1 : 1;
  if (has(l.alarm) && sign * value < sign * l.alarm) return 'alarm';
  if (has(l.warning) && sign * value < sign * l.warning) return 'warning';
  return 'ok';
}

function drawChart(host, data) {
  // Layout sizes, not getBoundingClientRect: a preview scales the screen with a transform.
  const W = Math.max(200, host.clientWidth);
  const H = Math.max(120, host.clientHeight);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H });
  const points = data.points || [];
  const lines = data.lines || {};
  const fs = Math.max(14, Math.min(H * 0.075, W * 0.03));
  const left = fs * 4.2;
  const right = fs * 2;
  const top = fs * 0.8;
  const bottom = fs * 2.0;
  const ys = [];
  for (const p of points) {
    for (const v of [p.value, p.target, p.target_high]) if (v !== null && v !== undefined) ys.push(v);
  }
  for (const v of [lines.warning, lines.alarm, lines.band_low, lines.band_high]) {
    if (v !== null && v !== undefined) ys.push(v);
  }
  host.replaceChildren(chart);
  if (ys.length === 0 || points.length === 0) return;
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const step = niceStep(hi - lo, 4);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  if (hi - lo < step) hi = lo + step;
  const n = Math.max(1, points.length - 1);
  const x = (i) => left + ((W - left - right) * i) / n;
  const y = (v) => top + ((H - top - bottom) * (hi - v)) / (hi - lo);
  const decimals = step < 1 ? Math.min(2, Math.ceil(-Math.log10(step))) : 0;

  for (let v = lo; v <= hi + step / 2; v += step) {
    chart.append(svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }));
    const t = svg('text', { x: left - fs * 0.4, y: y(v) + fs * 0.35, 'text-anchor': 'end', 'font-size': fs });
    t.textContent = num(v, decimals);
    chart.append(t);
  }
  chart.append(svg('line', { x1: left, x2: left, y1: top, y2: H - bottom, class: 'axis' }));
  chart.append(svg('line', { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, class: 'axis' }));
  const every = Math.ceil(points.length / Math.max(2, Math.floor((W - left - right) / (fs * 4))));
  points.forEach((p, i) => {
    if (i % every !== 0 && i !== points.length - 1) return;
    const t = svg('text', { x: x(i), y: H - bottom + fs * 1.3, 'text-anchor': 'middle', 'font-size': fs });
    t.textContent = p.short || p.period;
    chart.append(t);
  });

  if (lines.band_low !== null && lines.band_low !== undefined) {
    chart.append(svg('rect', {
      x: left, width: W - left - right, y: y(lines.band_high),
      height: Math.max(1, y(lines.band_low) - y(lines.band_high)), class: 'band',
    }));
  }
  for (const [key, cls] of [['warning', 'th-warning'], ['alarm', 'th-alarm']]) {
    const v = lines[key];
    if (v === null || v === undefined) continue;
    chart.append(svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: cls }));
  }
  // The target as steps: each period's own target (they change from year to year).
  let d = '';
  let pen = false;
  points.forEach((p, i) => {
    if (p.target === null || p.target === undefined) { pen = false; return; }
    const x0 = i === 0 ? x(0) : (x(i - 1) + x(i)) / 2;
    const x1 = i === points.length - 1 ? x(i) : (x(i) + x(i + 1)) / 2;
    d += `${pen ? 'L' : 'M'}${x0.toFixed(1)},${y(p.target).toFixed(1)} L${x1.toFixed(1)},${y(p.target).toFixed(1)} `;
    pen = true;
  });
  if (d) chart.append(svg('path', { d, class: 'target' }));

  d = '';
  pen = false;
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)} `;
    pen = true;
  });
  chart.append(svg('path', { d, class: 'series' }));
  const r = Math.max(4, fs * 0.32);
  const lastKnown = points.map((p) => p.value).lastIndexOf(points.filter((p) => p.value != null).at(-1)?.value);
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) {
      chart.append(svg('circle', { cx: x(i), cy: H - bottom - r * 1.5, r, class: 'missing' }));
      return;
    }
    const st = i === lastKnown ? (data.status || statusOf(p.value, data)) : statusOf(p.value, data);
    chart.append(svg('circle', { cx: x(i), cy: y(p.value), r, class: `pt st-${st}` }));
  });
  if (lastKnown >= 0) {
    const p = points[lastKnown];
    const t = svg('text', {
      x: x(lastKnown) - r * 1.5, y: y(p.value) - r * 1.6, 'text-anchor': 'end',
      'font-size': fs * 1.1, class: 'last-label',
    });
    t.textContent = num(p.value, data.decimals);
    chart.append(t);
  }
}

function draw(el, data, params, ctx) {
  const root = el.querySelector('.ind-trend');
  const lang = ctx.lang;
  if (!data.indicator) {
    setText(root.querySelector('.t-name'), params.indicator);
    return;
  }
  const area = data.area === 'VN' ? '' : ` · ${data.area_vi}`;
  const name = root.querySelector('.t-name');
  name.hidden = Boolean(params.title_vi || params.title_en); // the title bar names it
  setText(name, bilingual(data.name_vi, data.name_en, lang)[0] + area);
  const v = root.querySelector('.t-value');
  v.className = `t-value st-${data.status || 'neutral'}`;
  setText(v, data.value === null || data.value === undefined ? '—' : num(data.value, data.decimals));
  setText(root.querySelector('.t-unit'),
    `${bilingual(data.unit_vi, data.unit_en, lang)[0]} · ${bilingual(data.period_vi, data.period_en, lang)[0]}`);
  const legend = root.querySelector('.t-legend');
  const lines = data.lines || {};
  const t = data.target;
  const items = [`<span><i></i>${lang === 'en' ? 'Value' : 'Giá trị'}</span>`];
  if (t) items.push(`<span><i class="tg"></i>${lang === 'en' ? 'Target' : 'Mục tiêu'} (${t.set_by_vi})</span>`);
  if (lines.warning !== null && lines.warning !== undefined) items.push(`<span><i class="wa"></i>${lang === 'en' ? 'Warning' : 'Cảnh báo'} ${num(lines.warning)}</span>`);
  if (lines.alarm !== null && lines.alarm !== undefined) items.push(`<span><i class="al"></i>${lang === 'en' ? 'Alarm' : 'Báo động'} ${num(lines.alarm)}</span>`);
  legend.innerHTML = items.join('');
  el.trendData = data;
  drawChart(root.querySelector('.t-chart'), data);
  drawLate(el, data, ctx);
}

function drawLate(el, data, ctx) {
  const root = el.querySelector('.ind-trend');
  if (!data.indicator) return;
  const { late, overdueMs } = lateNow(data, ctx);
  const badge = root.querySelector('.late-badge');
  badge.hidden = !late;
  if (late) setText(badge, lateText(overdueMs, ctx.lang));
}

registerTile('trend', {
  create(el) {
    ensureStyles(el);
    el.innerHTML = `<div class="ind ind-trend">
      <div class="t-head"><span class="t-name"></span><span class="t-value"></span>
        <span class="t-unit"></span><span class="late-badge" hidden></span></div>
      <div class="t-legend"></div>
      <div class="t-chart"></div></div>`;
    // Redraw at the tile's real size when it changes (a layout built hidden, a resize).
    el.trendObserver = new ResizeObserver(() => {
      if (el.trendData) drawChart(el.querySelector('.t-chart'), el.trendData);
    });
    el.trendObserver.observe(el.querySelector('.t-chart'));
  },
  update(el, data, params, ctx) {
    draw(el, data, params, ctx);
  },
  tick(el, data, params, ctx) {
    drawLate(el, data, ctx);
  },
  destroy(el) {
    el.trendObserver?.disconnect();
  },
});
