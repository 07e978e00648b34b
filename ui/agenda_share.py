"""Sharing an agenda with the report: the manager picks the points, Trellis writes only those.

The same dialog serves the next agenda (1:1s tab) and a meeting's agenda
(meeting view). What goes out is ``agenda_markdown``: each chosen point's
text under whose it is ("Questions for Ana", "From Ana", "From me") —
never the manager's notes, never what a point was drawn from. It is
copied to the clipboard or saved as a ``.md`` file that only the
manager's account can read. When the organisation's policy
turns export off (DisableExport), the share buttons are disabled and say
"Set by your organisation", and the dialog refuses as well.
"""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel,
                               QListWidget, QListWidgetItem, QVBoxLayout)

from app import policy
from app.paths import write_atomically
from app.services.agenda import agenda_markdown

from .agenda_model import OWNER_WORDS
from .clipboard_guard import copy_team_text

NOTHING_CHOSEN = "No points chosen: tick at least one point to share."


def allow_sharing(button, *, tooltip: str, has_points: bool) -> None:
    """Enable a "Share agenda…" button when there are points and the policy allows export."""
    locked = policy.current_policy().disable_export
    button.setEnabled(has_points and not locked)
    button.setToolTip(policy.LOCKED_LABEL if locked else tooltip)
    button.setAccessibleDescription(policy.LOCKED_LABEL if locked else "")


class ShareAgendaDialog(QDialog):
    """Pick the points to send to the report; copy or save them as Markdown."""

    def __init__(self, entries, *, title: str, first_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Share agenda")
        self.entries, self.title, self.first_name = list(entries), title, first_name
        self.points = QListWidget()
        self.points.setAccessibleName("Points to share")
        self.points.setToolTip("Space includes or leaves out the selected point")
        for entry in self.entries:
            row = QListWidgetItem(f"{entry.text}  —  {OWNER_WORDS.get(entry.owner, entry.owner)}")
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked)
            self.points.addItem(row)
        self.points.setCurrentRow(0)
        self.message = QLabel("Your notes are never included.")
        self.message.setAccessibleName("Share message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (self.points, self.message, self._buttons()):
            layout.addWidget(widget)

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy = buttons.addButton("Copy Markdown", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy.setAccessibleName("Copy Markdown")
        self.copy.clicked.connect(self.on_copy)
        self.save = buttons.addButton("Save as Markdown…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save.setAccessibleName("Save as Markdown")
        self.save.clicked.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        return buttons

    def chosen(self) -> list[int]:
        return [i for i in range(self.points.count())
                if self.points.item(i).checkState() == Qt.CheckState.Checked]

    def markdown(self) -> str:
        return agenda_markdown(self.entries, self.chosen(), title=self.title,
                               first_name=self.first_name)

    def _refused(self) -> bool:
        """Say why nothing goes out: no point chosen, or export turned off by policy."""
        try:
            policy.refuse_export()
        except policy.PolicyRefusal as exc:
            self.message.setText(str(exc))
            return True
        if not self.chosen():
            self.message.setText(NOTHING_CHOSEN)
            return True
        return False

    def on_copy(self) -> None:
        chosen = self.chosen()
        if self._refused():
            return
        copy_team_text(self.markdown())   # cleared on lock or quit (ui.clipboard_guard)
        self.message.setText(f"Copied {len(chosen)} of {len(self.entries)} points as Markdown.")

    def on_save(self) -> None:
        if self._refused():
            return
        path, _filter = QFileDialog.getSaveFileName(self, "Save agenda", _file_name(self.title),
                                                    "Markdown (*.md)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the chosen points to ``path`` (owner-only); the message says what happened."""
        if self._refused():
            return False
        path = path if path.suffix else path.with_suffix(".md")
        try:
            write_atomically(path, self.markdown().encode("utf-8"))
        except OSError as exc:
            self.message.setText(f"Could not save the agenda to {path}: {exc.strerror or exc}.")
            return False
        self.message.setText(f"Saved {len(self.chosen())} of {len(self.entries)} points to {path} "
                             "(readable by you only).")
        return True


def _file_name(title: str) -> str:
    """"1:1 agenda: Ana Ruiz" → "1-1 agenda - Ana Ruiz.md", a name every file system takes."""
    safe = title.replace("1:1", "1-1").replace(":", " -")
    return "".join(c for c in safe if c not in '/\\?*"<>|').strip() + ".md"
