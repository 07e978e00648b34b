"""A full or failing disk during a save, an import, a backup, a restore or a model import.

Each test puts the data (or the backup folder, or the models folder) on a
real tmpfs of a few hundred kilobytes, fills it, and checks three things:
the error is a sentence naming the operation and the path, the database
passes SQLite's and SQLCipher's integrity checks with every earlier record
in it, and nothing half-written is left behind. Where a real disk cannot
time the failure (an I/O error in the middle of a copy) the write is made to
fail from inside the module under test.
"""

import errno
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import FAST_KDF, PASSPHRASE
from test_gguf import tiny_model
from fault_disk import FailingWrites, OsWith, fill
from app import files, paths
from app.errors import StorageFailed, TrellisError
from app.exchange import export_document, import_file, write_export
from app.llm import registry
from app.store import Store, keys
from app.store import backup as backups
from app.store.backup import BACKUP_SUFFIX, PARTIAL_SUFFIX
from app.store.cipher import sqlite_utils
from app.store.database import connect
from app.store.faults import disk_problem
from app.store.migrations import MIGRATIONS, migrate

BIG_TEXT = "retro went well and the rollout plan is agreed " * 400  # about 19 KB


@pytest.fixture
def full_store(disk):
    """A store on the small disk with three notes, the disk then filled to the brim."""
    store = Store.open(disk / "home", passphrase=PASSPHRASE, kdf=FAST_KDF)
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    kept = [store.notes.add(person_id="p-ana", text=f"kept note {n}", note_id=f"n-kept-{n}")
            for n in range(3)]
    ballast = fill(disk)
    yield store, kept, ballast
    store.close()


def fill_until_refused(store: Store) -> StorageFailed:
    """Add large notes until the disk refuses one; the WAL's spare pages fill first."""
    for n in range(200):
        try:
            store.notes.add(person_id="p-ana", text=f"{BIG_TEXT} {n}")
        except StorageFailed as failed:
            return failed
    pytest.fail("the disk never filled up")


def assert_sound(store: Store, note_ids) -> None:
    assert store.integrity_problems() == []
    present = {row[0] for row in store.db.execute("SELECT id FROM notes")}
    assert set(note_ids) <= present


# --- note saves ------------------------------------------------------------------

def test_a_note_saved_on_a_full_disk_is_refused_with_a_sentence_and_nothing_is_lost(full_store, disk):
    store, kept, ballast = full_store
    failed = fill_until_refused(store)
    assert str(failed) == f"Could not save the change: the disk is full ({store.path})."
    assert_sound(store, [note.id for note in kept])
    ballast.unlink()
    store.notes.add(person_id="p-ana", text="written once there was room again")
    store.close()
    with Store.open(disk / "home", passphrase=PASSPHRASE) as reopened:
        assert_sound(reopened, [note.id for note in kept])


def test_the_cli_on_a_full_disk_exits_1_with_a_sentence(full_store, disk, cli):
    store, kept, _ = full_store
    fill_until_refused(store)
    store.close()
    result = cli("note", "add", "Ana Ruiz", BIG_TEXT, env={"TRELLIS_HOME": str(disk / "home")})
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("trellis: Could not save the change: the disk is full (")
    with Store.open(disk / "home", passphrase=PASSPHRASE) as reopened:
        assert_sound(reopened, [note.id for note in kept])


def test_sqlite_and_os_disk_errors_are_recognised_and_others_are_not(store):
    with pytest.raises(Exception) as bad_sql:
        store.db.execute("SELECT * FROM no_such_table")
    assert disk_problem(bad_sql.value) is None
    assert disk_problem(OSError(errno.ENOSPC, "full")) == "the disk is full"
    assert disk_problem(OSError(errno.EIO, "bad")) == "the disk reported an input/output error"
    assert disk_problem(OSError(errno.ENOENT, "gone")) is None


# --- files written whole or not at all ------------------------------------------

def test_a_file_rewritten_on_a_nearly_full_disk_keeps_its_old_contents(disk):
    """A nearly full disk takes part of a write: the old file must not be swapped for the part."""
    target = disk / "key.json"
    target.write_bytes(b"the old, whole file")
    fill(disk, leave=16 * 1024)
    with pytest.raises(OSError) as refused:
        paths.write_atomically(target, b"x" * 200_000)
    assert refused.value.errno == errno.ENOSPC and refused.value.filename == str(target)
    assert target.read_bytes() == b"the old, whole file"
    assert sorted(p.name for p in disk.iterdir()) == ["ballast", "key.json"]


def test_an_export_onto_a_full_disk_is_refused_and_leaves_no_file(team, disk):
    fill(disk)
    target = disk / "team.json"
    with pytest.raises(StorageFailed) as refused:
        write_export(team[0], target)
    assert str(refused.value).startswith(f"Could not export to {target}: the disk is full")
    assert sorted(p.name for p in disk.iterdir()) == ["ballast"]


# --- imports ----------------------------------------------------------------------

def _team_document(people: int, notes_each: int) -> dict:
    return {"format": "trellis/v1",
            "people": [{"id": f"p-{i}", "name": f"Person {i}"} for i in range(people)],
            "notes": [{"id": f"n-{i}-{j}", "person": f"p-{i}", "date": "2026-01-12",
                       "kind": "observation", "text": f"{BIG_TEXT} {i} {j}"}
                      for i in range(people) for j in range(notes_each)]}


def test_an_import_onto_a_full_disk_adds_nothing_and_names_the_file(full_store, tmp_path):
    store, kept, _ = full_store
    source = tmp_path / "team.json"
    source.write_text(json.dumps(_team_document(4, 25)))
    before = export_document(store)
    with pytest.raises(StorageFailed) as refused:
        import_file(store, source)
    assert str(refused.value) == f"Could not import {source}: the disk is full ({store.path})."
    assert export_document(store) == before
    assert_sound(store, [note.id for note in kept])


def test_an_io_error_midway_through_an_import_adds_nothing(team, tmp_path, monkeypatch):
    store = team[0]
    source = tmp_path / "team.json"
    source.write_text(json.dumps(_team_document(3, 5)))
    before = export_document(store)
    real_add, calls = store.notes.add, []

    def add_then_fail(**kwargs):
        calls.append(kwargs["note_id"])
        if len(calls) == 7:
            raise OSError(errno.EIO, "Input/output error")
        return real_add(**kwargs)

    monkeypatch.setattr(store.notes, "add", add_then_fail)
    with pytest.raises(StorageFailed) as refused:
        import_file(store, source)
    assert str(refused.value) == (f"Could not import {source}: the disk reported an "
                                  f"input/output error ({store.path}).")
    assert export_document(store) == before
    assert store.integrity_problems() == []


# --- backups and restores ---------------------------------------------------------

def test_a_backup_onto_a_full_disk_is_refused_and_leaves_no_partial_file(team, disk):
    store = team[0]
    store.notes.add(person_id="p-ana", text=BIG_TEXT)
    folder = disk / "backups"
    folder.mkdir()
    fill(disk, leave=8 * 1024)
    with pytest.raises(StorageFailed) as refused:
        store.backup(folder)
    assert str(refused.value) == f"Could not back up the database: the disk is full ({folder})."
    assert list(folder.iterdir()) == []
    assert store.integrity_problems() == []


def test_an_io_error_while_syncing_a_backup_leaves_no_file(team, tmp_path, monkeypatch):
    def failing_fsync(path):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(backups, "_fsync_file", failing_fsync)
    folder = tmp_path / "out"
    with pytest.raises(StorageFailed) as refused:
        team[0].backup(folder)
    assert "the disk reported an input/output error" in str(refused.value)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_a_restore_whose_copy_fails_keeps_the_old_data_and_the_store_usable(team, tmp_path,
                                                                            monkeypatch, code):
    store = team[0]
    store.notes.add(person_id="p-ana", text="in the backup", note_id="n-old")
    backup = store.backup(tmp_path / "backups")
    store.notes.add(person_id="p-ana", text="written after the backup", note_id="n-new")
    before = export_document(store)
    failing = FailingWrites(budget=20_000, code=code)

    def copy_failing(src, dst):
        with open(src, "rb") as reader, open(dst, "wb") as writer:
            while chunk := reader.read(8192):
                failing(writer.fileno(), chunk)
        return dst

    monkeypatch.setattr(backups.shutil, "copyfile", copy_failing)
    with pytest.raises(StorageFailed) as refused:
        store.restore(backup)
    assert str(refused.value).startswith(f"Could not restore {backup}: ")
    assert failing.failures == 1
    assert export_document(store) == before
    assert_sound(store, ["n-old", "n-new"])
    assert not store.path.with_name(store.path.name + ".restoring").exists()
    store.notes.add(person_id="p-ana", text="the store still takes notes")


# --- model imports ----------------------------------------------------------------

@pytest.fixture
def model_copy(tmp_path):
    """A valid 2.6 MB GGUF (three copy chunks): larger than the small disk."""
    (tmp_path / "incoming").mkdir()
    return tiny_model(tmp_path / "incoming" / "My-Model.gguf", extra_rows=2500)


def _models_dir_on(disk: Path, monkeypatch) -> Path:
    models = disk / "models"
    monkeypatch.setattr(registry, "user_models_dir", lambda home=None: models)
    return models


def test_a_model_import_onto_a_full_disk_leaves_no_part_file_and_no_record(disk, model_copy,
                                                                          monkeypatch):
    models = _models_dir_on(disk, monkeypatch)
    with pytest.raises(StorageFailed) as refused:
        registry.add_model(model_copy)
    assert str(refused.value) == f"Could not add the model My-Model.gguf: the disk is full ({models})."
    assert list(models.iterdir()) == []
    assert [m.file for m in registry.installed_models() if m.file == "My-Model.gguf"] == []


def test_a_model_whose_record_cannot_be_written_is_not_left_installed(tmp_path, model_copy,
                                                                      monkeypatch):
    models = _models_dir_on(tmp_path, monkeypatch)
    real_write = registry.write_atomically

    def full_when_recording(path, data):  # the model copy fitted; the record does not
        if Path(path).name == registry.RECORDS_FILE:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, data)

    monkeypatch.setattr(registry, "write_atomically", full_when_recording)
    with pytest.raises(StorageFailed) as refused:
        registry.add_model(model_copy)
    assert "the disk is full" in str(refused.value)
    assert str(models / registry.RECORDS_FILE) in str(refused.value)
    assert list(models.iterdir()) == []
    assert registry.read_records() == []


def test_an_io_error_midway_through_a_model_copy_leaves_nothing(tmp_path, model_copy, monkeypatch):
    models = _models_dir_on(tmp_path, monkeypatch)
    failing = FailingWrites(budget=2 * registry.COPY_CHUNK, code=errno.EIO)
    monkeypatch.setattr(files, "os", OsWith(write=failing))  # the copy writes through app.files
    with pytest.raises(TrellisError) as refused:
        registry.add_model(model_copy)
    assert "input/output error" in str(refused.value)
    assert list(models.iterdir()) == []


# --- opening ----------------------------------------------------------------------

def test_opening_on_a_full_disk_says_so_instead_of_calling_the_data_damaged(disk):
    home = disk / "home"
    with Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
    ballast = fill(disk)
    with pytest.raises(StorageFailed) as refused:
        Store.open(home, passphrase=PASSPHRASE)
    assert str(refused.value) == f"Could not open the database: the disk is full ({home / 'trellis.db'})."
    ballast.unlink()
    with Store.open(home, passphrase=PASSPHRASE) as store:
        assert_sound(store, [])
        assert store.people.get("p-ana").name == "Ana Ruiz"


def test_an_upgrade_on_a_full_disk_is_refused_and_completes_once_there_is_room(disk):
    home = disk / "home"
    Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    key = keys.unlock_key(home, PASSPHRASE)
    for leftover in home.glob("trellis.db*"):
        leftover.unlink()
    old = sqlite_utils.Database(connect(home / "trellis.db", key), execute_plugins=False)
    migrate(old, MIGRATIONS[:1])
    old.execute("INSERT INTO people (id, name, created_at, updated_at) VALUES ('p-ana', 'Ana', 'x', 'x')")
    with old.atomic():
        for n in range(40):
            old.execute("INSERT INTO notes (id, person_id, date, kind, text, created_at, updated_at) "
                        "VALUES (?, 'p-ana', '2025-06-01', 'observation', ?, 'x', 'x')",
                        [f"n-old-{n}", f"{BIG_TEXT} old{n}z"])
    old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    old.conn.close()
    ballast = fill(disk, leave=64 * 1024)
    with pytest.raises(StorageFailed) as refused:
        Store.open(home, passphrase=PASSPHRASE)
    assert str(refused.value).startswith("Could not bring the database up to this Trellis's "
                                         "version: the disk is full (")
    ballast.unlink()
    with Store.open(home, passphrase=PASSPHRASE) as store:
        assert_sound(store, [f"n-old-{n}" for n in range(40)])
        assert [hit.note_id for hit in store.search("old39z")] == ["n-old-39"]
        steps = [row[0] for row in store.db.execute("SELECT name FROM schema_migrations")]
        assert steps == [migration.__name__ for migration in MIGRATIONS]


# --- what a killed copy left behind -------------------------------------------------

def _left_behind(path: Path, age_s: float) -> Path:
    path.write_bytes(b"half a copy")
    os.utime(path, (time.time() - age_s, time.time() - age_s))
    return path


def test_the_next_backup_removes_copies_a_killed_backup_left_but_not_live_ones(team, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    old = _left_behind(folder / f"trellis-20260101-000000{BACKUP_SUFFIX}{PARTIAL_SUFFIX}", 3600)
    old_journal = _left_behind(folder / f"{old.name}-journal", 3600)
    live = _left_behind(folder / f"trellis-20260101-000001{BACKUP_SUFFIX}{PARTIAL_SUFFIX}", 5)
    mine = _left_behind(folder / "notes.txt", 3600)
    made = team[0].backup(folder)
    assert sorted(folder.iterdir()) == sorted([made, live, mine])
    assert not old.exists() and not old_journal.exists()


def test_the_next_model_import_removes_copies_a_killed_one_left(tmp_path, model_copy, monkeypatch):
    models = _models_dir_on(tmp_path, monkeypatch)
    models.mkdir()
    _left_behind(models / ".Other.gguf.x1y2.part", 3600)
    live = _left_behind(models / ".Other.gguf.z3w4.part", 5)
    registry.add_model(model_copy)
    assert sorted(p.name for p in models.iterdir()) == sorted(
        [live.name, "My-Model.gguf", registry.RECORDS_FILE])


def test_an_unrecorded_copy_of_the_same_model_is_taken_over_and_a_different_one_refused(
        tmp_path, model_copy, monkeypatch):
    """What an import killed between renaming the copy and recording it leaves, and a look-alike."""
    models = _models_dir_on(tmp_path, monkeypatch)
    models.mkdir()
    look_alike = models / model_copy.name
    look_alike.write_bytes(bytes(model_copy.stat().st_size))
    with pytest.raises(registry.AlreadyInstalled, match="already in .* but not recorded"):
        registry.add_model(model_copy)
    assert look_alike.read_bytes() == bytes(model_copy.stat().st_size)
    shutil.copyfile(model_copy, look_alike)
    installed = registry.add_model(model_copy)
    assert installed.file == model_copy.name and registry.check_hash(installed).verified
    assert sorted(p.name for p in models.iterdir()) == [model_copy.name, registry.RECORDS_FILE]
