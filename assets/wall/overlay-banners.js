// Banners over the layout: announcements from the duty console and alerts' banners
// (BannersMessage in command_center/protocol.py). The server sends every banner this
// screen must show; this module draws them along the screen's bottom edge, most serious
// first, Vietnamese above English, and takes each down at its expires_at by itself (server
// clock, through the page's offset), so a late or lost message never leaves one up.
// Each screen draws its own copy inside its own pixels: nothing crosses a bezel.

const SEVERITIES = new Set(['info', 'warning', 'critical']);

export class OverlayBanners {
  /** host: the screen element; serverNow(): the server's clock as this page estimates it. */
  constructor(host, serverNow) {
    this.serverNow = serverNow;
    this.banners = [];
    this.timer = null;
    this.el = document.createElement('div');
    this.el.className = 'wall-overlay-banners';
    this.el.setAttribute('role', 'status');
    this.el.hidden = true;
    host.append(this.el);
  }

  /** banners: the message's list, replacing what was shown. */
  set(banners) {
    this.banners = Array.isArray(banners) ? banners.filter((b) => b && typeof b.id === 'string') : [];
    this.render();
  }

  /** The banners on show now (ids), for tests and the page's stats. */
  shown() {
    return Array.from(this.el.children, (node) => node.dataset.bannerId);
  }

  render() {
    clearTimeout(this.timer);
    this.timer = null;
    const now = this.serverNow();
    const live = this.banners.filter((b) => !(typeof b.expires_at === 'number' && b.expires_at <= now));
    const ids = live.map((b) => b.id);
    const same = ids.length === this.el.children.length && ids.every((id, i) => this.el.children[i].dataset.bannerId === id);
    if (!same) this.el.replaceChildren(...live.map(bannerElement));
    this.el.hidden = live.length === 0;
    const next = Math.min(...live.map((b) => (typeof b.expires_at === 'number' ? b.expires_at : Infinity)));
    if (Number.isFinite(next)) {
      // Re-checked at the expiry on the server's clock; the offset may move meanwhile.
      this.timer = setTimeout(() => this.render(), Math.max(0, next - now) + 20);
    }
  }

  close() {
    clearTimeout(this.timer);
    this.el.remove();
  }
}

function bannerElement(banner) {
  const item = document.createElement('div');
  const severity = SEVERITIES.has(banner.severity) ? banner.severity : 'info';
  item.className = `wall-overlay-banner is-${severity}`;
  item.dataset.bannerId = banner.id;
  item.dataset.severity = severity;
  item.dataset.source = banner.source ?? '';
  const vi = document.createElement('div');
  vi.className = 'b-vi';
  vi.lang = 'vi';
  vi.textContent = banner.text_vi ?? '';
  const en = document.createElement('div');
  en.className = 'b-en';
  en.lang = 'en';
  en.textContent = banner.text_en ?? '';
  item.append(vi, en);
  return item;
}
