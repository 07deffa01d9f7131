// The console's video roster: every bridge point with its presence and link figures, live
// from the control channel, and the duty officer's actions (pin a point to a wall tile,
// mute, end a call, choose what the points see). Viewers get the same table, read-only.
// Actions go to the console's server side through the page's Bokeh document (`send`), which
// re-checks the session and the role when each one runs; the control channel watches with a
// short-lived view-only token the console renews (`setToken`).

import { addStylesheet, escapeHtml as esc } from '../common/dom.js';
import { VideoControl } from './control.js';
import { LEVEL_TEXT, grade } from './quality.js';
import { mountRoomPublisher } from './room-publisher.js';

const T = {
  point: ['Điểm cầu', 'Bridge point'],
  online: ['Trực tuyến', 'Online'],
  in_call: ['Trong phiên', 'In session'],
  muted: ['Tắt tiếng', 'Muted'],
  bitrate: ['Tốc độ', 'Bitrate'],
  loss: ['Mất gói', 'Packet loss'],
  jitter: ['Jitter', 'Jitter'],
  rtt: ['RTT', 'RTT'],
  fps: ['Khung/s', 'FPS'],
  quality: ['Chất lượng', 'Quality'],
  actions: ['Thao tác', 'Actions'],
  yes: ['Có', 'Yes'],
  no: ['Không', 'No'],
  no_media: ['Mất hình/tiếng', 'No media'],
  mute: ['Tắt tiếng', 'Mute'],
  unmute: ['Bật tiếng', 'Unmute'],
  end: ['Kết thúc', 'End call'],
  rec_start: ['Ghi hình', 'Record'],
  rec_stop: ['Dừng ghi', 'Stop recording'],
  rec: ['ĐANG GHI', 'REC'],
  pin: ['Ghim vào ô', 'Pin to tile'],
  unpin: ['Bỏ ghim', 'Unpin'],
  program: ['Các điểm cầu đang xem', 'The points see'],
  apply: ['Áp dụng', 'Apply'],
  room: ['Phòng điều hành', 'The room'],
  pins: ['Ô đang ghim', 'Pinned tiles'],
  none: ['Chưa ghim ô nào', 'No tile pinned'],
  readonly: ['Chỉ xem: vai trò của bạn không điều khiển được cầu truyền hình',
    'Read only: your role may not operate the bridge'],
  down: ['Mất kết nối kênh điều khiển · đang kết nối lại', 'Control channel lost · reconnecting'],
  active: ['Người đang phát biểu', 'Active speaker'],
  speaking: ['đang phát biểu', 'speaking'],
};

function num(x, digits, lang) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return x.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  });
}

/**
 * Mount the roster into `el`. opts: {token (view-only, for the control channel), mayOperate,
 * tiles: [{id, preset, label_vi, label_en}], lang, send(action) -> Promise<{ok, message}>}.
 * Returns {setLang(lang), setToken(token), close()}.
 */
export function mountRoster(el, { token, mayOperate, tiles, lang = 'vi', send }) {
  const control = new VideoControl(location.origin, token);
  const root = document.createElement('div');
  root.className = 'video-roster';
  // Duty officers and admins may put the room's own camera on the call; its panel sits
  // outside `root`, which is re-rendered on every event (the self view must not be).
  const roomHolder = document.createElement('div');
  roomHolder.className = 'video-roster';
  el.replaceChildren(...(mayOperate ? [roomHolder] : []), root);
  addStylesheet(el, new URL('./roster.css', import.meta.url).href);
  const room = mayOperate ? mountRoomPublisher(roomHolder, { token: null, control, lang }) : null;
  let message = '';
  let frame = null;
  // The roster re-renders on every control event (link figures: one per point every 2 s),
  // so what the person picked but has not applied yet lives here, not in the DOM: a
  // re-render between choosing and "Apply" would otherwise reset the choice, and Apply
  // would send the old program (or pin the first tile).
  let programChoice = null; // point id, or null: show the current program
  const pinChoice = new Map(); // point id -> tile id
  // Nor is the DOM replaced under a pressed pointer: a click whose mousedown and mouseup
  // land on different (re-rendered) buttons is lost.
  let pressing = false;

  const tr = (key) => {
    const [vi, en] = T[key];
    return lang === 'en' ? en : vi;
  };
  const nameOf = (p) => (lang === 'en' ? p.name_en : p.name_vi);
  // A tile as people call it (its name · its preset), never its id; an unknown one keeps it.
  const tileName = (id) => {
    const t = tiles.find((x) => x.id === id);
    return t ? (lang === 'en' ? t.label_en : t.label_vi) ?? id : id;
  };

  /** Send an action to the console's server side; true when the centre accepted it. */
  async function act(action) {
    let ok = false;
    try {
      const answer = await send(action);
      ok = Boolean(answer.ok);
      message = ok ? '✓' : `✗ ${answer.message}`;
    } catch (err) {
      message = `✗ ${err.message}`;
    }
    schedule();
    return ok;
  }

  function schedule() {
    if (frame === null && !pressing) frame = requestAnimationFrame(() => { frame = null; render(); });
  }

  function render() {
    const points = [...control.points.values()];
    const disabled = mayOperate ? '' : 'disabled';
    const tileOptions = (point) => tiles
      .map((t) => `<option value="${esc(t.id)}" ${pinChoice.get(point) === t.id ? 'selected' : ''}>${esc(tileName(t.id))}</option>`)
      .join('');
    const rows = points.map((p) => {
      const s = p.stats || {};
      const level = p.in_call ? grade(p.stats) : 'none';
      const [lvi, len] = LEVEL_TEXT[level];
      const speaking = control.activeSpeaker === p.id ? ` <span class="speaking">· ${tr('speaking')}</span>` : '';
      const ops = mayOperate
        ? `<button data-act="mute" data-point="${esc(p.id)}" data-muted="${p.muted}">${tr(p.muted ? 'unmute' : 'mute')}</button>
           <button data-act="end" data-point="${esc(p.id)}" ${p.online ? '' : 'disabled'}>${tr('end')}</button>
           <button data-act="record" data-point="${esc(p.id)}" data-recording="${Boolean(p.recording)}" ${p.online || p.recording ? '' : 'disabled'}>${tr(p.recording ? 'rec_stop' : 'rec_start')}</button>
           <select data-pin-tile="${esc(p.id)}" aria-label="${tr('pin')}">${tileOptions(p.id)}</select>
           <button data-act="pin" data-point="${esc(p.id)}" ${tiles.length ? '' : 'disabled'}>${tr('pin')}</button>`
        : '';
      // Connected but no frame for a few seconds: say so, never "in session".
      const inCall = p.no_media
        ? `<td class="bad no-media">${tr('no_media')}</td>`
        : `<td class="${p.in_call ? 'ok' : 'off'}">${tr(p.in_call ? 'yes' : 'no')}</td>`;
      return `<tr data-point="${esc(p.id)}" data-online="${p.online}" data-in-call="${p.in_call}" data-no-media="${Boolean(p.no_media)}" data-muted="${p.muted}" data-recording="${Boolean(p.recording)}">
        <td><b>${esc(nameOf(p))}</b>${speaking}${p.recording ? ` <span class="rec-mark">● ${T.rec[0]} · ${T.rec[1]}</span>` : ''}</td>
        <td class="${p.online ? 'ok' : 'off'}">${tr(p.online ? 'yes' : 'no')}</td>
        ${inCall}
        <td class="${p.muted ? 'bad' : ''}">${tr(p.muted ? 'yes' : 'no')}</td>
        <td>${s.bitrate_kbps == null ? '—' : `${num(s.bitrate_kbps, 0, lang)} kb/s`}</td>
        <td>${s.packet_loss_pct == null ? '—' : `${num(s.packet_loss_pct, 1, lang)} %`}</td>
        <td>${s.jitter_ms == null ? '—' : `${num(s.jitter_ms, 1, lang)} ms`}</td>
        <td>${s.rtt_ms == null ? '—' : `${num(s.rtt_ms, 1, lang)} ms`}</td>
        <td>${s.fps == null ? '—' : num(s.fps, 0, lang)}</td>
        <td data-level="${level}"><span class="lvl">${lang === 'en' ? len : lvi}</span></td>
        <td class="ops">${ops}</td></tr>`;
    }).join('');
    const head = ['point', 'online', 'in_call', 'muted', 'bitrate', 'loss', 'jitter', 'rtt', 'fps', 'quality', 'actions']
      .map((k) => `<th>${tr(k)}</th>`).join('');
    const picked = programChoice ?? control.program;
    const programOptions = points
      .map((p) => `<option value="${esc(p.id)}" ${picked === p.id ? 'selected' : ''}>${esc(p.id === 'room' ? tr('room') : nameOf(p))}</option>`)
      .join('');
    const programName = control.program === 'room' ? tr('room') : nameOf(control.point(control.program) ?? { name_vi: control.program, name_en: control.program });
    const pins = Object.entries(control.pins);
    const pinList = pins.length
      ? pins.map(([tile, source]) => `<li data-pin="${esc(tile)}">${esc(tileName(tile))} → <b>${esc(source === 'active' ? tr('active') : (control.point(source) ? nameOf(control.point(source)) : source))}</b>
          ${mayOperate ? `<button data-act="unpin" data-tile="${esc(tile)}">${tr('unpin')}</button>` : ''}</li>`).join('')
      : `<li class="muted">${tr('none')}</li>`;
    root.innerHTML = `
      ${control.connected ? '' : `<p class="bad down">${tr('down')}</p>`}
      ${mayOperate ? '' : `<p class="muted readonly">${tr('readonly')}</p>`}
      <div class="program">${tr('program')}: <b class="program-now">${esc(programName)}</b>
        ${mayOperate ? `<select class="program-pick" aria-label="${tr('program')}">${programOptions}</select>
        <button data-act="program" ${disabled}>${tr('apply')}</button>` : ''}
        <span class="message">${esc(message)}</span></div>
      <table class="cc roster"><tr>${head}</tr>${rows}</table>
      <div class="pins">${tr('pins')}: <ul>${pinList}</ul></div>`;
  }

  root.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-act]');
    if (!button || !mayOperate) return;
    const point = button.dataset.point;
    switch (button.dataset.act) {
      case 'mute':
        act({ action: 'mute', point, muted: button.dataset.muted !== 'true' });
        break;
      case 'end':
        act({ action: 'end', point });
        break;
      case 'record':
        act({ action: 'record', point, on: button.dataset.recording !== 'true' });
        break;
      case 'pin': {
        const pick = root.querySelector(`select[data-pin-tile="${CSS.escape(point)}"]`);
        const tile = pinChoice.get(point) ?? pick?.value;
        if (tile) act({ action: 'pin', tile, source: point });
        break;
      }
      case 'unpin':
        act({ action: 'pin', tile: button.dataset.tile, source: null });
        break;
      case 'program': {
        const source = programChoice ?? root.querySelector('.program-pick')?.value;
        if (!source) break;
        act({ action: 'program', source }).then((ok) => {
          // Applied: the select follows the centre's program again.
          if (ok && programChoice === source) programChoice = null;
        });
        break;
      }
      default:
        break;
    }
  });

  root.addEventListener('change', (e) => {
    const pick = e.target;
    if (pick.classList.contains('program-pick')) programChoice = pick.value;
    else if (pick.dataset.pinTile) pinChoice.set(pick.dataset.pinTile, pick.value);
  });
  root.addEventListener('pointerdown', () => { pressing = true; });
  const released = () => {
    if (!pressing) return;
    pressing = false; // the click (dispatched with the mouseup) has been handled by now
    schedule();
  };
  window.addEventListener('pointerup', released, true);
  window.addEventListener('pointercancel', released, true);

  // An open select's list would close under a re-render: wait while the person chooses.
  let choosing = false;
  root.addEventListener('focusin', (e) => { if (e.target.tagName === 'SELECT') choosing = true; });
  root.addEventListener('focusout', (e) => { if (e.target.tagName === 'SELECT') { choosing = false; schedule(); } });
  control.listen(() => { if (!choosing) schedule(); });
  render();

  return {
    setLang(next) { lang = next; room?.setLang(next); schedule(); },
    setToken(next) { control.credential = next; },
    close() {
      room?.close();
      control.close();
      if (frame !== null) cancelAnimationFrame(frame);
      window.removeEventListener('pointerup', released, true);
      window.removeEventListener('pointercancel', released, true);
    },
  };
}
