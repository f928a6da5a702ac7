"""The data of the article table, the article view and search."""

from __future__ import annotations

from ..errors import NotFoundError
from ..model import Article, DateValue
from ..store.base import Store
from .convert import (
    DATED_KINDS,
    FilterError,
    article_ref,
    article_row,
    blank,
    date_info,
    dated_kind,
    entity_ref,
    event_ref,
    matches_words,
)
from .models import ArticlesView, ArticleView, Highlight, SearchHitOut, SearchView
from .service import Snapshot, StoryService

SEARCH_LIMIT = 100


def filtered_articles(
    snap: Snapshot, q: str | None = None, outlet: str | None = None, dated: str | None = None
) -> list[Article]:
    """Articles whose title, outlet or source holds every word of ``q``, of an outlet, dated a way;
    by date, undated last (the full text is searched by /search)."""
    q, outlet, dated = blank(q), blank(outlet), blank(dated)
    if dated and dated not in DATED_KINDS:
        raise FilterError(f"dated={dated[:20]!r} is not one of {', '.join(DATED_KINDS)}")
    found = [
        a
        for a in snap.articles
        if (not outlet or a.outlet == outlet)
        and (not dated or dated_kind(a) == dated)
        and (not q or matches_words(q, a.title or "", a.outlet or "", a.source))
    ]
    return sorted(found, key=lambda a: (a.publication_date is None, _date_key(a.publication_date)))


def _date_key(value: DateValue | None) -> str:
    return value.value if value else ""


def articles_view(
    snap: Snapshot,
    q: str | None = None,
    outlet: str | None = None,
    dated: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> ArticlesView:
    found = filtered_articles(snap, q, outlet, dated)
    return ArticlesView(
        total=len(found),
        offset=offset,
        limit=limit,
        q=blank(q),
        outlet=blank(outlet),
        dated=blank(dated),
        rows=[article_row(a) for a in found[offset : offset + limit]],
    )


def article_view(snap: Snapshot, service: StoryService, article_id: str) -> ArticleView:
    with service.store() as store:
        article = store.get_article(article_id)  # fresh from the store: corrections show at once
        highlights, entity_ids = _highlights(store, article)
        corrected, inferred = store.dates_found_later().get(article.id, (None, None))
    bundle = snap.bundle
    as_read = article.extra.get("publication_date_as_read")
    stated = DateValue.from_dict(as_read) if isinstance(as_read, dict) else None
    if stated is None and article.publication_date is not None and dated_kind(article) == "stated":
        stated = article.publication_date
    duplicates = [
        snap.articles_by_id[d] for d in snap.duplicates.get(article.id, []) if d in snap.articles_by_id
    ]
    original = snap.articles_by_id.get(article.duplicate_of or "")
    events = [e for e in bundle.timeline.events if article.id in e.articles]
    outlet_as_read = article.extra.get("outlet_as_read")
    return ArticleView(
        **article_row(article).model_dump(),
        title_method=str(article.title_method) if article.title_method else None,
        outlet_method=str(article.outlet_method) if article.outlet_method else None,
        outlet_as_read=outlet_as_read if isinstance(outlet_as_read, str) else None,
        author=article.author,
        language=article.language,
        date_as_read=date_info(stated),
        date_inferred=date_info(inferred),
        date_corrected=date_info(corrected),
        text=article.text,
        highlights=highlights,
        entities=sorted(
            (entity_ref(bundle, e) for e in entity_ids), key=lambda e: (e.label, e.name.casefold())
        ),
        events=[event_ref(e) for e in events],
        duplicates=[article_ref(a) for a in duplicates],
        original=article_ref(original) if original else None,
    )


def _highlights(store: Store, article: Article) -> tuple[list[Highlight], set[str]]:
    analysis = store.get_analysis(article.id)
    if analysis is None:
        return [], set()
    entity_of = store.entity_of(article.id)
    spans = [
        Highlight(
            start=m.start,
            end=m.end,
            text=m.text,
            kind="entity",
            detail=f"{m.label}: {m.key}" + (f" ({m.role})" if m.role else ""),
            entity_id=entity_of.get(m.key),
        )
        for m in analysis.mentions
    ]
    spans += [
        Highlight(
            start=t.start,
            end=t.end,
            text=t.text,
            kind="timex",
            detail=(t.value + (f"/{t.end_value}" if t.end_value else "") + f" (from {t.anchor})")
            if t.value
            else "date not resolved",
        )
        for t in analysis.time_refs
    ]
    spans += [
        Highlight(
            start=q.start,
            end=q.end,
            text=q.text,
            kind="quote",
            detail=f"{q.kind} quote" + (f" by {q.speaker}" if q.speaker else ""),
        )
        for q in analysis.quotes
    ]
    spans.sort(key=lambda s: (s.start, -s.end))
    return spans, {s.entity_id for s in spans if s.entity_id}


def search_view(
    snap: Snapshot,
    service: StoryService,
    q: str,
    outlet: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> SearchView:
    """Full-text search (the store's query syntax; bad syntax raises StoreError with a hint), narrowed to
    an outlet and a publication-date range (YYYY[-MM[-DD]], compared at the precision given)."""
    outlet, start, end = (v.strip() or None if v else None for v in (outlet, start, end))
    filtered = bool(outlet or start or end)
    with service.store() as store:
        # Filters apply to the ranked hits, so look further down the ranking when there are some.
        hits = store.search(q, limit=SEARCH_LIMIT * (10 if filtered else 1))
        missing = [h.article_id for h in hits if h.article_id not in snap.articles_by_id]
        fresh = {a: store.get_article(a) for a in missing}
    out = []
    for hit in hits:
        article = snap.articles_by_id.get(hit.article_id) or fresh.get(hit.article_id)
        if article is None:
            raise NotFoundError(f"search found article {hit.article_id} but it is not stored")
        if filtered and not _search_match(article, outlet, start, end):
            continue
        out.append(SearchHitOut(article=article_ref(article), snippet=hit.snippet, rank=hit.rank))
        if len(out) == SEARCH_LIMIT:
            break
    return SearchView(q=q, outlet=outlet, start=start, end=end, hits=out)


def _search_match(article: Article, outlet: str | None, start: str | None, end: str | None) -> bool:
    if outlet and (article.outlet or "").casefold() != outlet.casefold():
        return False
    if start or end:
        date = article.publication_date.value if article.publication_date else None
        if date is None:
            return False
        if start and date[: len(start)] < start:
            return False
        if end and date[: len(end)] > end:
            return False
    return True
