"""The catalog of known models and where their files are found.

``models/catalog.json`` lists each model's file, sha256, size, licence,
context length and RAM, and for a shipped model its measured fit (how often
its rewordings pass the checks, ``trellis models check``); the default
model is its first entry. Files live
in the project's ``models/`` folder (shipped) or in the data dir's
``models/`` folder (added by the user, see ``registry``). Nothing here
loads a model.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import TrellisError
from ..paths import data_home, sha256_file  # noqa: F401 (sha256_file is imported from here too)

PROJECT_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
CATALOG_FILE = PROJECT_MODELS_DIR / "catalog.json"


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    file: str
    sha256: str
    size_bytes: int
    licence: str
    context_length: int
    ram_mb: int
    quantisation: str
    source: dict
    fit: dict | None = None  # measured by `trellis models check` (app.reviews.model_fit)


def load_catalog(path: Path = CATALOG_FILE) -> list[CatalogEntry]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [CatalogEntry(**entry) for entry in raw["models"]]


def reinstall_hint() -> str:
    """How to get the shipped files back: an installed app is reinstalled, a source tree set up."""
    return "reinstall Trellis" if getattr(sys, "frozen", False) else "run `make setup`"


def read_catalog(path: Path = CATALOG_FILE) -> list[CatalogEntry]:
    """``load_catalog``, with a message a user can act on when the file is damaged."""
    try:
        return load_catalog(path)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise TrellisError(f"The model catalog {path} cannot be read ({exc}); "
                           f"{reinstall_hint()}") from None


def entry_for_file(file_name: str, catalog: list[CatalogEntry]) -> CatalogEntry | None:
    return next((entry for entry in catalog if entry.file == file_name), None)


def user_models_dir(home: Path | None = None) -> Path:
    """Where models a user or IT added are kept: ``models/`` in the data dir."""
    return (home or data_home()) / "models"


def model_dirs(home: Path | None = None) -> list[Path]:
    return [PROJECT_MODELS_DIR, user_models_dir(home)]


def find_model_file(entry: CatalogEntry, home: Path | None = None) -> Path | None:
    for directory in model_dirs(home):
        candidate = directory / entry.file
        if candidate.is_file():
            return candidate
    return None


