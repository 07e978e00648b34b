"""Small building blocks every panel uses, so buttons and labels read alike to screen readers."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


def push_button(text: str, tooltip: str) -> QPushButton:
    """A button whose accessible name is its text, with a tooltip saying what it does."""
    button = QPushButton(text)
    button.setAccessibleName(text)
    button.setToolTip(tooltip)
    return button


def selectable_label(accessible_name: str, text: str = "") -> QLabel:
    """Wrapped text the manager can select and copy."""
    label = QLabel(text)
    label.setAccessibleName(accessible_name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def column(*widgets) -> QWidget:
    """``widgets`` stacked top to bottom with no margin, as one widget (for splitters)."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder
