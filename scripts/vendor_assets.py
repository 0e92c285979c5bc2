"""Copy the Leaflet files the map needs from node_modules into static/vendor.

Run by ``make assets`` right after ``npm ci``. Only the dist files, the images their CSS
names, the licence files and each package's package.json (version and licence, for
provenance) are copied; ``leaflet-icon-path.js`` is written (pitfall P3 in the offline
notes). The new tree is built next to the old one and swapped in, so a running server
never sees half a folder. Exits 1 naming every missing file, or a package whose installed
version is not the one package.json pins. Standard library only.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# npm package -> (folder under static/vendor, files to copy relative to the package)
PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "leaflet": (
        "leaflet",
        (
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
            "LICENSE",
        ),
    ),
    "jquery": ("jquery", ("dist/jquery.min.js", "LICENSE.txt")),
    # leaflet-draw 1.0.2 ships no licence file: its package.json says MIT and the
    # copyright stays in the header comment of leaflet.draw.js.
    "leaflet-draw": (
        "leaflet-draw",
        (
            "dist/leaflet.draw.js",
            "dist/leaflet.draw.css",
            "dist/images/spritesheet.png",
            "dist/images/spritesheet-2x.png",
            "dist/images/spritesheet.svg",
        ),
    ),
    "leaflet.markercluster": (
        "leaflet.markercluster",
        (
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
            "MIT-LICENCE.txt",
        ),
    ),
    # npm's leaflet.fullscreen 3.0.0 has no .min.js; folium names the CDN's minified copy.
    "leaflet.fullscreen": (
        "leaflet.fullscreen",
        (
            "Control.FullScreen.js",
            "Control.FullScreen.css",
            "icon-fullscreen.svg",
            "LICENSE",
        ),
    ),
}

ICON_PATH_JS = """\
/* Written by scripts/vendor_assets.py. Tells Leaflet where its default marker images are:
 * streamlit-folium adds leaflet.css after the map script has run, so Leaflet's own guess
 * (from the <link> to leaflet.css) yields a broken URL (streamlit-folium issue 275).
 * Must load right after leaflet.js; sitmap.mapview.assets.use_local_assets() puts it there. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var found = document.querySelectorAll('script[src*="leaflet-icon-path.js"]');
    script = found[found.length - 1];
  }
  if (!script || !window.L || !L.Icon || !L.Icon.Default) {
    return;
  }
  L.Icon.Default.imagePath = script.src.replace(/[^/]*$/, "") + "leaflet/images/";
})();
"""


def pinned_versions() -> dict[str, str]:
    """Return the exact versions package.json pins, by package name."""
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return dict(manifest.get("dependencies", {}))


def check(pins: dict[str, str]) -> list[str]:
    """List every problem that would stop a complete copy; empty when all is there."""
    problems: list[str] = []
    for package, (_folder, files) in PACKAGES.items():
        package_dir = NODE_MODULES / package
        if package not in pins:
            problems.append(f"{package}: not pinned in package.json")
            continue
        meta = package_dir / "package.json"
        if not meta.is_file():
            problems.append(f"{package}: not installed ({meta} missing)")
            continue
        installed = json.loads(meta.read_text(encoding="utf-8")).get("version")
        if installed != pins[package]:
            problems.append(
                f"{package}: node_modules has {installed}, package.json pins {pins[package]}"
            )
        problems.extend(
            f"{package}: {package_dir / name} missing"
            for name in files
            if not (package_dir / name).is_file()
        )
    return problems


def build(target: Path) -> int:
    """Copy every listed file into ``target`` and write the helper script; return a count."""
    count = 0
    for package, (folder, files) in PACKAGES.items():
        package_dir = NODE_MODULES / package
        out = target / folder
        for name in (*files, "package.json"):
            source = package_dir / name
            # dist/images/x.png -> <folder>/images/x.png: the CSS says url(images/x.png).
            relative = Path(name).relative_to("dist") if name.startswith("dist/") else Path(name)
            destination = out / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            count += 1
    (target / "leaflet-icon-path.js").write_text(ICON_PATH_JS, encoding="utf-8")
    return count + 1


def swap_in(new: Path, final: Path) -> None:
    """Replace ``final`` with ``new`` with two renames, then delete the old tree."""
    old = NODE_MODULES / ".sitmap-vendor-old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    final.parent.mkdir(parents=True, exist_ok=True)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def main() -> int:
    """Check, copy and swap in; print one summary line or every problem."""
    problems = check(pinned_versions())
    if problems:
        print("vendor_assets: cannot build static/vendor:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print(
            "Run `make assets` (npm ci, then this script). If node_modules is current, "
            "PACKAGES in scripts/vendor_assets.py no longer matches the pinned packages.",
            file=sys.stderr,
        )
        return 1
    staging = NODE_MODULES / ".sitmap-vendor-new"  # git-ignored, same file system
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    count = build(staging)
    swap_in(staging, VENDOR)
    size = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    print(f"vendor_assets: {count} files, {size / 1024:.0f} KiB in {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
