"""Which models this installation can run, and adding or removing the user's own.

Why this module exists: the model manager (``trellis models`` and the
window's model settings) needs one answer to "which models do I have, and
are they intact?". The shipped catalog (``models/catalog.json``) names the
models Trellis knows. Users and IT add other GGUF files: each is inspected
before it is copied, hashed while it is copied into the data dir's
``models/`` folder, re-hashed there, and only then renamed into place and
recorded with its sha256 in ``models.json`` beside it. A bad, foreign or
half-copied file never becomes an installed model.

Listing is cheap (it compares file sizes), so ``trellis models list`` is
instant even with many gigabytes of models; ``verify=True`` re-hashes.

The organisation's policy can turn adding off (DisableModelImport) or allow
only some models (AllowedModels): a model whose sha256 is not listed is
refused before anything is copied when the catalog knows its sha256, and
otherwise once it is hashed, before the copy is renamed into place.
"""

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import policy as policies
from ..errors import InvalidInput, NotFound, TrellisError
from ..paths import ensure_private_dir, fsync_dir, replacing, sha256_file, write_all, write_atomically
from ..store.faults import remove_abandoned, reporting_disk_faults
from .catalog import (CatalogEntry, entry_for_file, find_model_file, read_catalog,
                      user_models_dir)
from .chat_template import ChatTemplate
from .gguf import BadModelFile, ModelInfo, ModelTooLarge, gigabytes, inspect_model, total_memory_bytes

RECORDS_FILE = "models.json"
COPY_CHUNK = 1 << 20
ADDED, CATALOG = "added", "catalog"

Progress = Callable[[int, int], None]


class AlreadyInstalled(InvalidInput):
    """The model being added is installed already, under this or another name."""


class CatalogMismatch(BadModelFile):
    """A file named like a catalog model whose contents are not that model."""


@dataclass(frozen=True)
class ModelRecord:
    """A model the user or IT added, as ``models.json`` keeps it."""
    name: str
    file: str
    sha256: str
    size_bytes: int
    architecture: str
    quantisation: str
    context_length: int | None
    parameter_count: int
    ram_mb: int
    added_at: str


@dataclass(frozen=True)
class InstalledModel:
    """A model whose file is here (or was recorded and has gone missing)."""
    name: str
    file: str
    path: Path | None
    sha256: str
    size_bytes: int
    quantisation: str
    context_length: int | None
    ram_mb: int | None
    origin: str            # CATALOG or ADDED
    is_default: bool
    removable: bool
    verified: bool
    verified_by: str       # "size" (cheap), "sha256" (thorough) or "missing"

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "path": str(self.path) if self.path else None}


# --- listing -----------------------------------------------------------------

def installed_models(*, verify: bool = False, home: Path | None = None) -> list[InstalledModel]:
    """Catalog models whose file is here, then added ones; the default first."""
    catalog = read_catalog()
    models = [_from_catalog(entry, path, i == 0, verify, home) for i, entry in enumerate(catalog)
              if (path := find_model_file(entry, home)) is not None]
    listed = {model.file for model in models}
    return models + [_from_record(record, verify, home) for record in read_records(home)
                     if record.file not in listed]


def resolve_model(name_or_file: str, *, home: Path | None = None) -> InstalledModel:
    """The installed model with this name, file name or file stem (any case)."""
    wanted = name_or_file.strip().casefold()
    models = installed_models(home=home)
    for model in models:
        if wanted in (model.name.casefold(), model.file.casefold(), Path(model.file).stem.casefold()):
            return model
    names = ", ".join(repr(model.name) for model in models) or "none"
    raise NotFound(f"No installed model is called {name_or_file!r} (installed: {names})")


def check_hash(model: InstalledModel) -> InstalledModel:
    """The same model, verified by re-hashing its file."""
    verified, by = _check(model.path, model.sha256, model.size_bytes, verify=True)
    return dataclasses.replace(model, verified=verified, verified_by=by)


def _from_catalog(entry: CatalogEntry, path: Path, default: bool, verify: bool,
                  home: Path | None) -> InstalledModel:
    verified, by = _check(path, entry.sha256, entry.size_bytes, verify)
    return InstalledModel(
        name=entry.name, file=entry.file, path=path, sha256=entry.sha256,
        size_bytes=entry.size_bytes, quantisation=entry.quantisation,
        context_length=entry.context_length, ram_mb=entry.ram_mb, origin=CATALOG,
        is_default=default, removable=not default and path.parent == user_models_dir(home),
        verified=verified, verified_by=by)


def _from_record(record: ModelRecord, verify: bool, home: Path | None) -> InstalledModel:
    path = user_models_dir(home) / record.file
    path = path if path.is_file() else None
    verified, by = _check(path, record.sha256, record.size_bytes, verify)
    return InstalledModel(
        name=record.name, file=record.file, path=path, sha256=record.sha256,
        size_bytes=record.size_bytes, quantisation=record.quantisation,
        context_length=record.context_length, ram_mb=record.ram_mb, origin=ADDED,
        is_default=False, removable=True, verified=verified, verified_by=by)


def _check(path: Path | None, sha256: str, size: int, verify: bool) -> tuple[bool, str]:
    if path is None or not path.is_file():
        return False, "missing"
    if verify:
        return sha256_file(path) == sha256, "sha256"
    return path.stat().st_size == size, "size"


# --- models.json -------------------------------------------------------------

def records_path(home: Path | None = None) -> Path:
    return user_models_dir(home) / RECORDS_FILE


def read_records(home: Path | None = None) -> list[ModelRecord]:
    path = records_path(home)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [ModelRecord(**record) for record in raw["models"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise TrellisError(f"The list of added models {path} is damaged ({exc}); "
                           "fix or delete it, then add the models again") from None


def write_records(records: list[ModelRecord], home: Path | None = None) -> None:
    document = {"models": [dataclasses.asdict(record) for record in records]}
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    write_atomically(records_path(home), text.encode("utf-8"))


# --- adding ------------------------------------------------------------------

def add_model(path: Path | str, *, name: str | None = None, progress: Progress | None = None,
              home: Path | None = None) -> InstalledModel:
    """Inspect, copy with hashing, verify and record a GGUF model; refuse bad ones."""
    policy = policies.current_policy()
    policies.refuse_model_import(policy)
    source = Path(path)
    if not source.is_file():
        raise NotFound(f"There is no model file at {source}")
    info = inspect_model(source)
    if info.chat_template:
        ChatTemplate(info.chat_template)  # a looping or exploding template: refused, not copied
    _refuse_if_machine_too_small(info)
    catalog = read_catalog()
    file = stored_file_name(source)
    entry = entry_for_file(file, catalog)
    name = entry.name if entry else _chosen_name(name, file)
    if entry is not None:
        policies.refuse_model(name, entry.sha256, policy)
    _refuse_if_listed(file, name, entry, info, home)
    directory = ensure_private_dir(user_models_dir(home))
    remove_abandoned(directory.glob(".*.part"))
    accept = _content_check(source, name, entry, home, policy)
    with reporting_disk_faults(directory, f"add the model {source.name}"):
        digest = _install_file(source, directory / file, progress, accept)
        _record_or_remove(_record(name, file, digest, info), directory / file, home)
    return resolve_model(file, home=home)


def stored_file_name(source: Path) -> str:
    """The name the copy gets: the original's, visible, ending in ``.gguf``."""
    file = source.name.lstrip(".") or "model"
    return file if file.lower().endswith(".gguf") else file + ".gguf"


def _chosen_name(name: str | None, file: str) -> str:
    name = " ".join((name or "").split()) or Path(file).stem
    if len(name) > 100:
        raise InvalidInput("A model name can be at most 100 characters")
    return name


def _refuse_if_machine_too_small(info: ModelInfo) -> None:
    # Free memory changes from minute to minute (the engine checks it before
    # loading); a model larger than all of this machine's memory never fits.
    total, needed = total_memory_bytes(), info.ram_needed()
    if total is not None and needed > total:
        raise ModelTooLarge(f"{info.path.name} needs about {gigabytes(needed)} of memory with a "
                            f"{info.planning_context():,}-token context; this machine has "
                            f"{gigabytes(total)} in all")


def _refuse_if_listed(file: str, name: str, entry: CatalogEntry | None, info: ModelInfo,
                      home: Path | None) -> None:
    if entry is not None and entry.size_bytes != info.file_size:
        raise _mismatch(info.path, entry, f"{info.file_size:,} bytes, expected {entry.size_bytes:,}")
    for model in installed_models(home=home):
        if model.file == file:
            raise AlreadyInstalled(f"{file} is already installed (as {model.name!r})")
        if model.name.casefold() == name.casefold():
            raise InvalidInput(f"A model called {name!r} is already installed; "
                               "choose another name with --name")
    unrecorded = user_models_dir(home) / file
    # The same size may be this very model, renamed into place by an import killed before it
    # was recorded; the copy's hash decides (``_content_check``).
    if unrecorded.exists() and unrecorded.stat().st_size != info.file_size:
        raise _unrecorded(unrecorded)


def _unrecorded(path: Path) -> AlreadyInstalled:
    return AlreadyInstalled(f"{path.name} is already in {path.parent} but not recorded; "
                            "delete that file or give the new one another file name")


def _content_check(source: Path, name: str, entry: CatalogEntry | None, home: Path | None,
                   policy: policies.Policy) -> Callable[[str], None]:
    """What the copy's sha256 must pass before it is renamed into place."""
    unrecorded = user_models_dir(home) / stored_file_name(source)

    def accept(digest: str) -> None:
        if unrecorded.exists() and sha256_file(unrecorded) != digest:
            raise _unrecorded(unrecorded)
        if entry is not None and digest != entry.sha256:
            raise _mismatch(source, entry, f"sha256 {digest}, expected {entry.sha256}")
        policies.refuse_model(name, digest, policy)
        for model in installed_models(home=home):
            if model.sha256 == digest:
                raise AlreadyInstalled(f"{source.name} is already installed as {model.name!r} "
                                       f"({model.file})")
    return accept


def _mismatch(source: Path, entry: CatalogEntry, detail: str) -> CatalogMismatch:
    return CatalogMismatch(f"{source} does not match the catalog entry for {entry.file} "
                           f"({detail}); it was not installed")


def _install_file(source: Path, target: Path, progress: Progress | None,
                  accept: Callable[[str], None]) -> str:
    """Copy through a temp file, check it, rename it into place; return its sha256."""
    with replacing(target, suffix=".part") as (fd, tmp):
        digest = _copy_hashing(source, fd, progress)
        if sha256_file(tmp) != digest:
            raise TrellisError(f"The copy of {source.name} differs from the original "
                               "(a disk error?); nothing was installed")
        accept(digest)
    return digest


def _copy_hashing(source: Path, fd: int, progress: Progress | None) -> str:
    """Copy ``source`` into the open file ``fd`` in 1 MB chunks, hashing as it goes."""
    digest, total, done = hashlib.sha256(), source.stat().st_size, 0
    with open(source, "rb") as reader:
        while chunk := reader.read(COPY_CHUNK):
            digest.update(chunk)
            write_all(fd, chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    if done != total:
        raise TrellisError(f"{source} changed while it was being copied; nothing was installed")
    return digest.hexdigest()


def _record(name: str, file: str, digest: str, info: ModelInfo) -> ModelRecord:
    return ModelRecord(
        name=name, file=file, sha256=digest, size_bytes=info.file_size,
        architecture=info.architecture, quantisation=info.quantisation,
        context_length=info.context_length, parameter_count=info.parameter_count,
        ram_mb=-(-info.ram_needed() // (1 << 20)),
        added_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def _record_or_remove(record: ModelRecord, installed: Path, home: Path | None) -> None:
    """Record the installed file; if that fails (a full disk), the file goes too."""
    try:
        _append_record(record, home)
    except BaseException:
        installed.unlink(missing_ok=True)
        raise


def _append_record(record: ModelRecord, home: Path | None) -> None:
    records = [r for r in read_records(home) if r.file != record.file]
    write_records(records + [record], home)


# --- removing ----------------------------------------------------------------

def remove_model(name_or_file: str, *, home: Path | None = None) -> InstalledModel:
    """Delete an added model's file and record; shipped models stay."""
    model = resolve_model(name_or_file, home=home)
    if model.is_default:
        raise InvalidInput(f"{model.name!r} is the default model shipped with Trellis; "
                           "it cannot be removed")
    if not model.removable:
        raise InvalidInput(f"{model.name!r} is shipped with Trellis ({model.path}); "
                           "only models you added can be removed")
    # The file goes first: a crash before the record is rewritten leaves a
    # "missing" entry the user can remove again, never gigabytes nobody lists.
    if model.path is not None:
        model.path.unlink(missing_ok=True)
        fsync_dir(model.path.parent)
    write_records([r for r in read_records(home) if r.file != model.file], home)
    return model
