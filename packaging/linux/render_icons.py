"""Render the app icon's PNG sizes from icons/trellis.svg.

The .deb ships the hicolor theme's usual sizes as PNG next to the SVG. They
are rendered here once, with Qt's SVG renderer offscreen, and committed, so
building the package needs no Qt and gives the same bytes every time. Run it
again after editing the SVG:

    .venv/bin/python packaging/linux/render_icons.py
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402  (after the platform is chosen)
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent / "icons"
SOURCE = ICONS / "trellis.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    """Where the PNG of one size lives, laid out as in the hicolor theme."""
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / "trellis.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"error: {SOURCE} is not an SVG Qt can render", file=sys.stderr)
        return 1
    for size in SIZES:
        target = png_path(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(target), "PNG"):
            print(f"error: could not write {target}", file=sys.stderr)
            return 1
        print(f"{target.relative_to(ICONS.parent)}  {size}x{size}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
