"""``storyline serve``: browse, filter and correct a story in the browser.

Server-rendered pages (Jinja2, autoescaped) with a JSON twin of each under /api, over one cached
:class:`~storyline.export.bundle.ExportBundle` that is rebuilt when the database changes.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
