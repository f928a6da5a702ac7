"""The shapes of what the web app shows: one pydantic model per view, the same for the HTML page (its
template reads the model) and its JSON twin under /api (described in /openapi.json)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DateInfo(BaseModel):
    """A date with how it was found; ``inferred`` dates are never shown as certain."""

    value: str
    precision: str
    method: str
    confidence: float
    evidence: str = ""
    inferred: bool = False
    label: str = Field(description="The date as people read it, with '?' when inferred")


class EntityRef(BaseModel):
    id: str
    name: str
    label: str


class EventRef(BaseModel):
    id: str
    title: str
    date: str
    date_precision: str
    status: str


class ArticleRef(BaseModel):
    id: str
    title: str | None
    label: str = Field(description="The title, or the text's first words (the source's name) when untitled")
    outlet: str = Field(description="The outlet, or 'unknown outlet (source)' when none was found")
    date: DateInfo | None
    url: str | None = Field(description="An http(s) link to the article, when it has one")


class SentenceOut(BaseModel):
    """A sentence cited from an article (offsets into its cleaned text)."""

    article_id: str
    start: int
    end: int
    text: str
    citation: str


class QuoteOut(BaseModel):
    article_id: str
    start: int
    end: int
    text: str
    kind: str
    speaker: str | None
    speaker_entity: str | None
    cue: str | None


class Bar(BaseModel):
    period: str
    stated: int = Field(description="Articles whose date was stated (metadata, dateline) or set by hand")
    inferred: int = Field(description="Articles whose date was inferred from text or the corpus")


class Histogram(BaseModel):
    unit: str = Field(description="day, month or year")
    bars: list[Bar]
    undated: int = Field(description="Articles without a date (not in any bar)")
    unplaced: int = Field(description="Dated articles too coarse for the unit (e.g. a year only)")


# --- timeline and events ----------------------------------------------------------------------------


class TimelineFilters(BaseModel):
    q: str | None = None
    start: str | None = None
    end: str | None = None
    entity: str | None = None
    outlet: str | None = None
    show_hidden: bool = False


class EntryOut(BaseModel):
    date: str
    date_precision: str
    label: str
    uncertain: bool
    approximate: bool
    hidden: bool
    verification: str
    independent_sources: int
    outlets: list[str]
    summary: list[SentenceOut]
    events: list[EventRef]


class TimelineView(BaseModel):
    title: str
    notice: str | None = Field(None, description="Why the timeline is empty, when it is")
    filters: TimelineFilters
    entity_name: str | None = None
    total: int = Field(description="Entries before filtering (hidden ones left out)")
    hidden: int = Field(description="Entries a user hid")
    count: int
    entries: list[EntryOut]
    histogram: Histogram
    outlets: list[str]


class EventRow(BaseModel):
    id: str
    title: str
    date: str
    date_precision: str
    end_date: str | None
    status: str
    place: EntityRef | None
    participants: list[EntityRef] = Field(description="Who took part (the place is not repeated here)")
    outlets: list[str]
    independent_sources: int
    articles: int


class OutletReport(BaseModel):
    """What one outlet said about an event."""

    outlet: str
    articles: list[ArticleRef]
    lead: SentenceOut | None
    sentences: list[SentenceOut]
    quotes: list[QuoteOut]
    only_here: list[EntityRef] = Field(description="Entities only this outlet's sentences name")


class EventView(EventRow):
    reports: list[OutletReport]
    only_here_method: str


class TableInfo(BaseModel):
    total: int = Field(description="Rows matching the filters")
    offset: int
    limit: int


class EventsView(TableInfo):
    filters: TimelineFilters
    rows: list[EventRow]


# --- entities ---------------------------------------------------------------------------------------


class EntityRow(EntityRef):
    aliases: dict[str, int]
    roles: dict[str, int]
    articles: int


class MergeOut(BaseModel):
    alias: str
    reason: str
    source: str


class EntityView(EntityRow):
    merges: list[MergeOut]
    coverage: Histogram
    events_total: int = Field(description="Events the entity took part in (as place or participant)")
    events_offset: int
    events_limit: int
    events: list[EventRow] = Field(description="One page of them, by date: see events_offset/events_limit")
    quotes: list[QuoteOut]


class EntitiesView(TableInfo):
    label: str | None
    q: str | None
    labels: list[str]
    rows: list[EntityRow]


# --- articles and search ----------------------------------------------------------------------------


class ArticleRow(ArticleRef):
    source: str
    dated: str = Field(description="stated, inferred, manual or none")
    duplicate_of: str | None
    words: int


class Highlight(BaseModel):
    start: int
    end: int
    text: str
    kind: str = Field(description="entity, timex or quote")
    detail: str | None = Field(None, description="Entity label, resolved date, or quote speaker")
    entity_id: str | None = None


class ArticleView(ArticleRow):
    title_method: str | None
    outlet_method: str | None
    outlet_as_read: str | None
    author: str | None
    language: str | None
    date_as_read: DateInfo | None = Field(description="The date the article stated, before any correction")
    date_inferred: DateInfo | None = Field(description="The date inferred from its text or the corpus")
    date_corrected: DateInfo | None = Field(description="The date a user set")
    text: str
    highlights: list[Highlight]
    entities: list[EntityRef]
    events: list[EventRef]
    duplicates: list[ArticleRef]
    original: ArticleRef | None


class ArticlesView(TableInfo):
    q: str | None
    outlet: str | None
    dated: str | None
    rows: list[ArticleRow]


class SearchHitOut(BaseModel):
    article: ArticleRef
    snippet: str
    rank: float


class SearchView(BaseModel):
    q: str
    outlet: str | None = Field(None, description="Only articles of this outlet")
    start: str | None = Field(None, description="Only articles published on or after this date")
    end: str | None = Field(None, description="Only articles published on or before this date")
    hits: list[SearchHitOut]


# --- corrections ------------------------------------------------------------------------------------


class DateCorrection(BaseModel):
    date: str | None = None
    clear: bool = False


class OutletCorrection(BaseModel):
    outlet: str | None = None
    clear: bool = False


class EntityCorrection(BaseModel):
    alias: str
    entity_id: str


class HideCorrection(BaseModel):
    date: str
    hidden: bool = True


class Done(BaseModel):
    ok: bool = True
    message: str


class StatusView(BaseModel):
    updating: bool = Field(
        description="A correction's follow-up or a rebuild is under way: views show the data from before it"
    )
    failure: str | None = Field(None, description="Why the last background update failed, if it did")
