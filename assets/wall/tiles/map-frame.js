// The map's frame: the projection for the tile's size (the archipelagos kept in the frame on
// a wide tile, in an inset on a narrow one, the focused province filling the tile), every
// province path, the archipelagos and the province labels. Rebuilt only when the code list,
// the tile's size, the head or the focus change; a live update only repaints (map.js).

import { svg } from '../../common/dom.js';
import { boxOf, labelSpot, pathOf, projection, union } from './map-geo.js';
import { attachClicks, sameLand } from './map-focus.js';
import { headBottom } from './map-head.js';

// Official extents of the archipelagos (geo/archipelagos.py), kept in every frame.
const ARCHIPELAGO_BOUNDS = [111.0, 7.5, 116.0, 17.0];
// A frame holding the archipelagos may cost the mainland at most this much scale.
const FRAME_MIN_RATIO = 0.8;

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
  const fit = (y0) => {
    if (focus) {
      const b = focus.bbox;
      const mx = (b[2] - b[0]) * 0.15 + 0.05;
      const my = (b[3] - b[1]) * 0.15 + 0.05;
      return { proj: projection([b[0] - mx, b[1] - my, b[2] + mx, b[3] + my], 0, y0, w, h - y0, pad), inset: null };
    }
    const inFrame = projection(full, 0, y0, w, h - y0, pad);
    const alone = projection(mainland, 0, y0, w, h - y0, pad);
    if (inFrame.scale >= FRAME_MIN_RATIO * alone.scale) return { proj: inFrame, inset: null };
    // A narrow tile: the mainland fills it, the archipelagos go in a framed inset over
    // the sea at the bottom right, as Vietnam's official maps do.
    const iw = w * 0.36;
    const ih = Math.min(h * 0.3, iw * 1.1);
    return { proj: alone, inset: { x: w - iw - pad, y: h - ih - pad, w: iw, h: ih } };
  };
  // The head (indicator, period, source) sits over the top left: where the land would run
  // under it, the map starts below it instead.
  let { proj, inset } = fit(0);
  const headRight = st.root.querySelector('.m-head')?.offsetWidth ?? 0;
  if (top > 0) {
    const [x0, y0] = proj.p(mainland[0], mainland[3]);
    if (x0 < headRight + pad && y0 < top) ({ proj, inset } = fit(top));
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
}

function drawArchipelagos(group, arch, proj, st) {
  if (!proj) return;
  const fs = fontSize(st) * 0.85;
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
  }
}

export function fontSize(st) {
  return Math.max(11, Math.min(30, Math.min(st.h / 48, st.w / 30)));
}

function placeLabels(st, provinces) {
  const fs = fontSize(st);
  for (const f of provinces.features) {
    const spot = labelSpot(f, st.proj);
    const name = f.props.name_vi;
    const nameW = name.length * fs * 0.56;
    if (spot.w < nameW * 0.9 || spot.h < fs * 1.3) continue;
    const lines = spot.h >= fs * 2.6 ? 2 : 1;
    const t = svg('text', {
      x: spot.x, y: spot.y - (lines - 1) * fs * 0.55, class: 'm-label', 'font-size': fs,
      'data-code': f.props.code,
    }, st.labelG);
    const n = svg('tspan', { class: 'm-label-name' }, t);
    n.textContent = name;
    let v = null;
    if (lines === 2) {
      v = svg('tspan', { x: spot.x, dy: fs * 1.1, class: 'm-label-value' }, t);
    }
    st.labels.set(f.props.code, { text: t, value: v, room: spot.w / (fs * 0.56) });
  }
}
