"""Benchmark the projections against the library's plain replay of the same events.

Generates a negotiation of realistic shape (bench/generate.py: 193 delegations and a
dozen groups, 200 paragraphs, 6 rounds, 1,000,000 events by default) into a fresh SQLite
file or an empty PostgreSQL database, measures the references (bench/reference.py: the
library's replay with the application's mapper and with the library's default one),
rebuilds the read model (``ReadModel.rebuild``, checkpoints included), then times its
queries (``ReadModel.at``, the same written out as ``show --at --json`` prints it, the
same asked for by time, ``ReadModel.at_time``, and ``ReadModel.revision``) in a fresh
process, as a serving process answers them: the process that has just rebuilt a million
events answers a fifth slower, its memory strewn with what the rebuild freed
(``--same-process`` to see it).

Every figure is printed with its ratio to a reference measured in this same run, so that
numbers from different machines (and from one machine at busier moments) compare.

    .venv/bin/python bench/bench_projections.py [--events N] [--db PATH_OR_URL] [--reuse] [--keep]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import format_stats, generate  # noqa: E402
from bench.reference import (  # noqa: E402
    aggregate_replay,
    default_mapper,
    latency_summary,
    library_replay,
    sample_aggregate_ids,
)
from projections.readmodel import ReadModel  # noqa: E402
from tracker.application import Tracker  # noqa: E402
from tracker.records import dumps  # noqa: E402

GOALS = {"rebuild_events_per_second": 100_000, "moment_ms": 20, "revision_ms": 5}


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
    parser.add_argument("--same-process", action="store_true",
                        help="time the queries in the process that rebuilt the views, not in a fresh one")
    parser.add_argument("--answer-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.answer_queries:
        # The serving process: what to ask on stdin, the latencies on stdout.
        asked = json.load(sys.stdin)
        print(json.dumps(answer_queries(args.db, args.slug, asked["positions"], asked["labels"])))
        return
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
    print("\nreferences: the library's plain replay of the same events, in this run", flush=True)
    replay = library_replay(tracker)
    print(f"  library replay, the application's mapper (orjson): {replay['events']:,} events in "
          f"{replay['seconds']:.1f} s = {replay['events_per_second']:,.0f} events/s (reading "
          f"{replay['read_seconds']:.1f} s, mapping to domain events {replay['decode_seconds']:.1f} s)", flush=True)
    default = library_replay(tracker, mapper=default_mapper())
    print(f"  library replay, the library's default JSONTranscoder: {default['seconds']:.1f} s = "
          f"{default['events_per_second']:,.0f} events/s", flush=True)

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
    reference = {"replay": replay, "default_replay": default, "aggregates": aggregates, "revision": revision,
                 "replay_to_position": estimated, "labels": chosen_labels, "positions": positions}
    results["reference"] = {k: v for k, v in reference.items() if k not in ("labels", "positions")}
    return reference


def bench_read_model(db: str, args: argparse.Namespace, reference: dict[str, Any], results: dict[str, Any]) -> None:
    measured: dict[str, Any] = {}
    results["projections"] = measured
    print("\nprojections.readmodel", flush=True)
    model = ReadModel.open(db)
    try:
        if args.no_rebuild:
            print(f"  no rebuild: caught up {model.catch_up():,} events", flush=True)
        else:
            measured["rebuild"] = bench_rebuild(model, reference)
        if args.no_queries:
            return
        asked = {"positions": reference["positions"], "labels": reference["labels"]}
        if args.same_process:
            where = "in the process that rebuilt the views"
            answered = answer_queries(db, args.slug, asked["positions"], asked["labels"], model)
        else:
            where = "in a fresh process"
            answered = _in_fresh_process(db, args.slug, asked)
    finally:
        model.close()
    report_queries(answered, reference, measured, where)


def bench_rebuild(model: ReadModel, reference: dict[str, Any]) -> dict[str, Any]:
    replay, default = reference["replay"], reference["default_replay"]
    started, cpu = time.perf_counter(), time.process_time()
    applied = model.rebuild()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # Rated on the whole log, the same events the references replayed.
    rate = replay["events"] / seconds if seconds else 0.0
    found = {"applied": applied, "seconds": seconds, "cpu_seconds": cpu, "events_per_second": rate,
             "ratio": rate / replay["events_per_second"], "ratio_to_default": rate / default["events_per_second"]}
    print(f"  rebuild (views and checkpoints): {replay['events']:,} events ({applied:,} applied) in {seconds:.1f} s = "
          f"{rate:,.0f} events/s = {found['ratio']:.2f}x library replay, {found['ratio_to_default']:.2f}x its "
          f"default replay (goal: {GOALS['rebuild_events_per_second']:,} events/s)", flush=True)
    # Near the wall time: this process (reading, projecting, checkpoints) bounds the rebuild;
    # well below it: it waited for the bulk writer's SQL.
    print(f"    this process busy {cpu:.1f} s of them", flush=True)
    # Once it has committed, the rebuild's writer settles the views in the background
    # (ViewDatabase.settle): the queries are timed once it is done.
    settled = time.perf_counter()
    if model.views.postgres:
        what = "their statistics gathered"
        while model.views.query("SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'view_positions' "
                                "AND schemaname = current_schema() AND last_analyze >= now() - ? * interval '1 second'",
                                (time.perf_counter() - started,))[0][0] == 0:
            time.sleep(0.05)
    else:
        what = "the WAL copied into the database"
        while model.views.query("PRAGMA wal_checkpoint(TRUNCATE)")[0][0]:  # busy: the writer copying it still
            time.sleep(0.05)
    found["settled_seconds"] = time.perf_counter() - settled
    print(f"    then {what}, in the background: {found['settled_seconds']:.1f} s more", flush=True)
    return found


def answer_queries(db: str, slug: str, positions: list[int], labels: list[str],
                   model: ReadModel | None = None) -> dict[str, Any]:
    """The latencies of the read model's queries, each a summary (latency_summary).

    The moment at random positions of the whole log, cold (the first time at a position,
    as a one-off ``show --at`` asks) and warm (the same again right after), written out
    as ``show --at --json`` prints it, and asked for by the time of the event there
    (``show --at ISO_TIME``); a revision by label.
    """
    opened = model or ReadModel.open(db)
    try:
        opened.catch_up()
        opened.at(slug, positions[0])  # warm-up, untimed
        cold, warm, written = [], [], []
        for position in positions:
            cold.append(_seconds(lambda: opened.at(slug, position)))
            warm.append(_seconds(lambda: opened.at(slug, position)))
            written.append(_seconds(lambda: dumps(opened.at(slug, position))))
        times = [datetime.fromisoformat(opened.event_at(slug, position)["timestamp"]) for position in positions]
        by_time = [_seconds(lambda: opened.at_time(slug, moment)) for moment in times]
        opened.revision(slug, labels[0])  # warm-up, untimed
        revision = timed(lambda label: opened.revision(slug, label), labels)
        return {"moment": latency_summary(cold), "moment_warm": latency_summary(warm),
                "moment_json": latency_summary(written), "moment_by_time": latency_summary(by_time),
                "revision": revision,
                "checkpoints": checkpoint_storage(opened)}
    finally:
        if model is None:
            opened.close()


def _in_fresh_process(db: str, slug: str, asked: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--db", db, "--slug", slug, "--answer-queries"],
                          input=json.dumps(asked), capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the query process failed:\n{done.stderr}")
    return json.loads(done.stdout)


def report_queries(answered: dict[str, Any], reference: dict[str, Any], measured: dict[str, Any], where: str) -> None:
    count = len(reference["positions"])
    ref = reference["replay_to_position"]
    print(f"  queries {where}:")
    for key, label in (("moment", "cold"), ("moment_warm", "warm"), ("moment_json", "written out as JSON"),
                       ("moment_by_time", "asked for by the time of the event there")):
        got = answered[key]
        measured[key] = got | {"speedup_p50": ratio_of(ref["p50_ms"], got["p50_ms"]),
                               "speedup_p99": ratio_of(ref["p99_ms"], got["p99_ms"])}
        print(f"  at(slug, position), {count} random positions, {label}: p50 {got['p50_ms']:.2f} ms = "
              f"{measured[key]['speedup_p50']:,.0f}x faster than replaying to the position, p99 {got['p99_ms']:.2f} ms "
              f"= {measured[key]['speedup_p99']:,.0f}x (goal: {GOALS['moment_ms']} ms)", flush=True)
    got, ref = answered["revision"], reference["revision"]
    measured["revision"] = got | {"speedup_p50": ratio_of(ref["p50_ms"], got["p50_ms"]),
                                  "speedup_p99": ratio_of(ref["p99_ms"], got["p99_ms"])}
    print(f"  revision(slug, label), {len(reference['labels'])} random labels: p50 {got['p50_ms']:.2f} ms = "
          f"{measured['revision']['speedup_p50']:,.1f}x Tracker.revision, p99 {got['p99_ms']:.2f} ms = "
          f"{measured['revision']['speedup_p99']:,.1f}x (goal: {GOALS['revision_ms']} ms)", flush=True)
    stored = answered["checkpoints"]
    if stored is not None:
        measured["checkpoints"] = stored
        print(f"  checkpoints: {stored['count']:,} taking {stored['bytes'] / 2**20:,.1f} MiB "
              f"({stored['share']:.0%} of the database)", flush=True)


def checkpoint_storage(model: ReadModel) -> dict[str, Any] | None:
    """How many checkpoints, and the bytes their table (with its index) takes."""
    views = model.views
    try:
        count = views.query("SELECT COUNT(*) FROM view_checkpoints")[0][0]
        if views.postgres:
            size = views.query("SELECT pg_total_relation_size('view_checkpoints'), pg_database_size(current_database())")
            table, whole = size[0]
        else:
            table = views.query("SELECT SUM(pgsize) FROM dbstat WHERE name = 'view_checkpoints' "
                                "OR name LIKE 'sqlite_autoindex_view_checkpoints%'")[0][0]
            whole = views.query("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")[0][0]
    except Exception as error:  # noqa: BLE001 - no dbstat in this SQLite build
        print(f"  checkpoints: size unknown ({type(error).__name__}: {error})", file=sys.stderr)
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
