// The map's layers: search-and-rescue incidents (feeds/incidents.py) and bridge points
// (BridgePointState from the video module), drawn at their lat/lon with the tile's projection.

import { escapeHtml as esc, svg } from '../../common/dom.js';
import { bilingual, formatAge, formatDate, formatTime } from '../format.js';

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

/** A dot per bridge point: green online, blue ringed in the call, grey hollow offline. */
export function drawBridges(group, points, proj, fs) {
  const g = svg('g', { class: 'm-bp-layer' }, group);
  for (const bp of points) {
    const [x, y] = proj.p(bp.lon, bp.lat);
    const state = bp.in_call ? 'in-call' : (bp.online ? 'online' : 'offline');
    const m = svg('g', {
      class: `m-bp is-${state}`, 'data-point': bp.point, 'data-state': state,
      transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
    }, g);
    if (bp.in_call) svg('circle', { r: fs * 0.75, class: 'm-bp-ring' }, m);
    svg('rect', { x: -fs * 0.3, y: -fs * 0.3, width: fs * 0.6, height: fs * 0.6, class: 'm-bp-dot' }, m);
    const t = svg('text', { x: fs * 0.6, y: -fs * 0.5, class: 'm-bp-label', 'font-size': fs }, m);
    // An offline point is drawn, greyed, with since when: silence is not an empty map.
    t.textContent = state === 'offline' ? `${bp.name_vi} · mất kết nối từ ${formatTime(bp.ts, false)}` : bp.name_vi;
  }
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
    ['m-sym-bp is-online', 'Điểm cầu trực tuyến · Online'],
    ['m-sym-bp is-in-call', 'Đang họp · In the call'],
    ['m-sym-bp is-offline', 'Mất kết nối · Link lost'],
  ],
};

/** The layers' legend (incidents, bridge points); hidden on a map with a choropleth. */
export function drawLayerLegend(box, layers, shown) {
  const rows = layers.flatMap((l) => SYMBOLS[l] ?? []);
  box.hidden = !shown || rows.length === 0;
  if (box.hidden || box.dataset.key === layers.join()) return;
  box.dataset.key = layers.join();
  box.innerHTML = rows.map(([cls, text]) => `<div class="m-leg-row"><span class="m-sym ${cls}"></span><span>${esc(text)}</span></div>`).join('');
}
