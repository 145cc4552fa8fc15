"""The compilation text: the draft as it stands, each paragraph with its pending proposals
in place, attributed, with supporters and opponents, its brackets parsed and counted."""

from __future__ import annotations

import dataclasses
from typing import Any

from projections import moments
from projections.database import ViewDatabase
from tracker.domain.amendment import proposed_text
from tracker.text.brackets import paragraph_variant, parse_document, stats

HEADING = "heading"
# How each stance reads in an attribution, in the order they are listed.
_STANCES = (("co_sponsors", "co-sponsored by"), ("supports", "supported by"), ("opposes", "opposed by"),
            ("reserves", "reserved by"))


def compilation(views: ViewDatabase, slug: str, position: int) -> dict[str, Any]:
    moment = moments.moment(views, slug, position)
    paragraphs = moment["paragraphs"]
    nums = {p["id"]: p["num"] for p in paragraphs}
    parsed = parse_document([p["text"] for p in paragraphs],
                            breaks={i for i, p in enumerate(paragraphs) if p["kind"] == HEADING})
    on: dict[str, list[dict[str, Any]]] = {}
    for amendment in moment["amendments"]:
        on.setdefault(amendment["paragraph_id"], []).append(amendment)
    entries = []
    totals = {"paragraphs": len(paragraphs), "brackets": 0, "alternatives": 0, "unmatched": 0,
              "proposals": len(moment["amendments"]), "by_status": {}}
    for paragraph, parse in zip(paragraphs, parsed, strict=True):
        counted = stats(paragraph["text"], parse)
        variant = paragraph_variant(paragraph["num"], paragraph["text"])
        proposals = [_proposal(a, paragraph, nums) for a in on.get(paragraph["id"], [])]
        entries.append({
            **paragraph,
            "brackets": dataclasses.asdict(counted),
            "variant": dataclasses.asdict(variant) if variant else None,
            "proposals": proposals,
            "attribution": "; ".join(p["attribution"] for p in proposals),
        })
        totals["brackets"] += counted.pairs
        totals["alternatives"] += counted.alternatives_groups
        totals["unmatched"] += counted.unmatched
        totals["by_status"][paragraph["status"]] = totals["by_status"].get(paragraph["status"], 0) + 1
    return {"negotiation": slug, "position": moment["position"], "label": moment["label"], "paragraphs": entries,
            "totals": totals}


def _proposal(a: dict[str, Any], paragraph: dict[str, Any], nums: dict[str, str]) -> dict[str, Any]:
    """One proposal in place: ``EU, supported by NOR, opposed by SAU: delete "shall"``."""
    by_stance: dict[str, list[str]] = {}
    for delegation, stance, _ in a["positions"]:
        by_stance.setdefault(stance, []).append(delegation)
    who = f"{a['on_behalf_of']} ({a['delegation']})" if a["on_behalf_of"] else a["delegation"]
    qualifiers = [f"{label} {', '.join(by_stance[stance])}" for stance, label in _STANCES if by_stance.get(stance)]
    attribution = ", ".join([who, *qualifiers]) + ": " + describe(a, nums)
    return {
        "id": a["id"], "delegation": a["delegation"], "on_behalf_of": a["on_behalf_of"], "action": a["action"],
        "old_text": a["old_text"], "new_text": a["new_text"], "status": a["status"], "rationale": a["rationale"],
        # A moment's positions are [delegation, stance, since]; a compilation shows them named.
        "positions": [{"delegation": delegation, "stance": stance, "since": since}
                      for delegation, stance, since in a["positions"]],
        "attribution": attribution,
        "proposed_text": _proposed(a, paragraph["text"]),
    }


def _proposed(a: dict[str, Any], text: str) -> str | None:
    try:
        return proposed_text(a["action"], text, a["old_text"], a["new_text"])
    except ValueError:
        # Proposed against an earlier revision whose words this one no longer has.
        return None


def describe(a: dict[str, Any], nums: dict[str, str]) -> str:
    """What a proposal does, in the words a compilation text uses."""
    old, new, action = a["old_text"], a["new_text"], a["action"]
    if action == "replace":
        return f'replace "{old}" with "{new}"' if old else f'replace the paragraph with "{new}"'
    if action == "insert":
        return f'insert "{new}" after "{old}"' if old else f'add "{new}"'
    if action == "delete":
        return f'delete "{old}"'
    if action == "new_paragraph":
        return f'new paragraph after this one: "{new}"'
    if action == "delete_paragraph":
        return "delete the paragraph"
    if action == "move":
        target = a["after_paragraph_id"]
        return f"move after paragraph {nums.get(target) or target[:8]}" if target else "move to the beginning"
    return {"retain": "retain", "reserve": "reservation"}.get(action, action)
