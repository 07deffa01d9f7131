// Where a replay reads the wall's past: the history API (the replay page), or the data an
// exported HTML file carries inline (no server). Both answer the same three questions:
//   at(t)            -> {oldest, screens: {id: {messages: [...]}}}  the state at t
//   events(from, to) -> {events: [{t, screen, message}], truncated}  what was sent in (from, to]
//   marks(from, to)  -> {marks: [{t, kind, label_vi, label_en, screen}]}
// Times are epoch ms here; the API speaks ISO 8601 (Vietnam time).

const VN_OFFSET_MS = 7 * 3600 * 1000;

/** Epoch ms as ISO 8601 in Vietnam time (+07:00), to the millisecond when it has one. */
export function isoVn(ms) {
  const text = new Date(Math.round(ms) + VN_OFFSET_MS).toISOString().replace('Z', '+07:00');
  return text.replace('.000+', '+');
}

/** "dd/mm/yyyy HH:MM:SS" in Vietnam time. */
export function shownVn(ms) {
  const [date, time] = new Date(Math.round(ms) + VN_OFFSET_MS).toISOString().split('T');
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y} ${time.slice(0, 8)}`;
}

export function toMs(value) {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Date.parse(value);
}

async function getJson(url) {
  const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const err = new Error(body?.error?.message ?? `${r.status} ${url}`);
    err.status = r.status;
    throw err;
  }
  return body;
}

/** The history API of this server; `screen` narrows every answer to one screen. */
export function apiSource(screen) {
  const only = screen ? `&screen=${encodeURIComponent(screen)}` : '';
  const span = (from, to) => `from=${encodeURIComponent(isoVn(from))}&to=${encodeURIComponent(isoVn(to))}`;
  return {
    offline: false,
    at: (t) => getJson(`/api/v1/history?at=${encodeURIComponent(isoVn(t))}${only}`),
    events: (from, to) => getJson(`/api/v1/history/events?${span(from, to)}${only}`),
    marks: (from, to) => getJson(`/api/v1/history/marks?${span(from, to)}`),
    recordings: (from, to) => getJson(`/api/v1/recordings?${span(from, to)}`),
  };
}

/**
 * An exported span: `data` = {from, to, state (the history answer at `from`), events, marks}.
 * The state at t is the state at `from` followed by every event up to t.
 */
export function inlineSource(data) {
  const from = toMs(data.from);
  const events = data.events.map((e) => ({ ...e, t: toMs(e.t) }));
  return {
    offline: true,
    range: { from, to: toMs(data.to) },
    async at(t) {
      const screens = {};
      for (const [id, s] of Object.entries(data.state.screens)) {
        screens[id] = { ...s, messages: [...s.messages] };
      }
      for (const e of events) {
        if (e.t > t) break;
        if (e.t > from) screens[e.screen]?.messages.push(e.message);
      }
      return { at: isoVn(t), oldest: data.from, screens };
    },
    async events(a, b) {
      return { events: events.filter((e) => e.t > a && e.t <= b), truncated: false };
    },
    async marks() {
      return { marks: data.marks };
    },
    recordings: null,
  };
}
