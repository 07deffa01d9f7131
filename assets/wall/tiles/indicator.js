// One indicator for one area: the value in Vietnamese number format with its unit, the
// status colour, the target and who set it, attainment, a sparkline of recent periods,
// the period and the reporting agency, and a LATE mark from the next report's deadline.
// Data: feeds.tile_data.indicator_data. The frame shows "as of" and the stale mark.

import { drawLate as drawLateMark, escapeHtml, setText, svg } from '../../common/dom.js';
import { registerTile } from '../tiles.js';
import { bilingual, formatSigned } from '../format.js';
import {
  STATUS_EN, STATUS_VI, drawSparkline, dropUntilFits, ensureStyles, num, reachText, targetText,
  verdictText,
} from './indicator-common.js';

function build(el) {
  el.innerHTML = `
    <div class="ind ind-one">
      <div class="ind-name"></div>
      <div class="ind-name-2"></div>
      <div class="ind-area"></div>
      <div class="ind-main"><span class="ind-value"></span><span class="ind-unit"></span></div>
      <div class="ind-sub"><span class="ind-change"></span><span class="ind-status"></span></div>
      <div class="ind-target"></div>
      <div class="ind-bar" hidden><div></div></div>
      <div class="ind-by"></div>
      <div class="ind-spark-box"></div>
      <div class="ind-foot"><span class="late-badge ind-late" hidden></span>
        <span class="period"></span><span class="agency"></span></div>
    </div>`;
  const spark = svg('svg', { viewBox: '0 0 100 30', preserveAspectRatio: 'none', class: 'ind-spark' });
  el.querySelector('.ind-spark-box').append(spark);
}

function draw(el, data, params, ctx) {
  const root = el.querySelector('.ind-one');
  const lang = ctx.lang;
  const q = (s) => root.querySelector(s);
  if (!data.indicator) {
    setText(q('.ind-name'), params.indicator);
    q('.ind-value').className = 'ind-value ind-nodata';
    setText(q('.ind-value'), 'Đang chờ số liệu · Waiting for data');
    return;
  }
  // The short name on the tile, the full one on hover (and in the console).
  const [name1, name2] = bilingual(data.short_vi || data.name_vi, data.short_en || data.name_en, lang);
  setText(q('.ind-name'), name1);
  setText(q('.ind-name-2'), name2);
  q('.ind-name').title = bilingual(data.name_vi, data.name_en, lang).filter(Boolean).join(' · ');
  setText(q('.ind-area'), data.area === 'VN' ? '' : bilingual(data.area_vi, data.area_en, lang).join(' · '));
  const status = data.value === null || data.value === undefined ? 'neutral' : (data.status || 'neutral');
  const value = q('.ind-value');
  if (data.value === null || data.value === undefined) {
    value.className = 'ind-value ind-nodata';
    setText(value, 'Chưa có số liệu · No data');
    setText(q('.ind-unit'), '');
  } else {
    value.className = `ind-value st-${status}`;
    setText(value, num(data.value, data.decimals));
    setText(q('.ind-unit'), bilingual(data.unit_vi, data.unit_en, lang)[0]);
  }
  const change = data.change;
  setText(q('.ind-change'), change === null || change === undefined ? ''
    : `${change > 0 ? '▲' : change < 0 ? '▼' : '■'} ${formatSigned(change, data.decimals)}`);
  const st = q('.ind-status');
  st.className = `ind-status st-${status}`;
  setText(st, status === 'neutral' ? '' : bilingual(STATUS_VI[status], STATUS_EN[status], lang).join(' · '));

  const t = data.target;
  const target = q('.ind-target');
  const bar = q('.ind-bar');
  if (t) {
    const att = data.attainment_pct;
    // Each part whole on its line (a part cut across two lines reads as two numbers).
    const parts = [`<span><span class="lbl">${lang === 'en' ? 'Target' : 'Mục tiêu'}:</span> `
      + `${targetText(t, data.decimals)} ${escapeHtml(data.unit_vi || '')}</span>`];
    // The reach and the verdict in the status colour, so the tile never says "met" in
    // amber next to a green "not met" (the status already weighs the target).
    const reach = reachText(data, lang);
    if (reach) parts.push(`<b class="ind-reach st-${status}">${reach}</b>`);
    const verdict = verdictText(data.target_met, lang);
    if (verdict) parts.push(`<b class="ind-verdict st-${status}">${verdict}</b>`);
    if (t.illustrative) parts.push('<span class="illus">(minh họa · illustrative)</span>');
    target.innerHTML = parts.join('');
    setText(q('.ind-by'), `${t.set_by_vi} · ${t.instrument}`);
    if (att !== null && att !== undefined && data.direction === 'higher_better') {
      bar.hidden = false;
      const fill = bar.firstElementChild;
      fill.style.width = `${Math.max(0, Math.min(100, att))}%`;
      bar.className = `ind-bar st-${status}`;
    } else {
      bar.hidden = true;
    }
  } else {
    target.innerHTML = `<span class="lbl">${lang === 'en' ? 'No target set' : 'Chưa giao mục tiêu · no target'}</span>`;
    setText(q('.ind-by'), '');
    bar.hidden = true;
  }
  drawSparkline(el.querySelector('.ind-spark'), data.sparkline || [], status, t ? t.value : null,
    data.sparkline_breaks);
  setText(q('.period'), bilingual(data.period_vi, data.period_en, lang).join(' · '));
  setText(q('.agency'), data.agency_vi || data.agency || '');
  drawLate(el, data, ctx);
  fit(root);
}

// Least important first: who set the target, the sparkline, the bar, the English name,
// the agency, the target line. The value, its unit, period and late mark always stay.
function fit(root) {
  const q = (s) => root.querySelector(s);
  dropUntilFits(root, [q('.ind-by'), q('.ind-spark-box'), q('.ind-bar'), q('.ind-name-2'),
    q('.agency'), q('.ind-target')]);
}

function drawLate(el, data, ctx) {
  const root = el.querySelector('.ind-one');
  if (!data.indicator) return;
  const detail = (lang) => (lang === 'en' ? `missing ${data.due_period_en}` : `chưa có ${data.due_period_vi}`);
  const badge = root.querySelector('.ind-late');
  const before = badge.hidden ? null : badge.textContent;
  drawLateMark(badge, data, ctx, { holder: root, detail });
  // A mark that appears (at the deadline, between pushes) or grows may push a line out.
  if (before !== (badge.hidden ? null : badge.textContent)) fit(root);
}

registerTile('indicator', {
  create(el) {
    ensureStyles(el);
    build(el);
  },
  update(el, data, params, ctx) {
    draw(el, data, params, ctx);
  },
  tick(el, data, params, ctx) {
    drawLate(el, data, ctx);
  },
});
