"""Split text into the tokens a redline works on, in any of the six UN languages.

A token is the smallest unit a diff may insert or delete, so the rules here decide what
readers see as "one change":

- a word is a run of letters, combining marks (accents, Arabic harakat), digits and
  ``_``; an apostrophe between letters ("women's", "l'homme") and a ``.`` or ``,``
  between digits ("1.5", "100,000") stay inside it, so "15" -> "16" or "1.5" -> "2.0"
  replaces the whole number and never a digit;
- hyphens and every other punctuation mark are tokens of their own, so a change of
  "self-determination" into "self-reliance" keeps "self-" as unchanged;
- a run of whitespace is one token;
- Chinese and Japanese (Han, Hiragana, Katakana) have no spaces between words: one
  character (with any combining marks) is one token;
- anything else is one extended grapheme cluster (emoji with modifiers and ZWJ
  sequences, symbols), so a diff never cuts a user-perceived character in two.

The concatenation of ``tokenize(text)`` is always exactly ``text``: no normalisation
happens here (text is NFC-normalised on the way in, by the importers).
"""

from __future__ import annotations

import re

import regex

# Scripts written without spaces between words, where a character is the token. Script
# extensions bring in the shared marks (the prolonged sound mark "ー", "々"); punctuation
# ("。", "「") stays punctuation.
_CJK = r"[[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]--[\p{P}\p{Z}\p{Cc}]]"
# Word characters, minus the scripts above (else a Chinese sentence would be one "word").
# Grapheme extenders (ZWJ, ZWNJ, emoji modifiers, tags) count as word characters so that a
# word never ends inside a grapheme cluster.
_W = rf"[[\p{{L}}\p{{M}}\p{{N}}_\p{{GCB=Extend}}\p{{GCB=ZWJ}}]--{_CJK}]"
_W0 = rf"[[\p{{L}}\p{{N}}_]--{_CJK}]"  # a word starts with a letter or digit, not a mark
_L = rf"[[\p{{L}}\p{{M}}]--{_CJK}]"
_APOSTROPHE = "['\u2019\u02bc]"  # ASCII, right single quotation mark, modifier letter

_WORD = (
    r"\p{GCB=Prepend}*"  # the Arabic number sign and kin belong to the number they precede
    rf"{_W0}{_W}*"
    rf"(?:"
    rf"(?<={_L}){_APOSTROPHE}(?=[\p{{L}}--{_CJK}]){_W}+"  # women's, l'homme, Party’s
    rf"|(?<=\p{{N}})[.,](?=\p{{N}}){_W}+"  # 1.5, 100,000, 2.3.1
    rf")*"
)

_TOKEN = regex.compile(
    rf"{_CJK}\p{{M}}*"  # one ideograph / kana per token
    rf"|{_WORD}"
    r"|\s+"
    r"|\X",  # punctuation, symbols, emoji: one grapheme cluster each
    regex.V1,
)

# Chinese as the UN writes it: ASCII, the unified ideographs, and the punctuation and space
# of CJK text (none of them a letter, a digit, a mark or a joiner of grapheme clusters). In
# such a text an ideograph and a punctuation mark are each one token, "’" joins two Latin
# letters as "'" does, and the rules above need none of the Unicode properties the
# ``regex`` module is slow at: the standard library's ``re`` tokenises it, and ``words``
# needs no case folding beyond ASCII's.
_PLAIN_HAN = re.compile(
    "[\x00-\x7f\u2010-\u2027\u2030-\u205e\u3000-\u3003\u3008-\u3011\u3014-\u301b"
    "\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]*\\Z"
)
_PLAIN_HAN_TOKEN = re.compile(
    r"[A-Za-z0-9_]+(?:(?<=[A-Za-z])['\u2019](?=[A-Za-z])[A-Za-z0-9_]+|(?<=[0-9])[.,](?=[0-9])[A-Za-z0-9_]+)*"
    r"|[\t\n\x0b\x0c\r \u3000]+"
    r"|.",
    re.DOTALL,
)
_PLAIN_HAN_WORD = re.compile(
    r"[\u4e00-\u9fff]|[a-z0-9_]+(?:(?<=[a-z])['\u2019](?=[a-z])[a-z0-9_]+|(?<=[0-9])[.,](?=[0-9])[a-z0-9_]+)*"
)

_IS_WORD = regex.compile(rf"(?:{_CJK}\p{{M}}*|{_WORD})\Z", regex.V1)


def tokenize(text: str) -> list[str]:
    """All tokens of ``text`` in order; ``"".join(tokenize(t)) == t`` always."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text)
    if _PLAIN_HAN.match(text):
        return _PLAIN_HAN_TOKEN.findall(text)
    return _TOKEN.findall(text)


# The same rules spelled for ASCII text, on the standard library's faster ``re``: most
# negotiating text in English is ASCII, and Unicode property classes cost three times more.
# Only the whitespace of ``\s`` in Unicode's sense: Python's ``str.isspace`` also takes
# the information separators U+001C-U+001F, which ``regex`` treats as symbols.
_ASCII_TOKEN = re.compile(
    r"[A-Za-z0-9_]+(?:(?<=[A-Za-z])'(?=[A-Za-z])[A-Za-z0-9_]+|(?<=[0-9])[.,](?=[0-9])[A-Za-z0-9_]+)*"
    r"|[\t\n\x0b\x0c\r ]+"
    r"|.",
    re.DOTALL,
)


def words(text: str) -> list[str]:
    """The word tokens of ``text``, case-folded: what similarity between texts compares.

    Punctuation, whitespace and emoji are left out, so that "[shall][should]" and
    "shall, should" count as the same words.

    Paragraph alignment calls this on every paragraph of both texts, so it runs on the
    standard library's faster ``re`` with explicit character ranges instead of Unicode
    properties. For the scripts of the six UN languages it gives exactly the word tokens
    of ``tokenize``; in other scripts a word may be cut at a combining mark these ranges
    lack, or at a joiner, which is harmless for similarity.
    """
    if text.isascii():
        # Bytes: one C pass lowercases and blanks out everything that is not a word
        # character or a possible joiner, and split() cuts at the blanks. Only the
        # joiners need a regular expression, to look at their two neighbours.
        kept = text.encode("ascii").translate(_ASCII_WORD_BYTES)
        if b"'" in kept or b"." in kept or b"," in kept:
            kept = _ASCII_LOOSE_JOINER.sub(b" ", kept)
        return kept.decode("ascii").split()
    if _MAYBE_CJK.search(text) is None:
        return _FAST_WORD.findall(text.casefold())
    if _PLAIN_HAN.match(text):
        return _PLAIN_HAN_WORD.findall(text.lower())
    # What follows an ideograph starts a new word: an apostrophe or a decimal point joins
    # two letters or digits only inside a word, never next to an ideograph.
    return _FAST_WORD_CJK.findall(text.casefold())


def is_word(token: str) -> bool:
    """Whether ``token`` (one item of ``tokenize``) is a word rather than space or punctuation."""
    return _IS_WORD.match(token) is not None


# The fast scanner behind ``words``: ``\w`` (letters, digits, "_") plus the combining marks
# of Latin, Cyrillic, Greek, Hebrew and Arabic (harakat), and the Han and kana ranges.
_FAST_CJK = (
    "\u3005\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3041-\u3096\u3099-\u309f"
    "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff66-\uff9d\U00016fe2\U00016fe3\U0001b000-\U0001b16f\U00020000-\U0003ffff"
)
_FAST_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u08ca-\u08e1\u08e3-\u08ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20f0\ufe00-\ufe0f"
    "\ufe20-\ufe2f"
)
_FAST_RUN = rf"\w[\w{_FAST_MARKS}]*"
_FAST_WORD = re.compile(
    rf"{_FAST_RUN}(?:(?:(?<=[^\W\d_{_FAST_CJK}]|[{_FAST_MARKS}])['\u2019\u02bc]"
    rf"(?=[^\W\d_{_FAST_CJK}])"
    rf"|(?<=\d)[.,](?=\d)){_FAST_RUN})*"
)
# Every character of _FAST_CJK is at or above U+3005: one range is quicker to look for,
# and most texts without ideographs have no character that high.
_MAYBE_CJK = re.compile("[\u3005-\U0010ffff]")
# The same words where ideographs may occur: an ideograph that is a word character (not a
# voicing mark or an unassigned code point), with its marks, is a word of its own, and the
# other words are runs without ideographs. Slower on text without them, hence the check above.
_FAST_RUN_NO_CJK = rf"[^\W{_FAST_CJK}](?:[^\W{_FAST_CJK}]|[{_FAST_MARKS}])*"
_FAST_WORD_CJK = re.compile(
    rf"[{_FAST_CJK}](?<=\w)[{_FAST_MARKS}]*"
    rf"|{_FAST_RUN_NO_CJK}(?:(?:(?<=[^\W\d_{_FAST_CJK}]|[{_FAST_MARKS}])['\u2019\u02bc]"
    rf"(?=[^\W\d_{_FAST_CJK}])"
    rf"|(?<=\d)[.,](?=\d)){_FAST_RUN_NO_CJK})*"
)

# ASCII letters (lowercased), digits and "_" stay, and so do the joiners "'", "." and ",";
# every other byte becomes a space. An apostrophe joins two letters and a point or comma
# two digits, as in ``_FAST_WORD``; anywhere else a joiner separates.
_ASCII_WORD_BYTES = bytes(
    c | 0x20 if 65 <= c <= 90 else c if c < 128 and (chr(c).isalnum() or chr(c) in "_'.,") else 32
    for c in range(256)
)
_ASCII_LOOSE_JOINER = re.compile(rb"[.,'](?<!(?<=[a-z])'(?=[a-z]))(?<!(?<=[0-9])[.,](?=[0-9]))")
