"""``trellis draft`` and ``trellis drafts``: review drafts and plans from a terminal.

Why this module exists: a manager who prefers the terminal, or IT checking
an install, can draft a review or a development plan, see which sentence
came from which notes, keep the result as a draft the window then shows,
and export it, without opening the window. The commands stay thin: the
drafting is ``app.reviews.review_draft``'s and ``app.reviews.plan``'s,
versions are ``app.reviews.versions``'s, files are ``app.reviews.export``'s.
Each ``draft review`` or ``draft plan`` run saves a new draft (version 1);
earlier drafts stay listed by ``trellis drafts``. Writing a file (``-o``,
``draft export``) is refused, before any drafting, when the organisation's
policy sets DisableExport.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import json_flag, open_store, table
from ..domain.dates import parse_date, short_date
from ..errors import InvalidInput
from ..policy import refuse_export
from ..reviews.body import Body, Section
from ..reviews.export import check_export_path, export_body, to_markdown
from ..reviews.versions import body_of, mark_final, save_draft


def _period_flags(parser) -> None:
    parser.add_argument("--from", dest="period_start", metavar="YYYY-MM-DD",
                        help="first day of the period, included (or use --cycle)")
    parser.add_argument("--to", dest="period_end", metavar="YYYY-MM-DD",
                        help="last day of the period, included (with --from; or use --cycle)")
    parser.add_argument("--cycle", help="review cycle id or name (its period unless --from/--to)")


def add_draft_commands(sub) -> None:
    """Add ``draft review|plan|final|export`` and ``drafts`` to the ``trellis`` sub-commands."""
    draft = sub.add_parser("draft", help="draft a review or a development plan; mark one final")
    actions = draft.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("review", help="draft a review from the person's notes in a period")
    p.add_argument("person", help="id or unambiguous name")
    _period_flags(p)
    _output_flags(p); p.set_defaults(func=cmd_draft_review)
    p = actions.add_parser("plan", help="draft a development plan from notes, goals and the framework")
    p.add_argument("person", help="id or unambiguous name")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="plan from the six months of notes up to this day (default: today)")
    _output_flags(p); p.set_defaults(func=cmd_draft_plan)
    _add_draft_record_commands(actions)
    p = actions.add_parser("check", help="check a review you wrote against your notes, sentence "
                                         "by sentence (nothing is saved)")
    p.add_argument("person", help="id or unambiguous name")
    p.add_argument("file", metavar="FILE", help="your text: one sentence per line, or paragraphs; - reads stdin")
    _period_flags(p)
    json_flag(p); p.set_defaults(func=cmd_draft_check)
    p = sub.add_parser("drafts", help="a person's drafts, their versions and which is final")
    p.add_argument("person", help="id or unambiguous name")
    json_flag(p); p.set_defaults(func=cmd_drafts)


def _add_draft_record_commands(actions) -> None:
    p = actions.add_parser("final", help="mark a draft's version final (the one that was shared)")
    p.add_argument("draft_id")
    p.add_argument("--version", type=int, help="default: the newest; 0 takes the mark away")
    json_flag(p); p.set_defaults(func=cmd_draft_final)
    p = actions.add_parser("export", help="write a saved draft as .md .txt .docx .json or .pdf")
    p.add_argument("draft_id")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--version", type=int, help="default: the newest")
    p.add_argument("--no-citations", action="store_true", help="a version to share: no sources")
    p.set_defaults(func=cmd_draft_export)


def _output_flags(parser) -> None:
    json_flag(parser)
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="also write the draft to FILE (.md .txt .docx .json .pdf)")
    parser.add_argument("--no-citations", action="store_true",
                        help="leave citations out of the text and the file (a version to share)")


# --- drafting ------------------------------------------------------------------

def cmd_draft_review(args) -> int:
    from ..reviews.evidence import build_brief
    from ..reviews.review_draft import draft_review

    _check_output(args)
    with open_store() as store:
        person = store.people.resolve(args.person)
        start, end, cycle_id = _period(store, args)
        brief = build_brief(store, person.id, start, end)
        if not brief.notes:   # say so before loading a model
            raise brief.no_evidence()
        _say(f"Drafting a review of {person.name}, {start} to {end}")
        body = _with_model(store, lambda engine, library: draft_review(
            store, engine, library, person.id, start, end, on_section=_section_done))
        draft = save_draft(store, body, cycle_id=cycle_id)
    return _show(args, draft)


def cmd_draft_plan(args) -> int:
    from ..reviews.plan import draft_plan

    _check_output(args)
    with open_store() as store:
        person = store.people.resolve(args.person)
        as_of = parse_date(args.as_of, where="--as-of") if args.as_of else None
        _say(f"Drafting a development plan for {person.name}")
        body = _with_model(store, lambda engine, library: draft_plan(
            store, engine, library, person.id, today=as_of, on_section=_section_done))
        draft = save_draft(store, body)
    return _show(args, draft)


def cmd_draft_check(args) -> int:
    """Each sentence of the manager's own text: supported (with its notes) or what is wrong."""
    from ..reviews.own_text import check_text

    text = _read_text(args.file)
    with open_store(create=False) as store:
        person = store.people.resolve(args.person)
        start, end, _ = _period(store, args)
        checked = check_text(store, person.id, start, end, text)
    if args.json:
        print(json.dumps({"sentences": [c.to_dict() for c in checked]}, ensure_ascii=False, indent=2))
        return 0
    for item in checked:
        mark = "supported" if item.supported else "NOT SUPPORTED"
        cited = f" [{', '.join(item.citations)}]" if item.citations else ""
        print(f"{mark}: {item.text}{cited}")
        for problem in item.problems:
            print(f"    {problem}")
    supported = sum(c.supported for c in checked)
    _say(f"{supported} of {len(checked)} sentences supported by the notes of {start} to {end}")
    return 0


def _read_text(name: str) -> str:
    """The text to check, from a file or stdin; an empty or unreadable one is refused."""
    if name == "-":
        text = sys.stdin.read()
    else:
        path = Path(name)
        if not path.is_file():
            raise InvalidInput(f"There is no file {name} to check")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if not text.strip():
        raise InvalidInput(f"{name}: there is no text in it to check")
    return text


def _check_output(args) -> None:
    if args.output:
        refuse_export()
        check_export_path(Path(args.output))


def _period(store, args) -> tuple[str, str, str | None]:
    """The period asked for: --from/--to, or the cycle's; and the cycle's id if one was named."""
    cycle = store.review_cycles.resolve(args.cycle) if args.cycle else None
    start = args.period_start or (cycle.period_start if cycle else None)
    end = args.period_end or (cycle.period_end if cycle else None)
    if start is None or end is None:
        raise InvalidInput("Give the period to review: --from YYYY-MM-DD --to YYYY-MM-DD, "
                           "or --cycle NAME")
    start, end = parse_date(start, where="--from"), parse_date(end, where="--to")
    if start > end:
        raise InvalidInput(f"The period starts ({start}) after it ends ({end})")
    return start, end, cycle.id if cycle else None


def _with_model(store, work):
    """Run ``work(engine, library)`` with the chosen model loaded; the model is closed after."""
    from ..llm.prompts import PromptLibrary
    from ..llm.selection import engine_for
    from ..settings import load_settings

    library = PromptLibrary(user_dir=Path(store.home) / "prompts")
    engine = engine_for(load_settings())
    engine.load()
    try:
        return work(engine, library)
    finally:
        engine.close()


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _section_done(section: Section) -> None:
    count = len(section.statements)
    _say(f"  {section.title}: {count} {'statement' if count == 1 else 'statements'}")


# --- showing a draft ------------------------------------------------------------

def _show(args, draft) -> int:
    body = body_of(draft)
    citations = not args.no_citations
    if args.output:
        _say(f"Written to {export_body(body, Path(args.output), citations=citations)}")
    if args.json:
        data = {**body.to_dict(), "draft_id": draft.id, "version": draft.latest.version}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:   # the same Markdown as -o FILE.md writes; what the checks found goes beside it
        print(to_markdown(body, citations=citations), end="")
        for line in check_lines(body):
            _say(line)
    _say(f"Saved as draft {draft.id}, version {draft.latest.version} "
         f"(trellis drafts {body.person_id})")
    return 0


def check_lines(body: Body) -> list[str]:
    """What the checks found, in words: coverage warnings, language findings, rejected sentences."""
    lines = [f"- {warning}" for warning in (body.coverage.warnings if body.coverage else ())]
    lines += [f'- {f["message"]} "{f["words"]}": {f["suggestion"]}' for f in body.language]
    lines += [f'- Meaning: "{f["text"]}" {" ".join(f["problems"])}' for f in body.meaning]
    lines += [f"- {entry['reason'].split('. ')[0]} (note {entry['id']}, sentence "
              f"{', '.join(map(str, entry['sentences']))}). To use it on purpose: trellis note "
              f"include {entry['id']} {entry['sentences'][0]}"
              for entry in body.excluded if entry.get("sentences")]
    replaced = sum(v.outcome == "fallback" for v in body.grounding)
    dropped = sum(v.outcome == "dropped" for v in body.grounding)
    if replaced or dropped:
        lines.append(f"- Grounding: {replaced} model sentences replaced by the notes' own words, "
                     f"{dropped} dropped (their words were not in the cited notes)")
    return ["", "Checks"] + lines if lines else []


# --- drafts on record --------------------------------------------------------------

def cmd_drafts(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        drafts = store.drafts.for_person(person.id)
    if args.json:
        print(json.dumps([_draft_dict(d) for d in drafts], ensure_ascii=False, indent=2))
        return 0
    print("\n".join(drafts_lines(person, drafts)))
    return 0


def drafts_lines(person, drafts) -> list[str]:
    """A person's drafts in words: what each is, its versions and which is final, when it was
    last saved; the id is there for ``draft final`` and ``draft export``."""
    if not drafts:
        return [f"No drafts for {person.name} yet."]
    title = f"Drafts for {person.name}"
    rows = table([[_what(d), _versions_words(d),
                   f"saved {short_date(d.latest.created_at)}" if d.latest else "", f"(id {d.id})"]
                  for d in drafts])
    return [title, "=" * len(title), "", *(f"  {row}" for row in rows), "",
            "Mark a version final: trellis draft final ID [--version N]. "
            "Write a file: trellis draft export ID -o FILE."]


def _what(draft) -> str:
    kind = "Review" if draft.kind == "review" else "Development plan"
    if draft.period_start and draft.period_end:
        return (f"{kind}, {short_date(draft.period_start, year=True)} to "
                f"{short_date(draft.period_end, year=True)}")
    return f"{kind}, as of {short_date(draft.period_end, year=True)}" if draft.period_end else kind


def _versions_words(draft) -> str:
    count = len(draft.versions)
    final = (f"version {draft.final_version} final" if draft.final_version else "none final")
    return f"{count} {'version' if count == 1 else 'versions'}, {final}"


def _draft_dict(draft) -> dict:
    return {"id": draft.id, "kind": draft.kind, "person_id": draft.person_id,
            "period": {"from": draft.period_start, "to": draft.period_end},
            "cycle_id": draft.cycle_id, "final_version": draft.final_version,
            "versions": [{"version": v.version, "created_at": v.created_at,
                          "model_sha256": v.model_sha256,
                          "prompts": [{"name": n, "version": ver} for n, ver in v.prompts]}
                         for v in draft.versions]}


def cmd_draft_final(args) -> int:
    with open_store(create=False) as store:
        draft = mark_final(store, args.draft_id, args.version)
    if args.json:
        print(json.dumps(_draft_dict(draft), ensure_ascii=False, indent=2))
    elif draft.is_final:
        print(f"Draft {draft.id}: version {draft.final_version} is final")
    else:
        print(f"Draft {draft.id}: no version is final")
    return 0


def cmd_draft_export(args) -> int:
    refuse_export()
    check_export_path(Path(args.output))
    with open_store(create=False) as store:
        body = body_of(store.drafts.get(args.draft_id), args.version)
    path = export_body(body, Path(args.output), citations=not args.no_citations)
    print(f"Written to {path}")
    return 0
