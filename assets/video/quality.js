// Link quality from a peer connection's getStats(): round-trip time, packet loss, jitter
// and bitrate, each since the previous sample, and a level (good / fair / poor) a person
// reads at a glance. Also grades the centre's own counters (the control channel's
// link_stats), so the wall and the page speak the same scale.

const LEVELS = [
  // [level, max rtt ms, max loss %, max jitter ms]
  ['good', 150, 1, 30],
  ['fair', 400, 5, 80],
];

/** 'good' | 'fair' | 'poor' | 'none' for {rtt_ms, packet_loss_pct, jitter_ms}. */
export function grade(s) {
  if (!s) return 'none';
  for (const [level, rtt, loss, jitter] of LEVELS) {
    if ((s.rtt_ms ?? 0) <= rtt && (s.packet_loss_pct ?? 0) <= loss && (s.jitter_ms ?? 0) <= jitter) {
      return level;
    }
  }
  return 'poor';
}

export const LEVEL_TEXT = {
  good: ['Tốt', 'Good'],
  fair: ['Trung bình', 'Fair'],
  poor: ['Kém', 'Poor'],
  none: ['—', '—'],
};

/** "1,8 Mb/s · 30 khung/s · mất 0,0 % · trễ 12 ms" in Vietnamese number style. */
export function describe(s, lang = 'vi') {
  if (!s) return '';
  const vi = lang !== 'en';
  const num = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x)
    ? '—'
    : x.toLocaleString(vi ? 'vi-VN' : 'en-GB', { minimumFractionDigits: d, maximumFractionDigits: d }));
  const parts = [];
  if (s.bitrate_kbps != null) {
    parts.push(s.bitrate_kbps >= 1000 ? `${num(s.bitrate_kbps / 1000, 1)} Mb/s` : `${num(s.bitrate_kbps)} kb/s`);
  }
  if (s.fps != null) parts.push(`${num(s.fps)} ${vi ? 'khung/s' : 'fps'}`);
  if (s.packet_loss_pct != null) parts.push(`${vi ? 'mất gói' : 'loss'} ${num(s.packet_loss_pct, 1)} %`);
  if (s.jitter_ms != null) parts.push(`jitter ${num(s.jitter_ms)} ms`);
  if (s.rtt_ms != null) parts.push(`RTT ${num(s.rtt_ms)} ms`);
  return parts.join(' · ');
}

/**
 * Samples one peer connection. sample() resolves to {rtt_ms, packet_loss_pct, jitter_ms,
 * bitrate_kbps, fps, level} over the interval since the previous call; the first call
 * gives cumulative figures (bitrate null).
 */
export class LinkMeter {
  constructor(pc) {
    this.pc = pc;
    this.prev = null;
  }

  async sample() {
    const report = await this.pc.getStats();
    const now = performance.now();
    let bytes = 0;
    let packets = 0;
    let lost = 0;
    let jitter = null;
    let rtt = null;
    let fps = null;
    report.forEach((r) => {
      if (r.type === 'outbound-rtp' && !r.isRemote) {
        bytes += r.bytesSent || 0;
        packets += r.packetsSent || 0;
        if (r.kind === 'video' && r.framesPerSecond != null) fps = r.framesPerSecond;
      } else if (r.type === 'inbound-rtp') {
        bytes += r.bytesReceived || 0;
        packets += (r.packetsReceived || 0) + Math.max(0, r.packetsLost || 0);
        lost += Math.max(0, r.packetsLost || 0);
        if (r.jitter != null) jitter = Math.max(jitter ?? 0, r.jitter * 1000);
        if (r.kind === 'video' && r.framesPerSecond != null) fps = r.framesPerSecond;
      } else if (r.type === 'remote-inbound-rtp') {
        // What the far end reports about our sending: its loss and jitter, and the RTT.
        if (r.jitter != null) jitter = Math.max(jitter ?? 0, r.jitter * 1000);
        if (r.roundTripTime != null) rtt = Math.max(rtt ?? 0, r.roundTripTime * 1000);
        if (r.packetsLost != null) lost += Math.max(0, r.packetsLost);
      } else if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
        if (r.currentRoundTripTime != null && rtt === null) rtt = r.currentRoundTripTime * 1000;
      }
    });
    const cur = { at: now, bytes, packets, lost };
    const prev = this.prev;
    this.prev = cur;
    const dt = prev ? (now - prev.at) / 1000 : 0;
    const dPackets = prev ? packets - prev.packets : packets;
    const dLost = prev ? lost - prev.lost : lost;
    const s = {
      rtt_ms: rtt,
      jitter_ms: jitter,
      packet_loss_pct: dPackets > 0 ? Math.max(0, (100 * dLost) / dPackets) : 0,
      bitrate_kbps: dt > 0 ? Math.max(0, ((bytes - prev.bytes) * 8) / dt / 1000) : null,
      fps,
    };
    s.level = grade(s);
    return s;
  }
}
