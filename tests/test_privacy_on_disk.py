"""Nothing a manager writes about their team can be read from the disk.

Every file Trellis keeps in the data dir (the database, its -wal and -shm
files, backups, key.json) is scanned for canary strings written into notes,
names and 1:1 notes, while the store is open, after it is closed, and after
a backup. The key never appears on disk unwrapped. A wrong passphrase
changes nothing, and changing the passphrase rewrites key.json only.
"""

import base64
import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from conftest import FAST_KDF, PASSPHRASE, files_under, run_cli
from app.domain.records import AgendaItem
from app.errors import WrongPassphrase
from app.exchange import export_document, write_export
from app.store import Store

NEW_PASSPHRASE = "a brand new passphrase, 2026"


def canary() -> str:
    return f"CANARY-{uuid.uuid4().hex}"


class Secrets:
    """Canaries written into every kind of free text Trellis stores."""

    def __init__(self):
        self.note, self.name, self.meeting = canary(), canary(), canary()
        self.agenda, self.action, self.goal = canary(), canary(), canary()

    def all(self) -> list[str]:
        return [self.note, self.name, self.meeting, self.agenda, self.action, self.goal]

    def record(self, store: Store) -> None:
        person = store.people.add(name=f"Jordan {self.name}", person_id="p-jordan")
        store.notes.add(person_id=person.id, text=f"Struggling since the reorg {self.note}")
        store.notes.add(person_id=person.id, text="x" * 15_000 + self.note)  # spans pages
        store.meetings.add(person_id=person.id, date="2026-01-15",
                           notes=f"Mentioned a health issue {self.meeting}",
                           agenda=(AgendaItem(f"Workload {self.agenda}", "report"),),
                           meeting_id="m-1")
        store.actions.add(person_id=person.id, text=f"Check in {self.action}", owner="manager")
        store.goals.add(person_id=person.id, title=f"Lead a project {self.goal}")


def forms_of(text: str) -> list[bytes]:
    """How ``text`` could appear in a file: UTF-8 or UTF-16-LE, as typed or as FTS5 folds it,
    and the unique part alone (the search index keeps words apart)."""
    unique = text.split("-", 1)[1]
    return [form.encode(encoding) for form in (text, text.lower(), unique)
            for encoding in ("utf-8", "utf-16-le")]


def files_containing(home: Path, texts: list[str]) -> list[tuple[str, str]]:
    return [(name, text) for name, data in files_under(home).items()
            for text in texts if any(form in data for form in forms_of(text))]


@pytest.fixture
def written(store) -> Secrets:
    canaries = Secrets()
    canaries.record(store)
    assert store.search(canaries.note.split("-")[1])  # the text really is in the database
    return canaries


# --- note text, names and 1:1 notes are not on disk in the clear ---------------

def test_the_scan_finds_canaries_that_are_in_the_clear(store, written, tmp_path):
    """The scan itself works: a plaintext export, and UTF-16 text, are caught."""
    exported = tmp_path / "exported"
    exported.mkdir()
    write_export(store, exported / "team.json")
    (exported / "wide.txt").write_bytes(written.meeting.encode("utf-16-le"))
    found = files_containing(exported, written.all())
    assert {text for _, text in found} == set(written.all())
    assert ("wide.txt", written.meeting) in found


def test_no_canary_on_disk_while_the_store_is_open(store, written, data_home):
    on_disk = files_under(data_home)
    assert {"trellis.db", "trellis.db-wal", "trellis.db-shm", "key.json"} <= set(on_disk)
    assert len(on_disk["trellis.db-wal"]) > 0
    assert files_containing(data_home, written.all()) == []


def test_no_canary_on_disk_after_close(store, written, data_home):
    store.close()
    assert files_containing(data_home, written.all()) == []


def test_no_canary_in_the_data_dir_after_a_backup(store, written, data_home):
    backup = store.backup()
    assert backup.is_relative_to(data_home)
    assert files_containing(data_home, written.all()) == []


def test_the_standard_library_sqlite3_cannot_read_the_database(store, written, data_home):
    store.close()
    database = data_home / "trellis.db"
    assert not database.read_bytes().startswith(b"SQLite format 3\x00")
    plain = sqlite3.connect(database)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        plain.close()


def test_files_in_the_data_dir_are_private_to_their_owner(store, written, data_home):
    store.backup()
    assert data_home.stat().st_mode & 0o077 == 0
    readable = {name: oct(path.stat().st_mode & 0o777) for name, path in _paths_under(data_home)
                if path.stat().st_mode & 0o077}
    assert readable == {}


def _paths_under(root: Path):
    return [(str(p.relative_to(root)), p) for p in sorted(root.rglob("*"))]


# --- the key ----------------------------------------------------------------------

def key_forms(key: bytes) -> list[bytes]:
    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key),
            base64.urlsafe_b64encode(key)]


def test_the_key_is_never_on_disk_unwrapped(store, written, data_home):
    store.backup()
    for name, data in files_under(data_home).items():
        assert not [form for form in key_forms(store._key) if form in data], name
    record = json.loads((data_home / "key.json").read_text(encoding="utf-8"))
    assert record["mode"] == "passphrase"
    assert set(record) == {"version", "mode", "kdf", "nonce", "wrapped_key"}


def test_the_default_argon2id_cost_is_recorded_in_the_key_file(data_home):
    with Store.open(data_home, passphrase=PASSPHRASE) as created:
        created.people.add(name="Ana Ruiz", person_id="p-ana")
    kdf = json.loads((data_home / "key.json").read_text(encoding="utf-8"))["kdf"]
    cost = (kdf["name"], kdf["memory_kib"], kdf["iterations"], kdf["lanes"])
    assert cost == ("argon2id", 65536, 3, 4)
    assert len(base64.b64decode(kdf["salt"])) == 16
    with Store.open(data_home, passphrase=PASSPHRASE) as reopened:
        assert reopened.people.get("p-ana").name == "Ana Ruiz"


# --- a wrong passphrase -----------------------------------------------------------

def test_a_wrong_passphrase_is_refused_clearly_and_changes_no_file(store, written, data_home):
    store.close()
    before = files_under(data_home)
    with pytest.raises(WrongPassphrase) as refused:
        Store.open(data_home, passphrase="not the passphrase at all")
    assert "passphrase is not right" in str(refused.value)
    assert files_under(data_home) == before


def test_a_wrong_passphrase_while_the_store_is_open_elsewhere_changes_nothing(store, written,
                                                                             data_home):
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _without_shm(files_under(data_home))
    with pytest.raises(WrongPassphrase):
        Store.open(data_home, passphrase="not the passphrase at all")
    assert _without_shm(files_under(data_home)) == before
    assert export_document(store)["people"][0]["id"] == "p-jordan"


def _without_shm(files: dict[str, bytes]) -> dict[str, bytes]:
    # SQLite's shared-memory index holds no data and changes on every read.
    return {name: data for name, data in files.items() if not name.endswith("-shm")}


def test_the_cli_reports_a_wrong_passphrase_and_changes_no_file(store, written, data_home):
    store.close()
    before = files_under(data_home)
    result = run_cli("people", env={"TRELLIS_PASSPHRASE": "not the passphrase at all"})
    assert result.returncode == 1
    assert "passphrase is not right" in result.stderr
    assert "Traceback" not in result.stderr
    assert files_under(data_home) == before


# --- changing the passphrase ---------------------------------------------------------

def test_changing_the_passphrase_rewrites_key_json_only(store, written, data_home):
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _without_shm(files_under(data_home))

    store.change_passphrase(NEW_PASSPHRASE)

    after = _without_shm(files_under(data_home))
    assert set(after) == set(before)
    assert [name for name in before if after[name] != before[name]] == ["key.json"]
    store.close()
    assert files_under(data_home)["trellis.db"] == before["trellis.db"]


def test_after_a_passphrase_change_only_the_new_one_opens_the_same_data(store, written, data_home):
    saved = export_document(store)
    store.change_passphrase(NEW_PASSPHRASE)
    store.close()
    with pytest.raises(WrongPassphrase):
        Store.open(data_home, passphrase=PASSPHRASE)
    with Store.open(data_home, passphrase=NEW_PASSPHRASE, kdf=FAST_KDF) as reopened:
        assert export_document(reopened) == saved
        assert reopened.integrity_problems() == []
