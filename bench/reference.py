"""The references the projections benchmark is measured against: the library's plain replay.

Both are measured in the same run, on the same events, as what is compared with them:

- ``library_replay``: every notification of the log read in pages and turned into a
  domain event by the application's mapper (or by the library's default one,
  ``default_mapper``). That is what a projection built on the
  library's defaults does before any work of its own, so a rebuild can hardly beat it
  by much, and a rebuild far slower than it spends its time in its own code.
- ``aggregate_replay``: ``repository.get(id)`` for a sample of aggregates, the library's
  own way to answer a question about one thing (snapshots used where there are any).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper

from tracker.application import Tracker
from tracker.transcoder import register_tracker_transcodings

PAGE = 10_000  # notifications per select: large pages, as a rebuild would read them


def library_replay(tracker: Tracker, *, page: int = PAGE, stop: int | None = None,
                   mapper: Mapper[Any] | None = None) -> dict[str, Any]:
    """Read the whole log (or up to position ``stop``) and map every event (with the
    application's mapper, or ``mapper``): the rate."""
    select, to_domain_event = tracker.recorder.select_notifications, (mapper or tracker.mapper).to_domain_event
    events, start, last = 0, 1, 0
    read = decode = 0.0
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        notifications = select(start, page, stop=stop)
        t1 = time.perf_counter()
        for notification in notifications:
            to_domain_event(notification)
        decode += time.perf_counter() - t1
        read += t1 - t0
        events += len(notifications)
        if notifications:
            last = notifications[-1].id
        if len(notifications) < page:
            break
        start = last + 1
    seconds = time.perf_counter() - started
    return {
        "events": events,
        "seconds": seconds,
        "events_per_second": events / seconds if seconds else 0.0,
        "read_seconds": read,  # selecting the rows
        "decode_seconds": decode,  # turning them into domain events
        "last_position": last,
        "page": page,
    }


def default_mapper() -> Mapper[Any]:
    """The library's own JSONTranscoder, with the tracker's transcodings: what a projection
    on the library's defaults decodes the same events with (the tracker's orjson
    transcoder writes the same tags, faster)."""
    transcoder = JSONTranscoder()
    register_tracker_transcodings(transcoder)
    return Mapper(transcoder=transcoder)


def aggregate_replay(tracker: Tracker, ids: Iterable[UUID]) -> dict[str, Any]:
    """``repository.get`` for each aggregate: per-aggregate latencies and the event rate."""
    latencies: list[float] = []
    events = 0
    started = time.perf_counter()
    for aggregate_id in ids:
        t0 = time.perf_counter()
        aggregate = tracker.repository.get(aggregate_id)
        latencies.append(time.perf_counter() - t0)
        events += aggregate.version
    seconds = time.perf_counter() - started
    return {
        "aggregates": len(latencies),
        "events": events,  # the aggregates' versions: events replayed, snapshots aside
        "seconds": seconds,
        "events_per_second": events / seconds if seconds else 0.0,
        **latency_summary(latencies),
    }


def sample_aggregate_ids(tracker: Tracker, count: int = 200, seed: int = 0) -> list[UUID]:
    """Aggregates found at random positions of the log: a sample weighted by their events.

    Cheap on any store (one indexed read per position), and representative of what a
    reader asks about: the aggregates that carry most of the log (amendments, mostly).
    """
    last = tracker.recorder.max_notification_id() or 0
    if not last:
        return []
    rng = random.Random(seed)
    found: dict[UUID, None] = {}
    for _ in range(count * 3):
        if len(found) >= count:
            break
        notifications = tracker.recorder.select_notifications(rng.randint(1, last), 1)
        if notifications:
            found[notifications[0].originator_id] = None
    return list(found)


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """p50, p99 and max in milliseconds."""
    if not seconds:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": p99 * 1000,
        "max_ms": ordered[-1] * 1000,
    }
