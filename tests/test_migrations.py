"""Migrations: a blank database and a database at every older schema reach the latest."""

import pytest

from app.errors import StoreCorrupt
from app.store import Store
from app.store.database import connect, open_database
from app.store.cipher import sqlite_utils
from app.store.migrations import MIGRATIONS, applied, migrate

KEY = b"\x07" * 32


def _tables(db) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')")}


@pytest.fixture
def latest_schema(tmp_path) -> set[str]:
    db = open_database(tmp_path / "latest.db", KEY)
    schema = _tables(db)
    db.conn.close()
    return schema


def test_blank_database_gets_every_migration_once(tmp_path):
    db = open_database(tmp_path / "blank.db", KEY)
    assert applied(db) == [m.__name__ for m in MIGRATIONS]
    assert migrate(db) == []
    assert applied(db) == [m.__name__ for m in MIGRATIONS]


@pytest.mark.parametrize("steps", range(1, len(MIGRATIONS)))
def test_database_at_an_older_schema_is_brought_up_to_date(tmp_path, steps, latest_schema):
    path = tmp_path / f"old-{steps}.db"
    old = sqlite_utils.Database(connect(path, KEY), execute_plugins=False)
    migrate(old, MIGRATIONS[:steps])
    old.conn.close()
    db = open_database(path, KEY)
    assert applied(db) == [m.__name__ for m in MIGRATIONS]
    assert _tables(db) == latest_schema


def test_old_schema_data_survives_the_upgrade(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(connect(path, KEY), execute_plugins=False)
    migrate(old, MIGRATIONS[:1])
    old.execute("INSERT INTO people (id, name, created_at, updated_at) VALUES ('p-1', 'Ana', 'x', 'x')")
    old.execute("INSERT INTO notes (id, person_id, date, kind, text, created_at, updated_at) "
                "VALUES ('n-1', 'p-1', '2026-01-02', 'praise', 'shipped the importer', 'x', 'x')")
    old.conn.close()
    db = open_database(path, KEY)
    # The search index added by a later migration must not miss old notes.
    from app.store.search import search_notes
    assert [hit.note_id for hit in search_notes(db, "importer")] == ["n-1"]


def test_database_from_a_newer_trellis_is_refused(store):
    store.db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES ('m999_future', 'x')")
    store.close()
    with pytest.raises(StoreCorrupt, match="newer Trellis.*m999_future"):
        Store.open(store.home)


def test_failed_migration_leaves_nothing_half_applied(tmp_path):
    def m900_broken(db):
        db.execute("CREATE TABLE half (id INTEGER)")
        db.execute("INSERT INTO nowhere VALUES (1)")

    db = sqlite_utils.Database(connect(tmp_path / "broken.db", KEY), execute_plugins=False)
    with pytest.raises(Exception):
        migrate(db, [*MIGRATIONS, m900_broken])
    assert "half" not in _tables(db)
    assert "m900_broken" not in applied(db)
    assert applied(db) == [m.__name__ for m in MIGRATIONS]


def test_connection_settings(store):
    pragma = lambda name: store.db.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("secure_delete") == 1
