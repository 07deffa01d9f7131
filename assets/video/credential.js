// A device page's short-lived credential (a "pass"). The device's own token lives in an
// HttpOnly cookie scoped to the page's path, which scripts never see; the page starts with a
// pass the server wrote into it and fetches the next one from `url` (under the page's path,
// so the cookie goes along) before the current one runs out.

const RENEW_AT = 0.5; // of the pass's life

export class DevicePass {
  /**
   * first: the pass in the page; ttlS: how long a pass lives; url: where the next comes
   * from, or a function giving it (a wall page renews from the wall server it uses now).
   */
  constructor(url, first, ttlS) {
    this.url = url;
    this.value = first;
    this.ttlMs = ttlS * 1000;
    this.renewAt = Date.now() + this.ttlMs * RENEW_AT;
    this.listeners = new Set();
    this.timer = setInterval(() => { this.fresh().catch(() => {}); }, Math.max(5000, this.ttlMs / 10));
  }

  /** listener(value) after every renewal; returns an unsubscribe function. */
  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current pass, renewed first when it is past half its life. */
  async fresh() {
    if (Date.now() < this.renewAt) return this.value;
    const url = new URL(typeof this.url === 'function' ? this.url() : this.url, location.href);
    // Another wall server of this wall (failover): its CORS answer lets the cookie go along.
    const credentials = url.origin === location.origin ? 'same-origin' : 'include';
    const response = await fetch(url.href, { credentials, cache: 'no-store' });
    if (!response.ok) throw new Error(`credential: ${response.status}`);
    const body = await response.json();
    this.value = body.credential;
    this.ttlMs = body.expires_in_s * 1000;
    this.renewAt = Date.now() + this.ttlMs * RENEW_AT;
    for (const listener of this.listeners) listener(this.value);
    return this.value;
  }

  close() {
    clearInterval(this.timer);
  }
}
