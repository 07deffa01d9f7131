// The map and the bezels: the tile's screen parts in the map's own pixels, the regions a
// projection may be fitted into (whole tile, one column of screens, one screen) and moving a
// label into the screen its anchor lies on. Pure geometry on plain boxes.

/** The tile's screen parts (ctx.parts, tile pixels) in the map body's pixels, clipped to it. */
export function bodyParts(parts, body, w, h) {
  const dx = body.offsetLeft || 0;
  const dy = body.offsetTop || 0;
  const out = [];
  for (const p of parts || []) {
    const x0 = Math.max(0, p.x - dx); const y0 = Math.max(0, p.y - dy);
    const x1 = Math.min(w, p.x + p.w - dx); const y1 = Math.min(h, p.y + p.h - dy);
    if (x1 - x0 > 1 && y1 - y0 > 1) out.push({ x: x0, y: y0, w: x1 - x0, h: y1 - y0, col: p.col, row: p.row });
  }
  return out.length ? out : [{ x: 0, y: 0, w, h, col: 0, row: 0 }];
}

/** Columns of screens across the map: [{x, w}], left to right. */
export function columns(parts) {
  const byCol = new Map();
  for (const p of parts) {
    const c = byCol.get(p.col);
    byCol.set(p.col, c ? { x: Math.min(c.x, p.x), w: Math.max(c.x + c.w, p.x + p.w) - Math.min(c.x, p.x) } : { x: p.x, w: p.w });
  }
  return [...byCol.values()].sort((a, b) => a.x - b.x);
}

/** The vertical bezels as [x0, x1] gaps between neighbouring columns. */
export function verticalGaps(parts) {
  const cols = columns(parts);
  return cols.slice(1).map((c, i) => [cols[i].x + cols[i].w, c.x]);
}

/** True when the span [x0, x1] crosses a vertical bezel. */
export function crossesVertical(parts, x0, x1) {
  return verticalGaps(parts).some(([g0, g1]) => x0 < g1 && x1 > g0);
}

/** The largest screen part (a focused province goes inside one screen). */
export function largestPart(parts) {
  return parts.reduce((a, b) => (b.w * b.h > a.w * a.h ? b : a));
}

/**
 * Move the box {x0, y0, x1, y1} (centred on its anchor) inside the screen part holding its
 * anchor (cx, cy): the shift [dx, dy], or null when it does not fit there or would move
 * further than `reach` pixels from its anchor.
 */
export function shiftIntoPart(parts, box, cx, cy, reach) {
  const p = parts.find((q) => cx >= q.x && cx <= q.x + q.w && cy >= q.y && cy <= q.y + q.h)
    ?? parts.reduce((a, b) => (dist(b, cx, cy) < dist(a, cx, cy) ? b : a));
  const m = 6; // px: a halo (stroke) reaches past the glyphs
  if (box.x1 - box.x0 > p.w - 2 * m || box.y1 - box.y0 > p.h - 2 * m) return null;
  const dx = Math.max(p.x + m - box.x0, Math.min(0, p.x + p.w - m - box.x1));
  const dy = Math.max(p.y + m - box.y0, Math.min(0, p.y + p.h - m - box.y1));
  return Math.hypot(dx, dy) > reach ? null : [dx, dy];
}

function dist(p, x, y) {
  const dx = Math.max(p.x - x, 0, x - (p.x + p.w));
  const dy = Math.max(p.y - y, 0, y - (p.y + p.h));
  return Math.hypot(dx, dy);
}
