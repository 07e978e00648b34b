"""Importing a competency framework from the window: pick a file, see what it held or why not.

The reading and checking is ``app.reviews.frameworks`` (the same as
``trellis frameworks import``); a refused file changes nothing.
"""

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.errors import TrellisError
from app.reviews.frameworks import load_framework

from .notices import Change

FILE_FILTER = "Competency frameworks (*.yaml *.yml *.json *.csv)"


def choose_file(parent: QWidget) -> Path | None:
    start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _ = QFileDialog.getOpenFileName(parent, "Import competency framework", start, FILE_FILTER)
    return Path(path) if path else None


def import_framework_file(session, parent: QWidget, path: Path | None = None) -> str | None:
    """Import ``path`` (asked for when None) and make it the active framework.

    Returns the sentence shown to the manager, or None when no file was chosen.
    """
    path = path or choose_file(parent)
    if path is None:
        return None
    try:
        framework = session.store.frameworks.save(load_framework(path))
    except TrellisError as exc:
        QMessageBox.warning(parent, "Framework not imported", f"{exc}\n\nNothing was changed.")
        return str(exc)
    session.changed(Change.COMPETENCIES)
    count = len(framework.competencies)
    message = (f"“{framework.name}” is now the framework for evidence briefs and plans: "
               f"{count} {'competency' if count == 1 else 'competencies'}, "
               f"levels {', '.join(framework.levels)}.")
    QMessageBox.information(parent, "Framework imported", message)
    return message
