"""Real texts for the text-model tests, read where they lie in ../shared/data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tracker.formats import read_document

from realdata import DATA, need_data

Paragraphs = list[tuple[str, str]]


@pytest.fixture(scope="session")
def load_real() -> Callable[[str], Paragraphs]:
    """``load_real("paris-agreement-2015/....md")`` -> [(num, text)], or skip if absent."""
    cache: dict[str, Paragraphs] = {}

    def load(rel: str) -> Paragraphs:
        path = need_data(DATA / rel)
        if rel not in cache:
            cache[rel] = read_paragraphs(path)
        return cache[rel]

    return load


def read_paragraphs(path: Path) -> Paragraphs:
    doc = read_document(path.read_bytes(), format="auto", filename=path.name)
    return [(p.num, p.text) for p in doc.paragraphs]
