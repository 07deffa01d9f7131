// The map's layers: search-and-rescue incidents (feeds/incidents.py) and bridge points
// (BridgePointState from the video module), drawn at their lat/lon with the tile's projection.

import { escapeHtml as esc, svg } from '../../common/dom.js';
import { bilingual, formatAge, formatDate, formatTime } from '../format.js';
import { shiftIntoPart } from './map-bezels.js';

const LIST_ROWS = 6;

/** A triangle per incident (status by colour and by outline: solid, dashed, hollow). */
export function drawIncidents(group, incidents, proj, fs) {
  const g = svg('g', { class: 'm-inc-layer' }, group);
  // Oldest first, so the newest is drawn on top.
  for (const inc of [...incidents].reverse()) {
    const [x, y] = proj.p(inc.lon, inc.lat);
    const r = fs * 0.75;
    const m = svg('g', {
      class: `m-inc st-${inc.status}`, 'data-incident': `${inc.agency}|${inc.id}`,
      'data-status': inc.status, transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
    }, g);
    svg('path', { d: `M0 ${-r}L${r * 0.9} ${r * 0.6}L${-r * 0.9} ${r * 0.6}Z`, class: 'm-inc-mark' }, m);
    const t = svg('text', { x: r * 1.1, y: fs * 0.35, class: 'm-inc-label', 'font-size': fs }, m);
    t.textContent = `${inc.kind_vi} · ${inc.people_deployed} người`;
  }
}

// Labels drawn first win the room: points in the call, then online, offline, never connected.
const BRIDGE_ORDER = ['in-call', 'online', 'offline', 'never'];
// Where a point's label may go, tried in turn: [x, y, text-anchor] in font sizes.
const LABEL_SPOTS = [
  [0.6, -0.5, 'start'], [0.6, 1.1, 'start'], [-0.6, -0.5, 'end'], [-0.6, 1.1, 'end'],
  [0, -0.8, 'middle'], [0, 1.6, 'middle'],
];

function bridgeState(bp) {
  if (bp.in_call) return 'in-call';
  if (bp.online) return 'online';
  return bp.ts == null ? 'never' : 'offline';
}

/**
 * A mark per bridge point: green online, blue ringed in the call, grey hollow offline with
 * since when, grey dashed never connected since the start (silence is not an empty map).
 * Each label goes beside its mark where it crosses no bezel (`parts`, map-bezels.js) and
 * covers no other text of the map; a mark with no such place keeps no label (the points
 * of one city sit on one spot).
 */
export function drawBridges(group, points, proj, fs, parts) {
  const g = svg('g', { class: 'm-bp-layer' }, group);
  const rank = (bp) => BRIDGE_ORDER.indexOf(bridgeState(bp));
  // The most important drawn last, on top of the others' marks.
  const marks = [...points].sort((a, b) => rank(b) - rank(a)).map((bp) => {
    const [x, y] = proj.p(bp.lon, bp.lat);
    const state = bridgeState(bp);
    const m = svg('g', {
      class: `m-bp is-${state}`, 'data-point': bp.point, 'data-state': state,
      transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
    }, g);
    if (bp.in_call) svg('circle', { r: fs * 0.75, class: 'm-bp-ring' }, m);
    svg('rect', { x: -fs * 0.3, y: -fs * 0.3, width: fs * 0.6, height: fs * 0.6, class: 'm-bp-dot' }, m);
    return { bp, m, x, y, state };
  });
  const svgRoot = group.ownerSVGElement;
  const others = [...svgRoot.querySelectorAll('text')].map((t) => t.getBoundingClientRect())
    .filter((r) => r.width > 0);
  for (const { bp, m, x, y, state } of marks.reverse()) {
    const t = svg('text', { class: 'm-bp-label', 'font-size': fs }, m);
    if (state === 'offline') t.textContent = `${bp.name_vi} · mất kết nối từ ${formatTime(bp.ts, false)}`;
    else if (state === 'never') t.textContent = `${bp.name_vi} · chưa kết nối`;
    else t.textContent = bp.name_vi;
    const box = placeLabel(t, parts, x, y, fs, others);
    if (box === null) t.remove();
    else if (box) others.push(box);
  }
}

/** The label's box once placed (false when not rendered: nothing to measure), or null. */
function placeLabel(t, parts, x, y, fs, others) {
  for (const [dx, dy, anchor] of LABEL_SPOTS) {
    t.setAttribute('x', dx * fs);
    t.setAttribute('y', dy * fs);
    t.setAttribute('text-anchor', anchor);
    t.removeAttribute('transform');
    const b = t.getBBox();
    if (!b.width) return false;
    const shift = shiftIntoPart(parts, { x0: x + b.x, y0: y + b.y, x1: x + b.x + b.width, y1: y + b.y + b.height }, x, y, Math.max(fs * 3, b.width / 2));
    if (!shift) continue;
    if (shift[0] || shift[1]) t.setAttribute('transform', `translate(${shift[0].toFixed(1)} ${shift[1].toFixed(1)})`);
    const r = t.getBoundingClientRect();
    if (!others.some((o) => r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top)) return r;
  }
  return null;
}

/** The open incidents as a list: status, kind, province, time and its age, people deployed. */
export function incidentList(box, incidents, p34, lang, ctx) {
  const open = incidents.filter((i) => i.status !== 'resolved');
  box.hidden = false;
  const now = ctx.serverNow();
  const rows = [];
  if (incidents.length === 0) {
    // Quiet must not look like broken: say there is nothing, and as of when.
    const d = formatDate(now).slice(0, 5);
    rows.push(`<div class="m-inc-none">0 sự cố · 0 incidents · lúc ${d} ${formatTime(now, false)} · as of</div>`);
    const html = rows.join('');
    if (box.innerHTML !== html) box.innerHTML = html;
    return;
  }
  const title = lang === 'en'
    ? `Search and rescue: ${open.length} open`
    : `Tìm kiếm cứu nạn: ${open.length} vụ đang xử lý`;
  rows.push(`<div class="m-inc-title">${esc(title)}</div>`);
  for (const inc of incidents.slice(0, LIST_ROWS)) {
    const province = p34.byCode.get(inc.province)?.props.name_vi ?? inc.province;
    const age = formatAge(now - inc.occurred_at).vi.replace('cập nhật ', '');
    const [status] = bilingual(inc.status_vi, inc.status_en, lang);
    const [kind] = bilingual(inc.kind_vi, inc.kind_en, lang);
    rows.push(
      `<div class="m-inc-row st-${esc(inc.status)}" data-incident="${esc(`${inc.agency}|${inc.id}`)}">`
      + `<span class="m-inc-st">${esc(status)}</span> <b>${esc(kind)}</b> · ${esc(province)}`
      + ` · ${formatTime(inc.occurred_at, false)} (${esc(age)})`
      + ` · ${inc.people_deployed} ${lang === 'en' ? 'deployed' : 'người'}</div>`,
    );
  }
  const html = rows.join('');
  if (box.innerHTML !== html) box.innerHTML = html;
}

// The symbols of the layers a map draws, for a map without a choropleth legend.
const SYMBOLS = {
  incidents: [
    ['m-sym-inc st-reported', 'Sự cố mới báo · Reported'],
    ['m-sym-inc st-responding', 'Đang xử lý · Responding'],
    ['m-sym-inc st-resolved', 'Đã kết thúc · Resolved'],
  ],
  bridge_points: [
    ['m-sym-bp is-online', 'Điểm cầu trực tuyến · Online', 'online'],
    ['m-sym-bp is-in-call', 'Đang họp · In the call', 'in-call'],
    ['m-sym-bp is-offline', 'Mất kết nối · Link lost', 'offline'],
    ['m-sym-bp is-never', 'Chưa kết nối · Not connected', 'never'],
  ],
};

/**
 * The layers' legend (incidents, bridge points), with how many points are in each state
 * (a mark may keep no label: the count still says it is there); hidden on a map with a
 * choropleth.
 */
export function drawLayerLegend(box, layers, shown, bridges = []) {
  const rows = layers.flatMap((l) => SYMBOLS[l] ?? []);
  box.hidden = !shown || rows.length === 0;
  if (box.hidden) return;
  const count = new Map();
  for (const bp of bridges) count.set(bridgeState(bp), (count.get(bridgeState(bp)) ?? 0) + 1);
  const html = rows.map(([cls, text, state]) => {
    const n = state ? ` (${count.get(state) ?? 0})` : '';
    return `<div class="m-leg-row"><span class="m-sym ${cls}"></span><span>${esc(text + n)}</span></div>`;
  }).join('');
  if (box.innerHTML !== html) box.innerHTML = html;
}
