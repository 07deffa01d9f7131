// Runs a callback at a server-clock instant, as exactly as a page can: a timer sleeps
// until just before, then the last few milliseconds are spun out on the clock. Waiting
// for an animation frame instead costs up to a frame (17 ms at 60 Hz) of skew between
// screens, and frames stall on a busy machine; the browser paints the change at its
// next frame either way.

const WAKE_EARLY_MS = 4;

/** fn(atServerMs) runs once; returns a cancel function. */
export function runAtServerTime(swapAt, serverNow, fn) {
  let cancelled = false;
  const fire = () => {
    if (cancelled) return;
    let now = serverNow();
    // A timer may wake a little early (or late: then this loop does not run).
    while (now < swapAt) now = serverNow();
    fn(now);
  };
  const timer = setTimeout(fire, Math.max(0, swapAt - serverNow() - WAKE_EARLY_MS));
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
