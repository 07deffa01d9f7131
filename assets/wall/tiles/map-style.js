// The map tile's stylesheet, added once to whichever root holds the tile (a kiosk page, or
// the shadow root of a console preview).

const roots = new WeakSet();

export function ensureMapStyles(el) {
  const root = el.getRootNode();
  const holder = root instanceof ShadowRoot ? root : document.head;
  if (roots.has(holder)) return;
  roots.add(holder);
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('./map.css', import.meta.url).href;
  link.dataset.wall = 'map-tile';
  holder.append(link);
}
