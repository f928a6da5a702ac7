"""The analyse run: understand every stored article, then resolve what needs the whole corpus.

::

    per article (only those whose text, stage versions or date anchor changed since the last run):
        parse (spaCy, batched) -> mentions -> time references (anchored on the publication date)
          -> quotes -> publication date from the text, when the article states none
        written in batches, one transaction each: an interrupted run resumes where it stopped
        run on an engine: here, in local worker processes, or on Ray workers (storyline.engines)
    corpus:
        publication dates from other articles -> time references re-anchored for those articles
          (from the expressions stored with each analysis: no parse; an analysis made before they were
          stored is parsed again, on the same engine)
        entities canonical across the corpus (user overrides applied last)

Nothing here is specific to one engine: the per-article part is a function of one article.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol

from .analysis import ArticleAnalysis
from .model import Article, DateMethod, DateValue
from .store.base import Store

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .engines import Engine


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
    from .stages.nlp import doc_text
    from .stages.pubdate import infer_from_text
    from .stages.quotes import find_quotes
    from .stages.timex import anchor_expressions, iter_expressions, sentences_of, time_expressions

    # Found once: the publication date from the text reads them, the analysis keeps them.
    found = list(iter_expressions(doc))
    inferred: DateValue | None = None
    anchor = article.publication_date
    if anchor is None or anchor.inferred:
        inferred = infer_from_text(article.evolve(publication_date=None), doc, expressions=found)
        anchor = inferred or anchor
    mentions = find_mentions(doc)
    sentences = sentences_of(doc)
    # find_time_refs in two steps, the expressions kept: the corpus stage re-anchors them without a parse.
    expressions = time_expressions(doc, found)
    analysis = ArticleAnalysis(
        article_id=article.id,
        sentences=sentences,
        mentions=mentions,
        time_refs=anchor_expressions(expressions, doc_text(doc), sentences, anchor),
        quotes=find_quotes(doc, mentions),
        versions={**versions, "anchor": anchor_key(anchor)},
        time_exprs=expressions,
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


def _analysed_batches(
    articles: Iterable[Article], count: int, versions: dict[str, str], engine: Engine, batch_size: int
) -> Iterator[list[tuple[ArticleAnalysis, str | None, DateValue | None]]]:
    """Per batch of articles, in order: each one's analysis, content id and date found in its text. The
    engine parses and analyses (locally with several processes: in worker processes that send back only
    the analyses, as a parsed document costs more to send than the analysis made of it)."""
    from .engines import batched
    from .engines.tasks import analyse_articles

    if not count:
        return  # no model to load, no workers to start
    analysed = engine.map_items(partial(analyse_articles, versions=versions), articles, count)
    yield from batched(analysed, batch_size)


def analyse(
    store: Store,
    *,
    progress: AnalyseProgress | None = None,
    n_process: int = 1,
    batch_size: int = 50,
    only: set[str] | None = None,
    engine: Engine | None = None,
) -> AnalyseReport:
    """Analyse what changed since the last run, then rerun the corpus stages. ``only`` limits the
    per-article part to some article ids (the corpus stages always see everything). The per-article part
    runs on ``engine`` (default: this process, spaCy parsing with ``n_process`` processes)."""
    from .engines.local import LocalEngine

    engine = engine or LocalEngine(n_process)
    report = AnalyseReport()
    versions = stage_versions()
    state = store.analysis_state()
    # Ids only: the articles themselves are read again batch by batch, never all held at once.
    todo = [
        a.id
        for a in store.iter_articles(slim=True)
        if (only is None or a.id in only) and (_needs_analysis(a, state, versions) or (only and a.id in only))
    ]
    report.counts["articles"] = store.count_articles()
    report.counts["analysed"] = len(todo)
    if progress:
        progress.start(len(todo))
    started = time.perf_counter()
    done = 0
    articles = (store.get_article(aid) for aid in todo)
    # closing: an error while writing stops the engine's workers (spaCy's processes, Ray's queue) at once.
    with closing(_analysed_batches(articles, len(todo), versions, engine, batch_size)) as batches:
        for analysed in batches:
            results = [(analysis, content_id) for analysis, content_id, _ in analysed]
            store.write_analyses(results, {analysis.article_id: date for analysis, _, date in analysed})
            done += len(analysed)
            if progress:
                progress.advance(done)
    report.seconds["per-article"] = time.perf_counter() - started

    started = time.perf_counter()
    report.counts["dated-by-corpus"] = infer_dates_from_corpus(store, versions, engine)
    report.seconds["corpus-dates"] = time.perf_counter() - started

    started = time.perf_counter()
    report.counts["entities"] = resolve_corpus_entities(store)
    report.seconds["entities"] = time.perf_counter() - started
    return report


def infer_dates_from_corpus(store: Store, versions: dict[str, str], engine: Engine | None = None) -> int:
    """Date the articles still undated from other articles, then re-anchor the time references of those
    whose date changed; returns how many articles the corpus dates.

    Every run starts from the articles as they were before any corpus date (stated, corrected and
    text-inferred dates only) and redoes the stage over the whole corpus, so adding articles gives the
    same dates as building everything at once; only what changed is written and re-anchored (from the
    stored expressions; an analysis without them is parsed again on ``engine``, default: this process).
    """
    from .stages.pubdate import CorpusArticle, infer_from_corpus

    previous = {
        a.id: a.publication_date
        for a in store.iter_articles(slim=True)
        if a.publication_date is not None and a.publication_date.method == DateMethod.CORPUS
    }
    items = []
    by_id: dict[str, Article] = {}
    # Slim: the stage never reads an article's raw text (often a whole page), and never stores an article.
    for article in store.iter_articles(corpus_dates=False, slim=True):
        analysis = store.get_analysis(article.id, expressions=False)
        if analysis is None:
            continue
        by_id[article.id] = article
        keys = {m.key for m in analysis.mentions}
        # Sentences and mentions let the corpus stage match the sentences that tell the same event: only
        # those of the sentences with a time reference are read (the others are None), nothing else held.
        told = {ref.sentence for ref in analysis.time_refs}
        sentences = [s if n in told else None for n, s in enumerate(analysis.sentences)]
        mentions = [m for m in analysis.mentions if m.sentence in told]
        items.append(CorpusArticle(article, analysis.time_refs, keys, sentences, mentions))
    found = infer_from_corpus(items)
    found = {
        aid: value for aid, value in found.items() if aid in by_id and _corpus_date_wins(by_id[aid], value)
    }
    changes: dict[str, DateValue | None] = {aid: v for aid, v in found.items() if previous.get(aid) != v}
    changes.update({aid: None for aid in previous if aid not in found and aid in by_id})
    if changes:
        # A date no longer found: back to the article's own.
        anchors = {aid: value or by_id[aid].publication_date for aid, value in changes.items()}
        _reanchor(store, anchors, by_id, versions, engine)
        # Last: a run killed before this finds the same changes again and redoes the above.
        store.set_corpus_dates(changes)
    return len(found)


def _reanchor(
    store: Store,
    anchors: dict[str, DateValue | None],
    by_id: dict[str, Article],
    versions: dict[str, str],
    engine: Engine | None,
) -> None:
    """Replace the time references of some articles by those anchored on a new date: from the
    expressions stored with the analysis (no parse), or, for an analysis that has none this code can
    use, from a new parse on ``engine`` (default: in this process)."""
    from .engines.local import LocalEngine
    from .engines.tasks import time_refs_of
    from .stages.timex import anchor_expressions

    reparse: list[str] = []
    for aid, anchor in anchors.items():
        analysis = store.get_analysis(aid)
        if analysis is None or not _has_current_expressions(analysis, versions):
            reparse.append(aid)
            continue
        text = by_id[aid].text
        store.replace_time_refs(
            aid, anchor_expressions(analysis.time_exprs or [], text, analysis.sentences, anchor)
        )
    if reparse:
        texts = ((by_id[aid].text, anchors[aid]) for aid in reparse)
        task = partial(time_refs_of, model=versions["model"])
        refs = (engine or LocalEngine(1)).map_items(task, texts, len(reparse))
        for aid, found_refs in zip(reparse, refs, strict=True):
            store.replace_time_refs(aid, found_refs)


def _has_current_expressions(analysis: ArticleAnalysis, versions: dict[str, str]) -> bool:
    """Whether the stored expressions are what a parse would find now: recorded (not an analysis older
    than them) by the same spaCy model and time-expression finder as this run's."""
    return analysis.time_exprs is not None and all(
        analysis.versions.get(stage) == versions.get(stage) for stage in ("model", "timex")
    )


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
    return [a.id for a in store.iter_articles(slim=True) if a.id in state]
