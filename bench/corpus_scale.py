"""How the corpus stages' cost grows with the corpus, on generated corpora of up to 100,000 articles.

Per-article NLP (spaCy) runs at about 8 articles/s here (2 processes), far too slow for 100,000 articles, so
this benchmark makes the per-article analyses itself: it generates a news corpus (a few hundred people,
places and organisations; events over two years, each reported by 1-10 articles of 30 outlets in varied
wording, with relative and absolute dates, background and plans, quotes; exact and near duplicates;
undated articles for the corpus-date stage), ingests it with the real ingest (read, clean, fingerprint,
dedup, store), then writes each article's analysis (sentences, mentions, time references resolved by
``timex.resolve``, quotes) through ``Store.write_analyses`` as ``storyline analyse`` does, from the stored
cleaned text (a lookup of the known names and date phrases instead of spaCy; the date phrases kept as
time expressions and anchored by ``timex.anchor_expressions``, as ``analyse_doc`` does). Then it times every
corpus stage exactly as the product calls it:

    corpus dates   analyse.infer_dates_from_corpus, the re-anchoring of the articles it dates included: from
                   the time expressions stored with each analysis, no parse (timex.anchor_expressions;
                   printed apart: "reanchored", "reanchor_s"; "reparsed" must be 0)
    entities       analyse.resolve_corpus_entities
    load           build.load_analysed as `storyline build` calls it: every analysed article as a digest
                   (the head of its text, its dated sentences and what they say), in memory
    events         stages.events.extract_events
    timeline       stages.summarise.build_timeline (default options)

Each size runs in two fresh processes (ingest + analysis writing; then the corpus stages), one after the
other, so peak memory is the stage's own: before each stage the process's resident high-water mark is
reset (``/proc/self/clear_refs``) and read after it (``VmHWM``); "rise" is that peak minus the resident
memory when the stage started. CPU seconds are user + system (``resource.getrusage``).

    .venv/bin/python bench/corpus_scale.py --sizes 1000 10000 --work /tmp/scale           # debug sizes
    .venv/bin/python bench/corpus_scale.py --sizes 10000 30000 100000 --work /tmp/scale   # the issue's
    .venv/bin/python bench/corpus_scale.py --sizes 100000 --work /tmp/scale --reuse        # keep the DB

The growth exponent between two sizes is log(t2/t1)/log(n2/n1) of the CPU seconds (less disturbed than wall
seconds by other processes on the machine): 1 is linear, 2 quadratic.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import json
import math
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEED = 20261124
START = dt.date(2024, 1, 1)
SPAN_DAYS = 730
ARTICLES_PER_FILE = 5000
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBERS = ["two", "three", "four", "five"]

# -- vocabulary ---------------------------------------------------------------------------------------

# fmt: off
_SYLLABLES = [
    "ka", "lo", "ren", "vi", "mar", "tes", "dor", "an", "bel", "cor", "dan", "el", "fen", "gar", "hal",
    "ir", "jon", "kel", "lin", "mor", "nor", "os", "pel", "quin", "ras", "sel", "tor", "ul", "ven",
    "wil", "yar", "zen", "bra", "sto", "gri", "ta", "mi", "sa", "ve", "ro", "du",
]
# fmt: on
_ROLES = [
    "Foreign Minister",
    "Prime Minister",
    "President",
    "Defence Minister",
    "Trade Minister",
    "Governor",
    "Mayor",
    "Energy Minister",
    "Finance Minister",
    "Health Minister",
]  # fmt: skip
_ORG_KINDS = [
    "Trade Council", "Energy Agency", "Development Bank", "Workers Union", "Maritime Authority",
    "Grain Board", "Health Service", "Rail Company", "Water Commission", "Mining Corporation",
]  # fmt: skip
_OUTLET_KINDS = ["Wire", "Times", "Post", "Herald", "Ledger", "Observer", "Tribune", "Courier", "Gazette"]
_TOPICS = {
    "talks": "trade tariffs pipeline border security investment grain shipping sanctions visas",
    "visit": "delegation factory port hospital university railway harbour ceremony memorial embassy",
    "summit": "summit declaration communique agenda climate debt energy migration fisheries",
    "agreement": "agreement treaty accord memorandum loan contract licence quota corridor tariff",
    "flood": "floods rainfall river levee evacuation shelters damage rescue dam residents",
    "strike": "strike workers wages pickets shifts management union contract overtime pensions",
    "election": "election ballots turnout candidates coalition parliament polls seats runoff campaign",
    "inspection": "inspection inspectors reactor plant safety audit findings violations report licence",
}
_LEADS = {
    "talks": [
        "{p1} held talks with {p2} in {place} {when}",
        "{p1} and {p2} met in {place} {when} to discuss {topic}",
        "Talks between {p1} and {p2} on {topic} took place in {place} {when}",
    ],
    "visit": [
        "{p1} arrived in {place} {when} for a visit focused on {topic}",
        "{p1} visited {place} {when}, touring a {topic} site",
        "{p1} began a visit to {place} {when}",
    ],
    "summit": [
        "Leaders met in {place} {when} for a summit of the {org}",
        "The {org} summit opened in {place} {when} with {p1} in attendance",
        "{p1} joined a summit of the {org} in {place} {when}",
    ],
    "agreement": [
        "{p1} and {p2} signed an agreement on {topic} in {place} {when}",
        "An accord on {topic} was signed by {p1} and {p2} in {place} {when}",
        "{p1} signed a {topic} deal with {p2} in {place} {when}",
    ],
    "flood": [
        "Floods struck {place} {when}, and {p1} visited the worst-hit districts",
        "Heavy rain flooded parts of {place} {when}, forcing residents from their homes",
        "{p1} toured flooded areas of {place} {when}",
    ],
    "strike": [
        "Workers of the {org} went on strike in {place} {when}",
        "A strike by staff of the {org} halted work in {place} {when}",
        "Members of the {org} walked out in {place} {when} over {topic}",
    ],
    "election": [
        "Voters in {place} went to the polls {when}",
        "{place} held an election {when}, with {p1} among the candidates",
        "Polls opened across {place} {when} in a vote watched by the {org}",
    ],
    "inspection": [
        "Inspectors of the {org} visited a {topic} plant in {place} {when}",
        "The {org} inspected facilities in {place} {when}",
        "An inspection team from the {org} arrived in {place} {when}",
    ],
}
# fmt: off
_GENERIC = [
    "officials", "residents", "analysts", "markets", "prices", "budget", "reform", "committee",
    "council", "ministry", "report", "plan", "programme", "policy", "figures", "growth", "exports",
    "imports", "region", "country", "capital", "province", "district", "city", "village", "company",
    "companies", "industry", "sector", "jobs", "families", "schools", "roads", "bridges", "power",
    "fuel", "water", "food", "farmers", "banks", "lenders", "investors", "critics", "supporters",
    "opposition", "lawmakers", "judges", "courts", "police", "army", "navy", "observers", "experts",
    "diplomats", "envoys", "negotiators", "statement", "proposal", "demands", "concerns", "questions",
    "talks", "deadline", "weeks", "months", "decades", "history", "tradition", "dispute", "conflict",
    "partnership", "cooperation", "support", "funding", "costs", "revenue", "deficit", "inflation",
    "currency", "bonds", "stocks", "shares", "output", "production", "supply", "demand",
]
_VERBS = [
    "welcomed", "criticised", "questioned", "supported", "rejected", "announced", "discussed",
    "reviewed", "approved", "delayed", "expanded", "reduced", "raised", "cut", "doubled", "praised",
    "warned", "noted", "stressed",
]
_ADJECTIVES = [
    "constructive", "difficult", "productive", "frank", "lengthy", "cordial", "tense", "useful", "open",
    "detailed",
]
# fmt: on


def _name(rng: random.Random, parts: int, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()
        if name not in used and len(name) > 3:
            used.add(name)
            return name


@dataclass(slots=True)
class Person:
    first: str
    last: str
    role: str
    variant: str | None = None  # a transliterated first name some outlets use

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(slots=True)
class Vocabulary:
    people: list[Person]
    places: list[str]
    orgs: list[tuple[str, str]]  # full name, acronym
    outlets: list[str]


def vocabulary() -> Vocabulary:
    """The same names at every size: a bigger corpus reports more events about the same people."""
    rng = random.Random(SEED)
    used: set[str] = set()
    firsts = [_name(rng, 2, used) for _ in range(80)]
    people = []
    for _ in range(300):
        person = Person(rng.choice(firsts), _name(rng, rng.choice((2, 3)), used), rng.choice(_ROLES))
        if rng.random() < 0.08:
            folded = person.first.replace("k", "kh", 1) if "k" in person.first else person.first + "y"
            person.variant = folded
        people.append(person)
    # A few shared surnames: a bare surname is then ambiguous, as in real corpora.
    for i in range(0, 20, 2):
        people[i + 1].last = people[i].last
    places = [_name(rng, rng.choice((2, 3)), used) for _ in range(140)]
    orgs = []
    for _ in range(80):
        full = f"{_name(rng, 2, used)} {rng.choice(_ORG_KINDS)}"
        orgs.append((full, "".join(w[0] for w in full.split())))
    outlets = [f"The {_name(rng, 2, used)} {rng.choice(_OUTLET_KINDS)}" for _ in range(30)]
    return Vocabulary(people, places, orgs, outlets)


# -- corpus generation ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Event:
    kind: str
    day: dt.date
    people: list[Person]
    place: str
    org: tuple[str, str]
    topic: list[str]
    reports: int


def _events(size: int, vocab: Vocabulary, rng: random.Random) -> Iterator[_Event]:
    """Events in date order until their reports make ``size`` articles (1-10 each, about 2.7 on average)."""
    total, day_events = 0, []
    count = max(1, round(size / 2.7))
    for _ in range(count):
        kind = rng.choice(list(_TOPICS))
        day = START + dt.timedelta(days=rng.randrange(SPAN_DAYS))
        people = rng.sample(vocab.people[:60], 1) if rng.random() < 0.5 else rng.sample(vocab.people, 1)
        people.append(rng.choice(vocab.people))
        words = _TOPICS[kind].split()
        reports = min(10, max(1, int(rng.paretovariate(1.1))))
        day_events.append(
            _Event(kind, day, people, rng.choice(vocab.places), rng.choice(vocab.orgs), words, reports)
        )
    day_events.sort(key=lambda e: e.day)
    for event in day_events:
        if total >= size:
            return
        total += event.reports
        yield event
    while total < size:  # top up with single reports
        event = day_events[rng.randrange(len(day_events))]
        total += 1
        yield _Event(event.kind, event.day, event.people, event.place, event.org, event.topic, 1)


def _date_phrase(event_day: dt.date, published: dt.date, rng: random.Random, absolute: bool) -> str:
    lag = (published - event_day).days
    long = f"on {MONTHS[event_day.month - 1]} {event_day.day}, {event_day.year}"
    short = f"on {MONTHS[event_day.month - 1]} {event_day.day}"
    weekday = f"on {WEEKDAYS[event_day.weekday()]}"
    if absolute:
        return long
    if lag == 0:
        return rng.choice(["today", weekday, short, long, ""])
    if lag == 1:
        return rng.choice(["yesterday", weekday, weekday, short, long, ""])
    return rng.choice([weekday, short, long, f"{NUMBERS[min(lag, 5) - 2]} days ago"])


def _person(p: Person, outlet_index: int, full: bool) -> str:
    first = p.variant if p.variant and outlet_index % 3 == 0 else p.first
    return f"{first} {p.last}" if full else p.last


def _filler(rng: random.Random, event: _Event, vocab: Vocabulary) -> str:
    words = [rng.choice(event.topic), rng.choice(_GENERIC), rng.choice(_GENERIC)]
    templates = [
        "The {0} {1} {v} the {2} after months of {3}.",
        "Local {1} said the {0} would affect {2} across the {3}.",
        "{P} {v} plans for the {0} and the {2}, citing the {1}.",
        "Observers in {pl} {v} the {0} as a test of the {1}.",
        "The {o} {v} its {0} figures, which showed {2} in the {1}.",
    ]
    return rng.choice(templates).format(
        words[0],
        words[1],
        words[2],
        rng.choice(_GENERIC),
        v=rng.choice(_VERBS),
        P=rng.choice(_GENERIC).capitalize(),
        pl=rng.choice(vocab.places),
        o=rng.choice(vocab.orgs)[0],
    )


def _article(
    event: _Event, report: int, vocab: Vocabulary, rng: random.Random, undated: bool
) -> dict[str, Any]:
    outlet_index = rng.randrange(len(vocab.outlets))
    outlet = vocab.outlets[outlet_index]
    lag = rng.choices([0, 1, 2, 3], weights=[40, 40, 15, 5])[0]
    published = event.day + dt.timedelta(days=lag)
    p1, p2 = event.people
    topic = rng.choice(event.topic)
    when = _date_phrase(event.day, published, rng, absolute=False)
    lead_template = rng.choice(_LEADS[event.kind])
    lead = lead_template.format(
        p1=f"{p1.role} {_person(p1, outlet_index, True)}",
        p2=_person(p2, outlet_index, True),
        place=event.place,
        org=event.org[0],
        topic=topic,
        when=when,
    )
    lead = " ".join(lead.split()) + "."
    sentences = [lead[0].upper() + lead[1:]]
    quote_words = " ".join(rng.sample(event.topic, 3) + rng.sample(_GENERIC, 3))
    if "{p1}" not in lead_template:  # the speaker is named in full before the surname alone
        sentences.append(f"{p1.role} {_person(p1, outlet_index, True)} attended.")
    sentences.append(f"“The {quote_words} matter to everyone here,” {_person(p1, outlet_index, False)} said.")
    if rng.random() < 0.6:
        sentences.append(
            f"{p2.role} {_person(p2, outlet_index, True)} described the talks as {rng.choice(_ADJECTIVES)}."
        )
    for _ in range(rng.randint(6, 12)):
        sentences.append(_filler(rng, event, vocab))
    if rng.random() < 0.45:  # background: an earlier date
        before = event.day - dt.timedelta(days=rng.randint(40, 500))
        when_before = (
            f"in {MONTHS[before.month - 1]} {before.year}"
            if rng.random() < 0.5
            else f"on {MONTHS[before.month - 1]} {before.day}, {before.year}"
        )
        sentences.append(
            f"{_person(p1, outlet_index, False)} last visited {rng.choice(vocab.places)} {when_before}."
        )
    if rng.random() < 0.35:  # a plan
        ahead = published + dt.timedelta(days=rng.randint(2, 6))
        plan = rng.choice([f"on {WEEKDAYS[ahead.weekday()]}", f"on {MONTHS[ahead.month - 1]} {ahead.day}"])
        sentences.append(
            f"{_person(p2, outlet_index, False)} is expected to travel to {rng.choice(vocab.places)} {plan}."
        )
    if rng.random() < 0.3:
        sentences.append(
            f"{_person(p2, outlet_index, False)} said that the {topic} {rng.choice(_GENERIC)} "
            f"would be reviewed by the {event.org[1]}."
        )
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    city = event.place.upper()
    if undated:
        dateline = f"{city} ({outlet}) — " if rng.random() < 0.5 else ""
    elif rng.random() < 0.6:
        dateline = f"{city}, {MONTHS[published.month - 1]} {published.day}, {published.year} ({outlet}) — "
    else:
        dateline = ""
    title = f"{event.place}: {event.kind} {rng.choice(['update', 'report', 'latest', 'news'])} " + (
        f"{p1.last} {topic}"
    )
    row: dict[str, Any] = {
        "url": f"https://news{outlet_index}.example/{event.day.isoformat()}/{report}-{rng.getrandbits(40):x}",
        "title": title,
        "outlet": outlet,
        "text": dateline + "\n\n".join(paragraphs),
    }
    if not undated:
        row["date"] = f"{published.isoformat()}T{rng.randint(6, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"
    return row


def generate(size: int, folder: Path) -> dict[str, int]:
    """Write ``size`` articles as JSONL files of ARTICLES_PER_FILE rows; returns what was made."""
    vocab = vocabulary()
    rng = random.Random(SEED + size)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"articles": 0, "events": 0, "undated": 0, "exact copies": 0, "near copies": 0}
    handle = None
    recent: list[dict[str, Any]] = []
    for event in _events(size, vocab, rng):
        counts["events"] += 1
        for report in range(event.reports):
            if counts["articles"] >= size:
                break
            if counts["articles"] % ARTICLES_PER_FILE == 0:
                if handle:
                    handle.close()
                handle = (folder / f"part-{counts['articles'] // ARTICLES_PER_FILE:03d}.jsonl").open("w")
            roll = rng.random()
            if recent and roll < 0.03:  # syndicated copy, another outlet's address
                row = dict(rng.choice(recent), url=f"https://copy.example/{rng.getrandbits(48):x}")
                row["outlet"] = rng.choice(vocab.outlets)
                counts["exact copies"] += 1
            elif recent and roll < 0.06:  # the same story with another last paragraph
                original = rng.choice(recent)
                row = dict(original, url=f"https://copy.example/{rng.getrandbits(48):x}")
                row["outlet"] = rng.choice(vocab.outlets)
                row["text"] = original["text"] + f"\n\n{_filler(rng, event, vocab)}"
                counts["near copies"] += 1
            else:
                undated = rng.random() < 0.08
                row = _article(event, report, vocab, rng, undated)
                counts["undated"] += undated
            recent = (recent + [row])[-50:]
            assert handle is not None
            handle.write(json.dumps(row) + "\n")
            counts["articles"] += 1
    if handle:
        handle.close()
    return counts


# -- synthetic per-article analysis ------------------------------------------------------------------------

_MONTH_RE = "|".join(MONTHS)
_WEEKDAY_RE = "|".join(WEEKDAYS)
_TIME_RE = re.compile(
    rf"\b(?:(?:{_MONTH_RE}) \d{{1,2}}, \d{{4}}|(?:{_MONTH_RE}) \d{{4}}|(?:{_MONTH_RE}) \d{{1,2}}"
    rf"|(?:on )?(?:{_WEEKDAY_RE})|yesterday|today|tomorrow|(?:two|three|four|five) days ago)\b"
)
_SENTENCE_END = re.compile(r"(?<=[.!?”])\s+(?=[A-Z“])|\n+")
_QUOTE = re.compile(r"“([^”]+),” (\w+(?: \w+)?) said")
_REPORTED = re.compile(r"(\w+) said that ")


class Analyser:
    """Stands in for spaCy + the per-article stages on generated text: known names, date phrases
    resolved by the product's own ``timex.resolve``, direct and reported quotes."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.labels: dict[str, str] = {}
        self.full_of_last: dict[str, set[str]] = {}
        for p in vocab.people:
            for first in filter(None, (p.first, p.variant)):
                self.labels[f"{first} {p.last}"] = "PERSON"
            self.labels.setdefault(p.last, "PERSON")
        for place in vocab.places:
            self.labels[place] = "GPE"
        for full, acronym in vocab.orgs:
            self.labels[full] = "ORG"
            self.labels[acronym] = "ORG"
        names = sorted(self.labels, key=len, reverse=True)
        self.names = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
        self.roles = tuple(f"{r} " for r in _ROLES)

    def sentences(self, text: str) -> list[Any]:
        from storyline.analysis import Sentence

        spans, start = [], 0
        for m in _SENTENCE_END.finditer(text):
            if m.start() > start:
                spans.append(Sentence(start, m.start()))
            start = m.end()
        if start < len(text):
            spans.append(Sentence(start, len(text)))
        return spans

    def time_expressions(self, text: str, sentences: list[Any]) -> list[Any]:
        """What the parse would store of each date phrase (``timex.time_expressions``): its span, sentence
        and tense (from the words before it); none in a quotation or a reported clause."""
        from storyline.analysis import TimeExpression
        from storyline.stages.pubdate_corpus import tense_from_text

        starts = [s.start for s in sentences]
        expressions = []
        for m in _TIME_RE.finditer(text):
            number = max(0, bisect.bisect_right(starts, m.start()) - 1)
            tense = tense_from_text(text[max(0, m.start() - 150) : m.start()])
            expressions.append(TimeExpression(m.start(), m.end(), number, tense, False, False))
        return expressions

    def analyse(self, article: Any, versions: dict[str, str]) -> Any:
        from storyline.analyse import anchor_key
        from storyline.analysis import ArticleAnalysis, Mention, Quote
        from storyline.stages.timex import anchor_expressions

        text = article.text
        sentences = self.sentences(text)
        starts = [s.start for s in sentences]
        found = [(m.start(), m.end(), m.group()) for m in self.names.finditer(text)]
        fulls = {t for _, _, t in found if " " in t and self.labels[t] == "PERSON"}
        by_last = {full.rsplit(" ", 1)[1]: full for full in fulls}
        mentions = []
        for start, end, surface in found:
            label = self.labels[surface]
            key = by_last.get(surface, surface) if label == "PERSON" and " " not in surface else surface
            role = next((r.strip() for r in self.roles if text.endswith(r, 0, start)), None)
            number = max(0, bisect.bisect_right(starts, start) - 1)
            mentions.append(Mention(start, end, surface, label, key, number, role))
        quotes = []
        for m in _QUOTE.finditer(text):
            speaker = by_last.get(m.group(2), m.group(2))
            number = max(0, bisect.bisect_right(starts, m.start()) - 1)
            quotes.append(
                Quote(
                    m.start(1), m.end(1), m.group(1), number, "direct", speaker, m.start(2), m.end(2), "said"
                )
            )
        for m in _REPORTED.finditer(text):
            number = max(0, bisect.bisect_right(starts, m.start()) - 1)
            sentence = sentences[number]
            speaker = by_last.get(m.group(1), m.group(1))
            quotes.append(
                Quote(
                    m.end(),
                    sentence.end,
                    text[m.end() : sentence.end],
                    number,
                    "reported",
                    speaker,
                    m.start(1),
                    m.end(1),
                    "said",
                )
            )
        anchor = article.publication_date
        # As analyse_doc: the expressions kept with the analysis, the time references anchored from them
        # by the product's own code (which the corpus stage runs again, without a parse, on a new date).
        expressions = self.time_expressions(text, sentences)
        return ArticleAnalysis(
            article_id=article.id,
            sentences=sentences,
            mentions=mentions,
            time_refs=anchor_expressions(expressions, text, sentences, anchor),
            quotes=sorted(quotes, key=lambda q: q.start),
            versions={**versions, "anchor": anchor_key(anchor)},
            time_exprs=expressions,
        )


# -- measuring ----------------------------------------------------------------------------------------


def _rss_kb(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass(slots=True)
class Stages:
    results: dict[str, dict[str, float]] = field(default_factory=dict)

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        gc.collect()
        exact = _reset_peak()
        before_kb = _rss_kb("VmRSS")
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.perf_counter()
        value = work()
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_SELF)
        peak_kb = _rss_kb("VmHWM") if exact else after.ru_maxrss
        self.results[name] = {
            "wall": wall,
            "cpu": after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime,
            "peak_mb": peak_kb / 1024,
            "rise_mb": (peak_kb - before_kb) / 1024,
        }
        return value


def child_ingest(size: int, work: Path) -> dict[str, Any]:
    """Generate, ingest and write the synthetic analyses of one corpus (a fresh process)."""
    from storyline import pipeline
    from storyline.analyse import stage_versions
    from storyline.config import Settings
    from storyline.stages import dedup
    from storyline.store import open_store

    folder, db = work / f"corpus-{size}", work / f"corpus-{size}.db"
    stages = Stages()
    made = stages.run("generate", lambda: generate(size, folder))
    db.unlink(missing_ok=True)
    dedup_seconds = [0.0]
    assign = dedup.DuplicateIndex.assign

    def timed_assign(self: dedup.DuplicateIndex, article: Any) -> Any:
        started = time.perf_counter()
        try:
            return assign(self, article)
        finally:
            dedup_seconds[0] += time.perf_counter() - started

    dedup.DuplicateIndex.assign = timed_assign  # type: ignore[method-assign]
    files = sorted(folder.glob("*.jsonl"))
    with open_store(db) as store:
        report = stages.run("ingest", lambda: pipeline.ingest(files, store, Settings(db=db)))
        analyser = Analyser(vocabulary())
        versions = stage_versions()

        def write_analyses() -> int:
            # As analyse does: ids first, then the articles batch by batch (no read open while writing).
            ids = [a.id for a in store.iter_articles()]
            for start in range(0, len(ids), 50):
                articles = [store.get_article(aid) for aid in ids[start : start + 50]]
                results = [(analyser.analyse(a, versions), a.content_id) for a in articles]
                store.write_analyses(results, {a.id: None for a in articles})
            return len(ids)

        analysed = stages.run("analyses written (synthetic)", write_analyses)
    return {
        "made": made,
        "counts": dict(report.counts),
        "ingest_stages": {n: round(s.seconds, 2) for n, s in report.stages.items()},
        "dedup_assign_s": round(dedup_seconds[0], 2),
        "analysed": analysed,
        "stages": stages.results,
    }


def child_corpus(size: int, work: Path) -> dict[str, Any]:
    """The corpus stages over a stored, analysed corpus, each timed as the product runs it."""
    # Imported now, so that no stage's memory counts the import of a library.
    import sklearn.feature_extraction.text  # noqa: F401
    import spacy.lang.en.stop_words  # noqa: F401

    import storyline.stages.pubdate  # noqa: F401
    import storyline.stages.resolve  # noqa: F401
    from storyline import analyse
    from storyline.analyse import stage_versions
    from storyline.build import load_analysed
    from storyline.stages import nlp, timex
    from storyline.stages.events import extract_events
    from storyline.stages.summarise import build_timeline
    from storyline.store import open_store
    from storyline.timeline import TimelineOptions

    reanchor = {"articles": 0, "seconds": 0.0, "parsed": 0}
    anchor_expressions = timex.anchor_expressions

    def timed_anchor_expressions(*args: Any) -> list[Any]:
        started = time.perf_counter()
        try:
            return anchor_expressions(*args)
        finally:
            reanchor["articles"] += 1
            reanchor["seconds"] += time.perf_counter() - started

    class NoParse:
        """Counts the articles the corpus stage would parse again (an analysis without expressions):
        none are expected, every synthetic analysis keeps its expressions."""

        def pipe(self, texts: Any, **_: Any) -> Any:
            texts = list(texts)
            reanchor["parsed"] += len(texts)
            raise RuntimeError(f"{len(texts)} article(s) re-parsed: their analyses lack time expressions")

    # The re-anchoring imports these inside the function: the module attributes are what it gets.
    timex.anchor_expressions = timed_anchor_expressions  # type: ignore[assignment]
    nlp.load_nlp = lambda *args: NoParse()  # type: ignore[assignment]
    stages = Stages()
    # A copy of the analysed database: every run starts from the same state (nothing dated by the corpus).
    db = work / f"corpus-{size}-run.db"
    shutil.copyfile(work / f"corpus-{size}.db", db)
    with open_store(db) as store:
        dated = stages.run("corpus dates", lambda: analyse.infer_dates_from_corpus(store, stage_versions()))
        entities_n = stages.run("entities", lambda: analyse.resolve_corpus_entities(store))
        # As `storyline build` holds them (build.make_bundle): digests, read whole again when needed.
        items = stages.run("load (build.load_analysed)", lambda: load_analysed(store, digests=True))
        entities = {e.id: e for e in store.list_entities()}
        events = stages.run("events", lambda: extract_events(items, entities))
        timeline = stages.run("timeline", lambda: build_timeline(items, events, entities, TimelineOptions()))
    return {
        "dated_by_corpus": dated,
        "reanchored": reanchor["articles"],
        "reanchor_s": round(reanchor["seconds"], 3),
        "reparsed": reanchor["parsed"],
        "entities": entities_n,
        "events": len(events),
        "entries": len(timeline.entries),
        "stages": stages.results,
    }


# -- the table ----------------------------------------------------------------------------------------


def _run_child(kind: str, size: int, work: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, "--sizes", str(size), "--work", str(work)]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{kind} at {size} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _exponent(n1: int, t1: float, n2: int, t2: float) -> str:
    if t1 <= 0.005 or t2 <= 0.005:
        return "–"
    return f"{math.log(t2 / t1) / math.log(n2 / n1):.2f}"


def table(sizes: list[int], runs: dict[int, dict[str, Any]]) -> str:
    names = list(runs[sizes[0]]["stages"])
    head = " | ".join(f"{n:,} wall s (CPU s)" for n in sizes)
    pairs = list(zip(sizes, sizes[1:], strict=False))
    exps = " | ".join(f"exponent {a // 1000}k→{b // 1000}k (CPU)" for a, b in pairs)
    peaks = " | ".join(f"peak RSS MB at {n // 1000}k (rise)" for n in sizes)
    columns = 1 + 2 * len(sizes) + len(pairs)
    lines = [f"| stage | {head} | {exps} | {peaks} |".replace(" |  |", " |"), "|---" * columns + "|"]
    for name in names:
        row = [runs[n]["stages"][name] for n in sizes]
        cells = [f"{r['wall']:.1f} ({r['cpu']:.1f})" for r in row]
        cells += [
            _exponent(a, ra["cpu"], b, rb["cpu"]) for (a, b), ra, rb in zip(pairs, row, row[1:], strict=False)
        ]
        cells += [f"{r['peak_mb']:.0f} ({r['rise_mb']:+.0f})" for r in row]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/storyline-scale"))
    parser.add_argument("--reuse", action="store_true", help="keep an analysed DB of a size if present")
    parser.add_argument("--child", choices=("ingest", "corpus"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.child:
        run = child_ingest if args.child == "ingest" else child_corpus
        print(json.dumps(run(args.sizes[0], args.work)))
        return 0
    runs: dict[int, dict[str, Any]] = {}
    for size in args.sizes:
        saved = args.work / f"ingest-{size}.json"
        if args.reuse and saved.exists() and (args.work / f"corpus-{size}.db").exists():
            ingest = json.loads(saved.read_text())
        else:
            ingest = _run_child("ingest", size, args.work)
            saved.write_text(json.dumps(ingest))
        corpus = _run_child("corpus", size, args.work)
        runs[size] = {"stages": {**ingest["stages"], **corpus["stages"]}}
        facts = {k: v for k, v in {**ingest, **corpus}.items() if k != "stages"}
        print(f"{size:,} articles: {json.dumps(facts)}", flush=True)
        (args.work / f"result-{size}.json").write_text(json.dumps({"ingest": ingest, "corpus": corpus}))
    print()
    print(table(args.sizes, runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
