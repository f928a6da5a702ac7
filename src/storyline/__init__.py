"""storyline: from raw news articles to a deduplicated, dated and sourced timeline.

Importing this package stays light: heavy libraries load inside the stages that need them.
"""

from .config import FieldMapping, Settings, resolve_settings
from .errors import InputError, StoreError, StorylineError
from .model import Article, DateMethod, DatePrecision, DateValue, FieldMethod, ReadFailure, Removal

__version__ = "0.1.0"

__all__ = [
    "Article",
    "DateMethod",
    "DatePrecision",
    "DateValue",
    "FieldMapping",
    "FieldMethod",
    "InputError",
    "ReadFailure",
    "Removal",
    "Settings",
    "StoreError",
    "StorylineError",
    "resolve_settings",
    "__version__",
]
