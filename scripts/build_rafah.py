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

import sys
from pathlib import Path
from typing import Any

import rafah_events
import shapely
from rafah_common import (
    ACCESSED,
    FIRST_REPORTED,
    GEOD,
    HELD_ACCURACY,
    MARKERS,
    START,
    feature,
    geodesic_circle,
    load,
    lonlat,
    utm,
    write,
)
from shapely.geometry import LineString, Point, shape
from shapely.ops import unary_union

OUT = Path(__file__).resolve().parents[1] / "geodata" / "rafah-2025-11"


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
    events = rafah_events.events(centre=jenina_centre, accuracy=jenina_accuracy, near_utm=near)
    write(out, "events.geojson", events)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference"))
