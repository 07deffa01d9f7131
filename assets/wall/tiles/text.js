// Text tiles: a title, a banner, or a ticker. Live data may replace the text (vi/en).
// Sizes follow the tile's height (CSS container units), so any tile reads across the room.

import { registerTile } from '../tiles.js';
import { bilingual } from '../format.js';
import { fewestScreens, keepOffBezel, resetOffBezel } from '../offbezel.js';

function texts(data, params, ctx) {
  const vi = data.vi ?? params.vi ?? '';
  const en = data.en ?? params.en ?? '';
  return bilingual(vi, en, ctx.lang);
}

// ---- title / banner: shrink a long text to fit rather than cut it --------------------

// Measuring forces a layout. Fitting each node as its text changes would force one per
// tile per data message; instead the nodes of one batch are fitted together once the
// batch's writes are done: reset every size, read every width (one layout), then write.
let toFit = new Set();

function fitWidth(node, parts, row = null) {
  if (toFit.size === 0) queueMicrotask(fitAll);
  node.wallParts = parts;
  node.wallRow = row;
  toFit.add(node);
}

function fitAll() {
  const nodes = [...toFit];
  toFit = new Set();
  for (const node of nodes) {
    node.style.fontSize = '';
    node.style.width = '';
    resetOffBezel(node);
  }
  const sizes = nodes.map((node) => {
    const over = node.scrollWidth / Math.max(1, node.clientWidth);
    return over > 1.001 ? Math.floor(parseFloat(getComputedStyle(node).fontSize) / over) : null;
  });
  nodes.forEach((node, i) => {
    if (sizes[i] !== null) node.style.fontSize = `${sizes[i]}px`;
  });
  // Across screens: whole words on each screen, the line inside one row of screens; a line
  // the moves made too long shrinks and is placed again (a move per bezel at most).
  for (const node of nodes) {
    if (!(node.wallParts?.length > 1)) continue;
    if (!node.wallRow && fewestScreens(node, node.wallParts)) continue;
    for (let round = 0; round < 4; round += 1) {
      keepOffBezel(node, node.wallParts, node.wallRow);
      const over = node.scrollWidth / Math.max(1, node.clientWidth);
      if (over <= 1.001) break;
      const size = parseFloat(getComputedStyle(node).fontSize);
      node.style.fontSize = `${Math.floor((size / over) * 0.97)}px`;
    }
    keepOffBezel(node, node.wallParts, node.wallRow);
  }
}

// ---- ticker -----------------------------------------------------------------------------
// The scroll is a CSS animation whose phase is pinned to the server clock: the position
// at server time S is a pure function of S, so a ticker spanning several screens moves
// as one band across them, and a reconnect or re-render does not restart it.
// (A negative animation-delay is not enough: the animation starts at the next frame
// commit, a different moment on every screen; an explicit startTime is exact.)

function phaseTicker(el, params, ctx) {
  const run = el.querySelector('.ticker-run');
  const width = el.clientWidth;
  const textWidth = run.offsetWidth;
  const speed = Number(params.speed) > 0 ? Number(params.speed) : 120;
  const duration = ((width + textWidth) / speed) * 1000;
  const key = `${width}:${textWidth}:${speed}`;
  // timeline time t is server time timeOrigin + t + offset = t + base.
  const base = ctx.serverNow() - performance.now();
  let anim = el.tickerAnim;
  if (key !== el.tickerKey || !anim) {
    run.style.setProperty('--ticker-from', `${width}px`);
    run.style.setProperty('--ticker-to', `${-textWidth}px`);
    run.style.animation = 'none';
    void run.offsetWidth; // restart the animation with the new values
    run.style.animation = `wall-ticker ${duration}ms linear infinite`;
    anim = run.getAnimations().find((a) => a.animationName === 'wall-ticker') || null;
    el.tickerAnim = anim;
    el.tickerKey = key;
  }
  if (anim) anim.startTime = -(base % duration);
  else run.style.animationDelay = `${-(ctx.serverNow() % duration)}ms`;
  el.tickerBase = base;
}

registerTile('text', {
  create(el, params) {
    const style = params.style || 'title';
    el.classList.add('text', `text-${style}`);
    if (style === 'ticker') {
      el.innerHTML = `<div class="ticker-track"><span class="ticker-run">
        <span class="t-primary"></span><span class="t-secondary"></span></span></div>`;
    } else {
      el.innerHTML = '<div class="t-primary"></div><div class="t-secondary"></div>';
    }
  },
  update(el, data, params, ctx) {
    const [primary, secondary] = texts(data, params, ctx);
    const p = el.querySelector('.t-primary');
    const s = el.querySelector('.t-secondary');
    const key = `${primary}\n${secondary}`;
    if (el.wallText === key) return; // unchanged: keep the ticker running undisturbed
    // A live value usually keeps its length (a number ticking over): then its fitted size
    // still holds, and skipping the measurement saves a forced layout per update.
    const sameLength = el.wallText !== undefined && el.wallText.length === key.length;
    el.wallText = key;
    p.textContent = primary;
    s.textContent = secondary;
    s.hidden = !secondary;
    if ((params.style || 'title') === 'ticker') {
      phaseTicker(el, params, ctx);
    } else if (!sameLength || ctx.parts?.length > 1) {
      // A banner over several rows of screens: its first line in the middle of the first
      // row, the second in the middle of the last.
      const banner = params.style === 'banner' && secondary;
      fitWidth(p, ctx.parts, banner ? 'first' : null);
      if (secondary) fitWidth(s, ctx.parts, banner ? 'last' : null);
    }
  },
  tick(el, data, params, ctx) {
    if ((params.style || 'title') !== 'ticker') return;
    // The clock offset settles in the first seconds (ping burst): follow it. 1 ms is
    // a fraction of a pixel at ticker speeds; re-pinning startTime does not restart anything.
    const run = el.querySelector('.ticker-run');
    const key = `${el.clientWidth}:${run.offsetWidth}:${Number(params.speed) > 0 ? Number(params.speed) : 120}`;
    const drift = Math.abs(ctx.serverNow() - performance.now() - el.tickerBase);
    if (drift > 1 || key !== el.tickerKey) phaseTicker(el, params, ctx);
  },
});
