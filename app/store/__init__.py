"""The encrypted store: SQLCipher through sqlite-utils, keys, backups, search."""

from . import cipher  # noqa: F401  (binds sqlite-utils to SQLCipher first)
from .keys import DEFAULT_KDF, KdfParams
from .store import Store, database_path, has_data

__all__ = ["DEFAULT_KDF", "KdfParams", "Store", "database_path", "has_data"]
