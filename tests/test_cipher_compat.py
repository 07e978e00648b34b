"""sqlite-utils, bound to SQLCipher, still handles SQLCipher's own exceptions.

sqlite-utils catches ``OperationalError`` from the driver it imported; these
tests take paths through sqlite-utils that rely on that, on an encrypted
database.
"""

import sqlite3

import pytest
import sqlcipher3

from app.store import cipher
from app.store.database import connect


@pytest.fixture
def db(tmp_path):
    conn = connect(tmp_path / "compat.db", b"\x01" * 32)
    database = cipher.sqlite_utils.Database(conn, execute_plugins=False)
    yield database
    conn.close()


def test_sqlite_utils_is_bound_to_sqlcipher():
    import sqlite_utils.utils
    assert sqlite_utils.utils.sqlite3 is sqlcipher3
    assert sqlite_utils.utils.OperationalError is sqlcipher3.dbapi2.OperationalError
    assert not issubclass(sqlcipher3.dbapi2.OperationalError, sqlite3.OperationalError)


def test_the_connection_really_is_sqlcipher(db):
    assert db.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")


def test_insert_with_alter_adds_a_missing_column(db):
    # sqlite-utils learns the column is missing by catching OperationalError.
    db["notes"].insert({"id": 1, "text": "first"}, pk="id")
    db["notes"].insert({"id": 2, "text": "second", "kind": "praise"}, alter=True)
    assert db["notes"].columns_dict == {"id": int, "text": str, "kind": str}


def test_feature_probes_catch_sqlcipher_errors(db):
    assert db.supports_strict is True
    assert db.supports_on_conflict is True


def test_missing_row_is_not_found(db):
    db["people"].insert({"id": "p-1", "name": "Ana"}, pk="id")
    with pytest.raises(cipher.sqlite_utils.db.NotFoundError):
        db["people"].get("p-404")


def test_bad_sql_raises_sqlcipher_error_and_leaves_no_open_transaction(db):
    with pytest.raises(cipher.OperationalError):
        db.execute("INSERT INTO nowhere VALUES (1)")
    assert not db.conn.in_transaction


def test_atomic_rolls_back_on_sqlcipher_error(db):
    db["people"].insert({"id": "p-1", "name": "Ana"}, pk="id")
    with pytest.raises(cipher.IntegrityError):
        with db.atomic():
            db.execute("INSERT INTO people (id, name) VALUES ('p-2', 'Li')")
            db.execute("INSERT INTO people (id, name) VALUES ('p-1', 'again')")
    assert [r["id"] for r in db["people"].rows] == ["p-1"]


def test_importing_sqlite_utils_first_is_refused(tmp_path):
    import subprocess
    import sys
    code = "import sqlite_utils; from app.store import Store"  # app.store loads Store lazily
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "imported before app.store" in result.stderr
