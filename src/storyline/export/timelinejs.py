"""The timeline for TimelineJS3: its JSON format, and the columns of its spreadsheet template.

One slide per timeline entry.  ``start_date`` has only the parts the entry's date has (a month-precision
entry has no ``day``: TimelineJS accepts partial dates, and we never invent one).  The slide text is HTML
made here from escaped article text, with a link to each cited article only when its URL is http(s).
``unique_id`` is derived from the entry's date and cited sentences, so links to a slide survive re-runs.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
from pathlib import Path
from typing import Any

from ..timeline import TimelineEntry
from .bundle import (
    INFERRED_DATE_NOTE,
    ExportBundle,
    article_link,
    citation_label,
    date_parts,
    entry_date_label,
    entry_events,
    status_label,
    top_participant,
)
from .csvexport import neutralise_formula

SHEET_COLUMNS = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
)

_HEADLINE_CHARS = 120


def to_timelinejs(bundle: ExportBundle) -> dict[str, Any]:
    """``{"title": slide, "events": [slide, ...]}`` as TimelineJS3 reads it."""
    timeline = bundle.timeline
    outlets = {outlet for entry in timeline.entries for outlet in entry.outlets}
    intro = (
        f"{len(timeline.entries)} dates from {len(bundle.articles)} articles "
        f"and {len(outlets)} outlets. "
        f"Generated {bundle.generated_at} by storyline {bundle.storyline_version}."
    )
    title = {
        "text": {"headline": html.escape(timeline.title), "text": f"<p>{html.escape(intro)}</p>"},
        "unique_id": "title",
    }
    slides = [_slide(bundle, entry) for entry in timeline.entries]
    return {"title": title, "events": [slide for slide in slides if slide is not None]}


def write_timelinejs(bundle: ExportBundle, path: str | Path) -> Path:
    """Write :func:`to_timelinejs` as a JSON file TimelineJS can load."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_timelinejs(bundle), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8", errors="backslashreplace")  # lone surrogates as JSON escapes
    return path


def write_timelinejs_sheet(bundle: ExportBundle, path: str | Path) -> Path:
    """The slides as rows of TimelineJS's spreadsheet template (paste into the template's sheet)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", errors="replace", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(SHEET_COLUMNS)
        document = to_timelinejs(bundle)
        writer.writerow(_sheet_row(document["title"], slide_type="title"))
        for slide in document["events"]:
            writer.writerow(_sheet_row(slide))
    return path


def unique_id(entry: TimelineEntry) -> str:
    """A stable slide id: the same date and cited sentences give the same id on every run."""
    digest = hashlib.sha256()
    digest.update(f"{entry.date}|{entry.date_precision}".encode())
    for ref in entry.summary:
        digest.update(f"|{ref.article_id}:{ref.start}:{ref.end}".encode())
    for event_id in entry.events:
        digest.update(f"|{event_id}".encode("utf-8", "surrogatepass"))
    return "entry-" + digest.hexdigest()[:12]


def _start_date(entry: TimelineEntry) -> dict[str, Any] | None:
    parts = date_parts(entry.date, entry.date_precision)
    if parts is None:
        return None
    date: dict[str, Any] = {"year": parts.year}
    if parts.month is not None:
        date["month"] = parts.month
    if parts.day is not None:
        date["day"] = parts.day
    if parts.time is not None:
        hour, minute = parts.time.split(":")
        date["hour"] = int(hour)
        date["minute"] = int(minute)
    return date


def _headline(bundle: ExportBundle, entry: TimelineEntry) -> str:
    events = entry_events(bundle, entry)
    if events:
        text = events[0].title
    elif entry.summary:
        text = entry.summary[0].text
    else:
        text = entry_date_label(entry)
    text = " ".join(text.split())
    if len(text) > _HEADLINE_CHARS:
        text = text[: _HEADLINE_CHARS - 1].rstrip() + "…"
    return text


def _group(bundle: ExportBundle, entry: TimelineEntry) -> str | None:
    events = entry_events(bundle, entry)
    for event in events:
        if event.status != "reported":
            return status_label(event.status)
    for event in events:
        participant = top_participant(bundle, event)
        if participant:
            return participant
    return None


def _text(bundle: ExportBundle, entry: TimelineEntry) -> str:
    parts: list[str] = []
    if entry.date_uncertain:
        parts.append(f"<p><em>{html.escape(INFERRED_DATE_NOTE)}</em></p>")
    for ref in entry.summary:
        label = html.escape(citation_label(bundle, ref.article_id))
        link = article_link(bundle.article(ref.article_id))
        cite = (
            f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener noreferrer">{label}</a>'
            if link
            else label
        )
        parts.append(f"<p>{html.escape(' '.join(ref.text.split()))} <cite>({cite})</cite></p>")
    outlets = ", ".join(html.escape(outlet) for outlet in entry.outlets)
    parts.append(
        f"<p><small>{entry.independent_sources} independent "
        f"source{'' if entry.independent_sources == 1 else 's'}"
        f"{': ' + outlets if outlets else ''}. Verification: {html.escape(entry.verification)}.</small></p>"
    )
    return "".join(parts)


def _slide(bundle: ExportBundle, entry: TimelineEntry) -> dict[str, Any] | None:
    start = _start_date(entry)
    if start is None:
        return None  # TimelineJS cannot place a slide without a year
    slide: dict[str, Any] = {
        "start_date": start,
        "display_date": entry_date_label(entry),
        "text": {"headline": html.escape(_headline(bundle, entry)), "text": _text(bundle, entry)},
        "unique_id": unique_id(entry),
    }
    group = _group(bundle, entry)
    if group:
        slide["group"] = html.escape(group)  # TimelineJS shows group labels as HTML
    return slide


def _sheet_row(slide: dict[str, Any], slide_type: str = "") -> list[Any]:
    start = slide.get("start_date", {})
    time = f"{start['hour']:02d}:{start['minute']:02d}" if "hour" in start else ""
    row = {
        "Year": start.get("year", ""),
        "Month": start.get("month", ""),
        "Day": start.get("day", ""),
        "Time": time,
        "Display Date": slide.get("display_date", ""),
        "Headline": slide["text"]["headline"],
        "Text": slide["text"]["text"],
        "Type": slide_type,
        "Group": slide.get("group", ""),
    }
    return [neutralise_formula(row.get(column, "")) for column in SHEET_COLUMNS]
