"""Opening the encrypted database: key, pragmas, verification, migrations."""

from pathlib import Path

from .cipher import DatabaseError, dbapi, sqlite_utils
from ..errors import StoreCorrupt
from .migrations import migrate

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    # Sort and index scratch space stays in memory rather than in temp files.
    "PRAGMA temp_store = MEMORY",
    "PRAGMA busy_timeout = 5000",
)


def connect(path: Path, key: bytes):
    """A sqlcipher3 connection to ``path`` with ``key``, verified and configured.

    Raises ``StoreCorrupt`` if the file is not a database this key opens.
    """
    conn = dbapi.connect(str(path), check_same_thread=False)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except DatabaseError as exc:
        conn.close()
        raise StoreCorrupt(
            f"{path}: cannot be opened with this Trellis's key ({exc}). It is damaged, "
            "or it belongs to another installation."
        ) from None
    return conn


def open_database(path: Path, key: bytes) -> "sqlite_utils.Database":
    """Open (creating if absent) and migrate the database at ``path``."""
    db = sqlite_utils.Database(connect(path, key), execute_plugins=False)
    migrate(db)
    return db


def integrity_problems(conn) -> list[str]:
    """What SQLite's and SQLCipher's integrity checks report; empty when sound."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    return problems
