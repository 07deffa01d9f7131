// Embedding a Bokeh figure (a bokeh.embed.json_item) so that releasing it frees it all.
//
// BokehJS 3.9's PlotView adds an anonymous "resize" listener to window.visualViewport when
// it connects its signals and never removes it, so every figure ever embedded stays alive
// through that listener: views, canvases, shadow roots (found by the soak, `make soak`:
// about 1 MB and 250 DOM nodes per layout switch on a screen with a trend tile). Listeners
// that BokehJS adds to visualViewport while one figure is embedded are recorded and removed
// with the figure. Embeds run one at a time, so each listener is credited to its figure.

let queue = Promise.resolve();

/** Run ``task`` after every embed started before it has finished. */
function oneAtATime(task) {
  const run = queue.then(task, task);
  queue = run.then(() => {}, () => {});  // holds no figure: the queue outlives them all
  return run;
}

/** ``task()`` with every listener it adds to ``target`` recorded; returns [result, listeners]. */
async function recordingListeners(target, task) {
  if (!target) return [await task(), []];
  const added = [];
  const own = Object.prototype.hasOwnProperty.call(target, 'addEventListener');
  const original = target.addEventListener;
  target.addEventListener = function record(type, listener, options) {
    added.push([type, listener, options]);
    return original.call(this, type, listener, options);
  };
  try {
    return [await task(), added];
  } finally {
    if (own) target.addEventListener = original;
    else delete target.addEventListener;
  }
}

/**
 * Embed ``item`` into ``target``; resolves to a handle {views, doc, release()}. release()
 * removes the views, drops the Document from BokehJS's global list (which otherwise keeps
 * every Document ever made) and removes the viewport listeners the figure added.
 */
export function embedFigure(item, target) {
  const Bokeh = window.Bokeh;
  if (!Bokeh?.embed?.embed_item) return Promise.reject(new Error('BokehJS is not loaded on this page'));
  return oneAtATime(async () => {
    const viewport = window.visualViewport;
    const [views, listeners] = await recordingListeners(
      viewport, () => Bokeh.embed.embed_item(item, target));
    const doc = views.roots[0].model.document;
    let released = false;
    return {
      views,
      doc,
      release() {
        if (released) return;
        released = true;
        views.clear();
        const docs = window.Bokeh?.documents;
        const i = docs ? docs.indexOf(doc) : -1;
        if (i >= 0) docs.splice(i, 1);
        for (const [type, listener, options] of listeners) {
          viewport.removeEventListener(type, listener, options);
        }
        listeners.length = 0;
      },
    };
  });
}
