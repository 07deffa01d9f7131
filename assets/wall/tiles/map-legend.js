// The map's legend: the unit, one row per colour class (highest on top), the no-data hatch
// and how to read the colours. Redrawn only when the scale, decimals, language or unit change.

import { bilingual, formatNumber } from '../format.js';

export function drawLegend(st) {
  const data = st.data || {};
  const box = st.root.querySelector('.m-legend');
  const scale = data.scale;
  if (!scale || !data.ind) { box.hidden = true; return; }
  const dec = data.ind.decimals;
  const key = JSON.stringify([scale, dec, st.ctx.lang, data.ind.unit_vi, data.n?.[0] > 0]);
  if (box.dataset.key === key) { box.hidden = false; return; }
  box.dataset.key = key;
  box.replaceChildren();
  const unit = document.createElement('div');
  unit.className = 'm-leg-unit';
  unit.textContent = bilingual(data.ind.unit_vi, data.ind.unit_en, st.ctx.lang).filter(Boolean).join(' · ');
  box.append(unit);
  const b = scale.breaks;
  const rows = scale.colours.map((colour, i) => {
    let text;
    if (b.length === 0) text = 'một mức · one class';
    else if (i === 0) text = `< ${formatNumber(b[0], dec)}`;
    else if (i === b.length) text = `≥ ${formatNumber(b[i - 1], dec)}`;
    else text = `${formatNumber(b[i - 1], dec)} – < ${formatNumber(b[i], dec)}`;
    return [colour, text, i];
  }).reverse(); // highest on top, as a reader expects
  // With nothing reported there are no classes to explain, only the hatch.
  if (data.n?.[0] > 0) for (const [colour, text, i] of rows) box.append(legendRow(colour, text, i));
  box.append(legendRow(null, 'Chưa có số liệu · No data', 'none'));
  const reading = {
    higher_better: 'Xanh: tốt hơn · blue is better', lower_better: 'Xanh: tốt hơn (thấp hơn) · blue is better (lower)',
  }[scale.reading];
  if (reading) {
    const note = document.createElement('div');
    note.className = 'm-leg-note';
    note.textContent = reading;
    box.append(note);
  }
  box.hidden = false;
}

function legendRow(colour, text, cls) {
  const row = document.createElement('div');
  row.className = 'm-leg-row';
  row.dataset.class = String(cls);
  const sw = document.createElement('span');
  sw.className = colour ? 'm-sw' : 'm-sw m-sw-none';
  if (colour) sw.style.background = colour;
  const t = document.createElement('span');
  t.textContent = text;
  row.append(sw, t);
  return row;
}
