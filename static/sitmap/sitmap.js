/* sitmap's own browser code, loaded after leaflet.js.
 *
 * 1. Clicking a map that is partly scrolled out of view must not scroll the page: Leaflet
 *    focuses the map container on mousedown (keyboard navigation), the browser scrolls the
 *    page to show it, and the click lands on whatever moved under the pointer. Focus
 *    without scrolling instead.
 *
 * 2. SitmapPoints: many points (events) on one canvas, filtered by date, with safe popups.
 *
 * Data arrives once, as compact columns from Python (sitmap.mapview.events_payload,
 * version 2): x/y are lon/lat in millionths of a degree minus x0/y0, t is epoch seconds
 * (UTC) minus t0, popup columns are {v: [one value]}, {v: table, i: codes} or {a: values},
 * src codes index the source texts, claims map a row to its claims. Every string is
 * placed with textContent, never as HTML. Positions are projected once (zoom 0); a
 * redraw after each move or zoom is one multiply-add per point and one canvas fill, so
 * 100,000 points cost a few tens of milliseconds rather than 100,000 DOM nodes.
 */
(function () {
  "use strict";

  if (L.Map.Keyboard) {
    L.Map.Keyboard.prototype._onMouseDown = function () {
      if (this._focused) return;
      this._map._container.focus({ preventScroll: true });
    };
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

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

  var SitmapPoints = L.Layer.extend({
    options: { pane: "sitmapPoints", radius: 5, color: "#d7301f", stroke: "#ffffff" },

    /* data: the payload object, or (options.deflated) that JSON deflated (zlib) as
       base64 text, inflated here before anything is drawn. */
    initialize: function (data, options) {
      L.setOptions(this, options);
      this._cutoff = Infinity; /* seconds */
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
    },

    onAdd: function (map) {
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
      if (!map || !this._visible || !this._drawn) return false;
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

    /* Show events up to cutoffMs (epoch ms, UTC); hide the layer when visible is false. */
    setView: function (cutoffMs, visible) {
      this._cutoff = cutoffMs === null ? Infinity : cutoffMs / 1000;
      this._visible = !!visible;
      if (this._map) {
        this._map.closePopup(this._popup);
        this._redraw();
      }
    },

    /* How many points are drawn in the current view (for tests and the status line). */
    drawnCount: function () {
      return this._visible ? this._drawn : 0;
    },

    /* How many points the date filter keeps, in or out of view. */
    keptCount: function () {
      var t = this._t, cutoff = this._cutoff, n = 0;
      for (var i = 0; i < this._n; i++) if (t[i] <= cutoff) n++;
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
      if (!this._visible) return;
      /* container point = unit point * scale(zoom) - (pixel origin + layer point of the
         container's top-left corner) */
      var s = map.options.crs.scale(map.getZoom());
      var origin = map.getPixelOrigin(), corner = map.containerPointToLayerPoint([0, 0]);
      var dx = origin.x + corner.x, dy = origin.y + corner.y;
      var r = this.options.radius, w = size.x + r, h = size.y + r;
      var ux = this._ux, uy = this._uy, t = this._t, cutoff = this._cutoff;
      var xs = this._xs, ys = this._ys, idx = this._drawnIdx, drawn = 0;
      for (var i = 0; i < this._n; i++) {
        if (t[i] > cutoff) continue;
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
      var i = this._hit(this._map.mouseEventToContainerPoint(ev));
      if (i < 0) return;
      L.DomEvent.stop(ev);
      this._popup = L.popup({ maxWidth: 440, minWidth: 260, maxHeight: 340 })
        .setLatLng([this._lat[i], this._lon[i]])
        .setContent(this._popupNode(i))
        .openOn(this._map);
    },

    /* "YYYY-MM-DD (to the day)": the UTC day of the event and how precisely it is known. */
    _when: function (i) {
      var day = new Date(this._t[i] * 1000).toISOString().slice(0, 10);
      var prec = this._col.prec ? this._col.prec(i) : "";
      return prec ? day + " (to the " + prec + ")" : day;
    },

    _popupNode: function (i) {
      var c = this._col, sources = this._sources;
      var box = el("div", null, "sitmap-popup");
      var title = el("div", null, "sitmap-title");
      var b = el("b", c.title ? c.title(i) : "");
      b.dir = "auto";
      title.appendChild(b);
      box.appendChild(title);
      var table = el("table");
      row(table, "What", "event" + (c.kind ? ": " + c.kind(i) : ""));
      row(table, "When", this._when(i));
      var ids = (c.src && c.src(i)) || [];
      var names = [];
      for (var k = 0; k < ids.length; k++) names.push(sources[ids[k]] || ids[k]);
      row(table, "Source", names.join(" | "));
      var actors = c.actors && c.actors(i);
      if (actors) row(table, "Actors", actors);
      if (c.acc) row(table, "Accuracy", "\u00b1" + c.acc(i) + " m");
      row(table, "Geometry", c.approx && c.approx(i) ? "approximate: an estimate, not a survey" : "as sourced");
      box.appendChild(table);
      var desc = c.desc && c.desc(i);
      if (desc) {
        var d = el("div", desc, "sitmap-desc");
        d.dir = "auto";
        box.appendChild(d);
      }
      var claims = this._claims[i];
      if (claims && claims.length) {
        var wrap = el("div", null, "sitmap-claims");
        wrap.appendChild(el("div", "Claims (attributed, not facts)", "sitmap-h"));
        var ct = el("table");
        var head = el("tr");
        ["Who", "Says", "Source, date"].forEach(function (h) { head.appendChild(el("th", h)); });
        ct.appendChild(head);
        claims.forEach(function (cl) {
          var tr = el("tr");
          tr.appendChild(el("td", cl[0]));
          tr.appendChild(el("td", cl[1]));
          tr.appendChild(el("td", (sources[cl[2]] || cl[2]) + "; " + cl[3]));
          ct.appendChild(tr);
        });
        wrap.appendChild(ct);
        box.appendChild(wrap);
      }
      return box;
    },
  });

  window.SitmapPoints = SitmapPoints;
})();
