// The indicator tiles' stylesheet (indicator, indicator-group, ranking, trend,
// reporting-status), sized from the wall's legibility rule. Injected once into whichever
// root holds the tile (the document, or Panel's shadow root), so the shared wall
// stylesheet stays the wall's own.

const roots = new WeakSet();

export function ensureStyles(el) {
  const root = el.getRootNode();
  const holder = root instanceof ShadowRoot ? root : document.head;
  if (roots.has(holder)) return;
  roots.add(holder);
  const style = document.createElement('style');
  style.dataset.wall = 'indicator-tiles';
  style.textContent = CSS;
  holder.append(style);
}

const CSS = `
/* Type: every size is max(the wall's rule, a size relative to the tile). --min-text and
   --min-value come from the wall's legibility rule (screen.js, layouts/legibility.py);
   a wall without a rule leaves them unset and the relative sizes stand alone. */
.ind { --ok: #3ddc84; --warning: #ffb000; --alarm: #ff4d4f; --neutral: #f2f5fa;
  --late: #ff6b3d; --mt: var(--min-text, 0px); --mv: var(--min-value, 0px);
  position: absolute; inset: 0; overflow: hidden; }
.ind .is-dropped { display: none !important; }
.ind .ind-s { margin-left: 0.5em; color: var(--fg-dim); font-weight: 400; font-size: max(var(--mt), 0.8em); }
.st-ok { color: var(--ok); } .st-warning { color: var(--warning); }
.st-alarm { color: var(--alarm); } .st-neutral { color: var(--neutral); }
/* Late is a warning, not a disabled state: the mark in the late colour, the value kept bright. */
.ind .late-badge { display: inline-block; padding: 0.05em 0.45em; border-radius: 0.2em;
  background: var(--late); color: #000; font-weight: 800; white-space: nowrap; }
.ind .late-badge[hidden] { display: none; }
.ind .illus { color: var(--fg-dim); font-style: italic; }
svg .spark-line { fill: none; stroke: #8fb8ff; stroke-width: 3; vector-effect: non-scaling-stroke;
  stroke-linejoin: round; stroke-linecap: round; }
svg .spark-target { stroke: var(--accent, #ffd34d); stroke-width: 1; stroke-dasharray: 3 2;
  vector-effect: non-scaling-stroke; }
svg .spark-dot { stroke-width: 12; stroke-linecap: round; vector-effect: non-scaling-stroke; }
svg .spark-dot.st-ok { stroke: var(--ok); } svg .spark-dot.st-warning { stroke: var(--warning); }
svg .spark-dot.st-alarm { stroke: var(--alarm); } svg .spark-dot.st-neutral { stroke: #f2f5fa; }

/* ---- indicator ---- */
.ind-one { display: flex; flex-direction: column; padding: 2.5cqh 3cqw 0; gap: 1.2cqh; }
.ind-one > * { flex: none; }
.ind-one .ind-name { font-size: max(var(--mt), min(8cqh, 4.6cqw)); font-weight: 700; line-height: 1.15; }
.ind-one .ind-name-2 { font-size: max(var(--mt), min(5.5cqh, 3.2cqw)); color: var(--fg-dim);
  margin-top: -0.8cqh; }
.ind-one .ind-area { font-size: max(var(--mt), min(6cqh, 3.4cqw)); color: var(--accent); }
.ind-one .ind-area:empty { display: none; }
.ind-one .ind-main { display: flex; align-items: baseline; column-gap: 0.5em; row-gap: 1.5cqh; flex-wrap: wrap; }
.ind-one .ind-value { font-size: max(var(--mv), min(26cqh, 15cqw)); font-weight: 800; line-height: 1.1; }
.ind-one .ind-unit { font-size: max(var(--mt), min(8cqh, 4.5cqw)); color: var(--fg-dim); }
.ind-one .ind-sub { display: flex; align-items: baseline; column-gap: 0.8em; flex-wrap: wrap;
  font-size: max(var(--mt), min(7cqh, 4cqw)); }
.ind-one .ind-change { color: var(--fg-dim); }
.ind-one .ind-change:empty, .ind-one .ind-status:empty { display: none; }
.ind-one .ind-status { font-weight: 700; }
.ind-one .ind-target { font-size: max(var(--mt), min(6.5cqh, 3.6cqw)); display: flex; flex-wrap: wrap;
  column-gap: 0.5em; align-items: baseline; }
.ind-one .ind-target > * { white-space: nowrap; }
.ind-one .ind-target .lbl { color: var(--fg-dim); }
.ind-one .ind-by { font-size: max(var(--mt), min(5cqh, 2.9cqw)); color: var(--fg-dim); }
.ind-one .ind-by:empty { display: none; }
.ind-one .ind-bar { height: 1.6cqh; background: #1d2a40; border-radius: 1cqh; overflow: hidden; }
.ind-one .ind-bar > div { height: 100%; background: currentColor; }
.ind-one .ind-spark-box { flex: 1 1 auto; min-height: 0; display: flex; }
.ind-one .ind-spark { flex: 1 1 auto; min-height: 8cqh; width: 100%; }
.ind-one .ind-foot { font-size: max(var(--mt), min(5.5cqh, 3.1cqw)); color: var(--fg);
  padding-bottom: max(calc(var(--mt) * 1.4), 6.5cqh);
  display: flex; column-gap: 0.8em; flex-wrap: wrap; align-items: baseline; }
.ind-one .ind-foot .agency { color: var(--fg-dim); }
.ind-one.is-late { box-shadow: inset 0 0 0 0.4em var(--late); }
.ind-one .ind-late { font-size: max(var(--mt), min(6cqh, 3.4cqw)); white-space: normal; }
.ind-one .ind-nodata { font-size: max(var(--mt), min(12cqh, 6cqw)); color: var(--fg-dim); }

/* ---- indicator-group ---- */
.ind-group { display: grid; gap: 0.8cqh 1.2cqw; padding: 1.2cqh 1.2cqw max(calc(var(--mt) * 1.4), 7cqh);
  grid-auto-rows: minmax(0, 1fr); }
.ind-group .g-item { display: flex; flex-direction: column; justify-content: space-between;
  padding: 0.6cqh 1cqw; background: #0f1826; border-left: 0.6cqw solid #2a4a7a;
  container-type: size; overflow: hidden; min-height: 0; }
.ind-group .g-item > * { flex: none; }
.ind-group .g-item.st-border-ok { border-left-color: var(--ok); }
.ind-group .g-item.st-border-warning { border-left-color: var(--warning); }
.ind-group .g-item.st-border-alarm { border-left-color: var(--alarm); }
/* Each late item marked on itself: the group's frame can only show its oldest age. */
.ind-group .g-item.is-late { box-shadow: inset 0 0 0 0.25em var(--late); border-left-color: var(--late); }
.ind-group .g-head { display: flex; align-items: baseline; column-gap: 0.5em; flex-wrap: wrap; }
.ind-group .g-name { font-size: max(var(--mt), min(13cqh, 4.4cqw)); font-weight: 700; line-height: 1.15; }
.ind-group .g-row { display: flex; align-items: center; column-gap: 1cqw; flex: 1 1 auto; min-height: 0; }
.ind-group .g-value { white-space: nowrap; flex: none; }
.ind-group .g-value .v { font-size: max(var(--mv), min(42cqh, 14cqw)); font-weight: 800; line-height: 1.1; }
.ind-group .g-value .u { font-size: max(var(--mt), min(15cqh, 5cqw)); color: var(--fg-dim); margin-left: 0.3em; }
.ind-group .g-spark { flex: 1 1 0; min-width: 0; height: 100%; min-height: 0; align-self: stretch; }
.ind-group .g-meta { font-size: max(var(--mt), min(13cqh, 4.2cqw)); color: var(--fg-dim);
  display: flex; column-gap: 0.6em; flex-wrap: wrap; align-items: baseline; }
.ind-group .g-meta .txt { white-space: nowrap; }
.ind-group .g-meta .txt:empty { display: none; }
.ind-group .g-item .late-badge { font-size: max(var(--mt), min(13cqh, 4.2cqw)); }

/* ---- ranking ---- */
.ind-rank { display: flex; flex-direction: column; padding: 1.5cqh 2cqw max(calc(var(--mt) * 1.4), 7cqh); gap: 1cqh; }
.ind-rank .r-head { font-size: max(var(--mt), min(6.5cqh, 3.2cqw)); font-weight: 700; }
.ind-rank .r-sub { font-size: max(var(--mt), min(5cqh, 2.6cqw)); color: var(--fg-dim); display: flex; column-gap: 1em;
  flex-wrap: wrap; align-items: baseline; }
.ind-rank .r-cols { flex: 1 1 auto; display: grid; grid-auto-flow: column; grid-auto-columns: 1fr;
  gap: 2cqw; min-height: 0; }
.ind-rank .r-col { display: flex; flex-direction: column; min-height: 0; }
.ind-rank .r-col h3 { margin: 0 0 0.6cqh; font-size: max(var(--mt), min(5.5cqh, 2.8cqw)); }
.ind-rank .r-col.best h3 { color: var(--ok); } .ind-rank .r-col.worst h3 { color: var(--alarm); }
.ind-rank .r-rows { flex: 1 1 auto; display: grid; grid-auto-rows: 1fr; gap: 0.6cqh; min-height: 0; }
.ind-rank .r-row { display: grid; grid-template-columns: auto 1fr auto; align-items: center;
  gap: 0.4em; font-size: max(var(--mt), min(6cqh, 2.9cqw)); position: relative; padding: 0 0.3em; min-height: 0; }
.ind-rank .r-row .bar { position: absolute; left: 0; top: 12%; bottom: 12%; background: #1b3156;
  z-index: 0; border-radius: 0.2em; }
.ind-rank .r-col.worst .r-row .bar { background: #3e1f27; }
.ind-rank .r-row > span { position: relative; z-index: 1; white-space: nowrap; }
.ind-rank .r-row .rk { color: var(--fg-dim); text-align: right; min-width: 1.6em; }
.ind-rank .r-row .val { font-weight: 800; }
.ind-rank.is-late { box-shadow: inset 0 0 0 0.3em var(--late); }

/* ---- trend ---- */
.ind-trend { display: flex; flex-direction: column; padding: 1.5cqh 2cqw max(calc(var(--mt) * 1.4), 7cqh); }
.ind-trend .t-head { display: flex; align-items: baseline; column-gap: 0.6em; flex-wrap: wrap; }
.ind-trend .t-name { font-size: max(var(--mt), min(6.5cqh, 3.2cqw)); font-weight: 700; }
.ind-trend .t-value { font-size: max(var(--mv), min(11cqh, 5.5cqw)); font-weight: 800; }
.ind-trend .t-unit { font-size: max(var(--mt), min(5cqh, 2.6cqw)); color: var(--fg-dim); }
.ind-trend .late-badge { font-size: max(var(--mt), min(5cqh, 2.6cqw)); }
.ind-trend .t-att { font-size: max(var(--mt), min(5cqh, 2.6cqw)); font-weight: 700; min-height: 1.2em; }
.ind-trend .t-chart { flex: 1 1 auto; min-height: 0; width: 100%; position: relative; }
.ind-trend .t-bokeh { position: absolute; inset: 0; }

/* ---- reporting status ---- */
.ind-report { display: flex; flex-direction: column; padding: 1.2cqh 1.5cqw max(calc(var(--mt) * 1.4), 7cqh); gap: 1cqh; }
.ind-report .s-sum { font-size: max(var(--mt), min(4.8cqh, 2.4cqw)); display: flex; column-gap: 1.2em; flex-wrap: wrap;
  align-items: baseline; }
.ind-report .s-sum b { font-size: 1.3em; }
.ind-report .s-body { flex: 1 1 auto; display: flex; gap: 1.5cqw; min-height: 0;
  font-size: max(var(--mt), min(3.6cqh, 1.8cqw)); }
.ind-report table { border-collapse: collapse; width: 100%; }
/* The table takes what the overdue list (sized to its names, whole) leaves. */
.ind-report .s-table { flex: 1 1 0; min-width: 0; overflow: hidden; }
.ind-report .s-who { flex: 0 1 auto; max-width: 36%; overflow: hidden; }
.ind-report th { text-align: left; font-weight: 700; color: var(--fg-dim); border-bottom: 2px solid #2a4a7a;
  padding: 0.2em 0.3em; white-space: nowrap; }
.ind-report td { padding: 0.15em 0.3em; border-bottom: 1px solid #1b2638; white-space: nowrap; }
.ind-report td.name { white-space: normal; width: 100%; }
.ind-report tr.overdue td.state { color: var(--late); font-weight: 800; }
.ind-report tr.late td.state { color: var(--warning); }
.ind-report tr.complete td.state { color: var(--ok); }
.ind-report td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ind-report h3 { margin: 0 0 0.4em; color: var(--late); font-size: 1.05em; }
.ind-report .s-who li { list-style: none; padding: 0.15em 0; border-bottom: 1px solid #1b2638;
  display: flex; flex-wrap: wrap; justify-content: space-between; column-gap: 0.5em; }
.ind-report .s-who ul { margin: 0; padding: 0; }
.ind-report .s-who li span:last-child { color: var(--late); font-weight: 700; white-space: nowrap; margin-left: auto; }
.ind-report .s-more { color: var(--fg-dim); }
.ind-report .s-more:empty { display: none; }
`;
