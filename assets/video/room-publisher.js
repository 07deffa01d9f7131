// The operations room on the call, from the duty console: the console's camera and
// microphone go to the centre over WHIP as the point `room` (POST /whip/room with the
// console session as Bearer; duty officer and admin only, the server checks). A small self
// view, the state (publishing / link lost, reconnecting / stopped), stop (DELETE the
// session) and a mute for the room's microphone. If the headless client already publishes
// as the room, the centre answers 409 slot_taken and the panel says so.
// Vietnamese first ("vi · en"); English alone when the console is in English.

import { escapeHtml as esc } from '../common/dom.js';
import { openDevices } from './devices.js';
import { WhipPublisher } from './publisher.js';
import { hangup } from './whip.js';

const ROOM = 'room';

const T = {
  title: ['Phòng điều hành trong phiên', 'The room in the call'],
  start: ['Phát hình phòng điều hành', 'Put the room on the call'],
  stop: ['Dừng phát', 'Stop'],
  mic_off: ['Tắt micrô phòng', 'Mute the room’s microphone'],
  mic_on: ['Bật micrô phòng', 'Unmute the room’s microphone'],
  mic_is_off: ['Micrô phòng đang tắt', 'The room’s microphone is off'],
  s_idle: ['Chưa phát', 'Not on the call'],
  s_starting: ['Đang mở camera và micrô', 'Opening the camera and microphone'],
  s_connecting: ['Đang kết nối', 'Connecting'],
  s_live: ['Đang phát', 'Publishing'],
  s_lost: ['MẤT KẾT NỐI · đang kết nối lại', 'Link lost, reconnecting'],
  s_stopped: ['Đã dừng phát', 'Stopped'],
  s_taken: ['Phòng điều hành đang được phát từ nơi khác', 'The room is already published from elsewhere'],
  s_refused: ['Trung tâm từ chối', 'The centre refused'],
  s_nomedia: ['Không mở được camera/micrô', 'No camera/microphone'],
  taken_hint: ['Kết thúc phiên của phòng trong danh sách rồi thử lại',
    'End the room’s call in the roster, then try again'],
  insecure: ['Trình duyệt chỉ cho dùng camera trên kết nối an toàn: mở bảng điều khiển qua HTTPS, hoặc qua localhost/127.0.0.1 trên máy này',
    'The browser allows the camera only in a secure context: open the console over HTTPS, or at localhost/127.0.0.1 on this machine'],
  ended: ['Trực ban đã kết thúc phiên của phòng', 'A duty officer ended the room’s call'],
  replaced: ['Phòng điều hành đã vào phiên từ cửa sổ khác', 'The room joined from another window'],
  retry_in: ['thử lại sau', 'retrying in'],
};

/**
 * Mount the room's publisher into `el`. opts: {token (console session, Bearer), control
 * (the page's VideoControl, for `left` events of the room), lang}. Returns
 * {setLang(lang), stats(), close()}.
 */
export function mountRoomPublisher(el, { token, control = null, lang = 'vi' }) {
  const root = document.createElement('section');
  root.className = 'room-publisher';
  root.innerHTML = `
    <video class="rp-self" muted autoplay playsinline hidden></video>
    <div class="rp-body">
      <div class="rp-title"></div>
      <div class="rp-buttons">
        <button type="button" class="rp-start"></button>
        <button type="button" class="rp-mic" aria-pressed="false" hidden></button>
        <button type="button" class="rp-stop" hidden></button>
      </div>
      <div class="rp-status"><span class="rp-state"></span> <span class="rp-detail"></span></div>
      <div class="rp-note"></div>
    </div>`;
  el.replaceChildren(root);
  const ui = {
    self: root.querySelector('.rp-self'),
    title: root.querySelector('.rp-title'),
    start: root.querySelector('.rp-start'),
    mic: root.querySelector('.rp-mic'),
    stop: root.querySelector('.rp-stop'),
    state: root.querySelector('.rp-state'),
    detail: root.querySelector('.rp-detail'),
    note: root.querySelector('.rp-note'),
  };

  let state = 'idle';
  let detail = ''; // [vi, en] or a plain string (a server message)
  let note = '';
  let local = null; // MediaStream of camera + microphone
  let publisher = null; // the call (publisher.js): the latest, live or stopped
  let opening = 0; // bumped by every start and stop: devices that open too late are closed
  let micOn = true;

  /** The text of `key` (or a [vi, en] pair): "vi · en", or the English alone. */
  const say = (key) => {
    const [vi, en] = Array.isArray(key) ? key : T[key];
    return lang === 'en' ? en : `${vi} · ${en}`;
  };
  const text = (x) => (Array.isArray(x) || Object.hasOwn(T, x) ? say(x) : String(x ?? ''));

  function render() {
    root.dataset.state = state;
    root.dataset.mic = micOn ? 'on' : 'off';
    ui.title.textContent = say('title');
    ui.start.textContent = say('start');
    ui.stop.textContent = say('stop');
    ui.mic.textContent = say(micOn ? 'mic_off' : 'mic_on');
    ui.mic.setAttribute('aria-pressed', String(!micOn));
    ui.state.textContent = say(`s_${state}`);
    ui.state.className = `rp-state ${['live'].includes(state) ? 'ok' : ['lost', 'taken', 'refused', 'nomedia'].includes(state) ? 'bad' : 'muted'}`;
    ui.detail.textContent = detail ? `— ${text(detail)}` : '';
    ui.note.innerHTML = note ? esc(text(note)) : '';
    const active = ['starting', 'connecting', 'live', 'lost'].includes(state);
    ui.start.hidden = active;
    ui.stop.hidden = !active;
    ui.mic.hidden = !active;
    ui.self.hidden = !local;
    root.classList.toggle('is-mic-off', !micOn);
  }

  function setState(next, why = '', hint = '') {
    state = next;
    detail = why;
    note = hint;
    render();
  }

  // ---- camera and microphone ----------------------------------------------------------------

  function applyMic() {
    for (const track of local?.getAudioTracks() ?? []) track.enabled = micOn;
    render();
  }

  function releaseDevices() {
    for (const track of local?.getTracks() ?? []) track.stop();
    local = null;
    ui.self.srcObject = null;
  }

  // ---- the call ---------------------------------------------------------------------------------

  async function start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      setState('nomedia', '', 'insecure');
      return;
    }
    const mine = ++opening;
    setState('starting');
    try {
      const stream = await openDevices();
      if (mine !== opening) { for (const t of stream.getTracks()) t.stop(); return; }
      local = stream;
    } catch (err) {
      if (mine !== opening) return;
      setState('nomedia', `${err.name || ''} ${err.message || err}`.trim());
      return;
    }
    ui.self.srcObject = local;
    ui.self.play().catch(() => {});
    applyMic();
    publisher = new WhipPublisher({
      stream: local,
      url: () => `${window.location.origin}/whip/${ROOM}`,
      credential: () => token,
      // The headless client (or another console) holds the room (409): never fight it for the slot.
      isFinal: (err) => err.status === 409 || Boolean(err.final),
      onState(next, { reconnects, waitMs, why }) {
        if (next === 'connecting' && reconnects) setState('lost', [`lần thử ${reconnects}`, `attempt ${reconnects}`]);
        else if (next === 'lost') {
          const secs = Math.round(waitMs / 1000);
          setState('lost', [`${T.retry_in[0]} ${secs} s`, `${T.retry_in[1]} ${secs} s`], why);
        } else setState(next);
      },
      onRefused(err) {
        if (err.status === 409) stopLocal('taken', err.message, 'taken_hint');
        else stopLocal('refused', `${err.status} ${err.code}: ${err.message}`);
      },
    });
    publisher.start();
  }

  /** End the call (DELETE the WHIP session) and release the camera; show `next`. */
  function stopLocal(next = 'stopped', why = '', hint = '') {
    opening += 1; // cancels devices still opening
    publisher?.stop(); // kept: its reconnect count stays readable in stats()
    releaseDevices();
    setState(next, why, hint);
  }

  // ---- what the centre says about the room ----------------------------------------------------

  function onControl(msg) {
    if (msg.type !== 'left' || msg.point !== ROOM || !publisher?.session) return;
    if (msg.reason === 'ended_by_console') {
      stopLocal('stopped', '', 'ended');
    } else if (msg.reason === 'replaced' && state === 'live') {
      // Our own reconnect replaces our old session before it is live; a replacement while
      // live is another window of the same person: leave the slot to it.
      stopLocal('stopped', '', 'replaced');
    } else if (msg.reason === 'link_lost' && state === 'live') {
      publisher.lost('link_lost');
    }
  }
  const unlisten = control ? control.listen(onControl) : () => {};

  ui.start.addEventListener('click', () => start());
  ui.stop.addEventListener('click', () => stopLocal('stopped'));
  ui.mic.addEventListener('click', () => { micOn = !micOn; applyMic(); });
  const onPageHide = () => { if (publisher?.session) hangup(publisher.session, token); };
  window.addEventListener('pagehide', onPageHide);
  if (!navigator.mediaDevices?.getUserMedia) note = 'insecure';
  render();

  return {
    setLang(next) { lang = next; render(); },
    stats: () => ({
      state,
      mic_on: micOn,
      reconnects: publisher?.reconnects ?? 0,
      session: publisher?.session ?? null,
      self_width: ui.self.videoWidth,
    }),
    close() {
      unlisten();
      window.removeEventListener('pagehide', onPageHide);
      stopLocal('stopped');
    },
  };
}
