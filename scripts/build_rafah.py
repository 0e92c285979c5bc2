"""Build geodata/rafah-2025-11/*.geojson from the reference files, keeping provenance.

Run by a maintainer (the output is committed); a test builds it into a temporary folder
and checks that the committed files are exactly what it writes:

    .venv/bin/python scripts/build_rafah.py ../shared/reference

Every geometry is copied or derived from a reference file; every estimate says so in its
description, with ``approximate: true`` and a large ``accuracy_m``. Coordinates are WGS84
lon/lat; polygons are written with the RFC 7946 right-hand rule (exterior counter-clockwise).
The rival versions (``versions_*.geojson``), ``situation.toml`` and ``sources.toml`` are
written by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, mapping, shape
from shapely.ops import unary_union

GEOD = Geod(ellps="WGS84")
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32636", always_xy=True)
FROM_UTM = Transformer.from_crs("EPSG:32636", "EPSG:4326", always_xy=True)
OUT = Path(__file__).resolve().parents[1] / "geodata" / "rafah-2025-11"
# Two kinds of date, never mixed (issue 12): `as_of` is when a fact was reported, `accessed`
# when we looked it up. The research for this situation was done on 2025-11-25.
ACCESSED = "2025-11-25"
# Static geography whose source predates the situation (long-standing Wikipedia infobox and
# GeoNames coordinates, OpenStreetMap boundaries) is dated to the situation's start: the facts
# were published by then; the exact revision was not recorded (see sources.toml notes).
START = "2025-10-10"
# The yellow line and the army-held area were hand-traced from a small-scale map: +/-100-450 m
# (gazamaps.com), and BBC Verify found ground markers up to 520 m inside the mapped line in
# October 2025. 600 m is the larger figure rounded up, an honest error for both.
HELD_ACCURACY = 600
# The tunnels in Jenina were first reported on 5 Nov 2025 (Army Radio, via Srugim): the
# enclave and the Jenina estimate are dated to that report.
FIRST_REPORTED = "2025-11-05"
MARKERS = (
    "On the ground the line is marked by blocks: BBC Verify (October 2025) geolocated markers up to "
    "520 m further inside Gaza than the army's map near al-Atatra (northern Gaza) and 180-290 m inside "
    "it near Khan Younis; no measurement in Rafah was published."
)


def rounded(geom: Any, digits: int = 6) -> Any:
    """Round coordinates (6 decimals is about 0.1 m) and orient polygons right-hand."""
    geom = shapely.orient_polygons(geom, exterior_cw=False)
    return shapely.set_precision(geom, 10**-digits) if digits else geom


def feature(geom: Any, **props: Any) -> dict[str, Any]:
    clean = {k: v for k, v in props.items() if v is not None}
    return {
        "type": "Feature",
        "properties": clean,
        "geometry": None if geom is None else mapping(rounded(geom)),
    }


def write(out: Path, name: str, features: list[dict[str, Any]]) -> None:
    """One layer file in ``out``, as committed (one-space indent, UTF-8, final newline)."""
    doc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    (out / name).write_text(text + "\n", encoding="utf-8")
    print(f"{name}: {len(features)} features")


def load(ref: Path, name: str) -> list[dict[str, Any]]:
    return json.loads((ref / name).read_text(encoding="utf-8"))["features"]


def utm(geom: Any) -> Any:
    return shapely.transform(geom, TO_UTM.transform, interleaved=False)


def lonlat(geom: Any) -> Any:
    return shapely.transform(geom, FROM_UTM.transform, interleaved=False)


def geodesic_circle(lon: float, lat: float, radius_m: float, n: int = 72) -> Any:
    """A polygon of points ``radius_m`` metres (geodesic) around lon/lat."""
    azimuths = [360 * i / n for i in range(n)]
    lons, lats, _ = GEOD.fwd([lon] * n, [lat] * n, azimuths, [radius_m] * n)
    return shapely.Polygon(list(zip(lons, lats, strict=True)))


def main(ref: Path, /, *, out: Path = OUT) -> None:
    """Build every layer file from the reference folder ``ref`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    outline_feats = {
        f["properties"]["id"]: f for f in load(ref, "gaza_outline_borders_geomaps_osm2017.geojson")
    }
    gaza = shape(outline_feats["gaza_strip"]["geometry"])
    border_eg = shape(outline_feats["egypt_gaza_border"]["geometry"])
    line_il = shape(outline_feats["israel_gaza_line"]["geometry"])
    munis = {
        f["properties"]["name:en"]: f
        for f in load(ref, "gaza_municipalities_osm_2025-10-28.geojson")
    }
    held_src = load(ref, "yellow_line_idf_2025-10-19_gazamaps_via_btselem.geojson")
    held = shape(held_src[0]["geometry"])
    yellow = shape(held_src[1]["geometry"])
    places = {
        f["properties"]["name"]: f for f in load(ref, "places_rafah_wikipedia_geonames_osm.geojson")
    }

    def pt(name: str) -> Point:
        return shape(places[name]["geometry"])

    # --- context -------------------------------------------------------------------------
    ctx = {f["properties"]["id"]: f for f in load(ref, "context_countries_geomaps_osm2017.geojson")}
    clip_note = (
        "Clipped to 34.1-34.6 E, 31.15-31.65 N for map context: the straight clip edges are "
        "not borders. Exterior ring only (artefact holes of the source dropped)."
    )
    write(
        out,
        "context.geojson",
        [
            feature(
                shape(ctx["egy"]["geometry"]),
                id="egypt_context",
                name="Egypt (clipped, context)",
                name_ar="مصر",
                kind="neighbouring_state",
                source=["osm_geomaps_2017"],
                as_of="2017-12-01",
                accuracy_m=25,
                approximate=False,
                description=clip_note,
            ),
            feature(
                shape(ctx["isr"]["geometry"]),
                id="israel_context",
                name="Israel (clipped, context)",
                kind="neighbouring_state",
                source=["osm_geomaps_2017"],
                as_of="2017-12-01",
                accuracy_m=25,
                approximate=False,
                description=clip_note,
            ),
        ],
    )

    # --- boundaries ----------------------------------------------------------------------
    def muni(name: str) -> Any:
        return shape(munis[name]["geometry"]).intersection(gaza)

    rafah_gov = shape(
        load(ref, "rafah_governorate_approx_osm_municipalities.geojson")[0]["geometry"]
    )
    ky_names = [
        "Khan Yunis",
        "Bani Suheila",
        "'Abasan al-Saghira",
        "Abasan al-Kabira",
        "Khuza'a",
        "Al-Fukhari",
        "al-Qarara",
    ]
    ky_gov = unary_union([shape(munis[n]["geometry"]) for n in ky_names]).intersection(gaza)
    ky_gov = max(getattr(ky_gov, "geoms", [ky_gov]), key=lambda g: g.area)
    boundaries = [
        feature(
            gaza,
            id="gaza_strip",
            name="Gaza Strip",
            kind="territory",
            source=["osm_geomaps_2017"],
            as_of="2017-12-01",
            accuracy_m=25,
            approximate=False,
            description="Land outline (363.9 km2), OpenStreetMap about Dec 2017; coastline not independently checked.",
        ),
        feature(
            border_eg,
            id="egypt_gaza_border",
            name="Egypt-Gaza border (line of the Philadelphi corridor)",
            kind="border",
            source=["osm_geomaps_2017"],
            as_of="2017-12-01",
            accuracy_m=25,
            approximate=False,
            description="Shared edge of the Gaza and Egypt polygons (12.7 km).",
        ),
        feature(
            line_il,
            id="israel_gaza_line",
            name="Israel-Gaza boundary (1949/1950 armistice line as mapped in OSM)",
            kind="boundary_line",
            source=["osm_geomaps_2017"],
            as_of="2017-12-01",
            accuracy_m=25,
            approximate=False,
            description="Shared edge of the Gaza and Israel polygons (59.3 km).",
        ),
        feature(
            rafah_gov,
            id="rafah_governorate_approx",
            name="Rafah governorate (approximation)",
            name_ar="محافظة رفح",
            kind="governorate",
            source=["osm_municipalities_2025-10-28", "osm_geomaps_2017"],
            as_of=START,
            accessed="2025-10-28",
            accuracy_m=500,
            approximate=True,
            description=(
                "Approximation, not the official PCBS/OCHA boundary: union of the OSM municipalities "
                "of Rafah, Al-Nasr and Shokat as-Sufi clipped to the land outline (62.2 km2; the "
                "official governorate is about 64 km2)."
            ),
        ),
        feature(
            ky_gov,
            id="khan_younis_governorate_approx",
            name="Khan Younis governorate (approximation, context)",
            name_ar="محافظة خان يونس",
            kind="governorate",
            source=["osm_municipalities_2025-10-28", "osm_geomaps_2017"],
            as_of=START,
            accessed="2025-10-28",
            accuracy_m=1000,
            approximate=True,
            description=(
                "Approximation for context, not an official boundary: union of the OSM municipalities "
                "of " + ", ".join(ky_names) + ", clipped to the land outline."
            ),
        ),
    ]
    for name, ident in [
        ("Rafah", "rafah_municipality"),
        ("Al-Nasr", "al_nasr_municipality"),
        ("Shokat aa-Sufi", "shokat_as_sufi_municipality"),
    ]:
        p = munis[name]["properties"]
        label = "Shokat as-Sufi" if ident.startswith("shokat") else name
        boundaries.append(
            feature(
                muni(name),
                id=ident,
                name=f"{label} municipality",
                name_ar=p.get("name:ar"),
                name_he=p.get("name:he"),
                kind="municipality",
                source=["osm_municipalities_2025-10-28"],
                as_of=START,
                accessed="2025-10-28",
                accuracy_m=100,
                approximate=False,
                description=f"OSM administrative {p['@id']} (admin level {p['admin_level']}), clipped to the land outline.",
            )
        )
    write(out, "boundaries.geojson", boundaries)

    # --- the 6 May 2024 evacuation zone: the sourced bound on Jenina --------------------
    # Blocks 10-16 and 28 of the army's order of Monday 6 May 2024 (StatusText "Displaced",
    # Date 06 May), as digitised by gazamaps.com. WAFA (via UNA, 6 May 2024) says the area
    # ordered out included the Abu Youssef al-Najjar hospital, "located in the Al-Geneina
    # neighborhood, east of the city"; Reuters (via The Times of Israel, 8 May 2024) lists Jneina
    # among the neighbourhoods ordered to leave. So the hospital, and at least part of Jenina,
    # lie inside this zone. AFP (via the Jordan Times, 12 May 2024) says the order of 11 May
    # added "parts of" Jenina: the neighbourhood may reach beyond the zone.
    evac_blocks = [
        f
        for f in load(ref, "evacuation_zone_2024-05-06_11_gazamaps_via_nibal.geojson")
        if f["properties"]["StatusText"] == "Displaced"
        and f["properties"]["Date"].startswith("Mon, 06 May 2024")
    ]
    evac_numbers = sorted(int(f["properties"]["Block"]) for f in evac_blocks)
    assert evac_numbers == [10, 11, 12, 13, 14, 15, 16, 28], evac_numbers
    evac_zone = unary_union([shape(f["geometry"]) for f in evac_blocks])
    assert evac_zone.geom_type == "Polygon"
    assert held.contains(evac_zone.representative_point())
    evac_km2 = abs(GEOD.geometry_area_perimeter(evac_zone)[0]) / 1e6

    # --- Jenina estimate -------------------------------------------------------------------
    # Centre: the centroid of the 6 May zone (no source places Jenina more precisely inside
    # it). Accuracy: the distance from that centre to the farthest point of the zone, rounded
    # up to 100 m, so that any position inside the sourced bound is within the stated error.
    jenina_centre = evac_zone.centroid
    najjar_wiki = (34 + 14 / 60 + 37.5 / 3600, 31 + 17 / 60 + 49.1 / 3600)
    assert not evac_zone.contains(Point(najjar_wiki))
    najjar_wiki_km = GEOD.inv(*najjar_wiki, jenina_centre.x, jenina_centre.y)[2] / 1000
    jlon, jlat = jenina_centre.x, jenina_centre.y
    assert held.contains(jenina_centre), "the Jenina estimate must lie in the army-held area"
    ring = evac_zone.exterior.coords
    farthest = max(GEOD.inv(jlon, jlat, x, y)[2] for x, y in ring)
    jenina_accuracy = int(-(-farthest // 100) * 100)
    jenina = geodesic_circle(jlon, jlat, 1000).intersection(gaza)
    enclave = geodesic_circle(jlon, jlat, 500)
    jenina_where = (
        "ESTIMATE, not a survey: no surveyed boundary or published coordinate of Jenina (al-Jneina) was "
        "found. The sourced bound is the zone of the Israeli army's evacuation order of 6 May 2024 (blocks "
        f"10-16 and 28 of eastern Rafah, {evac_km2:.1f} km2, gazamaps.com): WAFA reported that the area "
        "ordered out included the Abu Youssef al-Najjar hospital, 'in the Al-Geneina neighborhood, east of "
        "the city', and Reuters listed Jneina among the neighbourhoods ordered to leave. AFP reported that "
        "the order of 11 May 2024 added 'parts of' Jenina, so the neighbourhood may reach beyond that zone. "
        f"The centre used here is the centroid of the 6 May zone ({jlon:.5f}, {jlat:.5f}); every point of "
        f"the zone lies within {jenina_accuracy} m of it, which is the stated accuracy."
    )
    jenina_how = (
        jenina_where
        + " Drawn as a circle of 1 km radius around that centre, a symbol of a neighbourhood's size, "
        "not its measured extent."
    )

    # --- control ---------------------------------------------------------------------------
    border_utm = utm(border_eg)
    philadelphi = lonlat(border_utm.buffer(100, cap_style="flat")).intersection(gaza)
    control = [
        feature(
            held,
            id="army_held_area_2025-10-19",
            name="Area held by the Israeli army (phase 1 of the Oct 2025 ceasefire)",
            kind="army_held_area",
            source=["idf_map_2025-10-19", "bbcverify_2025-10"],
            as_of="2025-10-19",
            valid_from="2025-10-19",
            accuracy_m=HELD_ACCURACY,
            approximate=True,
            description=(
                "APPROXIMATE: east of the 'yellow line', 194.5 km2, 53% of the Gaza Strip, as on the map the "
                "army's Arabic spokesman published on 19 Oct 2025, hand-traced by gazamaps.com from that "
                "small-scale map (+/-100-450 m). "
                + MARKERS
                + " Earlier versions of the line (the maps "
                "around 10 Oct and the army's online map of 14 Oct) are not drawn here."
            ),
        ),
        feature(
            yellow,
            id="yellow_line_2025-10-19",
            name="Yellow line (Israeli army withdrawal line, Oct 2025 ceasefire)",
            kind="control_line",
            source=["idf_map_2025-10-19", "bbcverify_2025-10", "trt_2025-10-10"],
            as_of="2025-10-19",
            valid_from="2025-10-19",
            accuracy_m=HELD_ACCURACY,
            approximate=True,
            description=(
                "APPROXIMATE: the inner edge of the army-held area above (its vertices more than 150 m from "
                "the Gaza outline, 46.1 km), hand-traced by gazamaps.com from the army's small-scale map of "
                "19 Oct 2025. This is the line as drawn on 19 Oct: at noon on 10 Oct 2025 the army said its "
                "troops began positioning themselves along the updated deployment lines (IDF statement, as "
                "reported that day), not that they stood on this line. " + MARKERS
            ),
        ),
        feature(
            philadelphi,
            id="philadelphi_corridor",
            name="Philadelphi corridor (Salah al-Din route)",
            name_ar="محور صلاح الدين",
            kind="military_corridor",
            source=["wikipedia_philadelphi", "osm_geomaps_2017"],
            as_of=START,
            accessed=ACCESSED,
            accuracy_m=300,
            approximate=True,
            description=(
                "ESTIMATE of the strip: the part of Gaza within 100 m of the Egypt-Gaza border line, "
                "after Wikipedia's 'some 100 metres wide and 14 km long'. Its width on the ground in 2025 "
                "was not checked against any source; it lies inside the army-held area."
            ),
        ),
        feature(
            enclave,
            id="tunnel_enclave_jenina",
            name="Tunnel enclave, Jenina (reported; estimate)",
            kind="tunnel_enclave",
            source=[
                "report_2025-11-10",
                "srugim_2025-11-05",
                "wafa_2024-05-06",
                "gazamaps_evacuation_2024-05-06",
            ],
            as_of=FIRST_REPORTED,
            accuracy_m=jenina_accuracy,
            approximate=True,
            description=(
                "ESTIMATE: a senior Turkish official (in the report) placed a 'tunnel enclave in Rafah's "
                "Jenina neighborhood', and Army Radio (5 Nov 2025) a tunnel in the Jenina area of eastern "
                "Rafah; the tunnels' extent and entrances are not public, and the army described a tunnel "
                "route of over 7 km (20 Nov 2025). This feature is a circle of 500 m radius at the centre "
                "of the Jenina estimate, whose centre is derived as follows. " + jenina_where
            ),
            claims=[
                {
                    "about": "Who is in the tunnels",
                    "by": "Israeli defence sources",
                    "says": "Hamas fighters sheltering in an Israeli-controlled pocket of Rafah",
                    "source": "report_2025-11-10",
                    "date": "2025-11-10",
                },
                {
                    "about": "Who is in the tunnels",
                    "by": "Israeli officials (as the report words it)",
                    "says": "'Hamas terrorists' trapped in tunnels in Rafah",
                    "source": "report_2025-11-10",
                    "date": "2025-11-10",
                },
                {
                    "about": "Who is in the tunnels",
                    "by": "A senior Turkish official (to Reuters)",
                    "says": "about 200 'civilians' trapped in a tunnel enclave in Jenina",
                    "source": "report_2025-11-10",
                    "date": "2025-11-09",
                },
                {
                    "about": "Where the tunnels are",
                    "by": "Security sources (per Army Radio, as cited by Srugim)",
                    "says": "the tunnel holding Hadar Goldin's body is in the area of the Jenina neighbourhood in eastern Rafah",
                    "source": "srugim_2025-11-05",
                    "date": "2025-11-05",
                },
                {
                    "about": "Where the tunnels are",
                    "by": "A senior Turkish official (to Reuters, as quoted in the report)",
                    "says": "a tunnel enclave in Rafah's Jenina neighbourhood",
                    "source": "report_2025-11-10",
                    "date": "2025-11-09",
                },
                {
                    "about": "Where the tunnels are",
                    "by": "Israeli army (post on X, as quoted by NDTV)",
                    "says": "the route where Goldin was held is over 7 km long and about 25 m deep, under a densely populated area of Rafah",
                    "source": "idf_2025-11-20",
                    "date": "2025-11-20",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "Security sources (per Army Radio, as cited by Srugim)",
                    "says": "about 150 entrenched in the Jenina-area tunnel",
                    "source": "srugim_2025-11-05",
                    "date": "2025-11-05",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "Israeli officials",
                    "says": "roughly 200",
                    "source": "report_2025-11-10",
                    "date": "2025-11-10",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "Israeli estimates (as cited by Okaz)",
                    "says": "200 to 300 across the Strip's tunnels, most of them in Rafah",
                    "source": "okaz_2025-11-07",
                    "date": "2025-11-07",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "Hamas, to mediators (per the Wall Street Journal, as cited by Okaz)",
                    "says": "closer to 100",
                    "source": "okaz_2025-11-07",
                    "date": "2025-11-07",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "The Times (as cited by The Jewish Chronicle)",
                    "says": "around 150 'renegade' Hamas fighters in tunnels in army-held zones",
                    "source": "thejc_2025-11-10",
                    "date": "2025-11-10",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "Arab reports (as cited by Israel Hayom)",
                    "says": "likely under 200, possibly fewer than 100",
                    "source": "israelhayom_2025-11-10",
                    "date": "2025-11-10",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "A Hamas leader (as cited by Okaz)",
                    "says": "between 60 and 80 (after the army said it had killed 30)",
                    "source": "okaz_2025-11-28",
                    "date": "2025-11-28",
                },
            ],
        ),
    ]
    write(out, "control.geojson", control)

    # --- historic: the 6 May 2024 evacuation zone (hidden by default) ----------------------
    write(
        out,
        "evacuation_2024.geojson",
        [
            feature(
                evac_zone,
                id="evacuation_zone_2024-05-06",
                name="Evacuation order of 6 May 2024, eastern Rafah (historic)",
                kind="evacuation_zone",
                source=["gazamaps_evacuation_2024-05-06", "wafa_2024-05-06", "toi_2024-05-08"],
                as_of="2024-05-06",
                valid_from="2024-05-06",
                accuracy_m=450,
                approximate=True,
                description=(
                    "HISTORIC, not a line of November 2025: the blocks the Israeli army ordered evacuated on "
                    f"6 May 2024 (blocks {', '.join(map(str, evac_numbers))}; {evac_km2:.1f} km2), as "
                    "hand-digitised by gazamaps.com from the army's map; accuracy as for the other "
                    "gazamaps tracings. Shown because reporting places al-Jneina (Jenina) and the Abu "
                    "Youssef al-Najjar hospital inside it: it is the sourced bound of the Jenina estimate. "
                    "The order of 11 May 2024 added further blocks, not drawn here."
                ),
                claims=[
                    {
                        "about": "What the 6 May 2024 zone contained",
                        "by": "Local sources (per WAFA, as published by UNA)",
                        "says": "the areas east of Rafah ordered to evacuate include the Abu Youssef al-Najjar hospital, in the al-Geneina neighbourhood east of the city, and the Rafah crossing",
                        "source": "wafa_2024-05-06",
                        "date": "2024-05-06",
                    },
                    {
                        "about": "What the 6 May 2024 zone contained",
                        "by": "Reuters (as published by The Times of Israel)",
                        "says": "people in the Jneina, al-Shawka, al-Salam and other neighbourhoods were ordered to leave",
                        "source": "toi_2024-05-08",
                        "date": "2024-05-08",
                    },
                    {
                        "about": "What the 6 May 2024 zone contained",
                        "by": "AFP (as published by the Jordan Times)",
                        "says": "the order of 11 May 2024 told residents to leave parts of Shaboura camp and the Jenina and Khirbet al-Adas neighbourhoods",
                        "source": "afp_2024-05-12",
                        "date": "2024-05-12",
                    },
                ],
            )
        ],
    )

    # --- neighbourhoods --------------------------------------------------------------------
    def ref_point(
        name: str, ident: str, label: str, kind: str, source: str, note: str | None = None
    ) -> dict[str, Any]:
        p = places[name]["properties"]
        text = "Label point from " + p["source"] + "." + (f" {p['note']}" if p.get("note") else "")
        return feature(
            pt(name),
            id=ident,
            name=label,
            name_ar=p.get("name_ar"),
            kind=kind,
            source=[source],
            as_of=START,
            accessed=ACCESSED
            if "Wikipedia" in p["source"] or "GeoNames" in p["source"]
            else "2025-10-28",
            accuracy_m=int(p["accuracy_m_claimed"]),
            approximate=False,
            description=(note + " " if note else "") + text,
        )

    neighbourhoods = [
        feature(
            jenina,
            id="jenina",
            claimant="this map's estimate (1 km around the centre of the 6 May 2024 zone)",
            confidence="low",
            name="Jenina (al-Jneina) neighbourhood (estimate)",
            name_ar="الجنينة",
            kind="neighbourhood",
            source=[
                "gazamaps_evacuation_2024-05-06",
                "wafa_2024-05-06",
                "toi_2024-05-08",
                "afp_2024-05-12",
                "aljazeeranet_2024-05-06",
                "report_2025-11-10",
                "idf_map_2025-10-19",
                "srugim_2025-11-05",
            ],
            as_of=FIRST_REPORTED,
            accuracy_m=jenina_accuracy,
            approximate=True,
            description=jenina_how,
        ),
        ref_point(
            "Tel al-Sultan (Tall as-Sultan camp)",
            "tel_al_sultan",
            "Tel al-Sultan",
            "neighbourhood",
            "wikipedia_tel_al_sultan",
        ),
        ref_point("Rafah camp", "rafah_camp", "Rafah camp", "camp", "wikipedia_rafah_camp"),
        ref_point(
            "Al-Brazil (Brazil block)",
            "al_brazil",
            "al-Brazil",
            "neighbourhood",
            "wikipedia_al_brazil",
        ),
        ref_point(
            "Shokat as-Sufi (al-Shouka)",
            "al_shouka",
            "al-Shouka (Shokat as-Sufi)",
            "neighbourhood",
            "geonames_281093",
        ),
        ref_point(
            "An-Nasr (al-Bayuk)",
            "an_nasr",
            "an-Nasr (al-Bayuk)",
            "neighbourhood",
            "geonames_6967857",
        ),
    ]
    write(out, "neighbourhoods.geojson", neighbourhoods)

    # --- places ----------------------------------------------------------------------------
    places_out = [
        ref_point(
            "Rafah (city centre)",
            "rafah_city_centre",
            "Rafah (city centre)",
            "city",
            "wikipedia_rafah",
        ),
        ref_point(
            "Rafah (OSM place node 322022888)",
            "rafah_osm_node",
            "Rafah (OSM place node)",
            "admin_centre",
            "osm_node_322022888",
        ),
        ref_point(
            "Al-Mawasi (Rafah)",
            "al_mawasi_rafah",
            "al-Mawasi (Rafah)",
            "area",
            "wikipedia_al_mawasi",
        ),
        ref_point("Khan Yunis", "khan_yunis", "Khan Younis", "city", "geonames_281124"),
        ref_point("Bani Suhaila", "bani_suhaila", "Bani Suhaila", "town", "geonames_281148"),
        ref_point("Khuza'a", "khuzaa", "Khuza'a", "town", "geonames_281119"),
        ref_point("Al-Fukhari", "al_fukhari", "al-Fukhari", "village", "geonames_281160"),
        ref_point(
            "Rafah Border Crossing",
            "rafah_crossing",
            "Rafah crossing (to Egypt)",
            "crossing",
            "wikipedia_rafah_crossing",
        ),
        ref_point(
            "Kerem Shalom / Karem Abu Salem crossing",
            "kerem_shalom_crossing",
            "Kerem Shalom / Karem Abu Salem crossing (to Israel)",
            "crossing",
            "wikipedia_kerem_shalom",
        ),
        ref_point(
            "Morag corridor (reference point)",
            "morag_corridor_point",
            "Morag corridor (label point)",
            "corridor_point",
            "wikipedia_morag",
        ),
        feature(
            jenina_centre,
            id="najjar_hospital",
            claimant=(
                "WAFA and the Institute for Palestine Studies (al-Jneina; drawn at the Jenina "
                "estimate)"
            ),
            confidence="medium",
            name="Abu Youssef al-Najjar hospital (estimated position, in al-Jneina)",
            name_ar="مستشفى الشهيد أبو يوسف النجار",
            kind="hospital",
            source=[
                "wafa_2024-05-06",
                "palestinestudies_najjar",
                "gazamaps_evacuation_2024-05-06",
                "wikipedia_najjar_hospital",
            ],
            as_of="2024-05-06",
            accuracy_m=jenina_accuracy,
            approximate=True,
            description=(
                "ESTIMATE: no published coordinate of the hospital agrees with what the sources say. WAFA "
                "(6 May 2024) and the Institute for Palestine Studies health database place it in the "
                "al-Geneina (Jenina) neighbourhood, east of Rafah; WAFA says it was inside the zone the army "
                "ordered evacuated on 6 May 2024. It is therefore drawn at the centre of the Jenina estimate "
                f"(the centroid of that zone), with an accuracy ({jenina_accuracy} m) that covers the whole "
                "zone. Wikipedia's infobox gives 31°17′49.1″N 34°14′37.5″E, north-western Rafah, about "
                f"{najjar_wiki_km:.1f} km away and outside that zone: shown as a rival claim, not drawn. "
                "Reported non-functional."
            ),
            claims=[
                {
                    "about": "Where the al-Najjar hospital is",
                    "by": "Local sources (per WAFA, as published by UNA)",
                    "says": "in the Al-Geneina neighbourhood, east of the city, inside the area ordered evacuated on 6 May 2024",
                    "source": "wafa_2024-05-06",
                    "date": "2024-05-06",
                },
                {
                    "about": "Where the al-Najjar hospital is",
                    "by": "Institute for Palestine Studies health database",
                    "says": "El-Geneina (al-Janina) neighbourhood, east of Rafah, Abu Youssef Al-Najjar Street, near al-Sunna mosque",
                    "source": "palestinestudies_najjar",
                    "date": ACCESSED,
                    "accessed": ACCESSED,
                },
                {
                    "about": "Where the al-Najjar hospital is",
                    "by": "Wikipedia (en) infobox",
                    "says": "31°17′49.1″N 34°14′37.5″E (north-western Rafah, outside the 6 May 2024 zone)",
                    "source": "wikipedia_najjar_hospital",
                    "date": "2023-10-01",
                },
            ],
        ),
    ]
    write(out, "places.geojson", places_out)

    # --- corridors (illustrative) ----------------------------------------------------------
    j_utm = utm(jenina_centre)
    near = shapely.ops.nearest_points(utm(yellow), j_utm)[0]
    dx, dy = near.x - j_utm.x, near.y - j_utm.y
    scale = (dx * dx + dy * dy) ** 0.5
    beyond = lonlat(Point(near.x + 150 * dx / scale, near.y + 150 * dy / scale))
    assert not held.contains(beyond), "corridor A must end outside the army-held area"
    crossing_r = pt("Rafah Border Crossing")
    crossing_k = pt("Kerem Shalom / Karem Abu Salem crossing")
    illus = (
        "ILLUSTRATION, not a route: the report names destinations, not routes. A straight line from the "
        f"centre of the Jenina estimate (itself approximate, +/-{jenina_accuracy} m) to "
    )
    corridors = [
        feature(
            LineString([jenina_centre, beyond]),
            id="corridor_exit_outside_held_area",
            name="Option A: exit to Palestinian territory outside the army-held area (illustrative)",
            kind="corridor",
            source=[
                "report_2025-11-10",
                "okaz_2025-11-07",
                "toi_2025-11-11",
                "israelhayom_2025-11-10",
            ],
            as_of="2025-11-10",
            accuracy_m=jenina_accuracy,
            approximate=True,
            illustrative=True,
            proposed_by="United States (reported offer); mediator Bashara Bahbah",
            status="discussed",
            destination="West of the yellow line, outside the army-held area",
            mode="on foot, after disarmament (reported condition)",
            description=(illus + "the nearest point of the yellow line, ending 150 m beyond it."),
            claims=[
                {
                    "about": "Exit options",
                    "by": "The United States (as cited by Okaz, from Israeli sources)",
                    "says": "offered safe passage to the yellow line for 24 hours; Hamas first rejected, then expressed interest",
                    "source": "okaz_2025-11-07",
                    "date": "2025-11-07",
                },
                {
                    "about": "Exit options",
                    "by": "Mediator Bashara Bahbah",
                    "says": "expects an agreement 'within days' letting them exit into safe Palestinian territory",
                    "source": "report_2025-11-10",
                    "date": "2025-11-10",
                },
                {
                    "about": "Exit options",
                    "by": "Kan (as cited by The Times of Israel)",
                    "says": "Israel refused Kushner's push to let them pass unarmed to the western side of Gaza",
                    "source": "toi_2025-11-11",
                    "date": "2025-11-11",
                },
                {
                    "about": "Exit options",
                    "by": "Israel Hayom",
                    "says": "one solution raised: emerge without weapons into areas under Hamas control",
                    "source": "israelhayom_2025-11-10",
                    "date": "2025-11-10",
                },
            ],
        ),
        feature(
            LineString([jenina_centre, crossing_r]),
            id="corridor_deportation_abroad",
            name="Option B: deportation abroad (illustrative, via Rafah crossing)",
            kind="corridor",
            source=["report_2025-11-10", "toi_2025-11-11"],
            as_of="2025-11-10",
            accuracy_m=jenina_accuracy,
            approximate=True,
            illustrative=True,
            proposed_by="Discussed in the talks (the report's 'clemency or deportation' formula)",
            status="discussed",
            destination="Abroad (no country named as agreeing)",
            mode="escorted transfer (not specified)",
            description=(
                illus
                + "the Rafah crossing to Egypt; the actual route abroad has not been reported."
            ),
            claims=[
                {
                    "about": "Exit options",
                    "by": "People briefed on the talks (the report)",
                    "says": "surrender, lay down arms, and receive clemency or deportation while the tunnels are destroyed",
                    "source": "report_2025-11-10",
                    "date": "2025-11-10",
                },
                {
                    "about": "Exit options",
                    "by": "Ynet, citing a security cabinet member (as cited by The Times of Israel)",
                    "says": "Netanyahu and Kushner agreed on exile to a third country, but no country has agreed to take them",
                    "source": "toi_2025-11-11",
                    "date": "2025-11-11",
                },
                {
                    "about": "Exit options",
                    "by": "Senior Hamas official Mohammad Nazzal (to Al-Araby TV, per the report)",
                    "says": "Hamas rejects exile from Gaza; its fighters will not surrender",
                    "source": "report_2025-11-10",
                    "date": "2025-11-10",
                },
            ],
        ),
        feature(
            LineString([jenina_centre, crossing_k]),
            id="corridor_surrender",
            name="Option C: surrender to the Israeli army (illustrative, to Kerem Shalom)",
            kind="corridor",
            source=["report_2025-11-10", "okaz_2025-11-07", "toi_2025-11-11"],
            as_of="2025-11-10",
            accuracy_m=jenina_accuracy,
            approximate=True,
            illustrative=True,
            proposed_by="Israel (per Channel 12 and Israeli officials)",
            status="proposed",
            destination="Surrender to the Israeli army",
            mode="on foot, unarmed",
            description=(
                illus + "the Kerem Shalom crossing, where a handover to Israeli custody might take "
                "place; no handover point has been reported. What would follow surrender is itself "
                "disputed: arrest, or killing (the chief of staff, per Channel 12); clemency or "
                "deportation (the formula in the report, see option B)."
            ),
            claims=[
                {
                    "about": "Exit options",
                    "by": "Channel 12 (as cited by The Times of Israel)",
                    "says": "Israel would let them emerge if they surrender their weapons and pledge not to return to fighting",
                    "source": "toi_2025-11-11",
                    "date": "2025-11-11",
                },
                {
                    "about": "Exit options",
                    "by": "Chief of Staff Eyal Zamir (per Channel 12, as cited by Okaz)",
                    "says": "opposes any safe passage: only surrender and arrest, or killing",
                    "source": "okaz_2025-11-07",
                    "date": "2025-11-07",
                },
            ],
        ),
    ]
    write(out, "corridors.geojson", corridors)

    # --- events ----------------------------------------------------------------------------
    east_rafah = (
        "Reported only as '(eastern) Rafah': the point is the centre of the Jenina estimate, not a reported "
        "position; its accuracy covers the 6 May 2024 evacuation zone of eastern Rafah."
    )
    yellow_m = GEOD.inv(*lonlat(near).coords[0], jlon, jlat)[2]
    near_line_accuracy = int(-(-(yellow_m + HELD_ACCURACY) // 500) * 500)
    near_line = (
        "Reported as 'eastern Rafah', and by one report near the yellow line: the point is the centre of "
        f"the Jenina estimate, not a reported position; the yellow line is {yellow_m / 1000:.1f} km from it, "
        f"so the stated accuracy ({near_line_accuracy} m) covers both."
    )

    def event(
        ident: str,
        time: str,
        precision: str,
        title: str,
        kind: str,
        actors: list[str],
        source: list[str],
        dating: str,
        description: str,
        where: Any = None,
        claims: list[dict[str, str]] | None = None,
        accuracy: int | None = None,
        place_note: str | None = None,
    ) -> dict[str, Any]:
        located = where is not None
        return feature(
            where,
            id=ident,
            title=title,
            name=title,
            kind=kind,
            time=time,
            time_precision=precision,
            dating=dating,
            actors=actors,
            source=source,
            as_of=time[:10],
            accuracy_m=(accuracy or jenina_accuracy) if located else None,
            approximate=located,
            description=description + (" " + (place_note or east_rafah) if located else ""),
            claims=claims,
        )

    events = [
        event(
            "ev_2025-10-10_ceasefire",
            "2025-10-10T09:00:00Z",
            "day",
            "Ceasefire takes effect; Israeli army says troops began positioning along the updated deployment lines",
            "ceasefire",
            ["Israeli army", "Hamas", "United States"],
            ["ians_2025-10-10", "trt_2025-10-10"],
            "The army's statements give noon Israel time (09:00 GMT) on 10 Oct 2025.",
            "The army's post on X (as quoted by IANS): 'Since 12:00, IDF troops began positioning themselves "
            "along the updated deployment lines'; its written statement to Anadolu was rendered as 'took up "
            "positions on the new operational deployment lines'. The line drawn on the control layer is the "
            "army's map of 19 Oct, not a survey of where troops stood.",
        ),
        event(
            "ev_2025-10-19_map",
            "2025-10-19T00:00:00Z",
            "day",
            "Israeli army publishes a map of the area it holds (the 'yellow line')",
            "publication",
            ["Israeli army"],
            ["idf_map_2025-10-19"],
            "Date of the spokesman's post cited by gazamaps.com.",
            "The map drawn on this situation's control layer; 53% of the Gaza Strip.",
        ),
        event(
            "ev_2025-11-05_army_radio",
            "2025-11-05T00:00:00Z",
            "day",
            "Army Radio: tunnel holding Hadar Goldin's body is in the Jenina area of eastern Rafah",
            "report",
            ["Israeli security sources", "Army Radio"],
            ["srugim_2025-11-05"],
            "Srugim's report of 5 Nov 2025 cites Army Radio (Galei Tzahal); the broadcast's hour is not known.",
            "Per security sources cited by Army Radio: about 150 are entrenched in the tunnel, part of a large "
            "Hamas underground system; Israel was avoiding striking it so that the body could be recovered. "
            "The figures are the sources', not verified.",
            claims=[
                {
                    "about": "How many are in the tunnels",
                    "by": "Security sources (per Army Radio, as cited by Srugim)",
                    "says": "about 150 in the tunnel in the Jenina area of eastern Rafah",
                    "source": "srugim_2025-11-05",
                    "date": "2025-11-05",
                }
            ],
        ),
        event(
            "ev_2025-11-06_witkoff",
            "2025-11-06T00:00:00Z",
            "day",
            "US envoy Witkoff calls a proposed deal for the men in Rafah a 'test' of disarmament",
            "statement",
            ["Steve Witkoff", "Egypt", "United States"],
            ["reuters_2025-11-06", "toi_2025-11-06"],
            "Reuters report of Thursday 6 Nov 2025 (Arab News copy, updated that day); the Times of Israel "
            "diplomat spoke on Wednesday 5 Nov, published 6 Nov.",
            "Per Reuters: Egyptian mediators proposed that the fighters hand their arms to Egypt and give details "
            "of the tunnels in exchange for safe passage to other areas of Gaza; neither Israel nor Hamas had "
            "publicly accepted. Each figure is attributed in the claims.",
            claims=[
                {
                    "about": "How many are in the tunnels",
                    "by": "US envoy Steve Witkoff (per Reuters)",
                    "says": "the proposed deal concerns some 200 fighters; a test for disarming Hamas across Gaza",
                    "source": "reuters_2025-11-06",
                    "date": "2025-11-06",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "A Middle Eastern diplomat (to The Times of Israel)",
                    "says": "the US pressed Israel to let 100 to 200 Hamas operatives leave safely",
                    "source": "toi_2025-11-06",
                    "date": "2025-11-06",
                },
                {
                    "about": "Exit options",
                    "by": "A Middle Eastern diplomat (to The Times of Israel)",
                    "says": "surrender weapons to the US-led coordination centre, then safe passage to a third country or withdrawal west of the yellow line",
                    "source": "toi_2025-11-06",
                    "date": "2025-11-06",
                },
            ],
        ),
        event(
            "ev_2025-11-06_cabinet",
            "2025-11-06T00:00:00Z",
            "day",
            "Israeli security cabinet discusses the Rafah tunnels",
            "meeting",
            ["Israeli security cabinet", "Israel Katz", "Eyal Zamir"],
            ["okaz_2025-11-07"],
            "Okaz of Friday 7 Nov 2025 reports the meeting of 'last night (Thursday)'.",
            "Per Channel 12 (as cited by Okaz): the defence minister ordered all tunnels destroyed; the chief of staff "
            "opposed any safe passage.",
        ),
        event(
            "ev_2025-11-07_us_offer",
            "2025-11-07T00:00:00Z",
            "week",
            "Reported US offer of 24-hour passage to the yellow line",
            "negotiation",
            ["United States", "Hamas"],
            ["okaz_2025-11-07"],
            "Okaz of 7 Nov 2025 says the offer was made 'earlier'; only the week is known.",
            "Per Okaz citing Israeli sources, Hamas first rejected the offer, then expressed interest.",
            claims=[
                {
                    "about": "How many are in the tunnels",
                    "by": "Hamas, to mediators (per the Wall Street Journal, as cited by Okaz)",
                    "says": "closer to 100",
                    "source": "okaz_2025-11-07",
                    "date": "2025-11-07",
                }
            ],
        ),
        event(
            "ev_2025-11-09_goldin",
            "2025-11-09T13:00:00Z",
            "day",
            "Remains of Lt. Hadar Goldin returned to Israel via the Red Cross",
            "handover",
            ["Hamas", "Red Cross", "Israeli army"],
            ["jns_2025-11-09", "yeshivaworld_2025-11-09", "report_2025-11-10"],
            "Sunday 9 Nov 2025: handed to the Red Cross at about 14:20 and to the army at about 15:00 Israel time.",
            "Hamas said it found the remains in a tunnel in Rafah on Saturday 8 Nov; held in Gaza since 2014.",
        ),
        event(
            "ev_2025-11-09_turkey",
            "2025-11-09T00:00:00Z",
            "day",
            "Turkish official: Ankara working on 'safe passage' for about 200 in Jenina",
            "statement",
            ["Turkey"],
            ["report_2025-11-10"],
            "The report (Monday 10 Nov 2025) says the official spoke 'late Sunday'.",
            "The official called them 'civilians'; Israeli defence sources dismissed that characterisation.",
            claims=[
                {
                    "about": "Who is in the tunnels",
                    "by": "A senior Turkish official (to Reuters)",
                    "says": "about 200 'civilians'",
                    "source": "report_2025-11-10",
                    "date": "2025-11-09",
                },
                {
                    "about": "Who is in the tunnels",
                    "by": "Israeli defence sources",
                    "says": "Hamas fighters",
                    "source": "report_2025-11-10",
                    "date": "2025-11-10",
                },
            ],
        ),
        event(
            "ev_2025-11-10_kushner",
            "2025-11-10T00:00:00Z",
            "day",
            "Jared Kushner meets Benjamin Netanyahu in Jerusalem",
            "meeting",
            ["Jared Kushner", "Benjamin Netanyahu"],
            ["aljazeera_2025-11-10", "israelhayom_2025-11-10"],
            "Al Jazeera of 10 Nov 2025: 'met Netanyahu in Jerusalem on Monday'.",
            "Per Israel Hayom, they agreed to resolve the tunnel issue jointly; US envoy Steve Witkoff called safe "
            "passage in exchange for disarmament 'a test case' (Al Jazeera).",
        ),
        event(
            "ev_2025-11-10_us_pressure",
            "2025-11-10T00:00:00Z",
            "day",
            "Israeli officials: US pressing for a negotiated 'safe passage'",
            "statement",
            ["United States", "Israeli officials"],
            ["report_2025-11-10", "medialine_2025-11-10"],
            "The report: 'Israeli officials said Monday' (10 Nov 2025).",
            "One formula: surrender, disarmament, clemency or deportation while the tunnels are destroyed.",
        ),
        event(
            "ev_2025-11-10_hamas_rejects_exile",
            "2025-11-10T00:00:00Z",
            "week",
            "Hamas official Mohammad Nazzal: Hamas rejects exile from Gaza",
            "statement",
            ["Hamas"],
            ["report_2025-11-10"],
            "Reported in the report of 10 Nov 2025 without a date of its own: only the week is known.",
            "Said to Al-Araby television; Hamas spokesmen say their fighters will not surrender.",
        ),
        event(
            "ev_2025-11-10_bahbah",
            "2025-11-10T00:00:00Z",
            "week",
            "Mediator Bashara Bahbah expects an agreement 'within days'",
            "statement",
            ["Bashara Bahbah"],
            ["report_2025-11-10"],
            "Reported in the report of 10 Nov 2025 without a date of its own: only the week is known.",
            "An agreement that would let them exit into safe Palestinian territory.",
        ),
        event(
            "ev_2025-11-11_impasse",
            "2025-11-11T00:00:00Z",
            "day",
            "Reports of an impasse: no agreed solution for the men in Rafah",
            "negotiation",
            ["Israel", "United States"],
            ["toi_2025-11-11"],
            "The Times of Israel report of Tuesday 11 Nov 2025.",
            "Channel 12: Israel would let them emerge if they surrender their weapons; Kan: Israel refused unarmed "
            "passage west; Ynet: exile agreed but no country willing.",
        ),
        event(
            "ev_2025-11-20_tunnel_route",
            "2025-11-20T00:00:00Z",
            "day",
            "Israeli army shows a tunnel route of over 7 km in Rafah where Hadar Goldin's body was held",
            "publication",
            ["Israeli army"],
            ["idf_2025-11-20"],
            "The army's post on X is dated Thursday 20 Nov 2025 (as quoted by NDTV, 21 Nov).",
            "Per the army: over 7 km long, about 25 m deep, about 80 hideouts, under a densely populated area of "
            "Rafah including a UNRWA compound, mosques, clinics and kindergartens. Not independently verified; "
            "no map of the route was published, so none is drawn.",
        ),
        event(
            "ev_2025-11-21_emerged",
            "2025-11-21T00:00:00Z",
            "day",
            "Israeli army reports men emerging from tunnels in eastern Rafah",
            "military_action",
            ["Israeli army"],
            ["toi_2025-11-21", "trt_2025-11-21", "theweek_2025-11-22"],
            "Both reports are of Friday 21 Nov 2025.",
            "The reports give different figures and places; see the claims.",
            where=jenina_centre,
            accuracy=near_line_accuracy,
            place_note=near_line,
            claims=[
                {
                    "about": "21 Nov incident in eastern Rafah",
                    "by": "Israeli army (per The Week)",
                    "says": "about 15 came out of two tunnel exits east of the yellow line, identified near the demarcation line; the area near the Jenina neighbourhood",
                    "source": "theweek_2025-11-22",
                    "date": "2025-11-22",
                },
                {
                    "about": "21 Nov incident in eastern Rafah",
                    "by": "Israeli army (per The Times of Israel)",
                    "says": "about 15 emerged at two locations; 6 killed in air strikes, 5 captured",
                    "source": "toi_2025-11-21",
                    "date": "2025-11-21",
                },
                {
                    "about": "21 Nov incident in eastern Rafah",
                    "by": "Israeli army (per Anadolu, TRT World)",
                    "says": "5 armed men who emerged from underground infrastructure killed",
                    "source": "trt_2025-11-21",
                    "date": "2025-11-21",
                },
            ],
        ),
        event(
            "ev_2025-11-23_cairo",
            "2025-11-23T00:00:00Z",
            "day",
            "Hamas delegation discusses the 'Rafah fighters' with Egypt's intelligence chief in Cairo",
            "meeting",
            ["Hamas", "Egypt"],
            ["alkhaleej_2025-11-25"],
            "The report of 25 Nov 2025 dates the talks to Sunday (23 Nov 2025).",
            "Hamas said contact with the men had been lost.",
        ),
        event(
            "ev_2025-11-25_five",
            "2025-11-25T00:00:00Z",
            "day",
            "Israeli army says it killed 5 who came out of a tunnel in eastern Rafah",
            "military_action",
            ["Israeli army"],
            ["alkhaleej_2025-11-25", "okaz_2025-11-26"],
            "Announced on the evening of Tuesday 25 Nov 2025.",
            "The army's statement calls them 'terrorists'; the number and identity are the army's.",
            where=jenina_centre,
        ),
        event(
            "ev_2025-11-26_six",
            "2025-11-26T00:00:00Z",
            "day",
            "Israeli army: 4 killed and 2 arrested of 6 who left a tunnel in Rafah",
            "military_action",
            ["Israeli army"],
            ["okaz_2025-11-26"],
            "Okaz of Wednesday 26 Nov 2025: 'today (Wednesday)'.",
            "Per the army, the Nahal Brigade continues to operate in eastern Rafah.",
            where=jenina_centre,
        ),
        event(
            "ev_2025-11-28_thirty",
            "2025-11-28T00:00:00Z",
            "day",
            "Israeli army says 30 of those in the Rafah tunnels killed so far",
            "statement",
            ["Israeli army", "Hamas"],
            ["okaz_2025-11-28", "msdr_2025-11-28"],
            "Okaz of Friday 28 Nov 2025: 'today (Friday)'.",
            "Hamas has not confirmed the army's figure; talks with mediators continue.",
            claims=[
                {
                    "about": "How many of them have been killed",
                    "by": "Israeli army (as cited by Okaz)",
                    "says": "30 killed so far, 'including 9 in eastern Rafah' (as Okaz's text reads in translation)",
                    "source": "okaz_2025-11-28",
                    "date": "2025-11-28",
                },
                {
                    "about": "How many of them have been killed",
                    "by": "Channel 14 (as cited by Masdar al-Akhbariya)",
                    "says": "the army killed 9 more Hamas fighters inside one of the Rafah tunnels; more than 30 killed so far, including all 24 in one tunnel",
                    "source": "msdr_2025-11-28",
                    "date": "2025-11-28",
                },
                {
                    "about": "How many are in the tunnels",
                    "by": "A Hamas leader (as cited by Okaz)",
                    "says": "between 60 and 80 remain",
                    "source": "okaz_2025-11-28",
                    "date": "2025-11-28",
                },
            ],
        ),
    ]
    write(out, "events.geojson", events)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference"))
