// The province map: a choropleth of one province-level indicator (34 units for periods from
// 01/07/2025, 63 before), a legend, names, values and ages where a province has room, the
// Hoàng Sa and Trường Sa archipelagos always (in the frame on a wide tile, in an inset on a
// narrow one), incidents and bridge points on top, and the console's focus (zoom + highlight).
//
// Geometry comes once from /assets/geo/*.geojson; live data (feeds/map_data.py) carries only
// classes and values per province code, so a recolour touches fills and label texts only.
// In a console preview (ctx.preview) a click on a province focuses the wall on it.
//
// This module holds the tile's life (create, update, tick) and the live repaint; the frame
// (map-frame.js), labels (map-labels.js), head (map-head.js), legend (map-legend.js), focus
// (map-focus.js), geometry (map-geo.js) and incident/bridge layers (map-layers.js) are beside it.

import { addStylesheet } from '../../common/dom.js';
import { onServer } from '../servers.js';
import { registerTile } from '../tiles.js';
import { formatAge, formatNumber } from '../format.js';
import { buildGeometry } from './map-frame.js';
import { fontSize } from './map-labels.js';
import { drawFocusBanner } from './map-focus.js';
import { loadLayer } from './map-geo.js';
import { drawHead, drawLate, headBottom, showEmpty } from './map-head.js';
import { drawBridges, drawIncidents, drawLayerLegend, incidentList } from './map-layers.js';
import { drawLegend } from './map-legend.js';
import { bodyParts } from './map-bezels.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
let uid = 0;

function create(el, params, ctx) {
  // On the server the screen uses now; in a console preview, inside its shadow root. The
  // map is drawn once it is in: labels are measured and placed in their own style (centred
  // on their anchor, bold), not in the browser's default.
  const styled = addStylesheet(el, onServer(new URL('./map.css', import.meta.url).href, ctx.serverOrigin));
  const id = `m${++uid}`;
  el.innerHTML = `<div class="map">
    <svg class="m-svg" xmlns="${SVG_NS}"></svg>
    <div class="m-head"><div class="m-name"></div><div class="m-sub"><span class="late-badge" hidden></span><span class="m-info"></span></div><div class="m-src"></div></div>
    <div class="m-focus" hidden><span class="m-focus-text"></span></div>
    <div class="m-incidents" hidden></div>
    <div class="m-legend" hidden></div>
    <div class="m-legend m-layer-legend" hidden></div>
    <div class="m-empty" hidden></div>
  </div>`;
  const root = el.querySelector('.map');
  const state = {
    id, root, svgEl: root.querySelector('.m-svg'), params, ctx, styled,
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
      Promise.all([loadLayer(wanted, origin), loadLayer('archipelagos', origin), loadLayer('gso-34', origin), st.styled])
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

function draw(el) {
  const st = el._map;
  if (!st.layers) return;
  st.w = Math.max(1, el.clientWidth);
  st.h = Math.max(1, el.clientHeight);
  st.parts = bodyParts(st.ctx.parts, el, st.w, st.h);
  drawOverlays(st); // first: the map starts below the head, so its height is needed
  const key = viewKey(st);
  const rebuilt = st.drawn !== key;
  if (rebuilt) {
    buildGeometry(st);
    st.drawn = key;
    st.painted = new Map();
  }
  paint(st);
  drawLayers(st);
  // Bridge-point labels keep clear of the province labels, which move once the wall's font
  // is in (map-frame.js): place them again after that.
  if (rebuilt) {
    document.fonts?.ready.then(() => {
      if (st.drawn !== key || !st.svgEl.isConnected) return;
      st.layersKey = null;
      drawLayers(st);
    });
  }
  const now = performance.now();
  st.root.dataset.mapDrawn = st.layers.list;
  if (!el.closest('.tile')?.dataset.mapDrawnAt) {
    el.closest('.tile')?.setAttribute('data-map-drawn-at', String(Math.round(now)));
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

function drawLayers(st) {
  const data = st.data || {};
  const layers = st.params.layers || [];
  const key = [data.incidents, data.bridges, st.drawn];
  if (st.layersKey && st.layersKey.every((v, i) => v === key[i])) return;
  st.layersKey = key;
  st.layerG.replaceChildren();
  const fs = fontSize(st);
  if (layers.includes('incidents')) drawIncidents(st.layerG, data.incidents || [], st.proj, fs);
  if (layers.includes('bridge_points')) drawBridges(st.layerG, shownBridges(st), st.proj, fs, st.parts);
}

// Points never connected since the start go on a map of the layers, whose legend says what
// their grey mark means; over a choropleth they would only cover the provinces' colours.
function shownBridges(st) {
  const all = st.data?.bridges || [];
  return st.params.indicator ? all.filter((b) => b.ts != null) : all;
}

// ---- head, legend, focus banner, incident list ---------------------------------------------

function drawOverlays(st) {
  drawHead(st);
  drawLegend(st);
  drawFocusBanner(st);
  const data = st.data || {};
  const lang = st.ctx.lang;
  const root = st.root;
  const list = root.querySelector('.m-incidents');
  const layers = st.params.layers || [];
  drawLayerLegend(root.querySelector('.m-layer-legend'), layers, !data.ind && !st.params.indicator, shownBridges(st));
  if ((st.params.layers || []).includes('incidents') && st.layers) {
    incidentList(list, data.incidents || [], st.layers.p34, lang, st.ctx);
  } else {
    list.hidden = true;
  }
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
