"""Paragraph alignment: constructed cases, then the real texts in ../shared/data."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from tracker.text.align import EXACT, METHODS, MOVED, POSITION, SECTION, SIMILAR, Match, align, similarity
from tracker.text.document import HEADING, ParsedParagraph

Paragraphs = list[tuple[str, str]]

MIGRANTS = [
    "un-ga-protection-of-migrants/A_RES_74_148_E.xml",
    "un-ga-protection-of-migrants/A_RES_76_172-2119207E.xml",
    "un-ga-protection-of-migrants/A_RES_78_217-2325999E.xml",
]
PARIS = [
    "paris-agreement-2015/agreement_23-oct-2015_index.md",
    "paris-agreement-2015/agreement_4-dec-2015_index.md",
    "paris-agreement-2015/agreement_9-dec-2015_index.md",
    "paris-agreement-2015/agreement_12-dec-2015_index.md",
]

BODY = [
    "Recalling all its previous resolutions on the protection of migrants",
    "Reaffirming the Universal Declaration of Human Rights, which proclaims that all human beings are born free",
    "Calls upon States to promote and protect effectively the human rights of all migrants",
    "Requests States to adopt concrete measures to prevent the violation of the human rights of migrants while in transit",
    "Encourages Member States to promote faster, safer and cheaper remittances in both source and recipient countries",
    "Invites the Special Rapporteur on the human rights of migrants to submit a report to the General Assembly",
    "Decides to continue its consideration of the question at its eightieth session under the item on human rights",
]


def numbered(texts: list[str], start: int = 1) -> list[tuple[str, str]]:
    return [(f"{k}.", t) for k, t in enumerate(texts, start)]


def pairs(matches: list[Match]) -> dict[int, int]:
    return {m.old: m.new for m in matches}


def check_one_to_one(matches: list[Match], n_old: int, n_new: int) -> None:
    assert len({m.old for m in matches}) == len(matches)
    assert len({m.new for m in matches}) == len(matches)
    assert all(0 <= m.old < n_old and 0 <= m.new < n_new for m in matches)
    assert all(m.method in METHODS and 0.0 <= m.score <= 1.0 for m in matches)
    assert [m.new for m in matches] == sorted(m.new for m in matches)


def test_identical_lists_match_exactly() -> None:
    old = numbered(BODY)
    matches = align(old, list(old))
    assert [(m.old, m.new, m.method, m.score) for m in matches] == [
        (k, k, EXACT, 1.0) for k in range(len(BODY))
    ]


def test_empty_lists() -> None:
    assert align([], []) == []
    assert align(numbered(BODY), []) == []
    assert align([], numbered(BODY)) == []


def test_insertion_early_renumbers_everything_after() -> None:
    old = numbered(BODY)
    new = numbered([BODY[0], "Welcomes the new initiative of the Secretary-General on migration", *BODY[1:]])
    matches = align(old, new)
    check_one_to_one(matches, len(old), len(new))
    assert pairs(matches) == {0: 0, **{k: k + 1 for k in range(1, len(BODY))}}
    assert all(m.method == EXACT for m in matches)
    assert all(old[m.old][0] != new[m.new][0] for m in matches if m.old > 0)


def test_reworded_paragraph_in_place_is_similar() -> None:
    old = numbered(BODY)
    reworded = BODY[:]
    reworded[3] = ("Urges States to adopt concrete and effective measures to prevent any violation "
                   "of the human rights of migrants while in transit, including at borders")
    matches = align(old, numbered(reworded))
    assert pairs(matches) == {k: k for k in range(len(BODY))}
    m = next(m for m in matches if m.old == 3)
    assert m.method == SIMILAR and 0.5 <= m.score < 1.0


def test_unrelated_replacement_stays_unmatched() -> None:
    old = numbered(BODY)
    new = BODY[:]
    new[3] = "Takes note with appreciation of the report of the Secretary-General on oceans and the law of the sea"
    matches = align(old, numbered(new))
    assert 3 not in pairs(matches)
    assert len(matches) == len(BODY) - 1


def test_moved_and_edited_paragraph() -> None:
    old = numbered(BODY)
    edited = BODY[1].replace("which proclaims", "which solemnly proclaims")
    new = numbered([BODY[0], *BODY[2:6], edited, BODY[6]])
    matches = align(old, new)
    check_one_to_one(matches, len(old), len(new))
    by_old = {m.old: m for m in matches}
    assert by_old[1].new == 5 and by_old[1].method == MOVED and by_old[1].score > 0.9
    assert all(by_old[k].method == EXACT for k in (0, 2, 3, 4, 5, 6))


def test_deleted_paragraph() -> None:
    old = numbered(BODY)
    new = numbered(BODY[:2] + BODY[3:])
    matches = align(old, new)
    assert pairs(matches) == {0: 0, 1: 1, 3: 2, 4: 3, 5: 4, 6: 5}


def test_split_and_join_match_the_larger_part() -> None:
    long = ("Calls upon States to promote and protect effectively the human rights of all migrants, "
            "regardless of their migration status, especially those of women and children, and to "
            "address international migration through international, regional or bilateral cooperation")
    head, tail = long.split(", and to ")
    old = numbered([BODY[0], long, BODY[6]])
    new = numbered([BODY[0], head + ".", "Also calls upon States to " + tail, BODY[6]])
    split = align(old, new)
    check_one_to_one(split, len(old), len(new))
    assert pairs(split)[1] == 1  # the larger part
    joined = align(new, old)
    check_one_to_one(joined, len(new), len(old))
    assert pairs(joined)[1] == 1


def test_duplicated_paragraphs_stay_in_order_and_one_to_one() -> None:
    old = [("(a)", "[Placeholder]"), ("(b)", BODY[2]), ("(c)", "[Placeholder]"), ("(d)", BODY[4])]
    new = [("(a)", "[Placeholder]"), ("(b)", "[Placeholder]"), ("(c)", BODY[2]),
           ("(d)", "[Placeholder]"), ("(e)", BODY[4])]
    matches = align(old, new)
    check_one_to_one(matches, len(old), len(new))
    assert pairs(matches) == {0: 0, 1: 2, 2: 3, 3: 4}
    assert all(m.method == EXACT for m in matches)


def test_short_headings_match_by_number_and_section() -> None:
    old = [("Article 1", "(purpose)"), ("1.", BODY[0]), ("Article 2", "(definitions)"),
           ("1.", BODY[1]), ("Article 3", "(finance)"), ("1.", BODY[2])]
    # Article 2 deleted: Article 3 becomes Article 2 and loses its title.
    new = [("Article 1", "(purpose)"), ("1.", BODY[0]), ("Article 2", ""), ("1.", BODY[2])]
    matches = align(old, new)
    check_one_to_one(matches, len(old), len(new))
    assert pairs(matches) == {0: 0, 1: 1, 4: 2, 5: 3}
    assert next(m for m in matches if m.old == 4).method == SECTION


def test_heading_of_a_rewritten_section_matches_by_position() -> None:
    old = [ParsedParagraph("Article 4", kind=HEADING), ParsedParagraph(BODY[0], "1."),
           ParsedParagraph("Article 5 (finance)", kind=HEADING), ParsedParagraph(BODY[2], "1.")]
    new = [ParsedParagraph("Article 4", kind=HEADING), ParsedParagraph(BODY[0], "1."),
           ParsedParagraph("Article 5 (oceans)", kind=HEADING),
           ParsedParagraph("Something else entirely about oceans, fisheries and the law of the sea", "1.")]
    matches = align(old, new)
    assert pairs(matches) == {0: 0, 1: 1, 2: 2}
    assert matches[2].method == POSITION


def test_deterministic() -> None:
    old = numbered(BODY * 3)
    new = numbered(list(reversed(BODY)) + BODY)
    first = align(old, new)
    assert all(align(old, new) == first for _ in range(3))
    check_one_to_one(first, len(old), len(new))


def test_similarity() -> None:
    assert similarity("", "") == 1.0
    assert similarity("a b", "") == 0.0
    assert similarity("*Recalling* the Compact", "recalling THE compact.") == 1.0
    assert 0.5 < similarity(BODY[2], BODY[2] + " and their families") < 1.0
    assert similarity(BODY[0], BODY[4]) < 0.3


# Real data -------------------------------------------------------------------------------


def find(paras: Paragraphs, needle: str) -> int:
    """Index of the only paragraph whose text (emphasis markers aside) contains ``needle``."""
    hits = [k for k, (_, t) in enumerate(paras) if needle in t.replace("*", "")]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


_ARTICLE = re.compile(r"^\W*Article\s+(\d+\s*(?:bis|ter)?)\W*(?:\s|$)", re.I)


def article(paras: Paragraphs, label: str) -> int:
    """Index of the heading "Article <label>", whether the importer put it in num or text."""
    want = label.replace(" ", "")
    hits = []
    for k, (num, text) in enumerate(paras):
        m = _ARTICLE.match(num or text) or _ARTICLE.match(f"{num} {text}")
        if m and m.group(1).replace(" ", "") == want and len(text.split()) < 10:
            hits.append(k)
    assert len(hits) == 1, (label, hits)
    return hits[0]


def report(name: str, old: Paragraphs, new: Paragraphs, matches: list[Match]) -> None:
    counts = Counter(m.method for m in matches)
    print(f"{name}: {len(old)} -> {len(new)} paragraphs, {len(matches)} matched {dict(counts)}")


def test_migrants_resolutions_align(load_real: Callable[[str], Paragraphs]) -> None:
    r74, r76, r78 = (load_real(f) for f in MIGRANTS)
    m1, m2 = align(r74, r76), align(r76, r78)
    report("74/148 -> 76/172", r74, r76, m1)
    report("76/172 -> 78/217", r76, r78, m2)
    for (old, new), ms in (((r74, r76), m1), ((r76, r78), m2)):
        check_one_to_one(ms, len(old), len(new))
        assert len(ms) >= 0.85 * len(old)
        assert sum(m.method == EXACT for m in ms) >= 0.5 * len(old)

    p1 = pairs(m1)
    # Known rewordings, 2019 -> 2021.
    assert p1[find(r74, "Recalling further the Global Compact for Safe")] == find(
        r76, "Recalling the Global Compact for Safe, Orderly and Regular Migration, adopted")
    assert p1[find(r74, "Welcomes the consideration afforded to the issues of migration")] == find(
        r76, "Reaffirms the consideration afforded to the issues of migration")
    assert p1[find(r74, "Also encourages States to protect migrants from becoming victims")] == find(
        r76, "Encourages States to protect migrants from becoming victims")
    # Paragraphs added in 2021 stay unmatched.
    assert find(r76, "COVID-19 pandemic has had a severe impact") not in {m.new for m in m1}

    p2 = pairs(m2)
    # 2021 -> 2023: renumbered from 15 to 25 with a hyphen changed, moved and reworded.
    assert p2[find(r76, "Encourages States, relevant international organizations, civil society")] == find(
        r78, "Encourages States, relevant international organizations, civil society")
    assert p2[find(r76, "Recalling the Global Compact for Safe, Orderly and Regular Migration, adopted")] == find(
        r78, "Recalling also the Global Compact for Safe, Orderly and Regular Migration")
    assert p2[find(r76, "Recognizing also the obligations of countries of origin")] == find(
        r78, "Recognizing the obligations of countries of origin")
    assert find(r76, "Taking note with appreciation of the Secretary-General’s policy brief") not in p2


def test_paris_drafts_align(load_real: Callable[[str], Paragraphs]) -> None:
    docs = [load_real(f) for f in PARIS]
    names = ["23 Oct", "4 Dec", "9 Dec", "12 Dec"]
    all_matches = []
    for k, (old, new) in enumerate(zip(docs, docs[1:])):
        ms = align(old, new)
        report(f"{names[k]} -> {names[k + 1]}", old, new, ms)
        check_one_to_one(ms, len(old), len(new))
        all_matches.append(pairs(ms))
    oct23, dec4, dec9, dec12 = docs
    m1, m2, m3 = all_matches
    assert len(m1) >= 0.6 * len(oct23) and len(m2) >= 0.45 * len(dec4) and len(m3) >= 0.5 * len(dec9)

    # Until 9 December the articles keep their numbers.
    for label in ("1", "2", "2bis", "3", "4", "5", "6", "9", "10", "26"):
        assert m1[article(oct23, label)] == article(dec4, label), label
        assert m2[article(dec4, label)] == article(dec9, label), label
    # On 12 December they are renumbered: each heading follows its content.
    for before, after in (("1", "1"), ("2", "2"), ("2bis", "3"), ("3", "4"), ("3bis", "5"),
                          ("3ter", "6"), ("4", "7"), ("5", "8"), ("6", "9"), ("7", "10"),
                          ("8", "11"), ("9", "13"), ("10", "14"), ("11", "15"), ("26", "29")):
        assert m3[article(dec9, before)] == article(dec12, after), (before, after)

    # Known pairs of paragraphs, checked by eye.
    assert m3[find(dec9, "A Party may at any time adjust its existing ###")] == find(
        dec12, "A Party may at any time adjust its existing nationally determined contribution")
    assert m3[find(dec9, "Parties are encouraged to incentivize")] == find(
        dec12, "Parties are encouraged to take action to implement and support")
    assert m3[find(dec9, "Emphasizing the importance of Parties promoting, protecting and respecting")] == find(
        dec12, "Acknowledging that climate change is a common concern of humankind")
    assert m2[find(dec4, "Deliver, where desired by participating Parties, a net decrease or avoidance")] == find(
        dec9, "Deliver, where desired by participating Parties, a net decrease in, or avoidance of")
