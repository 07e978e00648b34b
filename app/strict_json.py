"""Strict JSON, the one way Trellis reads a JSON file a person gave it.

Why this module exists: Python's ``json`` accepts what JSON does not (bare
``NaN`` and ``Infinity``), keeps the last of two equal keys silently, and
reports deep nesting as a ``RecursionError``. An import or a framework file
that does any of these is refused with a sentence that names the place.
"""

import json
import re

from .errors import InvalidInput

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:NaN|Infinity)|\n')


class _BareConstant(ValueError):
    pass


def loads(text: str, *, what: str = "JSON") -> object:
    """``text`` parsed strictly; ``InvalidInput`` naming line and column, the key given
    twice, or that it is nested too deeply to be ``what``."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON at line {exc.lineno}, column {exc.colno}: "
                           f"{exc.msg}") from None
    except _BareConstant as exc:
        line, column = _position_of_constant(text)
        raise InvalidInput(f"line {line}, column {column}: {exc} is not a number JSON "
                           "allows") from None
    except RecursionError:
        raise InvalidInput(f"nested too deeply to be {what}") from None


def _no_duplicate_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            rid = dict(pairs).get("id")
            where = f"the object with id {rid!r}" if isinstance(rid, str) else "an object"
            raise InvalidInput(f"{where} has the key {key!r} twice")
        seen[key] = value
    return seen


def _refuse(name):
    raise _BareConstant(name)


def _position_of_constant(text: str) -> tuple[int, int]:
    """Line and column of the first bare NaN/Infinity outside a string."""
    line, line_start = 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line, line_start = line + 1, match.end()
        elif not token.startswith('"'):
            return line, match.start() - line_start + 1
    return 0, 0
