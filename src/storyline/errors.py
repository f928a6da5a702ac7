"""One exception tree for storyline.

::

    StorylineError                 anything storyline raises on purpose
    ├── ConfigError                a bad setting, option or config file
    ├── InputError                 an input that cannot be read (names the input, and the line if any)
    │   └── InputTooLargeError     past a size limit (a huge file, a gzip bomb)
    ├── StoreError                 the database cannot be opened, migrated or written
    │   └── NotFoundError          no stored object with that id
    └── MissingDependencyError     an optional extra is not installed (names the install command)
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base of every error storyline raises on purpose."""


class ConfigError(StorylineError):
    pass


class InputError(StorylineError):
    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class InputTooLargeError(InputError):
    pass


class StoreError(StorylineError):
    pass


class NotFoundError(StoreError):
    pass


class MissingDependencyError(StorylineError):
    def __init__(self, module: str, extra: str) -> None:
        super().__init__(f"{module} is not installed; install it with: pip install 'storyline[{extra}]'")
