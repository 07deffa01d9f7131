// Estimates server clock − local clock from ping/pong pairs (NTP-style, one hop).
// The sample with the smallest round trip has the least room for asymmetric delay,
// so its offset is the one trusted.

const KEEP = 16;

export class ClockSync {
  constructor() {
    this.samples = []; // {rtt, offset}, newest last
    this.best = null;
    this.rough = null; // from welcome.server_time until the first pong
  }

  /** Before any pong: server_time from welcome, as received (error up to one one-way delay). */
  setRough(serverTime, localAt) {
    this.rough = serverTime - localAt;
  }

  /** t0, t1 on the local clock; ts the server's clock when it answered. */
  addSample(t0, t1, ts) {
    const rtt = t1 - t0;
    if (!(rtt >= 0)) return; // a pong from before a clock hiccup, or garbage
    this.samples.push({ rtt, offset: ts - (t0 + t1) / 2 });
    if (this.samples.length > KEEP) this.samples.shift();
    this.best = this.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
  }

  get offset() {
    if (this.best) return this.best.offset;
    return this.rough ?? 0;
  }

  get rtt() {
    return this.best ? this.best.rtt : null;
  }
}
