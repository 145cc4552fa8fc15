"""Real texts for the text-model tests, read where they lie in ../shared/data.

The project's importers (``tracker.formats.read_document``) are used when they exist; until
then a crude reader here turns the files into (num, text) paragraphs, good enough to test
alignment (not the importers).
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

Paragraphs = list[tuple[str, str]]


@pytest.fixture(scope="session")
def load_real() -> Callable[[str], Paragraphs]:
    """``load_real("paris-agreement-2015/....md")`` -> [(num, text)], or skip if absent."""
    cache: dict[str, Paragraphs] = {}

    def load(rel: str) -> Paragraphs:
        path = DATA / rel
        if not path.exists():
            pytest.skip(f"real data not found: {path}")
        if rel not in cache:
            cache[rel] = read_paragraphs(path)
        return cache[rel]

    return load


def read_paragraphs(path: Path) -> Paragraphs:
    try:
        from tracker.formats import read_document  # type: ignore[attr-defined]
    except ImportError:
        read_document = None
    if read_document is not None:
        try:
            doc = read_document(path.read_bytes(), format="auto", filename=path.name)
        except ImportError:  # an importer still being written
            pass
        else:
            return [(p.num, p.text) for p in doc.paragraphs]
    if path.suffix == ".xml":
        return _crude_akn(path)
    return _crude_markdown(path)


_AKN = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"


def _akn_text(el: ET.Element) -> str:
    parts: list[str] = []

    def walk(e: ET.Element) -> None:
        if e.tag == _AKN + "authorialNote":
            parts.append(e.tail or "")
            return
        parts.append(e.text or "")
        for child in e:
            walk(child)
        if e is not el:
            parts.append(e.tail or "")

    walk(el)
    return unicodedata.normalize("NFC", " ".join("".join(parts).split()))


def _crude_akn(path: Path) -> Paragraphs:
    root = ET.parse(path).getroot()
    out: Paragraphs = []
    for el in root.iter():
        tag = el.tag.removeprefix(_AKN)
        if tag == "container" and el.get("name") not in (None, "signature"):
            text = " ".join(_akn_text(p) for p in el.findall(_AKN + "p"))
            out.append(("", text))
        elif tag in ("paragraph", "point"):
            num = el.find(_AKN + "num")
            body = el.find(_AKN + "content")
            if body is None:
                body = el.find(f"{_AKN}list/{_AKN}intro")
            if body is None:
                continue
            text = " ".join(_akn_text(p) for p in body.findall(_AKN + "p"))
            out.append(((num.text or "").strip() if num is not None else "", text))
    return out


_ITEM = re.compile(r"^\s*(\d+\s*(?:bis|ter|quater)?\.|\([a-z]{1,4}\))\s+")
_HEADING = re.compile(r"^#+\s*(\[?Article\s+\w+(?:\s+bis)?\]?)?\s*(.*)$")


def _crude_markdown(path: Path) -> Paragraphs:
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    if text.startswith("---"):
        text = text.split("\n---", 1)[1].split("\n", 1)[1]
    out: Paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        first = lines[0].strip()
        if first.startswith(("* TOC", "{:", "[^")) or re.match(r"^\[[^\]]+\]:\s*http", first):
            continue
        if first.startswith("#"):
            m = _HEADING.match(first)
            assert m is not None
            num = (m.group(1) or "").strip("[]")
            out.append((num, m.group(2).strip()))
            continue
        current: list[str] = []
        num = ""
        for ln in lines:
            m = _ITEM.match(ln)
            if m:
                if current:
                    out.append((num, " ".join(current)))
                num, current = m.group(1), [ln[m.end():].strip()]
            else:
                current.append(ln.strip())
        if current:
            out.append((num, " ".join(current)))
    return out
