// The replay page (/replay, and the exported HTML file): the wall as it was, drawn by the
// kiosks' own renderer (../wall/screen.js in replay mode) from what the history kept.
// The whole wall as a miniature (each screen at its place) or one screen full-size; the
// PHÁT LẠI · REPLAY badge always shows the replayed time; the URL follows the position.
// window.wallReplay: the state, for tests and the PNG export (data-replay-ready on <body>).

import { mountScreen } from '../wall/screen.js';
import { Player } from './player.js';
import { RecordingsPanel } from './recordings.js';
import { apiSource, inlineSource, isoVn, shownVn, toMs } from './source.js';
import { Timeline } from './timeline.js';

const DAY_MS = 24 * 3600 * 1000;
const URL_EVERY_MS = 1000;
const RANGE_EVERY_MS = 60_000;

function mountWall(box, config, only, player) {
  const screens = {};
  const infos = config.screens.filter((s) => !only || s.id === only);
  const frame = document.createElement('div');
  frame.className = only ? 'replay-one' : 'replay-miniature';
  box.append(frame);
  if (!only) {
    // As wide as the box allows and never taller than it: the whole wall always in view.
    frame.style.aspectRatio = `${config.wall_width} / ${config.wall_height}`;
    const fit = () => {
      const byHeight = (box.clientHeight * config.wall_width) / config.wall_height;
      frame.style.width = `${Math.min(box.clientWidth, byHeight)}px`;
    };
    new ResizeObserver(fit).observe(box);
    fit();
  }
  for (const info of infos) {
    const place = document.createElement('div');
    place.className = 'replay-screen';
    place.dataset.screen = info.id;
    if (!only) {
      const v = info.viewport;
      place.style.left = `${(100 * v.x) / config.wall_width}%`;
      place.style.top = `${(100 * v.y) / config.wall_height}%`;
      place.style.width = `${(100 * v.w) / config.wall_width}%`;
      place.style.height = `${(100 * v.h) / config.wall_height}%`;
    }
    const inner = document.createElement('div');
    inner.className = 'replay-screen-inner';
    place.append(inner);
    frame.append(place);
    const handle = mountScreen(inner, {
      screenId: info.id, token: '', wsUrl: null, preview: !only, replay: { now: () => player.t },
    });
    screens[info.id] = { handle, info };
  }
  return screens;
}

function followUrl(config, player) {
  if (config.offline) return;
  let last = 0;
  player.listen((kind) => {
    const now = performance.now();
    if (kind === 'tick' && now - last < URL_EVERY_MS) return;
    last = now;
    const q = new URLSearchParams(location.search);
    q.set('at', isoVn(player.t));
    history.replaceState(null, '', `${location.pathname}?${q}`);
  });
}

function keyboard(player, timeline) {
  document.addEventListener('keydown', (ev) => {
    if (ev.target instanceof HTMLInputElement && ev.target.type !== 'range') return;
    if (ev.key === ' ' && !(ev.target instanceof HTMLButtonElement)) {
      ev.preventDefault();
      timeline.toggle();
    } else if ((ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') && !(ev.target instanceof HTMLInputElement)) {
      ev.preventDefault();
      timeline.jump((ev.key === 'ArrowLeft' ? -1 : 1) * (ev.shiftKey ? 600_000 : 10_000));
    } else if (['1', '2', '3'].includes(ev.key)) {
      player.play([1, 10, 60][Number(ev.key) - 1]);
    }
  });
}

export async function startReplay(config) {
  const only = config.screen || null;
  const source = config.data ? inlineSource(config.data) : apiSource(only);
  const player = new Player(source, {});
  const box = document.querySelector('.replay-wall');
  player.screens = mountWall(box, config, only, player);
  const badgeTime = document.querySelector('.replay-time');
  player.listen(() => {
    badgeTime.textContent = shownVn(player.t);
    badgeTime.dateTime = isoVn(player.t);
  });
  const now = Date.now();
  const start = source.range?.from ?? toMs(config.at) ?? now;
  await Promise.all(Object.values(player.screens).map((s) => s.handle.ready));
  await player.seek(start);
  const oldest = toMs(player.oldest);
  const range = source.range ?? { from: Math.min(oldest ?? now - DAY_MS, start), to: Math.max(now, start) };
  if (!config.picture) {
    const timeline = new Timeline(document.querySelector('.replay-timeline'), player, range);
    const marks = () => source.marks(range.from, range.to)
      .then((m) => timeline.setMarks(m.marks ?? []))
      .catch((err) => console.error('replay: marks', err));
    marks();
    if (!source.range) {
      // The wall goes on: the range (and its marks) reach the present again now and then.
      setInterval(() => {
        range.to = Date.now();
        timeline.setRange(range);
        marks();
      }, RANGE_EVERY_MS);
    }
    keyboard(player, timeline);
    if (config.recordings && source.recordings) {
      new RecordingsPanel(document.querySelector('.replay-recordings'), source, player).follow('seeked');
    }
  } else {
    player.limit = range;
  }
  followUrl(config, player);
  window.wallReplay = {
    player,
    t: () => player.t,
    playing: () => player.playing,
    seek: (t) => player.seek(toMs(t)),
    range,
  };
  document.body.dataset.replayReady = '1';
  return player;
}

const element = document.getElementById('replay-config');
if (element) {
  startReplay(JSON.parse(element.textContent)).catch((err) => {
    console.error('replay: failed', err);
    const band = document.createElement('div');
    band.className = 'replay-error';
    band.setAttribute('role', 'alert');
    band.textContent = `Không phát lại được · Replay failed: ${err?.message ?? err}`;
    document.body.append(band);
    document.body.dataset.replayReady = 'error';
  });
}
