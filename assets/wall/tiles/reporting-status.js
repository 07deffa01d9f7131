// For the report now due of each indicator: who has reported, who is overdue and by how
// long. Overdue durations count on from each row's deadline with the server clock, so
// they grow between server pushes. Data: feeds.tile_data.reporting_status_data.

import { setText } from '../../common/dom.js';
import { registerTile } from '../tiles.js';
import { bilingual, formatDate, formatDuration } from '../format.js';
import { ensureStyles } from './indicator-common.js';
import { keepOffBezel } from '../offbezel.js';

const STATE = {
  overdue: ['Quá hạn', 'Overdue'],
  late: ['Nộp muộn', 'Came late'],
  complete: ['Đủ', 'Complete'],
};

function overdueNow(deadline, ctx) {
  return Math.max(0, ctx.serverNow() - Number(deadline));
}

function shortDuration(ms, lang) {
  const [vi, en] = formatDuration(ms).split(' · ');
  return lang === 'en' ? (en ?? vi) : vi;
}

// The written short forms, so the name that is the information fits whole:
// "Ủy ban nhân dân tỉnh Lạng Sơn" → "UBND Lạng Sơn", "Ủy ban nhân dân thành phố Hải Phòng"
// → "UBND TP. Hải Phòng" ("tỉnh" says nothing a reader needs; "TP." keeps Huế the city).
export function shortAgency(name) {
  return String(name || '')
    .replace(/^Ủy ban nhân dân tỉnh /, 'UBND ')
    .replace(/^Ủy ban nhân dân thành phố /, 'UBND TP. ')
    .replace(/^Ủy ban nhân dân /, 'UBND ');
}

// "Tháng 11/2026" → "11/2026", "Năm 2025" → "2025": the column heading says it is a period.
function shortPeriod(label) {
  return String(label || '').replace(/^(Tháng|Năm) /, '');
}

function reported(row) {
  const parts = [];
  if (row.national) parts.push(row.national.reported ? 'TW ✓' : 'TW ✗');
  if (row.provinces) parts.push(`${row.provinces.reported}/${row.provinces.expected}`);
  return parts.join(' · ');
}

function draw(el, data, params, ctx) {
  const root = el.querySelector('.ind-report');
  const lang = ctx.lang;
  const s = data.summary;
  const sum = root.querySelector('.s-sum');
  if (!s) {
    setText(sum, 'Đang chờ số liệu · Waiting for data');
    delete sum.dataset.html;
    return;
  }
  const pieces = [
    lang === 'en'
      ? `Reports received <b>${s.reports_received}/${s.reports_expected}</b>`
      : `Đã nhận <b>${s.reports_received}/${s.reports_expected}</b> báo cáo`,
    `<b class="st-${s.reports_missing ? 'alarm' : 'ok'}">${s.reports_missing}</b> ${lang === 'en' ? 'missing' : 'chưa nộp'}`,
    `<b class="st-${s.overdue ? 'alarm' : 'ok'}">${s.overdue}/${s.indicators}</b> ${lang === 'en' ? 'indicators overdue' : 'chỉ tiêu quá hạn'}`,
    `<b class="st-${s.reports_late ? 'warning' : 'ok'}">${s.reports_late}</b> ${lang === 'en' ? 'came late' : 'nộp muộn'}`,
  ];
  // Each piece keeps its coloured count and its words together on one screen: one that
  // would straddle a bezel starts past it (laid out again only when the summary changed,
  // and once more in the wall's font).
  const html = pieces.map((piece) => `<span>${piece}</span>`).join('');
  if (sum.dataset.html !== html) {
    sum.innerHTML = html;
    sum.dataset.html = html;
    const offBezel = () => keepOffBezel(sum, ctx.parts, null, [...sum.querySelectorAll(':scope > span:not(.off-bezel-break)')]);
    offBezel();
    document.fonts?.ready.then(offBezel);
  }

  const body = root.querySelector('tbody');
  body.replaceChildren();
  for (const row of data.rows || []) {
    const tr = document.createElement('tr');
    tr.className = row.state;
    tr.dataset.deadline = row.deadline;
    const cells = [
      ['name', bilingual(row.short_vi || row.name_vi, row.short_en || row.name_en, lang)[0]],
      ['', `${shortPeriod(bilingual(row.period_vi, row.period_en, lang)[0])} · ${formatDate(row.deadline).slice(0, 5)}`],
      ['num', reported(row)],
      ['state', ''],
    ];
    for (const [cls, text] of cells) {
      const td = document.createElement('td');
      if (cls) td.className = cls;
      td.textContent = text;
      tr.append(td);
    }
    tr.firstChild.title = `${row.name_vi} · ${row.name_en}`;
    body.append(tr);
  }
  const who = root.querySelector('.s-who ul');
  who.replaceChildren();
  const agencies = data.overdue_agencies || [];
  root.querySelector('.s-who').hidden = agencies.length === 0;
  for (const a of agencies) {
    const li = document.createElement('li');
    li.innerHTML = '<span></span><span></span>';
    li.firstChild.textContent = `${shortAgency(bilingual(a.agency_vi, a.agency_en, lang)[0])} (${a.indicators.length})`;
    li.firstChild.title = a.agency_en;
    li.dataset.overdue = a.overdue_ms;
    li.dataset.generated = data.generated_at;
    who.append(li);
  }
  tickDurations(el, data, ctx);
  fitRows(root, body, data.hidden_rows || 0, lang);
  fitList(root.querySelector('.s-who'), who);
}

/** The rows that fit the table whole; the rest are counted in "+ N chỉ tiêu khác". */
function fitRows(root, body, hidden, lang) {
  const box = root.querySelector('.s-table');
  const more = root.querySelector('.s-more');
  let extra = 0;
  const note = () => {
    const n = hidden + extra;
    setText(more, n ? (lang === 'en' ? `+ ${n} more` : `+ ${n} chỉ tiêu khác`) : '');
  };
  note();
  while (body.lastElementChild && box.scrollHeight > box.clientHeight + 1) {
    body.lastElementChild.remove();
    extra += 1;
    note();
  }
}

/** The overdue agencies that fit whole, then "+ N" for the others. */
function fitList(box, list) {
  let extra = 0;
  const agencies = () => list.querySelectorAll('li:not(.s-more)');
  while (agencies().length > 1 && box.scrollHeight > box.clientHeight + 1) {
    [...agencies()].pop().remove();
    extra += 1;
    let more = list.querySelector('li.s-more');
    if (!more) {
      more = document.createElement('li');
      more.className = 's-more';
      list.append(more);
    }
    more.textContent = `+ ${extra}`;
  }
}

function tickDurations(el, data, ctx) {
  const root = el.querySelector('.ind-report');
  const lang = ctx.lang;
  for (const tr of root.querySelectorAll('tbody tr')) {
    const cell = tr.querySelector('td.state');
    const [vi, en] = STATE[tr.className] || STATE.complete;
    const label = lang === 'en' ? en : vi;
    setText(cell, tr.className === 'overdue'
      ? `${label} ${shortDuration(overdueNow(tr.dataset.deadline, ctx), lang)}` : label);
  }
  for (const li of root.querySelectorAll('.s-who li:not(.s-more)')) {
    // An agency's longest overdue report, counted on from when the table was computed.
    const ms = Number(li.dataset.overdue) + Math.max(0, ctx.serverNow() - Number(li.dataset.generated));
    setText(li.lastChild, shortDuration(ms, lang));
  }
}

registerTile('reporting-status', {
  create(el, params, ctx) {
    ensureStyles(el);
    const h = (vi, en) => bilingual(vi, en, ctx.lang)[0];
    el.innerHTML = `<div class="ind ind-report">
      <div class="s-sum"></div>
      <div class="s-body">
        <div class="s-table"><table>
          <thead><tr><th>${h('Chỉ tiêu', 'Indicator')}</th><th>${h('Kỳ · hạn', 'Period · due')}</th>
            <th>${h('Đã nộp', 'In')}</th><th>${h('Tình trạng', 'State')}</th></tr></thead>
          <tbody></tbody></table><div class="s-more"></div></div>
        <div class="s-who"><h3>${h('Đơn vị chậm báo cáo', 'Agencies overdue')}</h3><ul></ul></div>
      </div></div>`;
  },
  update(el, data, params, ctx) {
    draw(el, data, params, ctx);
  },
  tick(el, data, params, ctx) {
    if (data.summary) tickDurations(el, data, ctx);
  },
});
