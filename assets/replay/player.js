// The replay's clock and its feed: `t` (epoch ms) is the replayed instant. seek(t) asks the
// source for the state at t and gives each screen its messages from scratch; play(rate)
// advances t with the page's clock ×rate and applies the kept events in order as t passes
// them, fetching the next stretch before it is needed. Listeners hear every change of t.

const STEP_MS = 100;
const STRETCH_MS = 120_000; // events fetched ahead, × the rate (at most the API's 6 h)
const MAX_STRETCH_MS = 6 * 3600 * 1000;

export class Player {
  constructor(source, screens) {
    this.source = source;
    this.screens = screens; // id -> {handle, info}
    this.t = 0;
    this.rate = 1;
    this.playing = false;
    this.buffer = []; // events after t, in order
    this.fetchedTo = 0;
    this.fetching = null;
    this.generation = 0; // a seek makes older answers stale
    this.listeners = new Set();
    this.timer = null;
    this.lastTick = 0;
    this.limit = null; // {from, to}: the retained range, when known
  }

  listen(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(kind) {
    for (const fn of this.listeners) fn(kind, this);
  }

  clamp(t) {
    if (!this.limit) return t;
    return Math.min(Math.max(t, this.limit.from ?? t), this.limit.to ?? t);
  }

  /** Go to t: the state at t, fetched and applied to every screen at once. */
  async seek(t) {
    const generation = ++this.generation;
    t = this.clamp(t);
    this.t = t;
    this.seeking = true;
    this.emit('seeking');
    let state;
    try {
      state = await this.source.at(t);
    } catch (err) {
      if (generation === this.generation) this.seeking = false;
      this.emit('error');
      throw err;
    }
    if (generation !== this.generation) return;
    this.seeking = false;
    if (state.oldest !== undefined) this.oldest = state.oldest;
    for (const [id, { handle, info }] of Object.entries(this.screens)) {
      handle.reset();
      handle.receive({ type: 'welcome', screen: info, server_time: t, lang: 'vi' });
      for (const msg of state.screens?.[id]?.messages ?? []) handle.receive(msg);
      handle.tick();
    }
    this.buffer = [];
    this.fetchedTo = t;
    this.fetching = null;
    this.emit('seeked');
    if (this.playing) this.fetchAhead();
  }

  play(rate = this.rate) {
    this.rate = rate;
    if (!this.playing) {
      this.playing = true;
      this.lastTick = performance.now();
      this.timer = setInterval(() => this.step(), STEP_MS);
      this.fetchAhead();
    }
    this.emit('play');
  }

  pause() {
    this.playing = false;
    clearInterval(this.timer);
    this.timer = null;
    this.emit('pause');
  }

  step() {
    const now = performance.now();
    if (this.seeking) {
      this.lastTick = now;
      return;
    }
    const next = this.t + (now - this.lastTick) * this.rate;
    this.lastTick = now;
    // Never past what is fetched: the clock waits for the events it would skip.
    const to = Math.min(next, this.fetchedTo);
    this.advance(to);
    if (this.limit?.to !== undefined && this.t >= this.limit.to) {
      this.pause();
      return;
    }
    if (this.fetchedTo - this.t < this.stretch() / 2) this.fetchAhead();
  }

  /** Apply every buffered event up to `to`, in order, then move the clock there. */
  advance(to) {
    let applied = 0;
    while (this.buffer.length && this.buffer[0].t <= to) {
      const e = this.buffer.shift();
      this.screens[e.screen]?.handle.receive(e.message);
      applied += 1;
    }
    if (to > this.t) this.t = to;
    this.applied = (this.applied ?? 0) + applied;
    this.emit('tick');
  }

  stretch() {
    return Math.min(MAX_STRETCH_MS, STRETCH_MS * Math.max(1, this.rate));
  }

  fetchAhead() {
    if (this.fetching) return;
    const generation = this.generation;
    const from = this.fetchedTo;
    let to = from + this.stretch();
    if (this.limit?.to) to = Math.min(to, this.limit.to);
    if (to <= from) return;
    this.fetching = this.source.events(from, to).then((answer) => {
      if (generation !== this.generation) return;
      const events = answer.events.map((e) => ({ ...e, t: Number(e.t) }));
      this.buffer.push(...events);
      // Truncated: the events stop at the last one included; the next stretch starts there.
      this.fetchedTo = answer.truncated && events.length ? events[events.length - 1].t : to;
    }).catch((err) => {
      console.error('replay: events', err);
      this.emit('error');
    }).finally(() => {
      if (generation === this.generation) this.fetching = null;
    });
  }

  close() {
    this.pause();
    this.generation += 1;
    for (const { handle } of Object.values(this.screens)) handle.close();
  }
}
