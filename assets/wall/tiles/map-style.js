// The map tile's stylesheet, added once to whichever root holds the tile (a kiosk page, or
// the shadow root of a console preview).

import { onServer } from '../servers.js';

const roots = new WeakSet();

/** origin: the wall server the page uses now (its own when not given). */
export function ensureMapStyles(el, origin = null) {
  const root = el.getRootNode();
  const holder = root instanceof ShadowRoot ? root : document.head;
  if (roots.has(holder)) return;
  roots.add(holder);
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = onServer(new URL('./map.css', import.meta.url).href, origin);
  link.dataset.wall = 'map-tile';
  holder.append(link);
}
