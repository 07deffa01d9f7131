// The duty console's alert desk: the alerts the rules raised (active, acknowledged, cleared),
// acknowledge and snooze for duty officers and admins, the wall lock, and a chime when an
// alert whose rule asks for one is raised. What the server says is the truth: this page only
// draws it and sends the officer's requests (`send`), which the server re-checks as they run.

import { escapeHtml as esc } from '../common/dom.js';

const T = {
  none: ['Không có cảnh báo theo quy tắc', 'No rule alerts'],
  ack: ['Xác nhận', 'Acknowledge'],
  snooze: ['Tạm hoãn 15 phút', 'Snooze 15 min'],
  lock: ['Khóa tường (không tự chuyển)', 'Lock the wall (no automatic switch)'],
  unlock: ['Mở khóa tường', 'Unlock the wall'],
  locked: ['Tường đang khóa bởi', 'Wall locked by'],
  active: ['Đang cảnh báo', 'Active'],
  acknowledged: ['Đã xác nhận', 'Acknowledged'],
  cleared: ['Đã hết', 'Cleared'],
  by: ['bởi', 'by'],
  priority: ['Mức', 'Priority'],
  snoozed: ['tạm hoãn đến', 'snoozed until'],
  raised: ['lúc', 'at'],
};
const PRIORITY = { 1: ['thấp', 'low'], 2: ['vừa', 'medium'], 3: ['cao', 'high'] };
const SNOOZE_S = 900;

const hhmm = (ms) => new Date(ms).toLocaleTimeString('vi-VN', {
  hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Ho_Chi_Minh',
});

// Two short tones through WebAudio: no file to serve, nothing cached.
function chime(el) {
  el.dataset.chimes = String(Number(el.dataset.chimes || 0) + 1);
  try {
    const ctx = new AudioContext();
    [0, 0.35].forEach((at, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = i ? 660 : 880;
      gain.gain.setValueAtTime(0.2, ctx.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + at);
      osc.stop(ctx.currentTime + at + 0.32);
    });
    setTimeout(() => ctx.close(), 1200);
  } catch {
    // No audio device (a kiosk without speakers): the count above still says it rang.
  }
}

export function mountAlerts(el, { send, mayOperate }) {
  const heard = new Set();
  let first = true;
  let state = { alerts: [], locked: null, lang: 'vi' };
  const tr = (key) => T[key][state.lang === 'en' ? 1 : 0];

  function row(a) {
    const i = state.lang === 'en' ? 1 : 0;
    const title = esc(i ? a.title.en : a.title.vi);
    const where = a.values.province ? ` · ${esc(i ? (a.values.province_en || a.values.province) : a.values.province)}` : '';
    const who = a.acknowledged_by ? ` · ${tr('acknowledged')} ${tr('by')} ${esc(a.acknowledged_by)}` : '';
    const snoozed = a.snoozed_until && a.snoozed_until > Date.now()
      ? ` · ${tr('snoozed')} ${hhmm(a.snoozed_until)}` : '';
    // History (ended) takes no verbs; a holding alert can be acknowledged once, snoozed.
    const buttons = mayOperate && !a.ended_at
      ? (a.acknowledged_by ? '' : `<button data-do="ack">${tr('ack')}</button>`)
        + `<button data-do="snooze">${tr('snooze')}</button>`
      : '';
    return `<li class="alert p${a.priority} ${a.state}${a.ended_at ? ' ended' : ''}" data-alert="${esc(a.id)}"`
      + ` data-state="${a.state}">`
      + `<span class="badge">${tr('priority')} ${PRIORITY[a.priority][i]}</span> `
      + `<b>${title}</b>${where}<br><small>${tr(a.state)} · ${tr('raised')} ${hhmm(a.raised_at)}${who}${snoozed}</small>`
      + (buttons ? `<div class="acts">${buttons}</div>` : '')
      + '</li>';
  }

  function draw() {
    const lock = state.locked
      ? `<p class="locked" data-locked="1">🔒 ${tr('locked')} ${esc(state.locked.by)} · ${hhmm(state.locked.at)}</p>` : '';
    const lockButton = mayOperate
      ? `<button data-do="${state.locked ? 'unlock' : 'lock'}">${tr(state.locked ? 'unlock' : 'lock')}</button>` : '';
    const items = state.alerts.length
      ? state.alerts.map(row).join('') : `<li class="quiet">${tr('none')}</li>`;
    el.innerHTML = `<div class="alert-desk">${lock}${lockButton}<ul class="rule-alerts">${items}</ul></div>`;
  }

  el.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-do]');
    if (!button) return;
    const item = button.closest('[data-alert]');
    const id = item && item.dataset.alert;
    const what = button.dataset.do;
    button.disabled = true;
    if (what === 'ack') send({ action: 'ack_alert', alert: id });
    else if (what === 'snooze') send({ action: 'snooze_alert', alert: id, seconds: SNOOZE_S });
    else send({ action: 'lock', locked: what === 'lock' });
  });

  return {
    update(next) {
      state = { ...state, ...next };
      for (const a of state.alerts) {
        if (!heard.has(a.id)) {
          heard.add(a.id);
          // Not for what was already up when the console opened: only news rings.
          if (!first && a.chime && a.state === 'active') chime(el);
        }
      }
      first = false;
      draw();
    },
  };
}
