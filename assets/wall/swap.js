// Runs a callback in the first animation frame at or after a server-clock instant.
// A timer alone drifts by several ms and lands between frames; so a timer sleeps until
// just before, then frames are polled so the change is painted in the right frame.

import { nextFrame } from './timing.js';

const WAKE_EARLY_MS = 25;

/** fn(atServerMs) runs once; returns a cancel function. */
export function runAtServerTime(swapAt, serverNow, fn) {
  let cancelled = false;
  let cancelFrame = null;
  const poll = () => {
    if (cancelled) return;
    const now = serverNow();
    if (now >= swapAt) {
      fn(now);
      return;
    }
    // Frames drive the loop; the 50 ms timer only keeps a hidden page (no frames) swapping.
    cancelFrame = nextFrame(poll, 50);
  };
  const wait = swapAt - serverNow() - WAKE_EARLY_MS;
  const timer = setTimeout(poll, Math.max(0, wait));
  return () => {
    cancelled = true;
    clearTimeout(timer);
    if (cancelFrame) cancelFrame();
  };
}
