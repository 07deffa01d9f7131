// Update latency (server receipt → applied on screen): a fixed ring of recent samples,
// so percentiles describe the last few minutes, not the whole uptime.

export class LatencyRing {
  constructor(size = 2048) {
    this.buf = new Float64Array(size);
    this.count = 0; // samples held, up to size
    this.next = 0;
  }

  add(ms) {
    this.buf[this.next] = ms;
    this.next = (this.next + 1) % this.buf.length;
    if (this.count < this.buf.length) this.count += 1;
  }

  /** The samples held, oldest first (benchmarks pool them across screens). */
  samples() {
    if (this.count < this.buf.length) return Array.from(this.buf.slice(0, this.count));
    return [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
  }

  /** Forget every sample (a benchmark starts its measured window). */
  clear() {
    this.count = 0;
    this.next = 0;
  }

  /** {p50, p99, count}; p50/p99 null with no samples. Nearest-rank percentiles. */
  summary() {
    if (this.count === 0) return { p50: null, p99: null, count: 0 };
    const sorted = this.buf.slice(0, this.count).sort();
    const rank = (q) => sorted[Math.min(this.count - 1, Math.max(0, Math.ceil(q * this.count) - 1))];
    return { p50: round1(rank(0.5)), p99: round1(rank(0.99)), count: this.count };
  }
}

function round1(x) {
  return Math.round(x * 10) / 10;
}
