"""Importers: bytes of a published text -> ParsedDocument.

    read_document(data, format="auto", filename="") -> ParsedDocument
    detect_format(data, filename="") -> "akn" | "md" | "txt" | "docx"

Every failure on bad input is a FormatError with a one-line message.
"""

from __future__ import annotations

import re

from tracker.text.document import FormatError, ParsedDocument

FORMATS = ("akn", "md", "txt", "docx")
MAX_BYTES = 20 * 1024 * 1024

_MD_SIGNS = re.compile(
    r"^(?:---\s*$|#{1,6}\s|\* TOC|\{:|\[\^[^\]]+\]:|\[[^\]]+\]:\s*\S|\s*[-*+]\s|.*\*\*[^*]+\*\*)",
    re.M,
)


def detect_format(data: bytes, filename: str = "") -> str:
    """Guess the format from the content first, then from the file name's extension."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".docx", ".odt")):
        return "docx"
    if head.startswith(b"<"):
        return "akn"
    name = filename.lower()
    if name.endswith((".xml", ".akn")):
        return "akn"
    if name.endswith((".md", ".markdown")):
        return "md"
    if name.endswith(".txt"):
        return "txt"
    try:
        sample = data[:20000].decode("utf-8", errors="ignore")
    except Exception:  # pragma: no cover - decode with errors="ignore" cannot fail
        sample = ""
    if len(_MD_SIGNS.findall(sample)) >= 3 or sample.startswith("---\n"):
        return "md"
    return "txt"


def read_document(data: bytes, *, format: str = "auto", filename: str = "") -> ParsedDocument:
    if not isinstance(data, (bytes, bytearray)):
        raise FormatError("expected the bytes of a file")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise FormatError(f"file too large ({len(data) // (1024 * 1024)} MB; the limit is "
                          f"{MAX_BYTES // (1024 * 1024)} MB)")
    if not data.strip():
        raise FormatError("empty file")
    if format == "auto":
        format = detect_format(data, filename)
    if format not in FORMATS:
        raise FormatError(f"unknown format {format!r}; expected one of auto, "
                          + ", ".join(FORMATS))
    if format == "docx" or data[:4] == b"PK\x03\x04":
        raise FormatError("docx import is not supported yet")
    try:
        if format == "akn":
            from tracker.formats.akn import read_akn

            doc = read_akn(data)
        elif format == "md":
            from tracker.formats.markdown import read_markdown

            doc = read_markdown(data)
        else:
            from tracker.formats.plaintext import read_plaintext

            doc = read_plaintext(data)
    except FormatError:
        raise
    except RecursionError:
        raise FormatError("document nested too deeply") from None
    except (ValueError, TypeError, LookupError, MemoryError) as exc:
        # A defect in an importer must still reach the user as one line, not a traceback.
        raise FormatError(f"unreadable {format} file ({type(exc).__name__})") from None
    if not any(p.text or p.num for p in doc.paragraphs):
        raise FormatError(f"no paragraphs found in the {format} file")
    return doc


__all__ = ["FORMATS", "MAX_BYTES", "FormatError", "detect_format", "read_document"]
