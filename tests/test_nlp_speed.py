"""The faster loops (attribute ruler, lemmatizer, entity decoding, matrix products) give exactly spaCy's
annotations.

Every token's tag, part of speech, dependency, morphology, lemma and norm after the two rule components is
compared with spaCy's own on the gold articles' texts and on the forms the ruler's exceptions are about;
the whole pipeline's output (entities and sentences included) with spaCy's untouched pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyline.errors import StorylineError

GOLD = Path(__file__).resolve().parent / "gold"
# Forms the attribute ruler has exceptions for: contractions, regex patterns, "there is", spaces,
# auxiliaries used as main verbs, determiners used as pronouns.
TRICKY = (
    "Y'all ain't seen nothin' yet, he said. It gets worse: she got the job that they did.\n\n\n"
    "There were  two of them; do you have that?  Those are mine. We'd done it, hadn't we? "
    "It's what he does.\n \nThat's all, y' all."
)


@pytest.fixture(scope="module")
def pipelines() -> tuple[Any, Any]:
    import spacy

    from storyline.stages.nlp import load_nlp, model_name

    try:
        fast = load_nlp()
    except StorylineError as exc:
        pytest.skip(str(exc))
    return spacy.load(model_name(), exclude=["ner"]), fast


def texts() -> list[str]:
    found = [TRICKY]
    for name in ("entities.json", "quotes.json"):
        found += [a["text"] for a in json.loads((GOLD / name).read_text(encoding="utf-8"))["articles"]]
    return found


def annotations(doc: Any) -> list[tuple[Any, ...]]:
    return [(t.tag_, t.pos_, t.dep_, str(t.morph), t.lemma_, t.norm_, t.head.i) for t in doc]


def test_fast_components_are_installed(pipelines: tuple[Any, Any]) -> None:
    _, fast = pipelines
    assert type(fast.get_pipe("attribute_ruler")).__name__ == "_IndexedAttributeRuler"
    assert type(fast.get_pipe("lemmatizer")).__name__ == "_CachedEnglishLemmatizer"
    assert type(fast.get_pipe("ner")).__name__ == "LockstepEntityRecognizer"
    assert fast.get_pipe("ner").labels == fast.get_pipe("ner")._ner.labels  # the rest is spaCy's
    assert not fast.get_pipe("tok2vec").model.ops.use_blis


# Entities at the very start and end, next to line breaks and runs of spaces, across a sentence
# boundary, a one-token and an empty text: the edges of the entity decoder's rules.
EDGES = (
    "Barack Obama met Angela Merkel in Berlin on Monday",
    "  Moscow.\n\nSergei Lavrov said  the United Nations  would meet in New York. Reuters",
    "Paris",
    "",
    "\n \n",
)


def full_annotations(doc: Any) -> list[tuple[Any, ...]]:
    rows = zip(annotations(doc), doc, strict=True)
    return [(*row, t.ent_iob_, t.ent_type_, t.is_sent_start) for row, t in rows]


def test_whole_pipeline_same_as_spacy() -> None:
    import spacy

    from storyline.stages.nlp import load_nlp, model_name
    from storyline.stages.nlp_speed import use_numpy_matmul

    try:
        fast = load_nlp()
    except StorylineError as exc:
        pytest.skip(str(exc))
    plain = spacy.load(model_name())
    # The same matrix products on both sides (numpy's): a product's last bits depend on the BLAS library
    # and the CPU, which bench/analyse_same.py checks on real articles; this test is about the loops.
    use_numpy_matmul(plain)
    corpus = texts() + list(EDGES)
    # Batches of documents of different lengths (decoded in lock step) and one document at a time.
    expected = [full_annotations(doc) for doc in plain.pipe(corpus, batch_size=8)]
    assert [full_annotations(doc) for doc in fast.pipe(corpus, batch_size=8)] == expected
    assert [full_annotations(fast(text)) for text in corpus[-6:]] == expected[-6:]
    assert sum(len(doc.ents) for doc in fast.pipe(corpus)) > 100  # the comparison is about something


def test_entity_decoder_allows_exactly_the_moves_spacy_allows() -> None:
    """The decoder's table of valid moves against spaCy's own ``is_valid``, along random walks over a text
    with spaces, line breaks and sentence starts (rules the model's scores rarely put to the test)."""
    import random

    from spacy.pipeline._parser_internals.stateclass import StateClass

    from storyline.stages.nlp import load_nlp

    try:
        ner = load_nlp().get_pipe("ner")
    except StorylineError as exc:
        pytest.skip(str(exc))
    decoder, moves = ner._decoder, ner.moves
    doc = load_nlp().make_doc("Anna  Smith lives in \n Paris , France. She left \n\n Rome  today")
    for token in doc:
        token.is_sent_start = token.i == 0 or token.text in ("She", "Rome")
    space, can_continue = decoder._token_flags([doc])
    names = [moves.get_class_name(i) for i in range(moves.n_moves)]
    n_states = decoder._n_labels + 1
    rng = random.Random(7)
    for _ in range(40):
        state, current = StateClass(doc), -1
        for t in range(len(doc)):
            spacy_valid = [i for i, name in enumerate(names) if moves.is_valid(state, name)]
            code = (int(space[t]) * 2 + int(can_continue[t])) * n_states + current + 1
            assert [int(i) for i in (decoder._mask[code] == 0).nonzero()[0]] == spacy_valid, (t, current)
            move = rng.choice(spacy_valid)
            moves.apply_transition(state, names[move])
            current = int(decoder._next_label[move])
        assert state.is_final()


def test_entities_already_set_are_kept_as_spacy_keeps_them() -> None:
    import spacy
    from spacy.tokens import Span

    from storyline.stages.nlp import load_nlp, model_name

    try:
        fast = load_nlp()
    except StorylineError as exc:
        pytest.skip(str(exc))
    plain = spacy.load(model_name())
    got = []
    for nlp in (plain, fast):
        doc = nlp.make_doc("Acme Widgets said on Monday that Jane Doe would lead it.")
        doc.set_ents([Span(doc, 0, 2, label="ORG")], default="missing")
        for _, component in nlp.pipeline:
            doc = component(doc)
        got.append([(e.start, e.end, e.label_) for e in doc.ents])
    assert got[0] == got[1]
    assert got[1][0] == (0, 2, "ORG")


def test_same_annotations_as_spacy(pipelines: tuple[Any, Any]) -> None:
    plain, fast = pipelines
    with plain.select_pipes(disable=["attribute_ruler", "lemmatizer"]):
        parsed = list(plain.pipe(texts()))
    for doc in parsed:
        expected = plain.get_pipe("lemmatizer")(plain.get_pipe("attribute_ruler")(doc.copy()))
        # Twice: the second pass answers from the lemma and regex caches.
        for _ in range(2):
            got = fast.get_pipe("lemmatizer")(fast.get_pipe("attribute_ruler")(doc.copy()))
            assert annotations(got) == annotations(expected)
    lemmas = {t.lemma_ for t in fast(TRICKY)}
    assert {"be", "nothing", "you", "get"} <= lemmas  # the exceptions' lemmas did apply


def test_unsupported_patterns_keep_spacys_matcher() -> None:
    import spacy

    from storyline.stages.nlp_speed import speed_up

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "new"}, {"LOWER": "york", "OP": "?"}]], {"TAG": "NNP"})
    assert speed_up(nlp) == []
    assert type(nlp.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"
    assert nlp("New York")[0].tag_ == "NNP"
