"""Agenda templates: editable files that give a 1:1 its standing points.

Trellis ships four in ``app/agendas/`` (weekly check-in, career
conversation, first 1:1 with a new report, skip-level). A manager or IT
changes one by putting a copy with the same file name in the data dir's
``agendas/`` folder; a new file there adds a template. Each is TOML::

    name = "weekly_check_in"        # must equal the file name
    title = "Weekly check-in"
    version = "1"
    purpose = "…"
    [[items]]
    text = "How are things going, {first_name}?"   # {first_name} and {name} only
    owner = "report"                                # or "manager"

A copy the manager edited is what they expect to get, so a broken one is
never silently replaced by the shipped file: choosing it is an error that
names the file and what is wrong with it.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..domain.records import ACTION_OWNERS, AgendaEntry, Person
from ..errors import InvalidInput, NotFound
from ..paths import data_home

SHIPPED_AGENDAS_DIR = Path(__file__).resolve().parents[1] / "agendas"
DEFAULT_TEMPLATE = "weekly_check_in"
PLACEHOLDERS = ("first_name", "name")
_KEYS = {"name": str, "title": str, "version": str, "purpose": str, "items": list}
_ITEM_KEYS = {"text": str, "owner": str}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class AgendaTemplate:
    name: str
    title: str
    version: str
    purpose: str
    items: tuple[tuple[str, str], ...]     # (text, owner)
    source: Path
    origin: str                            # "shipped" or "user"

    def entries(self, person: Person) -> list[AgendaEntry]:
        """The template's points for a 1:1 with ``person``."""
        values = {"name": person.name, "first_name": person.name.split()[0]}
        return [AgendaEntry(_PLACEHOLDER.sub(lambda m: values[m.group(1)], text), owner, "template")
                for text, owner in self.items]


@dataclass(frozen=True)
class ListedAgendaTemplate:
    name: str
    origin: str
    source: Path
    title: str | None           # None when the file could not be read
    error: str | None = None


def _fail(path: Path, problem: str):
    raise InvalidInput(f"Agenda template {path}: {problem}")


def load_agenda_template(path: Path, *, origin: str = "shipped") -> AgendaTemplate:
    """Read and check one template file; every problem names the file."""
    front = _read_toml(path)
    _check_keys(front, _KEYS, path, "")
    if front["name"] != path.stem:
        _fail(path, f"name {front['name']!r} does not match the file name {path.stem!r}")
    for key in ("name", "title", "version"):
        if not front[key].strip():
            _fail(path, f"{key} must not be empty")
    if not front["items"]:
        _fail(path, "has no [[items]]; a template needs at least one agenda point")
    items = tuple(_check_item(item, index, path) for index, item in enumerate(front["items"], 1))
    return AgendaTemplate(front["name"], front["title"].strip(), front["version"],
                          front["purpose"].strip(), items, path, origin)


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _fail(path, "is not UTF-8 text")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _fail(path, f"is not valid TOML: {exc}")


def _check_keys(table: dict, allowed: dict, path: Path, where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        _fail(path, f"{where}unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    missing = [key for key in allowed if key not in table]
    if missing:
        _fail(path, f"{where}missing key(s) {', '.join(missing)}")
    for key, kind in allowed.items():
        if not isinstance(table[key], kind):
            _fail(path, f"{where}{key} must be a {'list' if kind is list else 'string'}")


def _check_item(item: object, index: int, path: Path) -> tuple[str, str]:
    where = f"item {index}: "
    if not isinstance(item, dict):
        _fail(path, f"{where}must be a table with text and owner ([[items]])")
    _check_keys(item, _ITEM_KEYS, path, where)
    if not item["text"].strip():
        _fail(path, f"{where}text must not be empty")
    if item["owner"] not in ACTION_OWNERS:
        _fail(path, f"{where}owner {item['owner']!r} is not one of: {', '.join(ACTION_OWNERS)}")
    unknown = [p for p in _PLACEHOLDER.findall(item["text"]) if p not in PLACEHOLDERS]
    if unknown:
        _fail(path, f"{where}uses {{{unknown[0]}}}; the text may use only "
                    + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS))
    return item["text"].strip(), item["owner"]


class AgendaTemplates:
    """The templates in effect: the shipped ones, each replaced by a user copy of the same name."""

    def __init__(self, shipped_dir: Path = SHIPPED_AGENDAS_DIR, user_dir: Path | None = None):
        self._shipped_dir = Path(shipped_dir)
        self._user_dir = Path(user_dir) if user_dir is not None else data_home() / "agendas"

    def _files(self) -> dict[str, tuple[Path, str]]:
        found = {p.stem: (p, "shipped") for p in _toml_files(self._shipped_dir)}
        found.update({p.stem: (p, "user") for p in _toml_files(self._user_dir)})
        return found

    def names(self) -> list[str]:
        return sorted(self._files())

    def get(self, name: str) -> AgendaTemplate:
        """The template in effect under ``name``; a broken user copy is an error naming the file."""
        files = self._files()
        if name not in files:
            raise NotFound(f"No agenda template named {name!r} (known: {', '.join(sorted(files))})")
        path, origin = files[name]
        return load_agenda_template(path, origin=origin)

    def list(self) -> list[ListedAgendaTemplate]:
        """Every template in effect, with the problem of any that cannot be used."""
        listed = []
        for name, (path, origin) in sorted(self._files().items()):
            try:
                listed.append(ListedAgendaTemplate(name, origin, path, self.get(name).title))
            except (InvalidInput, OSError) as exc:
                listed.append(ListedAgendaTemplate(name, origin, path, None, str(exc)))
        return listed


def _toml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.toml") if p.is_file() and not p.name.startswith("."))
