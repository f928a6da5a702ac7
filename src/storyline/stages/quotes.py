"""The quotes stage: who said what, from the spaCy parse of an article's cleaned text.

Two kinds of :class:`~storyline.analysis.Quote`:

* **direct** — text inside quotation marks (straight ``"..."`` or curly ``“...”``). Marks are paired within
  one paragraph, so a broken mark never swallows the rest of the article: an opening mark with no close
  ends at the paragraph end (and after at most :data:`UNCLOSED_MAX_SENTENCES` sentences), a second opening
  mark ends the previous quotation, and a closing mark with no opening starts its quotation at the
  paragraph start. Very short quotations (:data:`SCARE_QUOTE_WORDS` words or fewer) that no verb of saying
  governs are scare quotes ("hot topics") and are left out.
* **reported** — unquoted speech: ``X said (that) ...``, ``..., said Wang.``, ``X called on Y to ...``,
  ``according to X, ...``; kept only when the verb of saying has a clear speaker (a named person or
  organisation, a pronoun, or a title such as "the spokesman").

The cue of a direct quotation is looked for in this order: a short attribution right after the closing
mark (``"...," Wang said.``, ``"...", said Lavrov.``), a verb of saying that governs the quotation in the
parse (``Lavrov described it as "..."``), the nearest verb of saying before the opening mark in the same
sentence (``Lavrov said: "..."``). A quotation with no cue that opens the paragraph right after a quoted
paragraph goes on quoting the same speaker.

The speaker is the subject of the cue (inherited along ``conj``/``advcl``/``xcomp``, so in "said Wang,
noting that ..." Wang also notes), given as the key of the PERSON or ORG mention it names. A pronoun
("he", "she"; gender is not checked) goes to the most recent person mentioned before it, preferring one
that was a grammatical subject in the same or the previous sentence ("Lavrov met Wang. He said ..." is
Lavrov's). A title ("the spokesman", "the minister") goes to the most recent person given that title;
with none, to an organisation attached to it ("a spokesman for the ministry"), else the speaker is None.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy

from ..analysis import Mention, Quote
from .nlp import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

QUOTES_VERSION = "1"

SCARE_QUOTE_WORDS = 3  # a quotation this short is a scare quote unless a verb of saying governs it
ATTRIBUTION_WINDOW = 6  # tokens after a closing mark in which '"...," Wang said' finds its verb
UNCLOSED_MAX_SENTENCES = 3  # an opening mark with no close never runs further than this
MIN_REPORTED_WORDS = 3

SPEECH_VERBS = frozenset(
    {
        "say", "tell", "add", "note", "stress", "emphasise", "emphasize", "reiterate", "state", "announce",
        "urge", "warn", "insist", "argue", "comment", "describe", "praise", "believe", "claim", "explain",
        "declare", "affirm", "assert", "confirm", "deny", "acknowledge", "admit", "suggest", "remark",
        "reply", "respond", "write", "report", "underline", "underscore", "caution", "predict", "vow",
        "pledge", "promise", "recall", "observe", "hail", "criticise", "criticize", "accuse", "ask",
        "tweet", "conclude", "mention", "think", "judge", "complain", "repeat",
    }
)  # fmt: skip
# Verbs that are verbs of saying only with a particle or preposition: "call on", "point out".
PHRASAL_SPEECH_VERBS = {"call": {"on", "upon", "for"}, "point": {"out"}}
# Heads of a subject that name a speaker by title; resolved to the last person with that title.
ROLE_NOUNS = frozenset(
    {
        "spokesman", "spokeswoman", "spokesperson", "minister", "president", "secretary", "ambassador",
        "official", "chairman", "chairwoman", "chair", "premier", "envoy", "diplomat", "leader",
        "chancellor", "governor", "mayor", "general", "commander", "director", "professor", "ministry",
        "government", "office", "department", "agency", "embassy", "spokesmen", "officials", "councilor",
        "councillor", "adviser", "advisor", "head", "chief", "representative",
    }
)  # fmt: skip
PRONOUNS = frozenset({"he", "she"})

_OPENING = "“"
_CLOSING = "”"
_QUOTE_MARKS = re.compile('["“”]')
_LEFT_OF_OPENING = set("([{—–/")
_RIGHT_OF_CLOSING = set(".,;:!?)]}—–")
_TRIM = " \t\n,;:"
_EDGE = _TRIM + '"“”.!?—–'  # around reported speech, which has no marks of its own
_SUBJECT_DEPS = ("nsubj", "nsubjpass")
_NAME_LINKS = ("compound", "appos", "conj", "flat", "amod", "nmod", "cc", "punct", "det")
_SPEAKER_LABELS = ("PERSON", "ORG")
_OBJECT_DEPS = ("dobj", "ccomp", "xcomp", "attr", "oprd", "dative")


def quotation_marks(text: str) -> list[tuple[int, int, bool]]:
    """Quoted stretches of ``text`` as (content start, content end, closed), marks excluded.

    Marks pair within one paragraph. A straight mark opens when it follows a space and precedes a word,
    closes in the mirror case, and otherwise toggles.
    """
    spans: list[tuple[int, int, bool]] = []
    position = 0
    for paragraph in text.split("\n"):
        start, end = position, position + len(paragraph)
        position = end + 1
        open_at: int | None = None
        after_last_mark = start
        for match in _QUOTE_MARKS.finditer(text, start, end):
            i = match.start()
            role = _mark_role(text, i)
            if open_at is None:
                if role == "close":
                    spans.append((after_last_mark, i, True))  # its opening mark was lost
                else:
                    open_at = i
            elif role == "open":
                spans.append((open_at + 1, i, False))  # the previous quotation was never closed
                open_at = i
            else:
                spans.append((open_at + 1, i, True))
                open_at = None
            after_last_mark = i + 1
        if open_at is not None:
            spans.append((open_at + 1, end, False))
    return spans


def _mark_role(text: str, i: int) -> str:
    char = text[i]
    if char == _OPENING:
        return "open"
    if char == _CLOSING:
        return "close"
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    space_before = before.isspace() or before in _LEFT_OF_OPENING
    space_after = after.isspace() or after in _RIGHT_OF_CLOSING
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "either"


def find_quotes(doc: Doc, mentions: Sequence[Mention]) -> list[Quote]:
    """The direct and reported quotations of a parsed article, in text order, speakers as mention keys."""
    return _QuoteFinder(doc, mentions).run()


class _QuoteFinder:
    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.sents = list(doc.sents)
        self.sent_starts = [sent.start_char for sent in self.sents]
        self.mentions = sorted(
            (m for m in mentions if m.label in _SPEAKER_LABELS), key=lambda m: (m.start, -m.end)
        )
        self.mention_starts = [m.start for m in self.mentions]
        self.marked: list[tuple[int, int]] = []  # every quoted stretch, kept or not
        # Their union as sorted disjoint stretches: _in_marked is asked for every token.
        self._union_starts: list[int] = []
        self._union_ends: list[int] = []

    def run(self) -> list[Quote]:
        quotes: list[Quote] = []
        cues: set[int] = set()
        raw = [self._bounded(*span) for span in quotation_marks(self.text)]
        self.marked = [(start, end) for start, end, _ in raw if start < end]
        for start, end in sorted(self.marked):
            if self._union_ends and start <= self._union_ends[-1]:
                self._union_ends[-1] = max(self._union_ends[-1], end)
            else:
                self._union_starts.append(start)
                self._union_ends.append(end)
        for start, end, closed in raw:
            quote = self._direct(start, end, closed)
            if quote is not None:
                if quote.cue_index is None and quotes:
                    quote.quote = self._continued(quote.quote, quotes[-1].quote)
                quotes.append(quote)
                if quote.cue_index is not None:
                    cues.add(quote.cue_index)
        direct = [(q.quote.start, q.quote.end) for q in quotes]
        found = [q.quote for q in quotes]
        seen = {(q.start, q.end) for q in found}
        for i in _reporting_candidates(self.doc):
            token = self.doc[i]
            if token.i in cues or self._in_marked(token.idx):
                continue
            quote = self._according_to(token) if token.lower_ == "according" else self._reported(token)
            if quote is None or (quote.start, quote.end) in seen:
                continue
            if any(quote.start < end and start < quote.end for start, end in direct):
                continue
            seen.add((quote.start, quote.end))
            found.append(quote)
        return sorted(found, key=lambda q: (q.start, q.end))

    # -- direct quotations -------------------------------------------------------------------------------

    def _bounded(self, start: int, end: int, closed: bool) -> tuple[int, int, bool]:
        start, end = _trim(self.text, start, end)
        if not closed and start < end:
            first = self._sentence_index(start)
            last = min(first + UNCLOSED_MAX_SENTENCES - 1, len(self.sents) - 1)
            end = min(end, self.sents[last].end_char)
            start, end = _trim(self.text, start, end)
        return start, end, closed

    def _direct(self, start: int, end: int, closed: bool) -> _Found | None:
        if start >= end:
            return None
        content = self.doc.char_span(start, end, alignment_mode="expand")
        if content is None or len(content) == 0:
            return None
        cue, governed = self._direct_cue(content, closed)
        words = _word_count(content)
        if words == 0 or (words <= SCARE_QUOTE_WORDS and not governed):
            return None
        speaker, speaker_start, speaker_end = self._speaker_of(cue) if cue is not None else (None, None, None)
        quote = Quote(
            start=start,
            end=end,
            text=self.text[start:end],
            sentence=self._sentence_index(start),
            kind="direct",
            speaker=speaker,
            speaker_start=speaker_start,
            speaker_end=speaker_end,
            cue=self._cue_text(cue) if cue is not None else None,
        )
        return _Found(quote, cue.i if cue is not None else None)

    def _continued(self, quote: Quote, previous: Quote) -> Quote:
        """A quotation with no cue that opens the paragraph right after another speaker's quotation goes
        on quoting that speaker (the news convention for quotations of several paragraphs)."""
        opening = quote.start - 1
        while opening > 0 and self.text[opening] not in '"“':
            opening -= 1
        paragraph_start = self.text.rfind("\n", 0, opening) + 1
        between = self.text[previous.end : paragraph_start]
        if previous.speaker is None or self.text[paragraph_start:opening].strip():
            return quote
        if between.count("\n") != 1 or between.strip(_TRIM + '"”.!?'):
            return quote
        return replace(quote, speaker=previous.speaker)

    def _direct_cue(self, content: Span, closed: bool) -> tuple[Token | None, bool]:
        inside = range(content.start, content.end)
        if closed:
            cue = self._trailing_attribution(content)
            if cue is not None:
                return cue, True
        short = _word_count(content) <= SCARE_QUOTE_WORDS
        cue = self._governing_verb(content, nearest_verb_only=short)
        if cue is not None:
            return cue, True
        # The nearest verb of saying before the opening mark, in the sentence of the word before it.
        before = content.start - 1
        while before >= 0 and (self.doc[before].is_punct or self.doc[before].is_space):
            if "\n" in self.doc[before].text_with_ws:
                return None, False
            before -= 1
        if before < 0 or "\n" in self.doc[before].whitespace_:
            return None, False
        sentence = self.doc[before].sent
        for i in range(before, sentence.start - 1, -1):
            token = self.doc[i]
            if "\n" in token.text_with_ws and i != before:
                break
            if i not in inside and not self._in_marked(token.idx) and _is_speech_verb(token):
                return token, False
        return None, False

    def _trailing_attribution(self, content: Span) -> Token | None:
        """The verb of '"...," Wang said.' or '"...", said Lavrov.' right after the closing mark."""
        i = content.end
        while i < len(self.doc) and (self.doc[i].is_punct or self.doc[i].is_space):
            if self.doc[i].text in ".!?" and self.doc[i].idx > content.end_char + 1:
                return None  # the sentence ended before any attribution
            if "\n" in self.doc[i].text:
                return None
            i += 1
        for j in range(i, min(i + ATTRIBUTION_WINDOW, len(self.doc))):
            token = self.doc[j]
            if token.is_punct and token.text not in ",":
                return None
            if self._in_marked(token.idx) or "\n" in token.text:
                return None
            if _is_speech_verb(token):
                # A verb with its own clause of content after it starts new speech, not an attribution.
                if any(c.dep_ == "ccomp" and c.i > token.i for c in token.children):
                    return None
                return token
            if "\n" in token.whitespace_:
                return None
        return None

    def _governing_verb(self, content: Span, *, nearest_verb_only: bool) -> Token | None:
        """A verb of saying above the quotation in the parse (within three steps); with
        ``nearest_verb_only`` it must be the first verb up the tree ('called it "a mistake"' is not
        governed by a "said" further up)."""
        inside = range(content.start, content.end)
        for token in content:
            head = token.head
            if head.i in inside or head.i == token.i:
                continue
            for ancestor in (head, *list(head.ancestors)[:3]):
                if ancestor.i in inside:
                    break
                if _is_speech_verb(ancestor) and not self._in_marked(ancestor.idx):
                    return ancestor
                if nearest_verb_only and ancestor.pos_ in ("VERB", "AUX"):
                    break
        return None

    # -- reported speech ---------------------------------------------------------------------------------

    def _reported(self, verb: Token) -> Quote | None:
        if not _is_speech_verb(verb):
            return None
        content = self._reported_content(verb)
        if content is None:
            return None
        start, end = content
        subject = _subject(verb)
        if subject is None or start <= subject.idx < end:
            return None
        speaker, speaker_start, speaker_end = self._resolve(subject)
        if speaker_start is None:
            return None  # no clear speaker ("experts said", "it said")
        return Quote(
            start=start,
            end=end,
            text=self.text[start:end],
            sentence=self._sentence_index(start),
            kind="reported",
            speaker=speaker,
            speaker_start=speaker_start,
            speaker_end=speaker_end,
            cue=self._cue_text(verb),
        )

    def _reported_content(self, verb: Token) -> tuple[int, int] | None:
        clause = next((c for c in verb.children if c.dep_ == "ccomp"), None)
        if clause is None and verb.lemma_.lower() in ("call", "urge", "ask"):
            clause = next((t for t in verb.subtree if t.dep_ == "xcomp" and t.i > verb.i), None)
        if clause is not None:
            first, last = clause.left_edge.i, clause.right_edge.i
            if first < verb.i < last:
                last = verb.i - 1
            return self._span_of(first, last, verb)
        # "..., said Wang." parsed with the content as the head of the sentence.
        comma = verb.i - 1
        subject = _subject(verb)
        if subject is not None and subject.i < verb.i:
            comma = subject.left_edge.i - 1
        if comma < 0 or self.doc[comma].text != ",":
            return None
        if verb.dep_ not in ("ROOT", "parataxis", "ccomp") or (verb.dep_ != "ROOT" and verb.head.i > verb.i):
            return None
        if any(c.dep_ in _OBJECT_DEPS and c.i > verb.i for c in verb.children):
            return None  # "..., he announces projects": a verb with its own object is no attribution
        sentence = verb.sent
        return self._span_of(sentence.start, comma - 1, verb)

    def _according_to(self, token: Token) -> Quote | None:
        to = next((c for c in token.children if c.lower_ == "to"), None)
        if to is None and token.i + 1 < len(self.doc) and self.doc[token.i + 1].lower_ == "to":
            to = self.doc[token.i + 1]
        if to is None:
            return None
        source = next((c for c in to.children if c.dep_ == "pobj"), None)
        if source is None:
            return None
        mention = self._mention_at(source.idx) or self._mention_within(source, prefer_links=False)
        if mention is None:
            return None
        sentence = token.sent
        phrase_end = max(source.right_edge.i, to.i)
        left = self._span_of(sentence.start, token.i - 1, token)
        right = self._span_of(phrase_end + 1, sentence.end - 1, token)
        candidates = [span for span in (left, right) if span is not None]
        if not candidates:
            return None
        start, end = max(candidates, key=lambda span: span[1] - span[0])
        return Quote(
            start=start,
            end=end,
            text=self.text[start:end],
            sentence=self._sentence_index(start),
            kind="reported",
            speaker=mention.key,
            speaker_start=mention.start,
            speaker_end=mention.end,
            cue="according to",
        )

    # -- speakers ----------------------------------------------------------------------------------------

    def _speaker_of(self, verb: Token) -> tuple[str | None, int | None, int | None]:
        subject = _subject(verb)
        if subject is None:
            return None, None, None
        return self._resolve(subject)

    def _resolve(self, subject: Token) -> tuple[str | None, int | None, int | None]:
        """The speaker a subject names: (key or None, span start, span end); no span when it names none."""
        mention = self._mention_at(subject.idx)
        if _is_title(subject):
            # "State Councilor and Foreign Minister Wang Yi": the name, not the title, is the speaker.
            named = self._mention_within(subject, prefer_links=True, exclude=mention)
            if named is not None and named.label == "PERSON":
                return named.key, named.start, named.end
        if mention is not None:
            return mention.key, mention.start, mention.end
        if subject.lower_ in PRONOUNS:
            antecedent = self._antecedent(subject.idx)
            end = subject.idx + len(subject.text)
            return (antecedent.key if antecedent else None), subject.idx, end
        if subject.pos_ == "PRON":
            return None, None, None
        mention = self._mention_within(subject, prefer_links=True)
        if mention is not None:
            return mention.key, mention.start, mention.end
        if not _is_title(subject):
            return None, None, None
        start = subject.left_edge.idx
        end = subject.idx + len(subject.text)
        person = self._person_with_role(subject, start)
        if person is not None:
            return person.key, start, end
        mention = self._mention_within(subject, prefer_links=False)
        return (mention.key if mention else None), start, end

    def _mention_at(self, offset: int) -> Mention | None:
        i = bisect_right(self.mention_starts, offset) - 1
        while i >= 0 and self.mentions[i].start > offset - 200:
            mention = self.mentions[i]
            if mention.start <= offset < mention.end:
                return mention
            i -= 1
        return None

    def _mention_within(
        self, head: Token, *, prefer_links: bool, exclude: Mention | None = None
    ) -> Mention | None:
        """A PERSON (else ORG) mention inside the subtree of ``head``; with ``prefer_links`` only one
        joined to it by name links (compound, apposition, conjunction), not through a preposition."""
        found: list[Mention] = []
        for token in head.subtree:
            mention = self._mention_at(token.idx)
            if mention is None or mention is exclude or mention in found:
                continue
            if prefer_links and not _linked_by_name(token, head):
                continue
            found.append(mention)
        found.sort(key=lambda m: m.label != "PERSON")
        return found[0] if found else None

    def _person_with_role(self, subject: Token, before: int) -> Mention | None:
        words = {subject.lower_, subject.lemma_.lower()}
        role_of: dict[str, str] = {}
        for mention in self.mentions:
            if mention.start >= before:
                break
            if mention.role:
                role_of[mention.key] = mention.role.lower()
        for mention in reversed(self.mentions):
            if mention.start >= before or mention.label != "PERSON":
                continue
            role = (mention.role or role_of.get(mention.key, "")).lower()
            if role and words & set(role.split()):
                return mention
        return None

    def _antecedent(self, offset: int) -> Mention | None:
        """The most recent person before ``offset``, a subject of this or the previous sentence first."""
        here = self._sentence_index(offset)
        people = [
            m
            for m in self.mentions
            if m.label == "PERSON" and m.end <= offset and not self._in_marked(m.start)
        ]
        for mention in reversed(people):
            if self._sentence_index(mention.start) < here - 1:
                break
            if self._is_subject(mention):
                return mention
        return people[-1] if people else None

    def _is_subject(self, mention: Mention) -> bool:
        span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return False
        token = span.root
        for _ in range(6):
            if token.dep_ in _SUBJECT_DEPS:
                return True
            if token.dep_ not in ("compound", "conj", "appos", "flat") or token.head.i == token.i:
                return False
            token = token.head
        return False

    # -- helpers -----------------------------------------------------------------------------------------

    def _span_of(self, first: int, last: int, anchor: Token) -> tuple[int, int] | None:
        """Character span of tokens first..last within the paragraph of ``anchor`` (the cue), trimmed
        of a leading "that" and of edge punctuation and quotation marks."""
        while first <= last and (self.doc[first].is_punct or self.doc[first].is_space):
            first += 1
        if first <= last and self.doc[first].lower_ == "that" and self.doc[first].dep_ == "mark":
            first += 1
        if first > last:
            return None
        start, end = self.doc[first].idx, self.doc[last].idx + len(self.doc[last].text)
        start = max(start, self.text.rfind("\n", 0, anchor.idx) + 1)
        paragraph_end = self.text.find("\n", anchor.idx)
        if paragraph_end >= 0:
            end = min(end, paragraph_end)
        start, end = _trim(self.text, start, end, _EDGE)
        if len(self.text[start:end].split()) < MIN_REPORTED_WORDS:
            return None
        return start, end

    def _sentence_index(self, offset: int) -> int:
        return max(0, bisect_right(self.sent_starts, offset) - 1)

    def _in_marked(self, offset: int) -> bool:
        """Inside any quoted stretch (the same answer as scanning ``marked``, by bisection)."""
        i = bisect_right(self._union_starts, offset) - 1
        return i >= 0 and offset < self._union_ends[i]

    def _cue_text(self, verb: Token) -> str:
        particle = _phrasal_particle(verb)
        return f"{verb.text} {particle.text}" if particle is not None else verb.text


@dataclass(slots=True)
class _Found:
    """A direct quotation and the token index of its cue (a cue of a direct quotation makes no
    reported one)."""

    quote: Quote
    cue_index: int | None


def _word_count(span: Span) -> int:
    return sum(1 for token in span if token.is_alpha or token.like_num)


def _trim(text: str, start: int, end: int, edge: str = _TRIM) -> tuple[int, int]:
    while start < end and (text[start] in edge or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in edge or text[end - 1].isspace()):
        end -= 1
    return start, end


def _reporting_candidates(doc: Doc) -> list[int]:
    """The indices of the tokens that may open a reported quotation: "according", and the verbs
    :func:`_is_speech_verb` may accept (its part-of-speech and lemma tests, read from the doc's arrays
    once per distinct tag and lemma instead of per token). No other token can: the token loop of
    :meth:`_QuoteFinder.run` looks at these only and finds the same quotations."""
    from spacy.attrs import LEMMA, LOWER, POS, TAG
    from spacy.symbols import AUX, VERB

    if not len(doc):
        return []
    strings = doc.vocab.strings
    rows = doc.to_array([LOWER, POS, TAG, LEMMA])
    lemmas = {*SPEECH_VERBS, "call", *PHRASAL_SPEECH_VERBS}
    verb_tags = [tag for tag in numpy.unique(rows[:, 2]).tolist() if strings[tag].startswith("VB")]
    good_lemmas = [lemma for lemma in numpy.unique(rows[:, 3]).tolist() if strings[lemma].lower() in lemmas]
    verbish = numpy.isin(rows[:, 1], [VERB, AUX]) | numpy.isin(rows[:, 2], verb_tags)
    speech = verbish & numpy.isin(rows[:, 3], good_lemmas)
    according = rows[:, 0] == strings["according"]
    return numpy.flatnonzero(speech | according).tolist()


def _is_speech_verb(token: Token) -> bool:
    if not (token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB")):
        return False
    lemma = token.lemma_.lower()
    if lemma in SPEECH_VERBS:
        return True
    if lemma == "call" and any(c.dep_ == "oprd" for c in token.children):
        return True  # naming: 'called the project "a symbol of unity"'
    return lemma in PHRASAL_SPEECH_VERBS and _phrasal_particle(token) is not None


def _phrasal_particle(token: Token) -> Token | None:
    particles = PHRASAL_SPEECH_VERBS.get(token.lemma_.lower())
    if not particles:
        return None
    return next((c for c in token.children if c.lower_ in particles and c.dep_ in ("prt", "prep")), None)


def _subject(verb: Token, depth: int = 0) -> Token | None:
    # The nearest subject in the verb's own paragraph (a parse may run a sentence across a line break).
    subjects = [c for c in verb.children if c.dep_ == "nsubj" and not _line_break_between(c, verb)]
    if subjects:
        return min(subjects, key=lambda c: abs(c.i - verb.i))
    if depth < 3 and verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.i != verb.i:
        return _subject(verb.head, depth + 1)
    return None


def _line_break_between(a: Token, b: Token) -> bool:
    first, last = (a, b) if a.i < b.i else (b, a)
    return "\n" in first.doc[first.i : last.i].text_with_ws


def _is_title(token: Token) -> bool:
    return token.lower_ in ROLE_NOUNS or token.lemma_.lower() in ROLE_NOUNS


def _linked_by_name(token: Token, head: Token) -> bool:
    while token.i != head.i:
        if token.dep_ not in _NAME_LINKS or token.head.i == token.i:
            return False
        token = token.head
    return True
