"""Inline emphasis kept as Markdown in paragraph texts (``*Recalling*``, ``**shall**``):
the words and how they look, for renderings that show emphasis rather than its markers."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt

# (words, emphasised, strong)
Run = tuple[str, bool, bool]

_MARKDOWN = MarkdownIt("zero").enable(["emphasis"])


def runs(text: str) -> list[Run]:
    """``text`` as runs of words, the Markdown markers taken out."""
    if "*" not in text and "_" not in text:
        return [(text, False, False)] if text else []
    found: list[Run] = []
    em = strong = 0
    for token in _MARKDOWN.parseInline(text)[0].children or []:
        if token.type == "em_open":
            em += 1
        elif token.type == "em_close":
            em -= 1
        elif token.type == "strong_open":
            strong += 1
        elif token.type == "strong_close":
            strong -= 1
        elif token.content:
            found.append((token.content, em > 0, strong > 0))
    return found


def pieces(texts: Sequence[str]) -> list[list[Run]]:
    """Consecutive pieces of one text (kept, deleted or inserted words) as runs, with the
    emphasis of the whole text: a pair of markers may lie in two pieces ("*Recalling" kept,
    "also*" inserted). Each piece's markers are taken out."""
    whole = "".join(texts)
    if "*" not in whole and "_" not in whole:
        return [[(text, False, False)] if text else [] for text in texts]
    # Where each run of words lies in the whole: the words are the whole with some markers
    # taken out, so each run is found after the one before.
    spans: list[tuple[int, int, bool, bool]] = []
    at = 0
    for words, em, strong in runs(whole):
        found = whole.find(words, at)
        if found < 0:
            return [[(text, False, False)] if text else [] for text in texts]
        at = found + len(words)
        spans.append((found, at, em, strong))
    out: list[list[Run]] = []
    start = first = 0
    for text in texts:
        end = start + len(text)
        while first < len(spans) and spans[first][1] <= start:
            first += 1
        piece: list[Run] = []
        for lo, hi, em, strong in spans[first:]:
            if lo >= end:
                break
            words = whole[max(lo, start):min(hi, end)]
            if piece and piece[-1][1:] == (em, strong):
                piece[-1] = (piece[-1][0] + words, em, strong)
            else:
                piece.append((words, em, strong))
        out.append(piece)
        start = end
    return out
