"""Every ``trellis`` command given bad input says what was wrong in a sentence.

A table of bad invocations — people who do not exist or are ambiguous, dates
that are not dates, files that are missing, folders, not JSON, not GGUF,
places that cannot be written, unknown settings — each run through
``app.cli.main`` in this process (a child process per case would take a
minute): exit 1, stderr starting "trellis:", naming the culprit, short, and
never a traceback. Then the cases that need more: a wrong or missing
passphrase, a store another process holds locked (a real child process),
argparse's own refusals (exit 2), and an unexpected exception, which must
become a sentence pointing at an owner-only log that holds the frames but
not the note text in the exception's message.
"""

import json
import os
import stat
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest

from app import error_log
from conftest import REPO

MAX_MESSAGE = 400


@pytest.fixture
def files(tmp_path):
    """Bad files and places: a folder, not JSON, not UTF-8, not GGUF, a plain file to write under."""
    made = SimpleNamespace(folder=tmp_path / "a folder", missing=tmp_path / "missing.json",
                           not_json=tmp_path / "notes.json", latin1=tmp_path / "latin1.json",
                           not_gguf=tmp_path / "model.gguf", plain=tmp_path / "plain.txt",
                           folder_yaml=tmp_path / "framework.yaml", read_only=_read_only_place(tmp_path))
    made.folder.mkdir()
    made.folder_yaml.mkdir()
    made.not_json.write_text("Ana shipped the billing API", encoding="utf-8")
    made.latin1.write_bytes('{"format": "trellis/v1", "people": [{"id": "p", "name": "J\xf6rg"}]}'
                            .encode("latin-1"))
    made.not_gguf.write_bytes(b"this is not a model " * 20)
    made.plain.write_text("x", encoding="utf-8")
    return made


def _read_only_place(tmp_path):
    """A folder nobody may write in: a 0500 folder, or /sys where root ignores modes."""
    if os.geteuid() == 0:
        return "/sys"
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    return folder


@pytest.fixture
def people(store):
    """Two Anas (so 'Ana' is ambiguous) and Li Wei; the store closed again for the commands."""
    for name in ("Ana Ruiz", "Ana Lopez", "Li Wei"):
        store.people.add(name=name)
    store.close()


# (what is wrong, the command, words the sentence must contain)
BAD_INVOCATIONS = [
    ("a person who does not exist", ["notes", "Nobody"], "Nobody"),
    ("an ambiguous name", ["notes", "Ana"], "matches 2 people"),
    ("an ambiguous name when saving", ["note", "add", "Ana", "Shipped it"], "use the id"),
    ("30 February", ["note", "add", "Li Wei", "Shipped it", "--date", "2026-02-30"], "2026-02-30"),
    ("a date in words", ["note", "add", "Li Wei", "Shipped it", "--date", "yesterday"], "yesterday"),
    ("an empty note", ["note", "add", "Li Wei", ""], "text"),
    ("an empty name", ["person", "add", ""], "name"),
    ("a start date that is no date", ["person", "add", "Bo", "--start-date", "2026-13-01"], "2026-13-01"),
    ("importing a missing file", ["import", "{missing}"], "missing.json"),
    ("importing a folder", ["import", "{folder}"], "a folder"),
    ("importing a file that is not JSON", ["import", "{not_json}"], "not valid JSON"),
    ("importing a file that is not UTF-8", ["import", "{latin1}"], "not UTF-8"),
    ("exporting onto a folder", ["export", "{folder}"], "a folder: is a directory"),
    ("exporting under a plain file", ["export", "{plain}/out.json"], "not a directory"),
    ("exporting into a read-only folder", ["export", "{read_only}/out.json"], "out.json"),
    ("a backup onto a plain file", ["backup", "{plain}"], "plain.txt"),
    ("a backup into a read-only folder", ["backup", "{read_only}/backups"], "{read_only}/backups"),
    ("restoring something that is not a backup", ["restore", "{not_json}"], "not a Trellis backup"),
    ("restoring a folder", ["restore", "{folder}"], "not a file"),
    ("restoring a missing file", ["restore", "{missing}"], "no such file"),
    ("an unknown setting", ["settings", "colour", "red"], "unknown setting 'colour'"),
    ("a setting that is not a number", ["settings", "threads", "many"], "'many'"),
    ("a setting with no value", ["settings", "threads"], "Give a value"),
    ("a model file that is not GGUF", ["models", "add", "{not_gguf}"], "not a GGUF"),
    ("a folder as a model", ["models", "add", "{folder}"], "a folder"),
    ("removing a model that is not there", ["models", "remove", "gpt-nope"], "gpt-nope"),
    ("a review period with a bad month", ["draft", "review", "Li Wei", "--from", "2026-13-01",
                                          "--to", "2026-12-31"], "2026-13-01"),
    ("a review period that ends before it starts", ["draft", "review", "Li Wei", "--from",
                                                    "2026-03-01", "--to", "2026-02-01"], "after it ends"),
    ("a plan for nobody", ["draft", "plan", "Nobody"], "Nobody"),
    ("a draft that does not exist", ["draft", "export", "d-nope", "-o", "{folder}/d.md"], "d-nope"),
    ("trashing a note that does not exist", ["note", "trash", "n-nope"], "n-nope"),
    ("a meeting that does not exist", ["meeting", "show", "m-nope"], "m-nope"),
    ("an agenda for nobody", ["agenda", "Nobody"], "Nobody"),
    ("an agenda exported onto a folder", ["agenda", "Li Wei", "--export", "{folder}"], "is a directory"),
    ("a next 1:1 on day 99", ["cadence", "Li Wei", "weekly", "--next", "2026-99-01"], "2026-99-01"),
    ("a review cycle backwards", ["cycles", "add", "Q1", "--from", "2026-01-01",
                                 "--to", "2025-01-01"], "after it ends"),
    ("a framework that is not JSON", ["frameworks", "import", "{not_json}"], "not valid JSON"),
    ("a framework that is a folder", ["frameworks", "import", "{folder_yaml}"], "framework.yaml"),
    ("a framework that does not exist", ["frameworks", "use", "f-nope"], "f-nope"),
    ("an action due 'tomorrow'", ["action", "add", "Li Wei", "Send it", "--owner", "manager",
                                  "--due", "tomorrow"], "tomorrow"),
    ("a goal due 30 February", ["goal", "add", "Li Wei", "Ship it", "--due", "2026-02-30"], "2026-02-30"),
    ("an overdue list as of no date", ["overdue", "--today", "soon"], "soon"),
    ("a new passphrase from an unset variable", ["passphrase", "set", "--from-env", "NO_SUCH_VAR"],
     "NO_SUCH_VAR"),
]


def assert_one_sentence(result, *, culprit: str, code: int = 1) -> None:
    """Exit ``code``; one short message starting 'trellis:' that names ``culprit``; no traceback."""
    err = result.stderr
    assert result.returncode == code, (result.returncode, err)
    assert err.startswith("trellis: "), err
    assert "Traceback" not in err and 'File "' not in err, err
    assert len(err) < MAX_MESSAGE, err
    assert culprit in err, (culprit, err)


@pytest.mark.parametrize("what, args, culprit", BAD_INVOCATIONS, ids=[row[0] for row in BAD_INVOCATIONS])
def test_bad_input_is_one_sentence_that_names_it(run, people, files, what, args, culprit):
    places = {name: str(value) for name, value in vars(files).items()}
    result = run(*[arg.format(**places) for arg in args])
    assert_one_sentence(result, culprit=culprit.format(**places))


def test_nothing_was_saved_by_the_refused_commands(run, people, files, data_home):
    for _what, args, _culprit in BAD_INVOCATIONS:
        run(*[arg.format(**{k: str(v) for k, v in vars(files).items()}) for arg in args])
    people = json.loads(run("people", "--json").stdout)
    assert sorted(p["name"] for p in people) == ["Ana Lopez", "Ana Ruiz", "Li Wei"]
    assert json.loads(run("notes", "Li Wei", "--json").stdout) == []
    assert not list(files.folder.iterdir()), "a refused command left a file behind"


def test_a_wrong_passphrase_and_none_at_all(run, people, monkeypatch):
    monkeypatch.setenv("TRELLIS_PASSPHRASE", "not the passphrase")
    assert_one_sentence(run("people"), culprit="passphrase is not right")
    monkeypatch.delenv("TRELLIS_PASSPHRASE")
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # no terminal to ask on
    assert_one_sentence(run("people"), culprit="locked with a passphrase")


def test_a_data_dir_that_is_a_file(run, files, monkeypatch):
    monkeypatch.setenv("TRELLIS_HOME", str(files.plain))
    assert_one_sentence(run("people"), culprit=str(files.plain))


@pytest.mark.parametrize("args, culprit", [
    (["notes", "Li Wei", "--limit", "many"], "invalid int value: 'many'"),
    (["note", "add", "Li Wei", "x", "--kind", "gossip"], "invalid choice: 'gossip'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["note", "add"], "the following arguments are required"),
])
def test_a_mistake_in_the_command_itself_exits_2_with_usage(run, args, culprit):
    result = run(*args)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("trellis") and culprit in last, result.stderr
    assert "Traceback" not in result.stderr


def test_a_store_held_locked_by_another_process_is_a_sentence_and_saves_nothing(cli, people, store_again):
    """A child process tries to save while this one holds the write lock past the busy timeout."""
    store_again.db.execute("BEGIN IMMEDIATE")
    try:
        result = cli("note", "add", "Li Wei", "Written while the store was busy")
    finally:
        store_again.db.execute("ROLLBACK")
    assert_one_sentence(result, culprit="kept the notes busy")
    assert error_log.BUSY_SENTENCE in result.stderr
    assert store_again.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


@pytest.fixture
def store_again(people, data_home):
    from app.store import Store
    from conftest import PASSPHRASE
    opened = Store.open(data_home, passphrase=PASSPHRASE)
    yield opened
    opened.close()


SECRET = "Ana told me in confidence about her divorce"


def _search_that_fails(self, query, **_options):
    try:
        {}[query]
    except KeyError as missing:
        raise ValueError(f"could not rank {SECRET!r}") from missing


def test_an_unexpected_error_is_a_sentence_with_a_private_log_without_note_text(
        run, people, monkeypatch, data_home):
    monkeypatch.setattr("app.store.store.Store.search", _search_that_fails)
    result = run("search", "divorce")
    log = data_home / "logs" / error_log.LOG_NAME
    assert result.returncode == 1
    assert result.stderr == f"trellis: unexpected error (ValueError) — details in {log}.\n"
    text = log.read_text(encoding="utf-8")
    assert "divorce" not in text and "confidence" not in text
    assert "unexpected ValueError" in text and "caused by KeyError" in text
    assert "in cmd_search" in text and "in _search_that_fails" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_the_log_is_appended_to_then_started_afresh_past_its_limit(monkeypatch, data_home):
    monkeypatch.setattr(error_log, "MAX_LOG_BYTES", 600)
    paths = {error_log.record(RuntimeError("x"), where="test") for _ in range(6)}
    assert len(paths) == 1
    log = paths.pop()
    assert log.with_name(error_log.LOG_NAME + ".1").exists()
    assert log.stat().st_size <= 600 + len(error_log.log_entry(RuntimeError(), where="test"))


def test_a_thread_that_cannot_find_the_data_dir_still_logs(monkeypatch, tmp_path):
    """A broken data dir (here: a policy that raises) falls back to a private temporary folder."""
    def broken():
        raise RuntimeError("policy unreadable")
    monkeypatch.setattr("app.paths.data_home", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    found = []
    worker = threading.Thread(target=lambda: found.append(error_log.record(KeyError("k"), where="test")))
    worker.start()
    worker.join()
    assert found[0].parent.parent == tmp_path
    assert "unexpected KeyError" in found[0].read_text(encoding="utf-8")


def test_the_real_command_says_so_when_its_output_is_closed(people):
    """``trellis people`` writing into a pipe nobody reads any more: a sentence, no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "app.cli", "people"], cwd=REPO,
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert_one_sentence(result, culprit="output was closed")
