"""Exact and near-duplicate grouping: copies are grouped, never dropped; distinct stories stay apart."""

from __future__ import annotations

from conftest import make_article
from storyline.config import Settings
from storyline.stages.dedup import DuplicateIndex, content_id, fingerprint, minhash_of, normalised_words
from storyline.store.base import Fingerprint

STORY = (
    "The Riverton dam authority opened the main spillway early on Tuesday after three days of heavy rain "
    "raised the reservoir to its highest level in a decade. Engineers said the release would lower the "
    "water by half a metre before the weekend, while the mayor asked residents of the lower valley to move "
    "cars and valuables to higher ground. Schools along the river will stay closed until Thursday, the "
    "education office said, and buses will run on the hill road instead of the riverside route."
)
OTHER = (
    "The city council approved next year's budget on Monday after a long debate about road repairs. "
    "Councillors voted eleven to four for the plan, which raises spending on buses and bicycle lanes and "
    "freezes the property tax for a second year. The opposition said the plan leaves too little for the "
    "libraries, and promised to bring an amendment at the next session in the spring."
)


def prepared(text: str, source: str, settings: Settings):
    return fingerprint(make_article(text, source=source), settings)


def test_content_id_ignores_case_punctuation_and_spacing() -> None:
    assert content_id("Hello,  World!") == content_id("hello world")
    assert content_id("hello world") != content_id("hello there world")


def test_exact_copy_points_at_the_first_article() -> None:
    settings = Settings()
    index = DuplicateIndex(settings)
    first = index.assign(prepared(STORY, "a.txt", settings))
    copy = index.assign(prepared(STORY, "b.txt", settings))
    assert first.duplicate_of is None
    assert copy.duplicate_of == first.id
    assert copy.duplicate_similarity == 1.0


def test_syndicated_copy_with_other_boilerplate_is_a_near_duplicate() -> None:
    settings = Settings()
    index = DuplicateIndex(settings)
    first = index.assign(prepared(STORY, "wire.txt", settings))
    reprint = index.assign(
        prepared("Valley Courier. " + STORY + " Share this story.", "courier.txt", settings)
    )
    assert reprint.duplicate_of == first.id
    assert 0.8 <= (reprint.duplicate_similarity or 0) < 1.0


def test_different_stories_stay_apart() -> None:
    settings = Settings()
    index = DuplicateIndex(settings)
    index.assign(prepared(STORY, "a.txt", settings))
    other = index.assign(prepared(OTHER, "b.txt", settings))
    assert other.duplicate_of is None


def test_a_copy_of_a_copy_points_at_the_canonical_article() -> None:
    settings = Settings()
    index = DuplicateIndex(settings)
    first = index.assign(prepared(STORY, "a.txt", settings))
    second = index.assign(prepared(STORY + " Updated.", "b.txt", settings))
    third = index.assign(prepared(STORY, "c.txt", settings))
    assert second.duplicate_of == first.id
    assert third.duplicate_of == first.id


def test_index_rebuilt_from_stored_fingerprints_finds_earlier_articles() -> None:
    settings = Settings()
    first = prepared(STORY, "a.txt", settings)
    index = DuplicateIndex.from_fingerprints(
        [Fingerprint(first.id, first.content_id, first.minhash, None)], settings
    )
    later = index.assign(prepared(STORY + " One more sentence at the end of it.", "later.txt", settings))
    assert later.duplicate_of == first.id


def test_grouping_follows_the_estimated_similarity_not_lsh_luck() -> None:
    """Every pair whose estimated similarity reaches the threshold is grouped, and no other.

    Variants with a few words changed land around the threshold, where LSH alone misses pairs.
    """
    settings = Settings()
    words = (STORY + " " + OTHER).split()
    near_threshold = 0
    for stride in range(5, 60):
        for changed in (3, 4):
            index = DuplicateIndex(settings)
            first = index.assign(prepared(" ".join(words), "a.txt", settings))
            variant = list(words)
            for position in range(changed):
                variant[(position * stride + 11) % len(variant)] = f"changed{position}"
            second = prepared(" ".join(variant), "b.txt", settings)
            estimated = minhash_of(normalised_words(first.text), settings).jaccard(
                minhash_of(normalised_words(second.text), settings)
            )
            near_threshold += 0.8 <= estimated < 0.86
            grouped = index.assign(second).duplicate_of == first.id
            assert grouped == (estimated >= settings.near_duplicate_threshold), (stride, changed, estimated)
    assert near_threshold >= 10, "the variants should probe the threshold"
