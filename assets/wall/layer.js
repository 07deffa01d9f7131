// One layout on one screen: a layer of absolutely placed tiles. A new layout is built
// hidden (laid out, so renderers can measure and animations already run), then shown
// in a single frame by the swap.

import { rendererFor } from './tiles.js';
import { formatAge, toMs } from './format.js';
import { tileParts } from './bezels.js';
import { keepOffBezel } from './offbezel.js';

const DEFAULT_STALE_AFTER_S = 600;

export class Layer {
  constructor(host, layout, ctx) {
    this.layout = layout;
    this.el = document.createElement('div');
    this.el.className = 'wall-layer is-pending';
    this.el.dataset.version = layout.version;
    host.append(this.el);
    this.tiles = new Map();
    for (const spec of layout.tiles) {
      this.tiles.set(spec.id, new Tile(this.el, spec, ctx));
    }
  }

  show() {
    this.el.classList.remove('is-pending');
  }

  /** Hide at once (a compositor-only change), free the DOM later, off the swap's frame. */
  retire(afterMs = 1000) {
    this.el.classList.add('is-retired');
    setTimeout(() => this.destroy(), afterMs);
  }

  /** Merge a data patch into one tile; false when this layer has no such tile. */
  apply(tileId, patch) {
    const tile = this.tiles.get(tileId);
    if (!tile) return false;
    tile.apply(patch);
    return true;
  }

  tick() {
    for (const tile of this.tiles.values()) tile.tick();
  }

  destroy() {
    for (const tile of this.tiles.values()) tile.destroy();
    this.el.remove();
  }
}

class Tile {
  constructor(parent, spec, ctx) {
    this.spec = spec;
    // The tile's own view of the screen context: its screen parts (bezels.js), so what must
    // be read can be laid out inside one screen.
    this.ctx = Object.create(ctx, { parts: { value: tileParts(spec.rect, ctx.screen), enumerable: true } });
    ctx = this.ctx;
    this.params = spec.params || {};
    this.data = { ...(spec.data || {}) };
    this.renderer = rendererFor(spec.kind);

    const el = document.createElement('div');
    el.className = `tile tile-kind-${cssName(spec.kind)}`;
    el.dataset.tile = spec.id;
    el.dataset.kind = spec.kind;
    // The rect may reach past the screen's edges (a tile spanning screens); the
    // screen's overflow:hidden does the clipping, so every screen draws the same tile.
    const { x, y, w, h } = spec.rect;
    Object.assign(el.style, { left: `${x}px`, top: `${y}px`, width: `${w}px`, height: `${h}px` });
    el.style.setProperty('--tile-h', `${h}px`);
    el.style.setProperty('--tile-w', `${w}px`);
    this.el = el;

    const title = titleOf(this.params);
    if (title) {
      const bar = document.createElement('div');
      bar.className = 'tile-title';
      bar.innerHTML = '<span class="t-vi"></span><span class="t-en"></span>';
      bar.children[0].textContent = title.vi;
      bar.children[1].textContent = title.en;
      el.append(bar);
      el.classList.add('has-title');
    }
    this.body = document.createElement('div');
    this.body.className = 'tile-body';
    el.append(this.body);
    this.age = document.createElement('div');
    this.age.className = 'tile-age';
    this.age.hidden = true;
    el.append(this.age);
    parent.append(el);
    // A title across screens: whole words on each screen (again once the fonts are in).
    const bar = el.querySelector(':scope > .tile-title');
    if (bar && ctx.parts.length > 1) {
      const place = () => { for (const span of bar.children) keepOffBezel(span, ctx.parts); };
      place();
      document.fonts?.ready.then(place);
    }

    this.guard('create', () => this.renderer.create(this.body, this.params, ctx));
    this.guard('update', () => this.renderer.update(this.body, this.view, this.params, ctx));
    this.refreshAge();
    this.refreshFocus();
  }

  apply(patch) {
    // Back from a focus: draw afresh, so nothing of the province's view can linger (the
    // tile's own data may not have every key the view had).
    const unfocused = 'focus_view' in patch && !patch.focus_view && this.data.focus_view;
    Object.assign(this.data, patch);
    if (unfocused) {
      if (this.renderer.destroy) this.guard('destroy', () => this.renderer.destroy(this.body));
      this.body.replaceChildren();
      this.failed = false;
      this.guard('create', () => this.renderer.create(this.body, this.params, this.ctx));
    }
    this.guard('update', () => this.renderer.update(this.body, this.view, this.params, this.ctx));
    this.refreshAge();
    if ('focused' in patch) this.refreshFocus();
  }

  // The console's map focus re-points a whole-country tile to the focused province
  // (server/map_feed.py): while it lasts, the renderer is handed the province's data.
  get view() {
    const focus = this.data.focus_view;
    return focus ? { ...this.data, ...focus } : this.data;
  }

  // The console focused the maps on this tile's province (server/map_feed.py): ring it.
  refreshFocus() {
    this.el.classList.toggle('is-focused', this.data.focused === true);
  }

  tick() {
    if (this.renderer.tick) {
      this.guard('tick', () => this.renderer.tick(this.body, this.view, this.params, this.ctx));
    }
    this.refreshAge();
  }

  // Every value with an as_of says how old it is, and turns amber past stale_after_s:
  // the wall never shows an old value as if it were fresh.
  refreshAge() {
    const view = this.view;
    const asOf = toMs(view.as_of);
    if (asOf === null) {
      this.age.hidden = true;
      this.el.classList.remove('is-stale');
      return;
    }
    const ageMs = this.ctx.serverNow() - asOf;
    const limit = Number(view.stale_after_s ?? DEFAULT_STALE_AFTER_S) * 1000;
    const stale = ageMs > limit;
    const { vi, en } = formatAge(ageMs);
    const text = stale ? `CŨ · stale — ${vi} · ${en}` : `${vi} · ${en}`;
    if (this.age.textContent !== text) this.age.textContent = text;
    this.age.hidden = false;
    this.el.classList.toggle('is-stale', stale);
  }

  // One broken renderer must not blank the whole screen: show the error in its tile.
  guard(stage, fn) {
    try {
      fn();
    } catch (err) {
      console.error(`wall: tile ${this.spec.id} (${this.spec.kind}) ${stage} failed`, err);
      if (this.failed) return;
      this.failed = true;
      const box = document.createElement('div');
      box.className = 'tile-message tile-error';
      box.textContent = `Lỗi hiển thị ô · Tile render error: ${err.message}`;
      this.body.replaceChildren(box);
    }
  }

  destroy() {
    if (this.renderer.destroy) {
      try { this.renderer.destroy(this.body); } catch (err) { console.error(err); }
    }
  }
}

/** {vi, en} from params.title (string or {vi, en}) or params.title_vi/title_en; null without one. */
function titleOf(p) {
  let vi = p.title_vi || '';
  let en = p.title_en || '';
  if (typeof p.title === 'string') vi = vi || p.title;
  else if (p.title && typeof p.title === 'object') { vi = vi || p.title.vi || ''; en = en || p.title.en || ''; }
  if (!vi && !en) return null;
  return { vi: vi || en, en: vi ? en : '' };
}

function cssName(kind) {
  return String(kind).replace(/[^a-zA-Z0-9_-]/g, '-');
}
