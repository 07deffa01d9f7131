// The map's frame: the projection for the tile's size (the archipelagos kept in the frame on
// a wide tile, in an inset on a narrow one, the focused province filling the tile), every
// province path, the archipelagos and the province labels (map-labels.js). Rebuilt only when the code list,
// the tile's size, the head or the focus change; a live update only repaints (map.js).

import { svg } from '../../common/dom.js';
import { boxOf, pathOf, projection, union } from './map-geo.js';
import { attachClicks, sameLand } from './map-focus.js';
import { headBottom } from './map-head.js';
import { columns, crossesVertical, largestPart, verticalGaps } from './map-bezels.js';
import { fontSize, offBezel, placeLabels, replaceOffBezel } from './map-labels.js';

// Official extents of the archipelagos (geo/archipelagos.py), kept in every frame.
const ARCHIPELAGO_BOUNDS = [111.0, 7.5, 116.0, 17.0];
// A frame holding the archipelagos may cost the mainland at most this much scale.
const FRAME_MIN_RATIO = 0.8;
// A country kept clear of the vertical bezels may cost at most this much scale.
const OFF_BEZEL_MIN_RATIO = 0.8;

// The projection and every path: only when the code list, the tile size or the focus change.
export function buildGeometry(st) {
  const { provinces, arch, p34 } = st.layers;
  const { w, h } = st;
  const pad = Math.max(4, Math.min(w, h) * 0.02);
  // The head (indicator, period, source) sits over the top: the map starts below it.
  const top = headBottom(st);
  const svgEl = st.svgEl;
  svgEl.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svgEl.setAttribute('width', w);
  svgEl.setAttribute('height', h);
  svgEl.replaceChildren();
  const defs = svg('defs', {}, svgEl);
  const hatch = svg('pattern', {
    id: `${st.id}-nodata`, width: 8, height: 8, patternUnits: 'userSpaceOnUse',
    patternTransform: 'rotate(45)',
  }, defs);
  svg('rect', { width: 8, height: 8, fill: '#3a404c' }, hatch);
  svg('line', { x1: 0, y1: 0, x2: 0, y2: 8, stroke: '#8a93a3', 'stroke-width': 3 }, hatch);

  const focus = st.data?.focus ? p34.byCode.get(st.data.focus.code) : null;
  const mainland = provinces.bbox;
  const full = union(mainland, ARCHIPELAGO_BOUNDS);
  const parts = st.parts;
  // One region (x, w): the mainland alone with the archipelagos in an inset, or both in the
  // frame, whichever reads larger (the frame unless it costs the mainland too much).
  const fitIn = (rx, rw, y0) => {
    const inFrame = projection(full, rx, y0, rw, h - y0, pad);
    const alone = projection(mainland, rx, y0, rw, h - y0, pad);
    if (inFrame.scale >= FRAME_MIN_RATIO * alone.scale) return { proj: inFrame, inset: null, scale: inFrame.scale };
    // A narrow region: the mainland fills it, the archipelagos go in a framed inset over
    // the sea at its bottom right, as Vietnam's official maps do.
    const iw = rw * 0.36;
    const ih = Math.min(h * 0.3, iw * 1.1);
    return { proj: alone, inset: { x: rx + rw - iw - pad, y: h - ih - pad, w: iw, h: ih }, scale: alone.scale };
  };
  // No vertical bezel through the mainland, nor through the archipelagos' inset.
  const clear = (f) => {
    const [x0] = f.proj.p(mainland[0], mainland[3]);
    const [x1] = f.proj.p(mainland[2], mainland[1]);
    return !crossesVertical(parts, x0, x1) && !(f.inset && crossesVertical(parts, f.inset.x, f.inset.x + f.inset.w));
  };
  // The same scale, slid sideways so the mainland lies between two bezels (the smallest
  // slide that keeps the whole frame in the tile), or null.
  const slide = (f) => {
    const [x0] = f.proj.p(mainland[0], mainland[3]);
    const [x1] = f.proj.p(mainland[2], mainland[1]);
    const east = f.inset ? f.inset.x + f.inset.w : f.proj.p(ARCHIPELAGO_BOUNDS[2], 0)[0];
    const west = Math.min(x0, f.inset ? f.inset.x : x0);
    const moves = verticalGaps(parts).flatMap(([g0, g1]) => [g0 - pad - x1, g1 + pad - x0])
      .filter((dx) => west + dx >= 0 && east + dx <= w)
      .sort((a, b) => Math.abs(a) - Math.abs(b));
    for (const dx of moves) {
      const moved = shifted(f, dx);
      if (clear(moved)) return moved;
    }
    return null;
  };
  // Slid right until the mainland's west edge clears the head, at the same scale: the
  // smallest such slide where neither the mainland nor the archipelagos (their rings reach a
  // little past their bounds: `pad` more) cross a bezel and the frame stays in the tile; or null.
  const pastHead = (f, x) => {
    const need = x - f.proj.p(mainland[0], mainland[3])[0];
    const [a0] = f.proj.p(ARCHIPELAGO_BOUNDS[0], 0);
    const [a1] = f.proj.p(ARCHIPELAGO_BOUNDS[2], 0);
    const east = f.inset ? f.inset.x + f.inset.w : a1;
    const moves = [need, ...verticalGaps(parts).map(([, g1]) => g1 + 2 * pad - a0)]
      .filter((dx) => dx >= need && dx > 0 && east + dx <= w - pad).sort((p, q) => p - q);
    for (const dx of moves) {
      const moved = shifted(f, dx);
      const archOk = f.inset || !crossesVertical(parts, a0 + dx - pad, a1 + dx + pad);
      if (archOk && clear(moved)) return moved;
    }
    return null;
  };
  const fit = (y0) => {
    if (focus) {
      // Inside one screen: the focused province never sits on a bezel cross.
      const b = focus.bbox;
      const mx = (b[2] - b[0]) * 0.15 + 0.05;
      const my = (b[3] - b[1]) * 0.15 + 0.05;
      const p = largestPart(parts);
      const top = Math.max(p.y, Math.min(y0, p.y + p.h / 2));
      return { proj: projection([b[0] - mx, b[1] - my, b[2] + mx, b[3] + my], p.x, top, p.w, p.y + p.h - top, pad), inset: null };
    }
    const whole = fitIn(0, w, y0);
    if (clear(whole)) return whole;
    const slid = slide(whole);
    if (slid) return slid;
    // The country on one column of screens, where that costs little: no vertical bezel
    // through the land, the archipelagos or their labels.
    // (A column's inset would lie over land: only whole frames.)
    const best = columns(parts).map((c) => fitIn(c.x, c.w, y0)).filter((f) => !f.inset && clear(f))
      .reduce((a, b) => (!a || b.scale > a.scale ? b : a), null);
    return best && best.scale >= OFF_BEZEL_MIN_RATIO * whole.scale ? best : whole;
  };
  // The head (indicator, period, source) sits over the top left: where the land would run
  // under it, the map slides right past it at full height if it can, else starts below it.
  let { proj, inset } = fit(0);
  const headRight = st.root.querySelector('.m-head')?.offsetWidth ?? 0;
  if (top > 0) {
    const [x0, y0] = proj.p(mainland[0], mainland[3]);
    if (x0 < headRight + pad && y0 < top) {
      ({ proj, inset } = (!focus && pastHead({ proj, inset }, headRight + pad)) || fit(top));
    }
  }
  st.proj = proj;
  st.root.dataset.frame = focus ? 'focus' : (inset ? 'inset' : 'frame');

  const world = svg('g', { class: 'm-world' }, svgEl);
  const base = svg('g', { class: 'm-base' }, world);
  st.paths = new Map();
  for (const f of provinces.features) {
    const path = svg('path', { d: pathOf(f, proj), 'data-code': f.props.code, class: 'm-prov' }, base);
    path.dataset.name = f.props.name_vi;
    if (focus && !sameLand(f, st)) path.classList.add('is-dimmed');
    st.paths.set(f.props.code, path);
  }
  if (focus) {
    svg('path', { d: pathOf(focus, proj), class: 'm-focus-outline', 'data-focus': focus.props.code }, world);
  }
  const archG = svg('g', { class: 'm-arch' }, world);
  drawArchipelagos(archG, arch, inset ? null : proj, st);
  if (inset) {
    const box = svg('g', { class: 'm-inset' }, svgEl);
    svg('rect', { x: inset.x, y: inset.y, width: inset.w, height: inset.h, class: 'm-inset-box' }, box);
    const ip = projection(ARCHIPELAGO_BOUNDS, inset.x, inset.y, inset.w, inset.h, inset.w * 0.06);
    drawArchipelagos(box, arch, ip, st);
  }
  st.labelG = svg('g', { class: 'm-labels' }, svgEl);
  st.layerG = svg('g', { class: 'm-layers' }, svgEl);
  st.labels = new Map();
  if (st.params.labels !== false) placeLabels(st, provinces);
  st.svgEl.dataset.focus = focus ? focus.props.code : '';
  attachClicks(st);
  // Labels were measured in whatever font was ready; once the wall's font is in they are
  // wider, so they are measured and moved off the bezels again. (A promise, not a fonts
  // listener: a listener per redraw that never fires would keep every old map alive.)
  const drawn = st.svgEl;
  document.fonts?.ready.then(() => { if (drawn.isConnected && st.svgEl === drawn) replaceOffBezel(st); });
}

/** The frame `f` moved `dx` pixels sideways at the same scale. */
function shifted(f, dx) {
  return {
    ...f,
    proj: { scale: f.proj.scale, p: (lon, lat) => { const [x, y] = f.proj.p(lon, lat); return [x + dx, y]; } },
    inset: f.inset ? { ...f.inset, x: f.inset.x + dx } : null,
  };
}

function drawArchipelagos(group, arch, proj, st) {
  if (!proj) return;
  // Sovereignty labels: never smaller than a province's name.
  const fs = fontSize(st);
  for (const f of arch.features) {
    const g = svg('g', { 'data-key': f.props.key }, group);
    svg('path', { d: pathOf(f, proj), class: 'm-arch-land' }, g);
    // The islets are specks at wall scale: a dashed ring marks the group where it lies.
    const [x0, y0, x1, y1] = boxOf(f, proj);
    const r = Math.max(fs * 0.6, Math.hypot(x1 - x0, y1 - y0) / 2);
    const [cx, cy] = proj.p(...f.props.centre);
    svg('circle', { cx, cy, r, class: 'm-arch-ring' }, g);
    // Above the ring: Trường Sa's ring reaches the bottom of most frames.
    const label = svg('text', { x: cx, y: cy - r - fs * 0.4, class: 'm-arch-label', 'font-size': fs }, g);
    label.textContent = f.props.label_vi;
    offBezel(label, st.parts, cx, cy, Infinity);
  }
}
