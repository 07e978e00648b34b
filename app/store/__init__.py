"""The encrypted store: SQLCipher through sqlite-utils, keys, backups, search.

The package loads its parts when first asked for (``Store`` loads SQLCipher
and sqlite-utils, about 0.2 s), so the window can paint before it opens the
data. Whatever loads the database loads ``cipher`` first, which binds
sqlite-utils to SQLCipher.
"""

import importlib

_PARTS = {"Store": "store", "DEFAULT_KDF": "keys", "KdfParams": "keys",
          "database_path": "location", "has_data": "location"}

__all__ = ["DEFAULT_KDF", "KdfParams", "Store", "database_path", "has_data"]


def __getattr__(name: str):
    if name not in _PARTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _PARTS[name] == "store":
        importlib.import_module(".cipher", __name__)  # binds sqlite-utils to SQLCipher first
    return getattr(importlib.import_module(f".{_PARTS[name]}", __name__), name)
