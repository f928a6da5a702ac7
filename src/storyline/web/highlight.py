"""An article's text as HTML with its entity mentions, time expressions and quotes marked.

The text is untrusted: every piece is escaped, and only our own ``<mark>`` tags (with escaped attribute
values) are added. Spans may overlap (a name inside a quote, a quote that starts mid-mention), so the text
is cut at every span boundary and each piece opens the marks covering it, outermost first, and closes
them again: the tags always nest, whatever the spans do.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .models import Highlight

# Outer to inner when two spans cover the same piece: a quote holds names and dates.
_DEPTH = {"quote": 0, "entity": 1, "timex": 2}


def highlight(text: str, spans: Sequence[Highlight]) -> Markup:
    """``text`` escaped, with one ``<mark class="KIND">`` per span piece."""
    usable = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text)} | {s.start for s in usable} | {s.end for s in usable})
    starts: dict[int, list[Highlight]] = {}
    for span in usable:
        starts.setdefault(span.start, []).append(span)
    active: list[Highlight] = []
    parts: list[str] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        active = [s for s in active if s.end > left] + starts.get(left, [])
        piece = escape(text[left:right])
        if not active:
            parts.append(piece)
            continue
        ordered = sorted(active, key=lambda s: (_DEPTH.get(s.kind, 3), s.start, -s.end))
        opening = "".join(_open(span) for span in ordered)
        parts.append(f"{opening}{piece}{'</mark>' * len(ordered)}")
    return Markup("".join(parts))


def _open(span: Highlight) -> str:
    attributes = [f'class="{escape(span.kind)}"']
    if span.detail:
        attributes.append(f'title="{escape(span.detail)}"')
    if span.entity_id:
        attributes.append(f'data-entity="{escape(span.entity_id)}"')
    return f"<mark {' '.join(attributes)}>"
