"""Imported by the forkserver that starts the local engine's worker processes
(:func:`storyline.engines.local.in_workers`), before it starts any: spaCy and the pipeline of this run's
model are loaded once there, and every worker forked from it starts with them, instead of each importing
spaCy and loading the model (about a second of CPU per worker). The workers' tasks still call
``load_nlp`` with the model they are given: the same name answers from its cache, another is loaded then.
"""

from __future__ import annotations

from contextlib import suppress

from ..stages.nlp import load_nlp, model_name

# Whatever goes wrong here (a model not installed) goes wrong again in the worker that needs the model,
# which reports it; the forkserver itself must start.
with suppress(Exception):
    load_nlp(model_name())
