/* sitmap's keyboard and screen-reader access to the map, loaded after leaflet.js.
 *
 * 1. Every feature drawn as an SVG path (areas, lines, places) is a named tab stop:
 *    role "button", an aria-label (its name, kind and layer: the `_label` property, made
 *    in Python, else its name or tooltip text) and tabindex 0. Enter or Space opens its
 *    popup and moves focus into it; Escape in the popup closes it and returns focus to
 *    the feature. A mouse press on a feature does not focus it (the browser would scroll
 *    a partly hidden area into view under the pointer): the map's click behaviour stays.
 *
 * 2. Events are drawn on a canvas, out of reach of Tab: a "Events in view" control (a
 *    disclosure button and a list of buttons, newest first) lists the events drawn in the
 *    current view and date range; a button opens that event's popup.
 *
 * Names come from data: every string is placed with textContent or setAttribute, never
 * as HTML.
 */
(function () {
  "use strict";

  var LIST_MAX = 100; /* events listed at most; the rest: "zoom in" */

  /* Text from escaped HTML, and elements with text: sitmap.js's, which runs first. */
  var textOf = window.sitmapDom.textOf, el = window.sitmapDom.el;

  function nameOf(layer) {
    var p = layer.feature && layer.feature.properties;
    if (!p) return "";
    return (textOf(p._label) || textOf(p._name) || textOf(p._tooltip) || String(p._id || "")).trim();
  }

  /* Move focus into an open popup (its content box), so a screen reader reads it. */
  function focusPopup(popup, back) {
    var box = popup && popup.getElement && popup.getElement();
    if (!box) return;
    var content = box.querySelector(".leaflet-popup-content") || box;
    content.setAttribute("tabindex", "-1");
    content.setAttribute("role", "dialog");
    var title = content.querySelector(".sitmap-title");
    if (title) content.setAttribute("aria-label", title.textContent.trim());
    content.focus({ preventScroll: true });
    box._sitmapBack = back || null;
  }

  /* One feature's path as a named, focusable button. */
  function markFeature(map, layer) {
    var path = layer._path;
    if (!path || !layer.feature || path._sitmapKeyboard) return;
    var name = nameOf(layer);
    if (!name) return;
    path._sitmapKeyboard = true;
    path.setAttribute("tabindex", "0");
    path.setAttribute("role", "button");
    path.setAttribute("aria-label", name);
    path.setAttribute("aria-haspopup", "dialog");
    path.classList.add("sitmap-kbd");
    path.addEventListener("mousedown", function (e) { e.preventDefault(); });
    path.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " " && e.key !== "Spacebar") return;
      e.preventDefault();
      e.stopPropagation();
      if (!layer.getPopup || !layer.getPopup()) return;
      layer.openPopup();
      focusPopup(layer.getPopup(), path);
    });
  }

  /* Escape in a popup closes it; focus goes back to what opened it. */
  function onPopupKey(map, e) {
    if (e.key !== "Escape" && e.key !== "Esc") return;
    var box = e.target && e.target.closest && e.target.closest(".leaflet-popup");
    if (!box) return;
    e.preventDefault();
    var back = box._sitmapBack;
    map.closePopup();
    if (back && back.isConnected) back.focus({ preventScroll: true });
    else map.getContainer().focus({ preventScroll: true });
  }

  /* The "Events in view" control: a disclosure button and, open, a list of buttons. */
  var EventsList = L.Control.extend({
    options: { position: "bottomright" },

    onAdd: function (map) {
      var box = L.DomUtil.create("div", "sitmap-kbd-events leaflet-bar");
      this._toggle = el("button", "", "sitmap-kbd-toggle");
      this._toggle.type = "button";
      this._toggle.setAttribute("aria-expanded", "false");
      this._list = el("ol");
      this._list.hidden = true;
      this._more = el("p", "", "sitmap-note");
      this._more.hidden = true;
      this._panel = el("div", null, "sitmap-kbd-panel");
      this._panel.id = "sitmap-kbd-events-" + L.stamp(this);
      this._panel.hidden = true;
      this._panel.appendChild(this._list);
      this._panel.appendChild(this._more);
      this._toggle.setAttribute("aria-controls", this._panel.id);
      box.appendChild(this._toggle);
      box.appendChild(this._panel);
      var self = this;
      this._toggle.addEventListener("click", function () {
        self._open = !self._open;
        self._update();
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      this._box = box;
      map.on("moveend zoomend sitmapeventsview", this._later, this);
      this._later();
      return box;
    },

    onRemove: function (map) {
      map.off("moveend zoomend sitmapeventsview", this._later, this);
    },

    _later: function () {
      var self = this;
      window.setTimeout(function () { self._update(); }, 0);
    },

    /* Event indices drawn in the view, newest first. */
    _inView: function (events) {
      var out = [];
      for (var k = 0; k < events.drawnCount(); k++) out.push(events._drawnIdx[k]);
      var t = events._t;
      out.sort(function (a, b) { return t[b] - t[a]; });
      return out;
    },

    _update: function () {
      var events = window.sitmapEvents;
      var count = events ? events.drawnCount() : 0;
      this._box.hidden = !count;
      this._toggle.textContent = "Events in view (" + count + ")";
      this._toggle.setAttribute("aria-expanded", this._open && count ? "true" : "false");
      this._panel.hidden = !(this._open && count);
      this._list.hidden = this._panel.hidden;
      if (this._panel.hidden) return;
      var hits = this._inView(events), list = this._list;
      while (list.firstChild) list.removeChild(list.firstChild);
      hits.slice(0, LIST_MAX).forEach(function (i) {
        var item = el("li");
        var title = events._col.title ? events._col.title(i) : "";
        var when = events._when(i);
        var button = el("button", title, "sitmap-linklike");
        button.type = "button";
        button.dir = "auto";
        button.setAttribute("aria-label", title + ", " + when);
        button.addEventListener("click", function (e) {
          L.DomEvent.stop(e);
          focusPopup(events.openPopup(i), button);
        });
        item.appendChild(button);
        item.appendChild(el("span", " " + when, "sitmap-note"));
        list.appendChild(item);
      });
      var more = hits.length - LIST_MAX;
      this._more.hidden = more <= 0;
      this._more.textContent = more > 0 ? more + " more: zoom in to list them" : "";
    },
  });

  /* Make a map's features and events reachable by keyboard; returns the events control. */
  L.sitmapKeyboard = function (map) {
    map.eachLayer(function (layer) { markFeature(map, layer); });
    map.on("layeradd", function (e) { markFeature(map, e.layer); });
    map.getContainer().addEventListener("keydown", function (e) { onPopupKey(map, e); });
    var list = new EventsList().addTo(map);
    window.sitmapKeyboard = list;
    return list;
  };
})();
