// The local clock.

/** Local wall-clock time in ms, from the monotonic clock so it never jumps with NTP steps. */
export function localNow() {
  return performance.timeOrigin + performance.now();
}
