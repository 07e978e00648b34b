"""``trellis``, the command line, run as a child process like a manager or IT would run it.

Stores are made in-process with the cheap test KDF and closed before the
command runs, so each call only pays for Python's start-up. Every user
mistake must end with a plain message and exit 1 (2 for a malformed
command), never a traceback.
"""

import json
import os
from pathlib import Path

import pytest

from app.exchange import export_document
from app.store import Store
from conftest import PASSPHRASE, files_under

NEW_PASSPHRASE = "correct horse battery staple"


def succeeds(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(result, code: int = 1) -> str:
    assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stderr


def reopen(home: Path) -> Store:
    return Store.open(home, passphrase=PASSPHRASE, create=False)


def damage_a_table_page(db: Path) -> None:
    """Overwrite 16 bytes inside the notes table's page of the (closed) database file.

    A table's page, not just any: ``VACUUM INTO`` (the backup) rebuilds indexes
    instead of reading them, so a damaged index page would not stop a backup.
    """
    with reopen(db.parent) as store:
        page = store.db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'notes'").fetchone()[0]
    assert not Path(f"{db}-wal").exists()
    data = bytearray(db.read_bytes())
    offset = (page - 1) * 4096 + 1000
    data[offset:offset + 16] = bytes(16)
    db.write_bytes(bytes(data))


@pytest.fixture
def home(team, data_home) -> Path:
    """A closed store with four people (one archived, two sharing 'ana') and a few notes."""
    store, ana, li = team
    store.people.add(name="Mariana Costa", role="Product Designer", person_id="p-mariana")
    store.people.add(name="Oleksandr Bondarenko", role="SRE", person_id="p-oleks")
    store.people.archive("p-oleks")
    store.notes.add(person_id="p-ana", date="2026-01-15", kind="observation", note_id="n-ana-1",
                    text="Paired with Li on the Kafka consumer lag alerts.")
    store.notes.add(person_id="p-ana", date="2026-03-02", kind="praise", note_id="n-ana-2",
                    text="Led the checkout outage review; the timeline was clear and blameless.",
                    competencies=("c-collab", "c-delivery"))
    store.notes.add(person_id="p-li", date="2026-02-10", kind="concern", note_id="n-li-1",
                    text="The backfill job missed its Friday deadline by two days.")
    store.close()
    return data_home


# --- doctor -----------------------------------------------------------------------

def test_doctor_on_a_fresh_data_dir_passes_and_creates_nothing(cli, data_home):
    out = succeeds(cli("doctor"))
    assert "no data saved yet" in out
    assert not data_home.exists() or files_under(data_home) == {}
    assert not data_home.exists(), "doctor's docstring promises that nothing is created, not even the dir"


def test_doctor_json_on_a_fresh_data_dir(cli, data_home):
    report = json.loads(succeeds(cli("doctor", "--json")))
    assert report["ok"] is True
    data = [check for check in report["checks"] if check["name"] == "data"]
    assert data and data[0]["status"] == "ok"
    assert all(set(check) == {"name", "status", "detail"} for check in report["checks"])
    assert not data_home.exists()


def test_doctor_reports_integrity_checks_passed_on_saved_data(cli, home):
    out = succeeds(cli("doctor"))
    assert "passes integrity_check and cipher_integrity_check" in out
    assert "4 people, 3 notes" in out


def test_doctor_warns_without_a_recovery_key_and_is_quiet_once_one_is_made(cli, home):
    from app.store.recovery import has_recovery_key
    assert not has_recovery_key(home)              # the fixture's store was made without one
    report = json.loads(succeeds(cli("doctor", "--json")))
    [check] = [c for c in report["checks"] if c["name"] == "recovery key"]
    assert report["ok"] and check["status"] == "warning"
    assert "trellis recovery-key new" in check["detail"]
    succeeds(cli("recovery-key", "new"))
    report = json.loads(succeeds(cli("doctor", "--json")))
    assert [c["status"] for c in report["checks"] if c["name"] == "recovery key"] == ["ok"]


def test_doctor_warns_while_the_key_the_window_shows_is_not_confirmed_kept(cli, home):
    with reopen(home) as store:
        store.recovery_key_to_keep()                # shown on the welcome page, not yet confirmed
    report = json.loads(succeeds(cli("doctor", "--json")))
    [check] = [c for c in report["checks"] if c["name"] == "recovery key"]
    assert check["status"] == "warning" and "not yet confirmed kept" in check["detail"]


def test_doctor_names_a_damaged_recovery_record(cli, home):
    (home / "recovery.json").write_text("{not json")
    report = json.loads(cli("doctor", "--json").stdout)
    [check] = [c for c in report["checks"] if c["name"] == "recovery key"]
    assert check["status"] == "failed" and "recovery.json is damaged" in check["detail"]


def test_doctor_on_a_damaged_database_fails_with_a_plain_message(cli, home):
    damage_a_table_page(home / "trellis.db")
    result = cli("doctor")
    fails(result)
    assert "FAILED" in result.stdout and "database" in result.stdout


def test_doctor_with_a_wrong_passphrase_fails_plainly(cli, home):
    result = cli("doctor", env={"TRELLIS_PASSPHRASE": "not the passphrase"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "passphrase is not right" in result.stdout


def test_doctor_without_a_passphrase_skips_the_database(cli, home):
    result = cli("doctor", env={"TRELLIS_PASSPHRASE": ""})
    assert result.returncode == 0, result.stdout
    assert "skipped" in result.stdout and "locked with a passphrase" in result.stdout


def test_export_with_nothing_saved_creates_nothing(cli, tmp_path, data_home):
    result = cli("export", str(tmp_path / "out.json"))
    assert result.returncode == 1
    assert "No Trellis data" in result.stderr
    assert not data_home.exists()


# --- people, notes, search ----------------------------------------------------------

def test_people_lists_current_team_by_name(cli, home):
    lines = succeeds(cli("people")).splitlines()
    assert [line.split("  ")[0] for line in lines] == ["p-ana", "p-li", "p-mariana"]
    assert "Backend Engineer" in lines[0]


def test_people_json_includes_archived_with_all(cli, home):
    people = json.loads(succeeds(cli("people", "--all", "--json")))
    assert {p["id"]: p["archived"] for p in people} == {
        "p-ana": False, "p-li": False, "p-mariana": False, "p-oleks": True}
    ana = next(p for p in people if p["id"] == "p-ana")
    assert ana == {"id": "p-ana", "name": "Ana Ruiz", "role": "Backend Engineer", "level": "L3",
                   "start_date": None, "archived": False}


def test_notes_lists_a_persons_notes_newest_first(cli, home):
    lines = succeeds(cli("notes", "p-ana")).splitlines()
    assert lines[:4] == ["Notes on Ana Ruiz, newest first", "=" * 31, "", "March 2026"]
    assert lines[4].split()[:3] == ["2", "Mar", "Praise"] and lines[4].endswith("(id n-ana-2)")
    assert "checkout outage" in lines[4]
    assert lines[5:7] == ["", "January 2026"] and lines[7].split()[:2] == ["15", "Jan"]
    assert lines[-1] == "Move a note to the trash: trellis note trash ID."
    assert "2026-" not in "\n".join(lines) and "praise" not in "\n".join(lines)


def test_notes_json_has_every_field(cli, home):
    notes = json.loads(succeeds(cli("notes", "p-ana", "--json")))
    assert notes[0] == {"id": "n-ana-2", "person_id": "p-ana", "date": "2026-03-02", "kind": "praise",
                        "text": "Led the checkout outage review; the timeline was clear and blameless.",
                        "competencies": ["c-collab", "c-delivery"], "deleted_at": None,
                        "included": []}
    assert [n["id"] for n in notes] == ["n-ana-2", "n-ana-1"]


def test_search_shows_person_note_and_marked_snippet(cli, home):
    out = succeeds(cli("search", "checkout"))
    assert "Ana Ruiz" in out and "n-ana-2" in out and "[checkout]" in out


def test_search_json_fields(cli, home):
    hits = json.loads(succeeds(cli("search", "deadline", "--json")))
    assert hits == [{"note_id": "n-li-1", "person_id": "p-li", "person_name": "Li Wei",
                     "date": "2026-02-10", "kind": "concern",
                     "snippet": "The backfill job missed its Friday [deadline] by two days."}]


def test_search_with_no_match(cli, home):
    assert "No notes match." in succeeds(cli("search", "zeppelin"))


@pytest.mark.parametrize("reference", ["p-ana", "Ana Ruiz", "aNA rUIZ", "RUIZ"],
                         ids=["id", "full name", "full name in any case", "partial name in any case"])
def test_person_can_be_named_by_id_or_unambiguous_name(cli, home, reference):
    notes = json.loads(succeeds(cli("notes", reference, "--json")))
    assert {n["person_id"] for n in notes} == {"p-ana"} and len(notes) == 2


def test_ambiguous_name_lists_the_candidates(cli, home):
    err = fails(cli("notes", "ana"))
    assert "'ana' matches 2 people" in err
    assert "Ana Ruiz (p-ana)" in err and "Mariana Costa (p-mariana)" in err
    assert "use the id" in err


def test_unknown_person(cli, home):
    assert "No person matches 'Zoltan'" in fails(cli("notes", "Zoltan"))


# --- adding, trashing, restoring notes ------------------------------------------------

def test_note_add_with_date_and_kind_is_listed_and_found(cli, home):
    added = json.loads(succeeds(cli("note", "add", "Li Wei", "Walked the new hire through the lineage graph",
                                    "--date", "2026-04-03", "--kind", "feedback_given", "--json")))
    assert added["date"] == "2026-04-03" and added["kind"] == "feedback_given"
    listed = json.loads(succeeds(cli("notes", "p-li", "--json")))
    assert listed[0]["id"] == added["id"] and listed[0]["text"].endswith("lineage graph")
    hits = json.loads(succeeds(cli("search", "lineage", "--json")))
    assert [h["note_id"] for h in hits] == [added["id"]]


def test_note_add_with_an_impossible_date_names_it_and_saves_nothing(cli, home):
    err = fails(cli("note", "add", "p-li", "Something", "--date", "2026-02-30"))
    assert "'2026-02-30'" in err and "not a real calendar date" in err
    with reopen(home) as store:
        assert store.notes.count_for_person("p-li") == 1


def test_note_add_with_an_unknown_kind_is_a_usage_error(cli, home):
    err = fails(cli("note", "add", "p-li", "Something", "--kind", "rant"), code=2)
    assert "invalid choice: 'rant'" in err


def test_note_add_with_blank_text_is_refused(cli, home):
    assert "A note needs some text" in fails(cli("note", "add", "p-li", "   "))


def test_note_trash_and_restore(cli, home):
    out = succeeds(cli("note", "trash", "n-li-1"))
    assert "trellis note restore n-li-1" in out
    trash = json.loads(succeeds(cli("trash", "--json")))
    assert [n["id"] for n in trash] == ["n-li-1"] and trash[0]["deleted_at"]
    with reopen(home) as store:
        assert store.notes.for_person("p-li") == []
        assert store.search("deadline") == []
    succeeds(cli("note", "restore", "n-li-1"))
    assert "The trash is empty." in succeeds(cli("trash"))
    with reopen(home) as store:
        assert [n.id for n in store.notes.for_person("p-li")] == ["n-li-1"]


def test_trash_of_an_unknown_note(cli, home):
    assert "No note with id 'n-nope'" in fails(cli("note", "trash", "n-nope"))


# --- backup and restore ---------------------------------------------------------------

def test_backup_then_restore_brings_the_data_back(cli, home):
    with reopen(home) as store:
        before = export_document(store)
    backup = Path(json.loads(succeeds(cli("backup", "--json")))["backup"])
    assert backup.is_file() and backup.parent == home / "backups"
    with reopen(home) as store:
        store.notes.add(person_id="p-ana", text="Written after the backup", note_id="n-late")
        store.notes.trash("n-ana-1")
    out = succeeds(cli("restore", str(backup)))
    assert "Restored" in out
    with reopen(home) as store:
        assert export_document(store) == before


def test_restore_of_random_bytes_is_refused_and_changes_nothing(cli, home, tmp_path):
    junk = tmp_path / "junk.trellis-backup"
    junk.write_bytes(os.urandom(16384))
    database_before = (home / "trellis.db").read_bytes()
    err = fails(cli("restore", str(junk)))
    assert "not a Trellis backup" in err
    assert (home / "trellis.db").read_bytes() == database_before
    with reopen(home) as store:
        assert [n.id for n in store.notes.for_person("p-ana")] == ["n-ana-2", "n-ana-1"]


def test_backup_of_a_damaged_database_fails_with_a_plain_message(cli, home):
    damage_a_table_page(home / "trellis.db")
    fails(cli("backup"))


# --- passphrases ------------------------------------------------------------------------

def test_wrong_passphrase_is_refused_plainly(cli, home):
    err = fails(cli("people", env={"TRELLIS_PASSPHRASE": "not the passphrase"}))
    assert "passphrase is not right" in err


def test_no_passphrase_without_a_terminal_is_refused_plainly(cli, home):
    err = fails(cli("people", env={"TRELLIS_PASSPHRASE": ""}))
    assert "locked with a passphrase" in err


def test_passphrase_set_from_env_replaces_the_old_one(cli, home):
    out = succeeds(cli("passphrase", "set", "--from-env", "NEW_TRELLIS_PASS",
                       env={"NEW_TRELLIS_PASS": NEW_PASSPHRASE}))
    assert "Passphrase set" in out
    assert "passphrase is not right" in fails(cli("people"))
    assert "Ana Ruiz" in succeeds(cli("people", env={"TRELLIS_PASSPHRASE": NEW_PASSPHRASE}))


def test_passphrase_set_refuses_a_short_one_and_keeps_the_old(cli, home):
    err = fails(cli("passphrase", "set", "--from-env", "NEW_TRELLIS_PASS",
                    env={"NEW_TRELLIS_PASS": "short"}))
    assert "at least 8 characters" in err
    with reopen(home) as store:
        assert store.people.get("p-ana").name == "Ana Ruiz"
