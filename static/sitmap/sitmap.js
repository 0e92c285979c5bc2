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

  var DENSE = 20000; /* more points than this in view: smaller dots, no outline */

  var SitmapPoints = L.Layer.extend({
    options: { pane: "sitmapPoints", radius: 5, color: "#d7301f", stroke: "#ffffff" },

    initialize: function (data, options) {
      L.setOptions(this, options);
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
      this._cutoff = Infinity; /* seconds */
      this._visible = true;
      this._ux = null; /* projected at zoom 0, divided by the CRS scale there */
      this._uy = null;
      this._xs = new Float32Array(n);
      this._ys = new Float32Array(n);
      this._drawnIdx = new Int32Array(n);
      this._drawn = 0;
      this._r = this.options.radius;
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
      map.on("click", this._onClick, this);
      map.on("mousemove", this._onMove, this);
      this._redraw();
    },

    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.off("zoomstart", this._hide, this);
      map.off("click", this._onClick, this);
      map.off("mousemove", this._onMove, this);
      L.DomUtil.remove(this._canvas);
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
      if (this._ux && this._crs === crs) return;
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
      var dense = drawn > DENSE;
      r = dense ? Math.max(2, r / 2) : r;
      this._r = r;
      ctx.beginPath();
      for (var k = 0; k < drawn; k++) {
        ctx.moveTo(xs[k] + r, ys[k]);
        ctx.arc(xs[k], ys[k], r, 0, 2 * Math.PI);
      }
      ctx.fillStyle = this.options.color;
      ctx.globalAlpha = dense ? 0.6 : 0.85;
      ctx.fill();
      ctx.globalAlpha = 1;
      if (!dense) {
        ctx.lineWidth = 1;
        ctx.strokeStyle = this.options.stroke;
        ctx.stroke();
      }
      this._drawn = drawn;
    },

    _hit: function (point) {
      var best = -1, bestD = (this._r + 3) * (this._r + 3);
      for (var k = 0; k < this._drawn; k++) {
        var dx = this._xs[k] - point.x, dy = this._ys[k] - point.y, dd = dx * dx + dy * dy;
        if (dd <= bestD) { bestD = dd; best = this._drawnIdx[k]; }
      }
      return best;
    },

    _onMove: function (e) {
      if (!this._visible || this._pending) return;
      var self = this, point = e.containerPoint;
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

    _onClick: function (e) {
      if (!this._visible) return;
      var i = this._hit(e.containerPoint);
      if (i < 0) return;
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
