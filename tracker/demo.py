"""The demo negotiations: the real Paris rounds and the migrants resolutions, with a
handful of clearly illustrative amendments and positions from sample delegations.

The texts are real; the delegations' proposals here are illustrations, not history.
Building is idempotent: a negotiation already in the database is left as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.application import Tracker, source_of
from tracker.domain.base import Actor, NotFound
from tracker.domain.negotiation import GROUP, MEMBER_STATE, OBSERVER, SECRETARIAT_CODE, STAKEHOLDER
from tracker.formats import read_document
from tracker.text.document import ParsedDocument, ParsedParagraph

USER = "demo"
SECRETARIAT = Actor(SECRETARIAT_CODE, USER)


@dataclass(frozen=True)
class DemoUser:
    """A web account of the demo; its password is published, so it is for trying only."""

    username: str
    name: str
    role: str
    delegation: str  # in every demo negotiation's roster

    @property
    def password(self) -> str:
        return f"demo-{self.username}"


DEMO_USERS = (
    DemoUser("secretariat", "Demo secretariat officer", "secretariat", SECRETARIAT_CODE),
    DemoUser("cofac", "Demo co-facilitator", "secretariat", "COFAC"),
    DemoUser("mexico", "Demo delegate of Mexico (a member of the G77)", "delegate", "MEX"),
    DemoUser("france", "Demo delegate of France (a member of the EU)", "delegate", "FRA"),
    DemoUser("civil-society", "Demo Climate Action Network officer", "stakeholder", "CAN-INT"),
)


def default_data_dir() -> Path:
    """``../shared/data`` beside the repository."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass(frozen=True)
class Round:
    number: int
    starts: date
    ends: date
    venue: str


@dataclass(frozen=True)
class Text:
    label: str
    path: str  # relative to the data folder
    round_number: int | None


@dataclass(frozen=True)
class Proposal:
    """An illustrative amendment: on the first paragraph of ``before`` containing ``find``."""

    before: str  # label of the revision it is proposed against
    by: str
    action: str
    find: str
    old: str = ""
    new: str = ""
    on_behalf_of: str = ""
    rationale: str = ""
    supporters: tuple[str, ...] = ()
    opponents: tuple[str, ...] = ()
    co_sponsors: tuple[str, ...] = ()
    outcome: str = ""  # decided when the next revision comes out
    withdrawn: bool = False


@dataclass(frozen=True)
class DemoNegotiation:
    slug: str
    title: str
    symbol: str
    mandate: str
    rounds: tuple[Round, ...]
    texts: tuple[Text, ...]
    delegations: tuple[tuple[str, str, str], ...]  # code, name, kind
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # group, members
    proposals: tuple[Proposal, ...]
    inputs: tuple[tuple[str, str, str], ...]  # stakeholder, paragraph containing, text
    agreed: tuple[str, ...] = ()  # paragraphs (containing) agreed ad ref in the last revision


COMMON_DELEGATIONS = (
    ("COFAC", "Co-facilitators", "chair"),
    ("EU", "European Union", GROUP),
    ("G77", "Group of 77 and China", GROUP),
    ("AGN", "African Group of Negotiators", GROUP),
    ("AOSIS", "Alliance of Small Island States", GROUP),
    ("LDC", "Least Developed Countries", GROUP),
    ("USA", "United States of America", MEMBER_STATE),
    ("CHN", "China", MEMBER_STATE),
    ("IND", "India", MEMBER_STATE),
    ("BRA", "Brazil", MEMBER_STATE),
    ("ZAF", "South Africa", MEMBER_STATE),
    ("MEX", "Mexico", MEMBER_STATE),
    ("NOR", "Norway", MEMBER_STATE),
    ("FRA", "France", MEMBER_STATE),
    ("DEU", "Germany", MEMBER_STATE),
    ("JPN", "Japan", MEMBER_STATE),
    ("SAU", "Saudi Arabia", MEMBER_STATE),
    ("TUV", "Tuvalu", MEMBER_STATE),
    ("MDV", "Maldives", MEMBER_STATE),
    ("PHL", "Philippines", MEMBER_STATE),
    ("HUN", "Hungary", MEMBER_STATE),
    ("VAT", "Holy See", OBSERVER),
    ("CAN-INT", "Climate Action Network International", STAKEHOLDER),
    ("MADE", "Civil Society Migration and Development network", STAKEHOLDER),
)

COMMON_GROUPS = (
    ("EU", ("FRA", "DEU", "HUN")),
    ("G77", ("CHN", "IND", "BRA", "ZAF", "SAU", "TUV", "MDV", "PHL", "MEX")),
    ("AGN", ("ZAF",)),
    ("AOSIS", ("TUV", "MDV")),
    ("LDC", ("TUV",)),
)

PARIS = DemoNegotiation(
    slug="paris",
    title="Paris Agreement (ADP 2015)",
    symbol="FCCC/ADP/2015",
    mandate="Decision 1/CP.17: a protocol, another legal instrument or an agreed outcome with legal force",
    rounds=(
        Round(1, date(2015, 10, 19), date(2015, 10, 23), "Bonn"),
        Round(2, date(2015, 11, 29), date(2015, 12, 5), "Paris-Le Bourget (ADP 2-12)"),
        Round(3, date(2015, 12, 7), date(2015, 12, 12), "Paris-Le Bourget (COP 21)"),
    ),
    texts=(
        Text("23 Oct", "paris-agreement-2015/agreement_23-oct-2015_index.md", 1),
        Text("4 Dec", "paris-agreement-2015/agreement_4-dec-2015_index.md", 2),
        Text("9 Dec", "paris-agreement-2015/agreement_9-dec-2015_index.md", 3),
        Text("12 Dec", "paris-agreement-2015/agreement_12-dec-2015_index.md", 3),
    ),
    delegations=COMMON_DELEGATIONS,
    groups=COMMON_GROUPS,
    proposals=(
        Proposal("23 Oct", "AOSIS", "replace", "hold the increase in the global average temperature",
                 old="[below 2 °C][below 1.5 °C][well below 2 °C]", new="[well below 2 °C and pursuing efforts to limit it to 1.5 °C]",
                 rationale="1.5 °C is a matter of survival for small island States.",
                 supporters=("LDC", "MDV", "EU"), opponents=("SAU",), outcome="partly_incorporated"),
        Proposal("23 Oct", "USA", "replace", "Parties shall", old="shall", new="should",
                 rationale="Keep the provision non-binding.", supporters=("JPN",), opponents=("IND",),
                 outcome="not_retained"),
        Proposal("23 Oct", "IND", "retain", "common but differentiated responsibilities", on_behalf_of="G77",
                 supporters=("CHN", "BRA"), opponents=("USA",), outcome="incorporated"),
        Proposal("23 Oct", "NOR", "insert", "human rights", old="human rights", new=", including the rights of indigenous peoples",
                 co_sponsors=("MEX",), supporters=("PHL",), outcome="incorporated"),
        Proposal("23 Oct", "MEX", "delete", "[, small mountainous developing states]",
                 old="[, small mountainous developing states] ", withdrawn=True),
        Proposal("9 Dec", "SAU", "reserve", "response measures"),
        Proposal("9 Dec", "EU", "replace", "global stocktake", old="global stocktake", new="global stocktake every five years",
                 supporters=("NOR", "MEX"), outcome="partly_incorporated"),
    ),
    inputs=(("CAN-INT", "human rights", "Keep the reference to human rights and a just transition in the preamble."),),
    agreed=("The Parties to this Agreement",),
)

MIGRANTS = DemoNegotiation(
    slug="migrants",
    title="Protection of migrants (General Assembly, Third Committee)",
    symbol="A/C.3",
    mandate="Biennial resolution of the General Assembly on the protection of migrants",
    rounds=(
        Round(1, date(2019, 10, 14), date(2019, 11, 15), "New York, Third Committee"),
        Round(2, date(2021, 10, 11), date(2021, 11, 12), "New York, Third Committee"),
        Round(3, date(2023, 10, 9), date(2023, 11, 10), "New York, Third Committee"),
    ),
    texts=(
        Text("74/148", "un-ga-protection-of-migrants/A_RES_74_148_E.xml", 1),
        Text("76/172", "un-ga-protection-of-migrants/A_RES_76_172-2119207E.xml", 2),
        Text("78/217", "un-ga-protection-of-migrants/A_RES_78_217-2325999E.xml", 3),
    ),
    delegations=COMMON_DELEGATIONS,
    groups=COMMON_GROUPS,
    proposals=(
        Proposal("74/148", "MEX", "insert", "*Recalling further* the Global Compact",
                 old="held in Marrakech, Morocco, on 10 and 11 December 2018",
                 new=", as a non-legally binding cooperative framework",
                 rationale="Recall the nature of the Compact.", co_sponsors=("PHL",), supporters=("EU",),
                 opponents=("HUN",), outcome="not_retained"),
        Proposal("74/148", "HUN", "delete_paragraph", "*Recalling further* the Global Compact",
                 rationale="Hungary did not endorse the Global Compact.", opponents=("MEX", "EU"), outcome="not_retained"),
        Proposal("76/172", "EU", "replace", "*Calls upon* States to promote and protect effectively",
                 old="regardless of their migration status", new="regardless of their migration status, including children",
                 supporters=("MEX", "NOR"), outcome="partly_incorporated"),
        Proposal("76/172", "USA", "reserve", "through, inter alia, the Global Compact"),
    ),
    inputs=(("MADE", "*Stressing* the obligation of States to protect",
             "Firewalls between immigration enforcement and public services protect migrants' rights."),),
)


def build_demo(tracker: Tracker, data_dir: Path | None = None, names: Sequence[str] = ()) -> Iterator[str]:
    """Build the demo negotiations ``names`` (all by default) as far as the data allows,
    and yield a summary."""
    data = data_dir or default_data_dir()
    wanted = [plan for plan in (PARIS, MIGRANTS) if not names or plan.slug in names]
    plans = [plan for plan in wanted if all((data / t.path).is_file() for t in plan.texts)]
    if not plans:
        yield f"no real texts in {data}: building the sample negotiation instead"
        plans = [SAMPLE]
    for plan in plans:
        try:
            tracker.negotiation(plan.slug)
            yield f"{plan.slug}: already in the database, left as it is"
        except NotFound:
            _build(tracker, plan, data)
        yield from summary(tracker, plan.slug)
    yield from register_demo_users(tracker)


def register_demo_users(tracker: Tracker) -> Iterator[str]:
    """The demo's web accounts, one per role, unless already there."""
    from tracker.passwords import hash_password

    for u in DEMO_USERS:
        if tracker.find_account(u.username) is None:
            tracker.register_user(u.username, u.name, u.role, u.delegation, hash_password(u.password), SECRETARIAT)
    yield "web users (username / password, for trying the demo only): " + ", ".join(
        f"{u.username} / {u.password} ({u.role}, {u.delegation})" for u in DEMO_USERS)


def demo_users_in(tracker: Tracker) -> list[DemoUser]:
    """The demo accounts this database has as the demo made them (password never changed,
    not disabled): the ones whose published passwords still let one in."""
    found = []
    for u in DEMO_USERS:
        account = tracker.find_account(u.username)
        if account is not None and account.version == 1 and account.registered_by.user == USER:
            found.append(u)
    return found


def _build(tracker: Tracker, plan: DemoNegotiation, data: Path) -> None:
    slug = plan.slug
    tracker.create_negotiation(slug, plan.title, SECRETARIAT, plan.symbol, plan.mandate, ["en"])
    tracker.add_phase(slug, "Negotiations", SECRETARIAT, plan.rounds[0].starts, plan.rounds[-1].ends,
                      "Intergovernmental negotiations on the draft, round by round")
    for code, name, kind in plan.delegations:
        tracker.register_delegation(slug, code, name, kind, SECRETARIAT)
    for group, members in plan.groups:
        for member in members:
            tracker.join_group(slug, member, group, SECRETARIAT)
    for r in plan.rounds:
        tracker.schedule_round(slug, r.number, r.starts, r.ends, r.venue, SECRETARIAT)
    chair = Actor("COFAC", USER)
    pending: list[tuple[Any, Proposal]] = []
    open_round: int | None = None
    for text in plan.texts:
        # Decisions on the proposals made against the previous text come with the next one.
        if text.round_number != open_round:
            if open_round is not None:
                tracker.close_round(slug, open_round, chair)
            if text.round_number is not None:
                tracker.open_round(slug, text.round_number, chair)
            open_round = text.round_number
        document = _document(plan, data, text)
        raw = (data / text.path).read_bytes() if (data / text.path).is_file() else b""
        tracker.publish_revision(slug, text.label, document, chair, round_number=text.round_number,
                                 source=source_of(raw, Path(text.path).name, "sample" if not raw else "auto"))
        for amendment_id, proposal in pending:
            if proposal.outcome:
                tracker.decide_amendment(slug, str(amendment_id), proposal.outcome, chair, text.label)
        pending = []
        for proposal in (p for p in plan.proposals if p.before == text.label):
            pending.append((_propose(tracker, slug, proposal), proposal))
        revision = tracker.revision(slug, text.label)
        for stakeholder, containing, body in plan.inputs if text is plan.texts[0] else ():
            tracker.submit_input(slug, body, Actor(stakeholder, USER), paragraph=_find(revision, containing)["id"])
    if open_round is not None:
        tracker.close_round(slug, open_round, chair)
    last = tracker.revision(slug)
    for containing in plan.agreed:
        tracker.mark_paragraph(slug, _find(last, containing)["id"], "agreed_ad_ref", chair, "agreed in plenary")
    if len(last.paragraphs) > 3:
        # A silence procedure still running, broken by one delegation: how a deadline reads.
        deadline = datetime.now(UTC) + timedelta(days=2)
        procedure_id, _ = tracker.open_silence(slug, deadline, chair, [last.paragraphs[2]["id"]], "until noon New York time")
        tracker.break_silence(slug, str(procedure_id), "We need more time to consult capitals.", Actor("SAU", USER))


def _propose(tracker: Tracker, slug: str, p: Proposal) -> Any:
    actor = Actor(p.by, USER)
    revision = tracker.revision(slug, p.before)
    target = _find(revision, p.find)
    amendment_id, _ = tracker.propose(slug, target["id"], p.action, actor, old_text=p.old, new_text=p.new,
                                      on_behalf_of=p.on_behalf_of, rationale=p.rationale, base_label=p.before)
    for stance, who in (("co_sponsors", p.co_sponsors), ("supports", p.supporters), ("opposes", p.opponents)):
        for code in who:
            tracker.take_position(slug, str(amendment_id), stance, Actor(code, USER))
    if p.withdrawn:
        tracker.withdraw_amendment(slug, str(amendment_id), actor, "Withdrawn after informal consultations")
    return amendment_id


def _find(revision: Any, containing: str) -> dict[str, Any]:
    for paragraph in revision.paragraphs:
        if containing in paragraph["text"]:
            return paragraph
    raise LookupError(f"no paragraph of {revision.label!r} contains {containing!r}")


def _document(plan: DemoNegotiation, data: Path, text: Text) -> ParsedDocument:
    if plan is SAMPLE:
        return SAMPLE_TEXTS[text.label]
    return read_document((data / text.path).read_bytes(), filename=text.path)


def summary(tracker: Tracker, slug: str) -> Iterator[str]:
    negotiation = tracker.negotiation(slug)
    yield f"{negotiation.title} [{slug}]"
    for published in tracker.published(slug):
        methods = Counter(p["match"]["method"] for p in published.revision.paragraphs)
        kept = sum(n for m, n in methods.items() if m != "new")
        yield (f"  revision {published.label:<8} {len(published.revision.paragraphs):>4} paragraphs, "
               f"{kept} carried over from the previous one (log position {published.position})")
    events = Counter(type(e).__qualname__ for _, e in tracker.log(slug))
    amendments = events["Amendment.Proposed"]
    positions = events["Amendment.PositionTaken"]
    yield (f"  {len(negotiation.delegations)} delegations, {len(negotiation.rounds)} rounds, "
           f"{amendments} amendments, {positions} positions, {sum(events.values())} events")


def _sample_paragraphs(lines: list[tuple[str, str, str]]) -> ParsedDocument:
    return ParsedDocument(
        paragraphs=tuple(ParsedParagraph(text=t, num=n, kind=k) for n, t, k in lines),
        title="Sample compact on cooperation", language="en",
    )


SAMPLE_TEXTS = {
    "Zero draft": _sample_paragraphs([
        ("", "Preamble", "heading"),
        ("", "*Recognizing* that cooperation among States is [essential][important] to the common good,", "preambular"),
        ("", "*Recalling* its earlier commitments,", "preambular"),
        ("1.", "States [shall][should] cooperate in good faith.", "operative"),
        ("2.", "States shall report every [two][three] years.", "operative"),
        ("3.", "The secretariat shall support the implementation of this compact.", "operative"),
    ]),
    "Rev 1": _sample_paragraphs([
        ("", "Preamble", "heading"),
        ("", "*Recognizing* that cooperation among States is essential to the common good,", "preambular"),
        ("", "*Recalling* its earlier commitments,", "preambular"),
        ("1.", "States shall cooperate in good faith and in a spirit of partnership.", "operative"),
        ("2.", "States shall exchange information on good practice.", "operative"),
        ("3.", "States shall report every three years.", "operative"),
        ("4.", "The secretariat shall support the implementation of this compact.", "operative"),
    ]),
}

SAMPLE = DemoNegotiation(
    slug="sample",
    title="Sample compact on cooperation",
    symbol="SAMPLE/1",
    mandate="A sample negotiation written by the project, used when the real texts are absent",
    rounds=(Round(1, date(2026, 2, 2), date(2026, 2, 4), "New York"), Round(2, date(2026, 3, 2), date(2026, 3, 5), "New York")),
    texts=(Text("Zero draft", "sample/zero-draft", 1), Text("Rev 1", "sample/rev-1", 2)),
    delegations=COMMON_DELEGATIONS,
    groups=COMMON_GROUPS,
    proposals=(
        Proposal("Zero draft", "EU", "replace", "States [shall][should]", old="[shall][should]", new="shall",
                 supporters=("NOR",), opponents=("USA",), outcome="incorporated"),
        Proposal("Zero draft", "MEX", "new_paragraph", "report every", new="States shall exchange information on good practice.",
                 supporters=("PHL",), outcome="incorporated"),
    ),
    inputs=(("CAN-INT", "cooperate in good faith", "Please involve civil society in the cooperation."),),
    agreed=("The secretariat shall support",),
)
