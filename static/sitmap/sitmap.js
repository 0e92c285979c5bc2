/* sitmap's own browser code, loaded after leaflet.js.
 *
 * 1. Clicking a map that is partly scrolled out of view must not scroll the page: Leaflet
 *    focuses the map container on mousedown (keyboard navigation), the browser scrolls the
 *    page to show it, and the click lands on whatever moved under the pointer. Focus
 *    without scrolling instead.
 *
 * 2. SitmapPoints: many points (events) on one canvas, filtered by date, with safe popups.
 *
 * Data arrives as compact columns from Python (sitmap.mapview): lon/lat (WGS84 degrees),
 * t (epoch milliseconds, UTC), text columns, and a source table. Every string is placed
 * with textContent, never as HTML. One canvas in a custom pane is redrawn after each
 * move or zoom, so 100,000 points cost one path fill rather than 100,000 DOM nodes.
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

  var SitmapPoints = L.Layer.extend({
    options: { pane: "sitmapPoints", radius: 5, color: "#d7301f", stroke: "#ffffff" },

    initialize: function (data, options) {
      L.setOptions(this, options);
      this._d = data;
      this._n = data.lon.length;
      this._cutoff = Infinity;
      this._visible = true;
      this._xs = new Float32Array(this._n);
      this._ys = new Float32Array(this._n);
      this._drawnIdx = new Int32Array(this._n);
      this._drawn = 0;
    },

    onAdd: function (map) {
      if (!map.getPane(this.options.pane)) {
        var pane = map.createPane(this.options.pane);
        pane.style.zIndex = 450;
        pane.style.pointerEvents = "none";
      }
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
      this._cutoff = cutoffMs === null ? Infinity : cutoffMs;
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
      var t = this._d.t, n = 0;
      for (var i = 0; i < this._n; i++) if (t[i] <= this._cutoff) n++;
      return this._visible ? n : 0;
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
      var d = this._d, r = this.options.radius, drawn = 0;
      ctx.beginPath();
      for (var i = 0; i < this._n; i++) {
        if (d.t[i] > this._cutoff) continue;
        var p = map.latLngToContainerPoint([d.lat[i], d.lon[i]]);
        if (p.x < -r || p.y < -r || p.x > size.x + r || p.y > size.y + r) continue;
        this._xs[drawn] = p.x;
        this._ys[drawn] = p.y;
        this._drawnIdx[drawn] = i;
        drawn++;
        ctx.moveTo(p.x + r, p.y);
        ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
      }
      ctx.fillStyle = this.options.color;
      ctx.globalAlpha = 0.85;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1;
      ctx.strokeStyle = this.options.stroke;
      ctx.stroke();
      this._drawn = drawn;
    },

    _hit: function (point) {
      var best = -1, bestD = (this.options.radius + 3) * (this.options.radius + 3);
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
        var node = el("span", self._d.title[i]);
        node.dir = "auto";
        self._tooltip = self._tooltip || L.tooltip({ direction: "top", offset: [0, -6] });
        self._tooltip.setLatLng([self._d.lat[i], self._d.lon[i]]).setContent(node);
        self._map.openTooltip(self._tooltip);
      });
    },

    _onClick: function (e) {
      if (!this._visible) return;
      var i = this._hit(e.containerPoint);
      if (i < 0) return;
      this._popup = L.popup({ maxWidth: 440, minWidth: 260, maxHeight: 340 })
        .setLatLng([this._d.lat[i], this._d.lon[i]])
        .setContent(this._popupNode(i))
        .openOn(this._map);
    },

    _popupNode: function (i) {
      var d = this._d;
      var box = el("div", null, "sitmap-popup");
      var title = el("div", null, "sitmap-title");
      var b = el("b", d.title[i]);
      b.dir = "auto";
      title.appendChild(b);
      box.appendChild(title);
      var table = el("table");
      row(table, "What", "event" + (d.kind ? ": " + d.kind[i] : ""));
      row(table, "When", d.when[i]);
      var ids = d.src[i] || [];
      var names = [];
      for (var k = 0; k < ids.length; k++) names.push(d.sources[ids[k]] || ids[k]);
      row(table, "Source", names.join(" | "));
      if (d.actors && d.actors[i]) row(table, "Actors", d.actors[i]);
      if (d.acc) row(table, "Accuracy", "\u00b1" + d.acc[i] + " m");
      row(table, "Geometry", d.approx && d.approx[i] ? "approximate: an estimate, not a survey" : "as sourced");
      box.appendChild(table);
      if (d.desc && d.desc[i]) {
        var desc = el("div", d.desc[i], "sitmap-desc");
        desc.dir = "auto";
        box.appendChild(desc);
      }
      var claims = d.claims && d.claims[i];
      if (claims && claims.length) {
        var wrap = el("div", null, "sitmap-claims");
        wrap.appendChild(el("div", "Claims (attributed, not facts)", "sitmap-h"));
        var ct = el("table");
        var head = el("tr");
        ["Who", "Says", "Source, date"].forEach(function (h) { head.appendChild(el("th", h)); });
        ct.appendChild(head);
        claims.forEach(function (c) {
          var tr = el("tr");
          tr.appendChild(el("td", c[0]));
          tr.appendChild(el("td", c[1]));
          tr.appendChild(el("td", (d.sources[c[2]] || c[2]) + "; " + c[3]));
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
