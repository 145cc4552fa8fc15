"""Paragraph pairing on every real pair stays as it was reviewed.

``real_pairings.json`` holds, for each consecutive pair of real revisions, the pairs
(old index, new index, method) that ``align`` finds when it is given the paragraphs' kinds,
as the redline gives them. A change in the alignment code that changes any pairing fails
here, so that the change is looked at on the real texts: if the new pairing is as good or
better, write the file again:

    PYTHONPATH=tests .venv/bin/python tests/text/test_real_pairings.py --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tracker.formats import read_document
from tracker.text.align import align

from realdata import MIGRANTS, PARIS, need_data

GOLDEN = Path(__file__).with_name("real_pairings.json")
PAIRS = [
    (MIGRANTS / "A_RES_74_148_E.xml", MIGRANTS / "A_RES_76_172-2119207E.xml"),
    *[(MIGRANTS / f"A_RES_76_172-2119207{x}.xml", MIGRANTS / f"A_RES_78_217-2325999{x}.xml") for x in "ACEFRS"],
    *[
        (PARIS / f"agreement_{a}-2015_index.md", PARIS / f"agreement_{b}-2015_index.md")
        for a, b in (("23-oct", "4-dec"), ("4-dec", "9-dec"), ("9-dec", "12-dec"))
    ],
]


def name(old: Path, new: Path) -> str:
    return f"{old.name} -> {new.name}"


def pairing(old: Path, new: Path) -> list[list[Any]]:
    sides = [read_document(need_data(path).read_bytes(), filename=path.name).paragraphs for path in (old, new)]
    return [[m.old, m.new, m.method] for m in align(*sides)]


@pytest.mark.parametrize("old,new", PAIRS, ids=lambda p: p.name[:24])
def test_pairing_on_real_texts_is_the_reviewed_one(old: Path, new: Path) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))[name(old, new)]
    found = pairing(old, new)
    if found != expected:
        lost = [p for p in expected if p not in found]
        gained = [p for p in found if p not in expected]
        pytest.fail(f"pairing changed: {len(lost)} pairs lost {lost[:10]}, {len(gained)} new {gained[:10]}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    pairings = {name(old, new): pairing(old, new) for old, new in PAIRS}
    GOLDEN.write_text(
        "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in pairings.items())
        + "\n}\n",
        encoding="utf-8",
    )
