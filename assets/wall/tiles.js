// Tile renderers by kind. A layout names tiles by `kind`; the screen asks this registry
// for the renderer. TILE_MODULES says which module draws each kind (the Python registry,
// command_center/server/composition.py, must name the same kinds: tests/unit/
// test_tile_kinds_js.py); loadTileModules() imports each one on its own and the module
// registers itself (registerTile). A module that fails to load fails only its own kind:
// its tiles show the error, every other tile draws.
//
// A renderer is {create(el, params, ctx), update(el, data, params, ctx),
//                tick?(el, data, params, ctx), destroy?(el)}:
//   create  builds the tile's body into `el` (already in the page, so it can measure);
//   update  draws the tile's merged data (all keys so far, latest wins);
//   tick    optional, called once a second on the server's second boundary;
//   destroy optional, releases what create acquired.
// ctx is {screen, serverNow(), stats, lang, videoCredential}.

/** Kind → its module, relative to this file. One kind per module, named after the kind. */
export const TILE_MODULES = Object.freeze({
  calibration: './tiles/calibration.js',
  clock: './tiles/clock.js',
  indicator: './tiles/indicator.js',
  'indicator-group': './tiles/indicator-group.js',
  map: './tiles/map.js',
  ranking: './tiles/ranking.js',
  'reporting-status': './tiles/reporting-status.js',
  text: './tiles/text.js',
  trend: './tiles/trend.js',
  video: './tiles/video.js',
});

const renderers = new Map();
let loaded = null; // the one loading of every module, shared by all screens of a page

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

/**
 * Import every tile module, each on its own. Resolves (never rejects) once each has loaded
 * or failed; a failed kind gets a renderer that shows the failure in each of its tiles.
 */
export function loadTileModules() {
  loaded ??= Promise.all(Object.entries(TILE_MODULES).map(([kind, path]) =>
    import(path).then(
      () => {
        if (!renderers.has(kind)) throw new Error(`${path} did not register '${kind}'`);
      },
    ).catch((err) => {
      console.error(`wall: tile module ${path} failed to load`, err);
      renderers.set(kind, failed(path.replace('./', ''), err));
    })));
  return loaded;
}

// The module's name and its error in the tile: the screen goes on, and the one broken file
// is named where an operator (and whoever fixes it) can see it.
function failed(module, err) {
  return {
    create(el) {
      el.classList.add('tile-failed');
      const box = document.createElement('div');
      box.className = 'tile-message tile-error';
      box.dataset.module = module;
      box.textContent = `Lỗi hiển thị ô · Tile failed to render: ${module} — ${err?.message ?? err}`;
      el.append(box);
    },
    update() {},
  };
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
