"""Replacing data another process has open, and two windows on one data dir (issue 15, part 4).

A child process opens the store (as a window or a long command would) and
waits; meanwhile restore, recovery and a schema upgrade are refused with a
sentence and change nothing, and work once the child has closed it.
"""

import subprocess
import sys
import textwrap

import pytest

from app.store import Store, in_use
from app.store.in_use import StoreInUse, claim_window
from conftest import FAST_KDF, PASSPHRASE, REPO, files_under


def holder(data_home, what="store"):
    """A child process holding the data open (``store``) or the window claim (``window``)
    until its stdin closes."""
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from app.store import Store, in_use
        home = Path({str(data_home)!r})
        if {what!r} == "store":
            held = Store.open(home, passphrase={PASSPHRASE!r})
        elif {what!r} == "older trellis":  # an older Trellis has it open: it holds, no upgrade
            in_use.hold(home)
        else:
            held = in_use.claim_window(home)
            assert held is not None
        print("open", flush=True)
        sys.stdin.read()
    """)
    child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "open"
    return child


def close(child):
    child.stdin.close()
    assert child.wait(60) == 0


@pytest.fixture
def saved(store):
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    store.notes.add(person_id="p-ana", text="Ran the retro.")
    backup = store.backup()
    store.notes.add(person_id="p-ana", text="Shipped the importer.")
    return store, backup


def test_restore_is_refused_while_another_process_has_the_data_open(saved, data_home):
    store, backup = saved
    child = holder(data_home)
    try:
        before = files_under(data_home / "backups")
        with pytest.raises(StoreInUse, match="another Trellis .* has this data open.*Nothing was changed"):
            store.restore(backup)
        assert files_under(data_home / "backups") == before  # not even a before-restore copy
        assert len(store.notes.for_person("p-ana")) == 2      # and the store still works
    finally:
        close(child)
    store.restore(backup)
    assert [n.text for n in store.notes.for_person("p-ana")] == ["Ran the retro."]


def test_restore_is_refused_while_a_thread_of_this_process_has_its_own_connection(saved):
    store, backup = saved
    with store.for_this_thread():
        with pytest.raises(StoreInUse, match="other work in this Trellis"):
            store.restore(backup)
    store.restore(backup)


def test_the_cli_restore_beside_an_open_window_is_a_sentence(saved, data_home, cli):
    store, backup = saved
    store.close()
    child = holder(data_home)
    try:
        result = cli("restore", str(backup))
        assert result.returncode == 1 and "another Trellis" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        close(child)


def test_a_schema_upgrade_waits_for_no_one_else_to_have_the_data_open(data_home):
    from app.store import migrations

    Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF).close()

    def m999_next_version(db):  # what the next Trellis adds
        db.execute("CREATE TABLE next_version (x)")
    migrations.MIGRATIONS.append(m999_next_version)
    try:
        child = holder(data_home, "older trellis")
        try:
            with pytest.raises(StoreInUse, match="bring the data up to this Trellis's version"):
                Store.open(data_home, passphrase=PASSPHRASE)
        finally:
            close(child)
        with Store.open(data_home, passphrase=PASSPHRASE) as store:
            assert "m999_next_version" in [r[0] for r in store.db.execute(
                "SELECT name FROM schema_migrations")]
    finally:
        migrations.MIGRATIONS.remove(m999_next_version)


def test_a_second_window_on_the_same_data_dir_is_told_the_first_is_open(data_home, tmp_path):
    child = holder(data_home, "window")
    try:
        assert claim_window(data_home) is None
        other = claim_window(tmp_path / "other-data")  # another data dir is another window
        assert other is not None
        other.release()
    finally:
        close(child)
    mine = claim_window(data_home)
    assert mine is not None
    mine.release()
