// Runs a callback at a server-clock instant, as exactly as a page can: a timer sleeps
// until just before, then the last fraction of a millisecond is spun out on the clock.
// Waiting for an animation frame instead costs up to a frame (17 ms at 60 Hz) of skew
// between screens. The spin is kept short on purpose: Chromium's timers land within
// about 0.5 ms on an idle page, and screens that share a machine (a bench, a preview)
// spinning for longer only take the CPU from each other.

const WAKE_EARLY_MS = 1;

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
