"""Adding or editing a team member: name, role, level, start date.

A start date is often not known, so it is saved only when "Known" is ticked;
changing the date ticks it, so a date the manager typed is never dropped.
"""

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QFormLayout, QLabel, QLineEdit

from app.domain.records import Person

from .controls import FormDialog


class PersonDialog(FormDialog):
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
        self.start.dateChanged.connect(lambda _date: self.has_start.setChecked(True))
        self.start_hint = QLabel("The start date is saved only when \u201cKnown\u201d is ticked; "
                                 "changing the date ticks it.")
        self.start_hint.setAccessibleName("About the start date")
        self.start_hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("Level", self.level)
        form.addRow("Start date", self.start)
        form.addRow("", self.has_start)
        form.addRow("", self.start_hint)
        self._finish(form)

    def _line(self, label: str, text: str) -> QLineEdit:
        line = QLineEdit(text)
        line.setAccessibleName(label)
        return line

    def values(self) -> dict:
        return {"name": self.name.text(), "role": self.role.text().strip() or None,
                "level": self.level.text().strip() or None,
                "start_date": self.start.date().toString("yyyy-MM-dd") if self.has_start.isChecked() else None}

    def save(self) -> None:
        if self._person is None:
            self.saved_person = self._store.people.add(**self.values())
        else:
            self.saved_person = self._store.people.update(self._person.id, **self.values())
