// A block of indicators for one area, one cell each: name, value and unit in the status
// colour, a sparkline, the target and attainment, the period, the item's own age and a LATE
// mark on each late item. The frame's age is the oldest item's (a block is never fresher than
// its oldest value), so each item says its own: the reader sees which one is old.
// Data: feeds.tile_group.group_data ({items: [indicator data…], as_of, stale_after_s}).

import { drawLate as drawLateMark, setText, svg } from '../../common/dom.js';
import { registerTile } from '../tiles.js';
import { bilingual, formatAge, toMs } from '../format.js';
import {
  drawSparkline, dropUntilFits, ensureStyles, num, reachText, targetText,
} from './indicator-common.js';

function item(codes, i) {
  const node = document.createElement('div');
  node.className = 'g-item';
  node.dataset.indicator = codes[i] ?? '';
  node.innerHTML = `<div class="g-head"><span class="g-name"></span><span class="late-badge" hidden></span></div>
    <div class="g-row"><div class="g-value"><span class="v"></span><span class="u"></span></div></div>
    <div class="g-meta"><span class="txt period"></span><span class="txt age"></span><span class="txt target"></span><span class="txt agency"></span></div>`;
  const spark = svg('svg', { viewBox: '0 0 100 30', preserveAspectRatio: 'none', class: 'g-spark' });
  node.querySelector('.g-value').after(spark);
  return node;
}

function layout(el, params, count) {
  const root = el.querySelector('.ind-group');
  const cols = Math.max(1, Math.min(Number(params.columns) || 1, count || 1));
  root.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
}

function draw(el, data, params, ctx) {
  const root = el.querySelector('.ind-group');
  const items = Array.isArray(data.items) ? data.items : [];
  const codes = params.indicators || [];
  while (root.children.length < Math.max(items.length, codes.length)) {
    root.append(item(codes, root.children.length));
  }
  layout(el, params, root.children.length);
  [...root.children].forEach((node, i) => {
    const d = items[i];
    if (!d) {
      setText(node.querySelector('.g-name'), codes[i] ?? '');
      setText(node.querySelector('.v'), '…');
      return;
    }
    const lang = ctx.lang;
    // The short name on the tile; the full one on hover.
    setText(node.querySelector('.g-name'), bilingual(d.short_vi || d.name_vi, d.short_en || d.name_en, lang)[0]);
    node.querySelector('.g-name').title = `${d.name_vi} · ${d.name_en}`;
    const has = d.value !== null && d.value !== undefined;
    const status = has ? (d.status || 'neutral') : 'neutral';
    const v = node.querySelector('.v');
    v.className = `v st-${status}`;
    setText(v, has ? num(d.value, d.decimals) : '—');
    setText(node.querySelector('.u'), has ? bilingual(d.unit_vi, d.unit_en, lang)[0] : '');
    node.classList.remove('st-border-ok', 'st-border-warning', 'st-border-alarm');
    if (status !== 'neutral') node.classList.add(`st-border-${status}`);
    setText(node.querySelector('.txt.period'), bilingual(d.period_vi, d.period_en, lang)[0]);
    let target = '';
    if (d.target) {
      const verdict = d.target_met === true ? ' ✓' : d.target_met === false ? ' ✗' : '';
      const reach = reachText(d, lang);
      target = `${lang === 'en' ? 'target' : 'MT'} ${targetText(d.target, d.decimals)}`
        + (reach ? ` (${reach}${verdict})` : verdict);
    }
    setText(node.querySelector('.txt.target'), target);
    setText(node.querySelector('.txt.agency'), d.agency_vi || '');
    drawSparkline(node.querySelector('.g-spark'), d.sparkline || [], status,
      d.target ? d.target.value : null, d.sparkline_breaks);
  });
  drawLive(el, data, ctx, { refit: true });
}

// What changes with the clock alone: each item's age and late mark.
function drawLive(el, data, ctx, { refit = false } = {}) {
  const root = el.querySelector('.ind-group');
  const items = Array.isArray(data.items) ? data.items : [];
  items.forEach((d, i) => {
    const node = root.children[i];
    if (!node) return;
    const badge = node.querySelector('.late-badge');
    const age = node.querySelector('.txt.age');
    const before = `${badge.hidden ? '' : badge.textContent}|${age.textContent}`;
    drawLateMark(badge, d, ctx, { holder: node });
    setText(age, ageText(d, ctx));
    // Measure again only when a text changed (the late mark ticks every second).
    if (refit || before !== `${badge.hidden ? '' : badge.textContent}|${age.textContent}`) fit(node);
  });
}

// "cập nhật 3 giờ trước" (or "3 h ago"): to the minute, so it changes once a minute at most.
function ageText(d, ctx) {
  const asOf = toMs(d.as_of);
  if (asOf === null) return '';
  const { vi, en } = formatAge(ctx.serverNow() - asOf, { seconds: false });
  return bilingual(vi, en, ctx.lang)[0];
}

// Least important first: the agency, the sparkline, the target, the age; the period stays.
// The late mark goes beside the name, where it is seen first; in an item too short for it
// there (a long name pushes it onto a line of its own), beside the period it marks late:
// one line fewer, and the value keeps its room.
function fit(node) {
  const q = (s) => node.querySelector(s);
  const drop = () => dropUntilFits(node, [q('.txt.agency'), q('.g-spark'), q('.txt.target'), q('.txt.age')], [q('.g-row')]);
  const badge = q('.late-badge');
  q('.g-head').append(badge);
  if (drop() || badge.hidden) return;
  q('.txt.period').after(badge);
  drop();
}

registerTile('indicator-group', {
  create(el, params) {
    ensureStyles(el);
    el.innerHTML = '<div class="ind ind-group"></div>';
    const codes = params.indicators || [];
    const root = el.querySelector('.ind-group');
    codes.forEach((_, i) => root.append(item(codes, i)));
    layout(el, params, codes.length);
  },
  update(el, data, params, ctx) {
    draw(el, data, params, ctx);
  },
  tick(el, data, params, ctx) {
    drawLive(el, data, ctx);
  },
});
