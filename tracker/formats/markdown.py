"""Markdown negotiating texts (Kramdown/Jekyll flavour, e.g. the Paris Agreement drafts).

Choices:
- Front matter, Kramdown markers ({:toc}, {:.no_toc}, "* TOC"), link reference
  definitions and HTML comments are not text and are dropped.
- Square brackets are negotiating brackets unless they are provably Markdown: ``[t][ref]``
  only when ``ref`` is a link label defined in the file, ``[t](url)`` only when the target
  looks like a URL; both keep just ``t``.
- ``[^n]`` markers are removed from the text; the ``[^n]:`` definitions become
  Footnote(n, text) of the paragraph citing them.
- Headings are HEADING paragraphs; "## Article 2 *(purpose)*" gives num "Article 2" and
  text "*(purpose)*"; "## [Article 3bis] *(REDD-plus)*" gives num "[Article 3bis]" (the
  brackets enclose exactly the label, so they are part of it).
- "**Option 1:**" gives num "Option 1:"; alone on its line it is a HEADING with empty text
  (it heads the alternatives that follow), before text it labels that paragraph.
- A leading label ("1.", "3bis.", "3.3quat", "(a)", "(17bis)", "PP1") becomes num; the
  level comes from list nesting (indentation), at least 1 for "(a)" and 2 for "(i)".
- Kinds: numbered at level 0 OPERATIVE, nested or lettered or bulleted ITEM, paragraphs of a
  "Preamble" section starting with an italic verb PREAMBULAR, anything else PARAGRAPH.
- Emphasis stays Markdown; soft-wrapped lines are joined with one space.
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

_FRONT_END = re.compile(r"^(?:---|\.\.\.)\s*$")
_LINK_DEF = re.compile(r"^ {0,3}\[(?!\^)([^\]]+)\]:\s*(\S+)(?:\s+[\"'(].*[\"')])?\s*$")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]]+)\]:\s?(.*)$")
_KRAMDOWN_LINE = re.compile(r"^\s*(?:\{:[^}]*\}|[*-] TOC|\d+\. TOC)\s*$")
_IAL = re.compile(r"\s*\{:[^}]*\}")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_BULLET = re.compile(r"^([-*+])\s+(.*)$")
_ORDERED = re.compile(r"^(\d{1,9}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)

_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_INLINE_LINK = re.compile(
    r"!?\[([^\[\]]*)\]\(\s*<?((?:https?|ftp|mailto):[^)\s]*|www\.[^)\s]*|/[^)\s]*|#[^)\s]*|\./[^)\s]*)>?"
    r"(?:\s+\"[^\"]*\")?\s*\)"
)
_REF_LINK = re.compile(r"\[([^\[\]]*)\]\[([^\[\]]*)\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([\[\]()#!.+\-{}<>|`~])")
_OPTION = re.compile(
    r"^\*\*\s*((?:Option|Opción|Variante|Alternative|Alt)\s*[\w.]*\s*[:.]?)\s*\*\*\s*(:?)\s*",
    re.I,
)
_ARTICLE = re.compile(
    r"^(\[?)((?:Article|Art\.|Artículo|Artigo|Статья|Chapter|Chapitre|Capítulo|Section|Sección|"
    r"Part|Partie|Parte|Annex|Annexe|Anexo|Appendix)\s+(?:\d+|[IVXLC]+)(?:\s?(?:bis|ter|quater|"
    r"quinquies|alt)\b|[A-Za-z]\b)?\.?)(\]?)(?=\s|$|\*|\[\^)",
    re.I,
)
_ROMAN_HEADING = re.compile(r"^([IVXLC]{1,6}|[A-Z])\.\s+(?=\S)")
_PREAMBLE = re.compile(r"^\W*(pr[eé][aá]mb|преамбул|الديباجة|序言)", re.I)


@dataclass
class _Block:
    lines: list[str]
    indent: int
    heading: int = 0  # 1..6 for a heading
    bullet: bool = False
    list_item: bool = False
    content_indent: int = 0


@dataclass
class _State:
    links: set[str]
    notes: dict[str, list[str]]
    cited: set[str] = field(default_factory=set)
    paragraphs: list[ParsedParagraph] = field(default_factory=list)
    section: str = ""
    last_letter: str = ""
    stack: list[int] = field(default_factory=list)  # content indents of open list items


def read_markdown(data: bytes) -> ParsedDocument:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _COMMENT.sub("", text)
    lines = text.split("\n")
    meta, lines = _front_matter(lines)
    links, notes, lines = _definitions(lines)
    state = _State(links=links, notes=notes)
    for block in _blocks(lines):
        _emit(block, state)
    title = clean(meta.get("title", "").strip("\"'"))
    if not title:
        title = next((p.text for p in state.paragraphs if p.kind == HEADING and p.text), "")
    metadata = {k: v for k, v in meta.items() if k != "title" and v}
    # Definitions nobody cites (or second definitions of one marker) are not paragraph
    # text, but must not be lost either: keep them in the metadata.
    for marker, texts in state.notes.items():
        spare = texts if marker not in state.cited else texts[1:]
        for n, text in enumerate(spare):
            metadata[f"footnote:{marker}" + (f"#{n + 1}" if n else "")] = text
    return ParsedDocument(
        paragraphs=tuple(state.paragraphs),
        title=title,
        symbol=clean(meta.get("symbol", "")),
        language=clean(meta.get("lang", meta.get("language", ""))),
        date=clean(meta.get("date", "")),
        metadata=metadata,
    )


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 200)):
        if _FRONT_END.match(lines[end]):
            meta = {}
            for line in lines[1:end]:
                m = re.match(r"^([A-Za-z_][\w-]*):\s*(.*)$", line)
                if m:
                    meta[m.group(1).lower()] = m.group(2).strip()
            return meta, lines[end + 1:]
    return {}, lines


def _definitions(lines: list[str]) -> tuple[set[str], dict[str, list[str]], list[str]]:
    """Pull out link labels and footnote definitions (with their indented continuations).

    A marker may be defined twice (4 Dec: two "[^2]:"); all definitions are kept, in order.
    """
    links: set[str] = set()
    notes: dict[str, list[str]] = {}
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FOOTNOTE_DEF.match(line)
        if m:
            body = [m.group(2)]
            i += 1
            while i < len(lines):
                nxt = lines[i]
                if nxt.strip() == "":
                    # A blank line continues the note only if indented text follows.
                    j = i
                    while j < len(lines) and not lines[j].strip():
                        j += 1
                    if j < len(lines) and lines[j].startswith("  ") \
                            and not _FOOTNOTE_DEF.match(lines[j]):
                        i = j
                        continue
                    break
                if not nxt.startswith(" ") and (_FOOTNOTE_DEF.match(nxt) or _LINK_DEF.match(nxt)
                                                or _HEADING.match(nxt)):
                    break
                body.append(re.sub(r"^\s*(?:[-*+]\s+)?", "", nxt))
                i += 1
            notes.setdefault(m.group(1), []).append(" ".join(body))
            kept.append("")
            continue
        m = _LINK_DEF.match(line)
        if m:
            links.add(m.group(1).strip().lower())
            kept.append("")
        elif _KRAMDOWN_LINE.match(line):
            kept.append("")
        else:
            kept.append(line)
        i += 1
    return links, {k: [_inline_note(x, links) for x in v] for k, v in notes.items()}, kept


def _inline_note(text: str, links: set[str]) -> str:
    return clean(_FOOTNOTE_REF.sub("", _links(text, links)))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blocks(lines: list[str]):
    """Group lines into blocks: headings, list items, paragraphs (soft wraps joined)."""
    current: _Block | None = None
    in_fence = False
    for raw in lines:
        line = raw.rstrip()
        if _FENCE.match(line):
            in_fence = not in_fence
            if current:
                yield current
                current = None
            continue
        if in_fence:
            if line.strip():
                yield _Block([line.strip()], _indent(line))
            continue
        if not line.strip():
            if current:
                yield current
                current = None
            continue
        indent = _indent(line)
        body = line.strip()
        if body.startswith(">"):
            body = re.sub(r"^(?:>\s?)+", "", body)
            if not body:
                continue
        if _TABLE_SEP.match(body) and "-" in body:
            continue
        m = _HEADING.match(line)
        if m and indent < 4:
            if current:
                yield current
                current = None
            yield _Block([m.group(2) or ""], indent, heading=len(m.group(1)))
            continue
        if current and not current.heading and _SETEXT.match(line) and len(current.lines) >= 1 \
                and not current.list_item:
            current.heading = 1 if line.strip().startswith("=") else 2
            yield current
            current = None
            continue
        if _RULE.match(line):
            if current:
                yield current
                current = None
            continue
        bullet = _BULLET.match(body)
        ordered = _ORDERED.match(body)
        starts = bool(bullet or ordered) or _starts_block(body)
        if current and not starts:
            current.lines.append(body)  # soft wrap
            continue
        if current:
            yield current
        if bullet:
            current = _Block([bullet.group(2)], indent, bullet=True, list_item=True,
                             content_indent=indent + len(body) - len(bullet.group(2)))
        elif ordered:
            current = _Block([body], indent, list_item=True,
                             content_indent=indent + len(body) - len(ordered.group(2)))
        else:
            current = _Block([body], indent)
        if body.startswith("|") and body.endswith("|"):
            yield current  # table row: one paragraph per row
            current = None
    if current:
        yield current


def _starts_block(body: str) -> bool:
    """A line that opens a new paragraph even without a blank line before it."""
    if _OPTION.match(body):
        return True
    label, _, kind = split_label(body)
    return bool(label) and kind in ("letter", "ppop", "number")


def _links(text: str, links: set[str]) -> str:
    text = _INLINE_LINK.sub(lambda m: m.group(1), text)

    def ref(m: re.Match[str]) -> str:
        label = (m.group(2) or m.group(1)).strip().lower()
        return m.group(1) if label in links else m.group(0)

    text = _REF_LINK.sub(ref, text)
    return _AUTOLINK.sub(lambda m: m.group(1), text)


def _inline(text: str, state: _State) -> tuple[str, tuple[Footnote, ...]]:
    markers = _FOOTNOTE_REF.findall(text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _links(text, state.links)
    text = _IAL.sub("", text)
    text = _HTML_TAG.sub(" ", text)
    text = _ESCAPE.sub(r"\1", text)
    # The first definition is the one Markdown renders; a cited marker without a
    # definition (4 Dec "[^1]") keeps an empty text rather than vanishing.
    notes = tuple(Footnote(marker=m, text=state.notes.get(m, [""])[0]) for m in markers)
    state.cited.update(markers)
    return clean(text), notes


def _emit(block: _Block, state: _State) -> None:
    text, notes = _inline(" ".join(block.lines), state)
    if block.heading:
        state.stack = []
        num, rest = _heading_label(text)
        state.section = "preamble" if _PREAMBLE.match(rest or num) else "body"
        state.last_letter = ""
        if num or rest:
            state.paragraphs.append(ParsedParagraph(text=rest, num=num, kind=HEADING,
                                                    footnotes=notes))
        return
    stack = state.stack
    while stack and block.indent < stack[-1]:
        stack.pop()
    level = len(stack)
    if block.list_item:
        stack.append(block.content_indent)

    m = _OPTION.match(text)
    if m:
        num = clean(m.group(1) + m.group(2))
        rest = text[m.end():]
        if not rest:
            state.paragraphs.append(ParsedParagraph(text="", num=num, kind=HEADING, level=level,
                                                    footnotes=notes))
            return
        kind = PREAMBULAR if state.section == "preamble" and rest.lstrip("[").startswith("*") \
            else PARAGRAPH
        state.paragraphs.append(ParsedParagraph(text=rest, num=num, kind=kind, level=level,
                                                footnotes=notes))
        return

    num, rest, label_type = split_label(text)
    if label_type == "letter":
        if is_roman_label(num, state.last_letter):
            level = max(level, 2)
        else:
            level = max(level, 1)
            state.last_letter = letter_of(num) or state.last_letter
        kind = ITEM
    elif label_type in ("number", "ppop"):
        kind = OPERATIVE if level == 0 else ITEM
        if level == 0:
            state.last_letter = ""
    elif block.bullet:
        kind = ITEM
        level = max(level, 1) if level else level
    elif state.section == "preamble" and text.lstrip("[").startswith("*") \
            and not text.lstrip("[").startswith("**"):
        kind = PREAMBULAR
    else:
        kind = PARAGRAPH
    if not num and not rest:
        return
    state.paragraphs.append(ParsedParagraph(text=rest, num=num, kind=kind, level=level,
                                            footnotes=notes))


def _heading_label(text: str) -> tuple[str, str]:
    m = _ARTICLE.match(text)
    if m:
        opened, label, closed = m.group(1), m.group(2), m.group(3)
        if opened and closed:
            return f"[{label}]", text[m.end():].strip()
        if opened:  # "[Article 3 ...]": the bracket spans more than the label, keep it
            return "", text
        return label, text[m.end():].strip()
    m = _ROMAN_HEADING.match(text)
    if m:
        return text[: m.end()].strip(), text[m.end():].strip()
    label, rest, kind = split_label(text)
    if kind:
        return label, rest
    return "", text
