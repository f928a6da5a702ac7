"""Entities: per-article mentions (find_mentions) and corpus-wide canonical entities (resolve_entities).

Unit tests build spaCy documents by hand (no model); the gold set and the Lavrov corpus use the model,
loaded once per session. Quality floors for the gold set are pinned in gold/floors-entities.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storyline.analysis import Mention
from storyline.model import Article
from storyline.stages.entities import ENTITIES_VERSION, find_mentions, is_debris
from storyline.stages.resolve import (
    edit_distance,
    normalise_name,
    resolve_entities,
    same_person_by_spelling,
)
from storyline.store.base import EntityOverride

spacy = pytest.importorskip("spacy")

GOLD = Path(__file__).parent / "gold"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "lavrov-china"


# --- documents built by hand ------------------------------------------------------------------------


def make_doc(text: str, ents: list[tuple[str, str]]) -> Any:
    """A Doc of whitespace-split ``text`` (a token "." ends a sentence) with the given entities, found in
    order: each (surface, label) must be a run of whole tokens."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    words = text.split()
    starts = [i == 0 or words[i - 1] == "." for i in range(len(words))]
    doc = Doc(Vocab(), words=words, sent_starts=starts)
    spans, position = [], 0
    for surface, label in ents:
        n = len(surface.split())
        while words[position : position + n] != surface.split():
            position += 1
        spans.append(
            doc.char_span(doc[position].idx, doc[position + n - 1].idx + len(words[position + n - 1]))
        )
        spans[-1].label_ = label
        position += n
    doc.ents = spans
    return doc


def mention(key: str, label: str = "PERSON", text: str | None = None, role: str | None = None) -> Mention:
    return Mention(0, 1, text or key, label, key, 0, role)


def test_version_is_recorded() -> None:
    assert ENTITIES_VERSION


def test_offsets_are_exact_and_leading_the_and_possessive_are_trimmed() -> None:
    doc = make_doc(
        "the United States backed Janet Yellen 's trip .",
        [("the United States", "GPE"), ("Janet Yellen 's", "PERSON")],
    )
    found = find_mentions(doc)
    assert [(m.text, m.label) for m in found] == [("United States", "GPE"), ("Janet Yellen", "PERSON")]
    for m in found:
        assert doc.text[m.start : m.end] == m.text


def test_debris_is_dropped() -> None:
    for text in [
        "Blank> Pakistani",
        "R = NOFOLLOW",
        "_Blank",
        "X",
        "2024",
        "HomeWorldAsiaRussian",
        "NOFOLLOW",
    ]:
        assert is_debris(text, "PERSON"), text
    assert is_debris("COVID-19", "PERSON")
    assert is_debris("Councilor", "PERSON")
    assert is_debris("State", "ORG")
    for text in ["McDonald", "YouTube", "Wang Yi", "US", "U.S."]:
        assert not is_debris(text, "PERSON" if " " in text else "ORG"), text
    doc = make_doc("Blank> Pakistani officials met .", [("Blank> Pakistani", "PERSON")])
    assert find_mentions(doc) == []


def test_bracketed_acronym_is_split_from_its_name() -> None:
    doc = make_doc(
        "the Shanghai Cooperation Organization ( SCO met .",
        [("the Shanghai Cooperation Organization ( SCO", "ORG")],
    )
    assert [m.text for m in find_mentions(doc)] == ["Shanghai Cooperation Organization", "SCO"]


def test_bare_surname_of_a_person_is_that_person_even_if_tagged_org() -> None:
    doc = make_doc(
        "Sergey Lavrov arrived . Lavrov said so . Putin agreed . Putin left .",
        [("Sergey Lavrov", "PERSON"), ("Lavrov", "ORG"), ("Putin", "PERSON"), ("Putin", "GPE")],
    )
    found = find_mentions(doc)
    assert [(m.text, m.label, m.key) for m in found] == [
        ("Sergey Lavrov", "PERSON", "Sergey Lavrov"),
        ("Lavrov", "PERSON", "Sergey Lavrov"),
        ("Putin", "PERSON", "Putin"),  # no full name here: the majority label
        ("Putin", "PERSON", "Putin"),
    ]
    assert [m.sentence for m in found] == [0, 1, 2, 3]


def test_surname_first_names_and_ambiguous_surnames() -> None:
    doc = make_doc(
        "Wang Yi met Li Mingjiang and Li Dazhong . Wang said Li was right .",
        [
            ("Wang Yi", "PERSON"),
            ("Li Mingjiang", "PERSON"),
            ("Li Dazhong", "PERSON"),
            ("Wang", "ORG"),
            ("Li", "PERSON"),
        ],
    )
    keys = {m.text: m.key for m in find_mentions(doc)}
    assert keys["Wang"] == "Wang Yi"
    assert keys["Li"] == "Li"  # two full names begin with it: ambiguous, kept as is


def test_transliterated_full_names_in_one_article_share_a_key() -> None:
    doc = make_doc(
        "Sergey Lavrov spoke . Sergey Lavrov left . Sergei Lavrov returned .",
        [("Sergey Lavrov", "PERSON"), ("Sergey Lavrov", "PERSON"), ("Sergei Lavrov", "PERSON")],
    )
    assert {m.key for m in find_mentions(doc)} == {"Sergey Lavrov"}


@pytest.mark.parametrize(
    ("text", "person", "role"),
    [
        ("Chinese Foreign Minister Wang Yi spoke .", "Wang Yi", "Chinese Foreign Minister"),
        ("Russian President Vladimir Putin spoke .", "Vladimir Putin", "Russian President"),
        ("US Secretary of Treasury Janet Yellen spoke .", "Janet Yellen", "US Secretary of Treasury"),
        ("UN Secretary - General Antonio Guterres spoke .", "Antonio Guterres", "UN Secretary - General"),
        (
            "Chinese State Councilor and Foreign Minister Wang Yi spoke .",
            "Wang Yi",
            "Chinese State Councilor and Foreign Minister",
        ),
        ("He met top Russian diplomat Sergey Lavrov .", "Sergey Lavrov", "Russian diplomat"),
        ("He met Xi Jinping and Sergey Lavrov .", "Sergey Lavrov", None),
        ("At the invitation of Chinese Foreign Minister Wang Yi .", "Wang Yi", "Chinese Foreign Minister"),
    ],
)
def test_roles_in_apposition(text: str, person: str, role: str | None) -> None:
    found = [m for m in find_mentions(make_doc(text, [(person, "PERSON")])) if m.text == person]
    assert found[0].role == role


# --- corpus resolution --------------------------------------------------------------------------------


def test_name_helpers() -> None:
    assert normalise_name("The United States") == "united states"
    assert normalise_name("U.S.") == "us"
    assert normalise_name("Asia-Pacific") == normalise_name("Asia Pacific")
    assert edit_distance("sergey", "sergei") == 1
    assert same_person_by_spelling("Sergey Lavrov", "Sergei Lavrov")
    assert same_person_by_spelling("Aleksandr Novak", "Alexander Novak")
    assert not same_person_by_spelling("Michael Jordan", "Michelle Jordan")
    assert not same_person_by_spelling("Li Qiang", "Lu Qiang")


def _by_alias(entities: list[Any]) -> dict[str, Any]:
    return {alias: e for e in entities for alias in e.aliases}


def test_resolve_rules_record_their_reasons() -> None:
    corpus = [
        ("a1", [mention("Sergey Lavrov"), mention("Sergey Lavrov", text="Lavrov"), mention("Xi Jinping")]),
        ("a2", [mention("Sergei Lavrov"), mention("Xi"), mention("U.S.", "GPE"), mention("SCO", "ORG")]),
        ("a3", [mention("Lavrov", "ORG"), mention("United States", "GPE", text="the United States")]),
        (
            "a4",
            [mention("US", "GPE"), mention("Shanghai Cooperation Organization", "ORG"), mention("Lavrov")],
        ),
        ("a5", [mention("Moscow", "GPE"), mention("Kremlin", "ORG"), mention("America", "GPE")]),
    ]
    entities, mapping = resolve_entities(corpus)
    by_alias = _by_alias(entities)
    lavrov = by_alias["Lavrov"]
    assert lavrov.id == "person:sergey-lavrov" and lavrov.label == "PERSON"
    assert {"Sergey Lavrov", "Sergei Lavrov", "Lavrov"} <= set(lavrov.aliases)
    assert lavrov.aliases["Lavrov"] == 3  # counted over every name that says "Lavrov"
    assert lavrov.articles == 4
    reasons = " | ".join(m.reason for m in lavrov.merges)
    assert "transliteration" in reasons and "type conflict" in reasons
    assert by_alias["Xi"].id == "person:xi-jinping"
    assert "surname" in " ".join(m.reason for m in by_alias["Xi"].merges)
    us = by_alias["US"]
    assert us.id == "gpe:united-states" and {"U.S.", "US", "the United States"} <= set(us.aliases)
    assert by_alias["SCO"].id == "org:shanghai-cooperation-organization"
    assert "acronym" in by_alias["SCO"].merges[0].reason
    # Conservative: Moscow is not the Kremlin, America is not merged into the United States.
    assert len({by_alias["Moscow"].id, by_alias["Kremlin"].id, by_alias["America"].id, us.id}) == 4
    assert mapping[("a3", "Lavrov")] == "person:sergey-lavrov"
    assert mapping[("a2", "U.S.")] == "gpe:united-states"
    assert all(m.source == "auto" for e in entities for m in e.merges)


def test_type_conflicts_without_a_full_name_go_to_the_majority_label() -> None:
    corpus = [
        ("a1", [mention("Kyiv", "PERSON"), mention("Kyiv", "GPE"), mention("Kyiv", "GPE")]),
        ("a2", [mention("Kyiv", "GPE"), mention("Hamas", "ORG"), mention("Hamas", "PERSON")]),
    ]
    entities, mapping = resolve_entities(corpus)
    assert _by_alias(entities)["Kyiv"].id == "gpe:kyiv"
    assert len([e for e in entities if "Hamas" in e.aliases]) == 2  # a tie: not merged


def test_surname_shared_by_two_people_is_not_merged() -> None:
    corpus = [("a1", [mention("Li Qiang"), mention("Li Mingjiang")]), ("a2", [mention("Li")])]
    entities, _ = resolve_entities(corpus)
    assert _by_alias(entities)["Li"].id == "person:li"


def test_user_decisions_win_and_undo_merges() -> None:
    corpus = [("a1", [mention("Wang Yi"), mention("Xi Jinping")]), ("a2", [mention("Wang"), mention("Xi")])]
    entities, _ = resolve_entities(corpus)
    assert _by_alias(entities)["Wang"].id == "person:wang-yi"
    split = EntityOverride("split", "Wang", "person:wang-yi")
    entities, mapping = resolve_entities(corpus, [split])
    wang = _by_alias(entities)["Wang"]
    assert wang.id == "person:wang" and wang.merges[0].source == "user"
    assert mapping[("a2", "Wang")] == "person:wang"
    merge = EntityOverride("merge", "Wang", "person:xi-jinping")
    entities, mapping = resolve_entities(corpus, [split, merge])
    assert mapping[("a2", "Wang")] == "person:xi-jinping"
    assert any(m.alias == "Wang" and m.source == "user" for m in _by_alias(entities)["Xi"].merges)
    # A decision about an entity that no longer exists is ignored.
    entities_again, _ = resolve_entities(corpus, [EntityOverride("split", "Wang", "person:nobody")])
    assert _by_alias(entities_again)["Wang"].id == "person:wang-yi"


def test_resolution_is_not_quadratic_in_names() -> None:
    import time

    corpus = [(f"a{i}", [mention(f"Person{i} Surname{i}"), mention(f"Surname{i}")]) for i in range(4000)]
    started = time.perf_counter()
    entities, _ = resolve_entities(corpus)
    assert len(entities) == 4000
    assert time.perf_counter() - started < 10


# --- the gold set, with the model -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def nlp() -> Any:
    from storyline.errors import StorylineError
    from storyline.stages.nlp import load_nlp

    try:
        return load_nlp()
    except StorylineError as exc:
        pytest.skip(str(exc))


def score_gold(gold: dict[str, Any], parse: Callable[[str], Any]) -> dict[str, float]:
    """Mention precision/recall/F1 by exact span and label; canonical-entity accuracy over the gold
    mentions found with the right span; role accuracy over the gold roles."""
    per_article, predicted, expected = [], {}, {}
    for article in gold["articles"]:
        mentions = find_mentions(parse(article["text"]))
        per_article.append((article["id"], mentions))
        predicted[article["id"]] = mentions
        expected[article["id"]] = article["mentions"]
    _, mapping = resolve_entities(per_article)
    tp = fp = fn = right_entity = spans_found = roles_right = roles_total = 0
    for article in gold["articles"]:
        aid = article["id"]
        got = {(m.start, m.end, m.label): m for m in predicted[aid]}
        by_span = {(m.start, m.end): m for m in predicted[aid]}
        want = {(m["start"], m["end"], m["label"]): m for m in expected[aid]}
        tp += len(got.keys() & want.keys())
        fp += len(got.keys() - want.keys())
        fn += len(want.keys() - got.keys())
        for m in expected[aid]:
            found = by_span.get((m["start"], m["end"]))
            if found is not None:
                spans_found += 1
                right_entity += mapping.get((aid, found.key)) == m["entity"]
        for person, role in article.get("roles", {}).items():
            roles_total += 1
            roles_right += any(m.text == person and m.role == role for m in predicted[aid])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "canonical_accuracy": right_entity / spans_found if spans_found else 0.0,
        "role_accuracy": roles_right / roles_total if roles_total else 0.0,
    }


def load_gold() -> dict[str, Any]:
    gold: dict[str, Any] = json.loads((GOLD / "entities.json").read_text(encoding="utf-8"))
    return gold


@pytest.mark.parametrize(
    ("text", "person", "role"),
    [
        ("On Monday President Vladimir Putin said so.", "Vladimir Putin", "President"),
        ("US Secretary of Treasury Janet Yellen visited China.", "Janet Yellen", "US Secretary of Treasury"),
        (
            "Chinese State Councilor and Foreign Minister Wang Yi met Foreign Minister Sergei Lavrov.",
            "Wang Yi",
            "Chinese State Councilor and Foreign Minister",
        ),
        ("The meeting between Xi Jinping and Sergey Lavrov ended.", "Sergey Lavrov", None),
    ],
)
def test_roles_with_the_model(nlp: Any, text: str, person: str, role: str | None) -> None:
    found = [m for m in find_mentions(nlp(text)) if m.text == person]
    assert found and found[0].role == role


def test_markup_debris_never_becomes_an_entity_with_the_model(nlp: Any) -> None:
    text = 'They discussed andNews/China/Story2023 "R = NOFOLLOW TARGET = _Blank> Pakistani conflict issues.'
    for m in find_mentions(nlp(text)):
        assert not any(bad in m.text for bad in ("Blank", "NOFOLLOW", "TARGET", ">", "=")), m


def test_gold_is_consistent() -> None:
    gold = load_gold()
    assert len(gold["articles"]) >= 8
    for article in gold["articles"]:
        for m in article["mentions"]:
            assert article["text"][m["start"] : m["end"]] == m["text"]


def test_gold_scores_stay_above_their_floors(nlp: Any) -> None:
    floors = json.loads((GOLD / "floors-entities.json").read_text(encoding="utf-8"))
    scores = score_gold(load_gold(), nlp)
    for name, floor in floors["floors"].items():
        assert scores[name] >= floor, (name, scores)


def test_gold_corpus_entities(nlp: Any) -> None:
    gold = load_gold()
    per_article = [(a["id"], find_mentions(nlp(a["text"]))) for a in gold["articles"]]
    entities, _ = resolve_entities(per_article)
    by_id = {e.id: e for e in entities}
    assert by_id["gpe:new-delhi"].name == "New Delhi"  # not the dateline's "NEW DELHI"
    for expected in gold["entities"]:
        assert expected["id"] in by_id, expected["id"]
        assert set(expected["aliases"]) <= set(by_id[expected["id"]].aliases), expected
    for entity in entities:
        for alias in entity.aliases:
            assert not any(bad in alias for bad in gold["must_not"]), alias
            assert alias not in gold["must_not_alias"], alias


# --- the Lavrov corpus (../shared, read at run time) -------------------------------------------------------


@pytest.mark.shared
def test_lavrov_corpus_entities(nlp: Any) -> None:
    from storyline.stages.clean import clean_article

    paths = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    if len(paths) < 5:
        pytest.skip(f"the Lavrov corpus is not beside this checkout: {CORPUS}")
    per_article = []
    for path in paths:
        article = clean_article(Article(source=str(path), raw_text=path.read_text(encoding="utf-8")))
        per_article.append((article.id, find_mentions(nlp(article.text))))
    entities, mapping = resolve_entities(per_article)
    by_alias = _by_alias(entities)
    lavrov = [e for e in entities if e.label == "PERSON" and any("Lavrov" in a for a in e.aliases)]
    assert len(lavrov) == 1
    assert {"Lavrov", "Sergey Lavrov", "Sergei Lavrov"} <= set(lavrov[0].aliases)
    assert "Russian Foreign Minister" in lavrov[0].roles
    wang = by_alias["Wang"]
    assert wang.id == "person:wang-yi" and "Wang Yi" in wang.aliases
    assert "Chinese Foreign Minister" in wang.roles
    assert by_alias["Xi"].id == "person:xi-jinping"
    assert by_alias["Putin"].id == "person:vladimir-putin"
    for entity in entities:
        for alias in entity.aliases:
            assert "Blank" not in alias and "NOFOLLOW" not in alias and "<" not in alias, alias
    assert set(mapping.values()) <= {e.id for e in entities}
