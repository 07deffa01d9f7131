// Keep a line of text off the bezels: a line in a tile that spans screens is moved into one
// row of screens (never cut by a horizontal bezel) and each word that would straddle a
// vertical bezel starts again just past it, so every screen shows whole words. The tile's
// screen parts come from bezels.js (ctx.parts); with one part there is nothing to do.

const PAD = 0.25; // of the font size: the room left between a bezel and the next word

/** The element's box in its tile's own pixels (the screen may be scaled, in a preview). */
function boxIn(tile, el) {
  const t = tile.getBoundingClientRect();
  const s = t.width / Math.max(1, tile.offsetWidth) || 1;
  const r = el.getBoundingClientRect();
  return { x0: (r.left - t.left) / s, x1: (r.right - t.left) / s, y0: (r.top - t.top) / s, y1: (r.bottom - t.top) / s };
}

// A run of capitals is one heading ("THÔNG BÁO KHẨN CẤP"): it moves as one, never split.
const isCaps = (word) => /\p{Lu}/u.test(word) && word === word.toUpperCase();

/** The line's words in spans of their own (once), so a word can be moved on its own. */
function wordsOf(line) {
  if (line.dataset.words !== line.textContent || !line.querySelector(':scope > span.w')) {
    const text = line.textContent;
    const units = [];
    for (const piece of text.split(/(\s+)/)) {
      if (!piece) continue;
      const prev = units.length >= 2 ? units[units.length - 2] : null;
      if (/^\s+$/.test(piece)) units.push(piece);
      else if (prev !== null && isCaps(prev) && isCaps(piece)) {
        units[units.length - 2] += units.pop() + piece; // the space and the word join the heading
      } else units.push(piece);
    }
    line.replaceChildren();
    for (const unit of units) {
      if (/^\s+$/.test(unit)) { line.append(unit); continue; }
      const w = document.createElement('span');
      w.className = 'w';
      w.textContent = unit;
      line.append(w);
    }
    line.dataset.words = line.textContent;
  }
  return [...line.querySelectorAll(':scope > span.w')];
}

/** Undo every move (before a line is measured afresh, e.g. at another font size). */
export function resetOffBezel(line) {
  line.style.translate = '';
  for (const w of line.querySelectorAll(':scope > span.w')) w.style.marginLeft = '';
}

/**
 * Move `line` (a one-line, nowrap element) off the bezels of `parts`. Returns false when the
 * line cannot be kept off them (taller than a row of screens). `row`: 'first' or 'last' puts
 * the line in the middle of the tile's first or last row of screens (a banner's two lines,
 * one a row); otherwise it moves no further than it must. `pieces`: the line's children that
 * each move as one instead of its words (a summary whose coloured counts are markup that
 * splitting into words would flatten); the line may then wrap (a flex row).
 */
export function keepOffBezel(line, parts, row = null, pieces = null) {
  const tile = line.closest('.tile');
  if (!tile || !parts || parts.length < 2 || !line.textContent.trim()) return true;
  resetOffBezel(line);
  const fs = parseFloat(getComputedStyle(line).fontSize) || 16;
  // Rows of screens the tile covers, top to bottom.
  const bands = [...new Map(parts.map((p) => [p.row, [p.y, p.y + p.h]])).values()].sort((a, b) => a[0] - b[0]);
  let box = boxIn(tile, line);
  if (row && bands.length > 1) {
    const [y0, y1] = row === 'first' ? bands[0] : bands[bands.length - 1];
    if (box.y1 - box.y0 > y1 - y0) return false;
    const dy = (y0 + y1) / 2 - (box.y0 + box.y1) / 2;
    line.style.translate = `0 ${dy}px`;
    box = { ...box, y0: box.y0 + dy, y1: box.y1 + dy };
  } else if (!bands.some(([y0, y1]) => box.y0 >= y0 - 1 && box.y1 <= y1 + 1)) {
    // The band holding most of the line takes all of it: the smallest move that fits.
    const share = ([y0, y1]) => Math.min(y1, box.y1) - Math.max(y0, box.y0);
    const [y0, y1] = bands.reduce((a, b) => (share(b) > share(a) ? b : a));
    if (box.y1 - box.y0 > y1 - y0) return false;
    const dy = box.y0 < y0 ? y0 - box.y0 + fs * 0.1 : y1 - box.y1 - fs * 0.1;
    line.style.translate = `0 ${dy}px`;
    box = { ...box, y0: box.y0 + dy, y1: box.y1 + dy };
  }
  for (const br of line.querySelectorAll(':scope > .off-bezel-break')) br.remove();
  for (const unit of pieces ?? wordsOf(line)) startPastBezel(tile, unit, parts, fs);
  return true;
}

/** The vertical bezels crossing the row of screens that holds `box`: [x0, x1] gaps. */
function verticalGaps(parts, box) {
  const inRow = parts.filter((p) => p.y <= box.y0 + 1 && p.y + p.h >= box.y1 - 1).sort((a, b) => a.x - b.x);
  return inRow.slice(1).map((p, i) => [inRow[i].x + inRow[i].w, p.x]);
}

/**
 * A word or piece that would straddle a vertical bezel starts again just past it. Measured
 * in order, so each one sees where the ones before it ended. A piece of a wrapping row that
 * the move pushes onto the next line starts that line instead (a break before it), and is
 * looked at again there.
 */
function startPastBezel(tile, unit, parts, fs) {
  unit.style.marginLeft = '';
  for (let tries = 0; tries < 2; tries += 1) {
    const r = boxIn(tile, unit);
    const gap = verticalGaps(parts, r).find(([g0, g1]) => r.x0 < g1 + 1 && r.x1 > g0 - 1);
    if (!gap) return;
    unit.style.marginLeft = `${gap[1] + fs * PAD - r.x0}px`;
    if (boxIn(tile, unit).y0 <= r.y0 + 1) return;
    unit.style.marginLeft = '';
    const br = document.createElement('span');
    br.className = 'off-bezel-break';
    br.style.flexBasis = '100%';
    br.style.height = '0';
    unit.before(br);
  }
}

/**
 * Keep a line on as few screens as it can take at no less than `least` of its size: it
 * shrinks to end on the k-th screen of its row (k = 1, 2, …), so a title reads whole on one
 * screen rather than spread across two, and a long one leaves no lone word on the last.
 * True when it now fits one screen (no word needs moving).
 */
export function fewestScreens(line, parts, least = 0.75) {
  const tile = line.closest('.tile');
  if (!tile || !parts || parts.length < 2) return false;
  const t = tile.getBoundingClientRect();
  const scale = t.width / Math.max(1, tile.offsetWidth) || 1;
  const box = boxIn(tile, line);
  // The text's own width: a block line is as wide as its tile, whatever its text.
  const range = document.createRange();
  range.selectNodeContents(line);
  const words = range.getBoundingClientRect().width / scale;
  const fs = parseFloat(getComputedStyle(line).fontSize);
  // The row of screens holding most of the line, from the screen the line starts on.
  const share = (p) => Math.min(p.y + p.h, box.y1) - Math.max(p.y, box.y0);
  const home = parts.reduce((a, b) => (share(b) > share(a) ? b : a));
  const row = parts.filter((p) => p.row === home.row && p.x + p.w > box.x0).sort((a, b) => a.x - b.x);
  for (let k = 1; k <= row.length; k += 1) {
    const end = row[k - 1].x + row[k - 1].w;
    const room = end - box.x0 - fs * PAD * k;
    if (words > room && room / words < least) continue;
    if (words > room) line.style.fontSize = `${Math.floor(fs * (room / words))}px`;
    // The line ends on this screen: later ones stay free of stray words.
    if (k < row.length) line.style.width = `${end - box.x0}px`;
    return k === 1;
  }
  return false;
}
