from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tracker.text.document import ParsedDocument

DATA = Path(os.environ.get("TRACKER_DATA")
            or Path(__file__).resolve().parents[2].parent / "shared" / "data")
MIGRANTS = DATA / "un-ga-protection-of-migrants"
PARIS = DATA / "paris-agreement-2015"
SEED = DATA / "seed" / "A_RES_71_280_es.txt"

WORD = re.compile(r"\w+")


def data_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def needs(path: Path):
    return pytest.mark.skipif(not path.exists(), reason=f"real data not found at {path}")


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
