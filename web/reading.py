"""How observers' pages show text: inline emphasis and brackets, redlines inline and side by
side, search hits, the progress chart. Registered as Jinja filters and globals, so that a
page's context stays plain data (its JSON twin) and the HTML is made only for HTML.

Every string from the record goes through ``inert`` (or is built from it): escaped, and
with bidi embeddings, overrides and isolates shown as visible codes, as the redline
renderer does, so that no text can make a reader see words in another order than recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from tracker.text import render
from tracker.text.brackets import Segment, parse_document, segments, stats
from tracker.text.emphasis import pieces as emphasis_pieces
from tracker.text.emphasis import runs as emphasis_runs
from tracker.text.redline import ADD, DELETED, DROP, INSERTED, KEEP, MOVED, Entry, Redline, redline

STATUS_LABELS = {"open": "open", "bracketed": "bracketed", "agreed_ad_ref": "agreed ad ref", "reopened": "re-opened"}
HEADING = "heading"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Inline emphasis only: no links, HTML, entities or blocks; the text is escaped by us.


def _show_control(match: re.Match[str]) -> str:
    code = f"U+{ord(match.group()):04X}"
    return f'<span class="control" title="{code}">{code}</span>'


def inert(text: Any) -> Markup:
    """Text from the record, safe anywhere between tags."""
    return Markup(_BIDI_CONTROLS.sub(_show_control, str(escape("" if text is None else text))))


def direction(lang: str) -> str:
    return render.text_direction(lang or "en")


def text_language(details: dict[str, Any]) -> str:
    """The language a negotiation's text is shown in: its first."""
    return details["languages"][0] if details["languages"] else "en"


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "open", (status or "open").replace("_", " "))


# --- a paragraph's text: emphasis and brackets ------------------------------------------------


def plain(text: str | None) -> str:
    """The words without their emphasis markers (for excerpts and titles)."""
    return "".join(words for words, _, _ in emphasis_runs(text or ""))


def emphasis(text: str | None) -> Markup:
    """A piece of a text (a blame span) with its emphasis, and no bracket highlighting: a
    piece may hold one bracket of a pair."""
    return Markup(_runs_html(emphasis_runs(text or "")))


def _runs_html(runs: Iterable[tuple[str, bool, bool]]) -> str:
    return render.emphasis_html(runs, lambda words: str(inert(words)))


def _slice(runs: list[tuple[str, bool, bool]], starts: list[int], start: int, end: int) -> list[tuple[str, bool, bool]]:
    found = []
    for (words, em, strong), offset in zip(runs, starts):
        lo, hi = max(start, offset), min(end, offset + len(words))
        if lo < hi:
            found.append((words[lo - offset:hi - offset], em, strong))
    return found


def _segment_html(segment: Segment, inner: str) -> str:
    if segment.stray:
        return f'<span class="br-stray" title="unmatched bracket">{inner}</span>'
    if segment.depth <= 0:
        return inner
    alternative = " br-alt" if segment.group is not None else ""
    return f'<span class="br br-d{min(segment.depth, 4)}{alternative}">{inner}</span>'


def rich_texts(texts: Sequence[str], headings: Iterable[int] = ()) -> list[Markup]:
    """Consecutive paragraphs as HTML: emphasis as ``<em>``/``<strong>``, brackets
    highlighted by depth (alternatives outlined, stray brackets flagged). Brackets may span
    paragraphs, except across ``headings``."""
    return list(_rich(tuple(texts), frozenset(headings)))


@lru_cache(maxsize=64)
def _rich(texts: tuple[str, ...], headings: frozenset[int]) -> tuple[Markup, ...]:
    # Brackets are read on the text without its emphasis markers: "*" is never a bracket,
    # and the offsets then match the runs the emphasis left.
    all_runs = [emphasis_runs(t) for t in texts]
    plains = ["".join(r[0] for r in runs) for runs in all_runs]
    parses = parse_document(plains, breaks=headings)
    out = []
    for runs, plain, parsed in zip(all_runs, plains, parses, strict=True):
        starts, offset = [], 0
        for words, _, _ in runs:
            starts.append(offset)
            offset += len(words)
        html = "".join(_segment_html(s, _runs_html(_slice(runs, starts, s.start, s.start + len(s.text))))
                       for s in segments(plain, parsed))
        out.append(Markup(html))
    return tuple(out)


def rich(text: str) -> Markup:
    """One text on its own (a footnote, an amendment's words)."""
    return rich_texts([text or ""])[0]


def rich_paragraphs(paragraphs: Sequence[dict[str, Any]]) -> list[Markup]:
    return rich_texts([p["text"] for p in paragraphs],
                      [i for i, p in enumerate(paragraphs) if p.get("kind") == HEADING])


def mark_bracketed(paragraphs: Sequence[dict[str, Any]]) -> None:
    """Set ``bracketed`` on each paragraph whose text has brackets, counted as the progress
    view counts them: an open paragraph with brackets is shown as bracketed."""
    found = _bracketed(tuple(p["text"] for p in paragraphs),
                       frozenset(i for i, p in enumerate(paragraphs) if p.get("kind") == HEADING))
    for paragraph, bracketed in zip(paragraphs, found, strict=True):
        paragraph["bracketed"] = bracketed


@lru_cache(maxsize=64)
def _bracketed(texts: tuple[str, ...], headings: frozenset[int]) -> tuple[bool, ...]:
    # A published text never changes: its brackets are parsed once, not on every request.
    out = []
    for text, parse in zip(texts, parse_document(list(texts), breaks=headings), strict=True):
        counted = stats(text, parse)
        out.append(bool(counted.pairs or counted.unmatched))
    return tuple(out)


def shown_status(paragraph: dict[str, Any]) -> str:
    status = paragraph.get("status") or "open"
    return "bracketed" if status == "open" and paragraph.get("bracketed") else status


# --- redlines ----------------------------------------------------------------------------------


def redline_of(data: dict[str, Any]) -> Redline:
    """The redline structure back from its JSON shape (a page's context)."""
    entries = tuple(
        Entry(e["status"], e["from_id"], e["to_id"], e["from_num"], e["to_num"], tuple((op, t) for op, t in e["ops"]))
        for e in data["paragraphs"])
    return Redline(entries, dict(data.get("stats", {})))


def inline(data: dict[str, Any], lang: str) -> Markup:
    return Markup(render.as_html(redline_of(data), lang))


def paragraph_redline(old: dict[str, Any], new: dict[str, Any], lang: str) -> Markup:
    """One paragraph's change between two of its versions, inline."""
    result = redline([{"id": "p", "num": old["num"], "text": old["text"]}],
                     [{"id": "p", "num": new["num"], "text": new["text"]}])
    return Markup(render.as_html(result, lang))


def _change(tag: str, html: str, isolate: bool, whole: bool) -> str:
    css = ("rl-ins" if tag == "ins" else "rl-del") + (" rl-whole" if whole else "")
    marked = f'<{tag} class="{css}">{html}</{tag}>'
    return f"<bdi>{marked}</bdi>" if isolate else marked


def _emphasised(pieces: Sequence[str]) -> list[str]:
    """Consecutive pieces of one text as HTML, with the emphasis of the whole text."""
    return [_runs_html(runs) for runs in emphasis_pieces(pieces)]


def _side(e: Entry, old: bool, isolate: bool, slug: str) -> str:
    """One cell of the side-by-side table: the old text with its deletions, or the new
    text with its insertions."""
    if (old and e.status == INSERTED) or (not old and e.status == DELETED):
        return '<td class="rl-none"></td>'
    num = e.from_num if old else e.to_num
    paragraph = e.from_id if old else e.to_id
    parts = []
    if num:
        css = "rl-num rl-num-change" if e.renumbered else "rl-num"
        shown = _change("del" if old else "ins", inert(num), isolate, False) if e.renumbered else inert(num)
        parts.append(f'<span class="{css}">{shown}</span> ')
    if e.status == MOVED:
        # Unnumbered paragraphs (preambles) move too: then there is no number to name.
        where = e.to_num if old else e.from_num
        parts.append(f'<span class="rl-move">(moved{(" to " if old else " from ") + inert(where) if where else ""})</span> ')
    whole = e.status in (INSERTED, DELETED)
    ops = [(op, text) for op, text in e.ops if op == KEEP or op == (DROP if old else ADD)]
    for (op, _), html in zip(ops, _emphasised([text for _, text in ops]), strict=True):
        parts.append(html if op == KEEP else _change("del" if old else "ins", html, isolate, whole))
    if paragraph and slug:
        parts.append(f' <a class="permalink" href="/{escape(slug)}/paragraphs/{escape(paragraph)}" '
                     f'aria-label="History of this paragraph">&para;</a>')
    return f"<td>{''.join(parts)}</td>"


def side_by_side(data: dict[str, Any], lang: str, slug: str = "") -> Markup:
    """The same redline as two columns: the old text and the new one, row by row."""
    dir_ = direction(lang)
    isolate = dir_ == "rtl"
    attrs = f'lang="{escape(lang)}" dir="{dir_}"'
    rows = [f'<table class="redline side-by-side" {attrs}>',
            f'<thead><tr><th scope="col">{inert(data.get("from", ""))}</th>'
            f'<th scope="col">{inert(data.get("to", ""))}</th></tr></thead><tbody>']
    for e in redline_of(data).entries:
        classes = f"rl-para rl-{e.status}" + (" rl-renumbered" if e.renumbered else "")
        rows.append(f'<tr class="{classes}">{_side(e, True, isolate, slug)}{_side(e, False, isolate, slug)}</tr>')
    rows.append("</tbody></table>")
    return Markup("\n".join(rows))


# --- search hits and the progress chart ---------------------------------------------------------


def highlight(text: str, query: str, width: int = 120) -> Markup:
    """A window of ``text`` around the first match of ``query``, the matches marked."""
    text = text or ""
    if not query:
        return inert(text[: 2 * width])
    folded, needle = text.lower(), query.lower()
    first = folded.find(needle)
    start = max(0, first - width) if first >= 0 else 0
    end = min(len(text), (first if first >= 0 else 0) + len(needle) + width)
    window, folded_window = text[start:end], folded[start:end]
    out, cursor = [], 0
    while needle and (hit := folded_window.find(needle, cursor)) >= 0:
        out.append(str(inert(window[cursor:hit])))
        out.append(f"<mark>{inert(window[hit:hit + len(needle)])}</mark>")
        cursor = hit + len(needle)
    out.append(str(inert(window[cursor:])))
    return Markup(("…" if start else "") + "".join(out) + ("…" if end < len(text) else ""))


CHART_KINDS = (("agreed_ad_ref", "agreed ad ref"), ("bracketed", "bracketed"), ("open", "open"))


def chart(progress: dict[str, Any]) -> dict[str, Any]:
    """Geometry of a horizontal stacked bar chart: agreed / bracketed / open paragraphs per
    round (per revision when no revision names its round)."""
    bars = [{"label": f"Round {r['round']}", "detail": ", ".join(r["revisions"]), **r["paragraphs"]}
            for r in progress.get("rounds", []) if r.get("paragraphs")]
    if not bars:
        # Drawn as SVG text, where a span cannot show a control: its code stands in for it.
        bars = [{**r, "label": _BIDI_CONTROLS.sub(lambda m: f"U+{ord(m.group()):04X}", r["label"]), "detail": ""}
                for r in progress.get("revisions", [])]
    left, width, row = 130, 440, 30
    biggest = max((sum(b[k] for k, _ in CHART_KINDS) for b in bars), default=0) or 1
    drawn = []
    for index, bar in enumerate(bars):
        x, parts = left, []
        for key, label in CHART_KINDS:
            w = round(width * bar[key] / biggest, 1)
            parts.append({"kind": key, "label": label, "count": bar[key], "x": x, "width": w})
            x += w
        drawn.append({"label": bar["label"], "detail": bar["detail"], "y": 10 + index * row, "parts": parts,
                      "total": sum(bar[k] for k, _ in CHART_KINDS), "end": x})
    return {"bars": drawn, "height": 40 + len(bars) * row, "width": left + width + 60, "left": left,
            "kinds": CHART_KINDS}


def register(env: Any) -> None:
    env.filters.update(inert=inert, rich=rich, status_label=status_label, direction=direction,
                       shown_status=shown_status, plain=plain, emphasis=emphasis)
    env.globals.update(rich_paragraphs=rich_paragraphs, inline_redline=inline, side_by_side=side_by_side,
                       paragraph_redline=paragraph_redline, highlight=highlight, chart=chart)


def _register_on_the_templates() -> None:
    from web.common import templates

    register(templates.env)


_register_on_the_templates()
