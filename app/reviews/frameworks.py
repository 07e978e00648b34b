"""Competency frameworks from a manager's own files, and the one Trellis ships.

Why this module exists: a review is only as fair as the yardstick it is
measured against. Companies keep their career ladders in spreadsheets and
wiki pages; this module reads them from YAML, JSON or CSV into a
``Framework`` (levels, lowest first; competencies, each with what good looks
like at each level), refusing anything it cannot read with a message that
names the file, the line or row, and the field. Storing is the store's job
(``store.frameworks.save`` is one transaction, so a refused file changes
nothing). ``competencies_in_force`` says which competencies a draft uses:
the team's own unless the manager chose a framework, and the shipped one
only in a store that has none (docs/frameworks.md).

YAML and JSON carry the same document::

    name: Platform engineering        # required
    id: f-platform                    # optional; default "f-" + a slug of the name
    levels: [L1, L2, L3]              # required, lowest first, each once
    competencies:                     # required, at least one
      - id: c-delivery                # optional; default "c-" + a slug of the name
        name: Delivery                # required, unique (ignoring case)
        description: Ships what was agreed, flags risk early   # optional
        levels:                       # optional: level -> what good looks like
          L1: Finishes well-scoped tasks ...
          L2: ...

CSV comes in two shapes, told apart by the header (column names ignore case):

* long, one row per competency and level:
  ``competency,description,level,expectation`` (plus an optional ``id``);
  levels are ordered as they first appear;
* wide, one row per competency: ``competency,description,L1,L2,L3`` (plus an
  optional ``id``); every other column is a level, in column order, and an
  empty cell means no expectation at that level.

A CSV file has no room for the framework's name, so it is taken from the
file name (``platform-ladder.csv`` -> "Platform ladder"). Ids are kept when
given; a derived id depends only on the name, so importing an edited file
again updates the framework in place and notes keep their competency tags.
Files over 2 MB are refused; a UTF-8 byte-order mark is ignored.
"""

import csv
import functools
import hashlib
import io
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import yaml

from ..domain.records import Competency, Framework, FrameworkCompetency, Person
from .. import strict_json
from ..errors import InvalidInput, NotFound

MAX_FILE_BYTES = 2 * 1024 * 1024
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
DEFAULT_FILE = "default_framework.yaml"

_FRAMEWORK_KEYS = ("name", "id", "levels", "competencies")
_COMPETENCY_KEYS = ("id", "name", "description", "levels")
_CSV_FIXED = ("id", "competency", "description")
_CSV_LONG = ("level", "expectation")


class _Located(dict):
    """A mapping that remembers where in the file it was written."""

    def __init__(self, *, line: int | None = None, row: int | None = None):
        super().__init__()
        self.line, self.row = line, row
        self.lines: dict = {}


# --- reading files -----------------------------------------------------------

def load_framework(path: Path) -> Framework:
    """Read a framework from a .yaml, .yml, .json or .csv file."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(f"{path.name}: a framework file must end in .yaml, .yml, .json or "
                           f".csv, not {path.suffix or 'no extension'!r}")
    if not path.is_file():
        raise NotFound(f"There is no framework file {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path.name}: {path.stat().st_size:,} bytes is too large for a "
                           f"framework file (the limit is {MAX_FILE_BYTES // 2**20} MB)")
    return parse_framework(_decode(path.read_bytes(), path.name), fmt=fmt, source=path.name)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: not UTF-8 text (byte {exc.start}); save the file as "
                           "UTF-8 and import it again") from None


def parse_framework(text: str, *, fmt: str, source: str) -> Framework:
    """A framework from the text of a file in ``fmt`` (yaml, json or csv).

    ``source`` names the file in error messages and is kept with the framework.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise InvalidInput(f"{source}: too large for a framework file "
                           f"(the limit is {MAX_FILE_BYTES // 2**20} MB)")
    text = text.removeprefix("\ufeff")
    readers = {"yaml": _read_yaml, "json": _read_json, "csv": _read_csv}
    if fmt not in readers:
        raise InvalidInput(f"{source}: unknown framework format {fmt!r}; use yaml, json or csv")
    try:
        return _framework(readers[fmt](text, source), source)
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {exc}") from None


def _read_yaml(text: str, source: str) -> object:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInput(f"not valid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise InvalidInput("nested too deeply to be a framework") from None


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line numbers and refusing repeated keys and aliases."""

    def compose_node(self, parent, index):
        # A framework never needs an alias (*name), and nested aliases are how a small
        # file expands to billions of values ("billion laughs"): refused where they start.
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a framework file; write the "
                "value out", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Located:
    loader.flatten_mapping(node)
    mapping = _Located(line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise InvalidInput(f"line {line}: a key must be a plain word, not a list or mapping")
        if key in mapping:
            raise InvalidInput(f"line {line}: the key {key!r} appears twice in one mapping")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = value_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_json(text: str, source: str) -> object:
    return strict_json.loads(text, what="a framework")


# --- CSV -------------------------------------------------------------------------

def _read_csv(text: str, source: str) -> dict:
    rows = _csv_rows(text)
    if not rows:
        raise InvalidInput("the file is empty: a framework needs a header row and competencies")
    header_row, header = rows[0]
    columns = _csv_header(header, header_row)
    long_form = all(name in columns for name in _CSV_LONG)
    body = [(number, _csv_record(cells, columns, number)) for number, cells in rows[1:]]
    if not body:
        raise InvalidInput(f"row {header_row}: only a header; the framework has no competencies")
    read = _csv_long if long_form else _csv_wide
    named = _CSV_FIXED + (_CSV_LONG if long_form else ())
    levels, competencies = read(body, [column for column in columns if column not in named])
    return {"name": _name_from_file(source), "levels": levels, "competencies": competencies}


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their row numbers (the header is row 1 if it comes first)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        for number, cells in enumerate(reader, 1):
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        raise InvalidInput(f"row {reader.line_num}: not valid CSV: {exc}") from None
    return rows


def _csv_header(header: list[str], row: int) -> list[str]:
    columns = [cell.strip().lower() if cell.strip().lower() in _CSV_FIXED + _CSV_LONG
               else cell.strip() for cell in header]
    for index, column in enumerate(columns, 1):
        if not column:
            raise InvalidInput(f"row {row}, column {index}: the header cell is empty")
        if column in columns[:index - 1]:
            raise InvalidInput(f"row {row}: the header has the column {column!r} twice")
    if "competency" not in columns:
        raise InvalidInput(f"row {row}: the header needs a 'competency' column "
                           f"(it has {', '.join(columns)})")
    return columns


def _csv_record(cells: list[str], columns: list[str], row: int) -> dict:
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns):]):
        raise InvalidInput(f"row {row}: {len(cells)} cells but the header names "
                           f"{len(columns)} columns")
    return {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(columns)}


def _csv_wide(body, level_columns: list[str]) -> tuple[list[str], list[dict]]:
    if not level_columns:
        raise InvalidInput("row 1: the header names no levels; add a column per level "
                           "(competency,description,L1,L2,...) or use level,expectation columns")
    competencies = []
    for row, record in body:
        located = _Located(row=row)
        located.update(_csv_identity(record))
        located["levels"] = {level: record[level] for level in level_columns if record[level]}
        competencies.append(located)
    return level_columns, competencies


def _csv_long(body, extra_columns: list[str]) -> tuple[list[str], list[dict]]:
    if extra_columns:
        raise InvalidInput(f"row 1: unknown column {extra_columns[0]!r}; the columns are "
                           "id, competency, description, level and expectation")
    levels: list[str] = []
    by_name: dict[str, _Located] = {}
    for row, record in body:
        competency = _csv_long_competency(by_name, record, row)
        level = _csv_long_level(competency, record, row)
        if level not in levels:
            levels.append(level)
    return levels, list(by_name.values())


def _csv_long_competency(by_name: dict, record: dict, row: int) -> _Located:
    """The competency this row is about, created on its first row."""
    key = " ".join(record["competency"].split()).casefold()
    competency = by_name.get(key) if key else None
    if competency is None:
        competency = _Located(row=row)
        competency.update(_csv_identity(record))
        competency["levels"] = {}
        by_name[key or f"row {row}"] = competency
    for column in ("id", "description"):
        given, kept = record.get(column, ""), competency.get(column, "")
        if given and kept and given != kept:
            raise InvalidInput(f"row {row}, column {column!r}: {given!r} differs from "
                               f"{kept!r} given for {competency['name']!r} on row {competency.row}")
        if given and not kept:
            competency[column] = given
    return competency


def _csv_long_level(competency: _Located, record: dict, row: int) -> str:
    level, expectation = record["level"], record["expectation"]
    if not level:
        raise InvalidInput(f"row {row}, column 'level': empty; name the level this "
                           "expectation is for")
    if not expectation:
        raise InvalidInput(f"row {row}, column 'expectation': empty; say what good looks "
                           f"like at {level}, or leave the row out")
    if level in competency["levels"]:
        raise InvalidInput(f"row {row}: {competency['name']!r} has a second expectation "
                           f"for level {level!r}")
    competency["levels"][level] = expectation
    return level


def _csv_identity(record: dict) -> dict:
    identity = {"name": record["competency"]}
    for column in ("id", "description"):
        if record.get(column):
            identity[column] = record[column]
    return identity


def _name_from_file(source: str) -> str:
    words = " ".join(re.split(r"[-_\s]+", Path(source).stem)).strip()
    if not words:
        raise InvalidInput("the file name gives the framework its name; rename the file")
    return words[0].upper() + words[1:]


# --- checking the document ---------------------------------------------------

def _framework(document: object, source: str) -> Framework:
    if document is None or document == {}:
        raise InvalidInput("the file is empty: a framework needs a name, levels and competencies")
    if not isinstance(document, dict):
        raise InvalidInput(f"expected a mapping with {', '.join(_FRAMEWORK_KEYS)}, "
                           f"got {_kind(document)}")
    _no_unknown_keys(document, _FRAMEWORK_KEYS, "")
    name = _required_text(document, "name", "")
    framework_id = _optional_text(document, "id", "") or "f-" + _slug(name)
    levels = _levels(document)
    competencies = _competencies(document, levels)
    return Framework(framework_id, name, levels, competencies, source)


def _levels(document: dict) -> tuple[str, ...]:
    levels = document.get("levels")
    where = _where(document, "", "levels")
    if levels is None:
        raise InvalidInput(f"{where}: missing; list the levels, lowest first")
    if not isinstance(levels, list) or not levels:
        raise InvalidInput(f"{where}: expected a list of level names, lowest first, "
                           f"got {_kind(levels)}")
    for index, level in enumerate(levels):
        level_where = _where(document, f"levels[{index}]", line_of="levels")
        _check_text(level, level_where)
        if level.strip() in [str(other).strip() for other in levels[:index]]:
            raise InvalidInput(f"{level_where}: the level {level!r} is listed twice")
    return tuple(level.strip() for level in levels)


def _competencies(document: dict, levels: tuple[str, ...]) -> tuple[FrameworkCompetency, ...]:
    items = document.get("competencies")
    where = _where(document, "", "competencies")
    if items is None or items == []:
        raise InvalidInput(f"{where}: the framework has no competencies")
    if not isinstance(items, list):
        raise InvalidInput(f"{where}: expected a list of competencies, got {_kind(items)}")
    competencies = [_competency(item, f"competencies[{index}]", levels)
                    for index, item in enumerate(items)]
    _no_duplicates(items, competencies)
    return tuple(competencies)


def _competency(item: object, path: str, levels: tuple[str, ...]) -> FrameworkCompetency:
    if not isinstance(item, dict):
        raise InvalidInput(f"{_where(item, path)}: expected a competency with a name, "
                           f"got {_kind(item)}")
    _no_unknown_keys(item, _COMPETENCY_KEYS, path)
    name = " ".join(_required_text(item, "name", path).split())
    competency_id = _optional_text(item, "id", path) or "c-" + _slug(name)
    description = _optional_text(item, "description", path, may_be_empty=True) or ""
    expectations = _expectations(item, path, levels)
    return FrameworkCompetency(competency_id, name, description, expectations)


def _expectations(item: dict, path: str, levels: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    given = item.get("levels")
    if given is None:
        return ()
    where = _where(item, path, "levels")
    if not isinstance(given, dict):
        raise InvalidInput(f"{where}: expected level: expectation pairs, got {_kind(given)}")
    for level, expectation in given.items():
        level_where = f"{_where(given, path + '.levels', level)}"
        _check_text(level, level_where)
        if level.strip() not in levels:
            raise InvalidInput(f"{level_where}: {level!r} is not one of the framework's "
                               f"levels ({', '.join(levels)})")
        _check_text(expectation, level_where)
    stripped = {str(level).strip(): text.strip() for level, text in given.items()}
    return tuple((level, stripped[level]) for level in levels if level in stripped)


def _no_duplicates(items: list, competencies: list[FrameworkCompetency]) -> None:
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for index, (item, competency) in enumerate(zip(items, competencies)):
        path, name = f"competencies[{index}]", competency.name.casefold()
        if name in seen_names:
            raise InvalidInput(f"{_where(item, path, 'name')}: {competency.name!r} is listed twice "
                               f"(also {_place(items, seen_names[name])})")
        if competency.id in seen_ids:
            hint = "" if "id" in item else " (give this competency an id)"
            raise InvalidInput(f"{_where(item, path, 'id')}: the id {competency.id!r} is also used "
                               f"{_place(items, seen_ids[competency.id])}; ids must be unique{hint}")
        seen_ids[competency.id], seen_names[name] = index, index


def _place(items: list, index: int) -> str:
    item = items[index]
    if getattr(item, "row", None):
        return f"on row {item.row}"
    if getattr(item, "line", None):
        return f"at line {item.line}"
    return f"in competencies[{index}]"


# --- small checks and messages -----------------------------------------------

def _no_unknown_keys(mapping: dict, allowed: tuple[str, ...], path: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise InvalidInput(f"{_where(mapping, path, key)}: unknown field {key!r}; "
                               f"expected {', '.join(allowed)}")


def _required_text(mapping: dict, key: str, path: str) -> str:
    value = mapping.get(key)
    where = _where(mapping, path, key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"{where}: missing; every {'competency' if path else 'framework'} "
                           "needs a name")
    _check_text(value, where)
    return value.strip()


def _optional_text(mapping: dict, key: str, path: str, *, may_be_empty: bool = False) -> str | None:
    value = mapping.get(key)
    if value is None or (may_be_empty and isinstance(value, str) and not value.strip()):
        return None
    _check_text(value, _where(mapping, path, key))
    return value.strip()


def _check_text(value: object, where: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: expected text, got {_kind(value)} {value!r}"
                           " (write it as text, in quotes)")
    if not value.strip():
        raise InvalidInput(f"{where}: empty")


def _where(mapping: object, path: str, key: object = None, *, line_of: object = None) -> str:
    """'row 4, column 'competency'' / 'line 12, competencies[1], field 'name'' / a JSON path."""
    row, line = getattr(mapping, "row", None), getattr(mapping, "line", None)
    if row is not None:
        column = {"name": "competency", "levels": "level"}.get(key, key)
        return f"row {row}" + (f", column {column!r}" if column is not None else "")
    parts = []
    if line is not None:
        parts.append(f"line {mapping.lines.get(line_of or key, line)}")
    if path:
        parts.append(path)
    if key is not None:
        parts.append(f"field {key!r}")
    return ", ".join(parts)


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
             int: "a number", float: "a number", type(None): "nothing"}
    return next((name for kind, name in names.items() if isinstance(value, kind)),
                type(value).__name__)


def _slug(name: str) -> str:
    """A stable id part for a name: ascii words joined by hyphens, or a short hash."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:48].strip("-")
    return slug or hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


# --- the shipped framework and the one in force --------------------------------

@functools.cache
def default_framework() -> Framework:
    """The engineering framework Trellis ships, with its AI-capability competencies."""
    text = resources.files(__package__).joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return parse_framework(text, fmt="yaml", source=DEFAULT_FILE)


class InForce(NamedTuple):
    """The yardstick drafts use: a framework (None: the team's own competencies) and its competencies."""

    framework: Framework | None
    competencies: tuple[Competency, ...]


def framework_in_force(store) -> Framework | None:
    """The framework drafts use, saving nothing; None when the team's own competencies are used.

    A framework the manager chose and activated; else, when the store has
    competencies of its own, none; else the active framework Trellis applied,
    or the shipped one (not yet saved).
    """
    chosen = store.frameworks.chosen_active()
    if chosen is not None:
        return chosen
    if store.competencies.own():
        return None
    return store.frameworks.active() or default_framework()


def competencies_in_force(store, person: Person | None = None) -> InForce:
    """The competencies drafts hold ``person`` (or the whole team) against.

    Reading never renames or adds a competency the team has: only a store
    with no competencies of its own gets the shipped framework, saved and
    activated as applied by Trellis, not chosen. A person at one of the
    framework's levels is not held against a competency that has level
    expectations but none at theirs.
    """
    framework = framework_in_force(store)
    if framework is None:
        return InForce(None, tuple(store.competencies.own()))
    if store.frameworks.active() is None:
        framework = _apply_shipped(store)
    return InForce(framework, tuple(Competency(c.id, c.name, c.description)
                                    for c in framework.competencies if _applies(c, framework, person)))


def _apply_shipped(store) -> Framework:
    shipped = default_framework()
    try:
        store.frameworks.activate(shipped.id, chosen=False)
    except NotFound:
        return store.frameworks.save(shipped, activate=True, chosen=False)
    return store.frameworks.get(shipped.id)


def _applies(competency: FrameworkCompetency, framework: Framework, person: Person | None) -> bool:
    level = person.level if person is not None else None
    if level not in framework.levels or not competency.expectations:
        return True
    return competency.expectation(level) is not None


def framework_document(framework: Framework) -> dict:
    """The framework in the YAML/JSON import shape, so it can be edited and imported again."""
    return {
        "name": framework.name, "id": framework.id, "levels": list(framework.levels),
        "competencies": [
            {"id": c.id, "name": c.name, **({"description": c.description} if c.description else {}),
             "levels": dict(c.expectations)} for c in framework.competencies],
    }
