// A block of indicators for one area, one cell each: name, value and unit in the status
// colour, a sparkline, the target and attainment, the period, and a LATE mark per item.
// Data: feeds.tile_data.group_data ({items: [indicator data…], as_of, stale_after_s}).

import { drawLate as drawLateMark, setText, svg } from '../../common/dom.js';
import { registerTile } from '../tiles.js';
import { bilingual } from '../format.js';
import {
  drawSparkline, ensureStyles, num, targetText,
} from './indicator-common.js';

function item(codes, i) {
  const node = document.createElement('div');
  node.className = 'g-item';
  node.dataset.indicator = codes[i] ?? '';
  node.innerHTML = `<div class="g-name"></div><div class="g-value"><span class="v"></span><span class="u"></span></div>
    <div class="g-meta"><span class="late-badge" hidden></span><span class="txt"></span></div>`;
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
    setText(node.querySelector('.g-name'), bilingual(d.name_vi, d.name_en, lang)[0]);
    node.querySelector('.g-name').title = d.name_en;
    const has = d.value !== null && d.value !== undefined;
    const status = has ? (d.status || 'neutral') : 'neutral';
    const v = node.querySelector('.v');
    v.className = `v st-${status}`;
    setText(v, has ? num(d.value, d.decimals) : '—');
    setText(node.querySelector('.u'), has ? bilingual(d.unit_vi, d.unit_en, lang)[0] : '');
    node.classList.remove('st-border-ok', 'st-border-warning', 'st-border-alarm');
    if (status !== 'neutral') node.classList.add(`st-border-${status}`);
    const parts = [bilingual(d.period_vi, d.period_en, lang)[0]];
    if (d.target) {
      const att = d.attainment_pct;
      const verdict = d.target_met === true ? ' ✓' : d.target_met === false ? ' ✗' : '';
      parts.push(`${lang === 'en' ? 'target' : 'MT'} ${targetText(d.target, d.decimals)}`
        + (att !== null && att !== undefined ? ` (${num(att, 1)} %${verdict})` : verdict));
    }
    if (d.agency_vi) parts.push(d.agency_vi);
    setText(node.querySelector('.txt'), parts.join(' · '));
    drawSparkline(node.querySelector('.g-spark'), d.sparkline || [], status, d.target ? d.target.value : null);
  });
  drawLate(el, data, ctx);
}

function drawLate(el, data, ctx) {
  const root = el.querySelector('.ind-group');
  const items = Array.isArray(data.items) ? data.items : [];
  items.forEach((d, i) => {
    const node = root.children[i];
    if (node) drawLateMark(node.querySelector('.late-badge'), d, ctx, { holder: node });
  });
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
    drawLate(el, data, ctx);
  },
});
