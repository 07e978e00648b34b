"""Competency frameworks: three file formats, the shipped framework, and every way a file is refused.

Files are written to a temporary directory and read through
``load_framework`` as a manager's import would; stores are the real
SQLCipher store, so "nothing saved on refusal" is checked in the database.
"""

import json

import pytest

from app.errors import InvalidInput, NotFound
from app.reviews import frameworks as fw
from app.reviews.frameworks import (competencies_in_force, default_framework, framework_document,
                                    load_framework, parse_framework)

AI_COMPETENCIES = {
    "Thinks in workflows", "Automates repetitive steps", "Critiques and validates AI output",
    "Combines creativity with analysis", "Uses AI to extend and accelerate their own work",
}

LADDER_YAML = """\
name: Platform ladder
levels: [Junior, Mid, Senior]
competencies:
  - name: Delivery
    id: c-delivery
    description: Ships what was agreed
    levels:
      Junior: Finishes scoped tasks
      Senior: Plans multi-week work
  - name: Incident handling
    levels:
      Mid: Resolves common alerts
"""

LADDER_LONG_CSV = """\
competency,description,level,expectation
Delivery,Ships what was agreed,Junior,Finishes scoped tasks
Incident handling,,Mid,Resolves common alerts
Delivery,,Senior,Plans multi-week work
"""

LADDER_WIDE_CSV = """\
id,competency,description,Junior,Mid,Senior
c-delivery,Delivery,Ships what was agreed,Finishes scoped tasks,,Plans multi-week work
,Incident handling,,,Resolves common alerts,
"""


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def refused(tmp_path, name: str, text: str | bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        load_framework(write(tmp_path, name, text))
    message = str(caught.value)
    assert message.startswith(f"{name}: "), message
    return message


# --- the three formats -------------------------------------------------------

def test_yaml_framework_keeps_ids_derives_missing_ones_and_orders_levels(tmp_path):
    framework = load_framework(write(tmp_path, "ladder.yaml", LADDER_YAML))
    assert (framework.id, framework.name, framework.source) == ("f-platform-ladder", "Platform ladder",
                                                                "ladder.yaml")
    assert framework.levels == ("Junior", "Mid", "Senior")
    delivery, incidents = framework.competencies
    assert (delivery.id, delivery.description) == ("c-delivery", "Ships what was agreed")
    assert delivery.expectations == (("Junior", "Finishes scoped tasks"),
                                     ("Senior", "Plans multi-week work"))
    assert delivery.expectation("Senior") == "Plans multi-week work"
    assert delivery.expectation("Mid") is None
    assert (incidents.id, incidents.description) == ("c-incident-handling", "")
    assert framework.next_level("Mid") == "Senior"


def test_json_and_both_csv_shapes_read_the_same_framework_as_yaml(tmp_path):
    from_yaml = load_framework(write(tmp_path, "Platform_ladder.yml", LADDER_YAML))
    from_json = load_framework(write(tmp_path, "ladder.json", json.dumps(
        framework_document(from_yaml))))
    long_csv = load_framework(write(tmp_path, "platform-ladder.csv", LADDER_LONG_CSV))
    wide_csv = load_framework(write(tmp_path, "platform_ladder.CSV", LADDER_WIDE_CSV))
    assert from_json.competencies == from_yaml.competencies
    for csv_framework in (long_csv, wide_csv):
        assert (csv_framework.id, csv_framework.name) == ("f-platform-ladder", "Platform ladder")
        assert csv_framework.levels == from_yaml.levels
        assert csv_framework.competencies == from_yaml.competencies


def test_byte_order_mark_crlf_and_blank_rows_are_tolerated(tmp_path):
    crlf = LADDER_LONG_CSV.replace("\n", "\r\n\r\n")
    framework = load_framework(write(tmp_path, "ladder.csv", b"\xef\xbb\xbf" + crlf.encode()))
    assert [c.name for c in framework.competencies] == ["Delivery", "Incident handling"]
    framework = load_framework(write(tmp_path, "ladder.json", b"\xef\xbb\xbf" + json.dumps(
        {"name": "X", "levels": ["A"], "competencies": [{"name": "Y"}]}).encode()))
    assert framework.competencies[0].id == "c-y"


def test_derived_ids_are_stable_slugs_even_for_non_latin_names():
    text = "name: Équipe\nlevels: [A]\ncompetencies:\n  - name: Qualité du code\n  - name: 協調性\n"
    first = parse_framework(text, fmt="yaml", source="f.yaml")
    again = parse_framework(text, fmt="yaml", source="f.yaml")
    assert first.id == "f-equipe"
    assert first.competencies[0].id == "c-qualite-du-code"
    assert first.competencies[1].id == again.competencies[1].id
    assert first.competencies[1].id.startswith("c-") and len(first.competencies[1].id) == 12


# --- the shipped framework ---------------------------------------------------

def test_default_framework_has_the_ai_competencies_with_every_level_expected():
    framework = default_framework()
    names = {c.name for c in framework.competencies}
    assert AI_COMPETENCIES <= names
    assert 6 <= len(names - AI_COMPETENCIES) <= 8
    assert framework.levels == ("L1", "L2", "L3", "L4", "L5")
    for competency in framework.competencies:
        assert competency.description, competency.name
        assert [level for level, _ in competency.expectations] == list(framework.levels)
        texts = [text for _, text in competency.expectations]
        assert len(set(texts)) == len(texts) and all(len(t.split()) >= 8 for t in texts), \
            competency.name


def test_default_framework_reuses_the_ids_notes_are_tagged_with():
    team = json.loads((fw.Path(__file__).parent / "data" / "team.json").read_text())
    default_ids = {c.id for c in default_framework().competencies}
    assert {c["id"] for c in team["competencies"]} <= default_ids
    assert {"c-delivery", "c-collab"} <= default_ids   # the conftest team's tags too
    levels = {p["level"] for p in team["people"] if p.get("level")}
    assert levels <= set(default_framework().levels)


def test_an_empty_store_gets_the_shipped_framework_once_as_applied_not_chosen(store):
    framework, competencies = competencies_in_force(store)
    assert framework == store.frameworks.active()
    assert framework.id == default_framework().id
    assert store.frameworks.chosen_active() is None
    assert [c.id for c in competencies] == [c.id for c in default_framework().competencies]
    assert competencies_in_force(store).framework == framework
    assert len(store.frameworks.list()) == 1


def test_a_team_with_its_own_competencies_gets_no_framework_and_no_change(team):
    store, ana, _ = team
    before = store.competencies.list()
    framework, competencies = competencies_in_force(store, ana)
    assert framework is None and list(competencies) == before
    assert store.frameworks.list() == [] and store.competencies.list() == before


def test_an_imported_framework_is_used_untouched(store, tmp_path):
    imported = store.frameworks.save(load_framework(write(tmp_path, "ladder.yaml", LADDER_YAML)))
    assert competencies_in_force(store).framework == imported
    assert store.frameworks.chosen_active() == imported
    assert [f.id for f, _ in store.frameworks.list()] == ["f-platform-ladder"]


def test_a_stored_shipped_framework_is_reactivated_without_rewriting_it(store):
    store.frameworks.save(default_framework(), chosen=False)
    store.db.execute("UPDATE frameworks SET active = 0")
    store.db.execute("UPDATE competencies SET description = 'edited by hand' WHERE id = 'c-quality'")
    framework = competencies_in_force(store).framework
    assert framework.id == default_framework().id and store.frameworks.chosen_active() is None
    assert {c.id: c.description for c in framework.competencies}["c-quality"] == "edited by hand"


# --- storing and re-importing ------------------------------------------------

def test_reimporting_an_edited_file_updates_in_place_and_keeps_note_tags(team, tmp_path):
    store, ana, _ = team
    store.frameworks.save(load_framework(write(tmp_path, "ladder.yaml", LADDER_YAML)))
    note = store.notes.add(person_id=ana.id, text="Calm lead on the Tuesday outage",
                           date="2026-03-01", competencies=("c-incident-handling",))
    edited = LADDER_YAML.replace("Resolves common alerts", "Leads the response to an outage") \
        .replace("levels: [Junior, Mid, Senior]", "levels: [Junior, Mid, Senior, Staff]")
    again = store.frameworks.save(load_framework(write(tmp_path, "ladder.yaml", edited)))
    assert [f.id for f, _ in store.frameworks.list()] == ["f-platform-ladder"]
    assert again.levels[-1] == "Staff"
    assert again.competencies[1].expectation("Mid") == "Leads the response to an outage"
    assert store.notes.get(note.id).competencies == ("c-incident-handling",)


def test_importing_another_framework_makes_it_active(store, tmp_path):
    first = store.frameworks.save(default_framework())
    second = store.frameworks.save(load_framework(write(tmp_path, "ladder.json", json.dumps(
        {"name": "Ladder", "levels": ["A", "B"], "competencies": [{"name": "Care"}]}))))
    assert store.frameworks.active() == second
    assert dict((f.id, active) for f, active in store.frameworks.list()) == \
        {first.id: False, second.id: True}


def test_a_refused_file_saves_nothing(store, tmp_path):
    store.frameworks.save(default_framework())
    before = store.db.execute("SELECT count(*) FROM competency_levels").fetchone()[0]
    bad = LADDER_YAML.replace("Senior: Plans", "Principal: Plans")
    with pytest.raises(InvalidInput):
        store.frameworks.save(load_framework(write(tmp_path, "ladder.yaml", bad)))
    assert [f.id for f, _ in store.frameworks.list()] == [default_framework().id]
    assert store.db.execute("SELECT count(*) FROM competency_levels").fetchone()[0] == before
    assert store.frameworks.active().id == default_framework().id


def test_a_save_failing_midway_rolls_back_the_whole_framework(store):
    framework = default_framework()
    broken = fw.FrameworkCompetency("c-broken", "Broken", "", (("   ", "no level name"),))
    with pytest.raises(Exception):
        store.frameworks.save(fw.Framework(framework.id, framework.name, framework.levels,
                                           (*framework.competencies, broken)))
    assert store.frameworks.list() == []
    assert store.competencies.list() == []


# --- refusals: every message names the file, the place and the field ---------

@pytest.mark.parametrize("name, text, words", [
    ("broken.yaml", "name: X\nlevels: [A, B\ncompetencies: []\n", ["not valid YAML at line 3"]),
    ("tabs.yaml", "name: X\n\tlevels: [A]\n", ["not valid YAML at line 2"]),
    ("broken.json", '{"name": "X",\n "levels": ["A"],\n "competencies": [}', 
     ["not valid JSON at line 3, column"]),
    ("nan.json", '{"name": "X", "levels": [NaN], "competencies": []}', ["NaN"]),
    ("dup.json", '{"name": "X", "name": "Y"}', ["key 'name' twice"]),
    ("dup.yaml", "name: X\nlevels: [A]\nname: Y\n", ["line 3", "'name' appears twice"]),
    ("empty.yaml", "", ["empty"]),
    ("comments.yaml", "# only a comment\n", ["empty"]),
    ("list.yaml", "- a\n- b\n", ["expected a mapping", "got a list"]),
    ("empty.json", "{}", ["empty"]),
    ("empty.csv", "\n\n", ["empty"]),
])
def test_unreadable_files_are_refused_with_their_place(tmp_path, name, text, words):
    message = refused(tmp_path, name, text)
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("text, words", [
    ("levels: [A]\ncompetencies:\n  - name: Care\n", ["line 1", "field 'name'", "needs a name"]),
    ("name: X\ncompetencies:\n  - name: Care\n", ["field 'levels'", "missing"]),
    ("name: X\nlevels: []\ncompetencies:\n  - name: Care\n", ["field 'levels'", "got a list"]),
    ("name: X\nlevels: [A, B, A]\ncompetencies:\n  - name: Care\n", ["line 2, levels[2]", "listed twice"]),
    ("name: X\nlevels: [A]\ncompetencies: []\n", ["line 3", "no competencies"]),
    ("name: X\nlevels: [A]\n", ["no competencies"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - description: careful\n",
     ["line 4", "competencies[0]", "field 'name'", "needs a name"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - name: Care\n  - name: '  care '\n",
     ["line 5", "competencies[1]", "'care' is listed twice", "at line 4"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - {name: Care, id: c-1}\n  - {name: Craft, id: c-1}\n",
     ["line 5", "competencies[1]", "field 'id'", "'c-1' is also used"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - name: C++\n  - name: C\n",
     ["'c-c' is also used", "give this competency an id"]),
    ("name: X\nlevels: [A, B]\ncompetencies:\n  - name: Care\n    levels:\n      A: fine\n      C: great\n",
     ["line 7", "field 'C'", "'C' is not one of the framework's levels (A, B)"]),
    ("name: X\nlevels: [1, 2]\ncompetencies:\n  - name: Care\n",
     ["line 2, levels[0]", "expected text, got a number 1", "quotes"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - name: Care\n    levels:\n      A: 3\n",
     ["line 6", "field 'A'", "expected text, got a number 3"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - name: yes\n",
     ["line 4", "field 'name'", "got true/false"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - name: Care\n    levels: [A]\n",
     ["line 5", "field 'levels'", "expected level: expectation pairs"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - name: Care\n    levels:\n      A: ''\n",
     ["line 6", "field 'A'", "empty"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - name: Care\n    weight: 3\n",
     ["line 5", "unknown field 'weight'"]),
    ("name: X\nversion: 2\nlevels: [A]\ncompetencies:\n  - name: Care\n",
     ["line 2", "unknown field 'version'"]),
    ("name: X\nlevels: [A]\ncompetencies:\n  - just a name\n",
     ["competencies[0]", "expected a competency with a name, got text"]),
])
def test_bad_yaml_frameworks_name_the_line_and_field(tmp_path, text, words):
    message = refused(tmp_path, "ladder.yaml", text)
    for word in words:
        assert word in message, message


def test_bad_json_frameworks_name_the_path_and_field(tmp_path):
    document = {"name": "X", "levels": ["A"], "competencies": [
        {"name": "Care"}, {"name": "Craft", "levels": {"A": ["fine"]}}]}
    message = refused(tmp_path, "ladder.json", json.dumps(document))
    assert "competencies[1].levels, field 'A'" in message and "got a list" in message


@pytest.mark.parametrize("text, words", [
    ("name,description,L1\nCare,,fine\n", ["row 1", "needs a 'competency' column"]),
    ("competency,description\nCare,kind\n", ["row 1", "names no levels"]),
    ("competency,L1,L1\nCare,a,b\n", ["row 1", "column 'L1' twice"]),
    ("competency,,L1\nCare,a,b\n", ["row 1, column 2", "header cell is empty"]),
    ("competency,L1\n", ["only a header", "no competencies"]),
    ("competency,L1\nCare,fine\n,orphan\n", ["row 3", "column 'competency'", "needs a name"]),
    ("competency,L1\nCare,fine\ncare,again\n", ["row 3", "'care' is listed twice", "on row 2"]),
    ("competency,L1\nCare,fine,extra\n", ["row 2", "3 cells", "2 columns"]),
    ('competency,L1\nCare,"unclosed\n', ["row", "not valid CSV"]),
    ("competency,level,expectation\nCare,A,fine\nCare,A,again\n",
     ["row 3", "second expectation for level 'A'"]),
    ("competency,level,expectation\nCare,A,fine\nCare,,again\n", ["row 3", "column 'level'"]),
    ("competency,level,expectation\nCare,A,\n", ["row 2", "column 'expectation'", "empty"]),
    ("competency,description,level,expectation\nCare,kind,A,fine\nCare,cruel,B,ok\n",
     ["row 3", "column 'description'", "'cruel' differs from 'kind'", "on row 2"]),
    ("competency,level,expectation,notes\nCare,A,fine,x\n", ["row 1", "unknown column 'notes'"]),
])
def test_bad_csv_frameworks_name_the_row_and_column(tmp_path, text, words):
    message = refused(tmp_path, "ladder.csv", text)
    for word in words:
        assert word in message, message


def test_other_suffixes_missing_files_oversized_and_non_utf8_files_are_refused(tmp_path):
    with pytest.raises(InvalidInput, match=r"ladder\.xlsx: .*\.yaml, \.yml, \.json or \.csv"):
        load_framework(write(tmp_path, "ladder.xlsx", "x"))
    with pytest.raises(NotFound, match="There is no framework file .*absent.yaml"):
        load_framework(tmp_path / "absent.yaml")
    huge = "name: X\nlevels: [A]\ncompetencies:\n" + "  - name: c\n" * 200_000
    message = refused(tmp_path, "huge.yaml", huge)
    assert "too large" in message and "2 MB" in message
    with pytest.raises(InvalidInput, match="too large"):
        parse_framework(huge, fmt="yaml", source="pasted")
    assert "not UTF-8" in refused(tmp_path, "latin.csv", "competency,L1\nQualit\xe9,ok\n".encode("latin-1"))


def test_parse_framework_refuses_an_unknown_format():
    with pytest.raises(InvalidInput, match="pasted: unknown framework format 'toml'"):
        parse_framework("name = 'x'", fmt="toml", source="pasted")


def test_yaml_is_read_safely_without_running_tags(tmp_path):
    text = "name: !!python/object/apply:os.system ['true']\nlevels: [A]\ncompetencies: [{name: C}]\n"
    assert "not valid YAML at line 1" in refused(tmp_path, "evil.yaml", text)


def test_a_billion_laughs_framework_is_refused_where_the_first_alias_is(tmp_path):
    """Nested YAML aliases expand a 1 KB file to 9**9 values; a framework needs none."""
    import time

    text = "name: Laughs\nlevels: &a0 [ha, ha, ha, ha, ha, ha, ha, ha, ha]\ncompetencies:\n"
    for depth in range(1, 10):
        text += (f"  - &a{depth} {{name: c{depth}, description: d, levels: ["
                 + ", ".join([f"*a{depth - 1}"] * 9) + "]}\n")
    with pytest.raises(InvalidInput, match=r"laughs.yaml: .*line 4, column \d+: aliases"):
        fw.parse_framework(text, fmt="yaml", source="laughs.yaml")
    with pytest.raises(InvalidInput, match="aliases"):  # even one alias: write the value out
        fw.parse_framework("name: A\nlevels: &l [a, b]\ncompetencies:\n  - {name: X, levels: *l}\n",
                           fmt="yaml", source="one.yaml")
