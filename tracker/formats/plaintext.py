"""Plain text: numbered paragraphs, one per blank-line separated block or one per line,
and text extracted from a PDF (wrapped lines, page furniture, footnotes at page bottoms).

Choices:
- A leading label ("1.", "1)", "(a)", "a)", "(i)", "3 bis.", "PP1", "OP7") is the num.
  Numbered paragraphs are OPERATIVE (level 0), lettered ones ITEM (level 1), roman ones
  ITEM (level 2; "(i)" right after "(h)" is a letter).
- Headings: "Article 5", "II. Title", a resolution number with its title ("71/280. ..."),
  ALL-CAPS lines, and short lines without final punctuation standing alone. num is the
  label ("Article 5", "II.", "71/280."), text the rest.
- Unnumbered paragraphs before the first numbered one are PREAMBULAR, except short chapeau
  lines ending in a comma ("La Asamblea General,"), which are PARAGRAPH like AKN's formula.
- PDF mode (detected when wrapped lines are separated by blank lines): a paragraph starts
  at an indented line with a label, or an indented capitalised line after a line ending
  in punctuation; page numbers ("2/7"), job numbers ("17-05864"), document symbols, link
  annotation lines (http...) and running headers repeating the title are dropped; a lone
  number inside a paragraph is a footnote reference, and the bodies after a "_____"
  separator become that paragraph's Footnote entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.formats._common import clean, decode_text, is_roman_label, letter_of, split_label
from tracker.text.document import (
    HEADING,
    ITEM,
    OPERATIVE,
    PARAGRAPH,
    PREAMBULAR,
    Footnote,
    ParsedDocument,
    ParsedParagraph,
)

_PAGE_NUMBER = re.compile(r"^\s*(?:\d{1,3}\s*/\s*\d{1,3}|-\s*\d{1,3}\s*-|Page \d+(?: of \d+)?)\s*$",
                          re.I)
_JOB_NUMBER = re.compile(r"^\s*\d{2}-\d{5}(?:\s*\([A-Z]\))?\s*$")
_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")
_SYMBOL = r"(?:[A-Z]{1,6}/)+(?:[A-Z0-9.()-]+/)*[A-Z0-9.()-]+"
_SYMBOL_LINE = re.compile(rf"^\s*{_SYMBOL}\s*$")
_HEADER_WITH_SYMBOL = re.compile(rf"^\s*(?:(?P<a>.*\S)\s+{_SYMBOL}|{_SYMBOL}\s+(?P<b>.*\S))\s*$")
_SEPARATOR = re.compile(r"^\s*_{5,}\s*$")
_LONE_NUMBER = re.compile(r"^\s*(\d{1,3}|\*{1,3})\s*$")
_DOC_NUMBER = re.compile(r"^(\d{1,3}/\d{1,4}\.)\s+(?=\S)")
_ARTICLE = re.compile(
    r"^((?:Article|Artículo|Статья|Chapter|Chapitre|Capítulo|Section|Part|Annex|Annexe|Anexo)"
    r"\s+(?:\d+|[IVXLC]+)(?:\s?(?:bis|ter|quater))?\.?)(?=\s|$)", re.I)
_ROMAN_HEADING = re.compile(r"^([IVXLC]{1,6}\.)\s+(?=\S)")
_INLINE_REF = re.compile(r"\[(\d{1,3})\]|\^(\d{1,3})")
_FOOTNOTE_BODY = re.compile(r"^\s*\[?(\d{1,3}|\*{1,3})\]?[.)]?\s+(\S.*)$")


@dataclass
class _Para:
    lines: list[str]
    heading: bool = False
    refs: list[str] = field(default_factory=list)


def read_plaintext(data: bytes) -> ParsedDocument:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n \n")
    # Keep trailing spaces for now: in PDF extractions a line of spaces is a hard break,
    # an empty line only separates wrapped lines.
    lines = [line.expandtabs(4) for line in text.split("\n")]
    nonblank = [line for line in lines if line.strip()]
    blanks = len(lines) - len(nonblank)
    if len(nonblank) >= 10 and blanks >= 0.6 * len(nonblank) and _single_blank_gaps(lines) \
            and _wrapped_share(nonblank) >= 0.25:
        paras, notes = _pdf_paragraphs(lines)
    else:
        paras, notes = _block_paragraphs(lines)
    return _document(paras, notes)


def _join(lines: list[str]) -> str:
    """Join wrapped lines; a line starting with punctuation (after a footnote number) sticks."""
    out = ""
    for line in lines:
        out = out + line if line[:1] in ",.;:)" else f"{out} {line}"
    return clean(out)


def _wrapped_share(nonblank: list[str]) -> float:
    """Share of lines cut mid-sentence (the next one starts in lower case)."""
    pairs = list(zip(nonblank, nonblank[1:]))
    cut = sum(1 for _, b in pairs if b.strip()[:1].islower())
    return cut / max(1, len(pairs))


def _single_blank_gaps(lines: list[str]) -> bool:
    """PDF extraction puts exactly one empty line between wrapped lines."""
    gaps, run = [], 0
    for line in lines:
        if line == "":
            run += 1
        else:
            if run:
                gaps.append(run)
            run = 0
    return bool(gaps) and sum(1 for g in gaps if g == 1) >= 0.8 * len(gaps)


# --- PDF-extracted text ------------------------------------------------------------------


def _pdf_paragraphs(lines: list[str]) -> tuple[list[_Para], dict[str, str]]:
    rows = [line.rstrip("\n") for line in lines if line != ""]  # " " lines remain: breaks
    head = clean(" ".join(rows[:15]))
    symbols: list[str] = []
    paras: list[_Para] = []
    notes: dict[str, str] = {}
    current: _Para | None = None
    in_notes = False
    note_marker = ""
    note_done = False

    def flush() -> None:
        nonlocal current
        if current and (current.lines or current.refs):
            paras.append(current)
        current = None

    for i, row in enumerate(rows):
        body = row.strip()
        if _PAGE_NUMBER.match(row) or _JOB_NUMBER.match(row) or _URL_LINE.match(row) \
                or _SYMBOL_LINE.match(row):
            in_notes = False
            continue
        header = _HEADER_WITH_SYMBOL.match(row)
        if header and i > 15 and clean(header.group("a") or header.group("b") or "") in head:
            symbols.append(re.sub(rf"^.*?({_SYMBOL})\s*$|^\s*({_SYMBOL}).*$",
                                  lambda m: m.group(1) or m.group(2), row.strip()))
            # Running header: the title (maybe wrapped over the previous line) + symbol.
            if current and current.lines and clean(current.lines[-1]) in head \
                    and not row.startswith(" "):
                current.lines.pop()
            in_notes = False
            continue
        if _SEPARATOR.match(row):
            in_notes, note_marker, note_done = True, "", False
            continue
        if in_notes:
            lone = _LONE_NUMBER.match(row)
            label, _, _ = split_label(body)
            if lone and (note_done or not note_marker or lone.group(1) not in notes):
                note_marker, note_done = lone.group(1), False
                notes[note_marker] = ""
                continue
            if note_marker and not (note_done and row.startswith(" ")) and not label:
                notes[note_marker] = clean(notes[note_marker] + " " + body)
                note_done = body.endswith(".")
                continue
            in_notes = False
        if not body:  # a line of spaces: hard paragraph break
            flush()
            continue
        lone = _LONE_NUMBER.match(row)
        if lone and current is not None:
            current.refs.append(lone.group(1))
            continue
        indented = row.startswith(" ")
        if current is None:
            current = _Para([body], heading=not indented)
            continue
        label, _, kind = split_label(body)
        previous = current.lines[-1] if current.lines else ""
        starts = (
            (indented and bool(kind))
            or bool(_DOC_NUMBER.match(body))
            or (indented and current.heading)
            or (indented and body[:1].isupper() and previous[-1:] in ".,;:")
        )
        if starts:
            flush()
            current = _Para([body], heading=not indented)
        else:
            current.lines.append(body)
    flush()
    if symbols:
        notes[_SYMBOL_KEY] = symbols[0]
    return paras, notes


_SYMBOL_KEY = "\x00symbol"  # the document symbol found in running headers


# --- blank-line separated or one-per-line text ---------------------------------------


def _block_paragraphs(lines: list[str]) -> tuple[list[_Para], dict[str, str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    one_per_line = len(blocks) == 1 and len(blocks[0]) > 1
    paras: list[_Para] = []
    notes: dict[str, str] = {}
    in_notes = False
    for block in blocks:
        rows = list(block)
        if any(_SEPARATOR.match(r) for r in rows):
            at = next(i for i, r in enumerate(rows) if _SEPARATOR.match(r))
            head_rows, rows = rows[:at], rows[at + 1:]
            if head_rows:
                paras.extend(_split_block(head_rows, one_per_line))
            in_notes = True
        if in_notes:
            for row in rows:
                m = _FOOTNOTE_BODY.match(row)
                if m:
                    notes[m.group(1)] = clean(m.group(2))
                elif notes:
                    last = list(notes)[-1]
                    notes[last] = clean(notes[last] + " " + row)
            continue
        paras.extend(_split_block(rows, one_per_line))
    return paras, notes


def _split_block(rows: list[str], one_per_line: bool) -> list[_Para]:
    labelled = sum(1 for r in rows if split_label(r)[2] or _is_heading_line(r))
    if one_per_line or (len(rows) > 1 and labelled >= max(2, len(rows) // 2)):
        out: list[_Para] = []
        for row in rows:
            if out and not (split_label(row)[2] or _is_heading_line(row)) and not one_per_line:
                out[-1].lines.append(row)  # a wrapped line inside a list block
            else:
                out.append(_Para([row], heading=_is_heading_line(row)))
        return out
    return [_Para(rows, heading=len(rows) == 1 and _is_heading_line(rows[0]))]


def _is_heading_line(row: str) -> bool:
    row = row.strip()
    if _ARTICLE.match(row) or _ROMAN_HEADING.match(row) or _DOC_NUMBER.match(row):
        return len(row) < 150
    words = row.split()
    if not words or len(row) > 80 or row[-1] in ".,;:!?":
        return False
    letters = [c for c in row if c.isalpha()]
    return bool(letters) and (all(c.isupper() for c in letters) or len(words) <= 8
                              and not split_label(row)[2])


# --- paragraphs -> document --------------------------------------------------------------


def _document(paras: list[_Para], notes: dict[str, str]) -> ParsedDocument:
    out: list[ParsedParagraph] = []
    last_letter = ""
    seen_operative = False
    title = symbol = ""
    header_symbol = notes.pop(_SYMBOL_KEY, "")
    texts = [_join(p.lines) for p in paras]
    # Preambular paragraphs follow the chapeau ("The General Assembly,") when there is one.
    chapeau_at = next((i for i, t in enumerate(texts) if _is_chapeau(t)
                       and not any(split_label(x)[2] for x in texts[:i])), -1)
    for index, para in enumerate(paras):
        text = texts[index]
        refs = list(para.refs)
        for m in _INLINE_REF.finditer(text):
            marker = m.group(1) or m.group(2)
            if marker in notes:
                refs.append(marker)
        text = clean(_INLINE_REF.sub(lambda m: "" if (m.group(1) or m.group(2)) in notes
                                     else m.group(0), text))
        footnotes = tuple(Footnote(marker=r, text=notes.get(r, "")) for r in refs)
        num, rest, label_type = "", text, ""
        doc_number = _DOC_NUMBER.match(text)
        article = _ARTICLE.match(text)
        roman = _ROMAN_HEADING.match(text)
        if doc_number:
            num, rest, kind, level = doc_number.group(1), text[doc_number.end():], HEADING, 0
            title = title or clean(rest)
            symbol = symbol or num.rstrip(".")
        elif article and (para.heading or len(text) < 120):
            num, rest, kind, level = article.group(1), text[article.end():], HEADING, 0
        elif roman and para.heading:
            num, rest, kind, level = roman.group(1), text[roman.end():], HEADING, 0
        else:
            num, rest, label_type = split_label(text)
            if label_type == "letter":
                if is_roman_label(num, last_letter):
                    kind, level = ITEM, 2
                else:
                    kind, level = ITEM, 1
                    last_letter = letter_of(num.strip("()")) or last_letter
            elif label_type in ("number", "ppop"):
                kind, level = OPERATIVE, 0
                seen_operative = True
                last_letter = ""
            elif para.heading and len(para.lines) == 1:
                kind, level = HEADING, 0
            elif not seen_operative and index > chapeau_at and not _is_chapeau(text):
                kind, level = PREAMBULAR, 0
            else:
                kind, level = PARAGRAPH, 0
        rest = clean(rest)
        if not num and not rest:
            continue
        out.append(ParsedParagraph(text=rest, num=clean(num), kind=kind, level=level,
                                   footnotes=footnotes))
    return ParsedDocument(paragraphs=tuple(out), title=title, symbol=header_symbol)


def _is_chapeau(text: str) -> bool:
    return len(text.split()) <= 8 and text.endswith(",")
