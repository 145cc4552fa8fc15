from __future__ import annotations

import re
from pathlib import Path

from tracker.text.document import ParsedDocument

from realdata import DATA, MIGRANTS, PARIS, SEED, needs  # noqa: F401 - shared with the format tests

WORD = re.compile(r"\w+")


def data_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def words(text: str) -> list[str]:
    return WORD.findall(text)


def body_words(doc: ParsedDocument) -> list[str]:
    out: list[str] = []
    for p in doc.paragraphs:
        out += words(p.num)
        out += words(p.text)
    return out


def as_chars(seq: list[str]) -> str:
    """For Chinese: word boundaries are not meaningful, compare the \\w characters."""
    return "".join(seq)
