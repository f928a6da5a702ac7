"""The timeline as a Markdown document a person reads: dated entries, cited sentences, events, sources.

Every summary sentence cites its article as ``[Outlet, 2024-04-08](url) [S3]``: the link only when the
article has an http(s) URL, ``S3`` pointing into the numbered Sources list at the end either way.  Dates
that are inferred carry a "?", dates known only to the month or year carry "(approx.)".  Text taken from
articles is escaped so that it cannot open links, emphasis, headings or HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

from .bundle import (
    INFERRED_DATE_NOTE,
    ExportBundle,
    article_link,
    citation_date,
    citation_label,
    entry_date_label,
    entry_events,
    human_date,
    is_approximate,
    precision_of,
    status_label,
)

# Characters that start Markdown or HTML syntax anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|~#!])")
# Characters that only matter at the start of a line (headings, lists, quotes, numbered lists).
_LINE_START = re.compile(r"^([-+>=])|^(\d+)([.)])")
_WHITESPACE = re.compile(r"\s+")


def escape_markdown(text: str | None, *, at_line_start: bool = False) -> str:
    """Untrusted text as one line of literal Markdown: whitespace collapsed, syntax characters escaped.

    ``at_line_start``: the text begins a line, so list, quote and heading markers are escaped too.
    """
    if not text:
        return ""
    text = _WHITESPACE.sub(" ", text).strip()
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;")
    if not at_line_start:
        return text
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text, count=1)


def _link_target(url: str) -> str:
    # Parentheses, spaces and angle brackets would end or break a Markdown link target.
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _citation(bundle: ExportBundle, article_id: str) -> str:
    label = escape_markdown(citation_label(bundle, article_id))
    link = article_link(bundle.article(article_id))
    cited = f"[{label}]({_link_target(link)})" if link else label
    number = bundle.source_number(article_id)
    return f"{cited} [S{number}]" if number else cited


def to_markdown(bundle: ExportBundle) -> str:
    """The whole timeline as Markdown: title, one section per entry, Events and Sources."""
    timeline = bundle.timeline
    lines: list[str] = [f"# {escape_markdown(timeline.title) or 'Timeline'}", ""]
    lines.append(
        f"_{len(timeline.entries)} dates, {len(timeline.events)} events, {len(bundle.articles)} articles. "
        f"Generated {escape_markdown(bundle.generated_at)} "
        f"by storyline {escape_markdown(bundle.storyline_version)}. "
        'A "?" marks a date inferred rather than stated; "(approx.)" a date known only to the month '
        "or year._"
    )
    lines.append("")

    for entry in timeline.entries:
        lines.append(f"## {escape_markdown(entry_date_label(entry))}")
        lines.append("")
        if entry.date_uncertain:
            lines.append(f"_{INFERRED_DATE_NOTE}_")
            lines.append("")
        for ref in entry.summary:
            lines.append(f"- {escape_markdown(ref.text)} ({_citation(bundle, ref.article_id)})")
        if not entry.summary:
            lines.append("- _(no summary sentence)_")
        lines.append("")
        outlets = ", ".join(escape_markdown(outlet) for outlet in entry.outlets) or "unknown outlets"
        articles = len({ref.article_id for ref in entry.summary})
        lines.append(
            f"Sources: {entry.independent_sources} independent "
            f"({outlets}; {_count(articles, 'article')} cited). "
            f"Verification: **{escape_markdown(entry.verification)}**."
        )
        events = entry_events(bundle, entry)
        if events:
            titles = "; ".join(escape_markdown(event.title) for event in events)
            lines.append(f"Events: {titles}.")
        lines.append("")

    lines.extend(["## Events", ""])
    if not timeline.events:
        lines.append("_No events._")
    for event in timeline.events:
        date = human_date(event.date, event.date_precision)
        if is_approximate(event.date_precision):
            date += " (approx.)"
        if event.end_date:
            date += f" – {human_date(event.end_date, precision_of(event.end_date))}"
        marker = "" if event.status == "reported" else f" **[{escape_markdown(status_label(event.status))}]**"
        participants = ", ".join(escape_markdown(bundle.entity_name(p)) for p in event.participants)
        place = escape_markdown(bundle.entity_name(event.place)) if event.place else ""
        details = "; ".join(
            part
            for part in (
                f"at {place}" if place else "",
                f"with {participants}" if participants else "",
                f"{_count(len(event.articles), 'article')}, "
                f"{_count(event.independent_sources, 'independent source')}",
            )
            if part
        )
        lines.append(f"- {escape_markdown(date)}{marker} — {escape_markdown(event.title)} ({details})")
    lines.append("")

    lines.extend(["## Sources", ""])
    for number, article in enumerate(bundle.articles, start=1):
        title = escape_markdown(article.title) or "_(untitled)_"
        outlet = escape_markdown(article.outlet) or "unknown outlet"
        date = escape_markdown(citation_date(article.publication_date))
        if article.publication_date is not None:
            date += f" ({article.publication_date.method})"
        link = article_link(article)
        where = f"<{_link_target(link)}>" if link else f"source: {escape_markdown(article.source)}"
        duplicate = ""
        if article.duplicate_of:
            original = bundle.source_number(article.duplicate_of)
            duplicate = f" — duplicate of S{original}" if original else " — duplicate"
        lines.append(f"- **S{number}** {title} — {outlet}, {date} — {where}{duplicate}")
    lines.append("")
    return "\n".join(lines)


def write_markdown(bundle: ExportBundle, path: str | Path) -> Path:
    """Write :func:`to_markdown` as a UTF-8 file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(bundle), encoding="utf-8", errors="replace")
    return path
