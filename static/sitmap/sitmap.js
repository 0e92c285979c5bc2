/* sitmap's own browser code, loaded after leaflet.js.
 *
 * 1. Clicking a map that is partly scrolled out of view must not scroll the page: Leaflet
 *    focuses the map container on mousedown (keyboard navigation), the browser scrolls the
 *    page to show it, and the click lands on whatever moved under the pointer. Focus
 *    without scrolling instead.
 *
 * 2. SitmapPoints: many points (events) on one canvas, filtered by date, with safe popups.
 *
 * Data arrives once, as compact columns from Python (sitmap.mapview.eventspayload,
 * version 3): x/y are lon/lat in millionths of a degree minus x0/y0, t is epoch seconds
 * (UTC) minus t0, popup columns are {v: [one value]}, {v: table, i: codes} or {a: values},
 * src codes index the source texts, claims map a row to its claims. Every string is
 * placed with textContent, never as HTML. Positions are projected once (zoom 0); a
 * redraw after each move or zoom is one multiply-add per point and one canvas fill, so
 * 100,000 points cost a few tens of milliseconds rather than 100,000 DOM nodes.
 */
(function () {
  "use strict";

  /* A click on the map focuses it without scrolling the page (Leaflet's own focus
     scrolls the map into view, which moves it under the mouse: the click is lost). */
  var leafletMouseDown = L.Map.Keyboard ? L.Map.Keyboard.prototype._onMouseDown : null;
  if (L.Map.Keyboard) {
    L.Map.Keyboard.prototype._onMouseDown = function () {
      if (this._focused) return;
      this._map._container.focus({ preventScroll: true });
    };
  }

  /* The same for a map made before this script ran (it travels inside the map's own
     script): swap the listener its keyboard handler bound when it was made. */
  function focusWithoutScrolling(map) {
    var keyboard = map.keyboard;
    if (!keyboard || !keyboard.enabled() || !leafletMouseDown) return;
    L.DomEvent.off(map._container, "mousedown", leafletMouseDown, keyboard);
    L.DomEvent.on(map._container, "mousedown", keyboard._onMouseDown, keyboard);
  }

  /* Escaped HTML text (a feature's name, escaped in Python) back to plain text, parsed
     inert (DOMParser runs no script and loads nothing), then placed with textContent. */
  function textOf(escaped) {
    if (!escaped) return "";
    return new DOMParser().parseFromString(String(escaped), "text/html").documentElement.textContent;
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  /* Shared with a11y.js, which runs after this file. */
  window.sitmapDom = { textOf: textOf, el: el };

  function row(table, label, value) {
    var tr = el("tr");
    tr.appendChild(el("th", label));
    var td = el("td", value);
    td.dir = "auto";
    tr.appendChild(td);
    table.appendChild(tr);
  }

  /* A column accessor: i -> value, for the three encodings of events_payload. */
  function column(c) {
    if (!c) return function () { return undefined; };
    if (c.a) return function (i) { return c.a[i]; };
    if (c.i) return function (i) { return c.v[c.i[i]]; };
    return function () { return c.v[0]; };
  }

  /* "#rrggbb" -> [r, g, b] (0-255). */
  function parseColour(hex) {
    var v = parseInt(hex.replace("#", ""), 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }

  /* base64 text of zlib-deflated UTF-8 JSON -> Promise of the parsed value. */
  function inflateJSON(base64) {
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser cannot inflate data (no DecompressionStream)"));
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  var DENSE = 10000; /* more points than this in view: drawn as a density image */

  /* How far the controls of one side reach into the map (px): the zoom, draw and
     fullscreen buttons at the top left; the disclaimer, scale and events list along the
     bottom. (The legend, top right, folds to make way, labels.js legendMakesWay, and a
     popup stays below it folded.) */
  function controlsReach(map, corner, axis) {
    var box = map && map.getContainer().querySelector(".leaflet-" + corner);
    if (!box || !box.children.length || !laidOut(box)) return 0;
    var r = box.getBoundingClientRect();
    return Math.ceil(axis === "x" ? r.width : r.height);
  }

  /* Whether Leaflet's style sheet has placed the map's controls yet: before it has, they
     lie in the page's flow, as wide as the map and one under another. */
  function laidOut(corner) {
    return getComputedStyle(corner).position === "absolute";
  }

  /* How far down the legend reaches when folded (px): a popup stays below it. */
  function foldedLegendReach(map) {
    var summary = map && map.getContainer().querySelector(".sitmap-legend summary");
    var corner = summary && summary.closest(".leaflet-top");
    if (!corner || !laidOut(corner)) return 0;
    return Math.ceil(summary.getBoundingClientRect().bottom -
                     map.getContainer().getBoundingClientRect().top);
  }

  /* Where a popup may not come to rest (px from each side): clear of the controls. */
  function popupPadding(map) {
    var bottom = Math.max(controlsReach(map, "bottom.leaflet-left", "y"),
                          controlsReach(map, "bottom.leaflet-right", "y"));
    var size = map ? map.getSize() : { x: 0, y: 0 };
    /* never more than a third of the map: a popup must still fit */
    var most = function (px, side) { return Math.min(Math.max(12, px + 4), Math.floor(side / 3)); };
    return {
      autoPanPaddingTopLeft: [most(controlsReach(map, "top.leaflet-left", "x"), size.x),
                              most(foldedLegendReach(map), size.y)],
      autoPanPaddingBottomRight: [12, most(bottom, size.y)],
    };
  }

  /* Popup options that keep a popup inside a small map and clear of its controls. */
  function popupOptions(map) {
    var size = map ? map.getSize() : { x: 1000, y: 800 };
    var width = Math.max(160, Math.min(440, size.x - 110)); /* 40 px of frame around it */
    var padding = popupPadding(map);
    var free = size.y - padding.autoPanPaddingTopLeft[1] - padding.autoPanPaddingBottomRight[1];
    return L.extend({
      maxWidth: width,
      minWidth: Math.min(260, width),
      maxHeight: Math.max(140, Math.min(340, free - 60)), /* 60: title, tip and frame */
      keepInView: true,
    }, padding);
  }
  window.sitmapPopupOptions = popupOptions;

  /* Every pan that brings a popup into view measures the controls as they are then (a
     popup bound before the map was laid out, a control that has grown). */
  var adjustPan = L.Popup.prototype._adjustPan;
  L.Popup.prototype._adjustPan = function () {
    if (this._map) L.setOptions(this, popupPadding(this._map));
    return adjustPan.apply(this, arguments);
  };

  /* Any popup that opens (features' too) is sized to the map it opens on. */
  function fitPopup(ev) {
    var popup = ev.popup, fitted = popupOptions(this);
    if (popup.options.maxWidth === fitted.maxWidth && popup.options.maxHeight === fitted.maxHeight) return;
    L.setOptions(popup, fitted);
    popup.update();
    if (popup._adjustPan) popup._adjustPan(); /* pan again for the new size */
  }

  /* Draw smaller areas above larger ones (so the tunnel enclave is clickable inside
     Jenina), then lines, then points: reorders the vector paths already on the map. */
  function arrange(map) {
    var areas = [], lines = [], points = [];
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.Path) || !layer._path) return;
      if (layer instanceof L.CircleMarker) points.push(layer);
      else if (layer instanceof L.Polygon) {
        var b = layer.getBounds();
        areas.push([(b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest()), layer]);
      } else lines.push(layer);
    });
    areas.sort(function (a, b) { return b[0] - a[0]; });
    areas.forEach(function (a) { a[1].bringToFront(); });
    lines.forEach(function (l) { l.bringToFront(); });
    points.forEach(function (p) { p.bringToFront(); });
  }

  /* Zoom to the feature or event with this id and open its popup; false when absent. */
  function focus(map, id) {
    var found = null, group = [];
    map.eachLayer(function (layer) {
      var p = layer.feature && layer.feature.properties;
      if (p && p._layer === id && (layer.getBounds || layer.getLatLng)) group.push(layer);
    });
    if (group.length) {
      map.fitBounds(L.featureGroup(group).getBounds(), { maxZoom: 15, padding: [40, 40], animate: false });
      return true;
    }
    map.eachLayer(function (layer) {
      if (found || !layer.feature || !layer.feature.properties) return;
      if (layer.feature.properties._id === id && layer.getPopup && layer.getPopup()) found = layer;
    });
    if (found) {
      /* no animation: the popup then pans itself into view on a small screen */
      if (found.getBounds) map.fitBounds(found.getBounds(), { maxZoom: 15, padding: [40, 40], animate: false });
      else if (found.getLatLng) map.setView(found.getLatLng(), Math.max(map.getZoom(), 14), { animate: false });
      found.openPopup();
      return true;
    }
    var events = window.sitmapEvents;
    var i = events ? events.indexOf(id) : -1;
    if (i < 0) return false;
    map.setView([events._lat[i], events._lon[i]], Math.max(map.getZoom(), 14), { animate: false });
    events.openPopup(i);
    return true;
  }

  /* The legend's rows are switches: a click (or Enter, Space) hides what a row stands
     for, its features, their labels or the events, and a second shows it again. The
     browser does it alone, at once: no rerun, nothing saved, the URL unchanged. */
  function legendSwitches(map) {
    var box = map.getContainer().querySelector(".sitmap-legend");
    if (!box || box._sitmapSwitches) return;
    box._sitmapSwitches = true;
    var style = document.createElement("style");
    document.head.appendChild(style);
    function apply() {
      var hidden = [], events = false;
      box.querySelectorAll(".sitmap-legend-row.sitmap-off").forEach(function (row) {
        var what = row.getAttribute("data-hides");
        if (what === "events") events = true;
        else if (what) hidden.push(what);
      });
      style.textContent = hidden.length ? hidden.join(", ") + " { display: none !important; }" : "";
      if (window.sitmapEvents) window.sitmapEvents.setHidden(events);
    }
    function toggle(row) {
      var off = row.classList.toggle("sitmap-off");
      row.setAttribute("aria-pressed", off ? "true" : "false");
      apply();
    }
    box.querySelectorAll(".sitmap-legend-row[data-hides]").forEach(function (row) {
      row.setAttribute("role", "button");
      row.setAttribute("aria-pressed", "false");
      row.tabIndex = 0;
      row.addEventListener("click", function (e) { L.DomEvent.stop(e); toggle(row); });
      row.addEventListener("keydown", function (e) {
        if (e.key !== "Enter" && e.key !== " " && e.key !== "Spacebar") return;
        e.preventDefault();
        toggle(row);
      });
    });
  }

  window.sitmapArrange = arrange; /* timeline.js: features back on the map, in order */

  /* What each rerun tells the map (sitmap.mapview.elements.ViewScript): the date range
     of features and events (timeline.js draws it) and the events' visibility, the
     drawing order, and a feature to open. */
  window.sitmapView = function (opts) {
    var events = window.sitmapEvents;
    if (window.sitmapTime) window.sitmapTime.fromPage(opts);
    else if (events) events.setView(opts.cutoff_ms, opts.events_visible, opts.since_ms);
    var map = window.sitmapMap;
    if (!map) return;
    window.setTimeout(function () {
      arrange(map);
      if (opts.focus && opts.focus !== window.sitmapFocused) {
        var ready = events && events.ready ? events.ready : Promise.resolve();
        ready.then(function () { if (focus(map, opts.focus)) window.sitmapFocused = opts.focus; });
      }
    }, 0);
  };

  var SitmapPoints = L.Layer.extend({
    options: { pane: "sitmapPoints", radius: 5, color: "#d7301f", stroke: "#ffffff" },

    /* data: the payload object, or (options.deflated) that JSON deflated (zlib) as
       base64 text, inflated here before anything is drawn. */
    initialize: function (data, options) {
      L.setOptions(this, options);
      this._cutoff = Infinity; /* seconds */
      this._since = -Infinity; /* seconds */
      this._visible = true;
      this._setData({ n: 0, x: [], y: [], t: [] });
      if (this.options.deflated) {
        var self = this;
        this.ready = inflateJSON(data).then(
          function (decoded) { self._setData(decoded); self._refresh(); },
          function (err) { self._failed = String(err); if (window.console) console.error("sitmap events:", err); }
        );
      } else {
        this._setData(data);
        this.ready = Promise.resolve();
      }
    },

    _setData: function (data) {
      var n = data.n || 0, scale = data.scale || 1;
      this._n = n;
      this._lon = new Float64Array(n);
      this._lat = new Float64Array(n);
      this._t = new Float64Array(n); /* epoch seconds, UTC */
      for (var i = 0; i < n; i++) {
        this._lon[i] = (data.x0 + data.x[i]) / scale;
        this._lat[i] = (data.y0 + data.y[i]) / scale;
        this._t[i] = data.t0 + data.t[i];
      }
      var cols = data.cols || {};
      this._col = {};
      for (var name in cols) {
        if (Object.prototype.hasOwnProperty.call(cols, name)) this._col[name] = column(cols[name]);
      }
      this._sources = data.sources || [];
      this._urls = data.urls || [];
      this._rows = data.rows || [];
      this._text = data.text || {};
      this._claims = data.claims || {};
      this._ux = null; /* projected at zoom 0, divided by the CRS scale there */
      this._uy = null;
      this._xs = new Float32Array(n);
      this._ys = new Float32Array(n);
      this._drawnIdx = new Int32Array(n);
      this._drawn = 0;
      this._r = this.options.radius;
    },

    /* After new data: project and draw again if on a map. */
    _refresh: function () {
      if (!this._map) return;
      this._project(this._map.options.crs);
      this._redraw();
      this._map.fire("sitmapeventsview");
    },

    onAdd: function (map) {
      window.sitmapMap = map;
      focusWithoutScrolling(map);
      legendSwitches(map);
      map.on("popupopen", fitPopup);
      if (!map.getPane(this.options.pane)) {
        var pane = map.createPane(this.options.pane);
        pane.style.zIndex = 450;
        pane.style.pointerEvents = "none";
      }
      this._project(map.options.crs);
      this._canvas = L.DomUtil.create("canvas", "sitmap-points-canvas");
      this._canvas.style.pointerEvents = "none";
      map.getPane(this.options.pane).appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      map.on("zoomstart", this._hide, this);
      /* Points lie above areas and lines, but Leaflet gives a click on an area to the
         area and never to the map. So listen on the map's element, capturing: a click
         on a point opens the point's popup and goes no further; any other click goes on
         as before. */
      this._domClick = L.bind(this._onClick, this);
      this._domMove = L.bind(this._onMove, this);
      map.getContainer().addEventListener("click", this._domClick, true);
      map.getContainer().addEventListener("mousemove", this._domMove, true);
      this._redraw();
    },

    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.off("zoomstart", this._hide, this);
      map.getContainer().removeEventListener("click", this._domClick, true);
      map.getContainer().removeEventListener("mousemove", this._domMove, true);
      L.DomUtil.remove(this._canvas);
    },

    /* Whether a mouse event is on the map itself (tiles, areas, lines, points), not on a
       control, popup, tooltip or marker, and no drawing or editing is under way. */
    _onMapItself: function (ev) {
      var map = this._map;
      if (!map || !this._shown() || !this._drawn) return false;
      if (map.dragging && map.dragging.moved()) return false;
      var target = ev.target;
      if (!target || !target.closest) return false;
      if (target.closest(".leaflet-control, .leaflet-popup-pane, .leaflet-tooltip-pane, .leaflet-marker-pane")) {
        return false;
      }
      return !map.getContainer().querySelector(
        ".leaflet-draw-toolbar-button-enabled, .leaflet-mouse-marker, .leaflet-edit-marker-selected"
      );
    },

    /* Show events from sinceMs to cutoffMs (epoch ms, UTC; null: no bound); hide the
       layer when visible is false. */
    setView: function (cutoffMs, visible, sinceMs) {
      this._cutoff = cutoffMs === null ? Infinity : cutoffMs / 1000;
      this._since = sinceMs === null || sinceMs === undefined ? -Infinity : sinceMs / 1000;
      this._visible = !!visible;
      if (this._map) {
        this._map.closePopup(this._popup);
        this._redraw();
        this._map.fire("sitmapeventsview"); /* a11y.js: the events list follows */
      }
    },

    /* Hide the events (their legend row switched off) or show them again. */
    setHidden: function (hidden) {
      this._hidden = !!hidden;
      if (this._map) {
        this._redraw();
        this._map.fire("sitmapeventsview");
      }
    },

    /* Whether the events are drawn: shown by the page and not switched off. */
    _shown: function () {
      return this._visible && !this._hidden;
    },

    /* How many points are drawn in the current view (for tests and the status line). */
    drawnCount: function () {
      return this._shown() ? this._drawn : 0;
    },

    /* How many points the date filter keeps, in or out of view. */
    keptCount: function () {
      var t = this._t, cutoff = this._cutoff, since = this._since, n = 0;
      for (var i = 0; i < this._n; i++) if (t[i] <= cutoff && t[i] >= since) n++;
      return this._visible ? n : 0;
    },

    _project: function (crs) {
      if (this._ux && this._crs === crs && this._ux.length === this._n) return;
      var n = this._n, s0 = crs.scale(0);
      this._ux = new Float64Array(n);
      this._uy = new Float64Array(n);
      for (var i = 0; i < n; i++) {
        var p = crs.latLngToPoint(L.latLng(this._lat[i], this._lon[i]), 0);
        this._ux[i] = p.x / s0;
        this._uy[i] = p.y / s0;
      }
      this._crs = crs;
    },

    _hide: function () {
      if (this._canvas) this._canvas.style.visibility = "hidden";
    },

    _redraw: function () {
      var map = this._map;
      if (!map) return;
      var size = map.getSize();
      var ratio = window.devicePixelRatio || 1;
      var canvas = this._canvas;
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px";
      canvas.style.height = size.y + "px";
      canvas.style.visibility = "visible";
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      this._drawn = 0;
      if (!this._shown()) return;
      /* container point = unit point * scale(zoom) - (pixel origin + layer point of the
         container's top-left corner) */
      var s = map.options.crs.scale(map.getZoom());
      var origin = map.getPixelOrigin(), corner = map.containerPointToLayerPoint([0, 0]);
      var dx = origin.x + corner.x, dy = origin.y + corner.y;
      var r = this.options.radius, w = size.x + r, h = size.y + r;
      var ux = this._ux, uy = this._uy, t = this._t, cutoff = this._cutoff, since = this._since;
      var xs = this._xs, ys = this._ys, idx = this._drawnIdx, drawn = 0;
      for (var i = 0; i < this._n; i++) {
        if (t[i] > cutoff || t[i] < since) continue;
        var x = ux[i] * s - dx, y = uy[i] * s - dy;
        if (x < -r || y < -r || x > w || y > h) continue;
        xs[drawn] = x;
        ys[drawn] = y;
        idx[drawn] = i;
        drawn++;
      }
      this._drawn = drawn;
      if (drawn > DENSE) {
        this._r = Math.max(2, r / 2);
        this._drawDensity(ctx, canvas.width, canvas.height, ratio);
        return;
      }
      this._r = r;
      ctx.beginPath();
      for (var k = 0; k < drawn; k++) {
        ctx.moveTo(xs[k] + r, ys[k]);
        ctx.arc(xs[k], ys[k], r, 0, 2 * Math.PI);
      }
      ctx.fillStyle = this.options.color;
      ctx.globalAlpha = 0.85;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1;
      ctx.strokeStyle = this.options.stroke;
      ctx.stroke();
    },

    /* Many points: small discs counted into a pixel buffer, the more overlap the more
       opaque, written at once. A canvas path of 100,000 arcs takes about half a second
       to rasterise without a GPU; this takes a few tens of milliseconds. */
    _drawDensity: function (ctx, width, height, ratio) {
      var rr = Math.max(1, Math.round(this._r * ratio)), offsets = [];
      for (var oy = -rr; oy <= rr; oy++) {
        for (var ox = -rr; ox <= rr; ox++) if (ox * ox + oy * oy <= rr * rr) offsets.push(ox, oy);
      }
      var size = width * height;
      if (!this._counts || this._counts.length !== size) this._counts = new Uint16Array(size);
      var counts = this._counts, xs = this._xs, ys = this._ys, no = offsets.length;
      counts.fill(0);
      for (var k = 0; k < this._drawn; k++) {
        var cx = Math.round(xs[k] * ratio), cy = Math.round(ys[k] * ratio);
        for (var j = 0; j < no; j += 2) {
          var px = cx + offsets[j], py = cy + offsets[j + 1];
          if (px >= 0 && py >= 0 && px < width && py < height) {
            var at = py * width + px;
            if (counts[at] < 65535) counts[at]++;
          }
        }
      }
      var image = ctx.createImageData(width, height), pixels = image.data;
      var colour = this._rgb || (this._rgb = parseColour(this.options.color));
      for (var p = 0, q = 0; p < size; p++, q += 4) {
        var c = counts[p];
        if (c === 0) continue;
        pixels[q] = colour[0];
        pixels[q + 1] = colour[1];
        pixels[q + 2] = colour[2];
        pixels[q + 3] = c >= 5 ? 255 : 105 + 30 * c; /* one point: 50 % opaque */
      }
      ctx.putImageData(image, 0, 0);
    },

    /* Every drawn event under a container point, nearest first. */
    _hits: function (point) {
      var found = [], reach = (this._r + 3) * (this._r + 3);
      for (var k = 0; k < this._drawn; k++) {
        var dx = this._xs[k] - point.x, dy = this._ys[k] - point.y, dd = dx * dx + dy * dy;
        if (dd <= reach) found.push([dd, this._drawnIdx[k]]);
      }
      found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      return found.map(function (f) { return f[1]; });
    },

    _hit: function (point) {
      var best = -1, bestD = (this._r + 3) * (this._r + 3);
      for (var k = 0; k < this._drawn; k++) {
        var dx = this._xs[k] - point.x, dy = this._ys[k] - point.y, dd = dx * dx + dy * dy;
        if (dd <= bestD) { bestD = dd; best = this._drawnIdx[k]; }
      }
      return best;
    },

    _onMove: function (ev) {
      if (this._pending) return;
      if (!this._onMapItself(ev)) {
        if (this._tooltip && this._map) this._map.closeTooltip(this._tooltip);
        return;
      }
      var self = this, point = this._map.mouseEventToContainerPoint(ev);
      this._pending = true;
      window.requestAnimationFrame(function () {
        self._pending = false;
        var i = self._hit(point);
        if (i < 0) {
          if (self._tooltip) self._map.closeTooltip(self._tooltip);
          self._map.getContainer().style.cursor = "";
          return;
        }
        self._map.getContainer().style.cursor = "pointer";
        var node = el("span", self._col.title ? self._col.title(i) : "");
        node.dir = "auto";
        self._tooltip = self._tooltip || L.tooltip({ direction: "top", offset: [0, -6] });
        self._tooltip.setLatLng([self._lat[i], self._lon[i]]).setContent(node);
        self._map.openTooltip(self._tooltip);
      });
    },

    _onClick: function (ev) {
      if (!this._onMapItself(ev)) return;
      var point = this._map.mouseEventToContainerPoint(ev);
      var hits = this._hits(point);
      if (!hits.length) return;
      L.DomEvent.stop(ev);
      var places = this._placesAt(point);
      if (hits.length === 1 && !places.length) this.openPopup(hits[0]);
      else this.openList(hits, places);
    },

    /* "YYYY-MM-DD (to the day)": the UTC day of the event and how precisely it is known. */
    _when: function (i) {
      var day = new Date(this._t[i] * 1000).toISOString().slice(0, 10);
      var prec = this._col.prec ? this._col.prec(i) : "";
      return prec ? day + " (" + this._text.to_the + " " + prec + ")" : day;
    },

    /* The 'as of' day (YYYY-MM-DD, UTC) the map shows, or null when no date is set. */
    _asOf: function () {
      if (this._cutoff === Infinity) return null;
      return new Date(this._cutoff * 1000).toISOString().slice(0, 10);
    },

    /* The index of the event with this id, or -1. */
    indexOf: function (id) {
      if (!this._col.id) return -1;
      for (var i = 0; i < this._n; i++) if (this._col.id(i) === id) return i;
      return -1;
    },

    /* Where event i is drawn, in container pixels ({x, y}); for tests and links. */
    pointOf: function (i) {
      return this._map.latLngToContainerPoint([this._lat[i], this._lon[i]]);
    },

    /* The map's own points (places) drawn under a container point: a click there lists
       them with the events, so a place under events stays reachable. */
    _placesAt: function (point) {
      var map = this._map, reach = this._r + 4, found = [];
      map.eachLayer(function (layer) {
        if (!(layer instanceof L.CircleMarker) || !layer.getPopup || !layer.getPopup()) return;
        var at = map.latLngToContainerPoint(layer.getLatLng());
        if (Math.abs(at.x - point.x) <= reach && Math.abs(at.y - point.y) <= reach) found.push(layer);
      });
      return found;
    },

    /* Several things at one place: one popup listing each place, then each event (newest
       first); a click on a name opens that one's own popup. */
    openList: function (hits, places) {
      var self = this, t = this._t;
      hits = hits.slice().sort(function (a, b) { return t[b] - t[a]; });
      var box = el("div", null, "sitmap-popup sitmap-eventlist");
      var count = hits.length + (places ? places.length : 0);
      box.appendChild(el("div", count + " " + this._text.here, "sitmap-title"));
      var list = el("ol");
      (places || []).forEach(function (layer) {
        var p = layer.feature && layer.feature.properties ? layer.feature.properties : {};
        var item = el("li");
        var button = el("button", textOf(p._name) || p._id || "", "sitmap-linklike");
        button.type = "button";
        button.dir = "auto";
        button.addEventListener("click", function (e) { L.DomEvent.stop(e); layer.openPopup(); });
        item.appendChild(button);
        list.appendChild(item);
      });
      hits.forEach(function (i) {
        var item = el("li");
        var button = el("button", self._col.title ? self._col.title(i) : "", "sitmap-linklike");
        button.type = "button";
        button.dir = "auto";
        button.addEventListener("click", function (e) { L.DomEvent.stop(e); self.openPopup(i); });
        item.appendChild(button);
        item.appendChild(el("span", " " + self._when(i), "sitmap-note"));
        list.appendChild(item);
      });
      box.appendChild(list);
      this._popup = L.popup(popupOptions(this._map))
        .setLatLng([this._lat[hits[0]], this._lon[hits[0]]])
        .setContent(box)
        .openOn(this._map);
      return this._popup;
    },

    /* Open event i's popup, as a click on it does. */
    openPopup: function (i) {
      this._popup = L.popup(popupOptions(this._map))
        .setLatLng([this._lat[i], this._lon[i]])
        .setContent(this._popupNode(i))
        .openOn(this._map);
      return this._popup;
    },

    /* Source cell: each source on its own line, with a "link" to its web address. */
    _sourceCell: function (td, ids) {
      for (var k = 0; k < ids.length; k++) {
        if (k) td.appendChild(el("br"));
        td.appendChild(document.createTextNode(this._sources[ids[k]] || String(ids[k])));
        var url = this._urls[ids[k]];
        if (url && /^https?:\/\//.test(url)) {
          td.appendChild(document.createTextNode(" "));
          var a = el("a", this._text.link);
          a.href = url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          td.appendChild(a);
        }
      }
    },

    /* The same rows, in the same order, as the Python popup (sitmap.mapview.popups). */
    _popupNode: function (i) {
      var c = this._col, t = this._text;
      var box = el("div", null, "sitmap-popup");
      var title = el("div", null, "sitmap-title");
      var b = el("b", c.title ? c.title(i) : "");
      b.dir = "auto";
      title.appendChild(b);
      box.appendChild(title);
      var table = el("table");
      row(table, t.what, c.kind ? c.kind(i) : "");
      var tr = el("tr");
      tr.appendChild(el("th", t.source));
      var td = el("td");
      this._sourceCell(td, (c.src && c.src(i)) || []);
      tr.appendChild(td);
      table.appendChild(tr);
      var reported = c.reported && c.reported(i);
      if (reported) row(table, t.reported, reported);
      row(table, t.when, this._when(i));
      var acc = c.acc && c.acc(i);
      if (acc) row(table, t.accuracy, "\u00b1" + acc + " m");
      row(table, t.geometry, c.approx && c.approx(i) ? t.approximate : t.sourced);
      for (var r = 0; r < this._rows.length; r++) {
        var value = c[this._rows[r][1]] && c[this._rows[r][1]](i);
        if (value) row(table, this._rows[r][0], value);
      }
      var actors = c.actors && c.actors(i);
      if (actors) row(table, t.actors, actors);
      box.appendChild(table);
      var desc = c.desc && c.desc(i);
      if (desc) {
        var d = el("div", desc, "sitmap-desc");
        d.dir = "auto";
        box.appendChild(d);
      }
      var claims = this._claimsNode(this._claims[i] || []);
      if (claims) box.appendChild(claims);
      return box;
    },

    /* Claims made by the 'as of' day, grouped by question; later ones counted, hidden. */
    _claimsNode: function (claims) {
      var t = this._text, asOf = this._asOf(), kept = [], later = 0;
      claims.forEach(function (cl) {
        if (asOf !== null && cl[4] > asOf) later++;
        else kept.push(cl);
      });
      if (!kept.length && !later) return null;
      var wrap = el("div", null, "sitmap-claims");
      wrap.appendChild(el("div", t.claims, "sitmap-h"));
      var groups = [], byAbout = {};
      kept.forEach(function (cl) {
        if (!Object.prototype.hasOwnProperty.call(byAbout, cl[0])) {
          byAbout[cl[0]] = [];
          groups.push(cl[0]);
        }
        byAbout[cl[0]].push(cl);
      });
      var sources = this._sources;
      groups.forEach(function (about) {
        var head = el("div", about, "sitmap-about");
        head.dir = "auto";
        wrap.appendChild(head);
        var ct = el("table");
        var hr = el("tr");
        [t.who, t.says, t.source_date].forEach(function (h) { hr.appendChild(el("th", h)); });
        ct.appendChild(hr);
        byAbout[about].forEach(function (cl) {
          var tr = el("tr");
          var who = el("td", cl[1]), says = el("td", cl[2]);
          who.dir = "auto";
          says.dir = "auto";
          tr.appendChild(who);
          tr.appendChild(says);
          tr.appendChild(el("td", (sources[cl[3]] || cl[3]) + "; " + cl[4]));
          ct.appendChild(tr);
        });
        wrap.appendChild(ct);
      });
      if (later) wrap.appendChild(el("div", later + " " + t.later + " " + asOf, "sitmap-note"));
      return wrap;
    },
  });

  window.SitmapPoints = SitmapPoints;
})();
