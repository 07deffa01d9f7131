// Vietnam time from the server's clock (corrected for this screen's offset), so every
// screen on the wall shows the same second whatever its own clock or time zone says.

import { setText } from '../../common/dom.js';
import { registerTile } from '../tiles.js';
import { bilingual, formatDate, formatTime, formatWeekday } from '../format.js';

function draw(el, params, ctx) {
  const now = ctx.serverNow();
  setText(el.querySelector('.clock-time'), formatTime(now, params.seconds !== false));
  if (params.date !== false) {
    setText(el.querySelector('.clock-date'), `${formatWeekday(now)}, ${formatDate(now)}`);
  }
}

registerTile('clock', {
  create(el, params, ctx) {
    el.classList.add('clock');
    if (params.seconds === false) el.classList.add('no-seconds');
    const [primary, secondary] = bilingual(
      params.label_vi ?? 'Giờ Việt Nam', params.label_en ?? 'Vietnam time', ctx.lang);
    el.innerHTML = `
      <div class="clock-label"><span class="l-primary"></span><span class="l-secondary"></span></div>
      <div class="clock-time"></div>
      ${params.date === false ? '' : '<div class="clock-date"></div>'}`;
    el.querySelector('.l-primary').textContent = primary;
    el.querySelector('.l-secondary').textContent = secondary;
    draw(el, params, ctx);
  },
  update(el, data, params, ctx) {
    draw(el, params, ctx);
  },
  tick(el, data, params, ctx) {
    draw(el, params, ctx);
  },
});
