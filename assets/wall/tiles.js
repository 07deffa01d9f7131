// Tile renderers by kind. A layout names tiles by `kind`; the screen asks this registry
// for the renderer. Modules register themselves on import (see tiles/*.js); other
// packages (indicators, maps, video) import registerTile the same way.
//
// A renderer is {create(el, params, ctx), update(el, data, params, ctx),
//                tick?(el, data, params, ctx), destroy?(el)}:
//   create  builds the tile's body into `el` (already in the page, so it can measure);
//   update  draws the tile's merged data (all keys so far, latest wins);
//   tick    optional, called once a second on the server's second boundary;
//   destroy optional, releases what create acquired.
// ctx is {screen, serverNow(), stats, lang, videoCredential}.

const renderers = new Map();

export function registerTile(kind, renderer) {
  if (typeof renderer?.create !== 'function' || typeof renderer?.update !== 'function') {
    throw new TypeError(`tile renderer '${kind}' needs create() and update()`);
  }
  renderers.set(kind, renderer);
}

export function rendererFor(kind) {
  return renderers.get(kind) ?? unsupported(kind);
}

export function registeredKinds() {
  return [...renderers.keys()].sort();
}

// Visible, never blank: an operator must see that the layout names something this
// screen cannot draw (an old cached script, a typo the validator missed).
function unsupported(kind) {
  return {
    create(el) {
      el.classList.add('tile-unsupported');
      const box = document.createElement('div');
      box.className = 'tile-message';
      box.textContent = `Loại ô chưa hỗ trợ · Unsupported tile kind: ${kind}`;
      el.append(box);
    },
    update() {},
  };
}
