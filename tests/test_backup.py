"""Backups are encrypted, verified copies; a restore happens whole or not at all.

A manager restores a backup after losing or damaging data, so a restore must
bring back exactly what was saved, refuse anything that is not a sound
backup of this installation (naming the file) without touching the live
data, and keep the data it replaces as a safety copy.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import FAST_KDF, PASSPHRASE
from app.domain.records import AgendaItem
from app.errors import BackupRefused, TrellisError
from app.exchange import export_document
from app.store import Store
from app.store import backup as backups
from app.store.cipher import sqlite_utils
from app.store.database import connect
from app.store.migrations import MIGRATIONS, migrate
from app.store.notes import Notes
from app.store.team import People

CANARY = "CANARY-backup-7f3c1e"


def record_a_quarter(store: Store) -> None:
    """Notes, a 1:1 with its agenda, an action and a goal for Ana and Li."""
    store.notes.add(person_id="p-ana", text=f"Led the incident review calmly {CANARY}",
                    date="2026-01-12", kind="praise", competencies=("c-delivery",), note_id="n-1")
    store.notes.add(person_id="p-li", text="Pipeline rewrite slipped two weeks",
                    date="2026-01-20", kind="concern", note_id="n-2")
    store.meetings.add(person_id="p-ana", date="2026-01-15", notes="Talked about the on-call load",
                       agenda=(AgendaItem("On-call rota", "report", True),), meeting_id="m-1")
    store.actions.add(person_id="p-ana", text="Draft the rota proposal", owner="report",
                      meeting_id="m-1", due="2026-02-01", action_id="a-1")
    store.goals.add(person_id="p-li", title="Own the ingestion service", due="2026-06-30",
                    goal_id="g-1")


def change_everything(store: Store) -> None:
    store.notes.add(person_id="p-ana", text="A note written after the backup")
    store.notes.update("n-1", text="Edited after the backup")
    store.notes.trash("n-2")
    store.people.add(name="Sam Okafor", person_id="p-sam")
    store.people.archive("p-li")
    store.goals.add(person_id="p-ana", title="A goal set after the backup")


@pytest.fixture
def quarter(team):
    store = team[0]
    record_a_quarter(store)
    return store


def test_restore_brings_back_exactly_what_was_backed_up(quarter):
    saved = export_document(quarter)
    backup = quarter.backup()
    change_everything(quarter)
    assert export_document(quarter) != saved

    quarter.restore(backup)

    assert export_document(quarter) == saved
    assert quarter.integrity_problems() == []
    quarter.notes.add(person_id="p-ana", text="The restored store takes new notes")


def test_restored_data_is_what_a_later_open_finds(quarter, data_home):
    saved = export_document(quarter)
    backup = quarter.backup()
    change_everything(quarter)
    quarter.restore(backup)
    quarter.close()
    with Store.open(data_home, passphrase=PASSPHRASE) as reopened:
        assert export_document(reopened) == saved
        assert [hit.note_id for hit in reopened.search("incident review")] == ["n-1"]


def test_restore_keeps_the_replaced_data_as_a_before_restore_backup(quarter, data_home):
    backup = quarter.backup()
    change_everything(quarter)
    replaced = export_document(quarter)

    safety = quarter.restore(backup)

    assert safety.parent == data_home / "backups"
    assert safety.name.startswith("before-restore-")
    quarter.restore(safety)
    assert export_document(quarter) == replaced


def test_backup_goes_to_the_data_dirs_backups_folder_by_default(quarter, data_home):
    backup = quarter.backup()
    assert backup.parent == data_home / "backups"
    assert backup.name.endswith(".trellis-backup")
    assert backup.stat().st_mode & 0o077 == 0


def test_two_backups_in_the_same_second_do_not_overwrite_each_other(quarter, tmp_path):
    first, second = quarter.backup(tmp_path), quarter.backup(tmp_path)
    assert first != second
    assert first.exists() and second.exists()


# --- a backup is encrypted --------------------------------------------------

def test_a_backup_does_not_contain_note_text(quarter):
    data = quarter.backup().read_bytes()
    assert CANARY.encode("utf-8") not in data
    assert CANARY.encode("utf-16-le") not in data
    assert not data.startswith(b"SQLite format 3\x00")


def test_the_standard_library_sqlite3_cannot_read_a_backup(quarter):
    plain = sqlite3.connect(quarter.backup())
    try:
        with pytest.raises(sqlite3.DatabaseError):
            plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        plain.close()


# --- a backup verifies itself -------------------------------------------------

@pytest.fixture
def make_read_only(tmp_path):
    """Lock a folder so that no file can be created in it, even by root (immutable there)."""
    locked = []

    def lock(folder: Path) -> Path:
        if os.geteuid() != 0:
            folder.chmod(0o500)
        elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("running as root and cannot make a folder immutable here")
        locked.append(folder)
        return folder

    yield lock
    for folder in locked:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o700)


@pytest.fixture
def unwritable_dir(tmp_path, make_read_only):
    folder = tmp_path / "read-only"
    folder.mkdir()
    return make_read_only(folder)


def test_backup_into_an_unwritable_folder_is_a_clear_error_and_leaves_nothing(quarter,
                                                                              unwritable_dir):
    with pytest.raises(TrellisError) as refused:
        quarter.backup(unwritable_dir)
    assert str(unwritable_dir) in str(refused.value)
    assert list(unwritable_dir.iterdir()) == []


def test_cli_backup_into_an_unwritable_folder_reports_without_a_traceback(quarter, unwritable_dir,
                                                                          cli):
    quarter.close()
    result = cli("backup", str(unwritable_dir))
    assert result.returncode == 1
    assert result.stderr.startswith("trellis: ")
    assert "Traceback" not in result.stderr
    assert list(unwritable_dir.iterdir()) == []


def test_backup_into_a_path_that_is_a_file_is_a_clear_error(quarter, tmp_path):
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("keep me")
    with pytest.raises(TrellisError) as refused:
        quarter.backup(in_the_way)
    assert str(in_the_way) in str(refused.value)
    assert in_the_way.read_text() == "keep me"


def test_backup_leaves_an_existing_folders_permissions_alone(quarter, tmp_path):
    shared = tmp_path / "Documents"
    shared.mkdir()
    shared.chmod(0o755)
    quarter.backup(shared)
    assert shared.stat().st_mode & 0o777 == 0o755


def test_a_copy_that_fails_verification_is_deleted_not_kept(quarter, tmp_path, monkeypatch):
    """A short write (here: the copy cut in half before it is checked) is caught and removed."""
    real_fsync = backups._fsync_file

    def cut_short(path: Path) -> None:
        os.truncate(path, path.stat().st_size // 2)
        real_fsync(path)

    monkeypatch.setattr(backups, "_fsync_file", cut_short)
    with pytest.raises(BackupRefused):
        quarter.backup(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_backup_on_read_only_media_can_be_restored(quarter, tmp_path, make_read_only):
    """A backup kept on a read-only USB stick or share is still a good backup."""
    saved = export_document(quarter)
    backup = quarter.backup(tmp_path / "usb-stick")
    make_read_only(backup.parent)
    change_everything(quarter)

    quarter.restore(backup)

    assert export_document(quarter) == saved
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name]


# --- what a restore refuses -----------------------------------------------------

def random_bytes(store: Store, path: Path) -> Path:
    path.write_bytes(os.urandom(64 * 1024))
    return path


def truncated_backup(store: Store, path: Path) -> Path:
    data = store.backup().read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def empty_file(store: Store, path: Path) -> Path:
    path.write_bytes(b"")
    return path


def plaintext_sqlite(store: Store, path: Path) -> Path:
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE notes (id TEXT, text TEXT)")
    plain.execute("INSERT INTO notes VALUES ('n-1', 'not encrypted')")
    plain.commit()
    plain.close()
    return path


def another_installations_backup(store: Store, path: Path) -> Path:
    with Store.open(path.parent / "other-home", passphrase=PASSPHRASE, kdf=FAST_KDF) as other:
        other.people.add(name="Someone Else", person_id="p-ana")
        return other.backup()


def newer_schema_backup(store: Store, path: Path) -> Path:
    backup = store.backup()
    conn = connect(backup, store._key)
    conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES ('m999_future', 'x')")
    conn.commit()
    conn.close()
    return backup


def nonexistent(store: Store, path: Path) -> Path:
    return path.parent / "no-such-folder" / "gone.trellis-backup"


BAD_BACKUPS = [random_bytes, truncated_backup, empty_file, plaintext_sqlite,
               another_installations_backup, newer_schema_backup, nonexistent]


def live_state(store: Store) -> tuple:
    """What a refused restore must not change: the data, and the database files."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = {p.name: p.read_bytes() for p in store.home.iterdir()
             if p.is_file() and not p.name.endswith("-shm")}
    return export_document(store), files, sorted(os.listdir(store.home / "backups"))


@pytest.mark.parametrize("make_bad_backup", BAD_BACKUPS, ids=lambda f: f.__name__)
def test_restore_refuses_what_is_not_a_sound_backup_and_changes_nothing(quarter, tmp_path,
                                                                        make_bad_backup):
    quarter.backup()  # the backups folder exists, so its listing can be compared
    candidate = make_bad_backup(quarter, tmp_path / "candidate.trellis-backup")
    before = live_state(quarter)

    with pytest.raises(BackupRefused) as refused:
        quarter.restore(candidate)

    assert str(candidate) in str(refused.value)
    assert live_state(quarter) == before
    assert quarter.integrity_problems() == []


@pytest.mark.parametrize("make_bad_backup", [random_bytes, empty_file, plaintext_sqlite],
                         ids=lambda f: f.__name__)
def test_a_refused_file_is_left_as_it_was(quarter, tmp_path, make_bad_backup):
    candidate = make_bad_backup(quarter, tmp_path / "candidate.trellis-backup")
    original = candidate.read_bytes()
    with pytest.raises(BackupRefused):
        quarter.restore(candidate)
    assert candidate.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("candidate")) == [
        candidate.name]


def test_the_cli_names_the_file_it_refuses(quarter, tmp_path, cli):
    candidate = random_bytes(quarter, tmp_path / "holiday-photos.trellis-backup")
    quarter.close()
    result = cli("restore", str(candidate))
    assert result.returncode == 1
    assert str(candidate) in result.stderr
    assert "Traceback" not in result.stderr


# --- a backup from an older schema --------------------------------------------

def old_schema_backup(key: bytes, path: Path) -> Path:
    """A database as the first two migrations left it, with one person and one note."""
    db = sqlite_utils.Database(connect(path, key), execute_plugins=False)
    migrate(db, migrations=MIGRATIONS[:2])
    People(db).add(name="Ana Ruiz", person_id="p-ana")
    Notes(db).add(person_id="p-ana", text="Written before meetings existed", date="2025-06-01",
                  note_id="n-old")
    db.conn.close()
    return path


def test_restoring_an_older_schema_upgrades_it(store, tmp_path):
    backup = old_schema_backup(store._key, tmp_path / "old.trellis-backup")

    store.restore(backup)

    applied = [row[0] for row in store.db.execute("SELECT name FROM schema_migrations")]
    assert applied == [migration.__name__ for migration in MIGRATIONS]
    assert store.notes.get("n-old").text == "Written before meetings existed"
    assert [hit.note_id for hit in store.search("meetings existed")] == ["n-old"]
    store.meetings.add(person_id="p-ana", date="2026-01-15", notes="First 1:1 after the upgrade")
    assert store.integrity_problems() == []
