"""Exports open and say what the draft says: Markdown footnotes, plain text, DOCX, PDF, JSON.

Each file is opened again the way its reader would (python-docx for DOCX,
the PDF's page objects for PDF) and every file must be owner-only.
"""

import json
import os
import re
import stat
import subprocess
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # PDF tests draw with Qt, no screen

from app.errors import InvalidInput  # noqa: E402
from app.reviews.body import FROM_NOTE, PLAN, REVIEW, Body, Coverage, Section, Statement  # noqa: E402
from app.reviews.export import (export_body, to_html, to_json, to_markdown, to_plain_text,  # noqa: E402
                                write_docx)
from conftest import REPO  # noqa: E402

NOTE_DATES = {"n-1": "2026-01-15", "n-2": "2026-03-12", "n-3": "2026-05-04"}
SOURCES = {**{nid: {"type": "note", "date": d, "title": None} for nid, d in NOTE_DATES.items()},
           "g-1": {"type": "goal", "date": "2026-06-30", "title": "Lead a design review"}}


def sample_review(*, repeat: int = 1) -> Body:
    """A review in which n-2 is cited twice and one note's words hold Markdown syntax."""
    sections = [
        Section("summary", "Summary", (
            Statement("Ana led the checkout outage review.", ("n-2",)),
            Statement("She paired with Li on *consumer lag* alerts [^9].", ("n-1", "n-2"),
                      source=FROM_NOTE),
        )),
        Section("strengths", "Strengths", (
            Statement("Her timelines were clear.", ("n-3", "n-2"), competencies=("c-delivery",)),
            Statement("She shipped the export early.", ("n-3",), competencies=("c-delivery",)),
            Statement("She mentored two new hires.", ("n-1",), competencies=("c-mentoring",)),
            Statement("She kept the backlog tidy.", ("n-1",)),
        )),
        Section("growth", "Growth areas", ()),
    ]
    long = Statement("Ana kept the migration on schedule and told the team early about risks. " * 6,
                     ("n-3",))
    sections += [Section(f"competency:c-{i}", f"Competency {i}", (long,) * 4, competency_id=f"c-{i}")
                 for i in range(repeat - 1)]
    coverage = Coverage(("2026-01",), (("c-delivery", "Delivery"), ("c-mentoring", "Mentoring")),
                        ((1, 1, 0),), (), (), 0.0, ())
    return Body(REVIEW, "p-ana", "Ana Ruiz", "2026-01-01", "2026-06-30", tuple(sections), coverage,
                sources=SOURCES, model_sha256="abc123", prompts=(("reword_sentence", "1"),))


def sample_plan() -> Body:
    goal = {"title": "Lead a design review", "due": "2026-09-30",
            "actions": ["Pick the service", "Book the room"]}
    sections = (
        Section("strengths", "Strengths to build on", (Statement("Clear incident write-ups.", ("n-2",)),)),
        Section("goals", "Goals", (Statement("Lead one design review by September.", ("g-1", "n-3"),
                                             goal=goal),)),
        Section("check_ins", "Check-ins", (Statement("Review progress on the goal.", ("g-1",),
                                                     date="2026-07-15"),)),
    )
    return Body(PLAN, "p-ana", "Ana Ruiz", None, "2026-06-30", sections, None, sources=SOURCES)


# --- Markdown ---------------------------------------------------------------------

def test_markdown_numbers_footnotes_in_order_of_first_use_and_cites_a_record_once():
    text = to_markdown(sample_review())
    assert "Ana led the checkout outage review.[^1]" in text
    assert "alerts \\[^9\\].[^2][^1]" in text            # the note's own "[^9]" stays literal
    assert "**Delivery.** Her timelines were clear.[^3][^1] She shipped the export early.[^3]" in text
    assert "**Mentoring.** She mentored two new hires.[^2]" in text
    assert "**Other evidence.** She kept the backlog tidy.[^2]" in text
    assert "Ana led the checkout outage review.[^1] She paired with Li" in text  # one paragraph
    footnotes = re.findall(r"^\[\^(\d+)\]: (.*)$", text, re.MULTILINE)
    assert footnotes == [("1", "Note of 12 March 2026 (n-2)"), ("2", "Note of 15 January 2026 (n-1)"),
                         ("3", "Note of 4 May 2026 (n-3)")]
    assert "\\*consumer lag\\*" in text
    assert text.startswith("# Review: Ana Ruiz\n\n1 January 2026 to 30 June 2026\n")
    assert "## Growth areas" not in text                # an empty section is left out


def test_markdown_plan_lists_goals_with_due_date_actions_and_dated_check_ins():
    text = to_markdown(sample_plan())
    assert text.startswith("# Development plan: Ana Ruiz\n\nAs of 30 June 2026\n")
    assert "- Lead one design review by September.[^2][^3]" in text
    assert "  - Due 30 September 2026\n  - Action: Pick the service\n  - Action: Book the room" in text
    assert "- 15 July 2026: Review progress on the goal.[^2]" in text
    assert '[^2]: Goal "Lead a design review", due 30 June 2026 (g-1)' in text


def test_goal_details_already_in_the_goal_text_are_not_repeated():
    goal = {"due": "2026-09-30", "actions": ["Pick the service", "Book the room"]}
    text = "Lead one design review by 2026-09-30. Actions: (1) Pick the service."
    body = sample_plan().with_section(Section("goals", "Goals", (Statement(text, ("g-1",), goal=goal),)))
    assert "- Lead one design review by 2026-09-30. Actions: (1) Pick the service.[^2]\n" \
           "  - Action: Book the room\n\n" in to_markdown(body)


@pytest.mark.parametrize("render", [to_markdown, to_plain_text, to_html])
def test_a_version_to_share_has_no_markers_ids_or_sources(render):
    for body in (sample_review(), sample_plan()):
        text = render(body, citations=False).replace("[^9]", "").replace("\\[^9\\]", "")
        assert not re.search(r"\[\^?\d+\]|<sup>|n-\d|g-1|Sources", text), text
        assert "Ana led the checkout outage review." in text or "Clear incident write-ups." in text


def test_plain_text_has_numbered_markers_and_a_sources_list():
    text = to_plain_text(sample_review())
    lines = text.splitlines()
    assert lines[:2] == ["Review: Ana Ruiz", "1 January 2026 to 30 June 2026"]
    assert ("Ana led the checkout outage review. [1] She paired with Li on *consumer lag* alerts "
            "[^9]. [2][1]") in lines
    assert "Delivery: Her timelines were clear. [3][1] She shipped the export early. [3]" in lines
    assert lines[-4:] == ["Sources", "[1] Note of 12 March 2026 (n-2)",
                          "[2] Note of 15 January 2026 (n-1)", "[3] Note of 4 May 2026 (n-3)"]


def test_json_keeps_the_stored_shape_and_the_shared_version_drops_every_id():
    body = sample_review()
    assert Body.from_dict(json.loads(to_json(body))) == body
    shared = json.loads(to_json(body, citations=False))
    assert shared["sources"] == {} and all(s["citations"] == [] for sec in shared["sections"]
                                           for s in sec["statements"])
    assert not re.search(r"n-\d", json.dumps(shared))


# --- DOCX -------------------------------------------------------------------------

def test_docx_opens_with_headings_a_paragraph_per_statement_and_a_sources_list(tmp_path):
    import docx

    path = write_docx(sample_review(), tmp_path / "review.docx")
    document = docx.Document(str(path))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs == [
        ("Title", "Review: Ana Ruiz"), ("Normal", "1 January 2026 to 30 June 2026"),
        ("Heading 1", "Summary"),
        ("Normal", "Ana led the checkout outage review.1 She paired with Li on *consumer lag* "
                   "alerts [^9].2,1"),
        ("Heading 1", "Strengths"),
        ("Normal", "Delivery. Her timelines were clear.3,1 She shipped the export early.3"),
        ("Normal", "Mentoring. She mentored two new hires.2"),
        ("Normal", "Other evidence. She kept the backlog tidy.2"),
        ("Heading 1", "Sources"), ("Normal", "1. Note of 12 March 2026 (n-2)"),
        ("Normal", "2. Note of 15 January 2026 (n-1)"), ("Normal", "3. Note of 4 May 2026 (n-3)"),
    ]
    markers = [r.text for p in document.paragraphs for r in p.runs if r.font.superscript]
    assert markers == ["1", "2,1", "3,1", "3", "2", "2"]
    leads = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert leads == ["Delivery. ", "Mentoring. ", "Other evidence. "]
    assert document.core_properties.title == "Review: Ana Ruiz"


def test_docx_plan_items_are_bullets_and_the_shared_version_has_no_sources(tmp_path):
    import docx

    path = write_docx(sample_plan(), tmp_path / "plan.docx", citations=False)
    document = docx.Document(str(path))
    styles = [p.style.name for p in document.paragraphs]
    assert styles.count("List Bullet") == 3 and styles.count("List Bullet 2") == 3
    assert "Sources" not in [p.text for p in document.paragraphs]
    assert not any(r.font.superscript for p in document.paragraphs for r in p.runs)


# --- PDF --------------------------------------------------------------------------

def pdf_page_count(data: bytes) -> int:
    # PySide6-Essentials has no QtPdf to open the file; each page is one /Type /Page object.
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def test_pdf_has_one_page_for_a_short_draft_and_more_for_a_long_one(tmp_path, request):
    pytest.importorskip("PySide6")
    request.getfixturevalue("qapp")   # the widgets application later UI tests share
    short = export_body(sample_review(), tmp_path / "short.pdf")
    long = export_body(sample_review(repeat=8), tmp_path / "long.pdf")
    assert short.read_bytes().startswith(b"%PDF-") and pdf_page_count(short.read_bytes()) == 1
    assert pdf_page_count(long.read_bytes()) > 1
    assert b"%%EOF" in long.read_bytes()[-32:]


def test_pdf_export_without_pyside6_says_what_to_do_instead(tmp_path):
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "from test_export import sample_review\n"
            "from app.reviews.export import export_body\n"
            "from app.errors import InvalidInput\n"
            "try:\n    export_body(sample_review(), sys.argv[1])\n"
            "except InvalidInput as exc:\n    print(exc)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), str(REPO),
                                                         os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.pdf")], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=60)
    assert "PDF export needs the desktop app (PySide6)" in result.stdout, result.stderr
    assert not (tmp_path / "r.pdf").exists()


# --- files ------------------------------------------------------------------------

SUFFIXES = [".md", ".markdown", ".txt", ".docx", ".json", ".pdf"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_export_is_created_owner_only_even_over_a_readable_file(tmp_path, suffix, request):
    if suffix == ".pdf":
        pytest.importorskip("PySide6")
        request.getfixturevalue("qapp")
    target = tmp_path / f"review{suffix}"
    target.write_text("old")
    target.chmod(0o644)
    old_umask = os.umask(0)
    try:
        export_body(sample_review(), target)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() != b"old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]   # no temporary file left


def test_an_unknown_suffix_is_refused_with_the_accepted_ones(tmp_path):
    with pytest.raises(InvalidInput) as err:
        export_body(sample_review(), tmp_path / "review.rtf")
    assert str(err.value) == ("Cannot export to review.rtf: the file name must end in one of "
                              ".md .markdown .txt .docx .json .pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_or_a_folder_as_target_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match=r"the folder .*missing does not exist"):
        export_body(sample_review(), tmp_path / "missing" / "review.md")
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(InvalidInput, match="folder.md is a folder; give a file name"):
        export_body(sample_review(), tmp_path / "folder.md")
    assert not (tmp_path / "missing").exists()
