"""Time the redline engine against ``git diff --no-index --word-diff`` on every real pair.

For each consecutive pair of real revisions in ../shared/data (or TRACKER_DATA), in the
same run:

- ``text``: the engine cold (its cache cleared), pairing paragraphs by text alignment, as
  ``tracker diff --files`` does;
- ``ids``: the engine cold, pairing by stable ids (as ``tracker diff --negotiation``
  does, the ids having been matched once at import);
- ``git``: ``git diff --no-index --word-diff=porcelain`` on the same paragraphs written
  to two files, one blank line between paragraphs (a process each, as a user runs it);
- ``ratio``: text / git;
- ``warm``: a repeated diff of the same two revisions, answered by the cache.

Milliseconds are the median of ``--repeat`` runs; with ``--rounds R`` every pair is measured
R times over (interleaved, so that a burst of load on a shared machine hits one round, not
one pair) and the medians are printed, the ratio being the median of each round's ratio.
Goals (issue 4): text within 50 ms and within 10x git, warm within 2 ms.

    .venv/bin/python bench/bench_redline.py [--repeat N] [--rounds R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.formats import read_document  # noqa: E402
from tracker.text.align import align  # noqa: E402
from tracker.text.redline import clear_cache, redline, redline_cached  # noqa: E402

DATA = Path(os.environ.get("TRACKER_DATA") or ROOT.parent / "shared" / "data")
MIGRANTS = "un-ga-protection-of-migrants"
PARIS = "paris-agreement-2015"
PAIRS = [
    (f"{MIGRANTS}/A_RES_74_148_E.xml", f"{MIGRANTS}/A_RES_76_172-2119207E.xml"),
    *[(f"{MIGRANTS}/A_RES_76_172-2119207{x}.xml", f"{MIGRANTS}/A_RES_78_217-2325999{x}.xml") for x in "ACEFRS"],
    *[
        (f"{PARIS}/agreement_{a}-2015_index.md", f"{PARIS}/agreement_{b}-2015_index.md")
        for a, b in (("23-oct", "4-dec"), ("4-dec", "9-dec"), ("9-dec", "12-dec"))
    ],
]
GOAL_COLD_MS, GOAL_RATIO, GOAL_WARM_MS = 50.0, 10.0, 2.0


def load(path: Path) -> list[dict[str, Any]]:
    document = read_document(path.read_bytes(), filename=path.name)
    return [{"id": None, "num": p.num, "text": p.text, "kind": p.kind} for p in document.paragraphs]


def with_ids(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ids as an import would give them: matched paragraphs share one (done once, untimed)."""
    old = [{**p, "id": f"p{k}"} for k, p in enumerate(old)]
    carried = {m.new: old[m.old]["id"] for m in align([(p["num"], p["text"]) for p in old],
                                                      [(p["num"], p["text"]) for p in new])}
    return old, [{**p, "id": carried.get(k, f"new{k}")} for k, p in enumerate(new)]


def median_ms(fn: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def git_ms(old: list[dict[str, Any]], new: list[dict[str, Any]], repeat: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder, "old.txt"), Path(folder, "new.txt")
        for path, paragraphs in ((a, old), (b, new)):
            path.write_text("\n\n".join(f"{p['num']} {p['text']}".strip() for p in paragraphs) + "\n", encoding="utf-8")
        command = ["git", "diff", "--no-index", "--word-diff=porcelain", "--no-color", str(a), str(b)]

        def run() -> None:
            result = subprocess.run(command, capture_output=True)
            if result.returncode not in (0, 1):
                raise RuntimeError(result.stderr.decode(errors="replace"))

        run()
        return median_ms(run, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every pair this many times over and print the medians: on a busy "
                             "machine one round can catch a burst of load")
    args = parser.parse_args()
    redline([{"id": "x", "num": "", "text": "warm up the tokenizer"}], [{"id": "x", "num": "", "text": "warm up"}])
    pairs = []
    for old_name, new_name in PAIRS:
        if not (DATA / old_name).exists() or not (DATA / new_name).exists():
            print(f"{old_name} -> {new_name}: missing, skipped")
            continue
        old, new = load(DATA / old_name), load(DATA / new_name)
        label = f"{Path(old_name).stem[:21]} -> {Path(new_name).stem[:21]}"
        pairs.append((label, old, new, *with_ids(old, new)))
    rows: dict[str, list[tuple[float, float, float, float, float]]] = {label: [] for label, *_ in pairs}
    for _ in range(args.rounds):
        for label, old, new, old_ids, new_ids in pairs:
            text_ms = median_ms(lambda: redline_cached(old, new, by_id=False), args.repeat, before=clear_cache)
            ids_ms = median_ms(lambda: redline_cached(old_ids, new_ids), args.repeat, before=clear_cache)
            reference = git_ms(old, new, args.repeat)
            redline_cached(old, new, by_id=False)
            warm = median_ms(lambda: redline_cached(old, new, by_id=False), max(args.repeat, 20))
            rows[label].append((text_ms, ids_ms, reference, text_ms / reference, warm))
    if args.rounds > 1:
        print(f"medians of {args.rounds} rounds")
    print(f"{'pair':<46} {'paras':>9} {'text ms':>8} {'ids ms':>7} {'git ms':>7} {'ratio':>6} {'warm ms':>8}")
    worst_cold = worst_ratio = worst_warm = 0.0
    for label, old, new, *_ in pairs:
        text_ms, ids_ms, reference, ratio, warm = (statistics.median(column) for column in zip(*rows[label]))
        worst_cold, worst_ratio, worst_warm = max(worst_cold, text_ms), max(worst_ratio, ratio), max(worst_warm, warm)
        print(f"{label:<46} {len(old):>4}/{len(new):<4} {text_ms:>8.1f} {ids_ms:>7.1f} {reference:>7.1f} "
              f"{ratio:>6.1f} {warm:>8.2f}")
    print(f"worst: text {worst_cold:.1f} ms (goal {GOAL_COLD_MS:.0f}), ratio {worst_ratio:.1f}x git "
          f"(goal {GOAL_RATIO:.0f}x), warm {worst_warm:.2f} ms (goal {GOAL_WARM_MS:.0f})")


if __name__ == "__main__":
    main()
