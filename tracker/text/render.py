"""Renderings of a ``Redline``: JSON (the CLI contract), plain text and HTML.

All three read the one structure built by ``tracker.text.redline.redline``; none of them
diffs anything. Pure: a redline in, a string or a dict out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from tracker.text import emphasis
from tracker.text.redline import ADD, DELETED, DROP, INSERTED, KEEP, MOVED, Entry, Redline

FORMATS = ("json", "text", "html")

# Languages written right to left, by primary subtag (only Arabic among the UN six).
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")

# Explicit bidi embeddings, overrides and isolates reorder the text around them without
# showing: in an amendment they could make a reader see words in another order than the
# ones recorded (the "Trojan Source" trick). The HTML shows each as a visible code instead.
# Marks (LRM, RLM, ALM) have no scope and stay as they are.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# For pages that embed the fragment: changes isolated from the text around them, the
# change of a number alone muted.
CSS = """\
.redline ins, .redline del, .redline bdi { unicode-bidi: isolate; }
.redline ins { text-decoration: underline; background: #e6ffec; }
.redline del { text-decoration: line-through; background: #ffebe9; }
.redline .rl-num-change, .redline .rl-renumbered .rl-num { color: #6e7781; }
.redline .rl-num-change del, .redline .rl-num-change ins { background: none; }
.redline .rl-move { font-size: 85%; color: #8250df; }
.redline .rl-control { font-family: monospace; font-size: 80%; border: 1px solid #cf222e; }
"""


def as_json(redline: Redline, from_label: str, to_label: str) -> dict[str, Any]:
    """The contract's ``diff --json`` shape."""
    return {
        "from": from_label,
        "to": to_label,
        "paragraphs": [
            {
                "from_id": e.from_id,
                "to_id": e.to_id,
                "from_num": e.from_num,
                "to_num": e.to_num,
                "status": e.status,
                "renumbered": e.renumbered,
                "ops": [list(op) for op in e.ops],
            }
            for e in redline.entries
        ],
        "stats": redline.stats,
    }


def as_text(redline: Redline) -> str:
    """``[-deleted-]{+inserted+}`` per entry, one paragraph per block."""
    blocks = []
    for e in redline.entries:
        num = e.to_num if e.status != DELETED else e.from_num
        if e.renumbered:
            num = f"[-{e.from_num}-]{{+{e.to_num}+}}"
        body = "".join(t if op == KEEP else f"[-{t}-]" if op == DROP else f"{{+{t}+}}" for op, t in e.ops)
        moved = f"(moved from {e.from_num}) " if e.from_num else "(moved) "
        marker = {MOVED: moved, INSERTED: "(new) ", DELETED: "(deleted) "}.get(e.status, "")
        blocks.append(f"{marker}{num} {body}".strip())
    return "\n\n".join(blocks)


def text_direction(lang: str) -> str:
    """``rtl`` or ``ltr`` for a BCP 47 language tag."""
    return "rtl" if lang.split("-", 1)[0].casefold() in RTL_LANGUAGES else "ltr"


def as_html(redline: Redline, lang: str) -> str:
    """An HTML fragment: one ``<p>`` per entry, ``<ins>``/``<del>`` for the changes.

    Every text is escaped; each paragraph carries ``lang`` and ``dir``. In a right-to-left
    language each change sits in its own ``<bdi>``: a run of digits or Latin letters
    struck out next to its replacement would otherwise be reordered with it ("5" -> "6"
    read as "6 5"). A moved paragraph is marked as a move and shows its own edits; a
    change of number alone is a muted number change on an otherwise plain paragraph.
    """
    if not _LANG.match(lang):
        raise ValueError(f"bad language tag {lang!r}")
    direction = text_direction(lang)
    attrs = f'lang="{escape(lang)}" dir="{direction}"'
    isolate = direction == "rtl"
    out = [f'<div class="redline" {attrs}>']
    for e in redline.entries:
        classes = f"rl-para rl-{e.status}" + (" rl-renumbered" if e.renumbered else "")
        ids = "".join(
            f' data-{name}="{escape(value)}"' for name, value in (("from-id", e.from_id), ("to-id", e.to_id)) if value
        )
        out.append(f'<p class="{classes}" {attrs}{ids}>{_num(e, isolate)}{_move_note(e)}{_body(e, isolate)}</p>')
    out.append("</div>")
    return "\n".join(out)


def html_page(redline: Redline, lang: str, title: str) -> str:
    """A whole page around ``as_html``, for ``tracker diff --format html > redline.html``."""
    direction = text_direction(lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}" dir="{direction}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_text(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
        f"{as_html(redline, lang)}\n</body>\n</html>\n"
    )


def _text(text: str) -> str:
    return _BIDI_CONTROLS.sub(_show_control, escape(text, quote=True))


def _show_control(match: re.Match[str]) -> str:
    code = f"U+{ord(match.group()):04X}"
    return f'<span class="rl-control" title="{code}">{code}</span>'


def _change(tag: str, text: str, isolate: bool, extra: str = "", html: str | None = None) -> str:
    css = "rl-ins" if tag == "ins" else "rl-del"
    marked = f'<{tag} class="{css}{extra}">{_text(text) if html is None else html}</{tag}>'
    return f"<bdi>{marked}</bdi>" if isolate else marked


def _num(e: Entry, isolate: bool) -> str:
    if e.renumbered:
        change = _change("del", e.from_num, isolate) + _change("ins", e.to_num, isolate)
        return f'<span class="rl-num rl-num-change">{change}</span> '
    num = e.from_num if e.status == DELETED else e.to_num
    return f'<span class="rl-num">{_text(num)}</span> ' if num else ""


def _move_note(e: Entry) -> str:
    if e.status != MOVED:
        return ""
    where = f" from <bdi>{_text(e.from_num)}</bdi>" if e.from_num else ""
    return f'<span class="rl-move" data-from-num="{escape(e.from_num)}">(moved{where})</span> '


def _body(e: Entry, isolate: bool) -> str:
    """The ops with the emphasis each side has: deleted words look as the old text has them,
    kept and inserted words as the new one does (a change may add or drop the markers)."""
    whole = " rl-whole" if e.status in (INSERTED, DELETED) else ""
    old = iter(emphasis.pieces([text for op, text in e.ops if op != ADD]))
    new = iter(emphasis.pieces([text for op, text in e.ops if op != DROP]))
    parts = []
    for op, text in e.ops:
        if op == KEEP:
            next(old)
            parts.append(emphasis_html(next(new)))
            continue
        html = emphasis_html(next(new) if op == ADD else next(old))
        if html:  # a change of markers alone shows as the emphasis of the words around it
            parts.append(_change("ins" if op == ADD else "del", text, isolate, whole, html))
    return "".join(parts)


def emphasis_html(runs: Iterable[emphasis.Run], text: Callable[[str], str] | None = None) -> str:
    """Runs of words as HTML, each escaped by ``text`` (the redline's own by default)."""
    text = text or _text
    out = []
    for words, em, strong in runs:
        html = text(words)
        if em:
            html = f"<em>{html}</em>"
        if strong:
            html = f"<strong>{html}</strong>"
        out.append(html)
    return "".join(out)
