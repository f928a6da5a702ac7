"""What a user can correct, from the command line or the web app: one library function per correction.

Corrections are stored apart from computed results (``date_corrections``, ``outlet_corrections``,
``entity_overrides``, ``hidden_entries``), so a re-analysis never loses them, and each function brings the
computed results that depend on the correction up to date at once:

- a publication date set by hand re-anchors the article's relative dates ("on Monday") on it;
- an outlet set by hand changes which independent sources an event counts the next time it is built;
- an entity merge or split re-resolves the corpus's entities with every override applied last;
- a hidden timeline entry (keyed by its date, which survives a re-analysis) is left out of timelines.
"""

from __future__ import annotations

import re

from .datetools import parse_date
from .errors import StorylineError
from .model import Article, DateMethod, DateValue
from .store.base import EntityOverride, Store


class CorrectionError(StorylineError):
    """A correction that cannot be applied as given (a bad date, an unknown entity, an empty outlet)."""


_DATE_SHAPE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_MAX_OUTLET = 200


def parse_user_date(text: str) -> DateValue:
    """A date typed by a user: YYYY, YYYY-MM or YYYY-MM-DD, kept at the precision given."""
    text = text.strip()
    value = (
        parse_date(text, DateMethod.MANUAL, evidence="set by hand") if _DATE_SHAPE.fullmatch(text) else None
    )
    if value is None:
        raise CorrectionError(f"{text[:40]!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


def set_publication_date(
    store: Store, article_id: str, date: str | None, *, reanchor: bool = True
) -> Article:
    """Set an article's publication date by hand (``None`` removes the correction); it wins over any date
    found or inferred, and the article's relative dates are counted from it again (at once, or — with
    ``reanchor=False`` — when the caller runs :func:`reanchor_dates`, e.g. in the background)."""
    value = parse_user_date(date) if date is not None else None
    article = store.get_article(article_id)
    store.set_date_correction(article.id, value)
    if reanchor:
        reanchor_dates(store, article.id)
    return store.get_article(article.id)


def reanchor_dates(store: Store, article_id: str) -> None:
    """Count an analysed article's relative dates ("on Monday") from its publication date again."""
    if store.get_analysis(article_id) is not None:
        # Imported here: analysis needs the nlp extra, and only analysed articles need re-anchoring.
        from .analyse import analyse

        analyse(store, only={article_id})


def set_outlet(store: Store, article_id: str, outlet: str | None) -> Article:
    """Set the outlet that published an article (``None`` removes the correction)."""
    if outlet is not None:
        outlet = " ".join(outlet.split())
        if not outlet:
            raise CorrectionError("the outlet name is empty (to remove a correction, clear it)")
        if len(outlet) > _MAX_OUTLET:
            raise CorrectionError(f"the outlet name is longer than {_MAX_OUTLET} characters")
    article = store.get_article(article_id)
    store.set_outlet_correction(article.id, outlet)
    return store.get_article(article.id)


def _override(store: Store, override: EntityOverride, resolve: bool) -> None:
    if not override.alias.strip():
        raise CorrectionError("the name to merge or split is empty")
    known = {e.id for e in store.list_entities()}
    if override.entity_id not in known:
        raise CorrectionError(f"no entity with id {override.entity_id!r}; see `storyline entities`")
    store.add_entity_override(override)
    if resolve:
        resolve_entities(store)


def resolve_entities(store: Store) -> None:
    """Re-resolve the corpus's entities with every user override applied last."""
    from .analyse import resolve_corpus_entities

    resolve_corpus_entities(store)


def merge_entity(store: Store, alias: str, entity_id: str, *, resolve: bool = True) -> None:
    """Make every mention named ``alias`` count as the entity ``entity_id`` (kept across re-analyses);
    with ``resolve=False`` the caller runs :func:`resolve_entities` later (e.g. in the background)."""
    _override(store, EntityOverride("merge", alias.strip(), entity_id), resolve)


def split_entity(store: Store, alias: str, entity_id: str, *, resolve: bool = True) -> None:
    """Take the mentions named ``alias`` out of the entity ``entity_id`` (undo a wrong merge)."""
    _override(store, EntityOverride("split", alias.strip(), entity_id), resolve)


def hide_entry(store: Store, date: str, hidden: bool = True) -> None:
    """Hide (or show again) the timeline entry of a date, in every timeline built from this store."""
    date = date.strip()
    if parse_date(date, DateMethod.MANUAL) is None or not _DATE_SHAPE.fullmatch(date):
        raise CorrectionError(f"{date[:40]!r} is not an entry date (YYYY, YYYY-MM or YYYY-MM-DD)")
    store.set_entry_hidden(date, hidden)
