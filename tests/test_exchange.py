"""The trellis/v1 exchange format: exact round trips, all-or-nothing imports, awkward text.

``tests/data/team.json`` is a realistic team written with every optional
field present, so an export of it must equal it as a JSON value. Every
rejected document must leave the store exactly as it was, whether the store
was empty or already held a team.
"""

import copy
import json
from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.exchange import ImportRejected, export_document, import_document, import_file, write_export
from app.store import Store
from app.store.backup import table_counts
from conftest import FAST_KDF, PASSPHRASE

TEAM_FILE = Path(__file__).parent / "data" / "team.json"


def load_team() -> dict:
    return json.loads(TEAM_FILE.read_text(encoding="utf-8"))


def snapshot(store) -> tuple:
    """Everything an import could change: the export, the trash and every table's row count."""
    return export_document(store), store.notes.in_trash(), table_counts(store.db.conn)


EMPTY_EXPORT = {"format": "trellis/v1", "people": [], "competencies": [], "notes": [], "meetings": [],
                "actions": [], "goals": []}


def newcomer() -> dict:
    """A small valid document whose ids do not clash with team.json."""
    return {
        "format": "trellis/v1",
        "people": [{"id": "p-zanele", "name": "Zanele Mokoena", "role": "Data Engineer",
                    "level": "L2", "start_date": "2026-10-01", "archived": False}],
        "competencies": [{"id": "c-modelling", "name": "Data modelling",
                          "description": "Schemas that survive the next feature"}],
        "notes": [{"id": "n-7", "person": "p-zanele", "date": "2026-10-14", "kind": "observation",
                   "text": "First PR: a clean, reversible migration for the events table.",
                   "competencies": ["c-modelling"]}],
        "meetings": [{"id": "m-7", "person": "p-zanele", "date": "2026-10-15", "notes": "First 1:1.",
                      "agenda": [{"text": "How is onboarding going?", "owner": "manager", "done": True},
                                 {"text": "Access to the warehouse", "owner": "report", "done": False}]}],
        "actions": [{"id": "a-7", "person": "p-zanele", "meeting": "m-7", "text": "Pair her with a buddy",
                     "owner": "manager", "due": "2026-10-20", "done": False}],
        "goals": [{"id": "g-7", "person": "p-zanele", "title": "Own the events pipeline",
                   "status": "on_track", "due": None}],
    }


def write_json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture(params=["empty store", "store with a team"])
def any_store(request, store):
    if request.param == "store with a team":
        import_file(store, TEAM_FILE)
    return store


@pytest.fixture(scope="module")
def shared_stores(tmp_path_factory):
    """One empty store and one with the team, shared by the tests that only make refused imports."""
    stores = {name: Store.open(tmp_path_factory.mktemp("shared") / "home", passphrase=PASSPHRASE,
                               kdf=FAST_KDF)
              for name in ("empty store", "store with a team")}
    import_file(stores["store with a team"], TEAM_FILE)
    yield stores
    for opened in stores.values():
        opened.close()


@pytest.fixture(params=["empty store", "store with a team"])
def refusing_store(request, shared_stores):
    """A shared store: every test using it must check (with ``snapshot``) that it did not change."""
    shared = shared_stores[request.param]
    expected = load_team() if request.param == "store with a team" else EMPTY_EXPORT
    assert export_document(shared) == expected, "an earlier test changed a shared store"
    return shared


# --- round trips ----------------------------------------------------------------

def test_team_file_is_a_realistic_team():
    team = load_team()
    assert len(team["people"]) == 6 and sum(p["archived"] for p in team["people"]) == 1
    assert len(team["competencies"]) == 6 and len(team["notes"]) == 60
    assert len({n["kind"] for n in team["notes"]}) == 7
    assert {g["status"] for g in team["goals"]} == {"on_track", "at_risk", "done", "dropped"}
    assert all(n["competencies"] == sorted(n["competencies"]) for n in team["notes"])


def test_team_file_round_trips_exactly(store):
    counts = import_file(store, TEAM_FILE)
    assert counts == {"people": 6, "competencies": 6, "notes": 60, "meetings": 8, "actions": 10,
                      "goals": 6}
    assert export_document(store) == load_team()


def test_written_export_equals_the_imported_file(store, tmp_path):
    import_file(store, TEAM_FILE)
    write_export(store, tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == load_team()
    assert (tmp_path / "out.json").stat().st_mode & 0o077 == 0


def test_export_reimports_into_a_second_store_unchanged(store, tmp_path):
    import_file(store, TEAM_FILE)
    write_export(store, tmp_path / "out.json")
    with Store.open(tmp_path / "second", passphrase=PASSPHRASE, kdf=FAST_KDF) as second:
        import_file(second, tmp_path / "out.json")
        assert export_document(second) == load_team()


def test_team_file_round_trips_through_the_cli(store, cli, tmp_path):
    store.close()
    imported = cli("import", str(TEAM_FILE))
    assert imported.returncode == 0, imported.stderr
    assert "60 notes" in imported.stdout
    exported = cli("export", str(tmp_path / "out.json"))
    assert exported.returncode == 0, exported.stderr
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == load_team()
    to_stdout = cli("export", "-")
    assert json.loads(to_stdout.stdout) == load_team()


def test_cli_import_of_a_bad_file_exits_1_and_changes_nothing(store, cli, tmp_path):
    import_file(store, TEAM_FILE)
    store.close()
    doc = newcomer()
    doc["notes"][0]["date"] = "2026-02-30"
    result = cli("import", str(write_json(tmp_path / "bad.json", doc)))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nothing was changed" in result.stderr
    assert "notes[0] (id 'n-7'), field 'date': '2026-02-30' is not a real calendar date" in result.stderr
    assert json.loads(cli("export", "-").stdout) == load_team()


# --- rejected documents ---------------------------------------------------------

def _set(path: str, value):
    """A change to a newcomer() document: ``path`` is like ``notes.0.date``."""
    def change(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return change


def _delete(path: str):
    def change(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]
    return change


def _duplicate_note(doc):
    doc["notes"].append(dict(doc["notes"][0], text="Second note, same id"))


def _meeting_of_someone_else(doc):
    doc["people"].append({"id": "p-tomas", "name": "Tomás Novák"})
    doc["actions"][0]["person"] = "p-tomas"


# (test id, change to newcomer(), fragments that one problem line must all contain)
BAD_DOCUMENTS = [
    ("missing format", _delete("format"), ["document", "'format'", "missing"]),
    ("unknown format", _set("format", "trellis/v2"), ["document", "'trellis/v2'", "not supported"]),
    ("unknown top-level field", _set("teams", []), ["document", "unknown field 'teams'"]),
    ("collection not a list", _set("goals", {}), ["goals", "expected a list"]),
    ("record not an object", _set("notes.0", "a note"), ["notes[0]", "expected an object"]),
    ("unknown field in a note", _set("notes.0.mood", "good"), ["'n-7'", "unknown field 'mood'"]),
    ("unknown field in a person", _set("people.0.email", "z@example.org"),
     ["'p-zanele'", "unknown field 'email'"]),
    ("unknown field in an agenda item", _set("meetings.0.agenda.0.priority", 1),
     ["'m-7'", "'agenda'[0]", "unknown field 'priority'"]),
    ("missing note text", _delete("notes.0.text"), ["'n-7'", "'text'", "missing"]),
    ("null note date", _set("notes.0.date", None), ["'n-7'", "field 'date'", "must not be null"]),
    ("note to unknown person", _set("notes.0.person", "p-ghost"),
     ["'n-7'", "field 'person'", "'p-ghost'", "not in people"]),
    ("note to unknown competency", _set("notes.0.competencies", ["c-ghost"]),
     ["'n-7'", "field 'competencies'", "'c-ghost'", "not in competencies"]),
    ("action to unknown meeting", _set("actions.0.meeting", "m-ghost"),
     ["'a-7'", "field 'meeting'", "'m-ghost'", "not in meetings"]),
    ("meeting with unknown person", _set("meetings.0.person", "p-ghost"),
     ["'m-7'", "field 'person'", "'p-ghost'"]),
    ("goal of unknown person", _set("goals.0.person", "p-ghost"), ["'g-7'", "field 'person'", "'p-ghost'"]),
    ("action from another person's meeting", _meeting_of_someone_else,
     ["'a-7'", "field 'meeting'", "'m-7'", "'p-zanele'"]),
    ("duplicate note id", _duplicate_note, ["notes[1] (id 'n-7')", "duplicate id 'n-7'"]),
    ("30 February", _set("notes.0.date", "2026-02-30"),
     ["'n-7'", "field 'date'", "'2026-02-30'", "not a real calendar date"]),
    ("month 13", _set("notes.0.date", "2026-13-01"), ["'n-7'", "field 'date'", "'2026-13-01'"]),
    ("US-style date", _set("notes.0.date", "12/01/2026"),
     ["'n-7'", "field 'date'", "'12/01/2026'", "YYYY-MM-DD"]),
    ("empty date", _set("notes.0.date", ""), ["'n-7'", "field 'date'", "''", "YYYY-MM-DD"]),
    ("date with a time", _set("meetings.0.date", "2026-10-15T10:00"), ["'m-7'", "field 'date'"]),
    ("impossible start date", _set("people.0.start_date", "2026-02-29"),
     ["'p-zanele'", "field 'start_date'", "'2026-02-29'"]),
    ("empty due date", _set("actions.0.due", ""), ["'a-7'", "field 'due'", "''"]),
    ("archived as text", _set("people.0.archived", "yes"),
     ["'p-zanele'", "field 'archived'", "expected true or false", "'yes'"]),
    ("done as a number", _set("actions.0.done", 1), ["'a-7'", "field 'done'", "expected true or false", "1"]),
    ("agenda done as a number", _set("meetings.0.agenda.0.done", 1), ["'m-7'", "'agenda'[0]", "field 'done'"]),
    ("competencies as a string", _set("notes.0.competencies", "c-modelling"),
     ["'n-7'", "field 'competencies'", "expected a list of ids"]),
    ("competency listed twice", _set("notes.0.competencies", ["c-modelling", "c-modelling"]),
     ["'n-7'", "field 'competencies'", "same id twice"]),
    ("text as a number", _set("notes.0.text", 42), ["'n-7'", "field 'text'", "expected a string", "number"]),
    ("agenda item not an object", _set("meetings.0.agenda", ["Discuss onboarding"]),
     ["'m-7'", "field 'agenda'[0]", "expected an object"]),
    ("agenda not a list", _set("meetings.0.agenda", "Discuss onboarding"),
     ["'m-7'", "field 'agenda'", "expected a list"]),
    ("id as a number", _set("notes.0.id", 7), ["notes[0]", "field 'id'", "expected a string"]),
    ("empty id", _set("goals.0.id", ""), ["goals[0]", "field 'id'", "must not be empty"]),
    ("blank note text", _set("notes.0.text", "  \n\t "), ["'n-7'", "field 'text'", "must not be empty"]),
    ("empty person name", _set("people.0.name", ""), ["'p-zanele'", "field 'name'", "must not be empty"]),
    ("empty competency name", _set("competencies.0.name", " "),
     ["'c-modelling'", "field 'name'", "must not be empty"]),
    ("empty goal title", _set("goals.0.title", ""), ["'g-7'", "field 'title'", "must not be empty"]),
    ("empty agenda text", _set("meetings.0.agenda.1.text", ""), ["'m-7'", "'agenda'[1]", "field 'text'"]),
    ("unknown kind", _set("notes.0.kind", "rant"), ["'n-7'", "field 'kind'", "'rant'", "observation"]),
    ("kind in capitals", _set("notes.0.kind", "Praise"), ["'n-7'", "field 'kind'", "'Praise'"]),
    ("unknown action owner", _set("actions.0.owner", "team"), ["'a-7'", "field 'owner'", "'team'", "manager"]),
    ("unknown agenda owner", _set("meetings.0.agenda.0.owner", "both"),
     ["'m-7'", "'agenda'[0]", "field 'owner'", "'both'"]),
    ("unknown goal status", _set("goals.0.status", "blocked"),
     ["'g-7'", "field 'status'", "'blocked'", "on_track"]),
]


def test_the_newcomer_document_itself_imports(any_store):
    import_document(any_store, newcomer())
    exported = export_document(any_store)
    for name, records in newcomer().items():
        if name != "format":
            assert exported[name][-len(records):] == records


@pytest.mark.parametrize("change, fragments", [case[1:] for case in BAD_DOCUMENTS],
                         ids=[case[0] for case in BAD_DOCUMENTS])
def test_bad_document_is_refused_naming_record_and_field(refusing_store, tmp_path, change, fragments):
    doc = newcomer()
    change(doc)
    before = snapshot(refusing_store)
    with pytest.raises(ImportRejected) as caught:
        import_file(refusing_store, write_json(tmp_path / "bad.json", doc))
    assert any(all(f in line for f in fragments) for line in caught.value.problems), caught.value.problems
    assert "nothing was changed" in str(caught.value)
    assert snapshot(refusing_store) == before


def test_a_document_that_is_not_an_object_is_refused(refusing_store):
    before = snapshot(refusing_store)
    with pytest.raises(ImportRejected, match="must be a JSON object"):
        import_document(refusing_store, [newcomer()])
    assert snapshot(refusing_store) == before


def test_ids_already_in_the_store_are_refused(store):
    import_file(store, TEAM_FILE)
    before = snapshot(store)
    doc = newcomer()
    doc["people"][0]["id"] = "p-amara"
    doc["notes"][0].update(id="n-001", person="p-amara")
    with pytest.raises(ImportRejected) as caught:
        import_document(store, doc)
    problems = caught.value.problems
    assert any("people[0] (id 'p-amara')" in p and "already exists" in p for p in problems), problems
    assert any("notes[0] (id 'n-001')" in p and "already exists" in p for p in problems), problems
    assert snapshot(store) == before


def test_importing_the_same_file_twice_is_refused_the_second_time(store):
    import_file(store, TEAM_FILE)
    before = snapshot(store)
    with pytest.raises(ImportRejected) as caught:
        import_file(store, TEAM_FILE)
    # every record but the competencies, which are matched by id (see below)
    assert len(caught.value.problems) == 6 + 60 + 8 + 10 + 6
    assert snapshot(store) == before


def test_a_competency_the_store_already_has_is_matched_and_keeps_its_wording(store):
    from app.reviews.frameworks import competencies_in_force
    framework = competencies_in_force(store).framework  # the shipped one, in an empty store
    delivery = next(c for c in framework.competencies if c.id == "c-delivery")
    counts = import_file(store, TEAM_FILE)
    assert counts["notes"] == 60 and counts["people"] == 6
    kept = {c.id: c for c in store.competencies.list()}
    assert kept["c-delivery"].name == delivery.name
    assert any("c-delivery" in n.competencies for n in store.notes.all_live())


def test_the_id_of_a_trashed_note_cannot_be_reused(store):
    import_file(store, TEAM_FILE)
    store.notes.trash("n-003")
    doc = {"format": "trellis/v1", "notes": [dict(load_team()["notes"][2])]}
    with pytest.raises(ImportRejected, match=r"notes\[0\] \(id 'n-003'\): id 'n-003' already exists"):
        import_document(store, doc)


def test_every_problem_is_reported_not_just_the_first(refusing_store):
    doc = newcomer()
    doc["notes"] = [dict(doc["notes"][0], id=f"n-{i}", date=f"2026-02-{29 + i % 2}")
                    for i in range(30)]
    doc["goals"][0]["status"] = "blocked"
    doc["people"][0]["archived"] = "no"
    before = snapshot(refusing_store)
    with pytest.raises(ImportRejected) as caught:
        import_document(refusing_store, doc)
    assert len(caught.value.problems) == 32
    assert "32 problem(s)" in str(caught.value)
    assert "… and 7 more" in str(caught.value)  # the message lists 25; .problems has all
    assert any("'n-29'" in p for p in caught.value.problems)
    assert snapshot(refusing_store) == before


def test_every_dangling_reference_is_reported(refusing_store):
    doc = newcomer()
    doc["notes"][0]["person"] = "p-ghost"
    doc["notes"][0]["competencies"] = ["c-ghost-1", "c-ghost-2"]
    doc["actions"][0]["meeting"] = "m-ghost"
    doc["goals"][0]["person"] = "p-gone"
    before = snapshot(refusing_store)
    with pytest.raises(ImportRejected) as caught:
        import_document(refusing_store, doc)
    assert len(caught.value.problems) == 5, caught.value.problems
    assert snapshot(refusing_store) == before


def test_action_may_not_cite_a_stored_meeting_with_someone_else(store):
    import_file(store, TEAM_FILE)
    before = snapshot(store)
    doc = {"format": "trellis/v1",
           "actions": [{"id": "a-101", "person": "p-amara", "meeting": "m-01", "text": "Follow up",
                        "owner": "report", "due": None, "done": False}]}
    with pytest.raises(ImportRejected, match=r"actions\[0\] \(id 'a-101'\), field 'meeting'"):
        import_document(store, doc)
    assert snapshot(store) == before


def test_a_failure_midway_through_the_writes_leaves_nothing(any_store, monkeypatch):
    """Checks pass, then the last write fails: the earlier writes must be rolled back."""
    def refuse(**_):
        raise InvalidInput("the disk said no")
    monkeypatch.setattr(any_store.goals, "add", refuse)
    before = snapshot(any_store)
    with pytest.raises(InvalidInput, match="the disk said no"):
        import_document(any_store, newcomer())
    assert snapshot(any_store) == before


# --- documents that are not even valid JSON -------------------------------------

def test_malformed_json_names_line_and_column(refusing_store, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "trellis/v1",\n  "people": [\n    {"id": "p-1",}\n  ]\n}\n')
    before = snapshot(refusing_store)
    with pytest.raises(InvalidInput, match=r"broken\.json: not valid JSON at line 3, column 18"):
        import_file(refusing_store, path)
    assert snapshot(refusing_store) == before


def test_truncated_file_is_refused(refusing_store, tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(TEAM_FILE.read_bytes()[:5000])
    before = snapshot(refusing_store)
    with pytest.raises(InvalidInput, match="not valid JSON at line"):
        import_file(refusing_store, path)
    assert snapshot(refusing_store) == before


def test_text_that_is_not_utf8_is_refused(refusing_store, tmp_path):
    path = tmp_path / "latin1.json"
    text = json.dumps(newcomer(), ensure_ascii=False).replace("Zanele", "Zanelé")
    path.write_bytes(text.encode("latin-1"))
    before = snapshot(refusing_store)
    with pytest.raises(InvalidInput, match=r"latin1\.json: not UTF-8 text \(byte \d+\)"):
        import_file(refusing_store, path)
    assert snapshot(refusing_store) == before


def test_a_utf8_byte_order_mark_is_accepted(store, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(newcomer()).encode("utf-8"))
    assert import_file(store, path)["notes"] == 1


def test_missing_file_is_a_clear_error(store, tmp_path):
    with pytest.raises(InvalidInput, match="cannot be read"):
        import_file(store, tmp_path / "nowhere.json")


def test_absurdly_nested_json_is_refused_plainly(refusing_store, tmp_path):
    path = tmp_path / "nested.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidInput):
        import_file(refusing_store, path)


DUPLICATE_KEY = ('{"format": "trellis/v1", "people": [{"id": "p-1", "name": "Ana Ruiz"}],\n'
                 ' "notes": [{"id": "n-7", "person": "p-1", "date": "2026-01-12",\n'
                 '            "kind": "praise", "text": "first", "text": "second"}]}')
NAN_VALUE = ('{"format": "trellis/v1", "people": [{"id": "p-1", "name": "Ana Ruiz"}],\n'
             ' "goals": [{"id": "g-1", "person": "p-1", "title": "Ship", "status": "done",\n'
             '            "due": NaN}]}')


@pytest.mark.parametrize("raw, message", [(DUPLICATE_KEY, "id 'n-7' has the key 'text' twice"),
                                          (NAN_VALUE, "line 3, column 20: NaN is not a number")],
                         ids=["duplicate key", "NaN"])
def test_json_that_python_would_accept_is_refused(refusing_store, tmp_path, raw, message):
    path = tmp_path / "strict.json"
    path.write_text(raw, encoding="utf-8")
    before = snapshot(refusing_store)
    with pytest.raises(InvalidInput, match=message):
        import_file(refusing_store, path)
    assert snapshot(refusing_store) == before


@pytest.mark.parametrize("raw, where", [(DUPLICATE_KEY, "n-7"), (NAN_VALUE, "g-1")],
                         ids=["duplicate key", "NaN"])
def test_strict_json_errors_name_the_place(store, tmp_path, raw, where):
    path = tmp_path / "strict.json"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        import_file(store, path)
    assert where in str(caught.value) or "line 3" in str(caught.value)


# --- awkward text is kept exactly and can be found ------------------------------

LONGEST_NOTE = ("Reviewed the quarterly incident log line by line with the on-call rota. "
                * 300)[:19_990] + " zugzwang."  # MAX_NOTE_CHARS exactly; longer is refused

AWKWARD_TEXTS = [
    ("the longest note", LONGEST_NOTE, "zugzwang"),
    ("arabic", "أظهرت ليلى قيادة ممتازة أثناء مراجعة الحادث مع فريق الدفع", "ممتازة"),
    ("hebrew", "נועה הובילה את סקירת הקוד בסבלנות ובבהירות", "בסבלנות"),
    ("mixed direction", "Leila wrote \u202bשלום עולם\u202c in the RTL test, then fixed the layout",
     "layout"),
    ("emoji", "Great demo 🎉👍🏽 by the 👩🏾‍💻 team, family 👨‍👩‍👧‍👦 visiting, 🏳️‍🌈 flag up, shipped",
     "shipped"),
    ("quotes and backslashes",
     'She said "ship it" and \'meant it\'; path C:\\temp\\new\\x.txt, \\n is not a newline', "ship"),
    ("sql", "Robert'); DROP TABLE notes; -- asked about the schema", "Robert'); DROP TABLE notes; --"),
    ("fts syntax", 'NEAR(a b) AND "x" OR * column:text ^start', 'NEAR(a b) AND "x" OR *'),
    ("control characters", "line one\r\nline two\ttabbed\u2028separator \u00a0nbsp", "separator"),
    ("combining accents", "Sofi\u0301a (decomposed) reviewed the café's menu", "cafe"),
]


@pytest.mark.parametrize("text, query", [case[1:] for case in AWKWARD_TEXTS],
                         ids=[case[0] for case in AWKWARD_TEXTS])
def test_awkward_text_round_trips_and_is_found(store, tmp_path, text, query):
    doc = newcomer()
    doc["notes"][0]["text"] = text
    import_file(store, write_json(tmp_path / "awkward.json", doc))
    assert store.notes.get("n-7").text == text
    assert export_document(store)["notes"] == doc["notes"]
    assert [hit.note_id for hit in store.search(query)] == ["n-7"]


def test_nul_character_is_stored_exactly_and_searchable(store, tmp_path):
    """JSON allows \\u0000; Trellis keeps it (and the words either side stay searchable)."""
    doc = newcomer()
    doc["notes"][0]["text"] = "before\u0000after the NUL"
    path = write_json(tmp_path / "nul.json", doc)
    assert "\\u0000" in path.read_text()
    import_file(store, path)
    assert store.notes.get("n-7").text == "before\x00after the NUL"
    assert export_document(store)["notes"] == doc["notes"]
    assert [hit.note_id for hit in store.search("after")] == ["n-7"]
    assert [hit.note_id for hit in store.search("before")] == ["n-7"]


def test_lone_surrogate_is_refused_naming_record_and_field(store, tmp_path):
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(newcomer()).replace("First PR", "First \\ud800 PR"), encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(Exception) as caught:
        import_file(store, path)
    assert snapshot(store) == before  # holds today: the transaction is rolled back
    assert isinstance(caught.value, ImportRejected), repr(caught.value)
    assert any("'n-7'" in p and "field 'text'" in p for p in caught.value.problems)


def test_awkward_names_and_fields_round_trip(store):
    doc = newcomer()
    doc["people"][0].update(name="ليلى حداد", role="Ingeniera de datos \"senior\"", level=None,
                            start_date=None)
    doc["competencies"][0]["description"] = ""
    doc["meetings"][0]["notes"] = ""
    doc["meetings"][0]["agenda"] = []
    doc["actions"][0].update(meeting=None, due=None, done=True)
    import_document(store, doc)
    exported = export_document(store)
    assert {name: exported[name] for name in doc if name != "format"} == \
        {name: records for name, records in doc.items() if name != "format"}


def test_optional_fields_may_be_left_out(store):
    doc = {"format": "trellis/v1",
           "people": [{"id": "p-1", "name": "Kwame Mensah"}],
           "competencies": [{"id": "c-1", "name": "Delivery"}],
           "notes": [{"id": "n-1", "person": "p-1", "date": "2026-03-02", "kind": "other", "text": "x"}],
           "meetings": [{"id": "m-1", "person": "p-1", "date": "2026-03-03"}],
           "actions": [{"id": "a-1", "person": "p-1", "text": "y", "owner": "report"}],
           "goals": [{"id": "g-1", "person": "p-1", "title": "z", "status": "at_risk"}]}
    import_document(store, doc)
    exported = export_document(store)
    assert exported["people"] == [{"id": "p-1", "name": "Kwame Mensah", "role": None, "level": None,
                                   "start_date": None, "archived": False}]
    assert exported["competencies"][0]["description"] == ""
    assert exported["notes"][0]["competencies"] == []
    assert exported["meetings"][0] == {"id": "m-1", "person": "p-1", "date": "2026-03-03", "notes": "",
                                       "agenda": []}
    assert exported["actions"][0] == {"id": "a-1", "person": "p-1", "meeting": None, "text": "y",
                                      "owner": "report", "due": None, "done": False}
    assert exported["goals"][0]["due"] is None


# --- importing alongside existing data ------------------------------------------

def test_import_may_refer_to_people_and_competencies_already_in_the_store(store):
    import_file(store, TEAM_FILE)
    doc = {"format": "trellis/v1",
           "notes": [{"id": "n-101", "person": "p-amara", "date": "2026-11-20", "kind": "praise",
                      "text": "Amara's influence example: led the cross-org reliability symposium.",
                      "competencies": ["c-mentoring", "c-ownership"]}],
           "meetings": [{"id": "m-101", "person": "p-priya", "date": "2026-11-24",
                         "notes": "Keep-in-touch coffee.", "agenda": []}],
           "actions": [{"id": "a-101", "person": "p-kenji", "meeting": "m-05", "text": "Share the ADR template",
                        "owner": "report", "due": None, "done": False},
                       {"id": "a-102", "person": "p-priya", "meeting": "m-101", "text": "Send photos",
                        "owner": "report", "due": None, "done": False}],
           "goals": [{"id": "g-101", "person": "p-mateus", "title": "Lead one incident review",
                      "status": "on_track", "due": "2027-03-31"}]}
    assert import_document(store, doc)["notes"] == 1
    exported = export_document(store)
    assert exported["people"] == load_team()["people"]
    assert exported["notes"][-1] == doc["notes"][0]
    assert exported["actions"][-2:] == doc["actions"]
    assert [n.id for n in store.notes.for_person("p-amara", limit=1)] == ["n-101"]
    assert [h.note_id for h in store.search("symposium")] == ["n-101"]


# --- the trash -------------------------------------------------------------------

def test_trashed_notes_are_not_exported_and_restored_ones_are(store):
    import_file(store, TEAM_FILE)
    store.notes.trash("n-005")
    exported = export_document(store)
    assert "n-005" not in [n["id"] for n in exported["notes"]]
    assert len(exported["notes"]) == 59
    store.notes.restore("n-005")
    assert export_document(store) == load_team()


def test_an_export_without_trashed_notes_imports_cleanly_elsewhere(store, tmp_path):
    import_file(store, TEAM_FILE)
    store.notes.trash("n-060")
    exported = export_document(store)
    with Store.open(tmp_path / "second", passphrase=PASSPHRASE, kdf=FAST_KDF) as second:
        import_document(second, copy.deepcopy(exported))
        assert export_document(second) == exported


def test_a_file_too_large_to_import_is_refused_before_it_is_read_whole(refusing_store, tmp_path):
    from app.exchange import MAX_IMPORT_BYTES

    before = snapshot(refusing_store)
    path = tmp_path / "huge.json"
    with path.open("wb") as file:  # 4 GB that take no disk space
        file.truncate(4 * 2**30)
    with pytest.raises(InvalidInput, match=r"huge.json: larger than 64 MB.*nothing was imported"):
        import_file(refusing_store, path)
    assert snapshot(refusing_store) == before
    path.write_bytes(b" " * (MAX_IMPORT_BYTES - 2) + b"{}")  # at the limit: read and checked
    with pytest.raises(InvalidInput, match="huge.json") as refused:
        import_file(refusing_store, path)
    assert "larger than" not in str(refused.value)
    assert snapshot(refusing_store) == before
