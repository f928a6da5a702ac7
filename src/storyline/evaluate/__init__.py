"""Evaluation of storyline against published benchmarks (``storyline eval ...``).

:mod:`.tls` reads the Timeline17 layout, builds each timeline from the raw articles in the published
setting and scores it with the ``tilse`` metrics package (the ``eval`` extra).
"""
