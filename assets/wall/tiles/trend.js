// A series of recent periods against its target: a HoloViews chart rendered to Bokeh on
// the server (feeds/trend_chart.py), embedded here once with BokehJS (window.Bokeh, which
// the Panel page already loads). Later updates carry only `columns`, set as the data of
// the figure's ColumnDataSource named "trend-series"; the figure is embedded again only
// when the server sends one with a new key (a new target, thresholds, indicator).
//
// Data: feeds.trend_chart.wire_data — the indicator header (value, status, target,
// attainment, as_of, due_at, …), `chart_key`, `columns`, and `figure` {key, item}
// (a bokeh.embed.json_item) kept in the tile's merged data. The frame shows how old the
// last value is (layer.js, from as_of); the header shows the LATE mark, live.

import { registerTile } from '../tiles.js';
import { embedFigure } from '../bokeh-embed.js';
import { bilingual } from '../format.js';
import { drawLate as drawLateMark, setText } from '../../common/dom.js';
import {
  ensureStyles, num, reachText, targetText, verdictText,
} from './indicator-common.js';

export const SOURCE_NAME = 'trend-series';
const NUMERIC = new Set(['value', 'target', 'i']);

// Figures kept across layout switches, by tile id: a switch back to a layout shows the same
// figure again instead of embedding a new one. BokehJS does not free every part of a released
// figure (bokeh-embed.js), and a kiosk switches layouts for weeks; keeping the figure also
// makes the switch cheaper. At most KEEP figures wait here, the oldest released first.
const KEEP = 4;
const waiting = new Map(); // tile id -> {key, figure, target}

function keep(tileId, entry) {
  waiting.get(tileId)?.figure.release();
  waiting.delete(tileId);
  waiting.set(tileId, entry);
  while (waiting.size > KEEP) {
    const [oldest, old] = waiting.entries().next().value;
    old.figure.release();
    waiting.delete(oldest);
  }
}

/** The figure kept for this tile under this key, taken out of the waiting room. */
function takeKept(tileId, key) {
  const entry = waiting.get(tileId);
  if (!entry || entry.key !== key) return null;
  waiting.delete(tileId);
  return entry;
}

/** The figure's source by name, once embedded. */
function sourceOf(el) {
  return el.trendDoc ? el.trendDoc.get_model_by_name(SOURCE_NAME) : null;
}

/** Set the source's data to the tile's latest columns, if they belong to this figure. */
function applyColumns(el, data) {
  const source = sourceOf(el);
  if (!source || !data.columns || data.chart_key !== el.trendKey) return;
  const columns = {};
  for (const [name, values] of Object.entries(data.columns)) {
    // JSON has no NaN: a missing report arrives as null, and Bokeh draws NaN as a gap.
    columns[name] = NUMERIC.has(name) ? values.map((v) => (v === null ? NaN : v)) : values;
  }
  source.data = columns;
  el.dataset.points = String(data.columns.value.filter((v) => v !== null).length);
}

/** Font sizes for the tile's height: the figure is built for a full-height screen tile. */
function scaleFonts(el, doc) {
  const h = el.clientHeight || 600;
  // Never below the wall's legibility rule (the --min-text the screen sets), else 12 px.
  const floor = parseFloat(getComputedStyle(el).getPropertyValue('--min-text')) || 12;
  const px = Math.round(Math.max(floor, Math.min(28, h * 0.035)));
  for (const model of doc.all_models) {
    const props = model.properties || {};
    const set = {};
    for (const name of ['major_label_text_font_size', 'axis_label_text_font_size',
      'label_text_font_size', 'text_font_size']) {
      if (name in props) set[name] = `${px}px`;
    }
    if (Object.keys(set).length) model.setv(set);
  }
}

/** Drop the embedded figure entirely (a kiosk runs for weeks of layout switches). */
function release(el) {
  el.trendFigure?.release();
  el.trendFigure = null;
  el.trendTarget = null;
  el.trendDoc = null;
  el.trendKey = null;
}

function tileIdOf(el) {
  return el.closest('[data-tile]')?.dataset.tile ?? null;
}

function show(el, key, embedded, target) {
  el.querySelector('.t-chart').replaceChildren(target);
  el.trendFigure = embedded;
  el.trendDoc = embedded.doc;
  el.trendKey = key;
  el.trendTarget = target;
  el.dataset.chartKey = key;
}

async function embed(el, figure) {
  const host = el.querySelector('.t-chart');
  const again = takeKept(tileIdOf(el), figure.key);
  if (again) {
    release(el);
    show(el, figure.key, again.figure, again.target);
    el.dataset.figureReuses = String(Number(el.dataset.figureReuses || 0) + 1);
    applyColumns(el, el.trendData);
    return;
  }
  release(el);
  const target = document.createElement('div');
  target.className = 't-bokeh';
  host.replaceChildren(target);
  const embedded = await embedFigure(figure.item, target);
  if (el.trendWanted !== figure.key || el.trendDestroyed) {  // superseded meanwhile
    embedded.release();
    return;
  }
  release(el);
  show(el, figure.key, embedded, target);
  el.dataset.figureEmbeds = String(Number(el.dataset.figureEmbeds || 0) + 1);
  scaleFonts(el, el.trendDoc);
  applyColumns(el, el.trendData);
}

function drawHead(el, data, params, ctx) {
  const root = el.querySelector('.ind-trend');
  const lang = ctx.lang;
  if (!data.indicator) {
    setText(root.querySelector('.t-name'), params.indicator);
    return;
  }
  const area = data.area === 'VN' ? '' : ` · ${data.area_vi}`;
  const name = root.querySelector('.t-name');
  name.hidden = Boolean(params.title_vi || params.title_en); // the title bar names it
  setText(name, bilingual(data.short_vi || data.name_vi, data.short_en || data.name_en, lang)[0] + area);
  name.title = `${data.name_vi} · ${data.name_en}`;
  const has = data.value !== null && data.value !== undefined;
  const status = has ? (data.status || 'neutral') : 'neutral';
  const v = root.querySelector('.t-value');
  v.className = `t-value st-${status}`;
  setText(v, has ? num(data.value, data.decimals) : '—');
  setText(root.querySelector('.t-unit'),
    `${bilingual(data.unit_vi, data.unit_en, lang)[0]} · ${bilingual(data.period_vi, data.period_en, lang)[0]}`);
  // Attainment and the verdict as the indicator tile shows them, in the status colour.
  const parts = [];
  const t = data.target;
  if (t) {
    parts.push(`${lang === 'en' ? 'Target' : 'Mục tiêu'} ${targetText(t, data.decimals)}`);
    const reach = reachText(data, lang);
    if (reach) parts.push(reach);
    const verdict = verdictText(data.target_met, lang);
    if (verdict) parts.push(verdict);
  }
  const att = root.querySelector('.t-att');
  att.className = `t-att st-${status}`;
  setText(att, parts.join(' · '));
  drawLate(el, data, ctx);
}

function drawLate(el, data, ctx) {
  const root = el.querySelector('.ind-trend');
  if (!data.indicator) return;
  drawLateMark(root.querySelector('.late-badge'), data, ctx);
}

function showError(el, err) {
  console.error('wall: trend chart', err);
  const box = document.createElement('div');
  box.className = 'tile-message tile-error';
  box.textContent = `Lỗi biểu đồ · Chart error: ${err.message}`;
  el.querySelector('.t-chart').replaceChildren(box);
}

registerTile('trend', {
  create(el) {
    ensureStyles(el);
    el.innerHTML = `<div class="ind ind-trend">
      <div class="t-head"><span class="t-name"></span><span class="t-value"></span>
        <span class="t-unit"></span><span class="late-badge" hidden></span></div>
      <div class="t-att"></div>
      <div class="t-chart"></div></div>`;
  },
  update(el, data, params, ctx) {
    el.trendData = data;
    drawHead(el, data, params, ctx);
    const figure = data.figure;
    if (figure && figure.key !== el.trendWanted) {
      el.trendWanted = figure.key;
      embed(el, figure).catch((err) => showError(el, err));
    } else {
      applyColumns(el, data);
    }
  },
  tick(el, data, params, ctx) {
    drawLate(el, data, ctx);
  },
  destroy(el) {
    el.trendDestroyed = true;
    const tileId = tileIdOf(el);
    if (el.trendFigure && tileId) {
      keep(tileId, { key: el.trendKey, figure: el.trendFigure, target: el.trendTarget });
      el.trendFigure = null;
      el.trendTarget.remove();
    }
    release(el);
  },
});
