"""``trellis doctor``: check that an install works, without changing anything saved.

Each check returns a plain ``Check``; the command line prints them and
exits 1 if any failed. On a data dir where nothing was saved yet the
database checks report that and pass, and nothing is created.

Each repair a migration made in the data is listed as an info line, so a
manager sees what changed and what to check (never a failure).

The "policy" check lists what the organisation set and where, and fails
when the policy has problems (unknown keys, wrong types, an unreadable
file), so IT sees a mistake that the app itself only reports.
"""

import os
import platform
from importlib import metadata
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from . import __version__
from . import policy as policies
from .errors import LockedError, TrellisError, WrongPassphrase
from .llm.catalog import find_model_file, load_catalog, reinstall_hint, sha256_file, user_models_dir
from .llm.registry import read_records
from .manifest import doctor_checks as bundle_checks
from .paths import data_home, data_home_source
from .store import Store, has_data
from .store import keys, recovery
from .store.cipher import dbapi

OK, FAILED, SKIPPED, WARNING = "ok", "failed", "skipped", "warning"   # only FAILED fails
INFO = "info"   # something the manager should know, such as what a migration repaired


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def run_checks(home: Path | None = None, passphrase: str | None = None) -> list[Check]:
    home = home or data_home()
    checks = [_versions(), _sqlcipher(), _keychain(), policy_check()]
    checks += _data_checks(home, passphrase)
    checks += _model_checks(home)
    checks += _model_choice(home)
    checks += [Check(*found) for found in bundle_checks()]
    return checks


def policy_check(policy: policies.Policy | None = None) -> Check:
    """Each key the organisation set, its value and source; FAILED on any problem."""
    policy = policy or policies.current_policy()
    parts = [f"{key}={_policy_value(policy.values[key])} ({policy.sources[key]})"
             for key in policies.POLICY_KEYS if key in policy.values]
    listed = "; ".join(parts) or "no policy set on this computer"
    if policy.problems:
        return Check("policy", FAILED, " ".join(policy.problems) + f" In effect: {listed}")
    return Check("policy", OK, listed)


def _policy_value(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _model_choice(home: Path) -> list[Check]:
    """When AllowedModels is set: which model runs, and why if it is not the one chosen."""
    from .llm.selection import chosen_model, model_choice_note
    from .settings import load_settings
    policy = policies.current_policy()
    if policy.allowed_models is None:
        return []
    try:
        settings = load_settings(home)
        model = chosen_model(settings, home, policy=policy)
    except TrellisError as exc:
        return [Check("model choice", FAILED, str(exc))]
    note = model_choice_note(settings, model, home, policy)
    return [Check("model choice", OK, note or f"{model.name!r} is allowed by your organisation")]


LIBRARIES = ("sqlcipher3", "sqlite-utils", "keyring", "cryptography", "llama-cpp-python",
             "PySide6-Essentials")


def _versions() -> Check:
    parts = [f"Trellis {__version__}", f"Python {platform.python_version()}",
             f"{platform.system()} {platform.machine()}"]
    for library in LIBRARIES:
        try:
            parts.append(f"{library} {metadata.version(library)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{library} not installed")
    return Check("versions", OK, ", ".join(parts))


def _sqlcipher() -> Check:
    conn = dbapi.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()
        fts5 = conn.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0]
        sqlite_version = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    if not cipher:
        return Check("sqlcipher", FAILED, "the SQLite library in use has no encryption")
    if not fts5:
        return Check("sqlcipher", FAILED, f"SQLCipher {cipher[0]} lacks full-text search (FTS5)")
    return Check("sqlcipher", OK, f"SQLCipher {cipher[0]}, SQLite {sqlite_version}, FTS5")


def _keychain() -> Check:
    return Check("keychain", OK, keys.keychain_description())


def _data_checks(home: Path, passphrase: str | None) -> list[Check]:
    if not has_data(home):
        return [Check("data", OK, f"no data saved yet in {home} (chosen by {data_home_source()}); "
                                  "nothing to check")]
    checks = [_permissions(home)]
    try:
        store = Store.open(home, passphrase=passphrase, create=False)
    except WrongPassphrase as exc:
        return checks + [Check("database", FAILED, str(exc))]
    except LockedError as exc:
        return checks + [Check("database", SKIPPED, f"not unlocked, so not checked: {exc}")]
    except TrellisError as exc:
        return checks + [Check("database", FAILED, str(exc))]
    with store:
        checks.append(_key_check(store))
        checks.append(_recovery_check(store))
        checks.append(_integrity(store))
        if checks[-1].status != FAILED:  # a damaged file may fail any further read
            checks += _repairs(store)
    return checks


def _key_check(store: Store) -> Check:
    needed = keys.passphrase_needed(store.home)
    if needed:
        return Check("key", FAILED, needed)
    return Check("key", OK, f"kept {'in the OS keychain' if store.key_mode == 'keychain' else 'behind a passphrase'}")


def _recovery_check(store: Store) -> Check:
    if store.has_recovery_key:
        try:
            recovery.read_recovery_record(store.home)
        except TrellisError as exc:
            return Check("recovery key", FAILED, str(exc))
    if store.has_recovery_key and not store.recovery_key_kept:
        return Check("recovery key", WARNING, "made, but not yet confirmed kept: the window shows it "
                                              "until you confirm; or run `trellis recovery-key new` "
                                              "and keep what it prints")
    if store.has_recovery_key:
        return Check("recovery key", OK, "made; the printed or saved copy opens the data if the "
                                         "keychain or passphrase is lost")
    return Check("recovery key", WARNING, "none yet: if the keychain entry or the passphrase is "
                                          "lost, the notes cannot be opened; run "
                                          "`trellis recovery-key new` and keep what it prints")


def _permissions(home: Path) -> Check:
    mode = stat.S_IMODE(os.stat(home).st_mode)
    if os.name == "posix" and mode & 0o077:
        return Check("data dir", FAILED, f"{home} is readable by other users (mode {mode:o}); "
                                         f"run: chmod 700 {home}")
    return Check("data dir", OK, f"{home} (chosen by {data_home_source()})")


def _repairs(store: Store) -> list[Check]:
    """One line per thing a migration repaired in this data (they stay listed)."""
    return [Check("repair", INFO, text) for text in store.repairs()]


def _integrity(store: Store) -> Check:
    problems = store.integrity_problems()
    if problems:
        return Check("database", FAILED, "integrity check: " + "; ".join(problems[:5]))
    people = len(store.people.list(include_archived=True))
    notes = store.db.execute("SELECT count(*) FROM notes").fetchone()[0]
    return Check("database", OK, f"{store.path} opens and passes integrity_check and "
                                 f"cipher_integrity_check ({people} people, {notes} notes)")


def _model_checks(home: Path) -> list[Check]:
    try:
        catalog = load_catalog()
        records = read_records(home)
    except (OSError, ValueError, TypeError, KeyError, TrellisError) as exc:
        return [Check("models", FAILED, f"the model list cannot be read: {exc}")]
    checks = [_model_check(entry.name, entry.sha256, find_model_file(entry, home),
                           missing_status=FAILED if i == 0 else SKIPPED,
                           missing=f"{entry.file} is missing; {reinstall_hint()} to get it back"
                           if i == 0 else "not installed")
              for i, entry in enumerate(catalog)]
    shipped = {entry.file for entry in catalog}
    checks += [_model_check(record.name, record.sha256, _record_path(record, home), FAILED,
                            f"{record.file} was added but its file is gone; "
                            f"run `trellis models remove {record.name}`")
               for record in records if record.file not in shipped]
    return checks


def _record_path(record, home: Path) -> Path | None:
    path = user_models_dir(home) / record.file
    return path if path.is_file() else None


def _model_check(name: str, sha256: str, path: Path | None, missing_status: str,
                 missing: str) -> Check:
    label = f"model {name}"
    if path is None:
        return Check(label, missing_status, missing)
    actual = sha256_file(path)
    if actual != sha256:
        return Check(label, FAILED, f"{path} has changed: sha256 {actual}, expected {sha256}")
    return Check(label, OK, f"{path} matches its sha256")


def failed(checks: list[Check]) -> bool:
    return any(check.status == FAILED for check in checks)
