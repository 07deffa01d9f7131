// The map's layers: search-and-rescue incidents (feeds/incidents.py) and bridge points
// (BridgePointState from the video module), drawn at their lat/lon with the tile's projection.

import { escapeHtml as esc, svg } from '../../common/dom.js';
import { bilingual, formatAge, formatTime } from '../format.js';

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
    const t = svg('text', { x: r * 1.1, y: fs * 0.35, class: 'm-inc-label', 'font-size': fs * 0.8 }, m);
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
    const t = svg('text', { x: fs * 0.6, y: -fs * 0.5, class: 'm-bp-label', 'font-size': fs * 0.7 }, m);
    t.textContent = bp.name_vi;
  }
}

/** The open incidents as a list: status, kind, province, time and its age, people deployed. */
export function incidentList(box, incidents, p34, lang, ctx) {
  const open = incidents.filter((i) => i.status !== 'resolved');
  box.hidden = incidents.length === 0;
  if (box.hidden) return;
  const now = ctx.serverNow();
  const rows = [];
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
