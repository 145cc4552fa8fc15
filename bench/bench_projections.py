"""Benchmark the projections against the library's plain replay of the same events.

Generates a negotiation of realistic shape (bench/generate.py: 193 delegations and a
dozen groups, 200 paragraphs, 6 rounds, 1,000,000 events by default) into a fresh SQLite
file or an empty PostgreSQL database, measures the references (bench/reference.py), then,
when ``projections.readmodel`` exists, rebuilds the read model and times its queries
(``ReadModel.open(db)``, ``.rebuild()``, ``.working_text_at(slug, position)`` or ``.at``,
``.revision(slug, label)``).
Every figure is printed with its ratio to the reference measured in this same run, so
that numbers from different machines compare.

    .venv/bin/python bench/bench_projections.py [--events N] [--db PATH_OR_URL] [--reuse] [--keep]
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import format_stats, generate  # noqa: E402
from bench.reference import aggregate_replay, latency_summary, library_replay, sample_aggregate_ids  # noqa: E402
from tracker.application import Tracker  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the generated log")
    parser.add_argument("--db", help="SQLite file or postgresql:// URL (default: a fresh temporary file)")
    parser.add_argument("--reuse", action="store_true", help="bench the log already in --db, generate nothing")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=200, help="timed calls per query")
    parser.add_argument("--json", action="store_true", help="also print every figure as one JSON object")
    parser.add_argument("--no-queries", action="store_true", help="time the rebuild only, not the queries")
    parser.add_argument("--no-rebuild", action="store_true",
                        help="time the queries on the views as they are (caught up), without rebuilding them")
    args = parser.parse_args(argv)
    if args.reuse and not args.db:
        parser.error("--reuse needs --db")

    scratch = None
    if args.db:
        db = args.db
    else:
        scratch = Path(tempfile.mkdtemp(prefix="bench-projections-"))
        db = str(scratch / "tracker.sqlite")
    results: dict[str, Any] = {"db": db if scratch is None else "temporary SQLite file"}
    try:
        run(db, args, results)
    finally:
        if scratch is not None:
            if args.keep:
                print(f"kept {db}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        print(json.dumps(results, default=str))


def run(db: str, args: argparse.Namespace, results: dict[str, Any]) -> None:
    tracker = Tracker.open(db)
    try:
        if not args.reuse:
            if tracker.recorder.max_notification_id():
                sys.exit(f"{db} already holds events: give a fresh database, or --reuse to bench them")
            print(f"generating {args.events:,} events ...", flush=True)
            stats = generate(tracker, slug=args.slug, events=args.events, seed=args.seed)
            print(format_stats(stats), flush=True)
            results["generate"] = stats
        reference = measure_references(tracker, args, results)
    finally:
        tracker.close()
    bench_read_model(db, args, reference, results)


def measure_references(tracker: Tracker, args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(args.seed)
    print("\nreference: the library's plain replay, same events, same run", flush=True)
    replay = library_replay(tracker)
    print(f"  library replay: {replay['events']:,} events in {replay['seconds']:.1f} s = "
          f"{replay['events_per_second']:,.0f} events/s (reading {replay['read_seconds']:.1f} s, "
          f"mapping to domain events {replay['decode_seconds']:.1f} s)", flush=True)

    ids = sample_aggregate_ids(tracker, args.queries, args.seed)
    aggregates = aggregate_replay(tracker, ids)
    print(f"  repository.get of {aggregates['aggregates']} aggregates at random log positions: "
          f"p50 {aggregates['p50_ms']:.2f} ms, p99 {aggregates['p99_ms']:.2f} ms, "
          f"{aggregates['events_per_second']:,.0f} events/s", flush=True)

    labels = tracker.negotiation(args.slug).revision_labels
    chosen_labels = [rng.choice(labels) for _ in range(args.queries)]
    revision = timed(lambda label: tracker.revision(args.slug, label), chosen_labels)
    print(f"  Tracker.revision(slug, label), {len(chosen_labels)} random labels: "
          f"p50 {revision['p50_ms']:.2f} ms, p99 {revision['p99_ms']:.2f} ms", flush=True)

    last = replay["last_position"]
    positions = [rng.randint(1, last) for _ in range(args.queries)]
    # The plain-replay answer to "the text at position p" reads the log up to p: estimated
    # from the rate just measured rather than replaying 200 times.
    estimated = latency_summary([p / replay["events_per_second"] for p in positions])
    print(f"  replay up to a random position (estimated from the rate above): p50 {estimated['p50_ms'] / 1000:.2f} s, "
          f"p99 {estimated['p99_ms'] / 1000:.2f} s", flush=True)
    reference = {"replay": replay, "aggregates": aggregates, "revision": revision, "replay_to_position": estimated,
                 "labels": chosen_labels, "positions": positions}
    results["reference"] = {k: v for k, v in reference.items() if k not in ("labels", "positions")}
    return reference


def bench_read_model(db: str, args: argparse.Namespace, reference: dict[str, Any], results: dict[str, Any]) -> None:
    try:
        readmodel = importlib.import_module("projections.readmodel")
    except ModuleNotFoundError as error:
        if error.name not in ("projections", "projections.readmodel"):
            raise
        print("\nprojections.readmodel is not there yet: only the reference figures above.")
        results["projections"] = None
        return
    model_class = getattr(readmodel, "ReadModel", None)
    if model_class is None or not hasattr(model_class, "open"):
        print("\nprojections.readmodel has no ReadModel.open(db) yet: only the reference figures above.")
        results["projections"] = None
        return
    model = model_class.open(db)
    measured: dict[str, Any] = {}
    results["projections"] = measured
    replay = reference["replay"]
    print("\nprojections.readmodel", flush=True)
    try:
        if args.no_rebuild:
            print(f"  no rebuild: caught up {model.catch_up():,} events", flush=True)
        elif hasattr(model, "rebuild"):
            # The log applied to the views, apart from what the read model adds after it
            # (checkpoints): timed around the follower's rebuild when there is one.
            follower = getattr(model, "follower", None)
            inner: dict[str, float] = {}
            if follower is not None and hasattr(follower, "rebuild"):
                apply_log = follower.rebuild

                def timed_rebuild() -> Any:
                    t0 = time.perf_counter()
                    try:
                        return apply_log()
                    finally:
                        inner["seconds"] = time.perf_counter() - t0

                follower.rebuild = timed_rebuild
            started = time.perf_counter()
            applied = model.rebuild()
            seconds = time.perf_counter() - started
            # Rated on the whole log, the same events the reference replayed, whatever
            # share of them the read model chose to apply.
            rate = replay["events"] / seconds if seconds else 0.0
            ratio = rate / replay["events_per_second"]
            measured["rebuild"] = {"applied": applied, "seconds": seconds, "events_per_second": rate, "ratio": ratio}
            shown = f"{applied:,}" if isinstance(applied, int) else str(applied)
            print(f"  rebuild: {replay['events']:,} events ({shown} applied) in {seconds:.1f} s = "
                  f"{rate:,.0f} events/s = {ratio:.2f}x library replay", flush=True)
            if inner:
                views_rate = replay["events"] / inner["seconds"] if inner["seconds"] else 0.0
                views_ratio = views_rate / replay["events_per_second"]
                measured["rebuild"]["views"] = {"seconds": inner["seconds"], "events_per_second": views_rate,
                                                "ratio": views_ratio}
                print(f"    of which the log applied to the views (follower.rebuild): {inner['seconds']:.1f} s = "
                      f"{views_rate:,.0f} events/s = {views_ratio:.2f}x library replay; the rest "
                      f"{seconds - inner['seconds']:.1f} s", flush=True)
        else:
            print("  ReadModel has no rebuild(): skipped")

        if args.no_queries:
            return
        # The issue names it working_text_at; the read model as written calls it at() (the
        # working text with the pending amendments and positions): time whichever is there.
        name = next((n for n in ("working_text_at", "at") if hasattr(model, n)), None)
        if name is not None:
            bench_moments(model, name, args, reference, measured)
        else:
            print("  ReadModel has neither working_text_at() nor at(): skipped")

        if hasattr(model, "revision"):
            labels = reference["labels"]
            model.revision(args.slug, labels[0])  # warm-up, untimed
            got = timed(lambda label: model.revision(args.slug, label), labels)
            ref = reference["revision"]
            measured["revision"] = got | {"speedup_p50": ratio_of(ref["p50_ms"], got["p50_ms"]),
                                          "speedup_p99": ratio_of(ref["p99_ms"], got["p99_ms"])}
            print(f"  revision(slug, label), {len(labels)} random labels: p50 {got['p50_ms']:.2f} ms = "
                  f"{measured['revision']['speedup_p50']:,.1f}x Tracker.revision, p99 {got['p99_ms']:.2f} ms = "
                  f"{measured['revision']['speedup_p99']:,.1f}x", flush=True)
        else:
            print("  ReadModel has no revision(): skipped")
    finally:
        close = getattr(model, "close", None)
        if callable(close):
            close()


def bench_moments(model: Any, name: str, args: argparse.Namespace, reference: dict[str, Any],
                  measured: dict[str, Any]) -> None:
    """The moment at random positions of the whole log: cold, the first time (what a
    one-off `show --at` does: the pages of the views it needs may not be in memory), and
    warm, the same position again right after (every page in memory)."""
    query = getattr(model, name)
    positions = reference["positions"]
    query(args.slug, positions[0])  # warm-up, untimed
    cold: list[float] = []
    warm: list[float] = []
    for position in positions:
        cold.append(_seconds(lambda: query(args.slug, position)))
        warm.append(_seconds(lambda: query(args.slug, position)))
    ref = reference["replay_to_position"]
    for label, latencies in (("cold", cold), ("warm", warm)):
        got = latency_summary(latencies)
        key = "working_text_at" if label == "cold" else "working_text_at_warm"
        measured[key] = got | {"method": name, "speedup_p50": ratio_of(ref["p50_ms"], got["p50_ms"]),
                               "speedup_p99": ratio_of(ref["p99_ms"], got["p99_ms"])}
        print(f"  {name}(slug, position), {len(positions)} random positions, {label}: "
              f"p50 {got['p50_ms']:.2f} ms = {measured[key]['speedup_p50']:,.0f}x faster than "
              f"replaying to the position, p99 {got['p99_ms']:.2f} ms = {measured[key]['speedup_p99']:,.0f}x "
              f"(goal: 20 ms)", flush=True)
    stored = checkpoint_storage(model)
    if stored is not None:
        measured["checkpoints"] = stored
        print(f"  checkpoints: {stored['count']:,} taking {stored['bytes'] / 2**20:,.1f} MiB "
              f"({stored['share']:.0%} of the database)", flush=True)


def checkpoint_storage(model: Any) -> dict[str, Any] | None:
    """How many checkpoints, and the bytes their table (with its index) takes."""
    views = getattr(model, "views", None)
    if views is None:
        return None
    try:
        count = views.query("SELECT COUNT(*) FROM view_checkpoints")[0][0]
        if views.postgres:
            size = views.query("SELECT pg_total_relation_size('view_checkpoints'), pg_database_size(current_database())")
            table, whole = size[0]
        else:
            table = views.query("SELECT SUM(pgsize) FROM dbstat WHERE name = 'view_checkpoints' "
                                "OR name LIKE 'sqlite_autoindex_view_checkpoints%'")[0][0]
            whole = views.query("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")[0][0]
    except Exception as error:  # noqa: BLE001 - no such table, or no dbstat in this SQLite build
        print(f"  checkpoints: size unknown ({type(error).__name__}: {error})")
        return None
    return {"count": count, "bytes": table or 0, "share": (table or 0) / whole if whole else 0.0}


def _seconds(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def timed(call: Callable[[Any], Any], arguments: Sequence[Any]) -> dict[str, float]:
    latencies = []
    for argument in arguments:
        started = time.perf_counter()
        call(argument)
        latencies.append(time.perf_counter() - started)
    return latency_summary(latencies)


def ratio_of(reference: float, measured: float) -> float:
    """How many times faster than the reference (above 1: faster)."""
    return reference / measured if measured else float("inf")


if __name__ == "__main__":
    main()
