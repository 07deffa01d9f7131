// The bridge-point page (/bridge/<point-id>): the point's camera and microphone go to the
// centre over WHIP, what the points see (the room, or the point the duty officer chose)
// comes back over WHEP. Self view, mute, a link-quality indicator, and automatic
// reconnection with a visible "MẤT KẾT NỐI · Link lost" state. Vietnamese first.
// With several wall servers (cfg.servers, in failover order) a lost server is left for the
// next one at once: a new WHIP POST there (no ICE restart across servers), then a round
// of all of them with the usual backoff.

import { VideoControl } from './control.js';
import { DevicePass } from './credential.js';
import { openDevices } from './devices.js';
import { explainMediaError } from './media-error.js';
import { WhipPublisher } from './publisher.js';
import { LEVEL_TEXT, LinkMeter, describe } from './quality.js';
import { hangup, playAudioTracks, watch } from './whip.js';

const cfg = JSON.parse(document.getElementById('bridge-config').textContent);
// Every wall server's origin, this page's own first, then the others in their order.
const SERVERS = serverOrigins(cfg.servers || [], location.origin);
let serverIndex = 0;
const base = () => SERVERS[serverIndex];
const HEALTH_PROBE_MS = 1000; // a server that does not answer /health within this is lost
// The point's token stays in its HttpOnly cookie; the scripts hold a pass that soon expires.
const pass = new DevicePass(cfg.credential_url, cfg.credential, cfg.credential_ttl_s);
const credential = () => `point:${cfg.point}:${pass.value}`;
const NO_FRAME_MS = 1500;
const QUALITY_EVERY_MS = 2000;
// Hear up to three publishers at once (the room, the program, the latest other speaker;
// for the room's own page: every unmuted point). The centre forwards, never mixes.
const AUDIO_SLOTS = 3;

const EN = cfg.lang === 'en'; // ?lang=en: English alone; otherwise Vietnamese first
/** A message in the page's language: "vi · en", or the English alone. */
const say = (vi, en) => (EN ? en : `${vi} · ${en}`);
const $ = (sel) => document.querySelector(sel);
const ui = {
  link: $('.link'),
  quality: $('.quality'),
  roomVideo: $('.room-video'),
  roomLabel: $('.room-label'),
  roomSection: $('.room'),
  selfVideo: $('.self-video'),
  mute: $('.mute'),
  leave: $('.leave'),
  rejoin: $('.rejoin'),
  sound: $('.sound'),
  voices: $('.voices'),
  notice: $('.notice'),
  rec: $('.rec'),
};

function serverOrigins(listed, own) {
  const origins = [];
  for (const url of listed) {
    try { origins.push(new URL(url).origin); } catch (err) { /* not a URL: skipped */ }
  }
  const at = origins.indexOf(own);
  const rotated = at < 0 ? [own, ...origins] : [...origins.slice(at), ...origins.slice(0, at)];
  return [...new Set(rotated)];
}

/** Does the current server answer at all? (An opaque answer is enough: it is alive.) */
async function serverAnswers() {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HEALTH_PROBE_MS);
  try {
    await fetch(`${base()}/health`, { mode: 'no-cors', cache: 'no-store', signal: abort.signal });
    return true;
  } catch (err) {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const STATES = {
  starting: ['Đang khởi động', 'Starting'],
  connecting: ['Đang kết nối', 'Connecting'],
  live: ['Đã kết nối', 'Connected'],
  lost: ['MẤT KẾT NỐI', 'Link lost / reconnecting'],
  ended: ['Đã rời phiên', 'Left the call'],
  refused: ['Bị từ chối', 'Refused'],
  nomedia: ['Không có camera/micrô', 'No camera/microphone'],
};

let local = null; // MediaStream of camera + microphone
let publisher = null; // the call (publisher.js): camera and microphone to the centre
let sub = null; // {pc, stream, location}: what the point sees, tied to the publisher's try
let meter = null;
let state = 'starting';
let micOn = true;
let mutedByCentre = false;
let roomFrames = 0;
let lastRoomFrame = null;
let lastQuality = null;
let control = null;

// ---- state shown to the person ------------------------------------------------------------

function setState(next, detail = '') {
  state = next;
  const [vi, en] = STATES[next];
  ui.link.dataset.state = next;
  ui.link.querySelector('.l-vi').textContent = vi;
  ui.link.querySelector('.l-en').textContent = detail ? `${en} — ${detail}` : en;
  document.body.dataset.state = next;
  ui.rejoin.hidden = !['ended', 'refused'].includes(next);
  ui.leave.hidden = ['ended', 'refused', 'nomedia'].includes(next);
}

function notice(text) {
  ui.notice.textContent = text;
}

// ---- camera and microphone -------------------------------------------------------------------

async function openOwnDevices() {
  if (!navigator.mediaDevices?.getUserMedia) {
    // Without a secure context the browser offers no camera at all: said as such.
    throw Object.assign(new Error('insecure context'), { name: 'SecurityError' });
  }
  return openDevices();
}

function applyMic() {
  for (const track of local?.getAudioTracks() ?? []) track.enabled = micOn;
  ui.mute.setAttribute('aria-pressed', String(!micOn));
  ui.mute.querySelector('.m-vi').textContent = micOn ? 'Tắt micrô' : 'Bật micrô'; // hidden in English
  ui.mute.querySelector('.m-en').textContent = micOn ? 'Mute' : 'Unmute';
  document.body.classList.toggle('is-mic-off', !micOn);
}

// ---- the call ----------------------------------------------------------------------------------

// The publisher (publisher.js) keeps the call up; this page adds what the point sees (the
// room over WHEP, tied to the same try), the link meter, and the move between servers.
function startCall(stream) {
  publisher = new WhipPublisher({
    stream,
    url: () => `${base()}/whip/${encodeURIComponent(cfg.point)}`,
    credential,
    iceServers: cfg.ice_servers || [],
    servers: () => SERVERS.length,
    onState(next, { reconnects, waitMs, why }) {
      if (next === 'connecting') {
        setState(reconnects ? 'lost' : 'connecting', reconnects ? say(`lần thử ${reconnects}`, `attempt ${reconnects}`) : '');
      } else if (next === 'live') {
        setState('live');
        notice('');
      } else if (next === 'lost') {
        const secs = Math.round(waitMs / 1000);
        setState('lost', say(`thử lại sau ${secs} s`, `retrying in ${secs} s`));
        notice(`${why}`);
      }
    },
    onRefused(err) {
      setState('refused', `${err.status} ${err.code}`);
      notice(`${say('Trung tâm từ chối', 'The centre refused')}: ${err.message}`);
    },
    async prepare() {
      // The pass comes from this page's own server; while that one is down the current pass
      // (valid for minutes, on every server of the wall) carries the call elsewhere.
      await pass.fresh().catch(() => {});
      control?.moveTo(base());
    },
    async published(pc, mine) {
      meter = new LinkMeter(pc);
      await watchRoom(mine);
    },
    // The next server at once; once every server has failed in a row, the backoff.
    nextServer: () => { serverIndex = (serverIndex + 1) % SERVERS.length; },
    disconnected: (mine) => checkServer(mine, 'ICE disconnected'), // a dead server need not wait for the grace
    teardown,
  });
  publisher.start();
}

async function watchRoom(mine) {
  try {
    const session = await watch(base(), 'program', credential(), { audio: true, audioSlots: AUDIO_SLOTS, iceServers: cfg.ice_servers || [] });
    if (!publisher.current(mine)) { session.pc.close(); hangup(session.location, credential()); return; }
    sub = session;
    ui.roomVideo.srcObject = session.stream;
    playRoom();
    playAudioTracks(session.stream, ui.voices, ui.roomVideo.muted);
    publisher.watchLink(session.pc, mine);
  } catch (err) {
    // The point still sends its picture; the room's picture is retried by the frame watch.
    console.warn('bridge: watching the room failed', err);
  }
}

function playRoom() {
  ui.roomVideo.muted = false;
  ui.roomVideo.play().catch((err) => {
    if (err.name !== 'NotAllowedError') return; // e.g. interrupted by a new stream
    // No sound without a click (autoplay policy): play muted and offer the button.
    ui.roomVideo.muted = true;
    ui.roomVideo.play().catch(() => {});
    for (const el of ui.voices.children) el.muted = true;
    ui.sound.hidden = false;
  });
}

/** The link or the control channel faltered: if the server itself is gone, go at once. */
async function checkServer(mine, why) {
  if (!publisher.current(mine) || state !== 'live') return;
  if (!(await serverAnswers()) && publisher.current(mine)) publisher.lost(`${why}: ${base()}`);
}

// What the page tied to the session (the publisher closes the session itself).
function teardown() {
  if (sub) { sub.pc.close(); hangup(sub.location, credential()); sub = null; }
  meter = null;
  ui.roomVideo.srcObject = null;
  ui.voices.replaceChildren();
}

function leave(reasonState = 'ended', text = '') {
  publisher?.stop(); // cancels what is in flight
  setState(reasonState);
  notice(text);
}

// ---- the room's picture: never a frozen frame ---------------------------------------------------

function countRoomFrames() {
  const v = ui.roomVideo;
  if (typeof v.requestVideoFrameCallback !== 'function') return;
  const onFrame = () => {
    roomFrames += 1;
    lastRoomFrame = performance.now();
    // Pictures again (after a program switch, say): lift "no signal" with this frame,
    // not at the next check up to half a second later (until then the overlay hid it).
    if (ui.roomSection.classList.contains('is-no-signal')) ui.roomSection.classList.remove('is-no-signal');
    v.requestVideoFrameCallback(onFrame);
  };
  v.requestVideoFrameCallback(onFrame);
}

let roomResubscribeAt = 0;
function checkRoom() {
  const now = performance.now();
  const playing = lastRoomFrame !== null && now - lastRoomFrame < NO_FRAME_MS;
  ui.roomSection.classList.toggle('is-no-signal', !playing);
  // The centre attaches a live subscription to the room whenever it publishes; ask again
  // only when the subscription itself is gone, or after a long silence.
  const dead = !sub || ['failed', 'closed'].includes(sub.pc.connectionState);
  const wait = dead ? 3000 : 15000;
  if (!playing && state === 'live' && publisher?.session && now - Math.max(roomResubscribeAt, lastRoomFrame ?? 0) > wait) {
    roomResubscribeAt = now;
    const mine = publisher.attempt;
    if (sub) { sub.pc.close(); hangup(sub.location, credential()); sub = null; }
    watchRoom(mine);
  }
}

// ---- link quality ---------------------------------------------------------------------------------

async function sampleQuality() {
  if (!meter || state !== 'live') {
    ui.quality.dataset.level = 'none';
    ui.quality.querySelector('.q-text').textContent = '—';
    return;
  }
  try {
    const s = await meter.sample();
    lastQuality = s;
    const [vi, en] = LEVEL_TEXT[s.level];
    ui.quality.dataset.level = s.level;
    ui.quality.querySelector('.q-text').textContent = `${say(vi, en)} — ${describe(s, EN ? 'en' : 'vi')}`;
  } catch (err) {
    // the connection closed between the check and the sample
  }
}

// ---- what the centre says ---------------------------------------------------------------------------

function roomName(source) {
  if (!source || source === 'room') return ['Trung tâm điều hành', 'Operations centre'];
  const p = control?.point(source);
  return [p?.name_vi ?? source, p?.name_en ?? ''];
}

function onControl(msg) {
  if (msg.type === 'control_down' && publisher) checkServer(publisher.attempt, say('mất máy chủ', 'server lost'));
  if (msg.type === 'roster' || msg.type === 'program') {
    const [vi, en] = roomName(control.program);
    ui.roomLabel.querySelector('.rl-vi').textContent = vi;
    ui.roomLabel.querySelector('.rl-en').textContent = en;
  }
  if (['roster', 'point', 'left', 'joined'].includes(msg.type)) showRecording();
  if (msg.type === 'roster') {
    mutedByCentre = Boolean(control.point(cfg.point)?.muted);
    showCentreMute();
  } else if (msg.type === 'muted' && msg.point === cfg.point) {
    mutedByCentre = msg.muted;
    showCentreMute();
  } else if (msg.type === 'left' && msg.point === cfg.point) {
    if (msg.reason === 'ended_by_console') {
      leave('ended', say('Trực ban đã kết thúc cuộc gọi', 'The duty officer ended the call'));
    } else if (msg.reason === 'replaced' && state === 'live') {
      // Another device joined as this point: do not fight it for the slot.
      leave('ended', say('Điểm cầu đã vào phiên từ thiết bị khác', 'This point joined from another device'));
    }
  }
}

/** ĐANG GHI · REC while the centre records this point's call: the person is told. */
function showRecording() {
  const recorded = Boolean(control?.point(cfg.point)?.recording);
  ui.rec.hidden = !recorded;
  document.body.classList.toggle('is-recorded', recorded);
}

function showCentreMute() {
  document.body.classList.toggle('is-muted-by-centre', mutedByCentre);
  const mutedText = say('Trực ban đã tắt tiếng điểm cầu', 'The duty officer muted this point');
  if (mutedByCentre) notice(mutedText);
  else if (ui.notice.textContent === mutedText) notice('');
}

// ---- wiring -------------------------------------------------------------------------------------------

ui.mute.addEventListener('click', () => { micOn = !micOn; applyMic(); });
ui.leave.addEventListener('click', () => leave('ended'));
ui.rejoin.addEventListener('click', () => publisher?.start());
ui.sound.addEventListener('click', () => {
  ui.roomVideo.muted = false;
  for (const el of ui.voices.children) { el.muted = false; el.play().catch(() => {}); }
  ui.roomVideo.play().then(() => { ui.sound.hidden = true; }).catch(() => {});
});
window.addEventListener('pagehide', () => {
  if (publisher?.session) hangup(publisher.session, credential());
  if (sub) hangup(sub.location, credential());
});

window.bridgePoint = {
  stats: () => ({
    point: cfg.point,
    state,
    mic_on: micOn,
    muted_by_centre: mutedByCentre,
    recording: !ui.rec.hidden,
    reconnects: publisher?.reconnects ?? 0,
    room_frames: roomFrames,
    room_label: ui.roomLabel.innerText,
    room_width: ui.roomVideo.videoWidth,
    room_video_track: sub?.stream.getVideoTracks()[0]?.id ?? null,
    room_audio_tracks: sub ? sub.stream.getAudioTracks().length : 0,
    lang: EN ? 'en' : 'vi',
    session: publisher?.session ?? null,
    server: base(),
    servers: SERVERS,
    quality: lastQuality,
  }),
  leave: () => leave('ended'),
};

async function main() {
  setState('starting');
  try {
    local = await openOwnDevices();
  } catch (err) {
    setState('nomedia');
    notice(say(...explainMediaError(err)));
    return;
  }
  ui.selfVideo.srcObject = local;
  applyMic();
  countRoomFrames();
  setInterval(checkRoom, 500);
  setInterval(sampleQuality, QUALITY_EVERY_MS);
  control = new VideoControl(base(), credential());
  pass.listen(() => { control.credential = credential(); });
  control.listen(onControl);
  startCall(local);
}

main();
