"""Prompt templates: files of data, checked strictly, rendered in a sandbox.

The words the app sends to the model live in ``prompts/NAME.md`` rather
than in code, so they can be reviewed, versioned and — by a user or IT —
replaced with a copy in the data dir's ``prompts/`` folder. Each file has
TOML front matter between ``+++`` lines and a Jinja2 body::

    +++
    name = "agenda_topic"          # must equal the file name
    version = "1"                  # stored with every draft
    purpose = "…"
    inputs = ["person", "note"]    # exactly the variables the text uses
    system = "…"                   # optional system message (Jinja2 too)
    [output_schema]                # optional JSON Schema for the reply
    [enum_from]                    # optional: schema pointer = input whose ids
    +++                            #   become that string's enum at render time
    …body: the user message…

Templates are loaded once and checked then, so a typo fails when the app
starts, not halfway through drafting a review. A user's copy that is
broken, or that asks for other inputs or answers in another shape than
the shipped one, is reported and the shipped template stays in effect.

Rendering uses Jinja2's immutable sandbox with ``StrictUndefined``: a
template cannot reach Python internals, and a missing input is an error
that names it. Every printed value has its control tokens and fence
markers neutralised (see ``fencing``); notes go through ``| fence``.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import InvalidInput, NotFound
from ..paths import data_home
from .engine import ChatMessage
from .fencing import FencedText, fence, neutralise_control_tokens, neutralise_fence_markers

SHIPPED_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
FRONT_MATTER_LINE = "+++"
REQUIRED_KEYS = {"name": str, "version": str, "purpose": str, "inputs": list}
OPTIONAL_KEYS = {"system": str, "output_schema": dict, "enum_from": dict}
SHIPPED, USER = "shipped", "user"

# The JSON Schema words an output schema may use, with what each takes.
# Unknown words are refused so that a typo ("maxlength") is not silently
# ignored by the grammar converter.
SCHEMA_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_WORDS = ("title", "description", "pattern", "format")
_SCHEMA_KEYWORDS = {"type", "properties", "required", "items", "additionalProperties", "enum",
                    "const", "default", "examples", "uniqueItems", "anyOf", "oneOf", "allOf",
                    *_COUNTS, *_BOUNDS, *_WORDS}


@dataclass(frozen=True)
class PromptTemplate:
    """One template file, checked. ``origin`` is "shipped" or "user"."""

    name: str
    version: str
    purpose: str
    inputs: tuple[str, ...]
    output_schema: dict | None
    source: Path
    origin: str
    system: str | None = None
    body: str = field(default="", repr=False)
    enum_from: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedPrompt:
    """A template filled in: the messages to send and what to store with the draft."""

    template: str
    version: str
    origin: str
    system: str | None
    user: str
    output_schema: dict | None

    @property
    def messages(self) -> tuple[ChatMessage, ...]:
        system = (ChatMessage("system", self.system),) if self.system else ()
        return (*system, ChatMessage("user", self.user))


@dataclass(frozen=True)
class ListedTemplate:
    """One template file as ``PromptLibrary.list`` reports it."""

    name: str
    origin: str
    source: Path
    version: str | None    # None when the file could not be read
    in_effect: bool
    error: str | None = None


def _safe_value(value: object) -> object:
    """Jinja2 ``finalize``: whatever a template prints from its inputs is data."""
    if isinstance(value, FencedText):
        return value
    return neutralise_fence_markers(neutralise_control_tokens(str(value)))


def prompt_environment() -> ImmutableSandboxedEnvironment:
    """The sandbox every prompt template is parsed and rendered in."""
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True, finalize=_safe_value)
    env.filters["fence"] = fence
    return env


class PromptLibrary:
    """The templates in effect: the shipped ones, each replaced by a valid user copy."""

    def __init__(self, shipped_dir: Path = SHIPPED_PROMPTS_DIR, user_dir: Path | None = None):
        self._env = prompt_environment()
        self._shipped_dir = Path(shipped_dir)
        self._user_dir = Path(user_dir) if user_dir is not None else data_home() / "prompts"
        self._shipped = {t.name: t for t in map(self._load_shipped, _template_files(self._shipped_dir))}
        self._user: dict[str, PromptTemplate] = {}
        self._broken: dict[Path, str] = {}
        for path in _template_files(self._user_dir):
            self._load_user(path)
        self._compiled = {name: self._compile(t) for name, t in self._in_effect().items()}

    def names(self) -> list[str]:
        return sorted(self._compiled)

    def get(self, template_name: str) -> PromptTemplate:
        """The template in effect under this name."""
        if template_name not in self._compiled:
            known = ", ".join(self.names()) or "none"
            raise NotFound(f"No prompt template named {template_name!r} (known: {known})")
        return self._in_effect()[template_name]

    def render(self, template_name: str, /, **inputs: object) -> RenderedPrompt:
        """Fill in a template; every declared input must be given, and nothing else."""
        template = self.get(template_name)
        _check_given(template, inputs)
        system, body = self._compiled[template_name]
        where = f"Prompt template {template.name!r} ({template.source})"
        return RenderedPrompt(
            template=template.name, version=template.version, origin=template.origin,
            system=_render(system, inputs, where) if system else None,
            user=_render(body, inputs, where),
            output_schema=_schema_for(template, inputs))

    def list(self) -> list[ListedTemplate]:
        """Every template file, shipped and user, with its version and whether it is in effect."""
        in_effect = self._in_effect()
        listed = [ListedTemplate(t.name, t.origin, t.source, t.version, in_effect.get(t.name) is t)
                  for t in [*self._shipped.values(), *self._user.values()]]
        listed += [ListedTemplate(path.stem, USER, path, _version_or_none(path), False, error)
                   for path, error in self._broken.items()]
        return sorted(listed, key=lambda item: (item.name, item.origin != SHIPPED))

    def _in_effect(self) -> dict[str, PromptTemplate]:
        return {**self._shipped, **self._user}

    def _load_shipped(self, path: Path) -> PromptTemplate:
        return load_template(path, origin=SHIPPED, env=self._env)

    def _load_user(self, path: Path) -> None:
        """Load a user's template; a broken one is recorded, never raised."""
        try:
            template = load_template(path, origin=USER, env=self._env)
            _check_override(template, self._shipped.get(template.name))
        except (InvalidInput, OSError) as exc:
            self._broken[path] = str(exc)
            return
        self._user[template.name] = template

    def _compile(self, template: PromptTemplate):
        system = self._env.from_string(template.system) if template.system else None
        return system, self._env.from_string(template.body)


def load_template(path: Path, *, origin: str = SHIPPED,
                  env: ImmutableSandboxedEnvironment | None = None) -> PromptTemplate:
    """Read and check one template file; every problem is an ``InvalidInput`` naming the file."""
    env = env or prompt_environment()
    front, body = _split_front_matter(path)
    _check_keys(front, path)
    if front["name"] != path.stem:
        _fail(path, f"name {front['name']!r} does not match the file name {path.stem!r}")
    inputs = _check_inputs(front["inputs"], path)
    system = front.get("system")
    _check_variables(env, path, inputs, body, system)
    schema = front.get("output_schema")
    if schema is not None:
        _check_schema(schema, path)
    enum_from = _check_enum_from(front.get("enum_from", {}), schema, inputs, path)
    return PromptTemplate(
        name=front["name"], version=front["version"], purpose=front["purpose"].strip(),
        inputs=inputs, output_schema=schema, source=path, origin=origin,
        system=system.strip() if system else None, body=body, enum_from=enum_from)


def _template_files(directory: Path) -> list[Path]:
    """``*.md`` files in ``directory``, except its README."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.md")
                  if p.is_file() and p.stem.lower() != "readme" and not p.name.startswith("."))


def _fail(path: Path, problem: str):
    raise InvalidInput(f"Prompt template {path}: {problem}")


def _split_front_matter(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8-sig")   # a BOM from Notepad is fine
    except UnicodeDecodeError:
        _fail(path, "is not UTF-8 text")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_LINE:
        _fail(path, f"must start with a {FRONT_MATTER_LINE!r} line opening the front matter")
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER_LINE), None)
    if closing is None:
        _fail(path, f"the front matter is never closed by a second {FRONT_MATTER_LINE!r} line")
    try:
        front = tomllib.loads("".join(lines[1:closing]))
    except tomllib.TOMLDecodeError as exc:
        _fail(path, f"the front matter is not valid TOML: {exc}")
    return front, "".join(lines[closing + 1:]).lstrip("\n")


def _check_keys(front: dict, path: Path) -> None:
    allowed = {**REQUIRED_KEYS, **OPTIONAL_KEYS}
    unknown = sorted(set(front) - set(allowed))
    if unknown:
        _fail(path, f"unknown front-matter key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    missing = [key for key in REQUIRED_KEYS if key not in front]
    if missing:
        _fail(path, f"missing front-matter key(s) {', '.join(missing)}")
    for key, expected in allowed.items():
        if key in front and not isinstance(front[key], expected):
            _fail(path, f"{key} must be a {_toml_type(expected)}, got {_toml_type(type(front[key]))}")
    for key in ("name", "version", "purpose"):
        if not front[key].strip():
            _fail(path, f"{key} must not be empty")


def _toml_type(kind: type) -> str:
    return {str: "string", list: "list", dict: "table", int: "integer", float: "number",
            bool: "boolean"}.get(kind, kind.__name__)


def _check_inputs(inputs: list, path: Path) -> tuple[str, ...]:
    for name in inputs:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            _fail(path, f"inputs must be variable names like 'notes', got {name!r}")
    if len(set(inputs)) != len(inputs):
        _fail(path, "inputs lists a name twice")
    return tuple(inputs)


def _check_variables(env, path: Path, inputs: tuple[str, ...], body: str, system: str | None) -> None:
    """The text must use exactly the declared inputs: no more (a typo), no fewer (a stale list)."""
    if not body.strip():
        _fail(path, "has no template text after the front matter")
    used = _variables(env, body, path, "the body") | _variables(env, system or "", path, "system")
    undeclared = sorted(used - set(inputs) - set(env.globals))
    if undeclared:
        _fail(path, f"uses {', '.join(undeclared)}, not declared in inputs {list(inputs)}")
    unused = [name for name in inputs if name not in used]
    if unused:
        _fail(path, f"declares input(s) {', '.join(unused)} that the text never uses")


def _variables(env, source: str, path: Path, part: str) -> set[str]:
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        _fail(path, f"{part} is not a valid Jinja2 template (line {exc.lineno}): {exc.message}")
    return meta.find_undeclared_variables(tree)


def _check_schema(schema: dict, path: Path) -> None:
    problems = check_output_schema(schema)
    if problems:
        _fail(path, "output_schema is not a JSON Schema: " + "; ".join(problems))


def _check_enum_from(enum_from: dict, schema: dict | None, inputs: tuple[str, ...],
                     path: Path) -> dict[str, str]:
    """``enum_from`` points at string schemas whose choices come from an input's ids."""
    if enum_from and schema is None:
        _fail(path, "enum_from needs an output_schema to point into")
    for pointer, input_name in enum_from.items():
        target = resolve_pointer(schema, pointer)
        if not isinstance(target, dict) or target.get("type") != "string":
            _fail(path, f"enum_from {pointer!r} does not point at a string schema in output_schema")
        if input_name not in inputs:
            _fail(path, f"enum_from {pointer!r} names {input_name!r}, which is not in inputs")
    return dict(enum_from)


def _check_override(template: PromptTemplate, shipped: PromptTemplate | None) -> None:
    """A user's copy may reword a shipped template, not change what the app gives or reads."""
    if shipped is None:
        return
    if set(template.inputs) != set(shipped.inputs):
        _fail(template.source, f"takes inputs {sorted(template.inputs)} but the app gives "
                               f"{shipped.name!r} {sorted(shipped.inputs)}")
    if (template.output_schema, template.enum_from) != (shipped.output_schema, shipped.enum_from):
        _fail(template.source, f"changes the output_schema or enum_from of {shipped.name!r}; "
                               "the app reads the reply in the shipped shape")


def _version_or_none(path: Path) -> str | None:
    try:
        version = _split_front_matter(path)[0].get("version")
    except (InvalidInput, OSError):
        return None
    return version if isinstance(version, str) else None


def _check_given(template: PromptTemplate, inputs: dict) -> None:
    where = f"Prompt template {template.name!r}"
    missing = [name for name in template.inputs if name not in inputs]
    if missing:
        raise InvalidInput(f"{where} needs input(s) {', '.join(missing)}, which were not given")
    extra = sorted(set(inputs) - set(template.inputs))
    if extra:
        raise InvalidInput(f"{where} does not take input(s) {', '.join(extra)} "
                           f"(it takes {', '.join(template.inputs)})")


def _render(compiled, inputs: dict, where: str) -> str:
    try:
        return compiled.render(**inputs)
    except SecurityError as exc:
        raise InvalidInput(f"{where} tried something the sandbox forbids: {exc}") from None
    except UndefinedError as exc:
        raise InvalidInput(f"{where} could not be filled in: {exc}") from None
    except TemplateError as exc:
        raise InvalidInput(f"{where} failed: {exc}") from None


def _schema_for(template: PromptTemplate, inputs: dict) -> dict | None:
    """The output schema with each ``enum_from`` choice list filled from the inputs."""
    if template.output_schema is None:
        return None
    schema = copy.deepcopy(template.output_schema)
    for pointer, input_name in template.enum_from.items():
        choices = _ids_of(inputs[input_name], template.name, input_name)
        resolve_pointer(schema, pointer)["enum"] = choices
    return schema


def _ids_of(values: object, template_name: str, input_name: str) -> list[str]:
    """Ids from a list of strings, of mappings with "id", or of records with ``.id``."""
    ids = []
    for value in values if isinstance(values, (list, tuple)) else [values]:
        ident = value if isinstance(value, str) else (
            value.get("id") if isinstance(value, Mapping) else getattr(value, "id", None))
        if not isinstance(ident, str) or not ident:
            raise InvalidInput(f"Prompt template {template_name!r}: every item of input "
                               f"{input_name!r} needs a string id, got {value!r}")
        if ident not in ids:
            ids.append(ident)
    if not ids:
        raise InvalidInput(f"Prompt template {template_name!r}: input {input_name!r} "
                           "has nothing to choose from")
    return ids


def check_output_schema(schema: dict) -> list[str]:
    """Problems that make ``schema`` not look like a JSON Schema; empty when it does."""
    if "type" not in schema:
        return ["the top level needs a type (object, array, string …)"]
    return _schema_problems(schema, "output_schema")


def _schema_problems(node: object, where: str) -> list[str]:
    if not isinstance(node, dict):
        return [f"{where} must be a table (a schema), got {_toml_type(type(node))}"]
    problems = [f"{where}: unknown keyword {key!r}" for key in sorted(set(node) - _SCHEMA_KEYWORDS)]
    if not {"type", "enum", "const", "anyOf", "oneOf", "allOf"} & set(node):
        problems.append(f"{where} needs a type")
    for key, value in node.items():
        problems += _keyword_problems(key, value, node, f"{where}.{key}")
    return problems


def _keyword_problems(key: str, value: object, node: dict, where: str) -> list[str]:
    if key == "type":
        kinds = value if isinstance(value, list) else [value]
        ok = bool(kinds) and all(kind in SCHEMA_TYPES for kind in kinds)
        return [] if ok else [f"{where} must be one of {', '.join(SCHEMA_TYPES)}, got {value!r}"]
    if key == "properties":
        if not isinstance(value, dict):
            return [f"{where} must be a table of schemas"]
        return [p for name, sub in value.items() for p in _schema_problems(sub, f"{where}.{name}")]
    if key == "items" or (key == "additionalProperties" and not isinstance(value, bool)):
        return _schema_problems(value, where)
    if key in ("anyOf", "oneOf", "allOf"):
        if not isinstance(value, list) or not value:
            return [f"{where} must be a non-empty list of schemas"]
        return [p for i, sub in enumerate(value) for p in _schema_problems(sub, f"{where}[{i}]")]
    return _simple_keyword_problems(key, value, node, where)


def _simple_keyword_problems(key: str, value: object, node: dict, where: str) -> list[str]:
    if key == "required":
        known = node.get("properties", {})
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return [f"{where} must be a list of property names"]
        return [f"{where} names {name!r}, which is not in properties"
                for name in value if isinstance(known, dict) and name not in known]
    if key in _COUNTS and (type(value) is not int or value < 0):
        return [f"{where} must be a whole number of at least 0, got {value!r}"]
    if key in _BOUNDS and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return [f"{where} must be a number, got {value!r}"]
    if key in _WORDS and not isinstance(value, str):
        return [f"{where} must be a string"]
    if key == "uniqueItems" and not isinstance(value, bool):
        return [f"{where} must be true or false"]
    if key in ("enum", "examples") and (not isinstance(value, list) or not value):
        return [f"{where} must be a non-empty list"]
    return []


def resolve_pointer(schema: dict | None, pointer: str) -> object:
    """The part of ``schema`` at a JSON Pointer such as ``/properties/ids/items``; None if absent."""
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        return None
    node: object = schema
    for part in pointer[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
