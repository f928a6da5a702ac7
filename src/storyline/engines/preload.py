"""Imported by the forkserver that starts the local engine's worker processes
(:func:`storyline.engines.local.in_workers`), before it starts any: spaCy and the pipeline of this run's
model are loaded once there, and every worker forked from it starts with them, instead of each importing
spaCy and loading the model (about a second of CPU per worker). It also has glibc keep freed memory for
the next batch in every worker (:func:`storyline.stages.nlp.keep_freed_memory`). The workers' tasks still call
``load_nlp`` with the model they are given: the same name answers from its cache, another is loaded then.
"""

from __future__ import annotations

from contextlib import suppress

from ..stages.nlp import keep_freed_memory, load_nlp, model_name

# The workers parse batch after batch: they keep freed memory for the next one (forked, they inherit
# the setting).
keep_freed_memory()
# Whatever goes wrong here (a model not installed) goes wrong again in the worker that needs the model,
# which reports it; the forkserver itself must start.
with suppress(Exception):
    load_nlp(model_name())
