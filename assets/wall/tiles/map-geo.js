// Geometry for the map tile: the derived boundary files (loaded once per page, then held),
// one projection for a tile of a given size, SVG path strings and label anchors.
//
// The projection depends only on the tile's size and the view, never on the screen: every
// screen that shows part of a spanning tile draws the same map, so it lines up across bezels.

const FILES = {
  'gso-34': new URL('../../geo/provinces-34.geojson', import.meta.url).href,
  'gso-63': new URL('../../geo/provinces-63.geojson', import.meta.url).href,
  archipelagos: new URL('../../geo/archipelagos.geojson', import.meta.url).href,
};

import { onServer } from '../servers.js';

// Equirectangular, x shrunk by cos(16°N): Vietnam's middle latitude; shapes read true.
const K = Math.cos((16 * Math.PI) / 180);
const loaded = new Map();
// A server that hangs (SIGSTOP) never answers: give up on an attempt after this and ask
// the server the page uses then (another one after a failover).
const ATTEMPT_MS = 6000;
const ATTEMPTS = 20;
const PAUSE_MS = 2000;

/**
 * The layer's GeoJSON, fetched once per page (and cached by the browser: a static file),
 * from `origin()`: the wall server the page uses at each attempt (its own when not given).
 */
export function loadLayer(name, origin = () => null) {
  if (!FILES[name]) return Promise.reject(new Error(`no boundary layer '${name}'`));
  if (!loaded.has(name)) {
    const p = fetchLayer(name, origin).then(prepare);
    p.catch(() => loaded.delete(name)); // a failed load is retried by the next tile update
    loaded.set(name, p);
  }
  return loaded.get(name);
}

async function fetchLayer(name, origin) {
  let last = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    // After a refusal, pause; after a timeout the wait is already spent.
    if (last && last.name !== 'AbortError') await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const from = origin();
    const url = onServer(FILES[name], from);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), ATTEMPT_MS);
    // The page moved to another server meanwhile: ask that one at once.
    const moved = setInterval(() => { if (origin() !== from) ctl.abort(); }, 250);
    try {
      const r = await fetch(url, { signal: ctl.signal });
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return await r.json();
    } catch (err) {
      last = err;
    } finally {
      clearTimeout(timer);
      clearInterval(moved);
    }
  }
  throw last;
}

// Per feature: its rings, bounding box and the largest ring (for the label).
function prepare(geojson) {
  const features = geojson.features.map((f) => {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const bbox = [Infinity, Infinity, -Infinity, -Infinity];
    let largest = null;
    let largestArea = -1;
    for (const poly of polys) {
      for (const [lon, lat] of poly[0]) {
        if (lon < bbox[0]) bbox[0] = lon;
        if (lat < bbox[1]) bbox[1] = lat;
        if (lon > bbox[2]) bbox[2] = lon;
        if (lat > bbox[3]) bbox[3] = lat;
      }
      const a = Math.abs(ringArea(poly[0]));
      if (a > largestArea) { largestArea = a; largest = poly[0]; }
    }
    return { props: f.properties, polys, bbox, largest };
  });
  const bbox = features.reduce((b, f) => [
    Math.min(b[0], f.bbox[0]), Math.min(b[1], f.bbox[1]),
    Math.max(b[2], f.bbox[2]), Math.max(b[3], f.bbox[3]),
  ], [Infinity, Infinity, -Infinity, -Infinity]);
  return { features, bbox, byCode: new Map(features.map((f) => [f.props.code ?? f.props.key, f])) };
}

function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  }
  return a / 2;
}

export function union(a, b) {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** Fit lon/lat `bounds` [w, s, e, n] into a w × h box with `pad` pixels; {scale, p(lon, lat)}. */
export function projection(bounds, x0, y0, w, h, pad) {
  const bw = (bounds[2] - bounds[0]) * K;
  const bh = bounds[3] - bounds[1];
  const scale = Math.max(1e-9, Math.min((w - 2 * pad) / bw, (h - 2 * pad) / bh));
  const ox = x0 + pad + (w - 2 * pad - bw * scale) / 2;
  const oy = y0 + pad + (h - 2 * pad - bh * scale) / 2;
  return {
    scale,
    p: (lon, lat) => [ox + (lon - bounds[0]) * K * scale, oy + (bounds[3] - lat) * scale],
  };
}

/** SVG path data of a feature (all parts, holes included) at 0.1 px. */
export function pathOf(feature, proj) {
  const out = [];
  for (const poly of feature.polys) {
    for (const ring of poly) {
      let prevX = NaN; let prevY = NaN;
      ring.forEach(([lon, lat], i) => {
        const [x, y] = proj.p(lon, lat);
        const rx = Math.round(x * 10) / 10;
        const ry = Math.round(y * 10) / 10;
        if (i > 0 && rx === prevX && ry === prevY) return; // sub-pixel steps add nothing
        out.push(`${i === 0 ? 'M' : 'L'}${rx} ${ry}`);
        prevX = rx; prevY = ry;
      });
      out.push('Z');
    }
  }
  return out.join('');
}

/** Pixel box of a feature under a projection: [x0, y0, x1, y1]. */
export function boxOf(feature, proj) {
  const [a, b] = proj.p(feature.bbox[0], feature.bbox[3]);
  const [c, d] = proj.p(feature.bbox[2], feature.bbox[1]);
  return [a, b, c, d];
}

/**
 * Where a label goes and how much room it has: the centroid of the feature's largest part,
 * and the width and height of that part's box in pixels. Long diagonal shapes get less
 * room than their box suggests, so the box is shrunk by the part's fill ratio.
 */
export function labelSpot(feature, proj) {
  const ring = feature.largest;
  let cx = 0; let cy = 0; let a = 0;
  let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
  const pts = ring.map(([lon, lat]) => proj.p(lon, lat));
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const f = pts[j][0] * pts[i][1] - pts[i][0] * pts[j][1];
    a += f;
    cx += (pts[j][0] + pts[i][0]) * f;
    cy += (pts[j][1] + pts[i][1]) * f;
    minX = Math.min(minX, pts[i][0]); maxX = Math.max(maxX, pts[i][0]);
    minY = Math.min(minY, pts[i][1]); maxY = Math.max(maxY, pts[i][1]);
  }
  const w = maxX - minX;
  const h = maxY - minY;
  if (Math.abs(a) < 1e-6) return { x: (minX + maxX) / 2, y: (minY + maxY) / 2, w: 0, h: 0 };
  const fill = Math.min(1, Math.abs(a / 2) / Math.max(1, w * h));
  const shrink = Math.sqrt(fill);
  return { x: cx / (3 * a), y: cy / (3 * a), w: w * shrink, h: h * shrink };
}
