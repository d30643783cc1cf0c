// Measures the lab page's update cost from inside the browser: loaded before the page's
// own script (Playwright's addInitScript), it wraps the `onmessage` the page sets on its
// EventSource (and the listeners of named events), so each event from the collector is timed (parse + draw, performance.now())
// and the DOM changes it made are counted from a MutationObserver's records, taken right
// after the handler (so only that event's changes, not the once-a-second heard ticker's).
// Long tasks come from a PerformanceObserver. Shared by test/lab/page.test.ts and
// bench/lab-page.mjs (which loads it from dist/test/helpers).

/** One event the page handled. */
export interface ProbeEvent {
  /** 'message' (a whole view) or the event's name ('heard') */
  kind: string;
  /** Date.now() when the handler returned */
  at: number;
  /** time in the handler: JSON.parse and the page's draw */
  ms: number;
  /** length of the event's data (the view's JSON) */
  bytes: number;
  /** nodes inserted, counting every descendant of an inserted subtree */
  added: number;
  removed: number;
  /** attribute changes */
  attributes: number;
  /** the `data-state` of the element `watch` selects, read after the handler */
  watched: string | null;
}

export interface ProbeLongTask {
  at: number;
  ms: number;
}

/** What `window.__lsoeProbe` holds (read it with page.evaluate). */
export interface ProbeState {
  events: ProbeEvent[];
  longTasks: ProbeLongTask[];
  /** a selector whose element's data-state each event records */
  watch: string | null;
  /** times the event stream opened (more than once: the page reconnected, e.g. dropped for falling behind) */
  opens: number;
}

/** Plain ES2017, run in the page before its own script. */
export const PAGE_PROBE_SCRIPT = String.raw`
(function () {
  var probe = window.__lsoeProbe = { events: [], longTasks: [], watch: null, opens: 0 };
  var observer = new MutationObserver(function () {});
  var observing = false;
  function size(nodes) {
    var n = 0;
    for (var i = 0; i < nodes.length; i++) n += 1 + (nodes[i].getElementsByTagName ? nodes[i].getElementsByTagName('*').length : 0);
    return n;
  }
  function timed(kind, handler) {
    return function (e) {
      if (!observing) {
        observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
        observing = true;
      }
      observer.takeRecords();
      var t0 = performance.now();
      try {
        return handler.call(this, e);
      } finally {
        var ms = performance.now() - t0;
        var added = 0, removed = 0, attributes = 0;
        observer.takeRecords().forEach(function (m) {
          if (m.type === 'attributes') attributes++;
          else if (m.type === 'childList') { added += size(m.addedNodes); removed += m.removedNodes.length; }
        });
        var w = probe.watch ? document.querySelector(probe.watch) : null;
        probe.events.push({ kind: kind, at: Date.now(), ms: ms, bytes: e.data.length, added: added, removed: removed,
          attributes: attributes, watched: w ? w.getAttribute('data-state') : null });
      }
    };
  }
  var own = Object.getOwnPropertyDescriptor(EventSource.prototype, 'onmessage');
  Object.defineProperty(EventSource.prototype, 'onmessage', {
    configurable: true,
    get: function () { return own.get.call(this); },
    set: function (handler) {
      this.addEventListener('open', function () { probe.opens++; });
      own.set.call(this, timed('message', handler));
    }
  });
  // named events (the collector's "heard")
  var add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    return add.call(this, type, type === 'open' || type === 'error' ? listener : timed(type, listener), options);
  };
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (t) { probe.longTasks.push({ at: performance.timeOrigin + t.startTime, ms: t.duration }); });
    }).observe({ type: 'longtask', buffered: true });
  } catch (err) { /* no long-task timing in this browser */ }
})();
`;
