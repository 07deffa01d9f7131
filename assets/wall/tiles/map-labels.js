// The map's labels: the size they are drawn at, the provinces' names (and the room for their
// values) where a province has room, each moved into the screen its anchor is on or dropped
// (map-bezels.js), and no label over another: the archipelagos' and the always-named
// (the capital, the largest city) claim their room first, a province's label that would
// cover one of them goes.

import { svg } from '../../common/dom.js';
import { labelSpot } from './map-geo.js';
import { shiftIntoPart } from './map-bezels.js';

// Always named on a national map, room or not: the capital and the largest city.
const ALWAYS_LABELLED = new Map([['01', 'Hà Nội'], ['79', 'TP. Hồ Chí Minh']]);
// A label is placed with room for its value ("1.234,5 · 12 ngày"): its place does not
// change with the value it shows.
const VALUE_ROOM = '0000,0 · 00 ngày';

/** Label size: from the tile's size, never below the wall's smallest readable text. */
export function fontSize(st) {
  if (st.minText === undefined) {
    st.minText = parseFloat(getComputedStyle(st.root).getPropertyValue('--min-text')) || 0;
  }
  return Math.max(11, st.minText, Math.min(30, st.h / 48, st.w / 30));
}

/** The provinces' labels into st.labelG (st.labels: code → {text, value, room}). */
export function placeLabels(st, provinces) {
  const fs = fontSize(st);
  // The always-named first: the others make way for them.
  const features = [...provinces.features].sort((a, b) => rank(a) - rank(b));
  for (const f of features) {
    const spot = labelSpot(f, st.proj);
    const forced = ALWAYS_LABELLED.get(f.props.code);
    const name = forced ?? f.props.name_vi;
    const nameW = name.length * fs * 0.56;
    if (!forced && (spot.w < nameW * 0.9 || spot.h < fs * 1.3)) continue;
    const lines = !forced && spot.h >= fs * 2.6 ? 2 : 1;
    const t = svg('text', {
      x: spot.x, y: spot.y - (lines - 1) * fs * 0.55, class: forced ? 'm-label is-always' : 'm-label', 'font-size': fs,
      'data-code': f.props.code,
    }, st.labelG);
    const n = svg('tspan', { class: 'm-label-name' }, t);
    n.textContent = name;
    let v = null;
    if (lines === 2) v = svg('tspan', { x: spot.x, dy: fs * 1.1, class: 'm-label-value' }, t);
    // A label on a bezel moves into the screen its anchor is on, if it stays on its
    // province (or is always named); otherwise it goes.
    const placed = withValueRoom(t, () => offBezel(t, st.parts, spot.x, spot.y, forced ? Infinity : Math.max(spot.w, spot.h) / 2));
    if (!placed) { t.remove(); continue; }
    const half = Math.max(nameW, fs * 5) / 2;
    st.labels.set(f.props.code, { text: t, value: v, room: Math.min(16, Math.min(spot.w, 2 * half) / (fs * 0.56)) });
  }
  dropCovered(st);
}

/** Every label placed by offBezel, measured again without its shift and moved anew (once the
 * wall's font is in: measured in the fallback font, a label is narrower than it is drawn). */
export function replaceOffBezel(st) {
  for (const text of st.svgEl.querySelectorAll('text[data-anchor]')) {
    const [cx, cy, reach] = text.dataset.anchor.split(' ').map(Number);
    text.removeAttribute('transform');
    if (!withValueRoom(text, () => offBezel(text, st.parts, cx, cy, reach))) drop(st, text);
  }
  dropCovered(st);
}

/** Move an SVG text into the screen holding (cx, cy) (its measured box); false if it cannot. */
export function offBezel(text, parts, cx, cy, reach) {
  text.dataset.anchor = `${cx} ${cy} ${reach}`;
  const b = text.getBBox();
  if (!b.width) return true; // not rendered (a hidden preview): nothing to measure
  const shift = shiftIntoPart(parts, { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height }, cx, cy, reach);
  if (!shift) return false;
  if (shift[0] || shift[1]) text.setAttribute('transform', `translate(${shift[0].toFixed(1)} ${shift[1].toFixed(1)})`);
  return true;
}

function rank(feature) {
  return ALWAYS_LABELLED.has(feature.props.code) ? 0 : 1;
}

// Labels in the order they claim room: the archipelagos' and the always-named, then the
// provinces' in the order they were placed.
function claimOrder(text) {
  return text.classList.contains('m-arch-label') || text.classList.contains('is-always') ? 0 : 1;
}

/** A province's label that covers a label placed before it goes (the map's own texts only:
 * the bridge points' labels keep clear of these, map-layers.js). */
function dropCovered(st) {
  const texts = [...st.svgEl.querySelectorAll('text[data-anchor]')]
    .sort((a, b) => claimOrder(a) - claimOrder(b));
  const kept = [];
  for (const t of texts) {
    const r = withValueRoom(t, () => t.getBoundingClientRect());
    if (!r.width) continue;
    if (claimOrder(t) && kept.some((o) => r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top)) {
      drop(st, t);
    } else {
      kept.push(r);
    }
  }
}

function drop(st, text) {
  st.labels.delete(text.dataset.code);
  text.remove();
}

/** fn() with the label's value line holding VALUE_ROOM (as when it was first placed). */
function withValueRoom(text, fn) {
  const value = text.querySelector('.m-label-value');
  if (!value) return fn();
  const shown = value.textContent;
  if (shown.length < VALUE_ROOM.length) value.textContent = VALUE_ROOM;
  try {
    return fn();
  } finally {
    value.textContent = shown;
  }
}
