"""``trellis frameworks`` and ``trellis cycles`` as a manager would type them.

Most calls run ``app.cli.main`` in this process (no interpreter start-up per
command) against a store the ``store`` fixture made with a cheap key
derivation; one test runs the real ``trellis`` child process to prove a
refused file ends with ``trellis: message`` and exit 1, never a traceback.
"""

import json

import pytest

from app.cli import main as trellis_main
from app.reviews.frameworks import default_framework, framework_document
from test_frameworks import LADDER_YAML, LADDER_WIDE_CSV

DEFAULT = default_framework()


@pytest.fixture
def trellis(store, capsys):
    """Run ``trellis ARGS`` in this process; returns (exit status, stdout, stderr)."""
    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = trellis_main(list(args))
        except SystemExit as exc:   # argparse refusing the command line
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err
    return run


def ok(result) -> str:
    code, out, err = result
    assert code == 0, f"exit {code}\n{out}\n{err}"
    return out


def fails(result, *words: str) -> str:
    code, out, err = result
    assert code == 1, f"exit {code}\n{out}\n{err}"
    assert err.startswith("trellis: ") and "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


# --- frameworks --------------------------------------------------------------

def test_a_new_store_lists_and_shows_the_shipped_framework_without_saving_it(trellis, store):
    listed = ok(trellis("frameworks", "list"))
    assert listed.startswith("*") and DEFAULT.id in listed and "11 competencies" in listed
    [entry] = json.loads(ok(trellis("frameworks", "list", "--json")))
    assert entry == {"id": DEFAULT.id, "name": DEFAULT.name, "levels": list(DEFAULT.levels),
                     "competencies": 11, "source": "default_framework.yaml", "active": True}
    shown = ok(trellis("frameworks", "show"))
    assert shown.splitlines()[0] == f"{DEFAULT.name} ({DEFAULT.id}), active"
    for competency in DEFAULT.competencies:
        assert f"{competency.name} ({competency.id})" in shown
        assert all(text in shown for _, text in competency.expectations)
    assert store.frameworks.list() == [] and store.competencies.list() == []


def test_show_one_level_and_as_json(trellis):
    senior = ok(trellis("frameworks", "show", DEFAULT.id, "--level", "L4"))
    expectations = [line.strip() for line in senior.splitlines() if line.startswith("  L")]
    assert len(expectations) == len(DEFAULT.competencies)
    assert all(line.startswith("L4 ") for line in expectations)
    assert json.loads(ok(trellis("frameworks", "show", "--json"))) == framework_document(DEFAULT)
    fails(trellis("frameworks", "show", "--level", "L9"), "no level 'L9'", "L1, L2, L3, L4, L5")
    fails(trellis("frameworks", "show", "f-nope"), "No framework 'f-nope'", DEFAULT.id)


def test_import_makes_a_framework_active_and_reimport_updates_it(trellis, store, tmp_path):
    ladder = tmp_path / "ladder.yaml"
    ladder.write_text(LADDER_YAML)
    out = ok(trellis("frameworks", "import", str(ladder)))
    assert out.startswith("Imported 'Platform ladder' (f-platform-ladder): 2 competencies at "
                          "levels Junior, Mid, Senior; it is the active framework")
    assert store.frameworks.active().id == "f-platform-ladder"
    listed = json.loads(ok(trellis("frameworks", "list", "--json")))
    assert [(f["id"], f["active"]) for f in listed] == [("f-platform-ladder", True),
                                                       (DEFAULT.id, False)]
    ladder.write_text(LADDER_YAML.replace("Finishes scoped tasks", "Finishes tasks"))
    again = json.loads(ok(trellis("frameworks", "import", str(ladder), "--json")))
    assert (again["updated"], again["active"], again["competencies"]) == (True, True, 2)
    assert store.frameworks.get("f-platform-ladder").competencies[0].expectation("Junior") == \
        "Finishes tasks"


def test_import_without_activating_and_use_by_name(trellis, store, tmp_path):
    ok(trellis("frameworks", "use", DEFAULT.id))
    assert store.frameworks.active() == DEFAULT
    wide = tmp_path / "platform-ladder.csv"
    wide.write_text(LADDER_WIDE_CSV)
    out = ok(trellis("frameworks", "import", str(wide), "--no-activate"))
    assert "active" not in out.splitlines()[0]
    assert "Note: 1 of these competencies (c-delivery) are also in " \
           f"{DEFAULT.name!r}" in out
    assert store.frameworks.active().id == DEFAULT.id
    assert ok(trellis("frameworks", "use", "PLATFORM LADDER")).startswith(
        "Platform ladder (f-platform-ladder) is now the active framework")
    assert store.frameworks.active().id == "f-platform-ladder"
    fails(trellis("frameworks", "use", "Nonexistent"), "No framework 'Nonexistent'",
          "f-platform-ladder (Platform ladder)")


def test_a_refused_import_names_the_problem_and_saves_nothing(trellis, store, tmp_path):
    bad = tmp_path / "ladder.yaml"
    bad.write_text(LADDER_YAML.replace("Senior: Plans", "Principal: Plans"))
    fails(trellis("frameworks", "import", str(bad)), "ladder.yaml: line 9",
          "'Principal' is not one of the framework's levels (Junior, Mid, Senior)")
    fails(trellis("frameworks", "import", str(tmp_path / "missing.csv")), "There is no framework file")
    (tmp_path / "ladder.txt").write_text("Delivery")
    fails(trellis("frameworks", "import", str(tmp_path / "ladder.txt")), ".yaml, .yml, .json or .csv")
    assert store.frameworks.list() == [] and store.competencies.list() == []


def test_show_json_can_be_edited_and_imported_again(trellis, store, tmp_path):
    document = json.loads(ok(trellis("frameworks", "show", "--json")))
    document.update(id="f-ours", name="Our ladder")
    document["competencies"] = document["competencies"][:3]
    edited = tmp_path / "ours.json"
    edited.write_text(json.dumps(document))
    ok(trellis("frameworks", "import", str(edited)))
    ours = store.frameworks.active()
    assert (ours.id, len(ours.competencies)) == ("f-ours", 3)
    assert ours.competencies == DEFAULT.competencies[:3]


# --- cycles ------------------------------------------------------------------

def test_cycles_add_list_status_and_set(trellis, team):
    store, ana, li = team
    assert ok(trellis("cycles", "list")).strip().startswith("No review cycles yet")
    added = json.loads(ok(trellis("cycles", "add", "H1 2026", "--from", "2026-01-01",
                                  "--to", "2026-06-30", "--due", "2026-07-15", "--json")))
    assert {k: added[k] for k in ("name", "period_start", "period_end", "due")} == \
        {"name": "H1 2026", "period_start": "2026-01-01", "period_end": "2026-06-30",
         "due": "2026-07-15"}
    assert ok(trellis("cycles", "set", "h1 2026", "Ana", "final")) == \
        "Ana Ruiz is final in H1 2026\n"
    status = json.loads(ok(trellis("cycles", "status", added["id"], "--json")))
    assert status["cycle"]["id"] == added["id"]
    assert [(p["id"], p["status"]) for p in status["people"]] == [(ana.id, "final"),
                                                                  (li.id, "not_started")]
    table = ok(trellis("cycles", "status", "H1 2026")).splitlines()
    assert table[0] == "H1 2026: 2026-01-01 to 2026-06-30, due 2026-07-15"
    assert table[1].split()[:3] == ["final", "Ana", "Ruiz"]
    [listed] = json.loads(ok(trellis("cycles", "list", "--json")))
    assert listed["statuses"] == {"not_started": 1, "drafting": 0, "final": 1}
    assert "1 not started, 0 drafting, 1 final" in ok(trellis("cycles", "list"))


def test_cycle_status_keeps_archived_people_who_have_a_status(trellis, team):
    store, ana, li = team
    cycle = store.review_cycles.add(name="H1", period_start="2026-01-01", period_end="2026-06-30")
    store.review_cycles.set_status(cycle.id, li.id, "final")
    store.people.archive(li.id)
    extra = store.people.add(name="Sam Otieno")
    store.people.archive(extra.id)
    people = json.loads(ok(trellis("cycles", "status", "H1", "--json")))["people"]
    assert {p["id"]: p["status"] for p in people} == {ana.id: "not_started", li.id: "final"}


def test_cycle_mistakes_are_explained(trellis, team):
    store, ana, _ = team
    fails(trellis("cycles", "add", "H1", "--from", "2026-06-30", "--to", "2026-01-01"),
          "starts (2026-06-30) after it ends (2026-01-01)")
    fails(trellis("cycles", "add", "H1", "--from", "2026-01-01", "--to", "2026-13-01"),
          "period end", "'2026-13-01'")
    fails(trellis("cycles", "add", " ", "--from", "2026-01-01", "--to", "2026-06-30"),
          "needs a name")
    fails(trellis("cycles", "status", "H1"), "No review cycle called 'H1'")
    ok(trellis("cycles", "add", "H1", "--from", "2026-01-01", "--to", "2026-06-30"))
    fails(trellis("cycles", "set", "H1", "Nobody", "final"), "No person matches 'Nobody'")
    code, _, err = trellis("cycles", "set", "H1", "Ana", "done")
    assert code == 2 and "invalid choice: 'done'" in err
    assert store.review_cycles.statuses(store.review_cycles.resolve("H1").id) == {}


def test_the_real_command_refuses_a_bad_csv_without_a_traceback(store, cli, tmp_path):
    bad = tmp_path / "ladder.csv"
    bad.write_text("competency,level,expectation\nDelivery,L1,Ships\nDelivery,L1,Again\n")
    result = cli("frameworks", "import", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == ("trellis: ladder.csv: row 3: 'Delivery' has a second expectation "
                             "for level 'L1'\n")
