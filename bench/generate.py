"""Generate a negotiation of realistic shape and size, for the projections benchmark.

193 Member States and a dozen overlapping groups (G77 and China, EU, African Group, AOSIS,
LDCs, the regional groups...), co-facilitators, the secretariat, observers and
stakeholders; six rounds; a zero draft of 200 UN-style paragraphs and a revised draft
after each round whose text follows from the amendments decided; thousands of
amendments with their positions, revisions, withdrawals and decisions; paragraph statuses;
silence procedures; stakeholder inputs. About ``events`` events in all.

Every event comes from the aggregates' own command methods, so the domain's rules hold;
what is skipped is the application's load-check-save per command: the aggregates stay in
memory and events are saved in large batches, in the order they happened.

    .venv/bin/python bench/generate.py --db /tmp/bench.sqlite --events 1000000

The roster is close to the real one (2025 memberships, from memory: good enough for a
benchmark, not a reference). Texts, proposals and positions are synthetic.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.application import Tracker  # noqa: E402
from tracker.domain.amendment import (  # noqa: E402
    CO_SPONSORS,
    DELETE,
    DELETE_PARAGRAPH,
    INCORPORATED,
    INSERT,
    MOVE,
    NEW_PARAGRAPH,
    NOT_RETAINED,
    OPPOSES,
    PARTLY_INCORPORATED,
    REPLACE,
    RESERVE,
    RESERVES,
    RETAIN,
    SUPPORTS,
    Amendment,
    check_proposal,
    proposed_text,
)
from tracker.domain.base import Actor, negotiation_id  # noqa: E402
from tracker.domain.negotiation import (  # noqa: E402
    CHAIR,
    GROUP,
    MEMBER_STATE,
    OBSERVER,
    SECRETARIAT_CODE,
    STAKEHOLDER,
    UN_LANGUAGES,
    Negotiation,
)
from tracker.domain.revision import AGREED_AD_REF, BRACKETED, MATCH_NEW, OPEN, REOPENED, Paragraph, Revision  # noqa: E402
from tracker.domain.silence import SilenceProcedure  # noqa: E402
from tracker.domain.stakeholder import StakeholderInput  # noqa: E402
from tracker.text.align import EXACT, MOVED, SIMILAR, similarity  # noqa: E402
from tracker.text.document import HEADING, ITEM, OPERATIVE, PREAMBULAR  # noqa: E402

# --- the roster ------------------------------------------------------------------------

_STATES = """
AFG Afghanistan
ALB Albania
DZA Algeria
AND Andorra
AGO Angola
ATG Antigua and Barbuda
ARG Argentina
ARM Armenia
AUS Australia
AUT Austria
AZE Azerbaijan
BHS Bahamas
BHR Bahrain
BGD Bangladesh
BRB Barbados
BLR Belarus
BEL Belgium
BLZ Belize
BEN Benin
BTN Bhutan
BOL Bolivia (Plurinational State of)
BIH Bosnia and Herzegovina
BWA Botswana
BRA Brazil
BRN Brunei Darussalam
BGR Bulgaria
BFA Burkina Faso
BDI Burundi
CPV Cabo Verde
KHM Cambodia
CMR Cameroon
CAN Canada
CAF Central African Republic
TCD Chad
CHL Chile
CHN China
COL Colombia
COM Comoros
COG Congo
CRI Costa Rica
CIV Côte d'Ivoire
HRV Croatia
CUB Cuba
CYP Cyprus
CZE Czechia
PRK Democratic People's Republic of Korea
COD Democratic Republic of the Congo
DNK Denmark
DJI Djibouti
DMA Dominica
DOM Dominican Republic
ECU Ecuador
EGY Egypt
SLV El Salvador
GNQ Equatorial Guinea
ERI Eritrea
EST Estonia
SWZ Eswatini
ETH Ethiopia
FJI Fiji
FIN Finland
FRA France
GAB Gabon
GMB Gambia
GEO Georgia
DEU Germany
GHA Ghana
GRC Greece
GRD Grenada
GTM Guatemala
GIN Guinea
GNB Guinea-Bissau
GUY Guyana
HTI Haiti
HND Honduras
HUN Hungary
ISL Iceland
IND India
IDN Indonesia
IRN Iran (Islamic Republic of)
IRQ Iraq
IRL Ireland
ISR Israel
ITA Italy
JAM Jamaica
JPN Japan
JOR Jordan
KAZ Kazakhstan
KEN Kenya
KIR Kiribati
KWT Kuwait
KGZ Kyrgyzstan
LAO Lao People's Democratic Republic
LVA Latvia
LBN Lebanon
LSO Lesotho
LBR Liberia
LBY Libya
LIE Liechtenstein
LTU Lithuania
LUX Luxembourg
MDG Madagascar
MWI Malawi
MYS Malaysia
MDV Maldives
MLI Mali
MLT Malta
MHL Marshall Islands
MRT Mauritania
MUS Mauritius
MEX Mexico
FSM Micronesia (Federated States of)
MCO Monaco
MNG Mongolia
MNE Montenegro
MAR Morocco
MOZ Mozambique
MMR Myanmar
NAM Namibia
NRU Nauru
NPL Nepal
NLD Netherlands (Kingdom of the)
NZL New Zealand
NIC Nicaragua
NER Niger
NGA Nigeria
MKD North Macedonia
NOR Norway
OMN Oman
PAK Pakistan
PLW Palau
PAN Panama
PNG Papua New Guinea
PRY Paraguay
PER Peru
PHL Philippines
POL Poland
PRT Portugal
QAT Qatar
KOR Republic of Korea
MDA Republic of Moldova
ROU Romania
RUS Russian Federation
RWA Rwanda
KNA Saint Kitts and Nevis
LCA Saint Lucia
VCT Saint Vincent and the Grenadines
WSM Samoa
SMR San Marino
STP Sao Tome and Principe
SAU Saudi Arabia
SEN Senegal
SRB Serbia
SYC Seychelles
SLE Sierra Leone
SGP Singapore
SVK Slovakia
SVN Slovenia
SLB Solomon Islands
SOM Somalia
ZAF South Africa
SSD South Sudan
ESP Spain
LKA Sri Lanka
SDN Sudan
SUR Suriname
SWE Sweden
CHE Switzerland
SYR Syrian Arab Republic
TJK Tajikistan
THA Thailand
TLS Timor-Leste
TGO Togo
TON Tonga
TTO Trinidad and Tobago
TUN Tunisia
TUR Türkiye
TKM Turkmenistan
TUV Tuvalu
UGA Uganda
UKR Ukraine
ARE United Arab Emirates
GBR United Kingdom of Great Britain and Northern Ireland
TZA United Republic of Tanzania
USA United States of America
URY Uruguay
UZB Uzbekistan
VUT Vanuatu
VEN Venezuela (Bolivarian Republic of)
VNM Viet Nam
YEM Yemen
ZMB Zambia
ZWE Zimbabwe
"""
MEMBER_STATES: tuple[tuple[str, str], ...] = tuple((row[:3], row[4:]) for row in _STATES.strip().splitlines())

_AFRICA = (
    "DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG CIV COD DJI EGY GNQ ERI SWZ ETH GAB GMB GHA GIN GNB KEN LSO "
    "LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA STP SEN SYC SLE SOM ZAF SSD SDN TGO TUN UGA TZA ZMB ZWE"
).split()
_GRULAC = (
    "ATG ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI HND JAM MEX NIC PAN PRY PER KNA "
    "LCA VCT SUR TTO URY VEN"
).split()
_EEG = "ALB ARM AZE BLR BIH BGR HRV CZE EST GEO HUN LVA LTU MNE MKD POL MDA ROU RUS SRB SVK SVN UKR".split()
_WEOG = (
    "AND AUS AUT BEL CAN DNK FIN FRA DEU GRC ISL IRL ISR ITA LIE LUX MLT MCO NLD NZL NOR PRT SMR ESP SWE CHE TUR "
    "GBR USA"
).split()
_APG = [code for code, _ in MEMBER_STATES if code not in {*_AFRICA, *_GRULAC, *_EEG, *_WEOG}]
_EU = (
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE"
).split()
_NOT_G77 = {"MEX", "JPN", "KOR", "CYP", "KAZ", "KGZ", "UZB", "TUV", "ISR", "TUR"}
# G77 and China: Africa, Latin America and the Caribbean and most of Asia-Pacific, and one
# observer State: a group's members need not all be Member States.
_G77 = [c for c in _AFRICA + _GRULAC + _APG if c not in _NOT_G77] + ["BIH", "PSE"]
_AOSIS = (
    "ATG BHS BRB BLZ CPV COM CUB DMA DOM FJI FSM GRD GNB GUY HTI JAM KIR MDV MHL MUS NRU PLW PNG WSM STP SYC SGP "
    "SLB KNA LCA VCT SUR TLS TON TTO TUV VUT"
).split()
_LDC = (
    "AGO BEN BFA BDI CAF TCD COM COD DJI ERI ETH GMB GIN GNB LSO LBR MDG MWI MLI MRT MOZ NER RWA SEN SLE SOM SSD "
    "SDN TGO UGA TZA ZMB AFG BGD KHM LAO MMR NPL TLS YEM HTI KIR SLB TUV"
).split()
_LLDC = (
    "AFG ARM AZE BTN BOL BWA BFA BDI CAF TCD ETH KAZ KGZ LAO LSO MWI MLI MNG NPL NER PRY MDA MKD RWA SSD SWZ TJK "
    "TKM UGA UZB ZMB ZWE"
).split()
_ARAB = "DZA BHR COM DJI EGY IRQ JOR KWT LBN LBY MRT MAR OMN PSE QAT SAU SOM SDN SYR TUN ARE YEM".split()
_JUSCANZ = "JPN USA CHE CAN AUS NOR NZL ISL KOR".split()

# code, name, members, who usually speaks for it (a member taking the floor "on behalf of").
GROUPS: tuple[tuple[str, str, list[str], tuple[str, ...]], ...] = (
    ("G77", "Group of 77 and China", _G77, ("IRQ",)),
    ("EU", "European Union", _EU, ("POL", "DNK")),
    ("AFRICA", "African Group", _AFRICA, ("NGA", "EGY", "KEN")),
    ("AOSIS", "Alliance of Small Island States", _AOSIS, ("WSM",)),
    ("LDC", "Least Developed Countries", _LDC, ("MWI",)),
    ("GRULAC", "Latin American and Caribbean Group", _GRULAC, ("BRA", "CHL", "JAM")),
    ("APG", "Asia-Pacific Group", _APG, ("IDN", "PHL")),
    ("WEOG", "Western European and Other States Group", _WEOG, ("DNK",)),
    ("EEG", "Eastern European Group", _EEG, ("EST",)),
    ("ARAB", "Arab Group", _ARAB, ("SAU", "EGY")),
    ("LLDC", "Landlocked Developing Countries", _LLDC, ("BWA",)),
    ("JUSCANZ", "JUSCANZ", _JUSCANZ, ("CAN", "AUS")),
)
OBSERVERS = (
    ("VAT", "Holy See"),
    ("PSE", "State of Palestine"),
    ("ICRC", "International Committee of the Red Cross"),
    ("IPU", "Inter-Parliamentary Union"),
    ("IOM", "International Organization for Migration"),
    ("OIF", "Organisation internationale de la Francophonie"),
)
STAKEHOLDERS = (
    ("CIVICUS", "CIVICUS: World Alliance for Citizen Participation"),
    ("AMNESTY", "Amnesty International"),
    ("HRW", "Human Rights Watch"),
    ("OXFAM", "Oxfam International"),
    ("ICC-BUSINESS", "International Chamber of Commerce"),
    ("ITUC", "International Trade Union Confederation"),
    ("WMG", "Women's Major Group"),
    ("MGCY", "UN Major Group for Children and Youth"),
    ("IPMG", "Indigenous Peoples Major Group"),
    ("GANHRI", "Global Alliance of National Human Rights Institutions"),
    ("IISD", "International Institute for Sustainable Development"),
    ("WRI", "World Resources Institute"),
    ("CAN-INT", "Climate Action Network International"),
    ("SDSN", "Sustainable Development Solutions Network"),
    ("WBCSD", "World Business Council for Sustainable Development"),
    ("ACADEMIA", "Academic Council on the United Nations System"),
)
# How much a delegation speaks, relative to an ordinary one: a few delegations and the big
# groups take the floor on almost everything, most take it now and then.
ACTIVITY = {
    "G77": 12, "EU": 12, "AFRICA": 7, "AOSIS": 6, "LDC": 5, "ARAB": 4, "LLDC": 3, "JUSCANZ": 3,
    "GRULAC": 2, "APG": 1.5, "WEOG": 1, "EEG": 1,
    "USA": 10, "CHN": 7, "RUS": 7, "BRA": 5, "IND": 5, "GBR": 5, "JPN": 4, "CAN": 4, "AUS": 4, "CHE": 4,
    "NOR": 4, "MEX": 4, "ZAF": 4, "EGY": 4, "SAU": 4, "ARG": 3, "IRN": 3, "PAK": 3, "NZL": 3, "KOR": 3,
    "IDN": 3, "TUR": 3, "COL": 3, "CUB": 3, "NGA": 3, "FRA": 3, "DEU": 3, "ISR": 2, "SGP": 2, "VEN": 2,
}

# The reference process: six rounds, February to July, of 3, 4, 4, 5, 5 and 5 days.
ROUND_DAYS = (3, 4, 4, 5, 5, 5)
FIRST_ROUND = date(2026, 2, 9)
VENUES = ("Conference Room 4, United Nations Headquarters, New York", "Trusteeship Council Chamber, New York")

# --- the shape of the activity -----------------------------------------------------------

# What a proposal does, and how often (the rest of its life is drawn in _plan_amendment).
ACTION_WEIGHTS = (
    (REPLACE, 0.34), (INSERT, 0.20), (DELETE, 0.14), (NEW_PARAGRAPH, 0.08), (DELETE_PARAGRAPH, 0.05),
    (MOVE, 0.03), (RETAIN, 0.09), (RESERVE, 0.07),
)
P_REVISED = 0.15  # the proposer revises its text once (and a fifth of those twice)
P_WITHDRAWN = 0.06
P_DROP = 0.03  # a delegation drops the position it took
P_CHANGE = 0.04  # ... or changes its stance
P_NOTE = 0.08  # a position comes with a note
P_CARRIED = 0.04  # a pending proposal left undecided by the next revision
INPUT_SHARE = 0.002  # stakeholder inputs, as a share of a round's events
# Text changes the co-facilitators make to one paragraph per revision, at most: the rest
# of its proposals are not retained, however much support they had.
MAX_CHANGES = (1, 2, 2, 3)
MIN_AMENDMENTS_PER_ROUND = 8  # so that every kind of event shows up even in a tiny run
# Stance by affinity (number of groups the proposer's bloc and the speaker share: 0, 1, 2+),
# as cumulative thresholds for supports, opposes, co-sponsors, reserves.
STANCES = (SUPPORTS, OPPOSES, CO_SPONSORS, RESERVES)
STANCE_THRESHOLDS = ((0.30, 0.70, 0.80), (0.50, 0.75, 0.85), (0.55, 0.65, 0.90))

# --- text ------------------------------------------------------------------------------

SUBJECTS = (
    "Member States", "all States", "developing countries", "developed countries", "the international community",
    "relevant United Nations entities", "international financial institutions", "multilateral development banks",
    "regional and subregional organizations", "the United Nations development system",
    "national and local authorities", "all relevant stakeholders",
)
VERBS = (
    ("strengthen", "Strengthening"), ("promote", "Promoting"), ("ensure", "Ensuring"), ("enhance", "Enhancing"),
    ("support", "Supporting"), ("mobilize", "Mobilizing"), ("scale up", "Scaling up"), ("facilitate", "Facilitating"),
    ("accelerate", "Accelerating"), ("integrate", "Integrating"), ("advance", "Advancing"), ("improve", "Improving"),
    ("expand", "Expanding"), ("protect", "Protecting"), ("prioritize", "Prioritizing"),
)
OBJECTS = (
    "international cooperation on sustainable development",
    "access to affordable, reliable and modern energy services",
    "the means of implementation, including finance, technology and capacity-building",
    "the transfer of environmentally sound technologies",
    "adequate and predictable climate finance",
    "sustained, inclusive and sustainable economic growth",
    "the human rights and fundamental freedoms of all migrants",
    "gender equality and the empowerment of all women and girls",
    "long-term debt sustainability",
    "disaster risk reduction and early warning systems for all",
    "digital public infrastructure and meaningful connectivity",
    "food security and improved nutrition",
    "universal health coverage and resilient health systems",
    "the conservation and sustainable use of the oceans",
    "quality education and lifelong learning opportunities",
    "decent work and universal social protection systems",
    "the reform of the international financial architecture",
    "data collection, disaggregation and statistical capacities",
    "the participation of young people in decision-making",
    "the rights of indigenous peoples",
    "adaptation to the adverse effects of climate change",
    "responsible business conduct",
    "science, technology and innovation for development",
    "sustainable consumption and production patterns",
    "the rule of law at the national and international levels",
    "domestic resource mobilization and tax cooperation",
    "safe, orderly and regular migration",
    "the prevention of conflict and the sustaining of peace",
)
QUALIFIERS = (
    "in accordance with national priorities and circumstances",
    "consistent with international law",
    "taking into account different national realities, capacities and levels of development",
    "on a voluntary basis and on mutually agreed terms",
    "in line with the 2030 Agenda for Sustainable Development",
    "with full respect for national sovereignty",
    "as appropriate",
    "through enhanced multilateral cooperation",
    "including through North-South, South-South and triangular cooperation",
    "in particular in the least developed countries, landlocked developing countries and small island developing States",
    "within existing resources",
    "in a manner that leaves no one behind",
    "in accordance with the principle of common but differentiated responsibilities and respective capabilities",
    "with the full, equal and meaningful participation of women",
    "on the basis of the best available science",
    "in cooperation with relevant stakeholders",
)
TIMELINES = (
    "by 2030", "by 2028", "no later than 2027", "within two years", "on a regular basis", "in the coming decade",
    "before the end of the eighty-second session of the General Assembly",
)
INSERTS = (
    "and inclusive", "fully and effectively", "in all its forms and dimensions", "and mutually agreed",
    "including women and youth", "in a coordinated manner", "where appropriate", "at all levels",
    "new and additional", "in a timely manner", "with the consent of the countries concerned",
) + QUALIFIERS
SWAPS = (
    ("shall", "should"), ("should", "shall"), ("will", "may"), ("ensure", "strive to ensure"),
    ("strengthen", "enhance"), ("enhance", "strengthen"), ("promote", "support"), ("support", "promote"),
    ("all", "relevant"), ("essential", "important"), ("adequate", "sufficient"), ("rights", "human rights"),
    ("international", "multilateral"), ("regular", "periodic"), ("2030", "2035"), ("2028", "2030"),
    ("two", "three"), ("scale up", "mobilize"), ("accelerate", "advance"), ("women", "women and girls"),
    ("sustainable", "sustainable and inclusive"), ("developing countries", "developing countries, in particular LDCs"),
)
PREAMBLE_THAT = (
    "Recognizing", "Acknowledging", "Emphasizing", "Stressing", "Convinced", "Underlining", "Mindful", "Conscious",
)
PREAMBLE_CONCERN = ("Noting with concern", "Deeply concerned", "Expressing concern", "Alarmed")
PREAMBLE_WELCOME = ("Welcoming", "Taking note of", "Noting with appreciation", "Acknowledging")
PREAMBLE_RECALL = ("Recalling", "Reaffirming", "Recalling also", "Reaffirming further")
PROBLEMS = (
    "the financing gap for the Sustainable Development Goals continues to widen",
    "progress towards most of the Sustainable Development Goals is insufficient or has stalled",
    "the adverse impacts of climate change disproportionately affect developing countries",
    "debt service burdens constrain investment in sustainable development",
    "the digital divide between and within countries persists",
    "inequalities within and among countries continue to grow",
    "humanitarian needs have reached unprecedented levels",
)
REPORTS = (
    "report of the Secretary-General on the implementation of the present process",
    "outcome of the fourth International Conference on Financing for Development",
    "work of the high-level political forum on sustainable development",
    "contributions of the regional economic commissions",
    "recommendations of the High-level Advisory Board on Effective Multilateralism",
)
RESOLUTIONS = (
    ("70/1", "25 September 2015", "Transforming our world: the 2030 Agenda for Sustainable Development"),
    ("69/313", "27 July 2015", "Addis Ababa Action Agenda of the Third International Conference on Financing for Development"),
    ("71/280", "6 April 2017", "Modalities for the intergovernmental negotiations of the global compact"),
    ("73/195", "19 December 2018", "Global Compact for Safe, Orderly and Regular Migration"),
    ("79/1", "22 September 2024", "The Pact for the Future"),
    ("75/1", "21 September 2020", "Declaration on the commemoration of the seventy-fifth anniversary of the United Nations"),
)
OPERATIVE_HEADS = ("Calls upon", "Urges", "Encourages", "Invites", "Reaffirms the commitment of", "Stresses the need for")
SECTIONS = (
    "Vision and shared principles", "Sustainable development and financing for development", "Climate and environment",
    "Peace, security and human rights", "Science, technology and digital cooperation", "Youth and future generations",
    "Transforming global governance", "Follow-up and review",
)
RATIONALES = (
    "", "", "Agreed language from resolution 70/1.", "To reflect national circumstances.",
    "Streamlining: the idea is covered elsewhere in the text.", "Consistency with the Pact for the Future.",
    "To strengthen the level of ambition.", "The paragraph prejudges ongoing processes in other forums.",
    "To align with the Addis Ababa Action Agenda.", "Balance between the three dimensions of sustainable development.",
)
NOTES = (
    "subject to the outcome on related paragraphs", "with a preference for agreed language", "flexible on the wording",
    "pending instructions from capital", "can join consensus if the reference to 2030 is kept",
)
WITHDRAW_REASONS = ("merged into a joint proposal", "overtaken by the co-facilitators' text", "in a spirit of compromise", "")
BREAK_REASONS = (
    "cannot accept the new reference without further consultations with capital",
    "the paragraph prejudges ongoing negotiations in other forums",
    "the compromise does not reflect the balance reached in the informal consultations",
)
THEMES = (
    "human rights", "gender equality", "youth", "climate finance", "digital cooperation", "debt", "migration",
    "indigenous peoples", "private sector engagement", "follow-up and review",
)
LATIN = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]\s*\[([^\[\]]*)\]")
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")
_SPACE_PUNCT = re.compile(r" +([,.;:])")
_SPACES = re.compile(r" {2,}")

# Steps of a round's schedule.
_PROPOSE, _POSITION, _DROP, _REVISE, _WITHDRAW, _INPUT = range(6)


@dataclass(slots=True)
class _Plan:
    """An amendment as planned, before and while its events are recorded."""

    id: uuid.UUID
    paragraph: dict[str, Any]  # in the base revision
    action: str
    old_text: str
    new_text: str
    after: str
    actor: Actor
    on_behalf_of: str
    rationale: str
    amendment: Amendment | None = None


class _Batch:
    """Events of many aggregates in the order they happened, handed to ``save()`` as one.

    ``save()`` takes aggregates (whose pending events it files aggregate by aggregate) or
    events, and checks every object it is given against a runtime-checkable Protocol, which
    costs ~30 us: passing a million events one by one spent more time there than in SQLite.
    One object that collects them all keeps the order and makes that one check per save.
    """

    id = uuid.UUID(int=0)  # save() files it under its id; no event has it, so no snapshot

    def __init__(self, events: list[Any]) -> None:
        self._events = events

    def collect_events(self) -> list[Any]:
        events, self._events = self._events, []
        return events


def _settings(tracker: Tracker) -> dict[str, str]:
    """The settings the tracker was opened with (its env, less what it read from os.environ)."""
    return {k: v for k, v in tracker.env.items() if os.environ.get(k) != v}


def _reopenable(tracker: Tracker) -> bool:
    """Whether another process can open the same store: a file or a server, not memory."""
    module = tracker.env.get("PERSISTENCE_MODULE", "")
    dbname = tracker.env.get("SQLITE_DBNAME", "")
    if module == "eventsourcing.sqlite":
        return bool(dbname) and ":memory:" not in dbname and "mode=memory" not in dbname
    return module == "eventsourcing.postgres"


class _Writer:
    """A second process that saves the batches, in order, while this one generates more.

    Generating is bound by the library's event machinery (~27 us an event) and saving by
    the transcoder and SQLite (~40 us an event in a big file), mostly Python under one GIL:
    a writer thread made things slower (the GIL convoys on SQLite's one-row inserts); a
    process overlaps the two. Events cross the pipe pickled (~4 us each).
    """

    def __init__(self, tracker: Tracker) -> None:
        # "spawn": a forked child would inherit the parent's open database connections.
        context = multiprocessing.get_context("spawn")
        self.batches: Any = context.Queue(maxsize=2)  # bounded: memory stays small
        self.results: Any = context.Queue()
        self.process = context.Process(target=_write_batches, args=(_settings(tracker), self.batches, self.results),
                                       name="bench-writer", daemon=True)
        self.process.start()
        self.saved, self.seconds, self.last = 0, 0.0, 0

    def put(self, events: list[Any]) -> None:
        while True:
            self._collect()
            try:
                self.batches.put(events, timeout=1)
                return
            except queue.Full:
                if not self.process.is_alive():
                    raise RuntimeError("the writer process died") from None

    def close(self) -> tuple[int, float, int]:
        if self.process.is_alive():
            self.batches.put(None)
        while self.process.is_alive() or not self.results.empty():
            self._collect(timeout=0.5)
        self.process.join()
        return self.saved, self.seconds, self.last

    def _collect(self, timeout: float | None = None) -> None:
        while True:
            try:
                result = self.results.get(timeout=timeout) if timeout else self.results.get_nowait()
            except queue.Empty:
                return
            if result[0] == "failed":
                raise RuntimeError(f"the writer process failed: {result[1]}")
            _, count, seconds, last = result
            self.saved, self.seconds, self.last = self.saved + count, self.seconds + seconds, last


def _write_batches(settings: dict[str, str], batches: Any, results: Any) -> None:
    """The writer process: save each batch as it comes, until None."""
    tracker = Tracker(env=settings)
    # save() takes snapshots only of the aggregates it is handed, and here it has only
    # events: take the negotiation's snapshots where the application would have.
    interval = Tracker.snapshotting_intervals.get(Negotiation)
    try:
        while (events := batches.get()) is not None:
            started = time.perf_counter()
            recordings = tracker.save(_Batch(events))
            if interval:
                for event in events:
                    if isinstance(event, Negotiation.Event) and event.originator_version % interval == 0:
                        tracker.take_snapshot(event.originator_id, version=event.originator_version)
            results.put(("saved", len(events), time.perf_counter() - started, recordings[-1].notification.id))
    except BaseException as error:  # noqa: BLE001 - reported to the generating process
        results.put(("failed", f"{type(error).__name__}: {error}"))
    finally:
        tracker.close()


@dataclass
class _Stats:
    by_type: Counter[type] = field(default_factory=Counter)
    saved: int = 0
    save_seconds: float = 0.0
    last_position: int = 0
    amendments: int = 0


def generate(
    tracker: Tracker,
    *,
    slug: str = "bench",
    events: int = 1_000_000,
    delegations: int = 193,
    groups: int = 12,
    paragraphs: int = 200,
    rounds: int = 6,
    seed: int = 0,
    batch: int = 20_000,
    writer: str = "auto",
    on_batch: Callable[[], Any] | None = None,
) -> dict[str, Any]:
    """Record a whole synthetic negotiation ``slug`` in ``tracker``: about ``events`` events.

    The setup (roster, revisions, statuses, silence) is a fixed part of about 1,200 events
    for the defaults; a smaller target gets that part, plus a few amendments a round.
    Deterministic for a seed: the same events in the same order with the same ids (only
    the timestamps, which the library reads from the clock, differ).

    ``writer``: "process" saves in a second process while this one generates (1M events in
    68 s instead of 83 s on two cores), "inline" saves here; "auto" picks the process for a
    file or server store and a run of 100,000 events or more.
    """
    if writer == "auto":
        writer = "process" if events >= 100_000 and _reopenable(tracker) else "inline"
    if writer not in ("process", "inline"):
        raise ValueError(f"writer is 'process', 'inline' or 'auto', not {writer!r}")
    if on_batch is not None and writer != "inline":
        raise ValueError("on_batch needs the inline writer: it runs after each batch is saved")
    if tracker.recorder.select_events(negotiation_id(slug), limit=1):
        raise ValueError(f"negotiation {slug!r} already exists in this database: use another slug or a fresh one")
    if rounds < 1 or paragraphs < 10:
        raise ValueError("at least one round and ten paragraphs")
    started = time.perf_counter()
    generator = _Generator(tracker, slug, events, delegations, groups, paragraphs, rounds, seed, batch, writer)
    generator.on_batch = on_batch
    generator.run()
    seconds = time.perf_counter() - started
    stats = generator.stats
    by_type = Counter({cls.__qualname__: n for cls, n in stats.by_type.items()})
    return {
        "slug": slug,
        "seed": seed,
        "target": events,
        "events": stats.saved,
        "seconds": round(seconds, 3),
        "save_seconds": round(stats.save_seconds, 3),
        "writer": writer,
        "events_per_second": round(stats.saved / seconds) if seconds else 0,
        "last_position": stats.last_position,
        "amendments": stats.amendments,
        "revisions": list(generator.negotiation.revision_labels),
        "paragraphs": len(generator.doc),
        "delegations": dict(Counter(d["kind"] for d in generator.negotiation.delegations.values())),
        "by_type": dict(sorted(by_type.items())),
    }


class _Generator:
    def __init__(
        self, tracker: Tracker, slug: str, events: int, delegations: int, groups: int, paragraphs: int,
        rounds: int, seed: int, batch: int, writer: str,
    ) -> None:
        self.tracker = tracker
        self.slug = slug
        self.target = events
        self.n_states = delegations
        self.n_groups = groups
        self.n_paragraphs = paragraphs
        self.rounds = rounds
        self.seed = seed
        self.batch = batch
        self.rng = random.Random(seed)
        self.stats = _Stats()
        self.buffer: list[Any] = []  # events not yet saved, in the order they happened
        self.handed = 0  # events saved or handed to the writer
        self.writer = _Writer(tracker) if writer == "process" else None
        self.on_batch: Callable[[], Any] | None = None  # e.g. a follower catching up, in tests
        self.negotiation: Negotiation
        self.doc: list[dict[str, Any]] = []  # the text as last published, in order
        self.label = ""  # ... and its label
        self.paragraphs: dict[str, Paragraph] = {}  # every paragraph ever introduced
        self.hot: dict[str, float] = {}  # how much each paragraph attracts proposals
        self.provisional: set[str] = set()  # new paragraphs still wholly in brackets ("3 bis")
        self.pending: dict[uuid.UUID, Amendment] = {}  # in the order proposed
        self.footnotes = 0
        self.silences = 0
        # The bureau: the co-facilitators issue drafts and decide, the secretariat registers.
        self.secretariat = Actor(SECRETARIAT_CODE, "secretariat.1")
        self.chair = Actor("COFAC", "cofac.1")
        self.overhead = 0.6 * paragraphs  # events a revision costs besides decisions; re-measured

    # --- recording -----------------------------------------------------------------------

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _emit(self, aggregate: Any) -> None:
        # Collected right after each command, so that the log keeps the order things
        # happened in (save() would file them aggregate by aggregate).
        self.buffer += aggregate.collect_events()
        if len(self.buffer) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        self.stats.by_type.update(map(type, self.buffer))
        self.handed += len(self.buffer)
        if self.writer is None:
            self._save(self.buffer)
        else:
            self.writer.put(self.buffer)
        self.buffer = []

    def _save(self, events: list[Any]) -> None:
        started = time.perf_counter()
        # The negotiation rides along (with nothing pending) so that save() still takes
        # its snapshots every 100 versions, as the application would.
        recordings = self.tracker.save(_Batch(events), self.negotiation)
        self.stats.save_seconds += time.perf_counter() - started
        self.stats.saved += len(events)
        self.stats.last_position = recordings[-1].notification.id
        if self.on_batch is not None:
            self.on_batch()

    @property
    def emitted(self) -> int:
        return self.handed + len(self.buffer)

    # --- the whole negotiation -------------------------------------------------------------

    def run(self) -> None:
        try:
            self._setup()
            self._publish_zero_draft()
            for number in range(1, self.rounds + 1):
                self._round(number)
            self._final_silence()
            self._flush()
        finally:
            if self.writer is not None:
                saved, seconds, last = self.writer.close()
                self.stats.saved, self.stats.save_seconds, self.stats.last_position = saved, seconds, last

    def _setup(self) -> None:
        rng, secretariat = self.rng, self.secretariat
        negotiation = Negotiation(
            slug=self.slug,
            title=f"Global compact on resilient and sustainable development (synthetic, seed {self.seed})",
            symbol="A/AC.999/2026/L.1",
            mandate="General Assembly resolution 80/999 (synthetic): modalities as in resolution 71/280",
            languages=list(UN_LANGUAGES),
            actor=secretariat,
        )
        self.negotiation = negotiation
        year = FIRST_ROUND.year
        negotiation.add_phase("Consultations and stocktaking", date(year - 1, 9, 1), date(year - 1, 12, 15),
                              "Informal consultations and inputs from stakeholders", secretariat)
        negotiation.add_phase("Intergovernmental negotiations", FIRST_ROUND, FIRST_ROUND + timedelta(weeks=24),
                              "Six rounds on the zero draft and its revisions", secretariat)
        negotiation.add_phase("Intergovernmental conference", date(year, 9, 21), date(year, 9, 22),
                              "Adoption of the outcome", secretariat)
        negotiation.register_delegation("COFAC", "Co-facilitators", CHAIR, secretariat)

        states = [code for code, _ in MEMBER_STATES[: self.n_states]]
        names = dict(MEMBER_STATES)
        region: dict[str, str] = {}
        for extra in range(len(states), self.n_states):  # beyond the real 193
            code = f"XS{extra:03d}"
            states.append(code)
            names[code] = f"Synthetic State {extra}"
            region[code] = rng.choice(("AFRICA", "APG", "GRULAC", "EEG", "WEOG"))
        for code in states:
            negotiation.register_delegation(code, names[code], MEMBER_STATE, secretariat)
        for code, name in OBSERVERS:
            negotiation.register_delegation(code, name, OBSERVER, secretariat)
        groups = [(code, name, list(members), spokes) for code, name, members, spokes in GROUPS[: self.n_groups]]
        for extra in range(len(groups), self.n_groups):
            members = sorted(rng.sample(states, min(len(states), rng.randint(10, 40))))
            groups.append((f"GRP{extra + 1}", f"Group of Friends {extra + 1}", members, ()))
        for code, name, _, _ in groups:
            negotiation.register_delegation(code, name, GROUP, secretariat)
        for code, name in STAKEHOLDERS:
            negotiation.register_delegation(code, name, STAKEHOLDER, secretariat)
        registered = negotiation.delegations
        for code, _, members, _ in groups:
            extras = [s for s in states if region.get(s) == code or (code == "G77" and region.get(s) in
                                                                      ("AFRICA", "APG", "GRULAC"))]
            for member in [m for m in members if m in registered] + extras:
                negotiation.join_group(member, code, secretariat)
        for number in range(1, self.rounds + 1):
            starts = FIRST_ROUND + timedelta(weeks=4 * (number - 1))
            days = ROUND_DAYS[(number - 1) % len(ROUND_DAYS)]
            negotiation.schedule_round(number, starts, starts + timedelta(days=days - 1),
                                       VENUES[number % 2], self.chair)
        self._emit(negotiation)

        # Who may speak, checked once here as the application would check every command.
        self.negotiators = [c for c, d in registered.items() if d["kind"] in (MEMBER_STATE, GROUP)]
        for code in self.negotiators:
            negotiation.require_negotiator(Actor(code, "check"), "negotiate")
        negotiation.require_bureau(self.chair, "run the negotiation")
        self.actors = {
            code: tuple(Actor(code, f"{code.lower()}.{i}") for i in range(1, 2 + rng.randrange(3)))
            for code in registered
        }
        self.stakeholders = [c for c, d in registered.items() if d["kind"] == STAKEHOLDER]
        self.spokes_wanted = {code: spokes for code, _, _, spokes in groups}
        weights = [ACTIVITY.get(c, 1.0) * rng.uniform(0.5, 1.5) for c in self.negotiators]
        self.speak_cum = _cumulative(weights)
        self.propose_cum = _cumulative([w * w for w in weights])  # proposing is more concentrated
        self._memberships_changed()

    def _memberships_changed(self) -> None:
        negotiation = self.negotiation
        kinds = {c: d["kind"] for c, d in negotiation.delegations.items()}
        self.blocs: dict[str, frozenset[str]] = {}
        for code in self.negotiators:
            own = negotiation.groups_of(code) if kinds[code] != GROUP else [code]
            self.blocs[code] = frozenset(own)
        # A group's spokespersons: its usual ones if still members, else its first member.
        self.spokes: dict[str, list[str]] = {}
        for group, wanted in self.spokes_wanted.items():
            members = negotiation.members_of(group)
            spokes = [m for m in wanted if m in members and kinds[m] == MEMBER_STATE]
            self.spokes[group] = spokes or [m for m in members if kinds[m] == MEMBER_STATE][:1]

    # --- revisions -------------------------------------------------------------------------

    def _publish_zero_draft(self) -> None:
        doc = _zero_draft(self.rng, self.n_paragraphs, self._uuid)
        _renumber(doc, self.provisional)
        for paragraph in doc:
            self.hot[paragraph["id"]] = self.rng.lognormvariate(0, 0.9)
        issued = FIRST_ROUND - timedelta(days=14)
        self._publish("Zero draft", 1, issued, doc, moved=set())
        for paragraph in doc:
            if "[" in paragraph["text"]:
                self._mark(paragraph["id"], BRACKETED, "")

    def _publish(self, label: str, round_number: int, issued_on: date, doc: list[dict[str, Any]],
                 moved: set[str]) -> None:
        """As Tracker.publish_revision does, with the matching known rather than guessed."""
        negotiation, actor = self.negotiation, self.chair
        negotiation.add_revision_label(label, round_number, actor)
        before = {p["id"]: p for p in self.doc}
        published = []
        for paragraph in doc:
            old = before.get(paragraph["id"])
            if old is None:
                match = {"method": MATCH_NEW, "score": 0.0, "from_num": ""}
            elif paragraph["text"] == old["text"]:
                match = {"method": MOVED if paragraph["id"] in moved else EXACT, "score": 1.0, "from_num": old["num"]}
            else:
                score = round(similarity(old["text"], paragraph["text"]), 4)
                match = {"method": MOVED if paragraph["id"] in moved else SIMILAR, "score": score,
                         "from_num": old["num"]}
            published.append(dict(paragraph, footnotes=[dict(f) for f in paragraph["footnotes"]], match=match))
        number = len(negotiation.revision_labels) - 1
        revision = Revision(
            negotiation_id=negotiation.id,
            label=label,
            symbol="A/AC.999/2026/CRP.1" + (f"/Rev.{number}" if number else ""),
            issued_on=issued_on,
            round_number=round_number,
            based_on=self.label or None,
            paragraphs=published,
            source={"generator": "bench/generate.py", "seed": self.seed},
            actor=actor,
        )
        self._emit(negotiation)
        self._emit(revision)
        for paragraph in published:
            if paragraph["match"]["method"] == MATCH_NEW:
                introduced = Paragraph(id=uuid.UUID(paragraph["id"]), negotiation_id=negotiation.id,
                                       revision_label=label, actor=actor)
                self.paragraphs[paragraph["id"]] = introduced
                self._emit(introduced)
        self.doc, self.label = doc, label

    def _mark(self, paragraph_id: str, status: str, note: str) -> None:
        paragraph = self.paragraphs[paragraph_id]
        if paragraph.status == status:
            return
        if paragraph.status == AGREED_AD_REF and status != REOPENED:
            paragraph.mark(REOPENED, "re-opened by the co-facilitators", self.chair)
        paragraph.mark(status, note, self.chair)
        self._emit(paragraph)

    def _next_revision(self, round_number: int, final: bool) -> None:
        """Decide the pending proposals, issue the text that follows from them, mark statuses."""
        rng = self.rng
        before = self.emitted
        label = "Final draft" if final else f"Rev {round_number}"
        doc = [dict(p, footnotes=list(p["footnotes"])) for p in self.doc]
        by_id = {p["id"]: p for p in doc}
        changes: Counter[str] = Counter()
        caps: dict[str, int] = {}
        moved: set[str] = set()
        reopen: list[str] = []
        decisions: list[tuple[Amendment, str, str]] = []
        for amendment in list(self.pending.values()):
            if not final and rng.random() < P_CARRIED:
                continue
            paragraph_id = amendment.paragraph_id
            cap = caps.setdefault(paragraph_id, rng.choice(MAX_CHANGES))
            outcome, note = self._apply(amendment, doc, by_id, changes[paragraph_id] >= cap, reopen, moved)
            if outcome != NOT_RETAINED and (amendment.action in (REPLACE, INSERT, DELETE, NEW_PARAGRAPH,
                                                                  DELETE_PARAGRAPH, MOVE)):
                changes[paragraph_id] += 1
            decisions.append((amendment, outcome, note))
        # The co-facilitators' own streamlining: brackets resolved where they see consensus.
        resolved = []
        for paragraph in doc:
            if "[" in paragraph["text"] and (final or rng.random() < 0.15 + 0.08 * round_number):
                paragraph["text"] = _resolve_brackets(paragraph["text"], rng)
                resolved.append(paragraph["id"])
        _renumber(doc, self.provisional)
        for paragraph in doc:
            self.hot.setdefault(paragraph["id"], rng.lognormvariate(0, 0.9))

        for paragraph_id in reopen:  # re-opened before the text that changes them is issued
            self._mark(paragraph_id, REOPENED, "re-opened at the request of delegations")
        last_round = self.negotiation.round(round_number)
        issued = last_round["ends"] + timedelta(days=7 if final else 14)
        self._publish(label, round_number if final else round_number + 1, issued, doc, moved)
        for amendment, outcome, note in decisions:
            amendment.decide(outcome, label, note, self.chair)
            self._emit(amendment)
            del self.pending[amendment.id]

        resolved_ids = frozenset(resolved)
        agree = 0.05 + 0.06 * round_number
        for paragraph in doc:
            pid = paragraph["id"]
            status = self.paragraphs[pid].status
            if "[" in paragraph["text"]:
                self._mark(pid, BRACKETED, "")
            elif status == BRACKETED:
                agreed = pid in resolved_ids and rng.random() < 0.7
                self._mark(pid, AGREED_AD_REF if agreed else OPEN, "")
            elif status in (OPEN, REOPENED) and not changes[pid] and rng.random() < agree:
                self._mark(pid, AGREED_AD_REF, "agreed in informal consultations")
        # What a revision costs besides its decisions, for the budget of the rounds left.
        self.overhead = self.emitted - before - len(decisions)

    def _apply(self, amendment: Amendment, doc: list[dict[str, Any]], by_id: dict[str, dict[str, Any]],
               capped: bool, reopen: list[str], moved: set[str]) -> tuple[str, str]:
        """The decision on one proposal, and its effect on the text being prepared."""
        rng = self.rng
        paragraph = by_id.get(amendment.paragraph_id)
        if paragraph is None:
            return NOT_RETAINED, "the paragraph is no longer in the text"
        stances = Counter(p["stance"] for p in amendment.positions.values())
        support = stances[SUPPORTS] + stances[CO_SPONSORS]
        against = stances[OPPOSES] + 0.5 * stances[RESERVES]
        net = (support - against) / (support + against + 3)
        status = self.paragraphs[paragraph["id"]].status
        if status == AGREED_AD_REF and paragraph["id"] not in reopen:
            if net < 0.5 or rng.random() > 0.2:
                return NOT_RETAINED, "the paragraph is agreed ad ref"
            reopen.append(paragraph["id"])
        if capped:
            return NOT_RETAINED, rng.choice(("", "not retained by the co-facilitators", "no consensus"))
        draw = rng.random()
        p_in = 0.08 + 0.3 * max(net, 0.0)
        p_partly = p_in + 0.08 + 0.08 * (1 - abs(net))
        outcome = INCORPORATED if draw < p_in else PARTLY_INCORPORATED if draw < p_partly else NOT_RETAINED
        if outcome == NOT_RETAINED:
            return outcome, rng.choice(("", "", "no consensus", "not retained by the co-facilitators"))
        action, text = amendment.action, paragraph["text"]
        old, new = amendment.old_text, amendment.new_text
        if action in (REPLACE, INSERT, DELETE):
            if old and text.count(old) != 1:
                return NOT_RETAINED, "overtaken by other changes"
            if outcome == INCORPORATED or (action == REPLACE and not old):
                changed = proposed_text(action, text, old, new)
                outcome = INCORPORATED
            elif action == REPLACE:
                changed = text.replace(old, f"[{old}][{new}]", 1)
            elif action == INSERT:
                changed = proposed_text(INSERT, text, old, f" [{new}]")
            else:
                changed = text.replace(old, f"[{old}]", 1)
            assert changed is not None
            paragraph["text"] = _tidy(changed) or text
        elif action == NEW_PARAGRAPH:
            new_id = str(self._uuid())
            text = new if outcome == INCORPORATED else f"[{new}]"
            if outcome == PARTLY_INCORPORATED:
                self.provisional.add(new_id)
            added = {"id": new_id, "num": "", "text": text, "kind": paragraph["kind"],
                     "level": paragraph["level"], "footnotes": []}
            doc.insert(_block_end(doc, doc.index(paragraph)) + 1, added)
            by_id[new_id] = added
        elif action == DELETE_PARAGRAPH:
            if outcome == INCORPORATED:
                doc.remove(paragraph)
                del by_id[paragraph["id"]]
            elif not text.startswith("["):
                paragraph["text"] = f"[{text}]"
        elif action == MOVE:
            anchor = by_id.get(amendment.after_paragraph_id)
            if anchor is None or anchor is paragraph or doc[_block_end(doc, doc.index(paragraph))] is not paragraph:
                return NOT_RETAINED, "overtaken by other changes"
            doc.remove(paragraph)
            doc.insert(_block_end(doc, doc.index(anchor)) + 1, paragraph)
            moved.add(paragraph["id"])
            outcome = INCORPORATED
        elif action == RESERVE:
            self.footnotes += 1
            name = self.negotiation.delegation(amendment.on_behalf_of or amendment.delegation)["name"]
            paragraph["footnotes"].append(
                {"marker": str(self.footnotes), "text": f"{name} reserves its position on this paragraph."})
            outcome = INCORPORATED
        else:  # RETAIN: the paragraph stays as it is
            outcome = INCORPORATED
        return outcome, ""

    # --- rounds ----------------------------------------------------------------------------

    def _round(self, number: int) -> None:
        negotiation = self.negotiation
        negotiation.open_round(number, self.chair)
        self._emit(negotiation)
        steps = self._plan_round(number)
        steps.sort(key=_when)
        self._run(steps, number)
        negotiation.close_round(number, self.chair)
        self._emit(negotiation)
        if number >= min(2, self.rounds):
            for _ in range(1 + (self.rng.random() < 0.5)):
                self._silence(number)
        if number == (self.rounds + 1) // 2 and "LDC" in negotiation.delegations:
            # A member leaves a group between rounds (a graduation from the LDC category).
            members = negotiation.members_of("LDC")
            leaving = "BGD" if "BGD" in members else members[0] if members else None
            if leaving:
                negotiation.leave_group(leaving, "LDC", self.secretariat)
                self._emit(negotiation)
                self._memberships_changed()
        self._next_revision(number, final=number == self.rounds)

    def _round_budget(self, number: int) -> float:
        rounds_left = range(number, self.rounds + 1)
        days = [ROUND_DAYS[(n - 1) % len(ROUND_DAYS)] for n in rounds_left]
        # Owed: a decision for every pending proposal; reserved: the revisions still to come,
        # their silence procedures, and the last one on the whole text.
        reserved = len(rounds_left) * (self.overhead + 12) + len(self.doc)
        available = self.target - self.emitted - len(self.pending) - reserved
        return max(0.0, available * days[0] / sum(days))

    def _plan_round(self, number: int) -> list[tuple[Any, ...]]:
        budget = self._round_budget(number)
        steps: list[tuple[Any, ...]] = []
        targets = [p for p in self.doc if p["kind"] != HEADING]
        weights = []
        for p in targets:
            status = self.paragraphs[p["id"]].status
            factor = 0.03 if status == AGREED_AD_REF else 1.5 if status == BRACKETED else 1.0
            weights.append(self.hot[p["id"]] * factor * (0.6 if p["kind"] == PREAMBULAR else 1.0))
        self.targets, self.targets_cum = targets, _cumulative(weights)
        self.movable = [p["id"] for p in self.doc if p["kind"] == OPERATIVE and not _has_items(self.doc, p)]

        planned = 0
        inputs = max(1, round(budget * INPUT_SHARE))
        for _ in range(inputs):
            steps.append(self._plan_input())
        planned += inputs
        index = 0
        while planned < budget or index < MIN_AMENDMENTS_PER_ROUND:
            planned += self._plan_amendment(index, steps)
            index += 1
        self.stats.amendments += index
        return steps

    def _plan_input(self) -> tuple[Any, ...]:
        rng = self.rng
        code = rng.choice(self.stakeholders)
        name = self.negotiation.delegation(code)["name"]
        paragraph_id = rng.choice(self.targets)["id"] if rng.random() < 0.7 else ""
        theme = rng.choice(THEMES) if not paragraph_id or rng.random() < 0.3 else ""
        verb, _ = rng.choice(VERBS)
        text = (f"{name} calls on Member States to {verb} {rng.choice(OBJECTS)}, {rng.choice(QUALIFIERS)}, "
                f"and to {rng.choice(VERBS)[0]} {rng.choice(OBJECTS)} {rng.choice(TIMELINES)}.")
        return (rng.random(), rng.random(), _INPUT, None, rng.choice(self.actors[code]), (paragraph_id, theme, text))

    def _plan_amendment(self, index: int, steps: list[tuple[Any, ...]]) -> int:
        """Plan one proposal's whole life in the round; returns the events it will cost."""
        rng = self.rng
        paragraph = rng.choices(self.targets, cum_weights=self.targets_cum)[0]
        code = self.negotiators[_pick(rng, self.propose_cum)]
        on_behalf = ""
        if code in self.spokes and self.spokes[code] and rng.random() < 0.6:
            code, on_behalf = rng.choice(self.spokes[code]), code
        actor = rng.choice(self.actors[code])
        action, old, new, after = self._proposal(paragraph)
        plan = _Plan(self._uuid(), paragraph, action, old, new, after, actor, on_behalf, rng.choice(RATIONALES))
        start = rng.random() * 0.9
        steps.append((start, rng.random(), _PROPOSE, plan, None, None))
        events = 1
        last = start
        sponsors = (code, on_behalf) if on_behalf else (code,)
        bloc = self.blocs[on_behalf or code]
        wanted = max(self._how_many(), 2 if index == 2 else 0)
        for n, speaker in enumerate(self._speakers(wanted, sponsors)):
            # Positions come soon after the proposal, most of them.
            when = start + (1 - start) * rng.random() ** 2
            shared = len(bloc & self.blocs[speaker])
            stance = _stance(rng.random(), STANCE_THRESHOLDS[min(shared, 2)])
            note = rng.choice(NOTES) if rng.random() < P_NOTE else ""
            speaker_actor = rng.choice(self.actors[speaker])
            steps.append((when, rng.random(), _POSITION, plan, speaker_actor, (stance, note)))
            events += 1
            last = max(last, when)
            later = when + (1 - when) * rng.random()
            draw = rng.random()
            if draw < P_DROP or (index == 2 and n == 0):
                steps.append((later, rng.random(), _DROP, plan, speaker_actor, None))
                events += 1
                last = max(last, later)
            elif draw < P_DROP + P_CHANGE:
                other = rng.choice([s for s in STANCES if s != stance])
                steps.append((later, rng.random(), _POSITION, plan, speaker_actor, (other, "")))
                events += 1
                last = max(last, later)
        if rng.random() < P_REVISED or index == 0:
            # Each revision builds on the one before: their times must come in order.
            times = sorted(start + (1 - start) * rng.random() for _ in range(2 if rng.random() < 0.2 else 1))
            for n, when in enumerate(times):
                old, new = self._revised_text(action, paragraph, old, new)
                rationale = f"{rng.choice(RATIONALES)} (revision {n + 1})".strip()
                steps.append((when, rng.random(), _REVISE, plan, None, (old, new, rationale)))
                events += 1
                last = max(last, when)
        if rng.random() < P_WITHDRAWN or index == 1:
            # Withdrawal is the last thing that happens to a proposal.
            steps.append((last + (1 - last) * rng.random() + 1e-9, rng.random(), _WITHDRAW, plan, None,
                          rng.choice(WITHDRAW_REASONS)))
            events += 1
        else:
            events += 1  # its decision, at the next revision
        return events

    def _how_many(self) -> int:
        """Positions on one proposal: mostly 5 to 40, a few over a hundred."""
        rng, draw = self.rng, self.rng.random()
        if draw < 0.15:
            return rng.randint(0, 4)
        if draw < 0.85:
            return rng.randint(5, 40)
        if draw < 0.97:
            return rng.randint(41, 99)
        return rng.randint(100, 180)

    def _speakers(self, wanted: int, sponsors: Sequence[str]) -> list[str]:
        """``wanted`` distinct delegations other than the sponsors, the active ones likelier."""
        rng, negotiators = self.rng, self.negotiators
        wanted = min(wanted, len(negotiators) - len(sponsors))
        if wanted > 60:  # most of the room: activity hardly matters any more
            return rng.sample([c for c in negotiators if c not in sponsors], wanted)
        chosen: dict[str, None] = {}
        while len(chosen) < wanted:
            for i in rng.choices(range(len(negotiators)), cum_weights=self.speak_cum, k=wanted - len(chosen) + 4):
                code = negotiators[i]
                if code not in sponsors and code not in chosen:
                    chosen[code] = None
                    if len(chosen) == wanted:
                        break
        return list(chosen)

    def _proposal(self, paragraph: dict[str, Any]) -> tuple[str, str, str, str]:
        """An action and its texts that check_proposal accepts against ``paragraph``."""
        rng = self.rng
        text = paragraph["text"]
        action = _weighted(rng, ACTION_WEIGHTS)
        old = new = after = ""
        if action == DELETE_PARAGRAPH and _has_items(self.doc, paragraph):
            action = RESERVE
        if action == MOVE:
            if paragraph["id"] in self.movable and len(self.movable) > 1:
                after = rng.choice([m for m in self.movable if m != paragraph["id"]])
            else:
                action = RETAIN
        if action == DELETE and len(text.split(" ")) < 20:
            action = REPLACE
        if action == DELETE:
            old = _span(rng, text, 2, 8) or ""
            if not old:
                action = RETAIN
        elif action == INSERT:
            old = _span(rng, text, 1, 4) or ""
            new = rng.choice(INSERTS)
        elif action == REPLACE:
            old = _span(rng, text, 1, 6) or ""
            new = _replacement(rng, old) if old else _paragraph_text(rng, paragraph["kind"])
        elif action == NEW_PARAGRAPH:
            new = _paragraph_text(rng, paragraph["kind"])
        check_proposal(action, text, old, new)
        return action, old, new, after

    def _revised_text(self, action: str, paragraph: dict[str, Any], old: str, new: str) -> tuple[str, str]:
        rng = self.rng
        if action == REPLACE:
            revised = _replacement(rng, old) if old else _paragraph_text(rng, paragraph["kind"])
            return old, revised if revised != new else f"{revised}, {rng.choice(QUALIFIERS)}"
        if action == INSERT:
            choice = rng.choice([i for i in INSERTS if i != new])
            return old, choice
        if action == NEW_PARAGRAPH:
            return old, f"{new.rstrip('.;')}, {rng.choice(QUALIFIERS)}."
        return old, new  # the rationale changes

    def _run(self, steps: list[tuple[Any, ...]], number: int) -> None:
        negotiation, emit = self.negotiation, self._emit
        for _, _, op, plan, actor, data in steps:
            if op == _POSITION:
                amendment = plan.amendment
                amendment.take_position(data[0], data[1], actor)
                emit(amendment)
            elif op == _PROPOSE:
                amendment = Amendment(
                    id=plan.id,
                    negotiation_id=negotiation.id,
                    base_revision=self.label,
                    paragraph_id=plan.paragraph["id"],
                    action=plan.action,
                    old_text=plan.old_text,
                    new_text=plan.new_text,
                    after_paragraph_id=plan.after,
                    on_behalf_of=plan.on_behalf_of,
                    rationale=plan.rationale,
                    round_number=negotiation.current_round(),
                    actor=plan.actor,
                )
                plan.amendment = amendment
                self.pending[plan.id] = amendment
                emit(amendment)
            elif op == _DROP:
                plan.amendment.drop_position(actor)
                emit(plan.amendment)
            elif op == _REVISE:
                plan.amendment.revise(plan.paragraph["text"], data[0], data[1], data[2], plan.actor)
                emit(plan.amendment)
            elif op == _WITHDRAW:
                plan.amendment.withdraw(data, plan.actor)
                emit(plan.amendment)
                del self.pending[plan.id]
            else:  # _INPUT
                paragraph_id, theme, text = data
                submitted = StakeholderInput(id=self._uuid(), negotiation_id=negotiation.id,
                                             paragraph_id=paragraph_id, theme=theme, text=text, actor=actor)
                emit(submitted)

    # --- silence procedures ----------------------------------------------------------------

    def _silence(self, number: int) -> None:
        """Silence on a few paragraphs near agreement, after the round: broken, or it holds."""
        rng = self.rng
        candidates = [p["id"] for p in self.doc if p["kind"] != HEADING and "[" not in p["text"]
                      and self.paragraphs[p["id"]].status != AGREED_AD_REF]
        if not candidates:
            return
        chosen = rng.sample(candidates, min(len(candidates), rng.randint(2, 8)))
        ends = self.negotiation.round(number)["ends"]
        opened = datetime(ends.year, ends.month, ends.day, 18, tzinfo=UTC)
        deadline = opened + timedelta(days=3)
        procedure = SilenceProcedure(id=self._uuid(), negotiation_id=self.negotiation.id, revision_label=self.label,
                                     paragraph_ids=chosen, deadline=deadline,
                                     note=f"Compromise text after round {number}", actor=self.chair)
        self._emit(procedure)
        self.silences += 1
        if self.silences == 1 or rng.random() < 0.4:
            code = self.negotiators[_pick(rng, self.speak_cum)]
            now = deadline - timedelta(hours=rng.randint(1, 70))
            procedure.break_silence(rng.choice(BREAK_REASONS), now, rng.choice(self.actors[code]))
            self._emit(procedure)
            return
        self._conclude(procedure, deadline + timedelta(hours=1))

    def _conclude(self, procedure: SilenceProcedure, now: datetime) -> None:
        # As Tracker.conclude_silence: silence held, so its paragraphs are agreed ad ref.
        procedure.conclude(now, self.chair)
        self._emit(procedure)
        ids = procedure.paragraph_ids or [p["id"] for p in self.doc]
        for paragraph_id in ids:
            if self.paragraphs[paragraph_id].status != AGREED_AD_REF:
                self._mark(paragraph_id, AGREED_AD_REF, "silence procedure passed")

    def _final_silence(self) -> None:
        """The whole final draft under silence before adoption; it holds."""
        ends = self.negotiation.round(self.rounds)["ends"]
        deadline = datetime(ends.year, ends.month, ends.day, 18, tzinfo=UTC) + timedelta(days=14)
        procedure = SilenceProcedure(id=self._uuid(), negotiation_id=self.negotiation.id, revision_label=self.label,
                                     paragraph_ids=[], deadline=deadline, note="Final draft under silence",
                                     actor=self.chair)
        self._emit(procedure)
        self._conclude(procedure, deadline + timedelta(hours=1))



# --- helpers -------------------------------------------------------------------------------


def _when(step: tuple[Any, ...]) -> tuple[float, float]:
    return step[0], step[1]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _pick(rng: random.Random, cum: Sequence[float]) -> int:
    return rng.choices(range(len(cum)), cum_weights=cum)[0]


def _weighted(rng: random.Random, choices: Sequence[tuple[str, float]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _stance(draw: float, thresholds: tuple[float, float, float]) -> str:
    for stance, threshold in zip(STANCES, thresholds):
        if draw < threshold:
            return stance
    return STANCES[-1]


def _plain(word: str) -> bool:
    return bool(word) and not any(c in word for c in "[]*")


def _span(rng: random.Random, text: str, shortest: int, longest: int) -> str | None:
    """Words of ``text`` found exactly once in it, outside brackets and emphasis."""
    words = text.split(" ")
    for _ in range(8):
        start = rng.randrange(len(words))
        for end in range(start + 1, min(len(words), start + longest) + 1):
            if not _plain(words[end - 1]):
                break
            if end - start >= shortest:
                span = " ".join(words[start:end])
                if text.count(span) == 1:
                    return span
    return None


def _replacement(rng: random.Random, old: str) -> str:
    padded = f" {old} "
    swaps = [(a, b) for a, b in SWAPS if f" {a} " in padded]
    if swaps and rng.random() < 0.7:
        a, b = rng.choice(swaps)
        new = padded.replace(f" {a} ", f" {b} ", 1).strip()
    elif rng.random() < 0.5:
        new = f"{old.rstrip(',;.')} {rng.choice(QUALIFIERS)}"
    else:
        new = rng.choice(OBJECTS)
    return new if new != old else f"{old} {rng.choice(TIMELINES)}"


def _resolve_brackets(text: str, rng: random.Random) -> str:
    """The co-facilitators' compromise: one of ``[a][b]`` kept, lone brackets kept or dropped."""
    original = text
    while "[" in text or "]" in text:
        step = _ALTERNATIVES.sub(lambda m: m.group(1 if rng.random() < 0.5 else 2), text)
        step = _BRACKETED.sub(lambda m: m.group(1) if rng.random() < 0.7 else "", step)
        if step == text:  # unbalanced: keep every word
            step = text.replace("[", "").replace("]", "")
        text = step
    return _tidy(text) or _tidy(original.replace("[", "").replace("]", ""))


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", _SPACE_PUNCT.sub(r"\1", text)).strip()


def _has_items(doc: list[dict[str, Any]], paragraph: dict[str, Any]) -> bool:
    index = doc.index(paragraph)
    return index + 1 < len(doc) and doc[index + 1]["level"] > paragraph["level"]


def _block_end(doc: list[dict[str, Any]], index: int) -> int:
    """The last index of the paragraph at ``index`` and its sub-items."""
    level = doc[index]["level"]
    while index + 1 < len(doc) and doc[index + 1]["level"] > level:
        index += 1
    return index


def _renumber(doc: list[dict[str, Any]], provisional: set[str]) -> None:
    """Headings I., II.; operative 1., 2. ("3 bis." while still in brackets); items (a), (b)."""
    heading = operative = item = extra = 0
    for paragraph in doc:
        kind = paragraph["kind"]
        if kind == HEADING:
            paragraph["num"] = f"{ROMAN[heading % len(ROMAN)]}."
            heading += 1
        elif kind == OPERATIVE:
            if paragraph["id"] in provisional and paragraph["text"].startswith("[") and operative:
                paragraph["num"] = f"{operative} {LATIN[extra % len(LATIN)]}."
                extra += 1
            else:
                operative += 1
                extra = 0
                paragraph["num"] = f"{operative}."
            item = 0
        elif kind == ITEM:
            paragraph["num"] = f"({_letters(item)})"
            item += 1
        else:
            paragraph["num"] = ""


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _clause(rng: random.Random) -> str:
    verb, _ = rng.choice(VERBS)
    parts = [verb, rng.choice(OBJECTS)]
    if rng.random() < 0.6:
        parts.append(rng.choice(QUALIFIERS))
    if rng.random() < 0.3:
        parts.append(rng.choice(TIMELINES))
    return " ".join(parts)


def _paragraph_text(rng: random.Random, kind: str) -> str:
    if kind == PREAMBULAR:
        return _preambular(rng)
    if kind == ITEM:
        _, gerund = rng.choice(VERBS)
        return f"{gerund} {rng.choice(OBJECTS)}, {rng.choice(QUALIFIERS)};"
    return _operative(rng)


def _preambular(rng: random.Random) -> str:
    form = rng.random()
    if form < 0.25:
        number, day, title = rng.choice(RESOLUTIONS)
        opener = rng.choice(PREAMBLE_RECALL)
        return (f"*{opener}* its resolution {number} of {day}, entitled \"{title}\", and its commitment to "
                f"{_clause(rng)},")
    if form < 0.4:
        return f"*{rng.choice(PREAMBLE_CONCERN)}* that {rng.choice(PROBLEMS)}, and that {rng.choice(PROBLEMS)},"
    if form < 0.55:
        return f"*{rng.choice(PREAMBLE_WELCOME)}* the {rng.choice(REPORTS)}, and the efforts to {_clause(rng)},"
    return (f"*{rng.choice(PREAMBLE_THAT)}* that {rng.choice(OBJECTS)} is essential for {rng.choice(OBJECTS)}, "
            f"and the need to {_clause(rng)},")


def _operative(rng: random.Random) -> str:
    form = rng.random()
    if form < 0.1:
        return (f"*Requests* the Secretary-General to submit to the General Assembly at its eighty-"
                f"{rng.choice(('second', 'third', 'fourth'))} session a report on {rng.choice(OBJECTS)}, "
                f"including recommendations to {_clause(rng)}.")
    if form < 0.2:
        return (f"*Decides* to convene a high-level meeting on {rng.choice(OBJECTS)} in "
                f"{rng.choice(('2027', '2028', '2029'))}, {rng.choice(QUALIFIERS)}.")
    head = rng.choice(OPERATIVE_HEADS)
    clauses = [_clause(rng) for _ in range(rng.choice((1, 2, 2, 3)))]
    return f"*{head}* {rng.choice(SUBJECTS)} to " + ", and to ".join(clauses) + "."


def _chapeau(rng: random.Random) -> str:
    verb, _ = rng.choice(VERBS)
    return f"*Commits* to {verb} {rng.choice(OBJECTS)}, {rng.choice(QUALIFIERS)}, by:"


def _bracket_some(rng: random.Random, text: str) -> str:
    """A zero draft is not clean either: competing verbs, or a qualifier in brackets."""
    for verb, _ in VERBS:
        if f" to {verb} " in text:
            other = rng.choice([v for v, _ in VERBS if v != verb])
            return text.replace(f" to {verb} ", f" to [{verb}][{other}] ", 1)
    for qualifier in QUALIFIERS:
        if qualifier in text:
            return text.replace(qualifier, f"[{qualifier}]", 1)
    return text


def _zero_draft(rng: random.Random, size: int, new_id: Any) -> list[dict[str, Any]]:
    """Preamble, then sections with a heading and numbered operative paragraphs, some with items."""

    def paragraph(text: str, kind: str, level: int = 0) -> dict[str, Any]:
        return {"id": str(new_id()), "num": "", "text": text, "kind": kind, "level": level, "footnotes": []}

    headings = min(len(SECTIONS), max(1, size // 25))
    preamble = round(size * 0.15)
    body = size - headings - preamble
    doc = [paragraph(_preambular(rng), PREAMBULAR) for _ in range(preamble)]
    per_section = [body // headings + (1 if i < body % headings else 0) for i in range(headings)]
    for section, count in enumerate(per_section):
        doc.append(paragraph(SECTIONS[section], HEADING))
        while count > 0:
            if count >= 4 and rng.random() < 0.12:
                items = min(count - 1, rng.randint(2, 5))
                doc.append(paragraph(_chapeau(rng), OPERATIVE))
                for i in range(items):
                    _, gerund = rng.choice(VERBS)
                    end = "." if i == items - 1 else ";"
                    doc.append(paragraph(f"{gerund} {rng.choice(OBJECTS)}, {rng.choice(QUALIFIERS)}{end}", ITEM, 1))
                count -= items + 1
            else:
                text = _operative(rng)
                if rng.random() < 0.12:
                    text = _bracket_some(rng, text)
                doc.append(paragraph(text, OPERATIVE))
                count -= 1
    return doc


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a new SQLite file, or a postgresql:// URL")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--writer", choices=("auto", "process", "inline"), default="auto")
    args = parser.parse_args(argv)
    tracker = Tracker.open(args.db)
    try:
        stats = generate(tracker, slug=args.slug, events=args.events, seed=args.seed, batch=args.batch,
                         writer=args.writer)
    except ValueError as error:
        sys.exit(f"generate: {error}")
    finally:
        tracker.close()
    print(format_stats(stats))


def format_stats(stats: dict[str, Any]) -> str:
    lines = [
        f"negotiation {stats['slug']!r} (seed {stats['seed']}): {stats['events']:,} events "
        f"(target {stats['target']:,}), last position {stats['last_position']:,}",
        f"generated and saved in {stats['seconds']:.1f} s ({stats['events_per_second']:,} events/s; "
        f"saving {stats['save_seconds']:.1f} s, {stats['writer']})",
        f"{stats['amendments']:,} amendments, {len(stats['revisions'])} revisions "
        f"({', '.join(stats['revisions'])}), {stats['paragraphs']} paragraphs in the last, delegations "
        + ", ".join(f"{n} {kind}" for kind, n in stats["delegations"].items()),
    ]
    for name, count in stats["by_type"].items():
        lines.append(f"  {name:<36} {count:>10,}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
