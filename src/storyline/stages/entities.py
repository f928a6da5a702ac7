"""Named entities of one article: spaCy's spans, cleaned, typed consistently and named canonically.

A cascade over ``doc.ents``, in this order:

1. labels: only PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, PRODUCT and LAW are kept;
2. trimming: a leading "the", a trailing possessive "'s", a trailing "and" or punctuation are cut off the
   span (offsets stay exact for what is kept); "Shanghai Cooperation Organization (SCO" is split into the
   name and its acronym;
3. debris: spans holding markup characters (``< > = _``), link-attribute words (NOFOLLOW, TARGET),
   glued breadcrumb words ("HomeWorldAsiaRussian"), single characters, numbers, and a bare title
   ("Councilor") are dropped;
4. types: a bare name that is the surname of a PERSON named in full in the article is that PERSON (spaCy
   often tags a bare "Lavrov" ORG); otherwise the same name takes the label most of its mentions have;
5. keys: each mention's key is the canonical long form within the article ("Lavrov" -> "Sergey Lavrov",
   "Wang" -> "Wang Yi"); an ambiguous surname ("Li" with "Li Mingjiang" and "Li Dazhong") keeps itself;
6. roles: a title given in apposition right before a PERSON ("Chinese Foreign Minister Wang Yi",
   "US Secretary of Treasury Janet Yellen") is kept as the mention's role.

Nothing here looks at other articles: corpus-wide names are made by :mod:`.resolve`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..analysis import Mention
from .nlp import doc_text
from .resolve import same_person_by_spelling

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

ENTITIES_VERSION = "1"

KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW"})
# Labels a bare surname may wrongly carry when it names a person.
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
# Ties between labels of one name: the earlier wins.
_LABEL_PRIORITY = ("PERSON", "GPE", "ORG", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW")

_LEADING_DROP = frozenset({"the", "a", "an"})
_TRAILING_DROP = frozenset({"'s", "’s", "'", "’", "and", "or", "of", "the"})
_MARKUP = re.compile(r"[<>=_{}\[\]|\\/@#]")
_LINK_WORDS = frozenset(
    {"NOFOLLOW", "NOOPENER", "NOREFERRER", "TARGET", "HREF", "REL", "BLANK", "_BLANK", "SRC", "HTTP", "HTTPS"}
)
# Three or more capitalised runs glued in one word: a breadcrumb ("HomeWorldAsia"), not a name
# ("McDonald", "YouTube" have two).
_GLUED_CRUMB = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+){2,}")
_NUMBERISH = re.compile(r"[\d\W_]+")
_ACRONYM = re.compile(r"[A-Z][A-Z&.]{1,7}")

# Words of a title. Capitalised ones build roles ("Foreign Minister"); lower-case ones too ("Chinese
# leader Xi Jinping", "top Russian diplomat Sergey Lavrov").
_TITLE_TEXT = (
    "minister president secretary councilor councillor chancellor premier spokesperson spokesman "
    "spokeswoman ambassador envoy director chairman chairwoman chair leader governor senator mayor "
    "chief commissioner king queen prince princess ceo professor general admiral commander diplomat "
    "representative deputy vice head pope emir sheikh ayatollah speaker congressman congresswoman "
    "lawmaker attorney justice judge officer official adviser advisor counsellor counselor"
)
TITLE_WORDS = frozenset(_TITLE_TEXT.split())
# One-word ORG spans that are a word of a title or a generic noun, not a name.
_GENERIC_ORG_WORDS = frozenset(
    {"State", "States", "Government", "Ministry", "Department", "Office", "Council", "Committee", "Party"}
)
# Parts of speech and entity types that end a role (read backwards from the name).
_NOT_IN_ROLES = frozenset(
    {"ADP", "DET", "PRON", "SCONJ", "VERB", "AUX", "ADV", "NUM", "DATE", "TIME", "CARDINAL", "ORDINAL"}
)
_ROLE_CONNECTORS = frozenset({"of", "for", "and", "the"})
_MAX_ROLE_TOKENS = 8


@dataclass(slots=True)
class _Candidate:
    start: int  # character offsets into the doc's text
    end: int
    label: str
    sentence: int
    first_token: int  # index of the span's first kept token (for roles)

    def text(self, doc: Doc) -> str:
        # Doc.text is rebuilt from the tokens at every access: read it once per document.
        return doc_text(doc)[self.start : self.end]


def find_mentions(doc: Doc) -> list[Mention]:
    """The named-entity mentions of a parsed article, trimmed, filtered, typed and keyed (see module)."""
    sentence_of = {sent.start: i for i, sent in enumerate(doc.sents)}
    candidates: list[_Candidate] = []
    for ent in doc.ents:
        if ent.label_ not in KEPT_LABELS:
            continue
        sentence = sentence_of.get(ent.sent.start, -1)
        for piece in _trim(ent):
            candidate = _Candidate(piece[0].idx, _end(piece), ent.label_, sentence, piece[0].i)
            if not is_debris(candidate.text(doc), candidate.label):
                candidates.append(candidate)
    labels = _consistent_labels(doc, candidates)
    keys = _article_keys(doc, candidates, labels)
    mentions = []
    for candidate, label, key in zip(candidates, labels, keys, strict=True):
        role = _role(doc, candidate.first_token) if label == "PERSON" else None
        text = candidate.text(doc)
        mentions.append(Mention(candidate.start, candidate.end, text, label, key, candidate.sentence, role))
    return mentions


def _lower(token: Token) -> str:
    # Not token.lower_: documents built by hand over a bare Vocab have no lexical attributes.
    return token.text.lower()


def _is_punct(token: Token) -> bool:
    return not any(char.isalnum() for char in token.text)


def _end(tokens: list[Token]) -> int:
    return tokens[-1].idx + len(tokens[-1].text)


def _trim(ent: Span) -> list[list[Token]]:
    """The kept token runs of an entity span: articles, possessives and stray brackets cut off."""
    tokens = list(ent)
    pieces: list[list[Token]] = [tokens]
    opening = [i for i, t in enumerate(tokens) if t.text == "("]
    if opening and not any(t.text == ")" for t in tokens):
        # "Shanghai Cooperation Organization (SCO": the name, then its acronym as a mention of its own.
        cut = opening[0]
        pieces = [tokens[:cut], tokens[cut + 1 :]]
    trimmed = []
    for piece in pieces:
        while piece and (_lower(piece[0]) in _LEADING_DROP or _is_punct(piece[0])):
            piece = piece[1:]
        while piece and (_lower(piece[-1]) in _TRAILING_DROP or _is_punct(piece[-1])):
            piece = piece[:-1]
        if piece:
            trimmed.append(piece)
    return trimmed


def is_debris(text: str, label: str) -> bool:
    """Whether a span is extraction debris or not a name at all (see module, step 3)."""
    if len(text) < 2 or _MARKUP.search(text) or _NUMBERISH.fullmatch(text):
        return True
    words = text.split()
    if any(word.strip(".,;:'\"").upper() in _LINK_WORDS and word.isupper() for word in words):
        return True
    if any(_GLUED_CRUMB.fullmatch(word) for word in words):
        return True
    if label == "ORG" and text in _GENERIC_ORG_WORDS:
        return True  # "State" of "Secretary of State"
    if label == "PERSON":
        if any(char.isdigit() for char in text):
            return True  # "COVID-19" tagged PERSON
        if all(word.lower() in TITLE_WORDS for word in words):
            return True  # "Councilor" of "State Councilor ... Wang Yi"
    return False


def _label_rank(label: str) -> int:
    return _LABEL_PRIORITY.index(label) if label in _LABEL_PRIORITY else len(_LABEL_PRIORITY)


def _full_person_names(doc: Doc, candidates: list[_Candidate]) -> list[str]:
    return [c.text(doc) for c in candidates if c.label == "PERSON" and len(c.text(doc).split()) > 1]


def _surname_targets(full_names: list[str]) -> dict[str, str | None]:
    """Bare name -> the one full PERSON name it stands for in this article (None when ambiguous).

    The last token is looked up first ("Lavrov" -> "Sergey Lavrov"); the first token only when no full
    name ends with it, for names written surname first ("Wang" -> "Wang Yi", "Xi" -> "Xi Jinping").
    Full names that differ only by transliteration ("Sergey"/"Sergei") count as one, the most frequent.
    """
    counts = Counter(full_names)
    by_last: dict[str, list[str]] = defaultdict(list)
    by_first: dict[str, list[str]] = defaultdict(list)
    for name in counts:
        tokens = name.split()
        by_last[tokens[-1]].append(name)
        by_first[tokens[0]].append(name)
    targets: dict[str, str | None] = {}
    for index in (by_first, by_last):  # by_last second: it wins where both apply
        for token, names in index.items():
            if index is by_first and token in by_last:
                continue
            targets[token] = _one_name(names, counts)
    return targets


def _one_name(names: list[str], counts: Counter[str]) -> str | None:
    if len(names) == 1:
        return names[0]
    ordered = sorted(names, key=lambda n: (-counts[n], -len(n), n))
    best = ordered[0]
    return best if all(same_person_by_spelling(best, other) for other in ordered[1:]) else None


def _consistent_labels(doc: Doc, candidates: list[_Candidate]) -> list[str]:
    targets = _surname_targets(_full_person_names(doc, candidates))
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for c in candidates:
        votes[c.text(doc)][c.label] += 1
    labels = []
    for c in candidates:
        text = c.text(doc)
        if c.label in _NAME_LABELS and " " not in text and targets.get(text):
            labels.append("PERSON")
            continue
        ballot = votes[text]
        labels.append(min(ballot, key=lambda label: (-ballot[label], _label_rank(label))))
    return labels


def _article_keys(doc: Doc, candidates: list[_Candidate], labels: list[str]) -> list[str]:
    targets = _surname_targets(_full_person_names(doc, candidates))
    keys = []
    for c, label in zip(candidates, labels, strict=True):
        text = _normal_surface(c.text(doc))
        if label == "PERSON" and " " not in text and targets.get(text):
            keys.append(targets[text] or text)
        elif label == "PERSON" and " " in text:
            tokens = text.split()
            target = targets.get(tokens[-1])
            # "Sergei Lavrov" in an article that mostly says "Sergey Lavrov": one key.
            keys.append(target if target and len(target.split()) == len(tokens) else text)
        else:
            keys.append(text)
    return keys


def _normal_surface(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def _role(doc: Doc, first: int) -> str | None:
    """The title in apposition right before a PERSON mention starting at token ``first``."""
    sent_start = doc[first].sent.start
    i = first - 1
    role_start = first
    while i >= sent_start and first - i <= _MAX_ROLE_TOKENS:
        token = doc[i]
        word = token.text
        connector = _lower(token) in _ROLE_CONNECTORS
        if not connector and (token.pos_ in _NOT_IN_ROLES or token.ent_type_ in _NOT_IN_ROLES):
            break  # "On Monday President Putin": "Monday" and "On" are no title
        if word in {"-", "‐"} and i > sent_start and doc[i - 1].text[:1].isupper():
            pass  # "Secretary-General"
        elif (
            _lower(token) in TITLE_WORDS
            or (word[:1].isupper() and word.isalpha())
            or _ACRONYM.fullmatch(word)
        ):
            if word.lower() in _LEADING_DROP:
                break  # a sentence-initial "The"
            role_start = i
        elif connector and i > sent_start:
            # "Secretary of Treasury", "Secretary of the Treasury", "State Councilor and Foreign Minister"
            before = doc[i - 1]
            if _lower(token) == "and" and _lower(before) not in TITLE_WORDS:
                break
            if _lower(token) == "the" and _lower(before) != "of":
                break
            if _lower(token) in {"of", "for"} and not (
                before.text[:1].isupper() or _lower(before) in TITLE_WORDS
            ):
                break
        else:
            break
        i -= 1
    words = list(doc[role_start:first])
    while words and _lower(words[0]) in _ROLE_CONNECTORS:
        words = words[1:]
    if not any(_lower(t) in TITLE_WORDS for t in words):
        return None
    return doc_text(doc)[words[0].idx : _end(words)] if words else None
