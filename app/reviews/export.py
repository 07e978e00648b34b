"""A review draft or plan as a file the manager can send, print or paste.

Every statement's citations become numbered footnotes that say what each
record is and when it was written ("Note of 12 March 2026"), so a reader
can see the evidence behind a sentence without opening Trellis; a record
cited by several statements gets one number. With ``citations=False`` the
same words come out with no markers, no ids and no source list: the
version to share with the person or with HR.

Formats: Markdown (``[^1]`` footnotes), plain text for the clipboard
(``[1]`` markers and a "Sources" list), DOCX through python-docx, JSON
(the stored shape) and PDF, which Qt draws (``ui.pdf_export``) from the
HTML built here. Every file is written to a fresh owner-only temporary file
next to the target and renamed over it, so no other user can read a byte
of it and a crash never leaves half a review behind.
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .. import policy
from ..domain.dates import spoken_date
from ..errors import InvalidInput
from ..paths import write_atomically
from .body import PLAN, Body, Section, Statement

SOURCES_TITLE = "Sources"
GROUPED_SECTIONS = ("strengths", "growth")


# --- what the document says, whatever the format --------------------------------

@dataclass(frozen=True)
class Footnotes:
    """Citation numbers in order of first use, and what each cited record is."""

    numbers: dict[str, int]
    descriptions: dict[str, str]

    def markers(self, statement: Statement) -> list[int]:
        seen = dict.fromkeys(self.numbers[c] for c in statement.citations)
        return list(seen)

    def listing(self) -> list[tuple[int, str]]:
        return [(n, self.descriptions[cid]) for cid, n in self.numbers.items()]


def footnotes(body: Body) -> Footnotes:
    numbers: dict[str, int] = {}
    for section in shown_sections(body):
        for statement in section.statements:
            for cid in statement.citations:
                numbers.setdefault(cid, len(numbers) + 1)
    return Footnotes(numbers, {cid: describe_source(cid, body.sources.get(cid)) for cid in numbers})


def describe_source(record_id: str, source: dict | None) -> str:
    """'Note of 12 March 2026 (n-7)', 'Goal "Lead a design review", due 30 June 2026 (g-2)'."""
    source = source or {}
    kind, date = source.get("type"), source.get("date")
    title = source.get("title") or source.get("text")
    if kind == "note":
        words = f"Note of {long_date(date)}" if date else "Note"
    elif kind in ("goal", "action"):
        words = ("Goal" if kind == "goal" else "Action") + (f' "{title}"' if title else "")
        words += f", due {long_date(date)}" if date else ""
    else:
        words = "Record"
    return f"{words} ({record_id})"


def long_date(iso: str | None) -> str:
    """'2026-03-12' as '12 March 2026', the same in every locale."""
    return spoken_date(iso)


def title_of(body: Body) -> str:
    what = "Development plan" if body.kind == PLAN else "Review"
    return f"{what}: {body.person_name}"


def period_of(body: Body) -> str:
    if body.period_start and body.period_end:
        return f"{long_date(body.period_start)} to {long_date(body.period_end)}"
    if body.period_end or body.period_start:
        return f"As of {long_date(body.period_end or body.period_start)}"
    return ""


def shown_sections(body: Body) -> list[Section]:
    """Sections with something in them; an empty section is left out of a document."""
    return [s for s in body.sections if s.statements]


def statement_text(statement: Statement) -> str:
    """The statement on one line, a check-in led by its date."""
    text = " ".join(statement.text.split())
    if statement.date and statement.date not in text and long_date(statement.date) not in text:
        text = f"{long_date(statement.date)}: {text}"
    return text


def paragraphs(body: Body, section: Section) -> list[tuple[str | None, list[Statement]]]:
    """A review section as paragraphs: (lead, statements). Strengths and growth areas
    run one paragraph per competency, led by its name; the other sections are one
    paragraph each. A plan has one "paragraph" per item (shown as a list)."""
    if body.kind == PLAN:
        return [(None, [statement]) for statement in section.statements]
    if section.key not in GROUPED_SECTIONS:
        return [(None, list(section.statements))]
    names = dict(body.coverage.competencies) if body.coverage else {}
    found: list[tuple[str | None, list[Statement]]] = []
    for statement in section.statements:
        key = statement.competencies[0] if statement.competencies else None
        lead = names.get(key, key) if key else "Other evidence"
        if found and found[-1][0] == lead:
            found[-1][1].append(statement)
        else:
            found.append((lead, [statement]))
    return found


def details(statement: Statement) -> list[str]:
    """A plan goal's due date and actions, shown under it unless its text already says them."""
    goal, text = statement.goal or {}, " ".join(statement.text.split())
    due = goal.get("due")
    lines = [f"Due {long_date(due)}"] if due and due not in text and long_date(due) not in text else []
    actions = (" ".join(str(a).split()) for a in goal.get("actions") or ())
    return lines + [f"Action: {a}" for a in actions if a not in text]


# --- Markdown -------------------------------------------------------------------

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
MARKDOWN_LINE_START = re.compile(r"^(#|>|[-+]\s|\d+[.)]\s)")


def markdown_escaped(text: str) -> str:
    """Text that Markdown shows as written (a note's "*" or "[^1]" stays literal)."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return MARKDOWN_LINE_START.sub(r"\\\1", escaped)


def to_markdown(body: Body, *, citations: bool = True) -> str:
    notes = footnotes(body)
    lines = [f"# {markdown_escaped(title_of(body))}", ""]
    if period_of(body):
        lines += [period_of(body), ""]
    for section in shown_sections(body):
        lines += [f"## {markdown_escaped(section.title)}", ""]
        lines += _markdown_statements(body, section, notes if citations else None)
    if citations and notes.numbers:
        lines += [f"[^{n}]: {markdown_escaped(text)}" for n, text in notes.listing()] + [""]
    return "\n".join(lines)


def _markdown_statements(body: Body, section: Section, notes: Footnotes | None) -> list[str]:
    lines = []
    for lead, statements in paragraphs(body, section):
        texts = [markdown_escaped(statement_text(s)) +
                 ("".join(f"[^{n}]" for n in notes.markers(s)) if notes else "") for s in statements]
        if body.kind == PLAN:
            lines.append(f"- {texts[0]}")
            lines += [f"  - {markdown_escaped(d)}" for d in details(statements[0])]
            continue
        lines += [(f"**{markdown_escaped(lead)}.** " if lead else "") + " ".join(texts), ""]
    return lines if body.kind != PLAN else lines + [""]


# --- plain text (the clipboard) ---------------------------------------------------

def to_plain_text(body: Body, *, citations: bool = True) -> str:
    notes = footnotes(body)
    lines = [title_of(body)] + ([period_of(body)] if period_of(body) else [])
    for section in shown_sections(body):
        lines += ["", section.title]
        for lead, statements in paragraphs(body, section):
            texts = [statement_text(s) + (" " + "".join(f"[{n}]" for n in notes.markers(s))
                                          if citations and notes.markers(s) else "")
                     for s in statements]
            bullet = "- " if body.kind == PLAN else ""
            lines.append(bullet + (f"{lead}: " if lead else "") + " ".join(texts))
            lines += [f"    {d}" for s in statements for d in details(s)]
    if citations and notes.numbers:
        lines += ["", SOURCES_TITLE] + [f"[{n}] {text}" for n, text in notes.listing()]
    return "\n".join(lines) + "\n"


# --- HTML (what Qt lays out as PDF) -------------------------------------------------

def to_html(body: Body, *, citations: bool = True) -> str:
    notes = footnotes(body)
    parts = [f"<h1>{html.escape(title_of(body))}</h1>"]
    if period_of(body):
        parts.append(f"<p><i>{html.escape(period_of(body))}</i></p>")
    for section in shown_sections(body):
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        parts.append(_html_statements(body, section, notes if citations else None))
    if citations and notes.numbers:
        parts.append(f"<h2>{SOURCES_TITLE}</h2>")
        parts += [f"<p>{n}. {html.escape(text)}</p>" for n, text in notes.listing()]
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def _html_statements(body: Body, section: Section, notes: Footnotes | None) -> str:
    items = []
    for lead, statements in paragraphs(body, section):
        texts = []
        for statement in statements:
            marks = ",".join(map(str, notes.markers(statement))) if notes else ""
            texts.append(html.escape(statement_text(statement)) +
                         (f"<sup>{marks}</sup>" if marks else ""))
        extra = "".join(f"<br/>&nbsp;&nbsp;{html.escape(d)}" for s in statements for d in details(s))
        text = (f"<b>{html.escape(lead)}.</b> " if lead else "") + " ".join(texts)
        items.append(f"<li>{text}{extra}</li>" if body.kind == PLAN else f"<p>{text}{extra}</p>")
    return f"<ul>{''.join(items)}</ul>" if body.kind == PLAN else "\n".join(items)


# --- DOCX -------------------------------------------------------------------------

def docx_bytes(body: Body, *, citations: bool = True) -> bytes:
    """A Word document: title, period, a heading per section, a paragraph per statement.

    python-docx cannot write Word's native footnotes, so citation numbers
    are superscript runs after each statement and the sources they stand
    for are listed under a "Sources" heading at the end.
    """
    import docx  # python-docx and lxml load only when a DOCX is written

    document = docx.Document()
    document.core_properties.title, document.core_properties.author = title_of(body), ""
    document.add_heading(title_of(body), level=0)
    if period_of(body):
        document.add_paragraph(period_of(body))
    notes = footnotes(body)
    for section in shown_sections(body):
        document.add_heading(section.title, level=1)
        _docx_statements(document, body, section, notes if citations else None)
    if citations and notes.numbers:
        document.add_heading(SOURCES_TITLE, level=1)
        for number, text in notes.listing():
            document.add_paragraph(f"{number}. {text}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_statements(document, body: Body, section: Section, notes: Footnotes | None) -> None:
    for lead, statements in paragraphs(body, section):
        paragraph = document.add_paragraph(style="List Bullet" if body.kind == PLAN else None)
        if lead:
            paragraph.add_run(f"{lead}. ").bold = True
        for index, statement in enumerate(statements):
            paragraph.add_run(("" if index == 0 else " ") + statement_text(statement))
            marks = ",".join(map(str, notes.markers(statement))) if notes else ""
            if marks:
                paragraph.add_run(marks).font.superscript = True
        for line in (d for s in statements for d in details(s)):
            document.add_paragraph(line, style="List Bullet 2")


# --- JSON -----------------------------------------------------------------------

def shareable(body: Body) -> Body:
    """``body`` without a single record id: no citations, sources, verdicts or exclusions."""
    sections = tuple(replace(s, statements=tuple(replace(i, citations=()) for i in s.statements))
                     for s in body.sections)
    return replace(body, sections=sections, sources={}, grounding=(), excluded=())


def to_json(body: Body, *, citations: bool = True) -> str:
    data = (body if citations else shareable(body)).to_dict()
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- files --------------------------------------------------------------------------

def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` readable by the owner only, atomically (``paths.replacing``)."""
    path = checked_target(path)
    write_atomically(path, data)
    return path


def checked_target(path: Path) -> Path:
    """``path`` if a file can be written there; a sentence saying why not otherwise."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name, such as {path / 'review.md'}")
    if not path.parent.is_dir():
        raise InvalidInput(f"Cannot write {path}: the folder {path.parent} does not exist")
    return path


def _markdown_file(body, path, citations):
    return write_private(path, to_markdown(body, citations=citations).encode("utf-8"))


def _text_file(body, path, citations):
    return write_private(path, to_plain_text(body, citations=citations).encode("utf-8"))


def _json_file(body, path, citations):
    return write_private(path, to_json(body, citations=citations).encode("utf-8"))


def write_docx(body: Body, path: Path, *, citations: bool = True) -> Path:
    return write_private(path, docx_bytes(body, citations=citations))


def _docx_file(body, path, citations):
    return write_docx(body, path, citations=citations)


def _pdf_file(body, path, citations):
    writer = provided_writer("pdf")
    if writer is None:
        raise InvalidInput("PDF export needs the desktop app (PySide6), which is not "
                           "installed here; export as .md, .txt or .docx instead")
    return writer(body, path, citations=citations)


EXPORTERS = "trellis.exporters"


def provided_writer(name: str):
    """A writer another part of Trellis provides (the window draws PDFs with Qt), found
    through the package's entry points (pyproject.toml), so the core never imports it;
    None when that part is not installed."""
    from importlib.metadata import entry_points
    for point in entry_points(group=EXPORTERS, name=name):
        try:
            return point.load()
        except ImportError as exc:
            if (exc.name or "").startswith(("PySide6", "shiboken6")):
                return None
            raise
    return None


WRITERS = {".md": _markdown_file, ".markdown": _markdown_file, ".txt": _text_file,
           ".docx": _docx_file, ".json": _json_file, ".pdf": _pdf_file}


def check_export_path(path: Path) -> Path:
    """``path`` if ``export_body`` can write it: a known suffix, in a folder that exists.

    The command line asks before drafting, so a typo costs no model time.
    """
    path = Path(path)
    if path.suffix.lower() not in WRITERS:
        accepted = " ".join(WRITERS)
        raise InvalidInput(f"Cannot export to {path.name}: the file name must end in one of "
                           f"{accepted}")
    return checked_target(path)


def export_body(body: Body, path: Path, *, citations: bool = True) -> Path:
    """Write ``body`` in the format its file name asks for (.md .markdown .txt .docx .json .pdf).

    Refused, before anything is written, when the organisation's policy turns export off.
    """
    policy.refuse_export()
    path = check_export_path(path)
    return WRITERS[path.suffix.lower()](body, path, citations)
