"""The shape every importer produces: a published text as ordered paragraphs.

Pure data, no I/O: importers in ``tracker.formats`` build it, the application turns it
into a revision, and tests compare it with the source files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of paragraph, as a secretariat would name them.
HEADING = "heading"  # a title or section heading ("Article 2", "Preamble", "II. Objectives")
PREAMBULAR = "preambular"  # "Recalling ...", before the operative part
OPERATIVE = "operative"  # "1. Decides ...", the numbered body
ITEM = "item"  # a lettered or numbered sub-item: "(a) ...", "(i) ..."
PARAGRAPH = "paragraph"  # anything else (plain text, notes, chapeau lines)

KINDS = (HEADING, PREAMBULAR, OPERATIVE, ITEM, PARAGRAPH)


@dataclass(frozen=True)
class Footnote:
    marker: str  # as printed in the text: "1", "*", "a"
    text: str


@dataclass(frozen=True)
class ParsedParagraph:
    text: str  # NFC, without its number and without footnote bodies
    num: str = ""  # the label as printed ("1.", "(a)", "3 bis", "Article 2"), or ""
    kind: str = PARAGRAPH
    level: int = 0  # nesting depth: 0 top level, 1 a sub-item of the one before, ...
    footnotes: tuple[Footnote, ...] = ()


@dataclass(frozen=True)
class ParsedDocument:
    paragraphs: tuple[ParsedParagraph, ...]
    title: str = ""
    symbol: str = ""  # "A/RES/78/217"
    language: str = ""  # BCP 47 / ISO 639-1: "en", "ar", "zh", "fr", "ru", "es"
    date: str = ""  # ISO date of the text, when the file says it
    metadata: dict[str, str] = field(default_factory=dict)


class FormatError(ValueError):
    """A file that cannot be read as a revision; the message is one line for the user."""
