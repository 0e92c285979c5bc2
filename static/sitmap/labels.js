/* sitmap labels: always-visible names on the map, thinned where they collide.

   The payload comes from sitmap.mapview.labels.labels_payload (Python): labels sorted by
   priority (the first placed wins a collision), each with candidate anchors [lat, lon]
   and its text in every language as [text, lang, dir]. Text is data: it is placed with
   textContent, never as HTML. Labels sit in their own pane with pointer-events off, so a
   click always reaches the feature underneath.

   API: window.sitmapLabels (made by the base map) has
     setData(payload, lang)  the labels of the visible layers, each with its days (f, u)
     setDay(cutoff)          show those on the map at cutoff (epoch ms; timeline.js)
     setLanguage(lang)       "en", "ar" or "he" (a missing name falls back to English)
     language()              the language asked for
     shown()                 ids of the labels drawn now, in placement order
*/
(function () {
  "use strict";

  var PANE = "sitmapLabels";
  var GAP = 3; /* px kept free around every label */
  var EDGE = 4; /* px kept free along the map's edge */

  function overlaps(a, b) {
    return a.x1 < b.x2 + GAP && b.x1 < a.x2 + GAP && a.y1 < b.y2 + GAP && b.y1 < a.y2 + GAP;
  }

  function box(x, y, w, h) {
    return { x1: x, y1: y, x2: x + w, y2: y + h };
  }

  var SitmapLabels = L.Layer.extend({
    options: { pane: PANE, markerRadius: 6 },

    initialize: function (options) {
      L.setOptions(this, options);
      this._labels = [];
      this._lang = "en";
      this._shown = [];
      this._cutoff = null; /* epoch ms; null: every label */
    },

    onAdd: function (map) {
      if (!map.getPane(PANE)) {
        var pane = map.createPane(PANE);
        pane.style.zIndex = 620; /* above shapes and markers, below tooltips and popups */
        pane.style.pointerEvents = "none";
      }
      this._container = L.DomUtil.create("div", "sitmap-labels", map.getPane(PANE));
      this._onToggle = L.bind(this._update, this);
      map.getContainer().addEventListener("toggle", this._onToggle, true); /* legend opened */
      map.on("zoomend moveend resize viewreset", this._update, this);
      map.on("zoomstart", this._hide, this);
      if (!map._sitmapLegendMakesWay) {
        legendMakesWay(map);
        map._sitmapLegendMakesWay = true;
      }
      this._build();
    },

    onRemove: function (map) {
      map.off("zoomend moveend resize viewreset", this._update, this);
      map.off("zoomstart", this._hide, this);
      map.getContainer().removeEventListener("toggle", this._onToggle, true);
      L.DomUtil.remove(this._container);
      this._container = null;
    },

    setData: function (payload, lang) {
      this._data = (payload && payload.labels) || [];
      if (lang) this._lang = lang;
      this._build();
      return this;
    },

    setDay: function (cutoff) {
      this._cutoff = cutoff;
      this._update();
      return this;
    },

    /* Whether a label's feature is on the map of the chosen day (timeline.js inDay). */
    _inDay: function (item) {
      var c = this._cutoff;
      return c === null || ((item.f === undefined || item.f <= c) && (item.u === undefined || c < item.u));
    },

    setLanguage: function (lang) {
      this._lang = lang;
      this._build();
      return this;
    },

    language: function () {
      return this._lang;
    },

    shown: function () {
      return this._shown.slice();
    },

    _hide: function () {
      if (this._container) this._container.style.visibility = "hidden";
    },

    /* One element per label, its text in the chosen language, measured once. */
    _build: function () {
      if (!this._container) return;
      var container = this._container, lang = this._lang;
      while (container.firstChild) container.removeChild(container.firstChild);
      this._labels = (this._data || []).map(function (item) {
        var text = item.t[lang] || item.t.en;
        var el = document.createElement("div");
        el.className = "sitmap-label sitmap-label-" + item.s + (item.e ? " sitmap-label-est" : "") +
          (item.y ? " " + item.y : ""); /* hidden with its legend row (sitmap.js) */
        el.textContent = text[0];
        el.lang = text[1];
        el.dir = text[2];
        el.style.color = item.c;
        el.setAttribute("data-id", item.id);
        el.setAttribute("data-priority", String(item.p));
        container.appendChild(el);
        return { item: item, el: el, w: 0, h: 0 };
      });
      this._labels.forEach(function (label) {
        label.w = label.el.offsetWidth;
        label.h = label.el.offsetHeight;
      });
      this._update();
    },

    /* Boxes (container px) that no label may cover: the map's controls (legend, buttons). */
    _controlBoxes: function () {
      var map = this._map, outer = map.getContainer().getBoundingClientRect(), boxes = [];
      var controls = map.getContainer().querySelectorAll(".leaflet-control");
      for (var i = 0; i < controls.length; i++) {
        var r = controls[i].getBoundingClientRect();
        if (r.width && r.height) {
          boxes.push(box(r.left - outer.left, r.top - outer.top, r.width, r.height));
        }
      }
      return boxes;
    },

    /* Where a label may go at one anchor, by how far it strays: level 0 is centred on it
       (areas, lines) or beside the marker (points: right, left); level 1 just above or
       below; level 2 (areas, lines) one line further; an area's label never leaves the
       area's extent, so a small area's label gives way rather than drift off it. */
    _spots: function (label, p, level) {
      var w = label.w, h = label.h, step = h + GAP, off = this.options.markerRadius + 3;
      if (label.item.s === "point") {
        if (level === 0) {
          return [box(p.x + off, p.y - h / 2, w, h), box(p.x - off - w, p.y - h / 2, w, h)];
        }
        if (level === 1) {
          return [box(p.x - w / 2, p.y - off - h, w, h), box(p.x - w / 2, p.y + off, w, h)];
        }
        return [];
      }
      var shifts = level === 0 ? [0] : [-level * step, level * step];
      var bounds = label.item.b, top = -Infinity, bottom = Infinity;
      if (bounds && level > 0) { /* an area's label moves only within the area's extent */
        top = this._map.latLngToContainerPoint(bounds[1]).y;
        bottom = this._map.latLngToContainerPoint(bounds[0]).y;
      }
      return shifts
        .filter(function (dy) { return p.y + dy >= top && p.y + dy <= bottom; })
        .map(function (dy) { return box(p.x - w / 2, p.y - h / 2 + dy, w, h); });
    },

    /* Place labels in priority order. A label goes to its first spot that is inside the
       map and clear of the labels already placed, the map's controls and the markers of
       labelled points, or failing that one that covers only markers of less important
       points; the nearest such spot wins (see _spots); else it is hidden. Recomputed on every zoom, move and resize. */
    _update: function () {
      var map = this._map;
      if (!map || !this._container) return;
      var size = map.getSize(), r = this.options.markerRadius, self = this;
      var taken = this._controlBoxes(), markers = [];
      var points = this._labels.map(function (label) {
        return label.item.a.map(function (a) { return map.latLngToContainerPoint(a); });
      });
      this._labels.forEach(function (label, i) {
        if (label.item.s !== "point" || !self._inDay(label.item)) return;
        var p = points[i][0], marker = box(p.x - r, p.y - r, 2 * r, 2 * r);
        marker.p = label.item.p;
        markers.push(marker);
      });
      function clear(s, priority) {
        if (s.x1 < EDGE || s.y1 < EDGE || s.x2 > size.x - EDGE || s.y2 > size.y - EDGE) return false;
        if (taken.some(function (t) { return overlaps(s, t); })) return false;
        return !markers.some(function (m) { return m.p <= priority && overlaps(s, m); });
      }
      function find(label, anchors, level, priority) {
        for (var k = 0; k < anchors.length; k++) {
          var spots = self._spots(label, anchors[k], level);
          for (var j = 0; j < spots.length; j++) if (clear(spots[j], priority)) return spots[j];
        }
        return null;
      }
      this._shown = [];
      this._labels.forEach(function (label, i) {
        var p = label.item.p, spot = null;
        for (var level = 0; level < 3 && !spot && self._inDay(label.item); level++) {
          spot = find(label, points[i], level, Infinity) || find(label, points[i], level, p - 1);
        }
        if (!spot) {
          label.el.classList.add("sitmap-label-hidden");
          return;
        }
        taken.push(spot);
        label.el.classList.remove("sitmap-label-hidden");
        L.DomUtil.setPosition(label.el, map.containerPointToLayerPoint([spot.x1, spot.y1]));
        self._shown.push(label.item.id);
      });
      this._container.style.visibility = "visible";
    },
  });

  /* The legend makes way for a popup: folded while a popup it would cover is open
     (controls sit above popups in Leaflet), unfolded again when that popup closes.
     Measured where the popup comes to rest: after the pan that brings it into view. */
  function legendMakesWay(map) {
    var open = null, folded = null;
    function makeWay() {
      if (!open || folded === open) return;
      if (map._panAnim && map._panAnim._inProgress) return; /* again at its moveend */
      var details = map.getContainer().querySelector(".sitmap-legend details[open]");
      var el = open.getElement();
      /* not before Leaflet's style sheet has placed the legend (again at a moveend) */
      if (!details || !el || getComputedStyle(details.closest(".leaflet-top")).position !== "absolute") return;
      var a = details.getBoundingClientRect(), b = el.getBoundingClientRect();
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
        details.open = false;
        folded = open;
      }
    }
    map.on("popupopen", function (e) {
      open = e.popup;
      makeWay();
    });
    map.on("moveend", makeWay);
    map.on("popupclose", function (e) {
      if (open === e.popup) open = null;
      if (folded !== e.popup) return;
      folded = null;
      var details = map.getContainer().querySelector(".sitmap-legend details");
      if (details) details.open = true;
    });
  }

  L.SitmapLabels = SitmapLabels;
  L.sitmapLabels = function (options) {
    return new SitmapLabels(options);
  };
})();
