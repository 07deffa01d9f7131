// The link-lost band: over the last content (which stays visible underneath), red,
// large enough to read across the room, with the time the link went and for how long.

import { formatSince } from './format.js';

const REFUSED_HEAD = 'Mã thiết bị không hợp lệ hoặc đã bị thu hồi · Device token invalid or revoked';
const REFUSED_FIX = 'Chạy “run_wall.py kiosk” trên máy chủ để lấy địa chỉ mới cho màn hình này · '
  + 'Run “run_wall.py kiosk” on the server for this screen\'s new URL';

export class Banner {
  constructor(host) {
    this.el = document.createElement('div');
    this.el.className = 'wall-banner';
    this.el.setAttribute('role', 'alert');
    this.el.hidden = true;
    this.head = document.createElement('div');
    this.head.className = 'wall-banner-head';
    this.detail = document.createElement('div');
    this.detail.className = 'wall-banner-detail';
    this.el.append(this.head, this.detail);
    host.append(this.el);
  }

  /**
   * state: null (link up: hide) or {sinceServer, sinceLocal, error} — when the link went
   * (``formatSince``), error a server error text or null; refused: the server refused the
   * screen's device token (a new URL is needed, not patience).
   */
  render(state) {
    if (!state) {
      this.el.hidden = true;
      return;
    }
    const since = formatSince(state);
    // The head stays the same words whatever the cause, so the room learns one sign; a
    // refused token is the one cause staff must act on, so it has its own words.
    const head = state.refused ? REFUSED_HEAD : 'MẤT KẾT NỐI · Link lost — đang kết nối lại…';
    let detail = since;
    if (state.refused) detail = `${REFUSED_FIX} ${since}`;
    else if (state.error) detail = `${state.error} — thử lại mỗi 10 giây · retrying every 10 s ${since}`;
    this.el.classList.toggle('is-refused', Boolean(state.refused));
    if (this.head.textContent !== head) this.head.textContent = head;
    if (this.detail.textContent !== detail) this.detail.textContent = detail;
    this.el.hidden = false;
  }
}
