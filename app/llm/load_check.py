"""The model file is checked before every load: its sha256, and the organisation's list.

Why this module exists: hashes were checked by ``trellis doctor`` only, so a
file copied into the models folder, with an allowed sha256 written into
``models.json`` by hand, was loaded under ``AllowedModels``. Now every load
hashes the file itself and compares it with the sha256 recorded when the
model was added, then applies ``AllowedModels`` to what the file really is.
Hashing a gigabyte takes seconds, so the result is kept for this process,
keyed by the file's size, modification time and inode: a changed file is
hashed again.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from .. import policy as policies
from ..files import sha256_file
from .engine import ModelError

_SHA256 = re.compile(r"[0-9a-f]{64}")
_known: dict[tuple[str, int, int, int], str] = {}
_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """The file's sha256, hashed once per size, modification time and inode."""
    info = Path(path).stat()
    key = (str(Path(path).resolve()), info.st_size, info.st_mtime_ns, info.st_ino)
    with _lock:
        known = _known.get(key)
    if known is None:
        known = sha256_file(path)
        with _lock:
            _known[key] = known
    return known


def verify_before_load(path: Path, name: str, recorded: str | None) -> None:
    """``ModelError`` if the file is not the one recorded; ``PolicyRefusal`` if the
    organisation does not allow what it is. Nothing to compare and no list: no hashing."""
    expected = recorded if recorded and _SHA256.fullmatch(recorded) else None
    policy = policies.current_policy()
    if expected is None and policy.allowed_models is None:
        return
    actual = file_sha256(path)
    if expected is not None and actual != expected:
        raise ModelError(
            f"{Path(path).name} is not the file that was added as {name!r}: its sha256 is "
            f"{actual}, not {expected}. It was changed or replaced, so Trellis did not load it; "
            "remove the model and add it again.")
    policies.refuse_model(name, actual, policy)
