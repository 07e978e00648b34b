"""``trellis draft`` and ``trellis drafts`` end to end, with the real default model.

One module-scoped team, one review run (``--json -o review.md``) and one
plan run (Markdown output, ``-o plan.docx``) with the real model; every other
test reads what those runs printed and saved, or runs commands that need
no model. The runs get the network guard by hand, since a module-scoped
fixture runs before the per-test guard is in place.
"""

import json
import os
import re
import stat

import pytest

from app.settings import load_settings, save_settings, with_value
from app.store import Store
from conftest import FAST_KDF, NETGUARD_DIR, PASSPHRASE, REPO, run_cli

# Three notes: each model-worded sentence costs seconds, and the pipeline's own tests
# cover larger teams; this run proves the command, its output and what it saves.
ANA_NOTES = {  # id: (date, kind, text, competencies)
    "n-a2": ("2026-02-03", "praise", "Ana led the checkout outage review; the timeline was clear "
             "and blameless.", ("c-collab",)),
    "n-a3": ("2026-03-19", "concern", "Ana merged the billing migration without a rollback plan.",
             ("c-delivery",)),
    "n-a4": ("2026-04-22", "observation", "Ana shipped the rate limiter two days before the "
             "agreed date.", ("c-delivery",)),
}
OUTSIDE_NOTE = "n-a-old"
REVIEW = ("draft", "review", "p-ana", "--from", "2026-01-01", "--to", "2026-06-30")


def succeeds(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(result) -> str:
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stderr


def make_team(home):
    # One model thread: on a machine busy with other work, llama.cpp's threads wait on each
    # other (measured here: a 150-token prompt took 48 s with two threads, 3 s with one).
    save_settings(with_value(load_settings(home), "threads", 1), home)
    with Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        store.competencies.add(name="Delivery", description="Ships what was agreed",
                               competency_id="c-delivery")
        store.competencies.add(name="Collaboration", competency_id="c-collab")
        store.people.add(name="Ana Ruiz", role="Backend Engineer", level="L3", person_id="p-ana")
        store.people.add(name="Li Wei", role="Data Engineer", level="L2", person_id="p-li")
        for note_id, (date, kind, text, tags) in ANA_NOTES.items():
            store.notes.add(person_id="p-ana", date=date, kind=kind, text=text,
                            competencies=tags, note_id=note_id)
        store.notes.add(person_id="p-ana", date="2025-06-01", text="Ana joined the payments team.",
                        note_id=OUTSIDE_NOTE)
        store.notes.add(person_id="p-li", date="2026-02-10", kind="concern", note_id="n-li-1",
                        text="The backfill job missed its Friday deadline by two days.",
                        competencies=("c-delivery",))
        store.goals.add(person_id="p-ana", title="Lead a design review", due="2026-09-30",
                        goal_id="g-ana-1")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The team's data dir and the environment every command runs in."""
    root = tmp_path_factory.mktemp("drafts")
    home, out, log = root / "home", root / "out", root / "netguard.log"
    out.mkdir()
    env = {"TRELLIS_HOME": str(home), "TRELLIS_PASSPHRASE": PASSPHRASE, "TRELLIS_KEYCHAIN": "off",
           "TRELLIS_NETGUARD_LOG": str(log), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(NETGUARD_DIR), str(REPO)])}
    make_team(home)
    yield {"home": home, "out": out, "env": env}
    assert not (log.exists() and log.read_text().strip()), log.read_text()


def cli(runs, *args, timeout: float = 120):
    return run_cli(*args, env=runs["env"], timeout=timeout)


@pytest.fixture(scope="module")
def review_run(runs):
    """The real-model review run: JSON on stdout, Markdown to a file."""
    return cli(runs, *REVIEW, "--json", "-o", str(runs["out"] / "review.md"), timeout=280)


@pytest.fixture(scope="module")
def plan_run(runs):
    """The real-model plan run for Li (one note, so one cheap run): Markdown on stdout, DOCX to a file."""
    return cli(runs, "draft", "plan", "Li Wei", "--as-of", "2026-06-30",
               "-o", str(runs["out"] / "plan.docx"), timeout=280)


@pytest.fixture(scope="module")
def review(review_run) -> dict:
    return json.loads(succeeds(review_run))


def statements(body: dict):
    return [s for section in body["sections"] for s in section["statements"]]


def test_review_json_gives_every_statement_text_and_a_list_of_citations(review):
    assert review["format"] == "trellis/v1" and review["kind"] == "review"
    assert review["person"] == {"id": "p-ana", "name": "Ana Ruiz"}
    assert review["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
    assert statements(review), "the draft has no statements"
    for statement in statements(review):
        assert isinstance(statement["text"], str) and statement["text"].strip()
        assert isinstance(statement["citations"], list) and statement["citations"]
        assert set(statement["citations"]) <= set(ANA_NOTES), statement   # her notes, in the period
    assert {"grounding", "language", "dismissed", "excluded", "meaning"} <= set(review["checks"])
    assert review["coverage"]["months"][0] == "2026-01" and review["coverage"]["months"][-1] == "2026-06"
    assert review["draft_id"].startswith("d") and review["version"] == 1
    # The default model's measured fit (2 of 30) is under 30 %: it is not asked to reword.
    assert len(review["model_sha256"]) == 64 and review["prompts"] == []
    assert review["checks"]["grounding"] == [] and review["checks"]["meaning"] == []


def test_review_progress_is_reported_per_section_on_stderr(review_run, review):
    stderr = review_run.stderr
    assert "Drafting a review of Ana Ruiz, 2026-01-01 to 2026-06-30" in stderr
    for section in review["sections"]:
        assert re.search(rf"^  {re.escape(section['title'])}: \d+ statements?$", stderr, re.MULTILINE)
    assert f"Saved as draft {review['draft_id']}, version 1" in stderr


def test_the_review_is_saved_as_a_draft_the_window_can_show(runs, review):
    with Store.open(runs["home"], passphrase=PASSPHRASE, create=False) as store:
        draft = store.drafts.latest_for("p-ana", "review", period=("2026-01-01", "2026-06-30"))
    stored = {k: v for k, v in review.items() if k not in ("draft_id", "version")}
    assert draft.id == review["draft_id"] and draft.latest.body == stored
    assert draft.latest.model_sha256 == review["model_sha256"]


def test_review_markdown_file_has_a_dated_footnote_per_cited_note_and_is_owner_only(runs, review):
    path = runs["out"] / "review.md"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    cited = dict.fromkeys(c for s in statements(review) for c in s["citations"])
    footnotes = re.findall(r"^\[\^(\d+)\]: Note of (\d+ \w+ 2026) \((n-a\d)\)$", text, re.MULTILINE)
    assert [f[2] for f in footnotes] == list(cited)
    assert [int(f[0]) for f in footnotes] == list(range(1, len(cited) + 1))


def test_plan_prints_markdown_with_headings_and_writes_a_docx(runs, plan_run):
    import docx

    stdout = succeeds(plan_run)
    assert stdout.startswith("# Development plan: Li Wei\n\n30 December 2025 to 30 June 2026\n\n## ")
    assert "\n[^1]: Note of 10 February 2026 (n-li-1)\n" in stdout
    assert "Drafting a development plan for Li Wei" in plan_run.stderr
    document = docx.Document(str(runs["out"] / "plan.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-1] == "Sources" and len(headings) >= 2
    assert stat.S_IMODE((runs["out"] / "plan.docx").stat().st_mode) == 0o600


def test_a_saved_plan_exports_as_json_with_cited_items_and_to_share_without_ids(runs, plan_run):
    succeeds(plan_run)
    drafts = json.loads(succeeds(cli(runs, "drafts", "p-li", "--json")))
    plan_id = next(d["id"] for d in drafts if d["kind"] == "plan")
    out = runs["out"]
    succeeds(cli(runs, "draft", "export", plan_id, "-o", str(out / "plan.json")))
    plan = json.loads((out / "plan.json").read_text())
    assert {"coverage", "checks"} <= set(plan) and statements(plan)
    assert plan["kind"] == "plan" and plan["person"]["id"] == "p-li"
    for statement in statements(plan):
        assert isinstance(statement["citations"], list) and statement["citations"]
        assert set(statement["citations"]) == {"n-li-1"}, statement
    succeeds(cli(runs, "draft", "export", plan_id, "-o", str(out / "share.txt"), "--no-citations"))
    shared = (out / "share.txt").read_text()
    assert "Sources" not in shared and not re.search(r"\[\d+\]|n-li", shared)
    assert shared.startswith("Development plan: Li Wei\n")


def test_review_without_o_prints_the_markdown_that_o_writes(runs, tmp_path):
    """Issue 18: without -o the terminal got plain text; with -o the file got Markdown."""
    path = tmp_path / "review.md"
    shown = cli(runs, *REVIEW, "-o", str(path))
    stdout = succeeds(shown)
    assert stdout == path.read_text(encoding="utf-8")
    assert stdout.startswith("# Review: Ana Ruiz\n\n1 January 2026 to 30 June 2026\n\n## Summary\n")
    assert re.search(r"^\[\^1\]: Note of \d+ \w+ 2026 \(n-a\d\)$", stdout, re.MULTILINE)
    assert "Saved as draft" in shown.stderr and "Saved as draft" not in stdout


def test_drafts_lists_versions_and_final_marks_one(runs, review):
    listing = succeeds(cli(runs, "drafts", "Ana Ruiz"))
    assert listing.splitlines()[:3] == ["Drafts for Ana Ruiz", "=" * 19, ""]
    assert re.search(rf"^  Review, 1 Jan 2026 to 30 Jun 2026\s+1 version, none final\s+saved \d+ \w+\s+"
                     rf"\(id {review['draft_id']}\)$", listing, re.MULTILINE)
    assert "2026-" not in listing and "T" not in listing.split("(id")[0]
    assert succeeds(cli(runs, "draft", "final", review["draft_id"])) == \
           f"Draft {review['draft_id']}: version 1 is final\n"
    assert re.search(rf"1 version, version 1 final\s+saved \d+ \w+\s+\(id {review['draft_id']}\)",
                     succeeds(cli(runs, "drafts", "Ana Ruiz")))
    drafts = json.loads(succeeds(cli(runs, "drafts", "p-ana", "--json")))
    assert next(d for d in drafts if d["id"] == review["draft_id"])["final_version"] == 1
    assert "has no version 7" in fails(cli(runs, "draft", "final", review["draft_id"], "--version", "7"))
    succeeds(cli(runs, "draft", "final", review["draft_id"], "--version", "0"))


def draft_count(runs) -> int:
    return len(json.loads(succeeds(cli(runs, "drafts", "p-ana", "--json"))))


def test_an_empty_period_exits_1_with_no_evidence_and_saves_nothing(runs):
    before = draft_count(runs)
    stderr = fails(cli(runs, "draft", "review", "Ana Ruiz", "--from", "2025-09-01", "--to", "2025-12-31"))
    assert "No notes on Ana Ruiz between 2025-09-01 and 2025-12-31" in stderr
    assert draft_count(runs) == before


def test_mistakes_in_the_command_are_refused_before_any_drafting(runs, tmp_path):
    before = draft_count(runs)
    assert "Give the period to review" in fails(cli(runs, "draft", "review", "p-ana", "--from", "2026-01-01"))
    assert "--from: '2026-02-30' is not a real calendar date" in fails(
        cli(runs, "draft", "review", "p-ana", "--from", "2026-02-30", "--to", "2026-06-30"))
    assert "must end in one of .md .markdown .txt .docx .json .pdf" in fails(
        cli(runs, *REVIEW, "-o", str(tmp_path / "review.rtf")))
    assert "does not exist" in fails(cli(runs, *REVIEW, "-o", str(tmp_path / "no" / "review.md")))
    assert "No draft with id 'd-nope'" in fails(cli(runs, "draft", "final", "d-nope"))
    assert draft_count(runs) == before
