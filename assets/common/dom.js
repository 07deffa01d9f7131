// The DOM helpers every page shares (wall tiles, the bridge page, the console's video
// roster): text that is written only when it changed, SVG elements, the one HTML escaper,
// the stylesheet loader that works inside a shadow root, and the live late mark.
// Each existed in three to five copies; one copy means one behaviour.

import { bilingual, formatDuration } from '../wall/format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// Never hang a page on a stylesheet: after this long, go on without it.
const STYLESHEET_WAIT_MS = 3000;
const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Write `text` into `node` only when it differs (no needless layout); null node: nothing. */
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

/** An SVG element with `attrs`, appended to `parent` when one is given. */
export function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

/** `text` safe inside HTML text and quoted attributes (& < > " '); null/undefined give ''. */
export function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Link the stylesheet `href` into whichever root holds `el`: Panel renders components inside
 * a shadow root, where the document's stylesheets do not reach. Linked once per root; the
 * promise resolves once the sheet has loaded, failed, or after STYLESHEET_WAIT_MS.
 */
export function addStylesheet(el, href) {
  const root = el.getRootNode();
  const holder = root instanceof ShadowRoot ? root : document.head;
  let tag = [...holder.querySelectorAll('link[rel="stylesheet"]')].find((l) => l.href === href);
  if (tag && tag.sheet) return Promise.resolve();
  if (!tag) {
    tag = document.createElement('link');
    tag.rel = 'stylesheet';
    tag.href = href;
    holder.append(tag);
  }
  return new Promise((resolve) => {
    tag.addEventListener('load', resolve, { once: true });
    tag.addEventListener('error', resolve, { once: true });
    setTimeout(resolve, STYLESHEET_WAIT_MS);
  });
}

/**
 * {late, overdueMs} now, from data.due_at and the server clock, so a value turns late on the
 * wall at its deadline even if no new data arrives. Without a deadline (due_at null: a pinned
 * period awaits no report) the producer's data.late and data.overdue_ms stand.
 */
export function lateNow(data, ctx) {
  const due = data.due_at == null ? NaN : Number(data.due_at);
  if (Number.isFinite(due)) {
    const over = ctx.serverNow() - due;
    return { late: over >= 0, overdueMs: Math.max(0, over) };
  }
  return { late: Boolean(data.late), overdueMs: Number(data.overdue_ms) || 0 };
}

/** The late badge's text: "TRỄ HẠN 3 ngày · LATE 3 d", whole hours from 2 h to 2 days. */
export function lateText(overdueMs, lang) {
  const h = Math.floor(overdueMs / 3_600_000);
  // Late by hours, the minutes are noise read across the room and cost the badge its room
  // ("TRỄ HẠN 22 giờ 15 phút · LATE 22 h 15 min" no longer fit a group item).
  const d = h >= 2 && h < 48 ? [`${h} giờ`, `${h} h`] : formatDuration(overdueMs).split(' · ');
  const vi = `TRỄ HẠN ${d[0]}`;
  const en = `LATE ${d[1] ?? d[0]}`;
  return bilingual(vi, en, lang).filter(Boolean).join(' · ');
}

/**
 * The late mark: `badge` shows the late text (then " — " and `detail(lang)` when given)
 * while `data` is overdue, and `holder` (when given) carries the `is-late` class.
 */
export function drawLate(badge, data, ctx, { holder = null, detail = null } = {}) {
  const { late, overdueMs } = lateNow(data, ctx);
  holder?.classList.toggle('is-late', late);
  badge.hidden = !late;
  if (!late) return;
  const text = lateText(overdueMs, ctx.lang);
  setText(badge, detail ? `${text} — ${detail(ctx.lang)}` : text);
}
