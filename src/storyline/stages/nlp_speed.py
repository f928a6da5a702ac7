"""Faster loops for two spaCy components, with results identical to spaCy's own.

Profiled on Timeline17 articles, ``en_core_web_sm`` spends about a quarter of its time in two rule
components that every NLP stage relies on (parts of speech, morphology and lemmas feed the quote,
time-expression and date stages):

* the **attribute ruler** (tag map and exceptions: about 180 one- and two-token Matcher patterns). spaCy's
  Matcher tries every pattern at every token; here each pattern is filed under the tag, lower-case form
  or dependency its first token needs, so a token tries only the few patterns that can match it. The
  matched rules are then applied exactly as spaCy applies them: ascending rule order, the same
  ``set_token_attrs``.
* the **rule lemmatizer**, which builds Python objects for every token and caches only part of its
  answers. A rule lemma depends on the token's form, part of speech and morphology and nothing else, so
  it is cached on those three (spaCy's own cache key) for every token, and tokens are read as arrays.

Both are installed only when the component is the plain spaCy one and its patterns or mode are of the
kinds handled here; anything else keeps spaCy's code. tests/test_nlp_speed.py checks the equality on
parsed text, bench/analyse_same.py on a whole analysed corpus.
"""

from __future__ import annotations

import re
from typing import Any

# Imported only by stages.nlp once spaCy is needed.
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# Columns of the token array the indexed matcher reads.
_COLUMNS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_EQ, _IN, _NOT_IN, _REGEX = range(4)
# spaCy's own cache is unbounded too; this bound keeps a long run's memory flat (a news corpus needs a
# few tens of thousands of entries).
_CACHE_MAX = 500_000

Predicate = tuple[int, int, Any]  # column, operator, value


class _Unsupported(Exception):
    """A pattern this matcher does not handle: keep spaCy's Matcher."""


class IndexedRules:
    """The attribute ruler's matching, indexed by the first token's tag, lower-case form or dependency."""

    def __init__(self, ruler: Any) -> None:
        strings = ruler.vocab.strings
        # Patterns filed by their first token's tag, lower-case form, dependency or being a space.
        self._by_column: list[dict[int, list[tuple[int, list[list[Predicate]], int]]]] = [{}, {}, {}, {}]
        self._always: list[tuple[int, list[list[Predicate]], int]] = []
        for rule, entry in enumerate(ruler.patterns):
            index = entry["index"]
            for pattern in entry["patterns"]:
                if not pattern or not -len(pattern) <= index < len(pattern):
                    raise _Unsupported(pattern)
                specs = [self._predicates(token, strings) for token in pattern]
                self._file(rule, specs, index if index >= 0 else len(pattern) + index)

    @staticmethod
    def _predicates(token: dict[str, Any], strings: Any) -> list[Predicate]:
        predicates: list[Predicate] = []
        for name, value in token.items():
            if name not in _COLUMNS:
                raise _Unsupported(name)
            column = _COLUMNS.index(name)
            if isinstance(value, bool):
                predicates.append((column, _EQ, int(value)))
            elif isinstance(value, str):
                predicates.append((column, _EQ, strings.add(value)))
            elif isinstance(value, dict) and len(value) == 1:
                op, arg = next(iter(value.items()))
                if op in ("IN", "NOT_IN") and all(isinstance(v, str) for v in arg):
                    hashes = frozenset(strings.add(v) for v in arg)
                    predicates.append((column, _IN if op == "IN" else _NOT_IN, hashes))
                elif op == "REGEX" and isinstance(arg, str):
                    # With the answers per string seen: the same few thousand forms come back.
                    predicates.append((column, _REGEX, (re.compile(arg), {})))
                else:
                    raise _Unsupported(value)
            else:
                raise _Unsupported(value)
        return predicates

    def _file(self, rule: int, specs: list[list[Predicate]], target: int) -> None:
        """File a pattern under one key of its first token (one bucket per pattern and token, so a
        token never tries a pattern twice)."""
        entry = (rule, specs, target)
        # Most selective first: a lower-case form is rarer than a tag, a tag than a dependency.
        for column, ops in ((1, (_EQ, _IN)), (0, (_EQ,)), (2, (_EQ,)), (0, (_IN,)), (2, (_IN,)), (3, (_EQ,))):
            for col, op, value in specs[0]:
                if col == column and op in ops:
                    for key in value if op == _IN else (value,):
                        self._by_column[column].setdefault(key, []).append(entry)
                    return
        self._always.append(entry)

    def match(self, doc: Doc) -> list[tuple[int, int]]:
        """(rule, token index) of every match, in the order spaCy applies them."""
        rows = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        n = len(rows)
        strings = doc.vocab.strings
        by_tag, by_lower, by_dep, by_space = self._by_column
        hits = []
        empty: list[tuple[int, list[list[Predicate]], int]] = []
        for i, row in enumerate(rows):
            for bucket in (
                by_tag.get(row[0], empty),
                by_lower.get(row[1], empty),
                by_dep.get(row[2], empty),
                by_space.get(row[3], empty),
                self._always,
            ):
                for rule, specs, target in bucket:
                    if i + len(specs) <= n and _matches(specs, rows, i, strings):
                        hits.append((rule, i + target))
        hits.sort()
        return hits


def _matches(specs: list[list[Predicate]], rows: list[list[int]], start: int, strings: Any) -> bool:
    for offset, predicates in enumerate(specs):
        row = rows[start + offset]
        for column, op, value in predicates:
            got = row[column]
            if op == _EQ:
                if got != value:
                    return False
            elif op == _IN:
                if got not in value:
                    return False
            elif op == _NOT_IN:
                if got in value:
                    return False
            else:
                regex, seen = value
                found = seen.get(got)
                if found is None:
                    if len(seen) > _CACHE_MAX:
                        seen.clear()
                    found = seen[got] = regex.search(strings[got]) is not None
                if not found:
                    return False
    return True


class RuleApplier:
    """The attribute ruler's call: its matches from :class:`IndexedRules`, applied as spaCy does."""

    def __init__(self, ruler: Any, rules: IndexedRules) -> None:
        self._attrs = ruler.attrs
        self._rules = rules

    def __call__(self, doc: Doc) -> Doc:
        for rule, token in self._rules.match(doc):
            set_token_attrs(doc[token], self._attrs[rule])
        return doc


class CachedLemmas:
    """The rule lemmatizer's lemmas, cached on (form, part of speech, morphology) for every token."""

    def __init__(self, lemmatizer: Any) -> None:
        self._lemmatizer = lemmatizer
        self._strings = lemmatizer.vocab.strings
        self._cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        overwrite = self._lemmatizer.overwrite
        cache = self._cache
        if len(cache) > _CACHE_MAX:
            cache.clear()
        for i, (orth, pos, morph, lemma) in enumerate(doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()):
            if lemma and not overwrite:
                continue  # set by the attribute ruler's exceptions
            key = (orth, pos, morph)
            value = cache.get(key)
            if value is None:
                value = cache[key] = self._strings.add(self._lemmatizer.lemmatize(doc[i])[0])
            doc[i].lemma = value
        return doc


def speed_up(nlp: Language) -> list[str]:
    """Swap in the faster loops where they apply; returns the names of the components sped up."""
    done = []
    for name, component in nlp.pipeline:
        if type(component) is AttributeRuler:
            try:
                rules = IndexedRules(component)
            except _Unsupported:
                continue
            component.__class__ = _IndexedAttributeRuler
            component._storyline_call = RuleApplier(component, rules)
            done.append(name)
        elif type(component) in (Lemmatizer, EnglishLemmatizer) and component.mode == "rule":
            component.__class__ = (
                _CachedEnglishLemmatizer if type(component) is EnglishLemmatizer else _CachedLemmatizer
            )
            component._storyline_call = CachedLemmas(component)
            done.append(name)
    return done


# The components keep their class's data and methods; only the call (made by nlp(text) and, through
# Pipe.pipe, by nlp.pipe) changes. Module-level classes, so a pipeline sent to another process pickles.
class _IndexedAttributeRuler(AttributeRuler):
    def __call__(self, doc: Doc) -> Doc:
        return self._storyline_call(doc)  # type: ignore[attr-defined,no-any-return]


class _CachedLemmatizer(Lemmatizer):
    def __call__(self, doc: Doc) -> Doc:
        return self._storyline_call(doc)  # type: ignore[attr-defined,no-any-return]


class _CachedEnglishLemmatizer(EnglishLemmatizer):
    def __call__(self, doc: Doc) -> Doc:
        return self._storyline_call(doc)  # type: ignore[attr-defined,no-any-return]
