"""Akoma Ntoso (AKN4UN) XML -> ParsedDocument.

The walk is generic, not tied to one resolution: every hierarchical element (paragraph,
point, article, section, hcontainer, container, item ...) gives a paragraph made of its
<num>, and the text blocks it holds before its first sub-unit; sub-units come out one
level deeper. Lists and blockLists are transparent, so a <list><intro> carries the text
of the paragraph that owns the list. Any text block in the body parts comes out somewhere.

Choices (also in the module's tests):
- <preface> paragraphs are HEADING; a <p> with a <docNumber> gets it as num ("78/217.").
- the enacting <formula> ("The General Assembly,") is a PARAGRAPH (a chapeau line).
- <container> under <preamble> is PREAMBULAR; top-level numbered units of the body are
  OPERATIVE; deeper units (points, items, subparagraphs) are ITEM; <heading> gives HEADING.
- <conclusions> (the plenary meeting line) is a PARAGRAPH.
- <authorialNote> bodies become Footnote(marker, text) of the paragraph citing them; a
  bare <sup>4</sup> repeating an existing note's marker is a reference to that note, and
  Arabic's <sup>(</sup><authorialNote/><sup>)</sup> brackets are dropped with the note.
- Italic spans become Markdown *...*; all other inline markup gives its plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tracker.formats._common import clean
from tracker.text.document import (
    HEADING,
    ITEM,
    OPERATIVE,
    PARAGRAPH,
    PREAMBULAR,
    Footnote,
    FormatError,
    ParsedDocument,
    ParsedParagraph,
)

LANGUAGES = {"ara": "ar", "zho": "zh", "chi": "zh", "eng": "en", "fra": "fr", "fre": "fr",
             "rus": "ru", "spa": "es"}

# Document-level parts whose text is the negotiated text, with the kind they give.
_PARTS = {
    "preface": HEADING,
    "preamble": PREAMBULAR,
    "mainBody": OPERATIVE,
    "body": OPERATIVE,
    "mainContent": OPERATIVE,
    "judgmentBody": OPERATIVE,
    "debateBody": OPERATIVE,
    "amendmentBody": OPERATIVE,
    "collectionBody": OPERATIVE,
    "portionBody": OPERATIVE,
    "conclusions": PARAGRAPH,
}
# Not the text: metadata, cover furniture, and the original-language footnote storage.
_SKIP = {"meta", "coverPage", "notes", "components", "attachments", "authorialNote",
         "noteRef", "componentRef", "documentRef", "img", "marker", "ref_placeholder"}
# Text blocks: their whole content is inline text.
_BLOCKS = {"p", "block", "tblock_text", "docTitle", "subheading", "heading", "toc",
           "tocItem", "longTitle", "formula_text", "listIntroduction", "listWrapUp",
           "caption", "title", "foreign", "embeddedStructure", "quotedText"}
# Wrappers whose text blocks belong to the enclosing unit.
_WRAPPERS = {"content", "intro", "wrapUp", "alinea", "blockContainer", "crossHeading",
             "quotedStructure", "tblock", "div", "ol", "ul", "li"}
# Lists are transparent: their intro is the owner's text, their items its sub-units.
_LISTS = {"list", "blockList"}
_LINE_BREAKS = {"eol", "eop", "br"}

_MAX_DEPTH = 200
# "(a)", "(iv)", Arabic "(ﻫ)": a sub-item label, printed in the text or as a <num>.
_LETTER_LABEL = re.compile(r"^(\((?:[^\W\d_]{1,3}|[ivxlc]{1,6})\))\s+(.*)$", re.S)
_LETTER_NUM = re.compile(r"^\((?:[^\W\d_]{1,3}|[ivxlc]{1,6})\)$")
# Arabic notes repeat the marker as <sup>(</sup><sup>)</sup> at the start of the body.
_EMPTY_MARKER = re.compile(r"^\(\s*\)\s*")


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1]


@dataclass
class _Run:
    text: str
    italic: bool


@dataclass
class _Builder:
    notes: dict[str, str]  # marker -> text, for bare <sup> references
    paragraphs: list[ParsedParagraph] = field(default_factory=list)

    # --- inline -----------------------------------------------------------------------

    def inline(self, el: Element, notes: list[Footnote]) -> str:
        runs: list[_Run] = []
        self._runs(el, False, runs, notes, 0)
        return _render(runs)

    def _runs(self, el: Element, italic: bool, runs: list[_Run], notes: list[Footnote],
              depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise FormatError("XML nested too deeply")
        if el.text:
            runs.append(_Run(el.text, italic))
        children = list(el)
        for i, child in enumerate(children):
            name = _local(child.tag)
            if name == "authorialNote":
                marker = (child.get("marker") or "").strip()
                notes.append(Footnote(marker=marker, text=self.note_text(child)))
            elif name in _LINE_BREAKS:
                runs.append(_Run(" ", italic))
            elif name == "sup" and self._sup_is_note_syntax(children, i, notes):
                pass
            elif name and name not in ("img", "noteRef", "marker"):
                cls = (child.get("class") or "").split()
                child_italic = italic or "italic" in cls or name in ("i", "em")
                self._runs(child, child_italic, runs, notes, depth + 1)
            if child.tail:
                runs.append(_Run(child.tail, italic))

    def _sup_is_note_syntax(self, siblings: list[Element], i: int,
                            notes: list[Footnote]) -> bool:
        """<sup>(</sup> / <sup>)</sup> around a note, or a bare repeat marker <sup>4</sup>."""
        text = "".join(siblings[i].itertext()).strip()
        nxt = siblings[i + 1] if i + 1 < len(siblings) else None
        prv = siblings[i - 1] if i > 0 else None
        if text == "(" and nxt is not None and _local(nxt.tag) == "authorialNote" \
                and not (siblings[i].tail or "").strip():
            return True
        if text == ")" and prv is not None and _local(prv.tag) == "authorialNote" \
                and not (prv.tail or "").strip():
            return True
        if text and text in self.notes and (text.isdigit() or len(text) <= 2):
            notes.append(Footnote(marker=text, text=self.notes[text]))
            return True
        return False

    def note_text(self, note: Element) -> str:
        parts = []
        blocks = [b for b in note.iter() if _local(b.tag) in ("p", "block")]
        for block in blocks or [note]:
            runs: list[_Run] = []
            self._runs(block, False, runs, [], 0)
            parts.append(_render(runs))
        return _EMPTY_MARKER.sub("", clean(" ".join(p for p in parts if p)))

    # --- blocks ---------------------------------------------------------------------

    def emit(self, num: str, text: str, kind: str, level: int,
             notes: list[Footnote]) -> None:
        num, text = clean(num), clean(text)
        if not text and not num:
            return
        self.paragraphs.append(ParsedParagraph(text=text, num=num, kind=kind, level=level,
                                               footnotes=tuple(notes)))

    def part(self, el: Element, kind: str) -> None:
        if kind == HEADING:  # preface: each block is a heading line
            for child in el:
                self.unit(child, 0, HEADING, HEADING) if _local(child.tag) not in _BLOCKS \
                    else self.preface_block(child)
            return
        for child in el:
            name = _local(child.tag)
            if name in _SKIP or not name:
                continue
            if name == "formula":
                self.unit(child, 0, PARAGRAPH, PARAGRAPH)
            elif name in _BLOCKS:
                notes: list[Footnote] = []
                text = self.inline(child, notes)
                self.emit("", text, HEADING if name in ("heading", "subheading") else kind,
                          0, notes)
            else:
                self.unit(child, 0, kind, ITEM if kind == OPERATIVE else kind)

    def preface_block(self, el: Element) -> None:
        num = ""
        number = next((c for c in el if _local(c.tag) == "docNumber"), None)
        if number is not None:
            num = clean("".join(number.itertext()))
            el = _without(el, number)
        notes: list[Footnote] = []
        self.emit(num, self.inline(el, notes), HEADING, 0, notes)

    def unit(self, el: Element, level: int, kind: str, sub_kind: str, depth: int = 0) -> None:
        """A hierarchical element: its num + leading text blocks, then its sub-units."""
        if depth > _MAX_DEPTH:
            raise FormatError("XML nested too deeply")
        name = _local(el.tag)
        if not name or name in _SKIP:
            return
        if name in _BLOCKS:
            notes: list[Footnote] = []
            self.emit("", self.inline(el, notes),
                      HEADING if name in ("heading", "subheading") else kind, level, notes)
            return
        if name == "table":
            self.table(el, level, kind)
            return
        num = ""
        pending: list[str] = []
        notes = []
        sub_level = level

        def flush() -> None:
            nonlocal num, pending, notes, sub_level
            if pending or num:
                text = " ".join(pending)
                n, k, lv = num, kind, level
                if n and kind == OPERATIVE and _LETTER_NUM.match(n):
                    # Arabic 78/217 codes items (e), (f) of para. 4 as top-level paragraphs.
                    k, lv = ITEM, level + 1
                if not n and kind in (OPERATIVE, ITEM):
                    # Some files (74/148) print "(a)\t" inside an unnumbered paragraph.
                    m = _LETTER_LABEL.match(clean(text))
                    if m:
                        n, text, k, lv = m.group(1), m.group(2), ITEM, level + 1
                self.emit(n, text, k, lv, notes)
                sub_level = level + 1
            num, pending, notes = "", [], []

        for child in _flatten(el):
            cname = _local(child.tag)
            if not cname or cname in _SKIP:
                continue
            if cname == "num":
                if pending:
                    flush()
                num = clean("".join(child.itertext()))
            elif cname in ("heading", "subheading"):
                hnotes: list[Footnote] = []
                self.emit(num, self.inline(child, hnotes), HEADING, level, hnotes)
                num = ""
            elif cname in _BLOCKS:
                text = self.inline(child, notes)
                if text.strip():
                    pending.append(text)
            elif cname == "table":
                flush()
                self.table(child, sub_level, kind)
            elif cname in _WRAPPERS:
                # A wrapper holding sub-units (e.g. <content> with a <blockList>) is walked
                # as a unit of its own after the text gathered so far.
                if any(_local(c.tag) not in _BLOCKS and _local(c.tag) not in _LINE_BREAKS
                       for c in child.iter() if c is not child and _local(c.tag)
                       and not _inside_block(child, c)):
                    flush()
                    self.unit(child, sub_level, sub_kind, ITEM, depth + 1)
                else:
                    for block in child:
                        if _local(block.tag) in _SKIP:
                            continue
                        text = self.inline(block, notes) if _local(block.tag) in _BLOCKS \
                            else clean("".join(block.itertext()))
                        if text.strip():
                            pending.append(text)
                    if child.text and child.text.strip():
                        pending.append(child.text)
            else:
                flush()
                self.unit(child, sub_level, sub_kind, ITEM, depth + 1)
        flush()

    def table(self, el: Element, level: int, kind: str) -> None:
        for row in el.iter():
            if _local(row.tag) != "tr":
                continue
            notes: list[Footnote] = []
            cells = [self.inline(cell, notes) for cell in row
                     if _local(cell.tag) in ("td", "th")]
            self.emit("", " | ".join(clean(c) for c in cells), kind, level, notes)


def _inside_block(root: Element, target: Element) -> bool:
    """True when ``target`` sits inside a text block of ``root`` (inline markup)."""
    for block in root.iter():
        if block is not root and _local(block.tag) in _BLOCKS:
            for d in block.iter():
                if d is target and d is not block:
                    return True
    return False


def _flatten(el: Element) -> list[Element]:
    out: list[Element] = []
    for child in el:
        if _local(child.tag) in _LISTS:
            out.extend(_flatten(child))
        else:
            out.append(child)
    return out


def _without(el: Element, drop: Element) -> Element:
    copy = Element(el.tag, el.attrib)
    copy.text = el.text
    for child in el:
        if child is drop:
            if child.tail:
                copy.text = (copy.text or "") + child.tail if len(copy) == 0 else copy.text
                if len(copy):
                    copy[-1].tail = (copy[-1].tail or "") + child.tail
            continue
        copy.append(child)
    return copy


def _render(runs: list[_Run]) -> str:
    """Merge runs and wrap italic ones in *...*, whitespace kept outside the markers."""
    merged: list[_Run] = []
    for run in runs:
        if not run.text:
            continue
        italic = run.italic and bool(run.text.strip())
        if merged and merged[-1].italic == italic:
            merged[-1] = _Run(merged[-1].text + run.text, italic)
        elif merged and not run.text.strip():
            merged[-1] = _Run(merged[-1].text + run.text, merged[-1].italic)
        else:
            merged.append(_Run(run.text, italic))
    out = []
    for run in merged:
        if not run.italic:
            out.append(run.text)
            continue
        body = run.text.strip()
        lead = run.text[: len(run.text) - len(run.text.lstrip())]
        trail = run.text[len(run.text.rstrip()):]
        out.append(f"{lead}*{clean(body)}*{trail}")
    return clean("".join(out))


def _text_of(root: Element, name: str, attr: str | None = None) -> str:
    for el in root.iter():
        if _local(el.tag) == name:
            return (el.get(attr) or "") if attr else clean("".join(el.itertext()))
    return ""


def parse_xml(data: bytes) -> Element:
    """Parse untrusted XML: no DTD, no entities, no external references."""
    if not data.strip():
        raise FormatError("empty file")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":")[0]
        raise FormatError(f"not well-formed XML at line {line}, column {col}: {reason}") from None
    except DefusedXmlException as exc:
        raise FormatError(f"refused unsafe XML ({type(exc).__name__}): DTDs and entities "
                          "are not allowed") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise FormatError(f"unreadable XML: {type(exc).__name__}") from None


def read_akn(data: bytes) -> ParsedDocument:
    root = parse_xml(data)
    if _local(root.tag) != "akomaNtoso":
        raise FormatError(f"XML root is <{_local(root.tag)}>, not Akoma Ntoso <akomaNtoso>")
    doc = next((c for c in root if _local(c.tag)), None)
    if doc is None:
        raise FormatError("Akoma Ntoso file without a document element")
    try:
        return _read_doc(doc)
    except RecursionError:
        raise FormatError("XML nested too deeply") from None


def _read_doc(doc: Element) -> ParsedDocument:
    # First pass: every note's text by marker, for bare <sup> repeats citing an earlier note.
    builder = _Builder(notes={})
    for note in doc.iter():
        if _local(note.tag) == "authorialNote" and note.get("marker"):
            builder.notes.setdefault(note.get("marker", "").strip(), builder.note_text(note))

    for part in doc:
        name = _local(part.tag)
        if name in _PARTS:
            builder.part(part, _PARTS[name])
        elif name and name not in _SKIP:
            builder.part(part, PARAGRAPH)

    meta = next((c for c in doc if _local(c.tag) == "meta"), None)
    cover = next((c for c in doc if _local(c.tag) == "coverPage"), None)
    preface = next((c for c in doc if _local(c.tag) == "preface"), None)
    symbol = _text_of(cover, "docNumber") if cover is not None else ""
    if not symbol and preface is not None:
        symbol = _text_of(preface, "docNumber").rstrip(".")
    title = _text_of(preface, "docTitle") if preface is not None else ""
    if not title and cover is not None:
        title = _text_of(cover, "docTitle")
    language = date = ""
    metadata: dict[str, str] = {"doctype": _local(doc.tag)}
    if doc.get("name"):
        metadata["name"] = doc.get("name", "")
    if meta is not None:
        lang3 = _text_of(meta, "FRBRlanguage", "language").strip()
        language = LANGUAGES.get(lang3, lang3)
        work = next((e for e in meta.iter() if _local(e.tag) == "FRBRWork"), None)
        if work is not None:
            date = _text_of(work, "FRBRdate", "date")
            metadata["uri"] = _text_of(work, "FRBRuri", "value")
    if cover is not None:
        issued = next((e for e in cover.iter() if _local(e.tag) == "docDate"), None)
        if issued is not None and issued.get("date"):
            metadata["issued"] = issued.get("date", "")
    return ParsedDocument(paragraphs=tuple(builder.paragraphs), title=title, symbol=symbol,
                          language=language, date=date,
                          metadata={k: v for k, v in metadata.items() if v})
