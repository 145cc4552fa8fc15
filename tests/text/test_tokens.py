"""Tokens: the text rebuilt exactly, words never cut, Chinese and Japanese per character."""

from __future__ import annotations

import unicodedata

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.text.tokens import is_word, tokenize, words

# Alphabets that stress the rules: Latin with combining marks, Arabic with harakat and
# tatweel, Cyrillic, Han, kana, emoji with modifiers and joiners, digits, punctuation.
_PIECES = [
    "a", "é", "e\u0301", "n", "Z", "ß", "İ", "1", "5", "0", ".", ",", "'", "\u2019", "-",
    "\u2011", " ", "  ", "\n", "\t", "\u00a0", "[", "]", "(", ")", ";", ":", "«", "»",
    "م", "ُ", "ه", "َ", "ا", "ج", "ِ", "ر", "ّ", "ـ", "،", "٥", "\u0600",
    "Ж", "и", "з", "н", "ь", "中", "国", "移", "民", "。", "，", "カ", "ー", "の", "々",
    "👍", "🏽", "\u200d", "👩", "\ufe0f", "❤", "🇺", "🇳", "\u20e3", "_",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=60)


@given(texts)
@settings(max_examples=400)
def test_tokens_rebuild_the_text_exactly(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(tokens)


def _word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMN" or c == "_"


_CJK = regex.compile(r"[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]")


def _cjk(c: str) -> bool:
    return _CJK.match(c) is not None


@given(texts)
@settings(max_examples=400)
def test_no_boundary_inside_a_word(text: str) -> None:
    tokens = tokenize(text)
    for left, right in zip(tokens, tokens[1:]):
        a, b = left[-1], right[0]
        if _cjk(left[0]) or _cjk(b):
            continue
        assert not (_word_char(a) and _word_char(b) and unicodedata.category(b) != "Mn"
                    and is_word(left)), (left, right)
        # A combining mark never starts a token after a word: it belongs to that word.
        assert not (is_word(left) and unicodedata.category(b) == "Mn"), (left, right)


# The fast scanner behind words() knows the marks of the UN languages' scripts, not the
# grapheme extenders of emoji (modifiers, joiners) or the Arabic number sign.
_UN_PIECES = [p for p in _PIECES if p not in ("\u0600", "\u200d", "🏽")]


@given(st.lists(st.sampled_from(_UN_PIECES), max_size=40).map("".join))
@settings(max_examples=300)
def test_words_are_the_word_tokens(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    assert words(text) == [t.casefold() for t in tokenize(text) if is_word(t)]


def test_accented_and_arabic_words_stay_whole() -> None:
    assert tokenize("café") == ["café"]
    decomposed = "cafe\u0301 crème"
    assert tokenize(decomposed) == ["cafe\u0301", " ", "crème"]
    assert tokenize("مُهَاجِر") == ["مُهَاجِر"]
    assert tokenize("حماية المهاجرين، ١٥") == ["حماية", " ", "المهاجرين", "،", " ", "١٥"]
    assert tokenize("Защита мигрантов") == ["Защита", " ", "мигрантов"]


def test_numbers_are_one_token() -> None:
    assert tokenize("paragraph 15") == ["paragraph", " ", "15"]
    assert tokenize("paragraph 16.") == ["paragraph", " ", "16", "."]
    assert tokenize("1.5°C and 100,000") == ["1.5", "°", "C", " ", "and", " ", "100,000"]
    assert tokenize("A/RES/78/217") == ["A", "/", "RES", "/", "78", "/", "217"]


def test_punctuation_and_apostrophes() -> None:
    assert tokenize("[shall][should]") == ["[", "shall", "]", "[", "should", "]"]
    assert tokenize("co-operation") == ["co", "-", "operation"]
    assert tokenize("women's Party’s") == ["women's", " ", "Party’s"]
    assert tokenize("States’ duty") == ["States", "’", " ", "duty"]
    assert tokenize("l'homme") == ["l'homme"]


def test_whitespace_runs_are_one_token() -> None:
    assert tokenize("a \t\n b") == ["a", " \t\n ", "b"]


def test_chinese_and_japanese_one_token_per_character() -> None:
    assert tokenize("保护移民。") == ["保", "护", "移", "民", "。"]
    assert tokenize("第15条") == ["第", "15", "条"]
    assert tokenize("カタカナーの") == ["カ", "タ", "カ", "ナ", "ー", "の"]


def test_emoji_are_whole_grapheme_clusters() -> None:
    family = "👩\u200d👩\u200d👧"
    assert tokenize(f"ok 👍🏽 {family}!") == ["ok", " ", "👍🏽", " ", family, "!"]
    assert words(f"ok 👍🏽 {family}!") == ["ok"]


def test_words_casefold_and_drop_punctuation() -> None:
    assert words("*Recalling* [further] the GLOBAL Compact, 2018;") == [
        "recalling", "further", "the", "global", "compact", "2018",
    ]
    assert words("") == []


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_fast_path_tokenises_as_the_unicode_rules(text: str) -> None:
    from tracker.text.tokens import _TOKEN

    assert tokenize(text) == _TOKEN.findall(text)


@settings(max_examples=500)
@given(
    st.lists(st.sampled_from(["a", "Z", "q", "1", "0", "_", "'", ".", ",", " ", "-", "\n", "\x1c", "s"]),
             max_size=40).map("".join)
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
)
def test_ascii_words_match_the_general_scanner(text: str) -> None:
    from tracker.text.tokens import _FAST_WORD

    assert words(text) == _FAST_WORD.findall(text.casefold())


# Chinese as the UN writes it takes a faster path: the same tokens and words as the
# Unicode rules, on texts of ASCII, ideographs and CJK punctuation only.
_HAN_PIECES = [
    "保", "护", "移", "民", "一", "\u9fff", "，", "、", "。", "〃", "《", "》", "“", "”", "‘", "’", "‧", "‰",
    "⁞", "！", "／", "：", "＠", "［", "＿", "｀", "｛", "･", "\u3000", " ", "  ", "\n", "\r\n", "\t", "\x1c",
    "a", "Z", "s", "1", "5", "0", ".", ",", "'", "_", "-", "(", ")", "[", "]", "%",
]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(_HAN_PIECES), max_size=40).map("".join))
def test_plain_chinese_fast_path_agrees_with_the_unicode_rules(text: str) -> None:
    from tracker.text.tokens import _FAST_WORD_CJK, _PLAIN_HAN, _TOKEN

    assert _PLAIN_HAN.match(text)
    assert tokenize(text) == _TOKEN.findall(text)
    assert words(text) == _FAST_WORD_CJK.findall(text.casefold())


def test_plain_chinese_path_is_not_taken_for_other_scripts() -> None:
    from tracker.text.tokens import _PLAIN_HAN

    for text in ("保护 café", "カタカナ", "保护々", "ｶﾞ", "保\u0301", "中\u200d文", "１５条", "保护\u00a0移民"):
        assert not _PLAIN_HAN.match(text), text
