"""Progress per revision and per round: paragraphs agreed ad ref, bracketed and open,
bracket counts, amendments by status; plain data a page can chart."""

from __future__ import annotations

from typing import Any

from projections import moments
from projections.database import ViewDatabase
from tracker.text.brackets import parse_document, stats


def progress(views: ViewDatabase, slug: str, now: int) -> dict[str, Any]:
    revisions = views.query(
        "SELECT label, position, round FROM view_revisions WHERE negotiation = ? ORDER BY position", (slug,))
    per_revision = []
    for index, (label, position, round_number) in enumerate(revisions):
        # A revision's state is read at the end of its life: just before the next one.
        end = revisions[index + 1][1] - 1 if index + 1 < len(revisions) else now
        per_revision.append({"label": label, "position": position, "round": round_number, "until": end,
                             **_paragraph_counts(views, slug, label, end),
                             "amendments": _amendment_counts(views, slug, end, "base_revision = ?", label)})
    rounds = []
    for number, in views.query(
            "SELECT DISTINCT round FROM view_amendments WHERE negotiation = ? AND round IS NOT NULL "
            "UNION SELECT DISTINCT round FROM view_revisions WHERE negotiation = ? AND round IS NOT NULL "
            "ORDER BY 1", (slug, slug)):
        last = [r for r in per_revision if r["round"] == number]
        rounds.append({
            "round": number,
            "revisions": [r["label"] for r in last],
            "paragraphs": {k: last[-1][k] for k in ("agreed_ad_ref", "bracketed", "open", "brackets")} if last else None,
            "amendments": _amendment_counts(views, slug, now, "round = ?", number),
            "positions": views.query("SELECT COUNT(*) FROM view_positions WHERE negotiation = ? AND round = ?",
                                     (slug, number))[0][0],
        })
    return {"negotiation": slug, "position": now, "revisions": per_revision, "rounds": rounds}


def _paragraph_counts(views: ViewDatabase, slug: str, label: str, at: int) -> dict[str, int]:
    paragraphs = moments.revision_paragraphs(views, slug, label)
    status = moments.statuses_at(views, slug, at)
    parsed = parse_document([p["text"] for p in paragraphs],
                            breaks={i for i, p in enumerate(paragraphs) if p["kind"] == "heading"})
    counts = {"paragraphs": len(paragraphs), "agreed_ad_ref": 0, "bracketed": 0, "open": 0, "brackets": 0,
              "alternatives": 0}
    for paragraph, parse in zip(paragraphs, parsed, strict=True):
        counted = stats(paragraph["text"], parse)
        counts["brackets"] += counted.pairs
        counts["alternatives"] += counted.alternatives_groups
        marked = status.get(paragraph["id"], "open")
        if marked == "agreed_ad_ref":
            counts["agreed_ad_ref"] += 1
        elif marked == "bracketed" or counted.pairs or counted.unmatched:
            counts["bracketed"] += 1
        else:
            counts["open"] += 1
    return counts


def _amendment_counts(views: ViewDatabase, slug: str, at: int, where: str, value: Any) -> dict[str, int]:
    rows = views.query(
        f"SELECT status, COUNT(*) FROM view_amendments WHERE negotiation = ? AND {where} "
        "AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) GROUP BY status", (slug, value, at, at))
    return dict(rows)
