// The province map: a choropleth of one province-level indicator (34 units for periods from
// 01/07/2025, 63 before), a legend, names, values and ages where a province has room, the
// Hoàng Sa and Trường Sa archipelagos always (in the frame on a wide tile, in an inset on a
// narrow one), incidents and bridge points on top, and the console's focus (zoom + highlight).
//
// Geometry comes once from /assets/geo/*.geojson; live data (feeds/map_data.py) carries only
// classes and values per province code, so a recolour touches fills and label texts only.
// In a console preview (ctx.preview) a click on a province focuses the wall on it.

import { registerTile } from '../tiles.js';
import { bilingual, formatAge, formatNumber, formatTime, formatDate } from '../format.js';
import { lateNow, lateText } from './indicator-common.js';
import { boxOf, labelSpot, loadLayer, pathOf, projection, union } from './map-geo.js';
import { drawBridges, drawIncidents, incidentList } from './map-layers.js';
import { ensureMapStyles } from './map-style.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// Official extents of the archipelagos (geo/archipelagos.py), kept in every frame.
const ARCHIPELAGO_BOUNDS = [111.0, 7.5, 116.0, 17.0];
// A frame holding the archipelagos may cost the mainland at most this much scale.
const FRAME_MIN_RATIO = 0.8;
let uid = 0;

function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

function create(el, params, ctx) {
  ensureMapStyles(el, ctx.serverOrigin);
  const id = `m${++uid}`;
  el.innerHTML = `<div class="map">
    <svg class="m-svg" xmlns="${SVG_NS}"></svg>
    <div class="m-head"><div class="m-name"></div><div class="m-sub"><span class="late-badge" hidden></span><span class="m-info"></span></div><div class="m-src"></div></div>
    <div class="m-focus" hidden><span class="m-focus-text"></span></div>
    <div class="m-incidents" hidden></div>
    <div class="m-legend" hidden></div>
    <div class="m-empty" hidden></div>
  </div>`;
  const root = el.querySelector('.map');
  const state = {
    id, root, svgEl: root.querySelector('.m-svg'), params, ctx,
    layers: null, codeList: null, view: null, drawn: null, labels: new Map(), ageMinute: null,
    loading: null, error: null,
  };
  if (ctx.preview && ctx.onFocus && params.focusable !== false) root.classList.add('is-clickable');
  el._map = state;
  return state;
}

// ---- data → drawing ---------------------------------------------------------------------

function codeListOf(data) {
  return data?.per?.code_list || 'gso-34';
}

function update(el, data, params, ctx) {
  const st = el._map;
  st.data = data;
  st.ctx = ctx;
  const wanted = codeListOf(data);
  if (!st.layers || st.layers.list !== wanted) {
    if (st.loading !== wanted) {
      st.loading = wanted;
      const origin = () => ctx.serverOrigin;
      Promise.all([loadLayer(wanted, origin), loadLayer('archipelagos', origin), loadLayer('gso-34', origin)])
        .then(([provinces, arch, p34]) => {
          if (st.loading !== wanted) return;
          st.loading = null;
          st.layers = { list: wanted, provinces, arch, p34 };
          st.drawn = null;
          draw(el);
        })
        .catch((err) => {
          st.loading = null;
          showEmpty(st, `Không tải được bản đồ · Map could not load: ${err.message}`);
        });
    }
    drawOverlays(st);
    return;
  }
  draw(el);
}

function viewKey(st) {
  const f = st.data?.focus;
  return `${st.layers.list}|${st.w}x${st.h}|${f ? f.code : ''}|${headBottom(st)}`;
}

function headBottom(st) {
  const head = st.root.querySelector('.m-head');
  if (!head || head.hidden) return 0;
  return Math.round(Math.min(st.h * 0.25, head.offsetTop + head.offsetHeight));
}

function draw(el) {
  const st = el._map;
  if (!st.layers) return;
  st.w = Math.max(1, el.clientWidth);
  st.h = Math.max(1, el.clientHeight);
  drawOverlays(st); // first: the map starts below the head, so its height is needed
  const key = viewKey(st);
  if (st.drawn !== key) {
    buildGeometry(st);
    st.drawn = key;
    st.painted = new Map();
  }
  paint(st);
  drawLayers(st);
  const now = performance.now();
  st.root.dataset.mapDrawn = st.layers.list;
  if (!el.closest('.tile')?.dataset.mapDrawnAt) {
    el.closest('.tile')?.setAttribute('data-map-drawn-at', String(Math.round(now)));
  }
}

// The projection and every path: only when the code list, the tile size or the focus change.
function buildGeometry(st) {
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

function sameLand(feature, st) {
  // On the 63-unit map a focused 34-unit province covers several old units: the focus
  // outline shows it; the old units inside stay undimmed if their label point is inside.
  const focus = st.layers.p34.byCode.get(st.data.focus.code);
  if (st.layers.list === 'gso-34') return feature.props.code === focus.props.code;
  const spot = labelSpot(feature, { p: (lon, lat) => [lon, lat] });
  return pointInFeature(spot.x, spot.y, focus);
}

function pointInFeature(x, y, feature) {
  let inside = false;
  for (const poly of feature.polys) {
    for (const ring of poly) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
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

function fontSize(st) {
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

// ---- colours and values: the only work a live update does ---------------------------------

function paint(st) {
  const data = st.data || {};
  const scale = data.scale;
  const t0 = Number(data.per?.t0) || 0;
  const dec = Number.isInteger(data.ind?.decimals) ? data.ind.decimals : null;
  const now = st.ctx.serverNow();
  for (const [code, path] of st.paths) {
    const entry = data[code] ?? null;
    const key = entry === null ? 'n' : entry.join('|');
    const label = st.labels.get(code);
    if (st.painted.get(code) !== key) {
      st.painted.set(code, key);
      if (!data.ind) {
        path.setAttribute('fill', '#2b3a52'); // a base map: land, no indicator
        path.dataset.class = 'base';
      } else if (entry === null || !scale) {
        path.setAttribute('fill', `url(#${st.id}-nodata)`);
        path.dataset.class = 'none';
        path.dataset.value = '';
      } else {
        path.setAttribute('fill', scale.colours[entry[0]] ?? '#777');
        path.dataset.class = String(entry[0]);
        path.dataset.value = String(entry[1]);
      }
    }
    if (label?.value) {
      let text = '';
      if (entry === null) {
        text = data.ind ? 'chưa có số liệu' : '';
      } else {
        const age = shortAge(now - (t0 + entry[2] * 60_000));
        text = `${formatNumber(entry[1], dec)} · ${age}`;
        if (text.length > label.room) text = formatNumber(entry[1], dec);
      }
      if (label.value.textContent !== text) label.value.textContent = text;
    }
  }
  st.ageMinute = Math.floor(now / 60_000);
}

function shortAge(ms) {
  const { vi } = formatAge(ms);
  return vi.replace('cập nhật ', '').replace(' trước', '');
}

// ---- head, legend, focus banner, empty state ----------------------------------------------

function drawOverlays(st) {
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
    drawLegend(st);
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
    root.querySelector('.m-legend').hidden = true;
  }
  const focus = data.focus;
  const banner = root.querySelector('.m-focus');
  banner.hidden = !focus;
  if (focus) {
    const text = root.querySelector('.m-focus-text');
    setText(text, `${lang === 'en' ? 'Focus' : 'Tập trung'}: ${bilingual(focus.name_vi, focus.name_en, lang).filter(Boolean).join(' · ')}`);
    if (st.ctx.preview && st.ctx.onFocus && !banner.querySelector('button')) {
      const back = document.createElement('button');
      back.className = 'm-back';
      back.textContent = '← Cả nước · Whole country';
      back.addEventListener('click', (ev) => { ev.stopPropagation(); st.ctx.onFocus(null); });
      banner.append(back);
    }
  }
  const list = root.querySelector('.m-incidents');
  if ((st.params.layers || []).includes('incidents') && st.layers) {
    incidentList(list, data.incidents || [], st.layers.p34, lang, st.ctx);
  } else {
    list.hidden = true;
  }
}

function drawLegend(st) {
  const data = st.data;
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

function drawLate(st) {
  const data = st.data;
  const badge = st.root.querySelector('.late-badge');
  if (!data?.ind) { badge.hidden = true; return; }
  // A pinned period awaits no report (due_at null): never late.
  const { late, overdueMs } = data.due_at == null
    ? { late: Boolean(data.late), overdueMs: 0 }
    : lateNow(data, st.ctx);
  st.root.classList.toggle('is-late', late);
  badge.hidden = !late;
  if (late) setText(badge, lateText(overdueMs, st.ctx.lang));
}

function showEmpty(st, text) {
  const box = st.root.querySelector('.m-empty');
  setText(box, text);
  box.hidden = false;
}

function drawLayers(st) {
  const data = st.data || {};
  const layers = st.params.layers || [];
  const key = [data.incidents, data.bridges, st.drawn];
  if (st.layersKey && st.layersKey.every((v, i) => v === key[i])) return;
  st.layersKey = key;
  st.layerG.replaceChildren();
  const fs = fontSize(st);
  if (layers.includes('incidents')) drawIncidents(st.layerG, data.incidents || [], st.proj, fs);
  if (layers.includes('bridge_points')) drawBridges(st.layerG, data.bridges || [], st.proj, fs);
}

// ---- the console's click -------------------------------------------------------------------

function attachClicks(st) {
  // Only a console preview whose person may focus (the console hands it onFocus).
  if (!st.ctx.preview || !st.ctx.onFocus || st.params.focusable === false) return;
  st.svgEl.onclick = (ev) => {
    const path = ev.target.closest?.('path[data-code]');
    if (!path) return;
    let code = path.dataset.code;
    if (st.layers.list !== 'gso-34') {
      // An old unit: focus the 34-unit province its label point falls in.
      const f = st.layers.provinces.byCode.get(code);
      const spot = labelSpot(f, { p: (lon, lat) => [lon, lat] });
      const hit = st.layers.p34.features.find((p) => pointInFeature(spot.x, spot.y, p));
      if (!hit) return;
      code = hit.props.code;
    }
    st.ctx.onFocus(code);
  };
}

function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

registerTile('map', {
  create,
  update,
  tick(el, data, params, ctx) {
    const st = el._map;
    if (!st?.layers || !st.paths) return;
    drawLate(st);
    if (Math.floor(ctx.serverNow() / 60_000) !== st.ageMinute) {
      st.painted = new Map(); // ages in labels turn over once a minute
      paint(st);
    }
    if ((st.params.layers || []).includes('incidents')) {
      incidentList(st.root.querySelector('.m-incidents'), st.data?.incidents || [], st.layers.p34, ctx.lang, ctx);
    }
  },
});
