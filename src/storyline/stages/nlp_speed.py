"""Faster loops for four parts of spaCy's pipeline, with results identical to spaCy's own.

Profiled on Timeline17 articles (about 870 tokens each), plain ``en_core_web_sm`` costs about 140 ms of CPU
per article; with these loops about 62 ms, every annotation the same:

* the **attribute ruler** (tag map and exceptions: about 180 one- and two-token Matcher patterns). spaCy's
  Matcher tries every pattern at every token; here each pattern is filed under the tag, lower-case form
  or dependency its first token needs, so a token tries only the few patterns that can match it. The
  matched rules are then applied exactly as spaCy applies them: ascending rule order, the same
  ``set_token_attrs``.
* the **rule lemmatizer**, which builds Python objects for every token and caches only part of its
  answers. A rule lemma depends on the token's form, part of speech and morphology and nothing else, so
  it is cached on those three (spaCy's own cache key) for every token, and tokens are read as arrays. A
  form not seen yet is lemmatised by :class:`RuleLemmas`, spaCy 3.8's rules step for step with each part
  of speech's known forms in a set (spaCy scans a list of about 57,000 for each: 101 against 4.8 us a
  form; measured in session 6, the lemmatizer went from 6.8 to 1.3 ms an article).
* the **matrix products** of the networks (the two CNN token encoders, about half of their time): thinc
  uses BLIS, about three times slower than numpy's OpenBLAS on this machine's CPU.
* the **entity recogniser's decoding** (:class:`LockstepNer`): spaCy checks 74 actions' validity one state
  at a time, in C, and that was 40 % of the recogniser; here a batch advances one token per step (the
  last document of a batch alone on single rows).

Each is installed only when the component is the plain spaCy one and of the kinds handled here; anything
else keeps spaCy's code (``STORYLINE_SPACY_FAST=0`` keeps it throughout). tests/test_nlp_speed.py checks the
equality on parsed text, bench/analyse_same.py on a whole analysed corpus.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

# Imported only by stages.nlp once spaCy is needed.
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.errors import Warnings
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import AttributeRuler, EntityRecognizer, Lemmatizer
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# Columns of the token array the indexed matcher reads.
_COLUMNS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_EQ, _IN, _NOT_IN, _REGEX = range(4)
# spaCy's own cache is unbounded too; this bound keeps a long run's memory flat (a news corpus needs a
# few tens of thousands of entries).
_CACHE_MAX = 500_000

Predicate = tuple[int, int, Any]  # column, operator, value
# A filed pattern: its rule, its tokens' tests (None: none left beyond the key it is filed under), and
# which token the rule's attributes go to.
Entry = tuple[int, list[list[Predicate]] | None, int]


class _Unsupported(Exception):
    """A pattern this matcher does not handle: keep spaCy's Matcher."""


class IndexedRules:
    """The attribute ruler's matching, indexed by the first token's tag, lower-case form or dependency."""

    def __init__(self, ruler: Any) -> None:
        strings = ruler.vocab.strings
        # Patterns filed by their first token's tag, lower-case form, dependency or being a space.
        self._by_column: list[dict[int, list[Entry]]] = [{}, {}, {}, {}]
        self._always: list[Entry] = []
        # Patterns whose first token is tested by a regex on its lower-case form (and nothing indexed
        # above), and per form seen, those of them whose regex it matches.
        self._lower_regexes: list[tuple[re.Pattern[str], Entry]] = []
        self._lower_regex_cache: dict[int, list[Entry]] = {}
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
                    if len(specs) == 1 and len(specs[0]) == 1:
                        # One token, one test, the key it is filed under: every token found there matches.
                        entry = (rule, None, target)
                    for key in value if op == _IN else (value,):
                        self._by_column[column].setdefault(key, []).append(entry)
                    return
        for col, op, value in specs[0]:
            if col == 1 and op == _REGEX:
                # Filed by the lower-case forms its regex matches, found as new forms come.
                implied = len(specs) == 1 and len(specs[0]) == 1
                self._lower_regexes.append((value[0], (rule, None, target) if implied else entry))
                return
        self._always.append(entry)

    def _by_lower_regex(self, lower: int, strings: Any) -> list[Entry]:
        """The patterns filed by a regex on their first token's lower-case form that this form matches."""
        if len(self._lower_regex_cache) > _CACHE_MAX:
            self._lower_regex_cache.clear()
        form = strings[lower]
        found = self._lower_regex_cache[lower] = [
            entry for regex, entry in self._lower_regexes if regex.search(form) is not None
        ]
        return found

    def match(self, doc: Doc) -> list[tuple[int, int]]:
        """(rule, token index) of every match, in the order spaCy applies them."""
        rows = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        n = len(rows)
        strings = doc.vocab.strings
        by_tag, by_lower, by_dep, by_space = self._by_column
        hits = []
        empty: list[Entry] = []
        by_lower_regex = self._lower_regex_cache
        for i, row in enumerate(rows):
            lower_regex = by_lower_regex.get(row[1])
            if lower_regex is None:
                lower_regex = self._by_lower_regex(row[1], strings)
            for bucket in (
                by_tag.get(row[0], empty),
                by_lower.get(row[1], empty),
                by_dep.get(row[2], empty),
                by_space.get(row[3], empty),
                lower_regex,
                self._always,
            ):
                for rule, specs, target in bucket:
                    if specs is None or (i + len(specs) <= n and _matches(specs, rows, i, strings)):
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
    """The rule lemmatizer's lemmas, cached on (form, part of speech, morphology) for every token. A
    form not cached yet is lemmatized by :class:`RuleLemmas`."""

    def __init__(self, lemmatizer: Any) -> None:
        self._lemmatizer = lemmatizer
        self._strings = lemmatizer.vocab.strings
        self._cache: dict[tuple[int, int, int], int] = {}
        self._rules = RuleLemmas(lemmatizer)

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
                value = cache[key] = self._strings.add(self._rules(doc[i])[0])
            doc[i].lemma = value
        return doc


class RuleLemmas:
    """spaCy's ``Lemmatizer.rule_lemmatize`` (3.8), step for step, with each part of speech's index of
    known forms as a set: spaCy keeps it as a list (57,000 nouns) and scans it for every form a suffix
    rule makes, which cost about 0.15 ms a new form, most of the lemmatizer's time on a few hundred
    articles. Same tables, same order of rules and exceptions, so the same lemmas."""

    def __init__(self, lemmatizer: Any) -> None:
        self._lemmatizer = lemmatizer
        self._lookups = lemmatizer.lookups
        self._tables: dict[str, tuple[bool, frozenset[str], dict[str, list[str]], list[list[str]]]] = {}

    def _table(self, univ_pos: str) -> tuple[bool, frozenset[str], dict[str, list[str]], list[list[str]]]:
        found = self._tables.get(univ_pos)
        if found is None:
            index_table = self._lookups.get_table("lemma_index", {})
            exc_table = self._lookups.get_table("lemma_exc", {})
            rules_table = self._lookups.get_table("lemma_rules", {})
            known = any((index_table.get(univ_pos), exc_table.get(univ_pos), rules_table.get(univ_pos)))
            found = self._tables[univ_pos] = (
                known,
                frozenset(index_table.get(univ_pos, {})),
                exc_table.get(univ_pos, {}),
                rules_table.get(univ_pos, {}),
            )
        return found

    def __call__(self, token: Any) -> list[str]:
        string = token.text
        univ_pos = token.pos_.lower()
        if univ_pos in ("", "eol", "space"):
            if univ_pos == "":
                warnings.warn(Warnings.W108, stacklevel=2)
            return [string.lower()]
        if self._lemmatizer.is_base_form(token):
            return [string.lower()]
        known, index, exceptions, rules = self._table(univ_pos)
        if not known:
            return [string] if univ_pos == "propn" else [string.lower()]
        orig = string
        string = string.lower()
        forms: list[str] = []
        oov_forms = []
        for old, new in rules:
            if string.endswith(old):
                form = string[: len(string) - len(old)] + new
                if not form:
                    pass
                elif form in index:
                    forms.insert(0, form)
                elif not form.isalpha():
                    forms.append(form)
                else:
                    oov_forms.append(form)
        forms = list(dict.fromkeys(forms))
        for form in exceptions.get(string, []):
            if form not in forms:
                forms.insert(0, form)
        if not forms:
            forms.extend(oov_forms)
        if not forms:
            forms.append(orig)
        return forms


def speed_up(nlp: Language) -> list[str]:
    """Swap in the faster loops where they apply; returns the names of the components sped up."""
    done = []
    for index, (name, component) in enumerate(nlp._components):
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
        elif type(component) is EntityRecognizer:
            try:
                decoder = LockstepNer(component)
            except _Unsupported:
                continue
            # A cdef class: its instance's class cannot be swapped, so the pipeline entry is.
            nlp._components[index] = (name, LockstepEntityRecognizer(component, decoder))
            done.append(name)
    if done:
        use_numpy_matmul(nlp)
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


# --- Matrix products: numpy's OpenBLAS instead of BLIS --------------------------------------------------


# On this machine's CPU (AMD EPYC, Zen 5) BLIS multiplies float32 matrices at about 35 GFLOPS on one
# core and numpy's OpenBLAS at about 110 (with this environment's OPENBLAS_CORETYPE=Haswell). A py-spy
# profile of the token encoder put its products at over half its time. Same products, same annotations on
# the gold and Timeline17 texts (tests/test_nlp_speed.py, bench/analyse_same.py).
def use_numpy_matmul(nlp: Language) -> None:
    """Have every component's network multiply matrices with numpy, with one BLAS thread per process
    (for the whole process: numpy's other products in it run on one thread too)."""
    from thinc.api import Model, NumpyOps

    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            for node in model.walk():
                node.ops = ops
    _one_blas_thread()


def _one_blas_thread() -> None:
    """One OpenBLAS thread: the parse runs one process per core, and idle BLAS threads spin on CPU."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn (an nlp dependency) brings it
        return
    threadpool_limits(1, user_api="blas")


# --- Named entities: the greedy transition loop, vectorised over a batch ---------------------------------

# spaCy's entity recogniser is a transition system whose every action consumes exactly one token, so the
# documents of a batch advance in lock step: token t of every document is decided at step t. spaCy asks 74
# validity functions per token and state, one state at a time (about 40 % of the recogniser's time);
# here each step is a few array operations over the whole batch: the same features (next token, first
# token of the open entity, previous token), the same sums in the same order, the same upper-layer
# product (BLIS, as spaCy) and the same choice (the first best-scoring valid action).
_BEGIN, _IN, _LAST, _UNIT, _OUT = range(5)
_MOVE_TYPES = {"B": _BEGIN, "I": _IN, "L": _LAST, "U": _UNIT, "O": _OUT}


class LockstepNer:
    """Greedy decoding of spaCy's entity recogniser (BILUO moves), one step per token for a whole batch."""

    def __init__(self, ner: Any) -> None:
        import numpy as np

        model = ner.model
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        if (
            ner.cfg.get("beam_width", 1) != 1
            or not model.attrs.get("has_upper")
            or model.attrs.get("unseen_classes")
            or len(model.layers) != 3
            or model.layers[1].get_dim("nF") != 3
            or model.layers[1].get_dim("nP") < 2
            or any(name[0] not in _MOVE_TYPES or (name != "O" and name[1] != "-") for name in names)
        ):
            raise _Unsupported(names)
        labels = sorted({name[2:] for name in names if name[2:]})
        strings = ner.vocab.strings
        self._label_hash = [strings.add(label) for label in labels]
        self._types = np.array([_MOVE_TYPES[name[0]] for name in names])
        # Label index of each move (-1: no label, the "O" and "U-" moves).
        self._labels = np.array([labels.index(name[2:]) if name[2:] else -1 for name in names])
        self._tok2vec, self._lower, self._upper = model.layers
        self._n_labels = len(labels)
        self._mask = self._valid_moves()
        types, move_labels = self._types, self._labels
        # After each move: the open entity's label (-1: none), whether it opens or closes one.
        self._next_label = np.where((types == _BEGIN) | (types == _IN), move_labels, -1)
        self._opens = types == _BEGIN
        self._closes = (types == _LAST) | ((types == _UNIT) & (move_labels >= 0))

    def _valid_moves(self) -> Any:
        """Per state code, 0 for a valid move and -inf for another (added to the scores): spaCy's
        ``is_valid`` rules for text without preset entities. A code is (token is a space?, may the entity
        go on past it?, open entity's label + 1, 0 if none)."""
        import numpy as np

        types, labels = self._types, self._labels
        n_states = self._n_labels + 1
        mask = np.full((4 * n_states, len(types)), -np.inf, dtype=np.float32)
        for space in (0, 1):
            for goes_on in (0, 1):
                for current in range(-1, self._n_labels):
                    closed = current < 0
                    valid = (
                        ((types == _BEGIN) & closed & bool(goes_on) & (not space))
                        | ((types == _IN) & (labels == current) & bool(goes_on))
                        | ((types == _LAST) & (labels == current) & (not closed))
                        | ((types == _UNIT) & (labels >= 0) & closed & (not space))
                        | ((types == _OUT) & closed)
                    )
                    mask[(space * 2 + goes_on) * n_states + current + 1, valid] = 0.0
        return mask

    def predict(self, docs: list[Doc]) -> list[list[tuple[int, int, int]]]:
        """The entities (start, end, label index) of each document."""
        import numpy as np
        from blis.py import gemm as blis_gemm

        found: list[list[tuple[int, int, int]]] = [[] for _ in docs]
        order = sorted((i for i, doc in enumerate(docs) if len(doc)), key=lambda i: -len(docs[i]))
        if not order:
            return found
        batch = [docs[i] for i in order]
        lengths = np.array([len(doc) for doc in batch])
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        cached = self._lower.predict(self._tok2vec.predict(batch))  # (tokens + 1, 3, hidden, pieces); 0: pad
        n_hidden, n_pieces = cached.shape[2], cached.shape[3]
        # Rows: tokens of the batch (+1: row 0 is the padding); one column per feature.
        cached = cached.reshape((cached.shape[0], 3, n_hidden * n_pieces))
        bias = self._lower.get_param("b").reshape(-1)
        weights, upper_bias = self._upper.get_param("W"), self._upper.get_param("b")
        space, can_continue = self._token_flags(batch)
        # The state of a document, as one code: (space?, may continue?, open entity's label + 1).
        codes_per_flag = np.asarray(space, dtype=np.int64) * 2 + can_continue
        n_states = self._n_labels + 1
        mask, next_label, closes = self._mask, self._next_label, self._closes
        # The rows of each feature, and per token the mask row of its code with no entity open (adding
        # the open entity's label gives the row of the state).
        next_rows, open_rows, previous_rows = cached[:, 0], cached[:, 1], cached[:, 2]
        mask_rows = codes_per_flag * n_states + 1
        sizes = lengths.tolist()
        n = m = len(batch)
        current = np.full(n, -1)
        start = np.zeros(n, dtype=np.int64)
        for t in range(sizes[0]):
            while sizes[m - 1] <= t:  # longest first: the active documents are a prefix
                m -= 1
            if m < n:
                n, current, start = m, current[:m], start[:m]
            if m == 1:
                # One document left (the longest, often alone for most of the steps): the same sums on
                # views of its rows, without building index arrays for a batch of one.
                found[order[0]] += self._decode_one(
                    cached, (n_hidden, n_pieces), t, int(lengths[0]), int(offsets[0]), codes_per_flag,
                    (int(current[0]), int(start[0])),
                )  # fmt: skip
                break
            pos = offsets[:m] + t
            is_open = current >= 0
            hidden = next_rows[pos + 1] + open_rows[np.where(is_open, start + 1, 0)]
            hidden += previous_rows[np.where(is_open, pos, 0)]
            hidden += bias
            hidden = hidden.reshape((m, n_hidden, n_pieces)).max(axis=2)
            scores = blis_gemm(hidden, weights, trans2=True)
            scores += upper_bias
            scores += mask[mask_rows[pos] + current]
            guess = scores.argmax(axis=1)
            for row in np.flatnonzero(closes[guess]):
                move = int(guess[row])
                if self._types[move] == _LAST:
                    found[order[row]].append((int(start[row] - offsets[row]), t + 1, int(current[row])))
                else:
                    found[order[row]].append((t, t + 1, int(self._labels[move])))
            start = np.where(self._opens[guess], pos, start)
            current = next_label[guess]
        return found

    def _decode_one(
        self,
        cached: Any,
        shape: tuple[int, int],
        first: int,
        length: int,
        offset: int,
        codes: Any,
        state: tuple[int, int],
    ) -> list[tuple[int, int, int]]:
        """:meth:`predict`'s steps from token ``first`` on, for the one document of the batch still
        going (its tokens are rows ``offset + 1 ...`` of ``cached``; ``state``: its open entity's label
        or -1, and where that entity starts): the same rows added in the same order, the same product
        and choice, on single rows."""
        from blis.py import gemm as blis_gemm

        n_hidden, n_pieces = shape
        current, start = state
        bias = self._lower.get_param("b").reshape(-1)
        weights, upper_bias = self._upper.get_param("W"), self._upper.get_param("b")
        mask, n_states = self._mask, self._n_labels + 1
        next_label, opens, closes = self._next_label.tolist(), self._opens.tolist(), self._closes.tolist()
        types, labels = self._types.tolist(), self._labels.tolist()
        found = []
        for t, code in enumerate(codes[offset + first : offset + length].tolist(), start=first):
            pos = offset + t
            if current >= 0:
                hidden = cached[pos + 1, 0] + cached[start + 1, 1]
                hidden += cached[pos, 2]
            else:
                hidden = cached[pos + 1, 0] + cached[0, 1]
                hidden += cached[0, 2]
            hidden += bias
            hidden = hidden.reshape((1, n_hidden, n_pieces)).max(axis=2)
            scores = blis_gemm(hidden, weights, trans2=True)
            scores += upper_bias
            scores += mask[code * n_states + current + 1]
            move = int(scores.argmax())
            if closes[move]:
                if types[move] == _LAST:
                    found.append((start - offset, t + 1, current))
                else:
                    found.append((t, t + 1, labels[move]))
            if opens[move]:
                start = pos
            current = next_label[move]
        return found

    @staticmethod
    def _token_flags(batch: list[Doc]) -> tuple[Any, Any]:
        """Per token of the batch: is it a space, and may an entity go on past it (a next token in the
        same sentence)? spaCy's rules: no entity starts on a space nor crosses a sentence start."""
        import numpy as np
        from spacy.attrs import SENT_START

        space, can_continue = [], []
        for doc in batch:
            rows = doc.to_array([IS_SPACE, SENT_START]).astype(np.int64)
            space.append(rows[:, 0].astype(bool))
            following = np.append(rows[1:, 1], 1)  # the last token has no next one
            can_continue.append(following != 1)
        return np.concatenate(space), np.concatenate(can_continue)

    def set_annotations(self, docs: list[Doc], found: list[list[tuple[int, int, int]]]) -> None:
        from spacy.tokens import Span

        for doc, ents in zip(docs, found, strict=True):
            spans = [Span(doc, s, e, label=self._label_hash[label]) for s, e, label in sorted(ents)]
            doc.set_ents(spans, default="outside")


def _has_preset_entities(docs: list[Doc]) -> bool:
    from spacy.attrs import ENT_IOB

    return any(len(doc) and doc.to_array([ENT_IOB]).any() for doc in docs)


class LockstepEntityRecognizer:
    """Stands in for spaCy's entity recogniser in the pipeline: its decoding by :class:`LockstepNer`
    (spaCy's own for documents with entities already set); everything else is the component's."""

    def __init__(self, ner: Any, decoder: LockstepNer) -> None:
        self._ner = ner
        self._decoder = decoder

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_ner", "_decoder"):
            raise AttributeError(name)
        return getattr(self._ner, name)

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, docs: Any, *, batch_size: int = 256) -> Any:
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            self._annotate(batch)
            yield from batch

    def _annotate(self, docs: list[Doc]) -> None:
        if _has_preset_entities(docs):
            self._ner.set_annotations(docs, self._ner.predict(docs))
        else:
            self._decoder.set_annotations(docs, self._decoder.predict(docs))
