// Where the bezels cross a tile. A screen knows its own part of the wall (welcome.screen:
// viewport, wall size); the grid and the gap follow from them, since every screen of a wall
// is alike and the gaps are far narrower than a screen. From these, a tile's screen parts:
// the rectangles of the tile that one screen shows, in the tile's own pixels, so a renderer
// can keep what must be read inside one of them (every screen computes the same parts).

/** {cols, rows, gapX, gapY, width, height} of the wall `screen` (welcome.screen) belongs to. */
export function wallGrid(screen) {
  const { width, height } = screen;
  const cols = Math.max(1, Math.floor((screen.wall_width + 0.5) / width));
  const rows = Math.max(1, Math.floor((screen.wall_height + 0.5) / height));
  const gapX = cols > 1 ? (screen.wall_width - cols * width) / (cols - 1) : 0;
  const gapY = rows > 1 ? (screen.wall_height - rows * height) / (rows - 1) : 0;
  return { cols, rows, gapX, gapY, width, height };
}

/**
 * The tile's screen parts, left to right then top to bottom: {x, y, w, h, col, row} in the
 * tile's pixels. `rect` is the tile relative to this screen's top-left (as layouts send it).
 * Without a screen (not welcomed yet) the whole tile is one part.
 */
export function tileParts(rect, screen) {
  if (!screen?.viewport) return [{ x: 0, y: 0, w: rect.w, h: rect.h, col: 0, row: 0 }];
  const g = wallGrid(screen);
  const ox = screen.viewport.x + rect.x; // the tile's top-left in wall pixels
  const oy = screen.viewport.y + rect.y;
  const parts = [];
  for (let row = 0; row < g.rows; row += 1) {
    for (let col = 0; col < g.cols; col += 1) {
      const sx = col * (g.width + g.gapX) - ox;
      const sy = row * (g.height + g.gapY) - oy;
      const x0 = Math.max(0, sx); const y0 = Math.max(0, sy);
      const x1 = Math.min(rect.w, sx + g.width); const y1 = Math.min(rect.h, sy + g.height);
      if (x1 - x0 > 0.5 && y1 - y0 > 0.5) parts.push({ x: x0, y: y0, w: x1 - x0, h: y1 - y0, col, row });
    }
  }
  return parts.length ? parts : [{ x: 0, y: 0, w: rect.w, h: rect.h, col: 0, row: 0 }];
}

/** The part holding the point (x, y) of the tile, or null on a bezel. */
export function partAt(parts, x, y) {
  return parts.find((p) => x >= p.x && x <= p.x + p.w && y >= p.y && y <= p.y + p.h) ?? null;
}

/** True when the box {x0, y0, x1, y1} (tile pixels) lies inside one screen part. */
export function insideOnePart(parts, box, slack = 1) {
  return parts.some((p) => box.x0 >= p.x - slack && box.x1 <= p.x + p.w + slack
    && box.y0 >= p.y - slack && box.y1 <= p.y + p.h + slack);
}
