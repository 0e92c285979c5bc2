/* sitmap timeline: the map of a day, drawn by the browser alone.

   Every feature of the situation's whole period is on the page, each with the span of
   days it is shown: _from/_until, epoch ms UTC, absent where there is no bound (made by
   sitmap.analysis.timeline.shown_spans_ms). The map of a day holds the features with
   _from <= cutoff < _until, where cutoff is the day's last whole second, 23:59:59 UTC
   (sitmap.analysis.timeline.day_cutoff_ms); labels (f/u) and accuracy shapes follow, and
   the events canvas shows the events from the range's first day to the cutoff.

   The control in the map's corner steps the range's last day back or on, or plays: one
   day per step, the first day kept, after the situation's last day from the first again
   (a play in a loop). A step is drawn at once, then reported to the page
   (through streamlit-folium's hook for tag-filter buttons) so its tables and URL follow.
   Each report has a number (seq); each rerun tells the map the range the page holds and
   the number of the last report it took (ViewScript), and the map keeps a range of its
   own that the page has not taken yet. A range the page changed itself (its slider)
   comes with a higher number, and the map takes it (and stops playing).

   API: window.sitmapTime
     attach(map, options)  options: first, last ("YYYY-MM-DD"), step_ms, texts
     fromPage(opts)        a rerun's view: cutoff_ms, since_ms, events_visible, seq
     step(days)            the last day one on (1) or back (-1); false when it cannot
     play(), stop(), playing()
     range()               {since, until: "YYYY-MM-DD", seq}
*/
(function () {
  "use strict";

  var DAY = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

  function dayMs(iso) {
    var p = String(iso).split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]);
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  /* "Wed 05 Nov 2025" */
  function shownDay(ms) {
    var d = new Date(ms), n = d.getUTCDate();
    return WEEKDAYS[d.getUTCDay()] + " " + (n < 10 ? "0" : "") + n + " " +
      MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  function cutoffOf(dayStart) {
    return dayStart + DAY - 1000;
  }

  function dated(layer) {
    var p = layer.feature && layer.feature.properties;
    return !!p && (p._from !== undefined || p._until !== undefined);
  }

  /* Whether something with span (from, until) is on the map at cutoff (epoch ms). */
  function inDay(from, until, cutoff) {
    return (from === undefined || from === null || from <= cutoff) &&
      (until === undefined || until === null || cutoff < until);
  }

  /* Show the features of the day and take the others off their groups (not hidden: off
     the map, so nothing of another day can be clicked, focused or counted). True when
     a feature came back, to be put in its drawing order again. */
  function showFeatures(map, cutoff) {
    var groups = [], added = false;
    map.eachLayer(function (layer) { if (layer instanceof L.GeoJSON) groups.push(layer); });
    groups.forEach(function (group) {
      if (!group._sitmapDated) group._sitmapDated = group.getLayers().filter(dated);
      group._sitmapDated.forEach(function (f) {
        var p = f.feature.properties, want = inDay(p._from, p._until, cutoff);
        var has = group.hasLayer(f);
        if (want && !has) {
          group.addLayer(f);
          added = true;
        } else if (!want && has) {
          group.removeLayer(f);
        }
      });
    });
    return added;
  }

  var state = {
    map: null, first: null, last: null, since: null, until: null, seq: 0,
    eventsVisible: true, timer: null, stepMs: 1000, texts: {}, box: null,
  };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function button(cls, text, label, onClick) {
    var b = el("button", text, cls);
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", function (e) { L.DomEvent.stop(e); onClick(); });
    return b;
  }

  function firstOf() {
    return state.since === null ? state.first : state.since;
  }

  /* The control: back, the day shown, on, play. */
  function control(map) {
    var t = state.texts, box = L.control({ position: "bottomleft" });
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "sitmap-time");
      div.setAttribute("role", "group");
      div.setAttribute("aria-label", t.group || "Timeline");
      state.back = button("sitmap-time-back", "\u25C0", t.back, function () { stopAnd(-1); });
      state.day = el("span", "", "sitmap-time-day");
      state.day.setAttribute("aria-live", "polite");
      state.next = button("sitmap-time-next", "\u25B6", t.next, function () { stopAnd(1); });
      state.playButton = button("sitmap-time-play", "", t.play, function () {
        if (state.timer) api.stop();
        else api.play();
      });
      [state.back, state.day, state.next, state.playButton].forEach(function (n) { div.appendChild(n); });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    box.addTo(map);
    state.box = box;
  }

  function stopAnd(days) {
    api.stop();
    api.step(days);
  }

  function render() {
    if (!state.day || state.until === null) return;
    var t = state.texts;
    state.day.textContent = (t.map_of ? t.map_of + " " : "") + shownDay(state.until);
    state.day.title = (t.events_from || "") + " " + shownDay(firstOf());
    state.back.disabled = state.until <= firstOf();
    var playing = !!state.timer;
    state.playButton.textContent = playing ? "\u25A0 " + (t.stop_short || "Stop") : "\u25B6\u25B6 " + (t.play_short || "Play");
    state.playButton.setAttribute("aria-label", playing ? t.stop : t.play);
    state.playButton.title = playing ? t.stop : t.play;
    state.playButton.setAttribute("aria-pressed", playing ? "true" : "false");
  }

  /* Draw the range: features, labels, events. */
  function apply() {
    var map = state.map;
    if (!map || state.until === null) return;
    var cutoff = cutoffOf(state.until);
    var added = showFeatures(map, cutoff);
    if (window.sitmapLabels && window.sitmapLabels.setDay) window.sitmapLabels.setDay(cutoff);
    if (window.sitmapEvents) window.sitmapEvents.setView(cutoff, state.eventsVisible, state.since);
    if (added && window.sitmapArrange) window.sitmapArrange(map);
    render();
    map.fire("sitmaptime", { cutoff: cutoff, seq: state.seq });
  }

  /* Tell the page (streamlit-folium sends the tags back as the map's selected_tags). */
  function report() {
    var hook = window.tag_filter_button_sitmap_time;
    var tags = ["seq=" + state.seq, "since=" + isoDay(firstOf()), "until=" + isoDay(state.until)];
    hook._selectedTags = tags;
    hook.options.onSelectionComplete.call(hook, tags);
  }

  /* streamlit-folium wraps onSelectionComplete of every window.tag_filter_button_* that
     has _selectedTags when the map is made; outside Streamlit (an offline map file) the
     report goes nowhere. */
  window.tag_filter_button_sitmap_time = {
    _selectedTags: [],
    options: { onSelectionComplete: function () {} },
  };

  var api = {
    attach: function (map, options) {
      state.map = map;
      state.first = dayMs(options.first);
      state.last = dayMs(options.last);
      state.stepMs = options.step_ms || state.stepMs;
      state.texts = options.texts || {};
      control(map);
      render();
    },

    fromPage: function (opts) {
      state.eventsVisible = !!opts.events_visible;
      var seq = opts.seq || 0;
      if (seq >= state.seq || state.until === null) {
        if (seq > state.seq) api.stop();
        state.seq = Math.max(seq, state.seq);
        state.until = opts.cutoff_ms - (DAY - 1000);
        state.since = opts.since_ms === null || opts.since_ms === undefined ? null : opts.since_ms;
      }
      apply();
    },

    step: function (days) {
      if (state.until === null) return false;
      var start = firstOf(), until;
      if (days > 0) until = state.until >= state.last ? start : state.until + DAY;
      else until = state.until - DAY;
      if (until < start) return false;
      state.until = until;
      state.seq += 1;
      apply();
      report();
      return true;
    },

    play: function () {
      if (state.timer) return;
      state.timer = window.setInterval(function () { api.step(1); }, state.stepMs);
      render();
    },

    stop: function () {
      if (!state.timer) return;
      window.clearInterval(state.timer);
      state.timer = null;
      render();
    },

    playing: function () {
      return !!state.timer;
    },

    range: function () {
      return {
        since: state.until === null ? null : isoDay(firstOf()),
        until: state.until === null ? null : isoDay(state.until),
        seq: state.seq,
      };
    },

    inDay: inDay,
  };

  window.sitmapTime = api;
})();
