"""Helpers shared by the importers: whitespace/NFC clean-up, decoding, labels."""

from __future__ import annotations

import codecs
import re
import unicodedata

from tracker.text.document import FormatError

# Any run of whitespace (tabs, newlines, NBSP-like spaces, zero-width joiners are kept)
# becomes one space: PDFs and XML pretty-printers scatter them at random, and a redline
# must not see them as edits.
_WS = re.compile(r"\s+")


def clean(text: str) -> str:
    """NFC-normalise and collapse whitespace; the canonical form of every stored text."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def decode_text(data: bytes) -> str:
    """Bytes of a text file -> str. UTF-8 (BOM optional) or UTF-16/32 with a BOM only.

    Guessing a legacy code page would silently corrupt accents, so anything else is refused.
    """
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        encoding = "utf-32"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        if b"\x00" in data:
            raise FormatError("binary data (NUL bytes), not a text file")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 text (undecodable byte at offset {exc.start}); save the file as UTF-8"
        ) from None
    if "\x00" in text:
        raise FormatError("binary data (NUL characters), not a text file")
    # Control characters other than tab/newline/CR/form feed mean a binary file.
    bad = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if bad > 8:
        raise FormatError("binary data (control characters), not a text file")
    return text


# --- paragraph labels ("1.", "3 bis.", "(a)", "PP1", "Article 5") ---------------------

_SUFFIX = r"(?:bis|ter|quater|quat|quinquies|sexies|septies|octies|novies|decies|alt|Alt|ALT)"

# "1.", "1)", "3 bis.", "3bis", "7.bis", "3.3", "3.3quat", "3.3bis Alt", "3.x", "3.3:"
_NUMBER_LABEL = re.compile(
    rf"""
    (?P<label>
      (?P<base>\d{{1,3}}(?:\.(?:\d{{1,3}}|x))*)
      (?P<suffix>(?:\s?\.?{_SUFFIX}\b)*)
      (?P<term>[.):])?
    )
    (?=\s|$)
    """,
    re.VERBOSE,
)
# "(a)", "(iv)", "(17bis)", "a)", "iv)"
_PAREN_LABEL = re.compile(
    rf"(?P<label>\((?:[a-z]{{1,2}}|[ivxlc]{{1,6}}|\d{{1,3}}{_SUFFIX}?|[A-Z])\)|(?:[a-z]{{1,2}}|[ivxlc]{{1,6}})\))(?=\s|$)"
)
# "PP1", "OP 7", "PP3bis", "OP7.", "OP 3 alt"
_PPOP_LABEL = re.compile(rf"(?P<label>(?:PP|OP)\s?\d{{1,3}}(?:\s?{_SUFFIX}\b)*\.?)(?=\s|$)")


def split_label(text: str) -> tuple[str, str, str]:
    """Split a leading paragraph label off ``text``: (label, rest, label_type).

    label_type is "number", "letter" (parenthesised or with a closing parenthesis) or
    "ppop", or "" when there is no label. A bare number ("2015 saw ...") is not a label
    unless it carries a terminator, a dotted part or a bis/ter suffix.
    """
    m = _PPOP_LABEL.match(text)
    if m:
        return m["label"], text[m.end():].lstrip(), "ppop"
    m = _PAREN_LABEL.match(text)
    if m:
        return m["label"], text[m.end():].lstrip(), "letter"
    m = _NUMBER_LABEL.match(text)
    if m:
        rest = text[m.end():].lstrip()
        dotted = "." in m["base"]
        if m["term"] or m["suffix"]:
            return m["label"], rest, "number"
        # "3.3 In accordance" is a label, "1.5 °C above" is not.
        if dotted and (not rest or rest[0].isupper() or rest[0] in "[*"):
            return m["label"], rest, "number"
    return "", text, ""


_ROMAN = re.compile(r"^\(?([ivxlc]+)\)$")


def is_roman_label(label: str, previous_letter: str) -> bool:
    """'(i)' after '(h)' is a letter; otherwise a roman numeral (a deeper level)."""
    m = _ROMAN.match(label)
    if not m:
        return False
    value = m.group(1)
    if len(value) == 1 and previous_letter and ord(value) == ord(previous_letter) + 1:
        return False
    return True


def letter_of(label: str) -> str:
    """'(h)' -> 'h', used to tell the letter (i) from the roman numeral i."""
    core = label.strip("()")
    return core if len(core) == 1 and core.isalpha() else ""
