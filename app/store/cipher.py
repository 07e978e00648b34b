"""Make sqlite-utils drive SQLCipher instead of the standard library's sqlite3.

sqlite-utils catches ``sqlite3.OperationalError`` and friends from whichever
driver it imported. It prefers ``pysqlite3`` when that module exists, so we
register ``sqlcipher3`` under that name *before* sqlite-utils is imported;
its ``except`` clauses then catch SQLCipher's exceptions (which are not
subclasses of the standard library's).
"""

import sys

import sqlcipher3
import sqlcipher3.dbapi2


def _register_as_pysqlite3() -> None:
    already = sys.modules.get("sqlite_utils.utils")
    if already is not None and already.sqlite3 is not sqlcipher3:
        raise RuntimeError(
            "sqlite_utils was imported before app.store; it would be bound to "
            "the unencrypted sqlite3 driver"
        )
    sys.modules.setdefault("pysqlite3", sqlcipher3)
    sys.modules.setdefault("pysqlite3.dbapi2", sqlcipher3.dbapi2)


def _import_sqlite_utils_without_numpy():
    """Import sqlite-utils without letting it pull in numpy and pandas.

    It imports both, if installed, only to map their scalar types to column
    types, which Trellis never inserts. numpy alone costs about 110 ms of
    start-up and 15 MB; llama.cpp imports it later, when a model is used.
    """
    blocked = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # makes `import numpy` raise ImportError
    try:
        import sqlite_utils
    finally:
        for name in blocked:
            del sys.modules[name]
    return sqlite_utils


_register_as_pysqlite3()
sqlite_utils = _import_sqlite_utils_without_numpy()

dbapi = sqlcipher3.dbapi2
DatabaseError = dbapi.DatabaseError
IntegrityError = dbapi.IntegrityError
OperationalError = dbapi.OperationalError

__all__ = ["sqlite_utils", "dbapi", "DatabaseError", "IntegrityError", "OperationalError"]
