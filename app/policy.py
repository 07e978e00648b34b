"""Managed policy: the settings an organisation's IT locks on a laptop.

IT sets policy outside the app, with the tools of each OS: a JSON file on
Linux, the registry (Group Policy / Intune, from the ADMX templates) on
Windows, a configuration profile (managed preferences) on macOS. Trellis
only reads it. Policy wins over the user's own settings.

A policy with mistakes still applies: every key that is valid is used, and
each unknown key, wrong type or unreadable source becomes a sentence in
``Policy.problems`` that names the source and the key (``trellis doctor``
fails on them). Nothing here imports Qt, and ``winreg`` is imported only on
Windows.

Code that needs the policy calls ``app.policy.current_policy()`` through the
module (``from app import policy``), never a name imported from it, so that
tests can set a policy by monkeypatching ``current_policy``; or, for the Linux
source, ``LINUX_POLICY_FILE`` (the cache is keyed by that path, so a new
path is read afresh; ``forget_policy()`` clears the cache explicitly).
"""

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import strict_json
from .errors import InvalidInput, TrellisError

POLICY_KEYS = ("AllowedModels", "DisableModelImport", "DisableExport", "RequirePassphrase",
               "IdleLockMinutes", "DataDir", "MaxThreads")
BOOL_KEYS = ("DisableModelImport", "DisableExport", "RequirePassphrase")
INT_LIMITS = {"IdleLockMinutes": (0, 24 * 60), "MaxThreads": (1, 256)}

LINUX_POLICY_FILE = Path("/etc/trellis/policy.json")
WINDOWS_POLICY_KEY = r"Software\Policies\Trellis"
WINDOWS_SOURCE = "HKLM\\" + WINDOWS_POLICY_KEY
MAC_BUNDLE_ID = "app.trellis.Trellis"
MAC_MANAGED_DIR = Path("/Library/Managed Preferences")

# winreg's type numbers, so the conversion is testable on any OS.
REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_MULTI_SZ, REG_QWORD = 1, 2, 4, 7, 11
_SHA256 = re.compile(r"[0-9a-f]{64}")

LOCKED_LABEL = "Set by your organisation"


class PolicyRefusal(TrellisError):
    """Something the user asked for is turned off by the organisation's policy."""


@dataclass(frozen=True)
class Policy:
    values: dict = field(default_factory=dict)     # valid keys that are set -> value
    sources: dict = field(default_factory=dict)    # key -> where it came from
    problems: tuple = ()                           # sentences; reported, never fatal

    def locked(self, key: str) -> bool:
        return key in self.values

    def source(self, key: str) -> str | None:
        return self.sources.get(key)

    def reason(self, key: str) -> str:
        """``"DisableExport in /etc/trellis/policy.json"``: for messages."""
        return f"{key} in {self.sources.get(key, 'the policy')}"

    @property
    def disable_export(self) -> bool:
        return bool(self.values.get("DisableExport", False))

    @property
    def disable_model_import(self) -> bool:
        return bool(self.values.get("DisableModelImport", False))

    @property
    def require_passphrase(self) -> bool:
        return bool(self.values.get("RequirePassphrase", False))

    @property
    def allowed_models(self) -> tuple[str, ...] | None:
        return self.values.get("AllowedModels")

    @property
    def idle_lock_minutes(self) -> int | None:
        return self.values.get("IdleLockMinutes")

    @property
    def max_threads(self) -> int | None:
        return self.values.get("MaxThreads")

    @property
    def data_dir(self) -> Path | None:
        return self.values.get("DataDir")

    def model_allowed(self, sha256: str) -> bool:
        allowed = self.allowed_models
        return allowed is None or (sha256 or "").lower() in allowed

    def describe(self) -> dict:
        """Plain JSON-ready values: ``{"values", "sources", "problems"}``."""
        shown = {key: _plain(value) for key, value in self.values.items()}
        return {"values": shown, "sources": dict(self.sources), "problems": list(self.problems)}


def _plain(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


# --- checking one source's raw values ----------------------------------------

# What a policy key means when its value cannot be read: the most restrictive reading, never
# nothing. (IT wrote the key to restrict something; a typo must not lift the restriction.)
FAIL_CLOSED = {"DisableModelImport": True, "DisableExport": True, "RequirePassphrase": True,
               "IdleLockMinutes": 1, "MaxThreads": 1, "AllowedModels": ()}
_WORDS = {"true": True, "yes": True, "1": True, "on": True,
          "false": False, "no": False, "0": False, "off": False}


def policy_from_mapping(raw: dict, source: str) -> Policy:
    """A Policy from one source's raw key -> value pairs; mistakes become problems, and a key
    whose value cannot be read takes its most restrictive value (``FAIL_CLOSED``)."""
    values, problems = {}, []
    for key, value in raw.items():
        if key not in POLICY_KEYS:
            problems.append(f"{source}: unknown policy key {key!r} is ignored "
                            f"(known keys: {', '.join(POLICY_KEYS)}).")
            continue
        try:
            values[key] = _checked(key, value)
        except ValueError as exc:
            if key in FAIL_CLOSED:
                values[key] = FAIL_CLOSED[key]
                problems.append(f"{source}: {key} {exc}; until it is fixed, Trellis applies "
                                f"the most restrictive value ({_plain(FAIL_CLOSED[key])!r}).")
            else:
                problems.append(f"{source}: {key} {exc}; it is ignored.")
    return Policy(values, {key: source for key in values}, tuple(problems))


def unreadable(source: str, why: str) -> Policy:
    """A policy source that exists but cannot be read: every restriction applies, loudly."""
    values = {key: value for key, value in FAIL_CLOSED.items()}
    return Policy(values, {key: source for key in values},
                  (f"{source}: {why}. Until it is fixed, Trellis applies every restriction a "
                   "policy can set: no export, no model import, no model loaded (drafts use "
                   "Trellis's own sentences), a passphrase, one thread and a one-minute idle "
                   "lock.",))


def _checked(key: str, value):
    if key in BOOL_KEYS:
        return _checked_bool(value)
    if key in INT_LIMITS:
        return _checked_int(value, *INT_LIMITS[key])
    if key == "AllowedModels":
        return _checked_models(value)
    return _checked_dir(value)


def _checked_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):   # REG_DWORD 0/1
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _WORDS:  # "true", as REG_SZ writes it
        return _WORDS[value.strip().lower()]
    raise ValueError(f"must be true or false, got {value!r}")


def _checked_int(value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"must be a whole number from {low} to {high}, got {value!r}")
    return value


def _checked_models(value) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"must be a list of sha256 checksums, got {value!r}")
    checksums = []
    for item in value:
        text = item.strip().lower() if isinstance(item, str) else None
        if text is None or not _SHA256.fullmatch(text):
            raise ValueError(f"must list sha256 checksums (64 hex digits), got {item!r}")
        checksums.append(text)
    return tuple(dict.fromkeys(checksums))


def _checked_dir(value) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be an absolute folder path, got {value!r}")
    path = Path(os.path.expanduser(os.path.expandvars(value.strip())))
    if not path.is_absolute():
        raise ValueError(f"must be an absolute folder path, got {value!r}")
    return path


def merged(*policies: Policy) -> Policy:
    """Later policies win key by key; problems of all are kept."""
    values, sources, problems = {}, {}, []
    for policy in policies:
        values.update(policy.values)
        sources.update(policy.sources)
        problems.extend(policy.problems)
    return Policy(values, sources, tuple(problems))


# --- the sources ---------------------------------------------------------------

def policy_from_json(path: Path) -> Policy:
    """Linux (and any OS for tests): a JSON object of policy keys. No file: no policy."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not a reason to ignore IT
    except FileNotFoundError:
        return Policy()
    except (OSError, UnicodeDecodeError) as exc:
        return unreadable(str(path), f"the policy file cannot be read ({exc})")
    try:
        raw = strict_json.loads(text, what="a policy")
    except InvalidInput as exc:
        return unreadable(str(path), f"the policy file is not valid JSON ({exc})")
    if not isinstance(raw, dict):
        return unreadable(str(path), "the policy file must hold a JSON object of keys")
    return policy_from_mapping(raw, str(path))


def policy_from_plist(path: Path) -> Policy:
    """macOS: one managed-preferences plist (or any plist dict of policy keys)."""
    import plistlib  # macOS only
    try:
        with path.open("rb") as handle:
            raw = plistlib.load(handle)
    except FileNotFoundError:
        return Policy()
    except (OSError, plistlib.InvalidFileException, ValueError) as exc:
        return unreadable(str(path), f"the managed preferences cannot be read ({exc})")
    if not isinstance(raw, dict):
        return unreadable(str(path), "the managed preferences are not a dictionary")
    return policy_from_mapping(raw, str(path))


def mac_policy_files(user: str | None = None) -> tuple[Path, ...]:
    """The machine-wide plist, then the user's (the user's values win, both are IT's)."""
    name = MAC_BUNDLE_ID + ".plist"
    user = user or os.environ.get("USER") or ""
    files = [MAC_MANAGED_DIR / name]
    if user:
        files.append(MAC_MANAGED_DIR / user / name)
    return tuple(files)


def registry_values(entries, source: str = WINDOWS_SOURCE) -> Policy:
    """Windows: a Policy from ``(name, value, reg_type)`` tuples as winreg.EnumValue gives them.

    REG_DWORD/REG_QWORD become numbers (0/1 for the true/false keys), REG_SZ
    a string, REG_MULTI_SZ a list; any other type is a problem.
    """
    raw, problems = {}, []
    for name, value, reg_type in entries:
        if reg_type in (REG_DWORD, REG_QWORD):
            raw[name] = int(value)
        elif reg_type in (REG_SZ, REG_EXPAND_SZ):
            raw[name] = str(value)
        elif reg_type == REG_MULTI_SZ:
            raw[name] = [str(item) for item in value if str(item).strip()]
        else:
            problems.append(f"{source}: {name} has registry type {reg_type}, which Trellis "
                            "does not read (use REG_DWORD, REG_SZ or REG_MULTI_SZ); it is ignored.")
    checked = policy_from_mapping(raw, source)
    return Policy(checked.values, checked.sources, tuple(problems) + checked.problems)


def _read_registry() -> Policy:
    import winreg  # only on Windows
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, WINDOWS_POLICY_KEY)
    except FileNotFoundError:
        return Policy()
    except OSError as exc:
        return unreadable(WINDOWS_SOURCE, f"it cannot be read ({exc})")
    with key:
        count = winreg.QueryInfoKey(key)[1]
        entries = [winreg.EnumValue(key, index)[:3] for index in range(count)]
    return registry_values(entries)


def read_platform_policy(platform: str | None = None) -> Policy:
    """This OS's policy, read now (no cache)."""
    platform = platform or sys.platform
    if platform == "win32":
        return _read_registry()
    if platform == "darwin":
        return merged(*(policy_from_plist(path) for path in mac_policy_files()))
    return policy_from_json(LINUX_POLICY_FILE)


_cache: dict = {}


def current_policy() -> Policy:
    """The platform's policy, read once per process; an empty Policy when none is set."""
    key = (sys.platform, str(LINUX_POLICY_FILE), str(MAC_MANAGED_DIR))
    if key not in _cache:
        _cache[key] = read_platform_policy()
    return _cache[key]


def forget_policy() -> None:
    """Read the policy afresh on the next ``current_policy()`` (tests, after a change)."""
    _cache.clear()


def _policy(policy: Policy | None) -> Policy:
    return policy if policy is not None else current_policy()


# --- refusals ------------------------------------------------------------------

def refuse_export(policy: Policy | None = None) -> None:
    """PolicyRefusal when the organisation turned export off."""
    policy = _policy(policy)
    if policy.disable_export:
        raise PolicyRefusal(f"Export is turned off by your organisation "
                            f"({policy.reason('DisableExport')}).")


def refuse_model_import(policy: Policy | None = None) -> None:
    """PolicyRefusal when the organisation turned adding models off."""
    policy = _policy(policy)
    if policy.disable_model_import:
        raise PolicyRefusal(f"Adding models is turned off by your organisation "
                            f"({policy.reason('DisableModelImport')}).")


def refuse_model(name: str, sha256: str, policy: Policy | None = None) -> None:
    """PolicyRefusal when the model's sha256 is not in AllowedModels."""
    policy = _policy(policy)
    if not policy.model_allowed(sha256):
        raise PolicyRefusal(f"The model {name!r} (sha256 {sha256}) is not allowed by your "
                            f"organisation ({policy.reason('AllowedModels')} does not list it).")
