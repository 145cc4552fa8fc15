"""Time paragraph alignment on consecutive real revisions (../shared/data).

Prints milliseconds per pair (best of several runs, including tokenising both texts)
and the ratio to a reference run in the same process: difflib.SequenceMatcher over the
two lists of paragraph texts, which only finds identical paragraphs in order.

    .venv/bin/python bench/bench_align.py [--repeat N]
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.formats import read_document  # noqa: E402
from tracker.text.align import align  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SERIES = {
    "migrants": [
        "un-ga-protection-of-migrants/A_RES_74_148_E.xml",
        "un-ga-protection-of-migrants/A_RES_76_172-2119207E.xml",
        "un-ga-protection-of-migrants/A_RES_78_217-2325999E.xml",
    ],
    "paris": [
        "paris-agreement-2015/agreement_23-oct-2015_index.md",
        "paris-agreement-2015/agreement_4-dec-2015_index.md",
        "paris-agreement-2015/agreement_9-dec-2015_index.md",
        "paris-agreement-2015/agreement_12-dec-2015_index.md",
    ],
}


def load(path: Path) -> list[tuple[str, str]]:
    document = read_document(path.read_bytes(), filename=path.name)
    return [(p.num, p.text) for p in document.paragraphs]


def best_ms(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"no data at {DATA}")
    print(f"{'pair':<34} {'paras':>9} {'matched':>8} {'align ms':>9} {'difflib ms':>10} {'ratio':>6}")
    for series, files in SERIES.items():
        docs = [load(DATA / f) for f in files]
        for (fa, a), (fb, b) in zip(zip(files, docs), zip(files[1:], docs[1:])):
            matches = align(a, b)
            ms = best_ms(lambda: align(a, b), args.repeat)
            ta, tb = [t for _, t in a], [t for _, t in b]
            ref = best_ms(lambda: difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes(),
                          args.repeat)
            name = f"{Path(fa).stem[:15]} -> {Path(fb).stem[:15]}"
            methods = Counter(m.method for m in matches)
            print(f"{name:<34} {len(a):>4}/{len(b):<4} {len(matches):>8} {ms:>9.1f} {ref:>10.2f}"
                  f" {ms / ref:>6.1f}   {dict(methods)}")


if __name__ == "__main__":
    main()
