// The wall's text audit, run inside a screen page: every piece of text a person must read,
// checked for being clipped, too small for the room, cut by the screen's edge (a bezel) or
// drawn over other text. Called by tests/wallaudit.py as `(minPx) => audit(minPx)`.
//
// A "text" is an element's own text nodes (HTML) or an SVG <text>. Text painted on a canvas
// (Bokeh's plots) is invisible to the DOM: it is counted, not audited.
(minPx) => {
  const SLACK = 1.5; // px: sub-pixel layout is not clipping
  const view = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };

  const visible = (el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
    !el.closest('[hidden]');

  const ownRects = (el) => {
    if (el instanceof SVGElement) return [el.getBoundingClientRect()];
    const rects = [];
    for (const node of el.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      rects.push(...range.getClientRects());
    }
    return rects;
  };

  const union = (rects) => {
    const r = rects.filter((x) => x.width > 0 && x.height > 0);
    if (!r.length) return null;
    return {
      left: Math.min(...r.map((x) => x.left)),
      top: Math.min(...r.map((x) => x.top)),
      right: Math.max(...r.map((x) => x.right)),
      bottom: Math.max(...r.map((x) => x.bottom)),
    };
  };

  const fontPx = (el) => {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (!(el instanceof SVGElement)) return size;
    const m = el.getScreenCTM();
    return m ? size * Math.hypot(m.a, m.b) : size;
  };

  const outside = (r, box) =>
    r.left < box.left - SLACK ||
    r.top < box.top - SLACK ||
    r.right > box.right + SLACK ||
    r.bottom > box.bottom + SLACK;

  const up = (el) => el.parentElement || el.getRootNode().host || null;
  const deepContains = (a, b) => {
    for (let x = b; x; x = up(x)) if (x === a) return true;
    return false;
  };

  // The first ancestor whose overflow hides the text's overflow, if any.
  const clipper = (el, r) => {
    for (let a = up(el); a && a !== document.body; a = up(a)) {
      const s = getComputedStyle(a);
      const clipsX = s.overflowX !== 'visible';
      const clipsY = s.overflowY !== 'visible';
      if (!clipsX && !clipsY) continue;
      const b = a.getBoundingClientRect();
      const box = {
        left: clipsX ? b.left + a.clientLeft : -Infinity,
        right: clipsX ? b.left + a.clientLeft + a.clientWidth : Infinity,
        top: clipsY ? b.top + a.clientTop : -Infinity,
        bottom: clipsY ? b.top + a.clientTop + a.clientHeight : Infinity,
      };
      if (outside(r, box)) return a;
    }
    return null;
  };

  const describe = (el) => {
    const tile = el.closest('[data-tile]');
    const cls = typeof el.className === 'string' ? el.className : el.className.baseVal;
    return {
      tile: tile ? tile.dataset.tile : null,
      element: `${el.tagName.toLowerCase()}${cls ? '.' + cls.trim().split(/\s+/).join('.') : ''}`,
      text: (el instanceof SVGElement ? el.textContent : ownText(el)).trim().slice(0, 60),
    };
  };
  const ownText = (el) =>
    [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('');

  // Text nodes in document order, into every shadow root (the screen lives in Bokeh's).
  function* textNodes(root) {
    for (const node of root.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) yield node;
      else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.shadowRoot) yield* textNodes(node.shadowRoot);
        yield* textNodes(node);
      }
    }
  }
  const texts = [];
  const seen = new Set();
  for (const n of textNodes(document.body)) {
    if (!n.textContent.trim()) continue;
    let el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TITLE'].includes(el.tagName)) continue;
    if (el instanceof SVGElement) el = el.closest('text') || el;
    if (seen.has(el)) continue;
    seen.add(el);
    if (!visible(el)) continue;
    const r = union(ownRects(el));
    if (!r) continue;
    const onScreen = r.right > view.left && r.left < view.right && r.bottom > view.top && r.top < view.bottom;
    if (!onScreen) continue; // another screen's part of a spanning tile
    texts.push({ el, r });
  }

  const findings = [];
  const add = (kind, el, detail) => findings.push({ kind, ...describe(el), detail });
  // A ticker's text scrolls across screens and out of its tile by design.
  const moving = (el) => {
    for (let a = el; a; a = up(a)) if (a.getAnimations().some((x) => x.playState === 'running')) return true;
    return false;
  };
  for (const { el, r } of texts) {
    if (moving(el)) {
      // Only its size and what it runs over count.
    } else if (outside(r, view)) {
      add('edge', el, `crosses the screen edge at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
    } else {
      const a = clipper(el, r);
      if (a) add('clipped', el, `cut by ${a.tagName.toLowerCase()}.${String(a.className).split(' ')[0]}`);
    }
    const px = fontPx(el);
    if (px < minPx - 0.5) add('small', el, `${px.toFixed(1)} px < ${minPx} px`);
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      if (deepContains(a.el, b.el) || deepContains(b.el, a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      // Line boxes of stacked lines touch by a few pixels of leading: not an overlap.
      const least = Math.min(a.r.bottom - a.r.top, b.r.bottom - b.r.top);
      if (w > 2 && h > Math.max(2, 0.2 * least)) add('overlap', a.el, `over “${describe(b.el).text}”`);
    }
  }
  let canvases = 0;
  const countCanvases = (root) => {
    canvases += root.querySelectorAll('canvas').length;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) countCanvases(el.shadowRoot);
  };
  countCanvases(document);
  return { texts: texts.length, canvases, findings };
};
