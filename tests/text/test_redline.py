"""The redline on constructed cases: moves, renumbering, deletions in place, and the
renderings (HTML escaping, language and direction, Arabic isolation, plain text)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from tracker.text import redline as redline_module
from tracker.text.redline import (
    CHANGED,
    DELETED,
    EQUAL,
    INSERTED,
    MOVED,
    Redline,
    clear_cache,
    redline,
    redline_cached,
    word_ops,
)
from tracker.text.render import as_html, as_json, as_text, html_page, text_direction
from tracker.text.tokens import tokenize

A = "States shall protect the human rights of all migrants, regardless of their status."
B = "Calls upon States to cooperate on the safe and dignified return of migrants."
C = "Encourages Member States to share good practices on labour migration and skills."
D = "Requests the Secretary-General to report to the General Assembly at its eightieth session."
E = "Decides to remain seized of the matter and to continue its consideration next year."


def paras(*items: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"id": i, "num": n, "text": t} for i, n, t in items]


def rebuilt(entry_ops: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    old = "".join(t for op, t in entry_ops if op in "=-")
    new = "".join(t for op, t in entry_ops if op in "=+")
    return old, new


def check_integrity(result: Redline, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    by_old = {p["id"]: p["text"] for p in old}
    by_new = {p["id"]: p["text"] for p in new}
    for e in result.entries:
        before, after = rebuilt(e.ops)
        if e.from_id is not None:
            assert before == by_old[e.from_id]
        if e.to_id is not None:
            assert after == by_new[e.to_id]
    assert [e.to_id for e in result.entries if e.to_id is not None] == [p["id"] for p in new]


@pytest.mark.parametrize("by_id", [True, False])
def test_moved_paragraph_is_one_entry_at_its_new_place(by_id: bool) -> None:
    old = paras(("a", "1.", A), ("b", "2.", B), ("c", "3.", C), ("d", "4.", D), ("e", "5.", E))
    new = paras(("a", "1.", A), ("c", "2.", C), ("d", "3.", D), ("b", "4.", B), ("e", "5.", E))
    result = redline(old, new, by_id=by_id)
    check_integrity(result, old, new)
    statuses = [(e.status, e.from_id, e.to_id) for e in result.entries]
    assert statuses == [
        (EQUAL, "a", "a"), (EQUAL, "c", "c"), (EQUAL, "d", "d"), (MOVED, "b", "b"), (EQUAL, "e", "e"),
    ]
    assert result.stats[MOVED] == 1 and result.stats[DELETED] == 0 and result.stats[INSERTED] == 0
    moved = result.entries[3]
    assert (moved.from_num, moved.to_num) == ("2.", "4.")


@pytest.mark.parametrize("by_id", [True, False])
def test_moved_and_edited_keeps_its_own_word_ops(by_id: bool) -> None:
    edited = B.replace("cooperate on", "strengthen cooperation on")
    old = paras(("a", "1.", A), ("b", "2.", B), ("c", "3.", C), ("d", "4.", D), ("e", "5.", E))
    new = paras(("a", "1.", A), ("c", "2.", C), ("d", "3.", D), ("e", "4.", E), ("b", "5.", edited))
    result = redline(old, new, by_id=by_id)
    check_integrity(result, old, new)
    moved = [e for e in result.entries if e.status == MOVED]
    assert len(moved) == 1 and moved[0].from_id == "b" and moved[0].to_id == "b"
    assert ("+", "strengthen") in moved[0].ops or any(op == "+" and "strengthen" in t for op, t in moved[0].ops)
    assert any(op == "=" and "return of migrants" in t for op, t in moved[0].ops)
    assert result.stats[DELETED] == 0 and result.stats[INSERTED] == 0


@pytest.mark.parametrize("by_id", [True, False])
def test_renumbering_alone_is_equal_with_other_numbers(by_id: bool) -> None:
    old = paras(("a", "1.", A), ("b", "2.", B), ("c", "3.", C))
    new = paras(("a", "1.", A), ("b", "3.", B), ("c", "4.", C))
    result = redline(old, new, by_id=by_id)
    assert [e.status for e in result.entries] == [EQUAL, EQUAL, EQUAL]
    assert [e.renumbered for e in result.entries] == [False, True, True]
    assert result.stats["renumbered"] == 2
    assert result.entries[1].ops == (("=", B),)
    text = as_text(result)
    assert "[-2.-]{+3.+} " + B in text and "[-" not in text.replace("[-2.-]", "").replace("[-3.-]", "")


@pytest.mark.parametrize("by_id", [True, False])
def test_insert_early_renumbers_all_later(by_id: bool) -> None:
    new_text = "Welcomes the work of the International Organization for Migration in the field."
    old = paras(("a", "1.", A), ("b", "2.", B), ("c", "3.", C), ("d", "4.", D))
    new = paras(("a", "1.", A), ("n", "2.", new_text), ("b", "3.", B), ("c", "4.", C), ("d", "5.", D))
    result = redline(old, new, by_id=by_id)
    check_integrity(result, old, new)
    assert [e.status for e in result.entries] == [EQUAL, INSERTED, EQUAL, EQUAL, EQUAL]
    assert [e.renumbered for e in result.entries] == [False, False, True, True, True]
    assert result.entries[1].ops == (("+", new_text),)
    assert result.stats == {
        EQUAL: 4, CHANGED: 0, INSERTED: 1, DELETED: 0, MOVED: 0, "renumbered": 3,
        "words_inserted": len(new_text.split()), "words_deleted": 0,
    }


@pytest.mark.parametrize("by_id", [True, False])
def test_deletion_comes_right_after_its_predecessor_in_the_old_text(by_id: bool) -> None:
    old = paras(("a", "1.", A), ("b", "2.", B), ("c", "3.", C), ("d", "4.", D))
    new = paras(("a", "1.", A), ("c", "2.", C), ("d", "3.", D))
    result = redline(old, new, by_id=by_id)
    check_integrity(result, old, new)
    assert [(e.status, e.from_id) for e in result.entries] == [
        (EQUAL, "a"), (DELETED, "b"), (EQUAL, "c"), (EQUAL, "d"),
    ]
    assert result.entries[1].ops == (("-", B),) and result.entries[1].from_num == "2."


def test_deleting_the_first_paragraph_puts_it_first() -> None:
    old = paras(("a", "1.", A), ("b", "2.", B))
    new = paras(("b", "1.", B))
    assert [e.status for e in redline(old, new).entries] == [DELETED, EQUAL]


def test_changed_paragraph_words_are_whole() -> None:
    ops = word_ops("paragraph 15 of resolution 74/148", "paragraph 16 of resolution 76/172")
    assert ops == (("=", "paragraph "), ("-", "15"), ("+", "16"), ("=", " of resolution "),
                   ("-", "74/148"), ("+", "76/172"))
    assert word_ops("", "") == () and word_ops("same", "same") == (("=", "same"),)
    assert word_ops("", "new") == (("+", "new"),) and word_ops("old", "") == (("-", "old"),)


def test_chinese_changes_by_character() -> None:
    ops = word_ops("保护移民的人权", "保护难民的人权")
    assert ops == (("=", "保护"), ("-", "移"), ("+", "难"), ("=", "民的人权"))


def test_cache_returns_equal_results_and_stays_bounded() -> None:
    clear_cache()
    old = paras(("a", "1.", A), ("b", "2.", B))
    new = paras(("a", "1.", A), ("b", "2.", B.replace("safe", "safe, orderly")))
    first = redline_cached(old, new)
    second = redline_cached([dict(p) for p in old], [dict(p) for p in new])
    assert first == second == redline(old, new)
    second.stats["equal"] = 99  # a caller's copy: the cached result is untouched
    assert redline_cached(old, new).stats["equal"] == 1
    info = redline_module._redline_memo.cache_info()
    assert info.hits == 2 and info.misses == 1
    assert info.maxsize is not None


# --- HTML ---------------------------------------------------------------------------------

HOSTILE = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '" onmouseover="alert(1)',
    "&lt;b&gt; & </p><p>",
    "pay \u202eneves\u202c euros",
    "\u2067rtl isolate\u2069 and \u202dforced\u202c",
]


def hostile_redline() -> Redline:
    old = paras(("a", "<1>", "Safe text."), ("b", "2.", "Plain words here."), ("c", "3.", "To be removed <b>."))
    new = paras(
        ("a", '1" onerror="x', "Safe text."),
        ("b", "2.", "Plain " + " ".join(HOSTILE) + " here."),
        ("n", "<script>", HOSTILE[0]),
    )
    return redline(old, new)


class _Elements(HTMLParser):
    """What a browser would build: element names, attribute names and the text shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_hostile_text() -> None:
    html = as_html(hostile_redline(), "en")
    parsed = _Elements()
    parsed.feed(html)
    parsed.close()
    assert parsed.tags <= {"div", "p", "span", "ins", "del", "bdi"}
    assert parsed.attributes <= {"class", "lang", "dir", "data-from-id", "data-to-id", "data-from-num", "title"}
    shown = "".join(parsed.text)
    # The hostile strings are shown as the text they are, not obeyed.
    for hostile in HOSTILE[:4]:
        assert hostile in shown
    assert '1" onerror="x' in shown  # the hostile number too
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_html_shows_bidi_controls_instead_of_obeying_them() -> None:
    html = as_html(hostile_redline(), "en")
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert control not in html
    assert '<span class="rl-control" title="U+202E">U+202E</span>neves' in html
    # The JSON keeps the text exactly as recorded.
    ops = as_json(hostile_redline(), "a", "b")["paragraphs"][1]["ops"]
    assert any("\u202eneves" in t for _, t in ops)


def test_html_page_escapes_the_title() -> None:
    page = html_page(hostile_redline(), "fr", "<script>x</script>")
    assert "<title>&lt;script&gt;x&lt;/script&gt;</title>" in page
    assert '<html lang="fr" dir="ltr">' in page


def test_html_lang_and_dir_on_every_paragraph() -> None:
    old = paras(("a", "1.", A), ("b", "2.", B))
    new = paras(("a", "1.", A.replace("all", "every")), ("b", "2.", B))
    for lang, direction in (("en", "ltr"), ("fr", "ltr"), ("zh", "ltr"), ("ru", "ltr"), ("es", "ltr"), ("ar", "rtl")):
        html = as_html(redline(old, new), lang)
        paragraphs = re.findall(r"<p [^>]*>", html)
        assert len(paragraphs) == 2
        assert all(f'lang="{lang}" dir="{direction}"' in p for p in paragraphs)
        assert text_direction(lang) == direction
    with pytest.raises(ValueError):
        as_html(redline(old, new), 'en" onload="x')


def test_arabic_changes_are_direction_isolated() -> None:
    old = paras(("a", "٥.", "وإذ تشير إلى القرار 74/148 المؤرخ 18 كانون الأول/ديسمبر 2019"))
    new = paras(("a", "٦.", "وإذ تشير إلى القرار 76/172 المؤرخ 16 كانون الأول/ديسمبر 2021"))
    html = as_html(redline(old, new), "ar")
    assert '<bdi><del class="rl-del">74/148</del></bdi><bdi><ins class="rl-ins">76/172</ins></bdi>' in html
    # Every change sits in an isolate; no ins/del is bare.
    assert len(re.findall(r"<(?:ins|del)\b", html)) == len(re.findall(r"<bdi><(?:ins|del)\b", html))
    english = as_html(redline(old, new), "en")
    assert "<bdi>" not in english.replace('<span class="rl-num rl-num-change">', "")


def test_html_marks_moves_and_mutes_renumbering() -> None:
    old = paras(("a", "1.", A), ("b", "2.", B), ("c", "3.", C), ("d", "4.", D))
    new = paras(("a", "1.", A), ("c", "2.", C), ("d", "3.", D), ("b", "4.", B.replace("safe", "safe and orderly")))
    html = as_html(redline(old, new), "en")
    lines = html.splitlines()[1:-1]
    assert 'class="rl-para rl-equal rl-renumbered"' in lines[1]
    assert '<span class="rl-num rl-num-change"><del class="rl-del">3.</del><ins class="rl-ins">2.</ins></span>' in lines[1]
    assert "rl-ins" not in lines[1].split("</span>", 1)[1]  # the body is plain
    moved = lines[3]
    assert 'class="rl-para rl-moved rl-renumbered"' in moved
    assert '(moved from <bdi>2.</bdi>)' in moved
    assert re.search(r'<ins class="rl-ins">[^<]*orderly[^<]*</ins>', moved)


def test_html_inserted_and_deleted_paragraphs() -> None:
    old = paras(("a", "1.", A), ("b", "2.", B))
    new = paras(("a", "1.", A), ("n", "2.", C))
    html = as_html(redline(old, new, by_id=True), "en")
    assert f'<p class="rl-para rl-deleted" lang="en" dir="ltr" data-from-id="b"><span class="rl-num">2.</span> ' \
           f'<del class="rl-del rl-whole">{B}</del></p>' in html
    assert f'<ins class="rl-ins rl-whole">{C}</ins>' in html


def test_tokens_of_ops_are_whole_tokens_of_each_side() -> None:
    old, new = "self-determination of peoples, 1.5 degrees", "self-reliance of all peoples, 2.0 degrees"
    ops = word_ops(old, new)
    old_cuts = boundaries(tokenize(old))
    new_cuts = boundaries(tokenize(new))
    i = j = 0
    for op, text in ops:
        if op in "=-":
            i += len(text)
            assert i in old_cuts
        if op in "=+":
            j += len(text)
            assert j in new_cuts


def boundaries(tokens: list[str]) -> set[int]:
    out, at = {0}, 0
    for t in tokens:
        at += len(t)
        out.add(at)
    return out


def test_deletion_after_a_moved_paragraph_stays_where_it_was() -> None:
    old = paras(("a", "1.", A), ("b", "2.", B), ("x", "3.", "Text deleted in this round."), ("c", "4.", C),
                ("d", "5.", D), ("e", "6.", E))
    new = paras(("a", "1.", A), ("c", "2.", C), ("d", "3.", D), ("e", "4.", E), ("b", "5.", B))
    result = redline(old, new)
    assert [(e.status, e.from_id or e.to_id) for e in result.entries] == [
        (EQUAL, "a"), (DELETED, "x"), (EQUAL, "c"), (EQUAL, "d"), (EQUAL, "e"), (MOVED, "b"),
    ]


# --- the token diff is diff-match-patch's semantic cleanup, exactly ---------------------------


def lcs_then_dmp_cleanup(a: str, b: str) -> list[tuple[int, str]]:
    """The reference: the LCS as diff-match-patch diffs (deletions before insertions between
    equalities), then diff-match-patch's own ``diff_cleanupSemantic``."""
    diffs: list[tuple[int, str]] = []
    gone, came = "", ""
    for tag, a0, a1, b0, b1 in Indel.opcodes(a, b).as_list():
        if tag == "equal":
            diffs += [(-1, gone)] if gone else []
            diffs += [(1, came)] if came else []
            gone, came = "", ""
            diffs.append((0, a[a0:a1]))
        elif tag == "delete":
            gone += a[a0:a1]
        else:
            came += b[b0:b1]
    diffs += [(-1, gone)] if gone else []
    diffs += [(1, came)] if came else []
    reference = diff_match_patch()
    reference.diff_cleanupSemantic(diffs)
    return diffs


# Few letters, so that the LCS leaves many short equalities for the cleanup to weigh.
_token_strings = st.text(alphabet="abcde", max_size=60) | st.text(alphabet="ab", max_size=30)


@settings(max_examples=1500)
@given(_token_strings, _token_strings)
def test_token_diffs_equal_diff_match_patch_semantic_cleanup(a: str, b: str) -> None:
    assert redline_module._token_diffs(a, b) == lcs_then_dmp_cleanup(a, b)


def test_token_diffs_on_a_rewritten_sentence() -> None:
    # Many one-token equalities between edits: the case where the stack replaces rescanning.
    a, b = "abcadaeafagahaiajak", "xbyazaeawavauatasar"
    assert redline_module._token_diffs(a, b) == lcs_then_dmp_cleanup(a, b)
    assert "".join(t for op, t in redline_module._token_diffs(a, b) if op <= 0) == a


def test_too_many_distinct_tokens_for_private_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past the private code points, a pair is shown as replaced whole: true, never wrong.
    monkeypatch.setattr(redline_module, "_PRIVATE", redline_module._PRIVATE[:3])
    ops = word_ops("one two three four", "one two five six")
    assert ops == (("=", "one two "), ("-", "three four"), ("+", "five six"))
    clear_cache()
    result = redline(paras(("a", "1.", "alpha beta gamma delta")), paras(("a", "1.", "alpha beta epsilon zeta")))
    assert result.stats["words_deleted"] == 2 and result.stats["words_inserted"] == 2


def test_html_shows_emphasis_not_its_markers() -> None:
    old = paras(("a", "1.", "*Recalling* its resolution"))
    new = paras(("a", "1.", "*Recalling also* its **earlier** resolution"), ("b", "2.", "Noting the report"))
    html = as_html(redline(old, new), "en")
    assert "*" not in html
    assert "<em>Recalling</em>" in html and '<ins class="rl-ins"><em> also</em></ins>' in html
    assert "<strong>earlier</strong>" in html
    # Emphasis added: the plain word struck, the emphasised one inserted, no markers.
    plain = paras(("a", "1.", "Noting the report"))
    marked = paras(("a", "1.", "*Noting* the report"))
    html = as_html(redline(plain, marked), "en")
    assert '<del class="rl-del">Noting</del><ins class="rl-ins"><em>Noting</em></ins> the report' in html
    # A change of markers alone inside kept words shows as no empty change.
    html = as_html(redline(paras(("a", "1.", "*Noting the* report")), paras(("a", "1.", "*Noting* the report"))), "en")
    assert "*" not in html and '<del class="rl-del"></del>' not in html and '<ins class="rl-ins"></ins>' not in html
    # The text rendering keeps the markers: it shows exactly what changed.
    assert as_text(redline(plain, marked)).endswith("[-Noting-]{+*Noting*+} the report")
