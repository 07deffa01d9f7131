// Local clock and frame scheduling.

/** Local wall-clock time in ms, from the monotonic clock so it never jumps with NTP steps. */
export function localNow() {
  return performance.timeOrigin + performance.now();
}

/**
 * Run `fn` in the next animation frame. requestAnimationFrame stops in a hidden page
 * (a preview iframe scrolled away, a minimised window), so a timer stands in after
 * `fallbackMs`: the screen keeps applying data and swapping instead of freezing.
 * Returns a cancel function.
 */
export function nextFrame(fn, fallbackMs = 100) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(raf);
    clearTimeout(timer);
    fn();
  };
  const raf = requestAnimationFrame(run);
  const timer = setTimeout(run, fallbackMs);
  return () => { done = true; cancelAnimationFrame(raf); clearTimeout(timer); };
}
