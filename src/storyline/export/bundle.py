"""What every export writes from: one :class:`ExportBundle`, plus the small helpers the formats share.

The bundle holds the timeline and everything it cites (articles, entities, quotes), so an export never
goes back to the store.  The helpers decide, once for every format, how a partial or inferred date reads,
which URL may become a link (``http``/``https`` only: article data is untrusted), and how a sentence cites
its article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..analysis import Entity, Quote
from ..model import Article, DatePrecision, DateValue
from ..timeline import Event, Timeline, TimelineEntry

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

INFERRED_DATE_NOTE = "Date inferred from the articles' publication dates or text; not stated by a source."


@dataclass(slots=True)
class QuoteRecord:
    """A quote with its article and its speaker resolved to a corpus entity where possible."""

    article_id: str
    quote: Quote
    speaker_entity: str | None = None  # corpus entity id
    speaker_name: str | None = None  # display name (the entity's name, or the quote's own speaker key)


@dataclass(slots=True)
class ExportBundle:
    """Everything an export needs: the timeline and the articles, entities and quotes it refers to."""

    timeline: Timeline
    articles: list[Article]
    entities: list[Entity]
    quotes: list[QuoteRecord]
    generated_at: str
    storyline_version: str
    _articles_by_id: dict[str, Article] = field(default_factory=dict, init=False, repr=False)
    _entities_by_id: dict[str, Entity] = field(default_factory=dict, init=False, repr=False)
    _numbers: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def article(self, article_id: str) -> Article | None:
        if len(self._articles_by_id) != len(self.articles):
            self._articles_by_id = {a.id: a for a in self.articles}
        return self._articles_by_id.get(article_id)

    def entity(self, entity_id: str | None) -> Entity | None:
        if entity_id is None:
            return None
        if len(self._entities_by_id) != len(self.entities):
            self._entities_by_id = {e.id: e for e in self.entities}
        return self._entities_by_id.get(entity_id)

    def entity_name(self, entity_id: str | None) -> str | None:
        """The display name of an entity id (the id itself when the entity is not in the bundle)."""
        if entity_id is None:
            return None
        entity = self.entity(entity_id)
        return entity.name if entity else entity_id

    def source_number(self, article_id: str) -> int | None:
        """1-based position of an article in the bundle's sources list (for numbered references)."""
        if len(self._numbers) != len(self.articles):
            self._numbers = {a.id: n for n, a in enumerate(self.articles, start=1)}
        return self._numbers.get(article_id)


# --- URLs -------------------------------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL fit to become a link; None otherwise.

    Article data is untrusted: ``javascript:``, ``data:`` and relative or malformed URLs never become
    links in any export.
    """
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def article_link(article: Article | None) -> str | None:
    """Where a reader can open the article: its URL, or its source when that is a web address."""
    if article is None:
        return None
    return safe_url(article.url) or safe_url(article.source)


# --- Dates ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateParts:
    """The parts a date actually has at its precision: no invented month or day."""

    year: int
    month: int | None = None
    day: int | None = None
    time: str | None = None  # "HH:MM"


def date_parts(value: str, precision: DatePrecision | str) -> DateParts | None:
    """Split an ISO 8601 prefix into the parts its precision reaches (None when it is not a date)."""
    precision = DatePrecision(precision)
    try:
        year = int(value[:4])
        month = int(value[5:7]) if precision != DatePrecision.YEAR and len(value) >= 7 else None
        day = (
            int(value[8:10])
            if precision in (DatePrecision.DAY, DatePrecision.MINUTE) and len(value) >= 10 and month
            else None
        )
        time = value[11:16] if precision == DatePrecision.MINUTE and len(value) >= 16 and day else None
    except ValueError:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    return DateParts(year, month, day, time)


def human_date(value: str, precision: DatePrecision | str) -> str:
    """A date as people read it, at its precision: "8 April 2024", "April 2024", "2024"."""
    parts = date_parts(value, precision)
    if parts is None:
        return value
    if parts.month is None:
        return str(parts.year)
    month = MONTHS[parts.month - 1]
    if parts.day is None:
        return f"{month} {parts.year}"
    text = f"{parts.day} {month} {parts.year}"
    return f"{text}, {parts.time}" if parts.time else text


def is_approximate(precision: DatePrecision | str) -> bool:
    """Month and year precision: the date names a period, not a day."""
    return DatePrecision(precision) in (DatePrecision.YEAR, DatePrecision.MONTH)


def entry_date_label(entry: TimelineEntry) -> str:
    """An entry's date for headings: approximate and inferred dates never look certain."""
    label = human_date(entry.date, entry.date_precision)
    if entry.date_uncertain:
        label += "?"
    if is_approximate(entry.date_precision):
        label += " (approx.)"
    return label


def citation_date(value: DateValue | None) -> str:
    """An article's date in a citation: ISO at its precision, '?' when inferred, 'n.d.' when unknown."""
    if value is None:
        return "n.d."
    shown = value.day or value.value
    return f"{shown}?" if value.inferred else shown


def citation_label(bundle: ExportBundle, article_id: str) -> str:
    """A sentence's citation: "Outlet, 2024-04-08" (the source when the outlet is unknown)."""
    article = bundle.article(article_id)
    if article is None:
        return f"unknown article {article_id}"
    outlet = article.outlet or short_source(article.source)
    return f"{outlet}, {citation_date(article.publication_date)}"


def short_source(source: str) -> str:
    """A source short enough for a citation: a URL's host, or a path's file name (with any #row)."""
    parts = urlsplit(source) if "://" in source else None
    if parts is not None and parts.netloc:
        return parts.netloc
    return source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or source


def precision_of(value: str) -> DatePrecision:
    """The precision an ISO prefix carries by its length (for dates stored without one, e.g. end dates)."""
    if len(value) >= 16:
        return DatePrecision.MINUTE
    if len(value) >= 10:
        return DatePrecision.DAY
    return DatePrecision.MONTH if len(value) >= 7 else DatePrecision.YEAR


def top_participant(bundle: ExportBundle, event: Event) -> str | None:
    return bundle.entity_name(event.participants[0]) if event.participants else None


def entry_events(bundle: ExportBundle, entry: TimelineEntry) -> list[Event]:
    by_id = {event.id: event for event in bundle.timeline.events}
    return [by_id[event_id] for event_id in entry.events if event_id in by_id]


STATUS_LABELS = {"reported": "reported", "past": "past (background)", "planned": "planned"}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
