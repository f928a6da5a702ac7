"""Events: group what the articles report into dated happenings with participants, places and sources.

::

    event mentions   every dated sentence of the articles, with its status ("reported", "past",
                     "planned") and participants: see event_mentions.py
    day clusters     mentions sorted by date; a mention joins the best open cluster whose dates stay within
                     WINDOW_DAYS of its own and which shares participants (weighted entity overlap) or says
                     the same thing (TF-IDF cosine); otherwise it starts a cluster. Mentions whose dates
                     are further apart than the window are never merged, so look-alike recurring events
                     (a yearly visit, a yearly inspection) stay apart however similar their words. A
                     planned and a reported mention only meet on the same day. Candidates come from an
                     index of names, words and articles, so cost grows with the corpus, not its square;
                     one merge pass then folds small clusters the reading order left apart.
    coarse mentions  month-precise dates, weeks and year-precise publication dates attach to the best
                     day cluster inside their span; the month-precise ones left over cluster by month
    events           date = the best supported day (a range when a report gives one); participants,
                     place, title, articles, sentences and quotes; independent sources = outlets, with
                     duplicates and syndicated copies counted with their original

Whole-article embeddings cannot tell the 2022, 2023 and 2024 visits of one minister apart, so dates and
participants come first; words only help join sentences of the same few days.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from itertools import count

from ..analysis import Entity
from ..model import Article, DatePrecision
from ..timeline import Event, SentenceRef
from .event_mentions import (
    REPORTED_DAYS,
    AnalysedArticle,
    EventMention,
    day_span,
    find_mentions,
    originals_of,
    source_key,
)

EVENTS_VERSION = "1"

WINDOW_DAYS = 3  # reports of one event date it within a few days of each other
JOIN_SCORE = 0.4
BACKGROUND_BONUS = 0.2  # background on the exact day of a reported event joins it at cosine 0.2
COARSE_BACKGROUND_BONUS = 0.1  # background naming only the month joins at 0.15 (with the news bonus)
INDEX_TERMS = 3  # a mention is found by its three most telling words
MAX_CANDIDATES = 200  # clusters looked at per name or word
SAME_ARTICLE_BONUS = 0.25
ENOUGH_SHARED = 2.5  # entity weight: two people and a place
TEXT_WEIGHT = 0.5
HEADLINE_LEAD = 2  # an article's sentences up to this number are its lead
HEADLINE_DAYS = 2  # a headline may come from an article published up to two days after the event
TRIP_BONUS = 0.15  # the same person at the same place a day apart: one visit (see _same_trip)

_WHITESPACE = re.compile(r"\s+")
_PARTICIPANT_LABELS = ("PERSON", "ORG", "GPE")
_PLACE_LABELS = ("GPE", "LOC", "FAC")


@dataclass(slots=True)
class EventCluster:
    serial: int = 0  # creation order: ties and indexes never depend on memory addresses
    mentions: list[EventMention] = field(default_factory=list)
    first_day: int = 0
    last_day: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    centroid: dict[int, float] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    norm2: float = 0.0  # squared length of the centroid, kept up to date

    def add(self, mention: EventMention) -> None:
        if not self.mentions:
            self.first_day = self.last_day = mention.first_day
        elif not mention.coarse:
            self.first_day = min(self.first_day, mention.first_day)
            self.last_day = max(self.last_day, mention.first_day)
        self.mentions.append(mention)
        for entity, weight in mention.entities.items():
            self.entities[_name_key(entity)] += weight
        for term, weight in mention.vector.items():
            old = self.centroid.get(term, 0.0)
            self.centroid[term] = old + weight
            self.norm2 += (old + weight) ** 2 - old * old
        self.statuses[mention.status] += 1


# -- clustering -----------------------------------------------------------------------------------------


def _name_key(entity_id: str) -> str:
    # "fac:selden-bridge" and "person:selden-bridge" are one name the tagger labelled twice.
    return entity_id.partition(":")[2] or entity_id


def _cosine(vector: Mapping[int, float], cluster: EventCluster) -> float:
    if not vector or not cluster.norm2:
        return 0.0
    centroid = cluster.centroid
    dot = sum(weight * centroid.get(term, 0.0) for term, weight in vector.items())
    return dot / cluster.norm2**0.5


def _score(mention: EventMention, cluster: EventCluster) -> float:
    total = sum(mention.entities.values())
    shared = sum(w for e, w in mention.entities.items() if _name_key(e) in cluster.entities)
    # Sharing two or three key participants is enough, however many others a long sentence names.
    entity_score = min(1.0, shared / min(total, ENOUGH_SHARED)) if total else 0.0
    return (1 - TEXT_WEIGHT) * entity_score + TEXT_WEIGHT * _cosine(mention.vector, cluster)


def _same_article_day(mentions: Sequence[EventMention], cluster: EventCluster) -> bool:
    days = {(m.item, m.first_day) for m in cluster.mentions}
    return any((m.item, m.first_day) in days for m in mentions)


def _compatible(mention: EventMention, cluster: EventCluster) -> bool:
    """Day mentions: within the window of every day of the cluster, and an exact day when one of them
    is planned and the other reported (what was announced for Friday is not what happened on Thursday)."""
    first = min(cluster.first_day, mention.first_day)
    last = max(cluster.last_day, mention.first_day)
    if last - first > WINDOW_DAYS:
        return False
    if mention.status in cluster.statuses:
        return True
    return cluster.first_day == cluster.last_day == mention.first_day


def _day_score(mention: EventMention, cluster: EventCluster) -> float:
    score = _score(mention, cluster)
    # An article's sentences about one day mostly tell one event.
    if _same_article_day([mention], cluster):
        score += SAME_ARTICLE_BONUS
    statuses = {mention.status, *cluster.statuses}
    if mention.status == "reported" and cluster.statuses.get("reported") and _same_trip(mention, cluster):
        score += TRIP_BONUS
    same_day = mention.first_day == cluster.first_day == cluster.last_day
    if same_day and "past" in statuses and len(statuses) > 1:
        # Background naming the exact day of a reported event ("the inspection on April 17, 2024"):
        # look-alike events do not share a day, so a few shared words are enough.
        score = max(score, _cosine(mention.vector, cluster) + BACKGROUND_BONUS)
    return score


def _same_trip(mention: EventMention, cluster: EventCluster) -> bool:
    """The same person at the same place on the next or previous day: one visit told day by day (talks
    on Monday, a meeting with the president on Tuesday), which the reports call one event."""
    if mention.first_day < cluster.first_day - 1 or mention.first_day > cluster.last_day + 1:
        return False
    shared = {e for e in mention.entities if _name_key(e) in cluster.entities}
    labels = {e.partition(":")[0] for e in shared}
    return "person" in labels and "gpe" in labels


def _index_keys(mention: EventMention, *, query: bool) -> list[tuple[str, object]]:
    """What could make a mention join a cluster: a shared name, one of its telling words, its article,
    or, for background and the news it may point at, the same day. A cluster sharing none of these
    cannot reach JOIN_SCORE, so only clusters found by them are scored."""
    terms = [t for t, _ in sorted(mention.vector.items(), key=lambda tw: (-tw[1], tw[0]))[:INDEX_TERMS]]
    keys: list[tuple[str, object]] = [
        *(("entity", _name_key(e)) for e in mention.entities),
        *(("term", t) for t in terms),
        ("article", mention.item),
    ]
    past = mention.status == "past"
    if query:
        keys.append(("background", mention.first_day))
        if past and mention.coarse and len(mention.value) == 7:
            keys.append(("month", mention.value))
        elif past:
            keys.append(("day", mention.first_day))
    else:
        keys.append(("day", mention.first_day))
        keys.append(("month", Date.fromordinal(mention.first_day).isoformat()[:7]))
        if past:
            keys.append(("background", mention.first_day))
    return keys


class _ClusterIndex:
    """Clusters by what could make a mention join them (a name, a word, an article, a day), and within
    that by day: a lookup reads only the clusters of the days it asks for, so its cost does not grow
    with the corpus (a name in every week's news costs no more than a name seen once)."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, object], dict[int, list[EventCluster]]] = defaultdict(dict)

    def add(self, cluster: EventCluster, mention: EventMention) -> None:
        for key in _index_keys(mention, query=False):
            listed = self._by_key[key].setdefault(mention.first_day, [])
            if not listed or listed[-1] is not cluster:
                listed.append(cluster)

    def candidates(self, mentions: Sequence[EventMention], first: int, last: int) -> list[EventCluster]:
        found: dict[int, EventCluster] = {}
        # A day cluster spans at most WINDOW_DAYS, so one that overlaps [first, last] has all its
        # mentions within WINDOW_DAYS of that span. Latest days first: a very common name looks at
        # MAX_CANDIDATES clusters of the span at most.
        days = range(last + WINDOW_DAYS, first - WINDOW_DAYS - 1, -1)
        for mention in mentions:
            for key in _index_keys(mention, query=True):
                by_day = self._by_key.get(key)
                if not by_day:
                    continue
                seen = 0
                for day in days:
                    listed = by_day.get(day)
                    if not listed:
                        continue
                    for cluster in reversed(listed):
                        if cluster.last_day >= first and cluster.first_day <= last:
                            found[cluster.serial] = cluster
                    seen += len(listed)
                    if seen >= MAX_CANDIDATES:
                        break
        return [found[serial] for serial in sorted(found)]


def _merge_pass(clusters: list[EventCluster]) -> list[EventCluster]:
    """Leader clustering depends on order: a sentence read before its event's best report may start a
    cluster of its own. One pass folds each small cluster into the best compatible one nearby."""
    index = _ClusterIndex()
    for cluster in clusters:
        for mention in cluster.mentions:
            index.add(cluster, mention)
    merged: set[int] = set()
    for small in sorted(clusters, key=lambda c: (len(c.mentions), c.first_day, c.serial)):
        if small.serial in merged:
            continue
        best, best_score = None, JOIN_SCORE
        window = (small.last_day - WINDOW_DAYS, small.first_day + WINDOW_DAYS)
        for other in index.candidates(small.mentions, *window):
            if other is small or other.serial in merged or len(other.mentions) < len(small.mentions):
                continue
            if not all(_compatible(m, other) for m in small.mentions):
                continue
            score = sum(_day_score(m, other) for m in small.mentions) / len(small.mentions)
            if score >= best_score:
                best, best_score = other, score
        if best is not None:
            for mention in small.mentions:
                best.add(mention)
                index.add(best, mention)
            merged.add(small.serial)
    return [c for c in clusters if c.serial not in merged]


def cluster_mentions(mentions: list[EventMention]) -> list[EventCluster]:
    """Leader clustering in date order over a sliding window, then one merge pass. Only clusters that
    share a name, a word or an article with a mention are scored, so the cost grows with the corpus,
    not with its square."""
    serials = count()
    day = sorted((m for m in mentions if not m.coarse), key=lambda m: (m.first_day, m.item, m.sentence))
    clusters: list[EventCluster] = []
    index = _ClusterIndex()
    for mention in day:
        best, best_score = None, JOIN_SCORE
        for cluster in index.candidates([mention], mention.first_day - WINDOW_DAYS, mention.first_day):
            if not _compatible(mention, cluster):
                continue
            score = _day_score(mention, cluster)
            if score >= best_score:
                best, best_score = cluster, score
        if best is None:
            best = EventCluster(serial=next(serials))
            clusters.append(best)
        best.add(mention)
        index.add(best, mention)
    clusters = _merge_pass(clusters)

    # Coarse mentions join a day cluster inside their span, or cluster by month among themselves.
    index = _ClusterIndex()
    for cluster in clusters:
        for mention in cluster.mentions:
            index.add(cluster, mention)
    by_month: dict[str, list[EventCluster]] = defaultdict(list)
    for mention in sorted((m for m in mentions if m.coarse), key=lambda m: (m.first_day, m.item, m.sentence)):
        best, best_score = None, JOIN_SCORE
        for cluster in index.candidates([mention], mention.first_day, mention.last_day):
            if cluster.first_day < mention.first_day or cluster.last_day > mention.last_day:
                continue
            score = _score(mention, cluster)
            if mention.status == "past":
                # "At last year's inspection, in April 2024": few words, no names, but a known month.
                score = max(score, _cosine(mention.vector, cluster) + COARSE_BACKGROUND_BONUS)
            # What a lead reports is news, not a plan; background points at what was news then.
            wanted = "reported" if mention.status in ("reported", "past") else mention.status
            score += 0.15 * (cluster.statuses.get(wanted, 0) > 0)
            if score >= best_score:
                best, best_score = cluster, score
        if best is not None:
            best.add(mention)
            continue
        if mention.precision != DatePrecision.MONTH or mention.value[4:5] != "-":
            continue  # a week or a year alone does not make an event
        candidates = by_month[mention.value]
        best = max(candidates, key=lambda c: _score(mention, c), default=None)
        if best is None or _score(mention, best) < JOIN_SCORE:
            best = EventCluster(serial=next(serials))
            candidates.append(best)
        best.add(mention)
    return clusters + [c for month in sorted(by_month) for c in by_month[month]]


# -- events ---------------------------------------------------------------------------------------------


def _title(text: str, limit: int = 110) -> str:
    text = _WHITESPACE.sub(" ", text).strip()
    text = text.strip(' "“”')
    if len(text) <= limit:
        return text.rstrip(".")
    cut = text[:limit]
    for mark in (", ", "; ", " — "):
        at = cut.rfind(mark)
        if at >= 50:
            return cut[:at] + " …"
    return cut[: cut.rfind(" ")] + " …"


def _published_day(article: Article) -> int | None:
    """The article's publication day as a proleptic ordinal, when known to the day."""
    published = article.publication_date
    span = day_span(published.day) if published is not None and published.day else None
    return span[0] if span else None


def _lead_events(clusters: list[EventCluster], items: Sequence[AnalysedArticle]) -> dict[int, int]:
    """Per article, the cluster its lead reports as news: the earliest of its sentences in any cluster,
    within its lead, and of that sentence's dates the one nearest its publication (a lead that says
    "rose on Tuesday, up from Sunday" is about Tuesday)."""
    best: dict[int, tuple[int, int, int]] = {}
    lead: dict[int, int] = {}
    for cluster in clusters:
        for m in cluster.mentions:
            day = _published_day(items[m.item].article)
            if m.sentence > HEADLINE_LEAD or m.status != "reported" or day is None:
                continue
            key = (m.sentence, abs(day - m.first_day), cluster.serial)
            if m.item not in best or key < best[m.item]:
                best[m.item], lead[m.item] = key, cluster.serial
    return lead


def _headline(cluster: EventCluster, items: Sequence[AnalysedArticle], lead: dict[int, int]) -> str | None:
    """The headline of an article that leads with this event as news, published on its day or just
    after: what its editors called it ("Lavrov visits China") says it better than any cut sentence. Of
    several, the one whose lead is closest to what all the reports say."""
    leads = []
    for m in cluster.mentions:
        article = items[m.item].article
        day = _published_day(article)
        if (
            lead.get(m.item) == cluster.serial
            and article.title
            and day is not None
            and cluster.first_day <= day <= cluster.last_day + HEADLINE_DAYS
        ):
            leads.append(m)
    if not leads:
        return None
    best = max(leads, key=lambda m: (_cosine(m.vector, cluster), -m.item))
    return _title(items[best.item].article.title or "")


def _event_from(
    cluster: EventCluster,
    items: Sequence[AnalysedArticle],
    entities: dict[str, Entity],
    originals: dict[str, Article],
    copies: dict[str, list[Article]],
    lead: dict[int, int],
) -> Event:
    mentions = cluster.mentions
    day_mentions = [m for m in mentions if not m.coarse]
    if day_mentions:
        support: dict[str, set[int]] = defaultdict(set)
        lag: dict[str, int] = defaultdict(int)  # days from the date to the reports that name it
        for m in day_mentions:
            support[m.value].add(m.item)
            day = _published_day(items[m.item].article)
            lag[m.value] += abs(day - m.first_day) if day is not None else REPORTED_DAYS
        # Of equally supported days, the news is the one nearest its reports: "the river rose on
        # Tuesday, up from Sunday" in Tuesday's paper is about Tuesday.
        value = min(support, key=lambda v: (-len(support[v]), lag[v] / len(support[v]), v))
        precision = DatePrecision.DAY
        ends = [m.end_value for m in day_mentions if m.value == value and m.end_value]
        end_date = max(ends) if ends else None
        days = sorted(support)
        if end_date is None and len(days) > 1 and all(len(support[d]) >= 2 for d in days):
            value, end_date = days[0], days[-1]
    else:
        value, precision, end_date = mentions[0].value, DatePrecision.MONTH, None

    statuses = {m.status for m in mentions}
    status = "reported" if "reported" in statuses else "past" if "past" in statuses else "planned"

    counts: Counter[str] = Counter()
    for m in mentions:
        for entity_id in m.entities:
            counts[entity_id] += 1
    participants = [
        e
        for e, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if entities.get(e) and entities[e].label in _PARTICIPANT_LABELS
    ]
    places = [
        e for e in participants + list(counts) if entities.get(e) and entities[e].label in _PLACE_LABELS
    ]
    place = min(places, key=lambda e: (-counts[e], e)) if places else None

    # The title comes from the sentence closest to what all of them say, preferring news over background.
    central = max(
        mentions,
        key=lambda m: (m.status == status, _cosine(m.vector, cluster), -m.sentence, -m.item),
    )
    article_ids: list[str] = []
    for m in sorted(mentions, key=lambda m: m.item):
        article = items[m.item].article
        for aid in [article.id, *(c.id for c in copies.get(article.id, ()))]:
            if aid not in article_ids:
                article_ids.append(aid)
    by_id = originals
    outlets = sorted({by_id[a].outlet for a in article_ids if by_id[a].outlet})
    sources = {source_key(by_id[a], originals) for a in article_ids}

    seen: set[tuple[str, int]] = set()
    sentences: list[SentenceRef] = []
    quotes: list[tuple[str, int, int]] = []
    for m in sorted(mentions, key=lambda m: (m.item, m.sentence)):
        item = items[m.item]
        if (item.article.id, m.sentence) in seen:
            continue
        seen.add((item.article.id, m.sentence))
        sentences.append(SentenceRef(item.article.id, m.start, m.end, m.text))
        quotes.extend(
            (item.article.id, q.start, q.end) for q in item.analysis.quotes if q.sentence == m.sentence
        )

    digest = hashlib.sha256(
        "|".join([value, *sorted(f"{s.article_id}:{s.start}" for s in sentences)]).encode()
    ).hexdigest()[:12]
    return Event(
        id=f"event:{value}:{digest}",
        date=value,
        date_precision=precision,
        title=_headline(cluster, items, lead) or _title(central.text),
        status=status,
        end_date=end_date,
        place=place,
        participants=participants,
        articles=article_ids,
        sentences=sentences,
        quotes=quotes,
        outlets=outlets,
        independent_sources=len(sources),
    )


def extract_events(items: Sequence[AnalysedArticle], entities: dict[str, Entity]) -> list[Event]:
    """Group the dated sentences of the articles into events, in date order.

    ``items`` may hold duplicates (``duplicate_of`` set): they add their article and outlet to the
    events of their original but no sentences, and never an independent source.
    """
    events, _ = extract_events_with_mentions(items, entities)
    return events


def extract_events_with_mentions(
    items: Sequence[AnalysedArticle], entities: dict[str, Entity]
) -> tuple[list[Event], dict[str, list[EventMention]]]:
    """:func:`extract_events`, also returning each event's mentions (the timeline ranks with them)."""
    originals = originals_of(items)
    copies: dict[str, list[Article]] = defaultdict(list)
    for item in items:
        if item.article.duplicate_of:
            copies[item.article.duplicate_of].append(item.article)
    mentions = find_mentions(items, entities)
    events: list[Event] = []
    members: dict[str, list[EventMention]] = {}
    clusters = cluster_mentions(mentions)
    lead = _lead_events(clusters, items)
    for cluster in clusters:
        event = _event_from(cluster, items, entities, originals, copies, lead)
        events.append(event)
        members[event.id] = cluster.mentions
    events.sort(key=lambda e: (e.date, e.id))
    return events, members
