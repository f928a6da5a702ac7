"""The faster attribute ruler and lemmatizer loops give exactly spaCy's annotations.

Every token's tag, part of speech, dependency, morphology, lemma and norm after the two components is
compared with spaCy's own on the gold articles' texts and on the forms the ruler's exceptions are about.
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
