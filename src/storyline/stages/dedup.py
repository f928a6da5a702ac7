"""Duplicates: exact copies (same content id) and near-duplicates (MinHash LSH over word shingles).

Two steps, kept apart so the per-article one can run anywhere:

* :func:`fingerprint` (per article) computes the content id and the MinHash signature of the cleaned text;
* :class:`DuplicateIndex` (corpus stage) groups an article with an earlier stored one: the earliest
  ingested article of a group is its canonical copy, the others point at it with ``duplicate_of`` and the
  estimated similarity. Nothing is dropped: duplicates are stored and listed like any other article.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from ..config import Settings
from ..model import Article
from ..store.base import Fingerprint

DEDUP_VERSION = "1"

_WORD = re.compile(r"\w+", re.UNICODE)
# The permutation scheme is stored implicitly with every signature (32-bit values): changing it means
# changing DEDUP_VERSION and recomputing the stored fingerprints.
_SCHEME = "affine32"
_DTYPE = np.uint32


def normalised_words(text: str) -> list[str]:
    """Lower-cased word tokens: the view of a text that punctuation, case and spacing do not change."""
    return _WORD.findall(text.casefold())


def content_id(text: str) -> str:
    """Equal for texts that differ only in case, punctuation or whitespace."""
    return _content_id_of(normalised_words(text))


def _content_id_of(words: list[str]) -> str:
    """:func:`content_id` of a text from its :func:`normalised_words`."""
    return hashlib.sha256(" ".join(words).encode("utf-8", "surrogatepass")).hexdigest()[:16]


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # datasketch derives them from its fixed seed for every new MinHash; computing them once halves the
    # cost of a fingerprint and of loading a large corpus's signatures.
    return MinHash(num_perm=num_perm, scheme=_SCHEME).permutations  # type: ignore[no-any-return]


def minhash_of(words: list[str], settings: Settings) -> MinHash:
    size = settings.shingle_words
    shingles = {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}
    num_perm = settings.minhash_permutations
    signature = MinHash(num_perm=num_perm, permutations=_permutations(num_perm), scheme=_SCHEME)
    signature.update_batch(s.encode("utf-8", "surrogatepass") for s in shingles)
    return signature


def fingerprint(article: Article, settings: Settings) -> Article:
    """Per-article stage: content id and MinHash signature of the cleaned text."""
    words = normalised_words(article.text)
    signature = minhash_of(words, settings)
    return article.evolve(
        content_id=_content_id_of(words),  # the words found once for both
        minhash=np.asarray(signature.hashvalues, dtype=_DTYPE).tobytes(),
        stage_versions={**article.stage_versions, "fingerprint": DEDUP_VERSION},
    )


class DuplicateIndex:
    """Corpus stage: remembers every article seen so far and finds the canonical copy of a new one."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        # LSH finds pairs near its threshold only by chance (a pair at 0.81 is missed about half the time
        # with the threshold at 0.8), so candidates are gathered well below it and the estimated
        # similarity decides.
        candidate_threshold = max(0.3, settings.near_duplicate_threshold - 0.25)
        self._lsh = MinHashLSH(threshold=candidate_threshold, num_perm=settings.minhash_permutations)
        self._by_content: dict[str, str] = {}
        self._canonical: dict[str, str] = {}  # article id -> the canonical id of its group
        self._signatures: dict[str, MinHash] = {}
        self._order: dict[str, int] = {}
        self.last_seq = 0  # the highest ``seq`` of the stored fingerprints added so far

    @classmethod
    def from_fingerprints(cls, fingerprints: Iterable[Fingerprint], settings: Settings) -> DuplicateIndex:
        index = cls(settings)
        index.update(fingerprints)
        return index

    def update(self, fingerprints: Iterable[Fingerprint]) -> None:
        """Add stored articles (those another ingest stored since, say); ones already known are kept."""
        for fp in fingerprints:
            self._add(fp.article_id, fp.content_id, fp.minhash, fp.duplicate_of)
            self.last_seq = max(self.last_seq, fp.seq)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._canonical

    def _signature(self, minhash: bytes) -> MinHash:
        values = np.frombuffer(minhash, dtype=_DTYPE)
        permutations = _permutations(len(values))
        return MinHash(num_perm=len(values), hashvalues=values, permutations=permutations, scheme=_SCHEME)

    def _add(self, article_id: str, cid: str | None, minhash: bytes | None, duplicate_of: str | None) -> None:
        self._order.setdefault(article_id, len(self._order))
        self._canonical[article_id] = duplicate_of or article_id
        if cid is not None:
            self._by_content.setdefault(cid, duplicate_of or article_id)
        # Only canonical copies go into the LSH: a new copy is compared with the group's original.
        if minhash is not None and duplicate_of is None and article_id not in self._signatures:
            signature = self._signature(minhash)
            if len(signature.hashvalues) == self._settings.minhash_permutations:
                self._signatures[article_id] = signature
                self._lsh.insert(article_id, signature)

    def assign(self, article: Article) -> Article:
        """Mark ``article`` as a duplicate of an earlier one if it is, and remember it either way."""
        duplicate_of: str | None = None
        similarity: float | None = None
        if article.content_id and article.content_id in self._by_content:
            duplicate_of, similarity = self._by_content[article.content_id], 1.0
        elif article.minhash is not None:
            signature = self._signature(article.minhash)
            best: tuple[float, int, str] | None = None
            for candidate in self._lsh.query(signature):
                score = signature.jaccard(self._signatures[candidate])
                if score < self._settings.near_duplicate_threshold:
                    continue
                key = (-score, self._order[candidate], candidate)
                if best is None or key < best:
                    best = key
            if best is not None:
                similarity, duplicate_of = -best[0], best[2]
        if duplicate_of == article.id:
            duplicate_of, similarity = None, None
        result = article.evolve(
            duplicate_of=duplicate_of,
            duplicate_similarity=round(similarity, 3) if similarity is not None else None,
            stage_versions={**article.stage_versions, "dedup": DEDUP_VERSION},
        )
        self._add(result.id, result.content_id, result.minhash, result.duplicate_of)
        return result
