"""Small building blocks every panel uses, so buttons and labels read alike to screen readers."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from app.errors import TrellisError


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


class FormDialog(QDialog):
    """A form with a problem line beneath it and Save/Cancel; ``save()`` does the storing."""

    def _finish(self, form: QFormLayout) -> None:
        self.error = QLabel()
        self.error.setAccessibleName("Problem")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def on_save(self) -> None:
        try:
            self.save()
        except TrellisError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
