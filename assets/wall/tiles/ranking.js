// The best and worst provinces on one indicator in its latest reported period: rank,
// province name (Vietnamese, from geo.provinces), a bar and the value; who has not reported
// yet; the national value; a LATE mark when the next period's report is overdue.
// Data: feeds.tile_data.ranking_data. Params: show = both | best | worst.

import { drawLate as drawLateMark, setText } from '../../common/dom.js';
import { keepOffBezel } from '../offbezel.js';
import { registerTile } from '../tiles.js';
import { bilingual } from '../format.js';
import { ensureStyles, num } from './indicator-common.js';

const HEADINGS = {
  best: {
    higher_better: ['Cao nhất', 'Highest'], lower_better: ['Thấp nhất', 'Lowest'],
    band: ['Sát mục tiêu nhất', 'Closest to the band'], neutral: ['Cao nhất', 'Highest'],
  },
  worst: {
    higher_better: ['Thấp nhất', 'Lowest'], lower_better: ['Cao nhất', 'Highest'],
    band: ['Xa mục tiêu nhất', 'Furthest from the band'], neutral: ['Thấp nhất', 'Lowest'],
  },
};

function column(kind) {
  const col = document.createElement('div');
  col.className = `r-col ${kind}`;
  col.innerHTML = '<h3></h3><div class="r-rows"></div>';
  return col;
}

function drawRows(col, rows, count, decimals, scale) {
  const box = col.querySelector('.r-rows');
  box.replaceChildren();
  box.style.gridTemplateRows = `repeat(${count}, minmax(0, 1fr))`;
  for (const r of rows) {
    const row = document.createElement('div');
    row.className = 'r-row';
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${scale > 0 ? Math.max(2, (100 * Math.abs(r.value)) / scale) : 0}%`;
    row.append(bar);
    for (const [cls, text] of [['rk', `${r.rank}.`], ['nm', r.name_vi], ['val', num(r.value, decimals)]]) {
      const s = document.createElement('span');
      s.className = cls;
      s.textContent = text;
      row.append(s);
    }
    row.querySelector('.val').classList.add(`st-${r.status || 'neutral'}`);
    row.querySelector('.nm').title = r.name_en;
    box.append(row);
  }
}

function draw(el, data, params, ctx) {
  const root = el.querySelector('.ind-rank');
  const lang = ctx.lang;
  if (!data.indicator) {
    setText(root.querySelector('.r-head'), params.indicator);
    return;
  }
  // A titled tile already names its indicator in the frame's title bar.
  root.querySelector('.r-head').hidden = Boolean(params.title_vi || params.title_en);
  setText(root.querySelector('.r-head'), bilingual(data.short_vi || data.name_vi, data.short_en || data.name_en, lang)[0]);
  root.querySelector('.r-head').title = `${data.name_vi} · ${data.name_en}`;
  const sub = root.querySelector('.r-info');
  const unit = bilingual(data.unit_vi, data.unit_en, lang)[0];
  const parts = [
    bilingual(data.period_vi, data.period_en, lang).join(' · '),
    `${lang === 'en' ? 'unit' : 'đơn vị'}: ${unit}`,
    `${lang === 'en' ? 'reported' : 'đã báo cáo'} ${data.reported}/${data.expected}`,
  ];
  if (data.national !== null && data.national !== undefined) {
    parts.push(`${lang === 'en' ? 'nation' : 'cả nước'} ${num(data.national, data.decimals)}`);
  }
  const line = parts.join(' · ');
  // A ranking across two screens: the line's words start again past the bezel (measured
  // only when the line changed, not at every update).
  if (sub.textContent !== line) {
    setText(sub, line);
    keepOffBezel(sub, ctx.parts);
    document.fonts?.ready.then(() => keepOffBezel(sub, ctx.parts)); // again in the wall's font
  }
  const show = params.show || 'both';
  const count = Number(params.count) || 5;
  const all = [...(data.best || []), ...(data.worst || [])];
  const scale = Math.max(0, ...all.map((r) => Math.abs(r.value)));
  const direction = data.direction || 'higher_better';
  for (const kind of ['best', 'worst']) {
    const col = root.querySelector(`.r-col.${kind}`);
    col.hidden = show !== 'both' && show !== kind;
    const [vi, en] = HEADINGS[kind][direction] || HEADINGS[kind].higher_better;
    setText(col.querySelector('h3'), bilingual(vi, en, lang).join(' · '));
    drawRows(col, data[kind] || [], count, data.decimals, scale);
  }
  drawLate(el, data, ctx);
}

function drawLate(el, data, ctx) {
  const root = el.querySelector('.ind-rank');
  if (!data.indicator) return;
  drawLateMark(root.querySelector('.late-badge'), data, ctx, { holder: root });
}

registerTile('ranking', {
  create(el) {
    ensureStyles(el);
    el.innerHTML = `<div class="ind ind-rank"><div class="r-head"></div>
      <div class="r-sub"><span class="late-badge" hidden></span><span class="r-info"></span></div>
      <div class="r-cols"></div></div>`;
    const cols = el.querySelector('.r-cols');
    cols.append(column('best'), column('worst'));
  },
  update(el, data, params, ctx) {
    draw(el, data, params, ctx);
  },
  tick(el, data, params, ctx) {
    drawLate(el, data, ctx);
  },
});
