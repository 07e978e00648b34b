"""Render an exported Markdown draft to a PNG, as a reader of the file would see it.

Used for the README's picture of an exported review:

    TRELLIS_HOME=… trellis draft export DRAFT_ID -o review.md
    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/render_markdown.py review.md out.png

Qt lays the Markdown out (headings, bold competency leads) at a page width
of 820 px. Qt's Markdown has no footnotes, so the markers become superscript
numbers and the footnotes a numbered "Sources" list, as a Markdown viewer
with footnotes (GitHub, Obsidian) shows them; nothing leaves the machine.
"""

import re
import sys

from PySide6.QtCore import QSizeF
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QTextDocument

WIDTH, MARGIN = 820, 28


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def with_footnotes_drawn(markdown: str) -> str:
    notes = re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.MULTILINE)
    body = re.sub(r"^\[\^\d+\]: .*\n?", "", markdown, flags=re.MULTILINE)
    body = re.sub(r"\[\^(\d+)\]", lambda m: m.group(1).translate(SUPERSCRIPT), body)
    if notes:
        body = body.rstrip() + "\n\n## Sources\n\n" + "\n".join(f"{n}. {t}" for n, t in notes)
    return body + "\n"


def render(markdown: str, path: str) -> None:
    markdown = with_footnotes_drawn(markdown)
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", 10))
    document.setDocumentMargin(MARGIN)
    document.setMarkdown(markdown)
    document.setPageSize(QSizeF(WIDTH, 100000))
    height = int(document.documentLayout().documentSize().height())
    image = QImage(WIDTH, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    image.save(path, "PNG")


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    with open(sys.argv[1], encoding="utf-8") as source:
        render(source.read(), sys.argv[2])
