"""The Rafah situation's events: each dated, sourced and, where placed, placed at the
Jenina estimate's centre with an accuracy that says so (``scripts/build_rafah.py``)."""

from __future__ import annotations

from typing import Any

from rafah_common import GEOD, HELD_ACCURACY, feature, lonlat


def events(*, centre: Any, accuracy: int, near_utm: Any) -> list[dict[str, Any]]:
    """Every event. ``centre``: the Jenina estimate's centre (lon/lat); ``accuracy``: its
    accuracy (m); ``near_utm``: the yellow line's nearest point to it (UTM 36N, metres)."""
    jenina_centre, jenina_accuracy, near = centre, accuracy, near_utm
    jlon, jlat = centre.x, centre.y
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

    return [
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
