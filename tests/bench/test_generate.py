"""The benchmark's generator, small: the same shape, deterministic, and only events the domain accepts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracker.application import Tracker
from tracker.domain.amendment import PENDING, Amendment
from tracker.domain.negotiation import GROUP, MEMBER_STATE, ROUND_CLOSED

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

EVENTS = 5_000
REQUIRED_TYPES = {
    "Amendment.Proposed", "Amendment.Revised", "Amendment.PositionTaken", "Amendment.PositionDropped",
    "Amendment.Withdrawn", "Amendment.Decided", "Paragraph.StatusChanged", "SilenceProcedure.Opened",
    "SilenceProcedure.Broken", "SilenceProcedure.Passed", "StakeholderInput.Submitted",
}


def log_of(tracker: Tracker) -> list[tuple[Any, ...]]:
    return [(type(e).__qualname__, e.actor, e.originator_id, e.originator_version) for _, e in tracker.log("bench")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Tracker, dict[str, Any]]]:
    tracker = Tracker.open(str(tmp_path_factory.mktemp("gen") / "t.sqlite"))
    try:
        yield tracker, generate(tracker, events=EVENTS)
    finally:
        tracker.close()


def test_same_seed_same_log(generated: tuple[Tracker, dict[str, Any]], tmp_path: Path) -> None:
    first, _ = generated
    again = Tracker.open(str(tmp_path / "t.sqlite"))
    try:
        generate(again, events=EVENTS)
        assert log_of(again) == log_of(first)
    finally:
        again.close()


def test_another_seed_another_log(generated: tuple[Tracker, dict[str, Any]], tmp_path: Path) -> None:
    first, _ = generated
    other = Tracker.open(str(tmp_path / "t.sqlite"))
    try:
        generate(other, events=EVENTS, seed=1)
        assert log_of(other) != log_of(first)
    finally:
        other.close()


def test_size_near_the_target(generated: tuple[Tracker, dict[str, Any]]) -> None:
    tracker, stats = generated
    assert abs(stats["events"] - EVENTS) <= EVENTS * 0.10
    assert len(log_of(tracker)) == stats["events"] == sum(stats["by_type"].values())
    assert stats["last_position"] == tracker.recorder.max_notification_id()


def test_roster_rounds_and_revisions(generated: tuple[Tracker, dict[str, Any]]) -> None:
    tracker, _ = generated
    negotiation = tracker.negotiation("bench")
    kinds = [d["kind"] for d in negotiation.delegations.values()]
    assert kinds.count(MEMBER_STATE) == 193
    assert kinds.count(GROUP) == 12
    assert len(negotiation.members_of("G77")) > 120  # overlapping with the regional groups
    assert set(negotiation.members_of("EU")) <= {m["member"] for m in negotiation.memberships}
    assert [r["number"] for r in negotiation.rounds] == [1, 2, 3, 4, 5, 6]
    assert all(r["status"] == ROUND_CLOSED for r in negotiation.rounds)
    assert len(negotiation.revision_labels) >= 2
    assert len(tracker.revision("bench", negotiation.revision_labels[0]).paragraphs) == 200


def test_every_kind_of_event(generated: tuple[Tracker, dict[str, Any]]) -> None:
    tracker, stats = generated
    types = {kind for kind, *_ in log_of(tracker)}
    assert REQUIRED_TYPES <= types
    assert set(stats["by_type"]) == types


def test_aggregates_replay_and_every_proposal_is_settled(generated: tuple[Tracker, dict[str, Any]]) -> None:
    tracker, _ = generated
    labels = set(tracker.negotiation("bench").revision_labels)
    ids = {originator for kind, _, originator, _ in log_of(tracker) if kind == "Amendment.Proposed"}
    for amendment_id in ids:
        amendment = tracker.repository.get(amendment_id)
        assert isinstance(amendment, Amendment)
        assert amendment.status not in PENDING
        assert amendment.decision is None or amendment.decision["revision"] in labels


def test_refuses_a_slug_already_there(generated: tuple[Tracker, dict[str, Any]]) -> None:
    tracker, _ = generated
    with pytest.raises(ValueError, match="already exists"):
        generate(tracker, events=EVENTS)


def test_the_writer_process_saves_the_same_log(generated: tuple[Tracker, dict[str, Any]], tmp_path: Path) -> None:
    first, _ = generated
    path = str(tmp_path / "t.sqlite")
    writing = Tracker.open(path)
    try:
        stats = generate(writing, events=EVENTS, writer="process", batch=1_000)
    finally:
        writing.close()
    reading = Tracker.open(path)
    try:
        assert stats["writer"] == "process"
        assert log_of(reading) == log_of(first)
    finally:
        reading.close()
