"""Where a data dir keeps its database, and whether it holds any data.

Why this module exists: the window asks "is there data here?" before it
opens anything, and answering must not load SQLCipher (``store.py``), so
that the window can paint first and open the data off the GUI thread.
"""

from pathlib import Path

from .. import paths
from . import keys


def database_path(home: Path) -> Path:
    return home / paths.DATABASE_FILE


def has_data(home: Path) -> bool:
    """Whether anything was ever saved in ``home`` (a key, a recovery record or a database)."""
    return any(path.exists() for path in (database_path(home), keys.key_file(home),
                                          keys.recovery_file(home)))
