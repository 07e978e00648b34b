"""A review draft or plan as an A4 PDF, drawn by Qt.

The core builds the document as HTML (``app.reviews.export.to_html``) so
the PDF says exactly what the Markdown and DOCX exports say; Qt lays it out
on A4 pages, with 2 cm margins and the page number at the foot of each
page (what ``QTextDocument.print_`` does for a document that is not yet
paginated). The PDF is drawn into memory and written through the same
owner-only, atomic writer as every other export, so it works from the
command line too, where no window exists: a ``QApplication`` is made on
the offscreen platform when none is running (a widgets application, not a
bare ``QGuiApplication``, so a window opened later in the same process
still works).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QFont, QGuiApplication, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QApplication

from app.reviews.body import Body
from app.reviews.export import checked_target, title_of, to_html, write_private

RESOLUTION_DPI = 300
BODY_POINT_SIZE = 11

_own_app: QGuiApplication | None = None  # kept alive for the process when made here


def _gui_application() -> QGuiApplication:
    """The running Qt application, or one made for drawing only."""
    global _own_app
    app = QGuiApplication.instance()
    if app is None:
        # Drawing a PDF needs fonts, not a screen; a terminal may have no display.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _own_app = app = QApplication(sys.argv[:1] or ["trellis"])
    return app


def pdf_bytes(body: Body, *, citations: bool = True) -> bytes:
    """The whole PDF file, drawn in memory."""
    _gui_application()
    document = QTextDocument()
    document.setDefaultFont(QFont(document.defaultFont().family(), BODY_POINT_SIZE))
    document.setHtml(to_html(body, citations=citations))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(RESOLUTION_DPI)
    writer.setTitle(title_of(body))
    writer.setCreator("Trellis")
    document.print_(writer)
    del writer
    buffer.close()
    return bytes(buffer.data())


def write_pdf(body: Body, path: Path, *, citations: bool = True) -> Path:
    """Write ``body`` as a PDF readable by the owner only."""
    checked_target(path)
    return write_private(path, pdf_bytes(body, citations=citations))
