"""A short-lived line under a view: what just happened, and the button that takes it back.

Deleting a note moved it to the trash without a word; a manager who hit
Delete by mistake did not know that Ctrl+Z, or the trash, would bring it
back. The toast says "Moved to trash" with an Undo button for a few
seconds, or until the next change makes that undo mean something else.
"""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy

SHOWN_MS = 8000


class Toast(QFrame):
    def __init__(self, accessible_name: str, parent=None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.ToolTipBase)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.label = QLabel()
        self.label.setAccessibleName(f"{accessible_name} message")
        self.button = QPushButton()
        self._act = None
        self.button.clicked.connect(self.on_button)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.timer = QTimer(self, singleShot=True, interval=SHOWN_MS)
        self.timer.timeout.connect(self.dismiss)
        self.hide()

    def show_message(self, text: str, button_text: str, act, *, tooltip: str = "") -> None:
        """Say ``text`` with a button that calls ``act()``, for a few seconds."""
        self.label.setText(text)
        self.button.setText(button_text)
        self.button.setAccessibleName(button_text)
        self.button.setToolTip(tooltip)
        self._act = act
        self.show()
        self.timer.start()

    def dismiss(self) -> None:
        self.timer.stop()
        self._act = None
        self.hide()

    def on_button(self) -> None:
        act = self._act
        self.dismiss()
        if act is not None:
            act()
