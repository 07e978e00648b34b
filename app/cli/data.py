"""``trellis`` commands about the data itself: set-up checks, import and export, people,
notes, backups, keys and recovery, settings and policy.
"""

import getpass
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from .. import doctor
from .. import policy as policies
from ..domain.dates import month_title, short_date
from ..domain.records import NOTE_KIND_LABELS, NOTE_KINDS
from ..errors import TrellisError
from ..exchange import export_document, import_file, write_export
from ..store import Store
from ..store import keys, recovery
from .common import ask_new_passphrase, emit, interactive, json_flag, one_line, open_store, table


# --- commands ----------------------------------------------------------------

def cmd_doctor(args) -> int:
    checks = doctor.run_checks()
    marks = {doctor.OK: "ok", doctor.FAILED: "FAILED", doctor.SKIPPED: "skipped",
             doctor.WARNING: "warning", doctor.INFO: "info"}
    emit(args, {"ok": not doctor.failed(checks), "checks": [c.as_dict() for c in checks]},
          table([[marks[c.status], c.name, c.detail] for c in checks]))
    if doctor.failed(checks) and not args.json:
        print("\nSome checks failed; see above.", file=sys.stderr)
    return 1 if doctor.failed(checks) else 0


def cmd_import(args) -> int:
    with open_store() as store:
        counts = import_file(store, Path(args.file))
    emit(args, counts, ["Imported " + ", ".join(f"{n} {k}" for k, n in counts.items())])
    return 0


def cmd_export(args) -> int:
    policies.refuse_export()
    with open_store(create=False) as store:
        if args.file == "-":
            print(json.dumps(export_document(store), ensure_ascii=False, indent=2))
            return 0
        counts = write_export(store, Path(args.file))
    print(f"Exported to {args.file}: " + ", ".join(f"{n} {k}" for k, n in counts.items()),
          file=sys.stderr)
    return 0


def cmd_people(args) -> int:
    with open_store() as store:
        people = store.people.list(include_archived=args.all)
    rows = [[p.id, p.name, p.role or "", p.level or "", "archived" if p.archived else ""]
            for p in people]
    emit(args, [asdict(p) for p in people], table(rows) or ["No people yet."])
    return 0


def cmd_person_add(args) -> int:
    with open_store() as store:
        person = store.people.add(name=args.name, role=args.role, level=args.level,
                                  start_date=args.start_date)
    emit(args, asdict(person), [f"Added {person.name} ({person.id})"])
    return 0


def cmd_notes(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        notes = store.notes.for_person(person.id, limit=args.limit)
    emit(args, [asdict(n) for n in notes], notes_lines(person, notes))
    return 0


def notes_lines(person, notes) -> list[str]:
    """A person's notes as the timeline shows them: by month, newest first, with the kind's
    name and the date as a manager says it; the id is there to edit or trash a note."""
    if not notes:
        return [f"No notes on {person.name} yet."]
    title = f"Notes on {person.name}, newest first"
    rows = table([[short_date(n.date), NOTE_KIND_LABELS.get(n.kind, n.kind), one_line(n.text, 90),
                   f"(id {n.id})"] for n in notes])
    lines, month = [title, "=" * len(title)], None
    for note, row in zip(notes, rows):
        if month_title(note.date) != month:
            month = month_title(note.date)
            lines += ["", month]
        lines.append(f"  {row}")
    return lines + ["", "Move a note to the trash: trellis note trash ID."]


def cmd_search(args) -> int:
    with open_store() as store:
        hits = store.search(args.query, limit=args.limit, by_relevance=args.best)
    rows = [[h.date, h.person_name, h.note_id, one_line(h.snippet)] for h in hits]
    emit(args, [asdict(h) for h in hits], table(rows) or ["No notes match."])
    return 0


def cmd_note_add(args) -> int:
    with open_store() as store:
        person = store.people.resolve(args.person)
        note = store.notes.add(person_id=person.id, text=args.text, date=args.date,
                               kind=args.kind, competencies=tuple(args.competency or ()))
    emit(args, asdict(note), [f"Saved note {note.id} on {person.name} ({note.date})"])
    return 0


def cmd_note_trash(args) -> int:
    with open_store(create=False) as store:
        note = store.notes.trash(args.id)
    emit(args, asdict(note), [f"Moved note {note.id} to the trash (restore: trellis note restore {note.id})"])
    return 0


def cmd_note_restore(args) -> int:
    with open_store(create=False) as store:
        note = store.notes.restore(args.id)
    emit(args, asdict(note), [f"Restored note {note.id}"])
    return 0


def cmd_note_include(args) -> int:
    from ..reviews.sensitive import include

    with open_store(create=False) as store:
        chosen = include(store, args.id, args.sentence)
    emit(args, asdict(chosen), [
        f"Included sentence {chosen.number} of note {chosen.note_id} ({chosen.category}) on "
        "purpose: drafts, plans and 1:1 topics made from now on may use it.",
        f"To leave it out again: trellis note leave-out {chosen.note_id} {chosen.number}"])
    return 0


def cmd_note_leave_out(args) -> int:
    from ..reviews.sensitive import leave_out

    with open_store(create=False) as store:
        chosen = leave_out(store, args.id, args.sentence)
    emit(args, asdict(chosen), [f"Sentence {chosen.number} of note {chosen.note_id} "
                                f"({chosen.category}) is left out again."])
    return 0


def cmd_trash(args) -> int:
    with open_store() as store:
        notes = store.notes.in_trash()
    rows = [[n.deleted_at or "", n.id, n.person_id, one_line(n.text, 80)] for n in notes]
    emit(args, [asdict(n) for n in notes], table(rows) or ["The trash is empty."])
    return 0


def cmd_backup(args) -> int:
    with open_store(create=False) as store:
        path = store.backup(Path(args.dir) if args.dir else None)
    emit(args, {"backup": str(path)}, [f"Backup written and verified: {path}"])
    return 0


def cmd_restore(args) -> int:
    with open_store(create=False) as store:
        safety = store.restore(Path(args.file))
    emit(args, {"restored": args.file, "previous": str(safety)},
          [f"Restored {args.file}.", f"The data it replaced is kept in {safety}"])
    return 0


def cmd_passphrase(args) -> int:
    with open_store() as store:
        if args.action == "keychain":
            store.move_key_to_keychain()
            print("The key is now kept in the OS keychain; no passphrase is needed to unlock.")
            return 0
        store.change_passphrase(_new_passphrase_from(args))
    print("Passphrase set. The key is now wrapped by it; the database was not rewritten.")
    return 0


def _new_passphrase_from(args) -> str:
    if args.from_env:
        return _from_env(args.from_env)
    if not interactive():
        raise TrellisError("Run this on a terminal, or pass --from-env VARIABLE")
    return ask_new_passphrase()


def cmd_recover(args) -> int:
    recovery_key = _recovery_key_from(args)
    with Store.recover(recovery_key=recovery_key, new_passphrase=_passphrase_for_recovered(args)) as store:
        where = "in the OS keychain" if store.key_mode == "keychain" else "behind your new passphrase"
        count = len(store.people.list(include_archived=True))
    emit(args, {"recovered": str(store.home), "key": store.key_mode, "people": count},
          [f"Recovered the Trellis data in {store.home} ({count} {'person' if count == 1 else 'people'}). The key is kept {where} "
           "again; your recovery key still works."])
    return 0


def _recovery_key_from(args) -> str:
    if args.key_file:
        try:
            return recovery.key_in_text(Path(args.key_file).read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            raise TrellisError(f"The recovery key file {args.key_file} cannot be read: "
                               f"{exc.strerror or exc}") from None
    if args.key_from_env:
        return _from_env(args.key_from_env)
    if not interactive():
        raise TrellisError("Run this on a terminal, or pass --key-file FILE or --key-from-env VARIABLE")
    return getpass.getpass("Recovery key (8 groups of 5 characters): ")


def _passphrase_for_recovered(args) -> str | None:
    """A new passphrase, unless the key can go back into the keychain."""
    if args.passphrase_from_env:
        return _from_env(args.passphrase_from_env)
    if keys.secure_keychain() is not None and not keys.keychain_refused_by_policy():
        return None
    if keys.passphrase_from_env() or not interactive():
        return keys.passphrase_from_env()
    return ask_new_passphrase()


def cmd_recovery_key_new(args) -> int:
    with open_store(create=False) as store:
        kit = store.new_recovery_key()
        store.keep_recovery_key(kit)
    emit(args, {"recovery_key": kit.text, "created": kit.record["created"]},
          [recovery.recovery_sheet(kit, store.home),
           "This is your new recovery key; the one before it no longer works."])
    return 0


def _from_env(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise TrellisError(f"The environment variable {variable} is not set")
    return value


def cmd_settings(args) -> int:
    from ..settings import load_settings, refuse_if_locked, save_settings, with_value
    from ..settings_view import effective_settings
    if args.key is not None:
        if args.value is None:
            raise TrellisError(f"Give a value: trellis settings {args.key} VALUE")
        settings = with_value(load_settings(), args.key, args.value)
        refuse_if_locked(args.key, getattr(settings, args.key))
        save_settings(settings)
    values = effective_settings()
    emit(args, {key: value.as_dict() for key, value in values.items()},
          table([[key, _shown(value.value), _source_words(value)] for key, value in values.items()]))
    return 0


def _shown(value) -> str:
    return "default" if value is None else str(value)


def _source_words(value) -> str:
    words = f"({value.source})"
    if value.locked:
        words += " (locked by your organisation)"
    return words + (f" — {value.note}" if value.note else "")


def cmd_policy(args) -> int:
    policy = policies.current_policy()
    lines = [f"{key} = {_policy_value(policy.values[key])}  ({policy.sources[key]})"
             for key in policies.POLICY_KEYS if key in policy.values]
    lines = lines or ["No policy is set on this computer."]
    lines += [f"problem: {problem}" for problem in policy.problems]
    emit(args, policy.describe(), lines)
    return 0


def _policy_value(value) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- parser ------------------------------------------------------------------

def add_data_commands(sub) -> None:
    """The commands about the data itself: set-up checks, import and export, people and
    notes, backups, keys and recovery, settings and policy."""
    _add_store_commands(sub)
    _add_note_commands(sub)
    _add_safety_commands(sub)


def _add_store_commands(sub) -> None:
    p = sub.add_parser("doctor", help="check the install, keychain, database and models")
    json_flag(p); p.set_defaults(func=cmd_doctor)
    p = sub.add_parser("import", help="import a trellis/v1 file (all or nothing)")
    p.add_argument("file"); json_flag(p); p.set_defaults(func=cmd_import)
    p = sub.add_parser("export", help="export everything as trellis/v1 (FILE or - for stdout)")
    p.add_argument("file"); p.set_defaults(func=cmd_export)
    p = sub.add_parser("people", help="list the team")
    p.add_argument("--all", action="store_true", help="include archived people")
    json_flag(p); p.set_defaults(func=cmd_people)
    p = sub.add_parser("person", help="add a team member").add_subparsers(dest="action", required=True)
    add = p.add_parser("add", help="add a person")
    add.add_argument("name"); add.add_argument("--role"); add.add_argument("--level")
    add.add_argument("--start-date", metavar="YYYY-MM-DD")
    json_flag(add); add.set_defaults(func=cmd_person_add)
    p = sub.add_parser("search", help="full-text search over notes")
    p.add_argument("query"); p.add_argument("--limit", type=int, default=20)
    p.add_argument("--best", action="store_true", help="best matches first (default: newest)")
    json_flag(p); p.set_defaults(func=cmd_search)


def _add_note_commands(sub) -> None:
    p = sub.add_parser("notes", help="a person's notes, newest first")
    p.add_argument("person", help="id or unambiguous name")
    p.add_argument("--limit", type=int, default=200)
    json_flag(p); p.set_defaults(func=cmd_notes)
    note = sub.add_parser("note", help="add, trash or restore a note; include a sentence left out as private").add_subparsers(
        dest="action", required=True)
    add = note.add_parser("add", help="save a note on a person")
    add.add_argument("person", help="id or unambiguous name"); add.add_argument("text")
    add.add_argument("--date", metavar="YYYY-MM-DD", help="default: today")
    add.add_argument("--kind", default="observation", choices=NOTE_KINDS)
    add.add_argument("--competency", action="append", metavar="ID")
    json_flag(add); add.set_defaults(func=cmd_note_add)
    for name, func, text in (("trash", cmd_note_trash, "move a note to the trash"),
                             ("restore", cmd_note_restore, "bring a note back from the trash")):
        p = note.add_parser(name, help=text); p.add_argument("id")
        json_flag(p); p.set_defaults(func=func)
    for name, func, text in (
            ("include", cmd_note_include, "use one sentence Trellis leaves out as private "
             "(health, family …) in drafts, plans and topics, on purpose"),
            ("leave-out", cmd_note_leave_out, "leave such a sentence out again")):
        p = note.add_parser(name, help=text); p.add_argument("id")
        p.add_argument("sentence", type=int, metavar="N",
                       help="the sentence's number in the note (1 is the first), as `trellis "
                            "draft review` lists it")
        json_flag(p); p.set_defaults(func=func)
    p = sub.add_parser("trash", help="notes in the trash")
    json_flag(p); p.set_defaults(func=cmd_trash)


def _add_safety_commands(sub) -> None:
    p = sub.add_parser("backup", help="write a verified, encrypted backup")
    p.add_argument("dir", nargs="?", help="default: backups/ in the data dir")
    json_flag(p); p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="replace the data with a verified backup")
    p.add_argument("file"); json_flag(p); p.set_defaults(func=cmd_restore)
    p = sub.add_parser("passphrase", help="protect the key with a (new) passphrase, "
                                          "or keep it in the OS keychain")
    p.add_argument("action", choices=["set", "keychain"])
    p.add_argument("--from-env", metavar="VARIABLE", help="read the new passphrase from this variable")
    p.set_defaults(func=cmd_passphrase)
    _add_recovery_commands(sub)
    p = sub.add_parser("settings", help="show or change a setting (model, threads, context_cap, "
                                        "idle_lock_minutes)")
    p.add_argument("key", nargs="?"); p.add_argument("value", nargs="?")
    json_flag(p); p.set_defaults(func=cmd_settings)
    p = sub.add_parser("policy", help="the settings your organisation set, and where")
    json_flag(p); p.set_defaults(func=cmd_policy)


def _add_recovery_commands(sub) -> None:
    p = sub.add_parser("recover", help="open the data with your recovery key (new computer, "
                                       "keychain reset, forgotten passphrase)")
    p.add_argument("--key-file", metavar="FILE", help="the recovery key file you saved")
    p.add_argument("--key-from-env", metavar="VARIABLE", help="read the recovery key from this variable")
    p.add_argument("--passphrase-from-env", metavar="VARIABLE",
                   help="protect the key with this new passphrase instead of the keychain")
    json_flag(p); p.set_defaults(func=cmd_recover)
    p = sub.add_parser("recovery-key", help="make a new recovery key (the old one stops working)")
    p.add_argument("action", choices=["new"])
    json_flag(p); p.set_defaults(func=cmd_recovery_key_new)


