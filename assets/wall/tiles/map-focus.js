// The console's focus on the map: which provinces stay undimmed, the focus banner with its
// way back, and a click on a province in a console preview (which focuses the wall on the
// 34-unit province it lies in).

import { setText } from '../../common/dom.js';
import { bilingual } from '../format.js';
import { labelSpot } from './map-geo.js';

/** The focus banner ("Tập trung: …") and, in a console preview, its way back. */
export function drawFocusBanner(st) {
  const data = st.data || {};
  const lang = st.ctx.lang;
  const root = st.root;
  const focus = data.focus;
  const banner = root.querySelector('.m-focus');
  banner.hidden = !focus;
  if (focus) {
    const text = root.querySelector('.m-focus-text');
    setText(text, `${lang === 'en' ? 'Focus' : 'Tập trung'}: ${bilingual(focus.name_vi, focus.name_en, lang).filter(Boolean).join(' · ')}`);
    if (st.ctx.preview && st.ctx.onFocus && !banner.querySelector('button')) {
      const back = document.createElement('button');
      back.className = 'm-back';
      back.textContent = '← Cả nước · Whole country';
      back.addEventListener('click', (ev) => { ev.stopPropagation(); st.ctx.onFocus(null); });
      banner.append(back);
    }
  }
}

export function sameLand(feature, st) {
  // On the 63-unit map a focused 34-unit province covers several old units: the focus
  // outline shows it; the old units inside stay undimmed if their label point is inside.
  const focus = st.layers.p34.byCode.get(st.data.focus.code);
  if (st.layers.list === 'gso-34') return feature.props.code === focus.props.code;
  const spot = labelSpot(feature, { p: (lon, lat) => [lon, lat] });
  return pointInFeature(spot.x, spot.y, focus);
}

function pointInFeature(x, y, feature) {
  let inside = false;
  for (const poly of feature.polys) {
    for (const ring of poly) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

// ---- the console's click -------------------------------------------------------------------

export function attachClicks(st) {
  // Only a console preview whose person may focus (the console hands it onFocus).
  if (!st.ctx.preview || !st.ctx.onFocus || st.params.focusable === false) return;
  st.svgEl.onclick = (ev) => {
    const path = ev.target.closest?.('path[data-code]');
    if (!path) return;
    let code = path.dataset.code;
    if (st.layers.list !== 'gso-34') {
      // An old unit: focus the 34-unit province its label point falls in.
      const f = st.layers.provinces.byCode.get(code);
      const spot = labelSpot(f, { p: (lon, lat) => [lon, lat] });
      const hit = st.layers.p34.features.find((p) => pointInFeature(spot.x, spot.y, p));
      if (!hit) return;
      code = hit.props.code;
    }
    st.ctx.onFocus(code);
  };
}
