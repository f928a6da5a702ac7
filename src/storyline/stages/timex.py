"""Temporal expressions: found in a parsed article and normalised to dates with their precision.

Finding is a union of spaCy's DATE entities (and TIME entities naming a day: "last night", "this
morning") with patterns spaCy splits or misses ("Monday (October 16)", "from 8 to 9", "April 8-9").
Overlaps keep the longer span.

Resolving (:func:`resolve`, in :mod:`.timex_rules`) is a rule cascade with dateparser as the last
resort; see there. The anchor is the article's publication date, or for words inside a quotation or a
reported clause ("'... the day after tomorrow,' he said on Monday") the day the speaker spoke, when the
sentence says it. Without an anchor a relative expression keeps its text and no value, so it can be
re-anchored once a publication date is known. Years outside 1800-2200 are never produced.

Finding needs the parse, resolving does not: :func:`time_expressions` keeps what the parse says of each
expression (:class:`~storyline.analysis.TimeExpression`, stored with the analysis) and
:func:`anchor_expressions` resolves those on an anchor. :func:`find_time_refs` is the two in turn, so
re-anchoring stored expressions gives what a new parse would.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..analysis import Sentence, TimeExpression, TimeRef
from ..model import DateValue
from .nlp import doc_text
from .timex_rules import (  # noqa: F401 - the rule layer, re-exported for the stages that use it
    _AGO,
    _DAY_WORDS,
    _DAYNUM,
    _I,
    _LEADING_WORD,
    _MONTH_DAY,
    _MONTH_RE,
    _NUMBERS,
    _NUMWORD,
    _PART_OF_DAY,
    _WEEKDAY_DATE,
    _WEEKDAY_ONLY,
    _WEEKDAY_RE,
    _YEARNUM,
    DAY,
    MONTH,
    YEAR,
    Resolution,
    _count,
    _daynum,
    _month,
    _safe_date,
    _weekday,
    month_day_near,
    resolve,
    weekday_near,
    years_where,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

# 2: the analysis also keeps every expression's anchor-independent facts (TimeExpression), so the corpus
# stage re-anchors without parsing again; analyses of version 1 lack them.
TIMEX_VERSION = "2"

# What the finder adds to spaCy's entities (matched on the document text).
_FIND_PATTERNS = [
    re.compile(rf"\b{_WEEKDAY_RE}\s*(?:\(\s*|,\s*)(?:{_MONTH_RE}\s+{_DAYNUM}|{_DAYNUM}\s+(?:of\s+)?{_MONTH_RE})"
               rf"(?:,?\s+{_YEARNUM})?\s*\)?", _I),
    re.compile(rf"\bfrom\s+(?:{_MONTH_RE}\s+)?{_DAYNUM}\s+(?:to|until|till|through|-|–)\s+{_DAYNUM}"
               rf"(?:\s+(?:of\s+)?{_MONTH_RE})?(?:,?\s+{_YEARNUM})?\b", _I),
    re.compile(rf"\b{_MONTH_RE}\s+{_DAYNUM}\s*(?:-|–|to|and)\s*{_DAYNUM}(?:,?\s+{_YEARNUM})?\b", _I),
    re.compile(rf"\b{_DAYNUM}\s*(?:-|–|to|and)\s*{_DAYNUM}\s+{_MONTH_RE}(?:,?\s+{_YEARNUM})?\b", _I),
    re.compile(rf"\b{_MONTH_RE}\s+{_DAYNUM}(?:,?\s+{_YEARNUM})?\b(?!\s*(?:%|per|million|billion))", _I),
    re.compile(rf"\b{_DAYNUM}\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+{_YEARNUM})?\b", _I),
    re.compile(rf"\b(?:(?:last|next|this|coming|past)\s+)?{_WEEKDAY_RE}{_PART_OF_DAY}\b(?!\s*[A-Z])", _I),
    re.compile(r"\bthe\s+day\s+(?:after\s+tomorrow|before\s+yesterday)\b|\b(?:yesterday|today|tomorrow|tonight)"
               r"\b|\blast\s+night\b|\bthis\s+(?:morning|afternoon|evening)\b", _I),
    re.compile(rf"\b(?:(?:earlier|later)\s+)?(?:last|next|this|past|coming)\s+(?:week|month|year|weekend|{_MONTH_RE})"
               r"\b", _I),
    re.compile(rf"\b{_MONTH_RE}\s+(?:this|last|next)\s+year\b", _I),
    re.compile(rf"\b{_NUMWORD}\s+(?:days?|weeks?|months?|years?)\s+ago\b", _I),
    re.compile(r"\b(?:the\s+)?(?:1[89]|20)\d0'?s\b|\b\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b"),
    re.compile(rf"\b(?:in|since|by|until|from|of|during)\s+(?:{_MONTH_RE}\s+)?{_YEARNUM}\b", _I),
]  # fmt: skip

# Where each pattern can start. Every pattern opens with ``\b`` and a word (or digits) followed by a
# non-letter (a space, ".", "(", ",", a word boundary): a match starts at the first character of a run of
# word characters, and when that is a letter, the run's letters are exactly one of the pattern's first
# words below (checked whole, the pattern's own alternatives). A run opening with a digit may start
# patterns 3, 5, 10 and 11 (and only those).
_FIRST_WORDS = [
    _WEEKDAY_RE,
    r"from",
    _MONTH_RE,
    None,
    _MONTH_RE,
    None,
    rf"last|next|this|coming|past|{_WEEKDAY_RE}",
    r"the|yesterday|today|tomorrow|tonight|last|this",
    r"earlier|later|last|next|this|past|coming",
    _MONTH_RE,
    r"a|an|several|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve",
    r"the",
    r"in|since|by|until|from|of|during",
]
_FIRST_WORD_RES = [re.compile(rf"(?:{words})\Z", _I) if words else None for words in _FIRST_WORDS]
_DIGIT_FIRST = (3, 5, 10, 11)
_ALL_PATTERNS = tuple(range(len(_FIND_PATTERNS)))
_WORD_START = re.compile(r"\b(?:(\d)|[^\W\d_]+)")


# Room for a corpus's vocabulary: with 4,096 entries, 600 articles missed the cache once a word in ten.
@lru_cache(maxsize=1 << 16)
def _patterns_for(word: str) -> tuple[int, ...]:
    """The patterns that may match from a run of letters; every pattern for a word with a letter outside
    ASCII (case-insensitive matching folds some of those onto ASCII letters: "ſ" is an "s")."""
    if not word.isascii():
        return _ALL_PATTERNS
    return tuple(i for i, first in enumerate(_FIRST_WORD_RES) if first is not None and first.match(word))


def _pattern_matches(text: str) -> Iterator[re.Match[str]]:
    """Every match of every pattern of ``_FIND_PATTERNS`` in ``text``, pattern by pattern, each pattern's
    matches exactly those of its ``finditer`` (leftmost, not overlapping), in order. One scan finds where
    words start; each pattern is tried only where its first word is, instead of scanning the text once per
    pattern (most of what finding expressions cost)."""
    starts: list[list[int]] = [[] for _ in _FIND_PATTERNS]
    for word in _WORD_START.finditer(text):
        position = word.start()
        for index in _DIGIT_FIRST if word.group(1) else _patterns_for(word.group()):
            starts[index].append(position)
    for pattern, positions in zip(_FIND_PATTERNS, starts, strict=True):
        searched = 0
        for position in positions:
            if position < searched:
                continue
            m = pattern.match(text, position)
            if m is not None:
                yield m
                searched = m.end()


# --- finding expressions in a parsed document -------------------------------------------------------

_SAY_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "announce",
        "state",
        "add",
        "declare",
        "report",
        "confirm",
        "note",
        "write",
        "claim",
        "warn",
    }
)
_FUTURE_HEADS = frozenset(
    {"be", "expect", "set", "due", "schedule", "plan", "go", "prepare", "intend", "hope"}
)


@dataclass(frozen=True, slots=True)
class Expression:
    """A temporal expression found in a document, before resolution."""

    start: int
    end: int
    text: str
    sentence: int
    sentence_text: str
    context: str  # the sentence with the one before it: "from 8 to 9" takes its month from there
    tense: str
    in_quote: bool
    reported: bool  # in the clause of a verb of saying ("said on Monday that ...")
    speech: tuple[int, int] | None  # the span dating the saying, when the sentence has one

    def facts(self) -> TimeExpression:
        """What resolving needs besides the text and the anchor, to be stored with the analysis."""
        return TimeExpression(
            self.start, self.end, self.sentence, self.tense, self.in_quote, self.reported, self.speech
        )


def tense_of(span: Span) -> str:
    """ "past", "future", "present" or "" for the verb governing a span (spaCy tags)."""
    token = span.root
    for _ in range(4):
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB") or token.head is token:
            break
        token = token.head
    if not token.tag_.startswith("VB") and token.tag_ != "MD":
        return ""
    auxes = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    lowered = {a.lower_ for a in auxes}
    if lowered & {"will", "'ll", "shall", "wo", "would"}:
        return "future"
    if "to" in lowered and token.head is not token:
        head = token.head
        if head.lemma_ in _FUTURE_HEADS and head.tag_ in ("VBZ", "VBP", "VBN", "JJ", "VBG"):
            head_auxes = {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")}
            if head.tag_ != "VBN" or not head_auxes & {"was", "were", "had"}:
                return "future"
        return "past" if head.tag_ in ("VBD",) else ""
    if lowered & {"had", "has", "have", "did", "was", "were"} or token.tag_ in ("VBD", "VBN"):
        return "past"
    if token.tag_ == "VBG" and lowered & {"is", "are", "am"}:
        return "future"
    if token.tag_ in ("VBZ", "VBP"):
        return "present"
    return ""


def _in_quote(text: str, sentence_start: int, start: int) -> bool:
    before = text[sentence_start:start]
    if before.count("“") > before.count("”"):
        return True
    return before.count('"') % 2 == 1


def iter_expressions(doc: Doc) -> Iterator[Expression]:
    """Every temporal expression of a parsed document, with its tense and quotation context."""
    text = doc_text(doc)
    sentences = list(doc.sents)
    starts = [s.start_char for s in sentences]
    # A sentence's text is its slice of the document's (Span.text joins its tokens at every access).
    sentence_texts = [text[s.start_char : s.end_char] for s in sentences]
    candidates: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ == "DATE" or (
            ent.label_ == "TIME" and re.search(r"night|morning|evening|afternoon|today", ent.text, _I)
        ):
            candidates.append((ent.start_char, ent.end_char))
    for m in _pattern_matches(text):
        start = m.start()
        lead = _LEADING_WORD.match(m.group(0))
        if lead and not m.group(0).lower().startswith("from"):
            start += lead.end()
        candidates.append((start, m.end()))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    kept: list[tuple[int, int]] = []
    for start, end in sorted(candidates, key=lambda c: -(c[1] - c[0])):
        if any(start < k_end and k_start < end for k_start, k_end in kept):
            continue
        kept.append((start, end))
    kept.sort()
    by_sentence: dict[int, list[tuple[int, int]]] = {}
    for start, end in kept:
        index = bisect.bisect_right(starts, start) - 1
        by_sentence.setdefault(index, []).append((start, end))
    for index, spans in by_sentence.items():
        sentence = sentences[index]
        speech = _speech_span(doc, text, sentence, spans)
        for start, end in spans:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            in_quote = _in_quote(text, sentence.start_char, start)
            reported = False
            if speech is not None and (start, end) != speech:
                reported = in_quote or _in_reported_clause(doc, span, speech)
            yield Expression(
                start=start,
                end=end,
                text=text[start:end],
                sentence=index,
                sentence_text=sentence_texts[index],
                context=(sentence_texts[index - 1] + " " if index else "") + sentence_texts[index],
                tense=tense_of(span),
                in_quote=in_quote,
                reported=reported,
                speech=speech if reported else None,
            )


def _speech_span(doc: Doc, text: str, sentence: Span, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The time expression attached to a verb of saying in this sentence ("said on Monday")."""
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or _in_quote(text, sentence.start_char, start):
            continue
        token = span.root
        for _ in range(3):
            token = token.head
            if token.lemma_ in _SAY_LEMMAS and token.pos_ == "VERB":
                return (start, end)
            if token.head is token:
                break
    return None


def _in_reported_clause(doc: Doc, span: Span, speech: tuple[int, int]) -> bool:
    speech_span = doc.char_span(*speech, alignment_mode="expand")
    if speech_span is None:
        return False
    say = speech_span.root
    while say.lemma_ not in _SAY_LEMMAS and say.head is not say:
        say = say.head
    clauses = [c for c in say.children if c.dep_ in ("ccomp", "xcomp", "parataxis")]
    return any(span.root.i in {t.i for t in clause.subtree} for clause in clauses)


def time_expressions(doc: Doc, found: Sequence[Expression] | None = None) -> list[TimeExpression]:
    """What :func:`anchor_expressions` needs of every temporal expression of a parsed document: the parse
    is done with once these are stored. ``found``: the document's expressions, when the caller has them
    already (:func:`iter_expressions`; the publication date from the text reads them too)."""
    return [expression.facts() for expression in (iter_expressions(doc) if found is None else found)]


def sentences_of(doc: Doc) -> list[Sentence]:
    return [Sentence(s.start_char, s.end_char) for s in doc.sents]


def find_time_refs(doc: Doc, anchor: DateValue | None) -> list[TimeRef]:
    """Every temporal expression of the article with the date it names, anchored on ``anchor``.

    ``doc`` is the spaCy parse of the article's cleaned text; ``anchor`` its publication date (None when
    unknown: relative expressions then keep their text and no value).
    """
    return anchor_expressions(time_expressions(doc), doc_text(doc), sentences_of(doc), anchor)


def anchor_expressions(
    expressions: Sequence[TimeExpression], text: str, sentences: Sequence[Sentence], anchor: DateValue | None
) -> list[TimeRef]:
    """The time references of expressions found earlier (:func:`time_expressions`), anchored on
    ``anchor``: what :func:`find_time_refs` gives on the article's parse, without the parse. ``text`` is
    the article's cleaned text and ``sentences`` its sentences, as parsed when the expressions were found;
    expressions that resolve to nothing on this anchor are left out."""
    anchor_day = dt.date.fromisoformat(anchor.day) if anchor is not None and anchor.day else None
    resolved: dict[tuple[int, int], Resolution] = {}
    refs: list[TimeRef] = []
    # Speech dates first: what a quote says is counted from them.
    for expression in sorted(expressions, key=lambda e: e.reported):
        speech_day = anchor_day
        in_quote = False
        if expression.reported and expression.speech in resolved:
            speech_value = resolved[expression.speech][0]
            if speech_value is not None and len(speech_value) == 10:
                speech_day = dt.date.fromisoformat(speech_value)
                in_quote = True
        words = text[expression.start : expression.end]
        context = _context(text, sentences, expression.sentence)
        result = resolve(words, context, speech_day, in_quote=in_quote, tense=expression.tense)
        if result is None:
            continue
        resolved[(expression.start, expression.end)] = result
        value, precision, end_value, anchor_name, confidence = result
        refs.append(
            TimeRef(
                start=expression.start,
                end=expression.end,
                text=words,
                sentence=expression.sentence,
                value=value,
                precision=precision,
                end_value=end_value,
                anchor=anchor_name,
                confidence=confidence if value is not None else 0.0,
            )
        )
    refs.sort(key=lambda r: r.start)
    return refs


def _context(text: str, sentences: Sequence[Sentence], index: int) -> str:
    """A sentence with the one before it, as :attr:`Expression.context` is made from the parse."""
    sentence = sentences[index]
    here = text[sentence.start : sentence.end]
    if not index:
        return here
    before = sentences[index - 1]
    return text[before.start : before.end] + " " + here
