"""``trellis frameworks``, ``competencies`` and ``cycles``: the yardstick and the calendar of reviews.

Why this module exists: before drafting reviews a manager (or IT, for a
whole company) imports the competency framework the company grades
against, picks the one in force (or keeps the team's own competencies,
renaming one where needed), and sets up the review cycle with its
period and due date; during the cycle they want to see who is not started,
drafting or final. Parsing is ``app.reviews.frameworks``'s; records and
transactions are the store's; this module only turns arguments into calls
and results into lines or JSON.
"""

from dataclasses import asdict
from pathlib import Path

from .common import emit, json_flag, open_store, table
from ..domain.records import CYCLE_STATUSES, Framework, Person, ReviewCycle
from ..errors import Ambiguous, NotFound
from ..reviews.frameworks import (default_framework, framework_document, framework_in_force,
                                 load_framework)


def add_review_commands(sub) -> None:
    """Add ``frameworks list|show|import|use``, ``competencies list|rename`` and
    ``cycles list|add|status|set``."""
    _add_framework_commands(sub)
    _add_competency_commands(sub)
    _add_cycle_commands(sub)


def _add_framework_commands(sub) -> None:
    frameworks = sub.add_parser("frameworks", help="competency frameworks: list, show, import, use")
    actions = frameworks.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="every framework; * marks the one drafts use")
    json_flag(p); p.set_defaults(func=cmd_frameworks_list)
    p = actions.add_parser("show", help="competencies and what good looks like at each level")
    p.add_argument("framework", nargs="?", metavar="ID", help="id or name (default: the active one)")
    p.add_argument("--level", help="only this level's expectations")
    json_flag(p); p.set_defaults(func=cmd_frameworks_show)
    p = actions.add_parser("import", help="import a framework from .yaml, .yml, .json or .csv")
    p.add_argument("file")
    p.add_argument("--no-activate", action="store_true", help="keep the current active framework")
    json_flag(p); p.set_defaults(func=cmd_frameworks_import)
    p = actions.add_parser("use", help="make a framework the active one")
    p.add_argument("framework", metavar="ID", help="id or name")
    json_flag(p); p.set_defaults(func=cmd_frameworks_use)


def _add_competency_commands(sub) -> None:
    competencies = sub.add_parser("competencies", help="the team's competencies: list, rename")
    actions = competencies.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="every competency; * marks those drafts use")
    json_flag(p); p.set_defaults(func=cmd_competencies_list)
    p = actions.add_parser("rename", help="give a competency a new name; its notes keep it")
    p.add_argument("competency", metavar="ID"); p.add_argument("name", metavar="NAME")
    p.add_argument("--description", help="a new description too")
    json_flag(p); p.set_defaults(func=cmd_competencies_rename)


def _add_cycle_commands(sub) -> None:
    cycles = sub.add_parser("cycles", help="review cycles: list, add, status, set")
    actions = cycles.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="review cycles, newest period first")
    json_flag(p); p.set_defaults(func=cmd_cycles_list)
    p = actions.add_parser("add", help="add a review cycle")
    p.add_argument("name")
    p.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="when reviews are due")
    json_flag(p); p.set_defaults(func=cmd_cycles_add)
    p = actions.add_parser("status", help="each person's status in a cycle")
    p.add_argument("cycle", help="id or name")
    json_flag(p); p.set_defaults(func=cmd_cycles_status)
    p = actions.add_parser("set", help="set a person's status in a cycle")
    p.add_argument("cycle", help="id or name"); p.add_argument("person", help="id or name")
    p.add_argument("status", choices=CYCLE_STATUSES)
    json_flag(p); p.set_defaults(func=cmd_cycles_set)


# --- frameworks --------------------------------------------------------------

def cmd_frameworks_list(args) -> int:
    with open_store() as store:
        listed = _frameworks(store)
        own = len(store.competencies.own())
    data = [{**_summary(framework), "active": active} for framework, active in listed]
    rows = [["*" if active else "", f.id, f.name, ", ".join(f.levels),
             f"{len(f.competencies)} competencies", f.source] for f, active in listed]
    lines = table(rows)
    if not any(active for _, active in listed):
        lines.append(f"No framework is in force: drafts use your team's own {own} competencies "
                     "(`trellis competencies list`)")
    emit(args, data, lines)
    return 0


def cmd_frameworks_show(args) -> int:
    with open_store() as store:
        listed = _frameworks(store)
    active = next((framework for framework, is_active in listed if is_active), None)
    if args.framework is None and active is None:
        raise NotFound("No framework is in force: drafts use your team's own competencies "
                       "(`trellis competencies list`). Name a framework to show one: "
                       + ", ".join(f.id for f, _ in listed))
    framework = _find_framework(listed, args.framework) if args.framework else active
    if args.level is not None and args.level not in framework.levels:
        raise NotFound(f"{framework.name} has no level {args.level!r}; its levels are "
                       f"{', '.join(framework.levels)}")
    emit(args, framework_document(framework),
          _framework_lines(framework, active is not None and framework.id == active.id, args.level))
    return 0


def _framework_lines(framework: Framework, is_active: bool, only_level: str | None) -> list[str]:
    lines = [f"{framework.name} ({framework.id}){', active' if is_active else ''}",
             f"Levels, lowest first: {', '.join(framework.levels)}"]
    width = max(len(level) for level in framework.levels)
    for competency in framework.competencies:
        lines += ["", f"{competency.name} ({competency.id})"]
        if competency.description:
            lines.append(f"  {competency.description}")
        for level, expectation in competency.expectations:
            if only_level in (None, level):
                lines.append(f"  {level.ljust(width)}  {expectation}")
    return lines


def cmd_frameworks_import(args) -> int:
    framework = load_framework(Path(args.file))
    with open_store() as store:
        known = {f.id for f, _ in store.frameworks.list()}
        shared = _shared_competencies(store, framework)
        saved = store.frameworks.save(framework, activate=not args.no_activate)
        is_active = store.frameworks.active() == saved
    verb = "Updated" if saved.id in known else "Imported"
    lines = [f"{verb} {saved.name!r} ({saved.id}): {len(saved.competencies)} competencies "
             f"at levels {', '.join(saved.levels)}"
             + ("; it is the active framework" if is_active else "")]
    for other in dict.fromkeys(name for _, name in shared):
        ids = [cid for cid, name in shared if name == other]
        lines.append(f"Note: {len(ids)} of these competencies ({', '.join(ids)}) are also in "
                     f"{other!r}; their names, descriptions and level expectations there now "
                     "follow this file")
    emit(args, {**_summary(saved), "active": is_active, "updated": saved.id in known,
                 "shared_competencies": [cid for cid, _ in shared]}, lines)
    return 0


def _shared_competencies(store, framework: Framework) -> list[tuple[str, str]]:
    """(competency id, other framework's name) for competencies another framework uses too."""
    ours = {c.id for c in framework.competencies}
    return [(c.id, other.name) for other, _ in store.frameworks.list() if other.id != framework.id
            for c in other.competencies if c.id in ours]


def cmd_frameworks_use(args) -> int:
    with open_store() as store:
        framework = _find_framework(_frameworks(store), args.framework)
        try:
            store.frameworks.activate(framework.id)
        except NotFound:  # the shipped framework, used for the first time
            store.frameworks.save(framework, activate=True)
    emit(args, {**_summary(framework), "active": True},
          [f"{framework.name} ({framework.id}) is now the active framework"])
    return 0


def _frameworks(store) -> list[tuple[Framework, bool]]:
    """Stored frameworks and the shipped one, each with whether drafts use it now.

    Only reads: the shipped framework is saved when ``use`` chooses it, or when a
    draft needs it in a store with no competencies, so listing never adds any.
    """
    stored = [framework for framework, _ in store.frameworks.list()]
    default = default_framework()
    if all(framework.id != default.id for framework in stored):
        stored.append(default)
    in_force = framework_in_force(store)
    return [(framework, in_force is not None and framework.id == in_force.id)
            for framework in stored]


def _find_framework(frameworks: list[tuple[Framework, bool]], reference: str) -> Framework:
    """A framework by id, or by its name ignoring case."""
    listed = [framework for framework, _ in frameworks]
    matches = [f for f in listed if f.id == reference] or \
              [f for f in listed if f.name.casefold() == reference.strip().casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Ambiguous(f"{reference!r} names {len(matches)} frameworks; use the id")
    known = ", ".join(f"{f.id} ({f.name})" for f in listed) or "none yet"
    raise NotFound(f"No framework {reference!r}; the frameworks are: {known}")


def _summary(framework: Framework) -> dict:
    return {"id": framework.id, "name": framework.name, "levels": list(framework.levels),
            "competencies": len(framework.competencies), "source": framework.source}


# --- competencies ------------------------------------------------------------

def cmd_competencies_list(args) -> int:
    with open_store() as store:
        competencies = store.competencies.list()
        counts = store.competencies.note_counts()
        homes = _framework_ids(store)
        used = _in_force_ids(store)
    data = [{"id": c.id, "name": c.name, "description": c.description,
             "notes": counts.get(c.id, 0), "frameworks": homes.get(c.id, []),
             "in_force": c.id in used} for c in competencies]
    rows = [["*" if d["in_force"] else "", d["id"], d["name"], f"{d['notes']} notes",
             ", ".join(d["frameworks"]) or "the team's own"] for d in data]
    emit(args, data, table(rows) or ["No competencies yet."])
    return 0


def _framework_ids(store) -> dict[str, list[str]]:
    homes: dict[str, list[str]] = {}
    for framework, _ in store.frameworks.list():
        for competency in framework.competencies:
            homes.setdefault(competency.id, []).append(framework.id)
    return homes


def _in_force_ids(store) -> set[str]:
    framework = framework_in_force(store)
    listed = framework.competencies if framework is not None else store.competencies.own()
    return {c.id for c in listed}


def cmd_competencies_rename(args) -> int:
    with open_store() as store:
        before = _competency(store, args.competency)
        renamed = store.competencies.rename(args.competency, args.name,
                                            description=args.description)
    emit(args, {"id": renamed.id, "name": renamed.name, "description": renamed.description,
                 "was": before.name},
          [f"{renamed.id} is now called {renamed.name!r} (was {before.name!r}); its notes keep it"])
    return 0


def _competency(store, competency_id: str):
    try:
        return store.competencies.get(competency_id)
    except NotFound as exc:
        raise NotFound(f"{exc}; `trellis competencies list` shows their ids") from None


# --- cycles ------------------------------------------------------------------

def cmd_cycles_list(args) -> int:
    with open_store() as store:
        cycles = [(cycle, _count(_cycle_people(store, cycle))) for cycle in store.review_cycles.list()]
    data = [{**asdict(cycle), "statuses": counts} for cycle, counts in cycles]
    rows = [[cycle.id, cycle.name, f"{cycle.period_start} to {cycle.period_end}",
             f"due {cycle.due}" if cycle.due else "no due date", _counts_text(counts)]
            for cycle, counts in cycles]
    emit(args, data, table(rows) or ["No review cycles yet; add one with `trellis cycles add`."])
    return 0


def cmd_cycles_add(args) -> int:
    with open_store() as store:
        cycle = store.review_cycles.add(name=args.name, period_start=args.start,
                                        period_end=args.end, due=args.due)
    due = f", due {cycle.due}" if cycle.due else ""
    emit(args, asdict(cycle), [f"Added review cycle {cycle.name!r} ({cycle.id}): "
                                f"{cycle.period_start} to {cycle.period_end}{due}"])
    return 0


def cmd_cycles_status(args) -> int:
    with open_store() as store:
        cycle = store.review_cycles.resolve(args.cycle)
        people = _cycle_people(store, cycle)
    data = {"cycle": asdict(cycle),
            "people": [{"id": p.id, "name": p.name, "level": p.level, "status": status}
                       for p, status in people]}
    rows = [[status, p.name, p.id, p.level or ""] for p, status in people]
    lines = [f"{cycle.name}: {cycle.period_start} to {cycle.period_end}"
             + (f", due {cycle.due}" if cycle.due else ""), *table(rows)]
    emit(args, data, lines if rows else [lines[0], "Nobody on the team yet."])
    return 0


def cmd_cycles_set(args) -> int:
    with open_store() as store:
        cycle = store.review_cycles.resolve(args.cycle)
        person = store.people.resolve(args.person)
        store.review_cycles.set_status(cycle.id, person.id, args.status)
    emit(args, {"cycle": cycle.id, "person": person.id, "status": args.status},
          [f"{person.name} is {args.status.replace('_', ' ')} in {cycle.name}"])
    return 0


def _cycle_people(store, cycle: ReviewCycle) -> list[tuple[Person, str]]:
    """Every active person, and anyone archived since who has a status, with that status."""
    recorded = store.review_cycles.statuses(cycle.id)
    everyone = store.people.list(include_archived=True)
    return [(person, recorded.get(person.id, "not_started")) for person in everyone
            if not person.archived or person.id in recorded]


def _count(people: list[tuple[Person, str]]) -> dict[str, int]:
    return {status: sum(1 for _, s in people if s == status) for status in CYCLE_STATUSES}


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items())
