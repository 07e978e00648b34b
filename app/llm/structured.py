"""Replies that must be JSON of a given shape.

The engine constrains sampling with a grammar made from the JSON Schema, but
llama-cpp-python silently falls back to "any JSON" when a schema does not
convert, and a reply can be cut off by the token limit. So the app parses
and validates every reply itself, retries once with another seed, and then
gives up with an error that says what was wrong.
"""

import json
import re
from collections.abc import Callable
from dataclasses import replace

from .engine import Generation, GenerationRequest, ModelError

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class StructuredOutputError(ModelError):
    """The model did not produce valid JSON of the required shape."""


ENFORCED = frozenset({
    "type", "enum", "const", "anyOf", "oneOf", "allOf", "minLength", "maxLength", "pattern",
    "minItems", "maxItems", "items", "uniqueItems", "properties", "required",
    "additionalProperties", "minProperties", "maxProperties", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum"})
"""Every keyword the prompt loader accepts that says what a valid value is (the loader's
others, ``title``, ``description``, ``default``, ``examples`` and ``format``, only
describe it, as JSON Schema 2020-12 treats them). ``tests/test_prompts.py`` holds the two
lists together."""
ANNOTATIONS = frozenset({"title", "description", "default", "examples", "format"})


def schema_problems(value, schema: dict, path: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema`` (the subset of JSON Schema the prompt loader
    accepts; the validating is ours, not a library's, because that subset is small, its
    messages name the place for the retry, and no new dependency ships in the bundle)."""
    problems = _type_problems(value, schema, path) + _combined_problems(value, schema, path)
    if problems:
        return problems
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{path}: must be {schema['const']!r}")
    if isinstance(value, str):
        problems += _string_problems(value, schema, path)
    elif isinstance(value, list):
        problems += _array_problems(value, schema, path)
    elif isinstance(value, dict):
        problems += _object_problems(value, schema, path)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        problems += _number_problems(value, schema, path)
    return problems


def _combined_problems(value, schema: dict, path: str) -> list[str]:
    """``allOf`` (every one), ``anyOf`` (at least one) and ``oneOf`` (exactly one)."""
    problems = [p for sub in schema.get("allOf", []) for p in schema_problems(value, sub, path)]
    for key, wanted in (("anyOf", "at least one"), ("oneOf", "exactly one")):
        if key not in schema:
            continue
        fitting = sum(not schema_problems(value, sub, path) for sub in schema[key])
        if fitting == 0 or (key == "oneOf" and fitting > 1):
            problems.append(f"{path}: fits {fitting} of the {len(schema[key])} shapes "
                            f"allowed; {wanted} is needed")
    return problems


def _type_problems(value, schema: dict, path: str) -> list[str]:
    wanted = schema.get("type")
    if wanted is None:
        return []
    names = wanted if isinstance(wanted, list) else [wanted]
    if any(_TYPES[name](value) for name in names):
        return []
    return [f"{path}: expected {' or '.join(names)}, got {type(value).__name__}"]


def _string_problems(value: str, schema: dict, path: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minLength", 0):
        problems.append(f"{path}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{path}: longer than {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"{path}: does not match {schema['pattern']!r}")
    return problems


def _array_problems(value: list, schema: dict, path: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minItems", 0):
        problems.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        problems.append(f"{path}: more than {schema['maxItems']} items")
    if schema.get("uniqueItems"):
        seen = []
        for index, item in enumerate(value):
            if item in seen:
                problems.append(f"{path}[{index}]: repeats an earlier item")
            seen.append(item)
    for index, item in enumerate(value):
        problems += schema_problems(item, schema.get("items", {}), f"{path}[{index}]")
    return problems


def _object_problems(value: dict, schema: dict, path: str) -> list[str]:
    properties = schema.get("properties", {})
    problems = [f"{path}: missing {name!r}" for name in schema.get("required", []) if name not in value]
    if len(value) < schema.get("minProperties", 0):
        problems.append(f"{path}: fewer than {schema['minProperties']} properties")
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        problems.append(f"{path}: more than {schema['maxProperties']} properties")
    for name, item in value.items():
        if name in properties:
            problems += schema_problems(item, properties[name], f"{path}.{name}")
        elif schema.get("additionalProperties") is False:
            problems.append(f"{path}: unexpected {name!r}")
    return problems


def _number_problems(value, schema: dict, path: str) -> list[str]:
    problems = []
    if "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{path}: below {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        problems.append(f"{path}: above {schema['maximum']}")
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        problems.append(f"{path}: must be above {schema['exclusiveMinimum']}")
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        problems.append(f"{path}: must be below {schema['exclusiveMaximum']}")
    return problems


def parse_reply(generation: Generation, schema: dict):
    """The reply as a value, or StructuredOutputError saying what was wrong."""
    if generation.finish == "length":
        raise StructuredOutputError("the reply was cut off at the token limit")
    try:
        value = json.loads(generation.text)
    except ValueError as exc:
        raise StructuredOutputError(f"the reply is not JSON ({exc.msg} at {exc.pos})") from None
    problems = schema_problems(value, schema)
    if problems:
        raise StructuredOutputError("the reply does not fit its schema: " + "; ".join(problems[:5]))
    return value


def generate_json(generate: Callable[[GenerationRequest], Generation],
                  request: GenerationRequest) -> tuple[object, Generation]:
    """Generate and validate; one retry with another seed; then a clear error.

    A stopped generation is returned as it is (value None): stopping is not a failure.
    """
    if request.schema is None:
        raise ValueError("generate_json needs a request with a schema")
    first_error = None
    for attempt in (request, replace(request, seed=request.seed + 7919)):
        generation = generate(attempt)
        if generation.stopped:
            return None, generation
        try:
            return parse_reply(generation, request.schema), generation
        except StructuredOutputError as exc:
            first_error = first_error or exc
    raise StructuredOutputError(f"The model gave no usable answer after a retry: {first_error}")
