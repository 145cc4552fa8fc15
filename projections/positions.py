"""A delegation's record: everything it proposed, supported, opposed, co-sponsored, reserved
and withdrew, what became of each proposal, per paragraph and per round, with the groups it
belonged to at the time."""

from __future__ import annotations

from typing import Any

from projections.database import ViewDatabase
from tracker.domain.base import NotFound

_PROPOSALS = (
    "SELECT a.id, a.base_revision, a.paragraph_id, a.action, a.old_text, a.new_text, a.on_behalf_of, a.rationale, "
    "a.round, a.delegation, a.status, a.decided_in, a.decision_note, a.proposed, a.version, a.valid_from "
    "FROM view_amendments a WHERE a.negotiation = ? AND a.valid_to IS NULL AND {who} ORDER BY a.proposed"
)
_PROPOSAL_FIELDS = ("id", "base_revision", "paragraph_id", "action", "old_text", "new_text", "on_behalf_of",
                    "rationale", "round", "delegation", "status", "decided_in", "decision_note", "proposed",
                    "version", "changed")


def delegation_record(views: ViewDatabase, slug: str, code: str) -> dict[str, Any]:
    found = views.query("SELECT code, name, kind FROM view_delegations WHERE negotiation = ? AND code = ?",
                        (slug, code))
    if not found:
        raise NotFound(f"unknown delegation {code!r} in negotiation {slug!r}")
    memberships = [
        {"group": g, "from": start, "to": end}
        for g, start, end in views.query(
            "SELECT grp, valid_from, valid_to FROM view_memberships WHERE negotiation = ? AND member = ? "
            "ORDER BY valid_from", (slug, code))
    ]

    def groups_at(position: int) -> list[str]:
        return [m["group"] for m in memberships if m["from"] <= position and (m["to"] is None or m["to"] > position)]

    nums = _latest_nums(views, slug)
    proposed = _proposals(views, slug, "a.delegation = ?", code)
    for p in proposed:
        p["groups_at_the_time"] = groups_at(p["proposed"])
        p["num"] = nums.get(p["paragraph_id"], "")
    on_its_behalf = _proposals(views, slug, "a.on_behalf_of = ? AND a.delegation <> a.on_behalf_of", code)
    positions = [
        {"amendment_id": r[0], "stance": r[1], "note": r[2], "since": r[3], "until": r[4], "round": r[5],
         "user": r[6], "proposer": r[7], "paragraph_id": r[8], "action": r[9], "amendment_status": r[10],
         "current": r[4] is None, "groups_at_the_time": groups_at(r[3]), "num": nums.get(r[8], "")}
        for r in views.query(
            "SELECT p.amendment_id, p.stance, p.note, p.valid_from, p.valid_to, p.round, p.usr, a.delegation, "
            "a.paragraph_id, a.action, a.status FROM view_positions p "
            "JOIN view_amendments a ON a.id = p.amendment_id AND a.valid_to IS NULL "
            "WHERE p.negotiation = ? AND p.delegation = ? ORDER BY p.valid_from", (slug, code))
    ]
    by_paragraph: dict[str, dict[str, Any]] = {}
    by_round: dict[str, dict[str, int]] = {}
    for p in proposed:
        entry = by_paragraph.setdefault(p["paragraph_id"], _paragraph_entry(p["paragraph_id"], nums))
        entry["proposed"].append(p["id"])
        _count(by_round, p["round"], "withdrew" if p["status"] == "withdrawn" else "proposed")
    for position in positions:
        entry = by_paragraph.setdefault(position["paragraph_id"], _paragraph_entry(position["paragraph_id"], nums))
        entry[position["stance"]].append(position["amendment_id"])
        _count(by_round, position["round"], position["stance"])
    return {
        "negotiation": slug,
        "delegation": dict(zip(("code", "name", "kind"), found[0], strict=True)),
        "memberships": memberships,
        "proposed": proposed,
        "proposed_on_its_behalf": on_its_behalf,
        "positions": positions,
        "by_paragraph": list(by_paragraph.values()),
        "by_round": [{"round": k, **v} for k, v in sorted(by_round.items(), key=lambda kv: (kv[0] == "none", kv[0]))],
    }


def _proposals(views: ViewDatabase, slug: str, who: str, code: str) -> list[dict[str, Any]]:
    rows = views.query(_PROPOSALS.format(who=who), (slug, *([code] * who.count("?"))))
    return [dict(zip(_PROPOSAL_FIELDS, r, strict=True)) for r in rows]


def _latest_nums(views: ViewDatabase, slug: str) -> dict[str, str]:
    """Each paragraph's number in the last revision that has it."""
    rows = views.query(
        "SELECT p.paragraph_id, p.num FROM view_revision_paragraphs p JOIN view_revisions r "
        "ON r.negotiation = p.negotiation AND r.label = p.label WHERE p.negotiation = ? ORDER BY r.position",
        (slug,))
    return dict(rows)


def _paragraph_entry(paragraph_id: str, nums: dict[str, str]) -> dict[str, Any]:
    return {"paragraph_id": paragraph_id, "num": nums.get(paragraph_id, ""), "proposed": [], "supports": [],
            "opposes": [], "co_sponsors": [], "reserves": []}


def _count(by_round: dict[str, dict[str, int]], round_number: int | None, what: str) -> None:
    counts = by_round.setdefault(str(round_number) if round_number is not None else "none", {})
    counts[what] = counts.get(what, 0) + 1
