"""Adding or editing a team member: name, role, level, start date."""

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout,
)

from app.domain.records import Person
from app.errors import TrellisError


class PersonDialog(QDialog):
    def __init__(self, store, *, person: Person | None = None, parent=None):
        super().__init__(parent)
        self._store, self._person = store, person
        self.saved_person: Person | None = None
        self.setWindowTitle("Edit person" if person else "Add a team member")
        self._build()

    def _build(self) -> None:
        p = self._person
        self.name = self._line("Name", p.name if p else "")
        self.role = self._line("Role", p.role or "" if p else "")
        self.level = self._line("Level", p.level or "" if p else "")
        self.has_start = QCheckBox("Known")
        self.has_start.setAccessibleName("Start date known")
        self.start = QDateEdit(QDate.fromString(p.start_date, "yyyy-MM-dd") if p and p.start_date
                               else QDate.currentDate())
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.start.setAccessibleName("Start date")
        self.has_start.setChecked(bool(p and p.start_date))
        self.error = QLabel()
        self.error.setAccessibleName("Problem")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("Level", self.level)
        form.addRow("Start date", self.start)
        form.addRow("", self.has_start)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _line(self, label: str, text: str) -> QLineEdit:
        line = QLineEdit(text)
        line.setAccessibleName(label)
        return line

    def values(self) -> dict:
        return {"name": self.name.text(), "role": self.role.text().strip() or None,
                "level": self.level.text().strip() or None,
                "start_date": self.start.date().toString("yyyy-MM-dd") if self.has_start.isChecked() else None}

    def on_save(self) -> None:
        try:
            if self._person is None:
                self.saved_person = self._store.people.add(**self.values())
            else:
                self.saved_person = self._store.people.update(self._person.id, **self.values())
        except TrellisError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
