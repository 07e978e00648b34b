"""The encrypted store: SQLCipher through sqlite-utils, keys, backups, search.

The package loads its parts when first asked for (``Store`` loads SQLCipher
and sqlite-utils, about 0.2 s), so the window can paint before it opens the
data. Whatever loads the database loads ``cipher`` first, which binds
sqlite-utils to SQLCipher. The imports below are plain ``import`` statements,
so that the bundler (PyInstaller) sees every part.
"""

__all__ = ["DEFAULT_KDF", "KdfParams", "Store", "database_path", "has_data"]


def __getattr__(name: str):
    if name == "Store":
        from . import cipher  # noqa: F401  (binds sqlite-utils to SQLCipher first)
        from .store import Store
        return Store
    if name in ("DEFAULT_KDF", "KdfParams"):
        from . import keys
        return getattr(keys, name)
    if name in ("database_path", "has_data"):
        from . import location
        return getattr(location, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
