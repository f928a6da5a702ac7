"""The analyse run: understand every stored article, then resolve what needs the whole corpus.

::

    per article (only those whose text, stage versions or date anchor changed since the last run):
        parse (spaCy, batched) -> mentions -> time references (anchored on the publication date)
          -> quotes -> publication date from the text, when the article states none
        written in batches, one transaction each: an interrupted run resumes where it stopped
    corpus:
        publication dates from other articles -> time references re-anchored for those articles
        entities canonical across the corpus (user overrides applied last)

Nothing here is specific to one engine: the per-article part is a function of one article.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .analysis import ArticleAnalysis, Sentence
from .model import Article, DateMethod, DateValue
from .store.base import Store

if TYPE_CHECKING:
    from spacy.tokens import Doc


class AnalyseProgress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, done: int) -> None: ...


@dataclass(slots=True)
class AnalyseReport:
    counts: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)


def stage_versions() -> dict[str, str]:
    from .stages.entities import ENTITIES_VERSION
    from .stages.nlp import model_name
    from .stages.pubdate import PUBDATE_VERSION
    from .stages.quotes import QUOTES_VERSION
    from .stages.timex import TIMEX_VERSION

    return {
        "model": model_name(),
        "entities": ENTITIES_VERSION,
        "timex": TIMEX_VERSION,
        "quotes": QUOTES_VERSION,
        "pubdate": PUBDATE_VERSION,
    }


def anchor_key(date: DateValue | None) -> str:
    """What the time references of an article were counted from; a change means: redo them."""
    return f"{date.value}/{date.method}" if date else "-"


def analyse_doc(
    article: Article, doc: Doc, versions: dict[str, str]
) -> tuple[ArticleAnalysis, DateValue | None]:
    """Per-article analysis of one parsed article; also the publication date its text implies, if it
    states none itself."""
    from .stages.entities import find_mentions
    from .stages.pubdate import infer_from_text
    from .stages.quotes import find_quotes
    from .stages.timex import find_time_refs

    inferred: DateValue | None = None
    anchor = article.publication_date
    if anchor is None or anchor.inferred:
        inferred = infer_from_text(article.evolve(publication_date=None), doc)
        anchor = inferred or anchor
    mentions = find_mentions(doc)
    analysis = ArticleAnalysis(
        article_id=article.id,
        sentences=[Sentence(s.start_char, s.end_char) for s in doc.sents],
        mentions=mentions,
        time_refs=find_time_refs(doc, anchor),
        quotes=find_quotes(doc, mentions),
        versions={**versions, "anchor": anchor_key(anchor)},
    )
    return analysis, inferred


def _needs_analysis(
    article: Article, state: dict[str, tuple[str | None, dict[str, str]]], versions: dict[str, str]
) -> bool:
    done = state.get(article.id)
    if done is None:
        return True
    content_id, done_versions = done
    if content_id != article.content_id or any(done_versions.get(k) != v for k, v in versions.items()):
        return True
    # A stated or corrected date that differs from the anchor used means the time references are stale.
    date = article.publication_date
    if date is not None and not date.inferred:
        return done_versions.get("anchor") != anchor_key(date)
    return False


def _batches(articles: Sequence[Article], size: int) -> Iterator[Sequence[Article]]:
    for start in range(0, len(articles), size):
        yield articles[start : start + size]


def analyse(
    store: Store,
    *,
    progress: AnalyseProgress | None = None,
    n_process: int = 1,
    batch_size: int = 50,
    only: set[str] | None = None,
) -> AnalyseReport:
    """Analyse what changed since the last run, then rerun the corpus stages. ``only`` limits the
    per-article part to some article ids (the corpus stages always see everything)."""
    from .stages.nlp import load_nlp

    report = AnalyseReport()
    versions = stage_versions()
    state = store.analysis_state()
    todo = [
        a
        for a in store.iter_articles()
        if (only is None or a.id in only) and (_needs_analysis(a, state, versions) or (only and a.id in only))
    ]
    report.counts["articles"] = store.count_articles()
    report.counts["analysed"] = len(todo)
    if progress:
        progress.start(len(todo))
    started = time.perf_counter()
    if todo:
        nlp = load_nlp()
        done = 0
        for batch in _batches(todo, batch_size):
            results: list[tuple[ArticleAnalysis, str | None]] = []
            inferred: dict[str, DateValue | None] = {}
            docs = nlp.pipe(((a.text, a) for a in batch), as_tuples=True, batch_size=16, n_process=n_process)
            for doc, article in docs:
                analysis, from_text = analyse_doc(article, doc, versions)
                results.append((analysis, article.content_id))
                inferred[article.id] = from_text
            store.write_analyses(results, inferred)
            done += len(batch)
            if progress:
                progress.advance(done)
    report.seconds["per-article"] = time.perf_counter() - started

    started = time.perf_counter()
    report.counts["dated-by-corpus"] = infer_dates_from_corpus(store, versions)
    report.seconds["corpus-dates"] = time.perf_counter() - started

    started = time.perf_counter()
    report.counts["entities"] = resolve_corpus_entities(store)
    report.seconds["entities"] = time.perf_counter() - started
    return report


def infer_dates_from_corpus(store: Store, versions: dict[str, str]) -> int:
    """Date the articles still undated from other articles, then re-anchor their time references."""
    from .stages.nlp import load_nlp
    from .stages.pubdate import infer_from_corpus
    from .stages.timex import find_time_refs

    items = []
    by_id: dict[str, Article] = {}
    for article in store.iter_articles():
        analysis = store.get_analysis(article.id)
        if analysis is None:
            continue
        by_id[article.id] = article
        keys = {m.key for m in analysis.mentions}
        items.append((article, analysis.time_refs, keys))
    found = infer_from_corpus(items)
    found = {
        aid: value for aid, value in found.items() if aid in by_id and _corpus_date_wins(by_id[aid], value)
    }
    if not found:
        return 0
    store.set_inferred_dates(found)
    nlp = load_nlp()
    for aid, value in found.items():
        doc = nlp(by_id[aid].text)
        store.replace_time_refs(aid, find_time_refs(doc, value))
    return len(found)


_PRECISION_RANK = {"year": 0, "month": 1, "day": 2, "minute": 3}


def _corpus_date_wins(article: Article, found: DateValue) -> bool:
    """A corpus date replaces no stated or corrected date; it replaces a date inferred from the text only
    when it is more precise and agrees with it ("2024" from the text, "2024-04-09" from the corpus)."""
    current = article.publication_date
    if current is None or current.method == DateMethod.CORPUS:
        return True
    if current.method != DateMethod.TEXT:
        return False
    more_precise = _PRECISION_RANK[found.precision] > _PRECISION_RANK[current.precision]
    return more_precise and found.value.startswith(current.value)


def resolve_corpus_entities(store: Store) -> int:
    from .stages.resolve import resolve_entities

    per_article = []
    for article_id in _analysed_ids(store):
        analysis = store.get_analysis(article_id)
        if analysis is not None:
            per_article.append((article_id, analysis.mentions))
    entities, mapping = resolve_entities(per_article, store.entity_overrides())
    store.replace_entities(entities, mapping)
    return len(entities)


def _analysed_ids(store: Store) -> list[str]:
    state = store.analysis_state()
    return [a.id for a in store.iter_articles() if a.id in state]
