// One WHIP publisher: a page's camera and microphone to the centre (one POST per try, see
// whip.js) and the reconnect state machine around it. The bridge-point page (bridge.js) and
// the console's room publisher (room-publisher.js) both drive one; each draws its own UI
// from the states this reports.
//
// States: connecting (the first try, or try n after a loss) → live (ICE connected) → lost
// (retrying after a wait) → connecting … until stop(). A loss moves to the next server at
// once while the round of `servers` has untried ones, then waits, doubling the wait from
// 1 s to 10 s; a live link resets both. 'disconnected' gets a grace before it counts as a
// loss, as it often heals by itself. A refusal retrying cannot help (`isFinal`) ends it.
// Every try has a number: whatever answers for an older try is closed and dropped.

import { hangup, negotiate } from './whip.js';

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10000;
const DISCONNECT_GRACE_MS = 3000; // 'disconnected' often heals by itself within a second or two

export class WhipPublisher {
  /**
   * stream: the MediaStream to send. url(): where to POST now. credential(): the Bearer, or
   * null (a same-origin session cookie). iceServers: for each RTCPeerConnection.
   * servers(): how many servers one round tries before waiting (1: wait after every loss).
   * isFinal(err): a refusal that ends the call (default: err.final, see whip.js).
   * Hooks (all optional):
   *   onState(state, info): 'connecting' {reconnects}, 'live', 'lost' {waitMs, why};
   *   onRefused(err): a final refusal; the publisher has stopped;
   *   prepare(): awaited before each POST (renew a pass, move the control channel);
   *   published(pc, mine): awaited once a session is up (watch the room, meter the link);
   *   nextServer(): a loss moves on (the page picks the next server for url());
   *   disconnected(mine): a watched connection of try `mine` went 'disconnected' (the page
   *     may check at once whether its server is gone, rather than wait for the grace);
   *   teardown(): release what the page tied to the session.
   */
  constructor({
    stream, url, credential = () => null, iceServers = [], servers = () => 1,
    isFinal = (err) => Boolean(err?.final), onState = () => {}, onRefused = () => {},
    prepare = async () => {}, published = async () => {}, nextServer = () => {},
    disconnected = () => {}, teardown = () => {},
  }) {
    this.stream = stream;
    this.hooks = {
      url, credential, servers, isFinal, onState, onRefused, prepare, published, nextServer,
      disconnected, teardown,
    };
    this.iceServers = iceServers;
    this.pub = null; // {pc, location}
    this.attempt = 0; // bumped by every try and by stop()
    this.reconnects = 0;
    this.retryMs = RETRY_MIN_MS;
    this.triedThisRound = 0; // servers tried since the call was last live
    this.retryTimer = null;
    this.graceTimer = null;
    this.stopped = true;
  }

  /** The WHIP session's URL (to DELETE), or null. */
  get session() {
    return this.pub?.location ?? null;
  }

  /** Is `mine` still the current try? */
  current(mine) {
    return mine === this.attempt;
  }

  /** A fresh call: the first try now, the backoff from its start. */
  start() {
    this.stopped = false;
    this.reconnects = 0;
    this.retryMs = RETRY_MIN_MS;
    this.connect();
  }

  async connect() {
    clearTimeout(this.retryTimer);
    const mine = ++this.attempt;
    this.teardown();
    this.hooks.onState('connecting', { reconnects: this.reconnects });
    let pc = null;
    try {
      pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: this.iceServers });
      for (const track of this.stream.getTracks()) {
        pc.addTransceiver(track, { direction: 'sendonly', streams: [this.stream] });
      }
      this.watchLink(pc, mine, { primary: true });
      await this.hooks.prepare();
      const { location } = await negotiate(pc, this.hooks.url(), this.hooks.credential());
      if (!this.current(mine)) { pc.close(); hangup(location, this.hooks.credential()); return; }
      this.pub = { pc, location };
      await this.hooks.published(pc, mine);
    } catch (err) {
      if (this.pub?.pc !== pc) pc?.close();
      if (!this.current(mine)) return;
      if (this.hooks.isFinal(err)) {
        this.stop();
        this.hooks.onRefused(err);
        return;
      }
      console.warn('whip: connect failed', err);
      this.lost(`${err.message || err}`);
    }
  }

  /**
   * Follow `pc` of try `mine`: the primary (the published session) going connected makes
   * the call live; any watched connection failing, or staying disconnected past the grace,
   * is a loss (a page watches its other connections of the same try here too).
   */
  watchLink(pc, mine, { primary = false } = {}) {
    pc.addEventListener('connectionstatechange', () => {
      if (!this.current(mine)) return;
      const s = pc.connectionState;
      if (s === 'connected') {
        clearTimeout(this.graceTimer);
        if (primary) {
          this.reconnects = 0;
          this.retryMs = RETRY_MIN_MS;
          this.triedThisRound = 0;
          this.hooks.onState('live', {});
        }
      } else if (s === 'disconnected') {
        clearTimeout(this.graceTimer);
        this.graceTimer = setTimeout(() => {
          if (this.current(mine) && pc.connectionState === 'disconnected') this.lost('ICE disconnected');
        }, DISCONNECT_GRACE_MS);
        this.hooks.disconnected(mine);
      } else if (s === 'failed') {
        this.lost('ICE failed');
      }
    });
  }

  /** The call is lost (`why` for people): the next server at once, or after the wait. */
  lost(why) {
    if (this.stopped) return;
    this.reconnects += 1;
    this.hooks.nextServer();
    this.triedThisRound += 1;
    const wait = this.triedThisRound < this.hooks.servers() ? 0 : this.retryMs;
    if (wait) {
      this.triedThisRound = 0;
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    }
    this.teardown();
    this.hooks.onState('lost', { waitMs: wait, why });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  /** End the call (DELETE the WHIP session) and cancel whatever is in flight. */
  stop() {
    this.stopped = true;
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    this.teardown();
  }

  teardown() {
    clearTimeout(this.graceTimer);
    if (this.pub) {
      this.pub.pc.close();
      hangup(this.pub.location, this.hooks.credential());
      this.pub = null;
    }
    this.hooks.teardown();
  }
}
