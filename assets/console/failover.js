// The console's watchdog for a wall with several servers (--server): when the page's Bokeh
// session loses its socket (its server was killed, hung or restarted), find a live server
// — this page's own first, then the others in the list's order — and open the console
// there. The person's session lives in the shared store: on the same host (another port)
// the session cookie goes along and the console opens signed in; on another host the
// browser has no cookie there, and the person signs in again.

import { Servers, answers } from '../wall/servers.js';

const RETRY_MS = 2000;

/** Watch every Bokeh document of this page; `notice` is an element to show the state in. */
export function watchSession(list, notice) {
  const servers = new Servers(list);
  let moving = false;
  let timer = null;
  let stopped = false;

  async function move() {
    if (stopped) return;
    notice.hidden = false;
    notice.textContent = 'Mất kết nối máy chủ — đang tìm máy chủ khác… · Server lost — looking for another server…';
    for (const origin of servers.order) {
      if (stopped) return;
      if (await answers(origin)) {
        notice.textContent = `Đang chuyển sang · Moving to ${origin}`;
        location.assign(new URL('/console', origin).href);
        return;
      }
    }
    timer = setTimeout(move, RETRY_MS);
  }

  const onLost = () => {
    if (moving) return;
    moving = true;
    console.warn('console: session socket lost; looking for a live server');
    move();
  };
  for (const doc of window.Bokeh?.documents ?? []) doc.on_event('connection_lost', onLost);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
