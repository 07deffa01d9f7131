// WHIP (RFC 9725) and WHEP sessions: one HTTP POST of a complete offer (all candidates
// gathered, so no trickle is needed), 201 with the answer and a Location to DELETE when
// leaving. Shared by the bridge-point page and the wall's video tiles.

const GATHER_LIMIT_MS = 5000;

/** An HTTP refusal from the centre, with the JSON envelope's code and message. */
export class SignallingError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** Retrying cannot help (wrong token, unknown point, refused codec). */
  get final() {
    return [400, 401, 403, 404, 406, 415].includes(this.status);
  }
}

/** `Authorization: Bearer credential`, or nothing: the console's room publisher passes no
 * credential and rides on its own HttpOnly session cookie (same origin), which its page's
 * scripts never see. */
function authHeaders(credential) {
  return credential ? { Authorization: `Bearer ${credential}` } : {};
}

/**
 * Offer `pc`'s transceivers to `url` with `Authorization: Bearer credential`; applies the
 * answer. Returns {location} (absolute URL of the session, for hangup()).
 */
export async function negotiate(pc, url, credential) {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', ...authHeaders(credential) },
    credentials: 'same-origin',
    body: pc.localDescription.sdp,
  });
  if (response.status !== 201) throw await refusal(response);
  const answer = await response.text();
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  const where = response.headers.get('Location');
  return { location: where ? new URL(where, url).href : null };
}

/** Leave a session; never throws (the page may be closing, the server may be gone). */
export function hangup(location, credential) {
  if (!location) return;
  try {
    fetch(location, {
      method: 'DELETE',
      headers: authHeaders(credential),
      credentials: 'same-origin',
      keepalive: true,
    }).catch(() => {});
  } catch (err) {
    // fetch itself can throw while the page unloads
  }
}

async function refusal(response) {
  let code = `http_${response.status}`;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body?.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch (err) {
    // not JSON: keep the status line
  }
  return new SignallingError(response.status, code, message);
}

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => { if (pc.iceGatheringState === 'complete') done(); };
    // Host candidates come within milliseconds; never hang on a slow STUN-less gather.
    const timer = setTimeout(done, GATHER_LIMIT_MS);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/**
 * A receive-only peer connection watching `source` over WHEP. `audioSlots` > 1 offers that
 * many audio sections: the centre forwards that many publishers' sound side by side (the
 * room hears every unmuted point); play each track (see playAudioTracks).
 */
export async function watch(baseUrl, source, credential, { audio = true, audioSlots = 1, iceServers = [] } = {}) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers });
  pc.addTransceiver('video', { direction: 'recvonly' });
  for (let i = 0; audio && i < audioSlots; i += 1) pc.addTransceiver('audio', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.addEventListener('track', (e) => stream.addTrack(e.track));
  try {
    const { location } = await negotiate(pc, `${baseUrl}/whep/${encodeURIComponent(source)}`, credential);
    return { pc, stream, location };
  } catch (err) {
    pc.close();
    throw err;
  }
}

/**
 * Play every audio track of `stream` but the first (which the <video> plays) in hidden
 * <audio> elements inside `holder`: Chromium's <video> renders one audio track of a
 * MediaStream, so several voices need one element each. Returns the elements.
 */
export function playAudioTracks(stream, holder, muted = false) {
  holder.replaceChildren();
  return stream.getAudioTracks().slice(1).map((track) => {
    const el = document.createElement('audio');
    el.autoplay = true;
    el.muted = muted;
    el.srcObject = new MediaStream([track]);
    el.dataset.track = track.id;
    holder.append(el);
    el.play().catch(() => {});
    return el;
  });
}
