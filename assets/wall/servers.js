// The wall servers a page may use, in failover order. The list comes from the server
// (its --server settings, written into the page), never from the URL the kiosk was given.
// The page's own server comes first: it is the preferred one, to which the page returns
// as soon as it answers again; the others follow in the list's order.

const PROBE_TIMEOUT_MS = 2000;

/** `http://h:p/` or `ws://h:p` → `http://h:p` (what `location.origin` says for that page). */
export function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export class Servers {
  /** list: every server's URL (may be empty: this page's server only); here: this page's origin. */
  constructor(list = [], here = location.origin) {
    const origins = list.map(originOf).filter((o) => o && o !== 'null');
    const at = origins.indexOf(here);
    // Rotate so the page's own server leads and the rest keep their order after it.
    const rest = at < 0 ? origins : [...origins.slice(at + 1), ...origins.slice(0, at)];
    this.order = [here, ...rest.filter((o) => o !== here)];
    this.index = 0;
  }

  get current() { return this.order[this.index]; }
  get preferred() { return this.order[0]; }
  get atPreferred() { return this.index === 0; }
  get several() { return this.order.length > 1; }

  /** The next server in the order (wrapping): where the page tries after a loss. */
  advance() {
    this.index = (this.index + 1) % this.order.length;
    return this.current;
  }

  home() { this.index = 0; }

  /** The current server's URL for `path` (`/ws/screen` becomes ws: or wss:). */
  url(path, origin = this.current) {
    const u = new URL(path, origin);
    if (path.startsWith('/ws/')) u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.href;
  }
}

/**
 * Does `origin` answer at all? A no-cors GET of /health: the body is opaque (no CORS
 * needed), but a dead, unreachable or hung server rejects or times out.
 */
export async function answers(origin, timeoutMs = PROBE_TIMEOUT_MS) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    await fetch(new URL('/health', origin).href, { mode: 'no-cors', cache: 'no-store', signal: ctl.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A static file's URL (`new URL(..., import.meta.url)`) on the server the page uses now:
 * after a failover the page's own server may be gone, and what a tile loads late (a
 * boundary layer, a tile's stylesheet) comes from the live one (its /assets answer CORS
 * for the wall's other servers).
 */
export function onServer(href, origin) {
  if (!origin) return href;
  const u = new URL(href);
  return new URL(u.pathname + u.search, origin).href;
}
