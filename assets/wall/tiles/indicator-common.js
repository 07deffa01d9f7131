// Shared by the indicator tiles (indicator, indicator-group, ranking, trend,
// reporting-status): number and target formats, the reach to a target, status colours,
// the sparkline, dropping lines that do not fit; their stylesheet (indicator-styles.js).
// Data shapes: feeds/tile_data.py. The late mark and the DOM helpers are in common/dom.js.

import { svg } from '../../common/dom.js';
import { bilingual, formatNumber, formatSigned } from '../format.js';

export { ensureStyles } from './indicator-styles.js';

export const STATUS_VI = { ok: 'Tốt', warning: 'Cảnh báo', alarm: 'Báo động', neutral: '' };
export const STATUS_EN = { ok: 'Good', warning: 'Warning', alarm: 'Alarm', neutral: '' };

/** Vietnamese number with the indicator's decimals. */
export function num(value, decimals) {
  return formatNumber(value, Number.isInteger(decimals) ? decimals : null);
}

/** "12,3 %" style: a number and a unit, no space before a bare "%". */
export function withUnit(value, decimals, unit) {
  if (value === null || value === undefined) return '—';
  const text = num(value, decimals);
  if (!unit) return text;
  return unit.startsWith('%') ? `${text} ${unit}` : `${text} ${unit}`;
}

/** "≥ 10,00", "≤ 4,50", "5.400–5.500": a target read with the indicator's direction. */
export function targetText(target, decimals) {
  if (!target) return '';
  const v = num(target.value, decimals);
  if (target.comparator === 'range' && target.high !== null && target.high !== undefined) {
    return `${v}–${num(target.high, decimals)}`;
  }
  if (target.comparator === 'ge') return `≥ ${v}`;
  if (target.comparator === 'le') return `≤ ${v}`;
  return v;
}

/** Percentage points: "−2,81 điểm %" / "−2.81 pp" (a rate's gap to its target). */
export function gapText(gap, decimals, lang) {
  const n = formatSigned(gap, Number.isInteger(decimals) ? decimals : null);
  return lang === 'en' ? `${n} pp` : `${n} điểm %`;
}

/**
 * The target's reach as officials say it: a rate's gap in percentage points ("−2,81 điểm %"),
 * else the attainment ratio ("đạt 79,6 %"); '' when neither is known.
 */
export function reachText(data, lang) {
  if (data.target_gap_pp !== null && data.target_gap_pp !== undefined) {
    return gapText(data.target_gap_pp, data.decimals, lang);
  }
  if (data.attainment_pct !== null && data.attainment_pct !== undefined) {
    return `${lang === 'en' ? 'attained' : 'đạt'} ${num(data.attainment_pct, 1)} %`;
  }
  return '';
}

/**
 * Hide the `droppable` nodes one by one, in order, until `box` no longer overflows: a tile
 * too small for all its lines loses the least important (source, target line, sparkline)
 * instead of cutting text. Shows them all again first, so a larger tile gets them back.
 * `whole`: parts that may shrink (flex) but must still hold their content (the value row).
 * True when it fits in the end (false: even without every droppable part it overflows).
 */
export function dropUntilFits(box, droppable, whole = []) {
  const nodes = droppable.filter(Boolean);
  for (const n of nodes) n.classList.remove('is-dropped');
  const over = () => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1
    || nodes.some((n) => !n.classList.contains('is-dropped') && n.scrollWidth > n.clientWidth + 1)
    || whole.some((n) => n && n.scrollHeight > n.clientHeight + 1);
  for (const n of nodes) {
    if (!over()) return;
    n.classList.add('is-dropped');
  }
  return !over();
}

/** "✓ đạt · met" / "✗ chưa đạt · not met" from data.target_met; '' when not judged
 * (no target, or a year-to-date value before the period its target judges). */
export function verdictText(met, lang) {
  if (met === true) return bilingual('✓ đạt', 'met', lang).filter(Boolean).join(' · ');
  if (met === false) return bilingual('✗ chưa đạt', 'not met', lang).filter(Boolean).join(' · ');
  return '';
}

/** Two texts in the screen's language order, joined, the second dimmed. */
export function setBilingual(node, vi, en, lang) {
  const [a, b] = bilingual(vi, en, lang);
  node.replaceChildren();
  const p = document.createElement('span');
  p.className = 'ind-p';
  p.textContent = a;
  node.append(p);
  if (b) {
    const s = document.createElement('span');
    s.className = 'ind-s';
    s.textContent = b;
    node.append(s);
  }
}

/**
 * A sparkline into `host` (an <svg> with viewBox 0 0 100 30): a line through the known
 * values, gaps where a period is missing or where a year-to-date series starts again
 * (`breaks`: indices of a new year's first period), the last point in the status colour.
 */
export function drawSparkline(host, values, status, target = null, breaks = []) {
  host.replaceChildren();
  const known = values.map((v, i) => [i, v]).filter(([, v]) => v !== null && v !== undefined);
  if (known.length === 0) return;
  const ys = known.map(([, v]) => v);
  if (target !== null && target !== undefined) ys.push(target);
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.1;
  lo -= pad; hi += pad;
  const n = Math.max(1, values.length - 1);
  const x = (i) => 2 + (96 * i) / n;
  const y = (v) => 28 - (26 * (v - lo)) / (hi - lo);
  if (target !== null && target !== undefined) {
    host.append(svg('line', {
      x1: 0, x2: 100, y1: y(target), y2: y(target), class: 'spark-target',
    }));
  }
  let d = '';
  let pen = false;
  const restarts = new Set(breaks || []);
  values.forEach((v, i) => {
    if (restarts.has(i)) pen = false;
    if (v === null || v === undefined) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(2)},${y(v).toFixed(2)} `;
    pen = true;
  });
  host.append(svg('path', { d, class: 'spark-line' }));
  const [li, lv] = known[known.length - 1];
  // A zero-length round-capped stroke: a dot that stays round in a stretched viewBox.
  host.append(svg('path', {
    d: `M${x(li).toFixed(2)},${y(lv).toFixed(2)} l0,0`, class: `spark-dot st-${status || 'neutral'}`,
  }));
}
