"""The manager's preferences that are not team data: model, threads, context, idle lock.

Kept as ``settings.json`` in the data dir (nothing in it is sensitive).
Every value is checked when set and when read back; a damaged file is an
error that names it and the field, never a silent reset.

What applies is layered: the defaults, then the user's ``settings.json``,
then the organisation's policy (``app.policy``), which wins.
``effective_settings`` gives each value with where it came from; a value
the policy sets cannot be changed here (``refuse_if_locked``).
"""

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from . import policy as policies
from .errors import InvalidInput
from .paths import data_home, ensure_private_dir, write_atomically

SETTINGS_FILE = "settings.json"
DEFAULT, YOURS = "default", "your settings"
LIMITS = {"threads": (1, 256), "context_cap": (512, 131072), "idle_lock_minutes": (0, 24 * 60)}


@dataclass(frozen=True)
class Settings:
    model: str | None = None          # name or file of an installed model; None: the default
    threads: int | None = None        # None: one per physical core
    context_cap: int = 8192           # the model's own context length, capped at this
    idle_lock_minutes: int = 10       # 0: never lock when idle

    def describe(self) -> dict:
        return asdict(self)


def _path(home: Path | None) -> Path:
    return (home or data_home()) / SETTINGS_FILE


def load_settings(home: Path | None = None) -> Settings:
    path = _path(home)
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc}); fix or delete it") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: expected a JSON object")
    settings = Settings()
    for key, value in raw.items():
        settings = with_value(settings, key, value, where=str(path))
    return settings


def save_settings(settings: Settings, home: Path | None = None) -> None:
    path = _path(home)
    ensure_private_dir(path.parent)
    write_atomically(path, (json.dumps(asdict(settings), indent=2) + "\n").encode("utf-8"))


def with_value(settings: Settings, key: str, value, *, where: str = "settings") -> Settings:
    """``settings`` with ``key`` set to ``value`` (a string from the CLI is converted)."""
    known = {f.name for f in fields(Settings)}
    if key not in known:
        raise InvalidInput(f"{where}: unknown setting {key!r} (known: {', '.join(sorted(known))})")
    return replace(settings, **{key: _checked(key, value, where)})


def _checked(key: str, value, where: str):
    if key == "model":
        if value in (None, "", "default"):
            return None
        if not isinstance(value, str):
            raise InvalidInput(f"{where}: model must be a model name, got {value!r}")
        return value
    if key == "threads" and value in (None, "", "auto"):
        return None
    return _bounded_int(key, value, where)


def _bounded_int(key: str, value, where: str) -> int:
    try:
        number = int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    low, high = LIMITS[key]
    if number is None or not low <= number <= high:
        raise InvalidInput(f"{where}: {key} must be a whole number from {low} to {high}, got {value!r}")
    return number


def effective_threads(settings: Settings, policy: policies.Policy | None = None) -> int:
    """The user's threads (or one per physical core), capped by the policy's MaxThreads."""
    from .llm.hardware import physical_cores
    threads = settings.threads or physical_cores()
    cap = (policy or policies.current_policy()).max_threads
    return min(threads, cap) if cap else threads


def effective_idle_lock_minutes(minutes: int, policy: policies.Policy | None = None) -> int:
    """The policy's IdleLockMinutes when it is set, else ``minutes``."""
    locked = (policy or policies.current_policy()).idle_lock_minutes
    return minutes if locked is None else locked


def refuse_if_locked(key: str, value, home: Path | None = None,
                     policy: policies.Policy | None = None) -> None:
    """PolicyRefusal when the organisation's policy does not let ``key`` be ``value``."""
    policy = policy or policies.current_policy()
    if key == "idle_lock_minutes" and policy.locked("IdleLockMinutes"):
        raise policies.PolicyRefusal(
            f"idle_lock_minutes is set by your organisation to {policy.idle_lock_minutes} "
            f"({policy.reason('IdleLockMinutes')}); nothing was changed.")
    if key == "threads" and policy.max_threads and value and value > policy.max_threads:
        raise policies.PolicyRefusal(
            f"threads can be at most {policy.max_threads} on this computer "
            f"({policy.reason('MaxThreads')}); nothing was changed.")
    if key == "model" and value and policy.allowed_models is not None:
        from .llm.registry import resolve_model
        model = resolve_model(value, home=home)
        policies.refuse_model(model.name, model.sha256, policy)
