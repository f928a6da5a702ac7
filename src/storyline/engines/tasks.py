"""The per-article work an engine ships to its workers, as functions of one batch.

Each takes everything it needs as arguments (the stage versions, the settings) and loads the spaCy
pipeline through :func:`storyline.stages.nlp.load_nlp`, which caches it per process: a worker loads it
once, at its first batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..analysis import ArticleAnalysis, TimeRef
from ..config import Settings
from ..model import Article, DateValue, ReadFailure

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..pipeline import StageStats

# Per article: its analysis, the content id it was made from, the publication date its text implies.
Analysed = tuple[ArticleAnalysis, str | None, DateValue | None]


def analyse_parsed(parsed: Iterable[tuple[Doc, Article]], versions: dict[str, str]) -> list[Analysed]:
    """Analyse parsed articles (see :func:`storyline.analyse.analyse_doc`)."""
    from ..analyse import analyse_doc

    analysed = []
    for doc, article in parsed:
        analysis, from_text = analyse_doc(article, doc, versions)
        analysed.append((analysis, article.content_id, from_text))
    return analysed


def analyse_articles(batch: list[Article], versions: dict[str, str]) -> list[Analysed]:
    """Parse and analyse a batch of articles."""
    from ..stages.nlp import load_nlp

    # The model the driver recorded in the versions, whatever this worker's environment says.
    nlp = load_nlp(versions["model"])
    docs = nlp.pipe((article.text for article in batch), batch_size=len(batch))
    return analyse_parsed(zip(docs, batch, strict=True), versions)


def time_refs_of(batch: list[tuple[str, DateValue | None]], model: str) -> list[list[TimeRef]]:
    """The time references of texts, each anchored on its date: re-anchoring an article the corpus dated
    whose stored analysis predates its time expressions (others are re-anchored without a parse, see
    :func:`storyline.analyse.infer_dates_from_corpus`)."""
    from ..stages.nlp import load_nlp
    from ..stages.timex import find_time_refs

    nlp = load_nlp(model)
    docs = nlp.pipe((text for text, _ in batch), batch_size=len(batch))
    return [find_time_refs(doc, anchor) for doc, (_, anchor) in zip(docs, batch, strict=True)]


def ingest_stages(
    batch: list[Article], settings: Settings
) -> tuple[list[Article | ReadFailure], dict[str, StageStats]]:
    """Ingest's per-article stages over a batch: per article, the article they made or the failure that
    stopped it; and the statistics of each stage over the batch."""
    from ..pipeline import per_article_stages, run_stages

    stages = per_article_stages(settings)
    stats: dict[str, StageStats] = {}
    return [run_stages(article, stages, stats) for article in batch], stats
