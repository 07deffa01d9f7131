// The map's head over its top left: the indicator's name, the period, unit, how many
// provinces reported and the national value, the source and its time, the live late mark;
// and the empty state ("no data", "map could not load") over the map.

import { drawLate as drawLateMark, setText } from '../../common/dom.js';
import { bilingual, formatDate, formatNumber, formatTime } from '../format.js';

/** The head (indicator, period, units, reports, source), its late mark and the empty state. */
export function drawHead(st) {
  const data = st.data || {};
  const lang = st.ctx.lang;
  const root = st.root;
  const head = root.querySelector('.m-head');
  const titled = Boolean(st.params.title_vi || st.params.title_en);
  const name = root.querySelector('.m-name');
  name.hidden = titled;
  if (data.ind) {
    setText(name, bilingual(data.ind.name_vi, data.ind.name_en, lang)[0]);
    const [pvi, pen] = [data.per?.vi || '', data.per?.en || ''];
    const n = data.n || [0, 0];
    const parts = [
      bilingual(`Kỳ: ${pvi}`, pen, lang).filter(Boolean).join(' · '),
      bilingual(`Đơn vị: ${data.ind.unit_vi}`, data.ind.unit_en, lang).filter(Boolean).join(' · '),
      `${lang === 'en' ? 'reported' : 'đã báo cáo'} ${n[0]}/${n[1]}`,
    ];
    if (data.nat !== null && data.nat !== undefined) {
      parts.push(`${lang === 'en' ? 'nation' : 'cả nước'} ${formatNumber(data.nat, data.ind.decimals)}`);
    }
    setText(root.querySelector('.m-info'), parts.join(' · '));
    const src = bilingual(data.ind.source_vi, data.ind.source_en, lang)[0];
    const asOf = Number(data.as_of);
    const when = Number.isFinite(asOf) && asOf > 0 ? ` · ${lang === 'en' ? 'as of' : 'số liệu lúc'} ${formatTime(asOf, false)} ${formatDate(asOf)}` : '';
    setText(root.querySelector('.m-src'), `${lang === 'en' ? 'Source' : 'Nguồn'}: ${src}${when}`);
    head.hidden = false;
    drawLate(st);
    if (n[0] === 0) {
      showEmpty(st, `CHƯA CÓ SỐ LIỆU · NO DATA — ${pvi}${pen ? ` · ${pen}` : ''}`);
    } else {
      root.querySelector('.m-empty').hidden = true;
    }
  } else {
    head.hidden = titled || !st.params.indicator;
    if (st.params.indicator) {
      setText(name, st.params.indicator);
      setText(root.querySelector('.m-info'), 'Đang chờ số liệu · Waiting for data');
    }
  }
}

/** The live late mark; a pinned period (due_at null, late false) awaits no report. */
export function drawLate(st) {
  const badge = st.root.querySelector('.late-badge');
  if (!st.data?.ind) { badge.hidden = true; return; }
  drawLateMark(badge, st.data, st.ctx, { holder: st.root });
}

export function showEmpty(st, text) {
  const box = st.root.querySelector('.m-empty');
  setText(box, text);
  box.hidden = false;
}

// Where the head ends: the map starts below it when the land would run under it.
export function headBottom(st) {
  const head = st.root.querySelector('.m-head');
  if (!head || head.hidden) return 0;
  return Math.round(Math.min(st.h * 0.25, head.offsetTop + head.offsetHeight));
}
