// Vietnamese formats for the wall: numbers as 1.234,5, dates dd/mm/yyyy, time in
// Asia/Ho_Chi_Minh whatever the kiosk's own time zone is set to.

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const numberFormats = new Map();

/** 1234.5 -> "1.234,5". `digits` fixes the number of decimals; by default up to 2. */
export function formatNumber(value, digits = null) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return '—';
  const key = digits === null ? 'auto' : digits;
  let fmt = numberFormats.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat('vi-VN', digits === null
      ? { maximumFractionDigits: 2 }
      : { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, fmt);
  }
  return fmt.format(Number(value));
}

/** Signed number: "+12,3" / "−4" (a true minus sign reads better at a distance). */
export function formatSigned(value, digits = null) {
  if (value === null || value === undefined) return '—';
  const text = formatNumber(Math.abs(value), digits);
  return (value < 0 ? '−' : '+') + text;
}

// formatToParts, not format(): the part order of a locale's pattern is not ours to trust.
const partsFormat = new Intl.DateTimeFormat('vi-VN', {
  timeZone: TIME_ZONE, hourCycle: 'h23',
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const weekdayFormat = new Intl.DateTimeFormat('vi-VN', { timeZone: TIME_ZONE, weekday: 'long' });

/** {day, month, year, hour, minute, second} as zero-padded strings, in Vietnam time. */
export function vnParts(ms) {
  const out = {};
  for (const p of partsFormat.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** "dd/mm/yyyy" in Vietnam time. */
export function formatDate(ms) {
  const p = vnParts(ms);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "HH:MM:SS" (or "HH:MM") in Vietnam time. */
export function formatTime(ms, seconds = true) {
  const p = vnParts(ms);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** "dd/mm/yyyy HH:MM:SS" in Vietnam time. */
export function formatDateTime(ms) {
  return `${formatDate(ms)} ${formatTime(ms)}`;
}

/** "Thứ Bảy" etc. */
export function formatWeekday(ms) {
  return weekdayFormat.format(new Date(ms));
}

/** A duration, compact and bilingual where the units differ: "45 s", "12 phút · min", "3 giờ 5 phút · 3 h 5 min". */
export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} phút · ${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} giờ ${m % 60} phút · ${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return `${d} ngày · ${d} d`;
}

/**
 * "(từ · since 10:02:03, 45 s)" for a state the wall notices (link lost, data delayed):
 * {sinceServer, sinceLocal}, the server-clock instant it began (shown as Vietnam time) and
 * the local monotonic ms the running count starts from.
 */
export function formatSince(state, seconds = true) {
  const ms = performance.now() - state.sinceLocal;
  return `(từ · since ${formatTime(state.sinceServer, seconds)}, ${formatDuration(ms)})`;
}

/**
 * Age of a value: {vi: "cập nhật 12 giây trước", en: "12 s ago"}; grows to minutes, hours, days.
 * With `seconds: false` a value under a minute old is "vừa cập nhật · just now", so the text
 * changes once a minute at most (a tile that measures its fit on each change).
 */
export function formatAge(ms, { seconds = true } = {}) {
  const s = Math.max(0, Math.floor(ms / 1000));
  let vi; let en;
  if (s < 60 && !seconds) return { vi: 'vừa cập nhật', en: 'just now' };
  if (s < 60) { vi = `${s} giây`; en = `${s} s`; }
  else if (s < 3600) { const m = Math.floor(s / 60); vi = `${m} phút`; en = `${m} min`; }
  else if (s < 172800) { const h = Math.floor(s / 3600); vi = `${h} giờ`; en = `${h} h`; }
  else { const d = Math.floor(s / 86400); vi = `${d} ngày`; en = `${d} d`; }
  return { vi: `cập nhật ${vi} trước`, en: `${en} ago` };
}

/** A time field from data: ms since the epoch, or an ISO string; null when absent or unreadable. */
export function toMs(value) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Primary/secondary text in the screen's language order (Vietnamese first unless lang is 'en'). */
export function bilingual(vi, en, lang = 'vi') {
  if (!en) return [vi || '', ''];
  if (!vi) return [en, ''];
  return lang === 'en' ? [en, vi] : [vi, en];
}
