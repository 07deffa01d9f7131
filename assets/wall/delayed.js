// The "data delayed" marker: the link to this server is fine, but the server says it is
// degraded (Redis or the disk out, say), so what the tiles show may be getting old. Small
// and amber in a corner, never the red link-lost band: the wall is not dark, only late.

import { formatSince } from './format.js';

export class DelayedMarker {
  constructor(host) {
    this.el = document.createElement('div');
    this.el.className = 'wall-delayed';
    this.el.setAttribute('role', 'status');
    this.el.hidden = true;
    host.append(this.el);
  }

  /** state: null (hide) or {sinceServer, sinceLocal}: since the server said it was degraded. */
  render(state) {
    if (!state) {
      this.el.hidden = true;
      return;
    }
    const text = `Dữ liệu chậm · data delayed ${formatSince(state, false)}`;
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.hidden = false;
  }
}
