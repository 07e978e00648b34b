"""Importing a competency framework from the window's Trellis menu."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtWidgets import QMessageBox, QWidget  # noqa: E402

from ui.framework_import import import_framework_file  # noqa: E402

FRAMEWORK = """\
name: Support ladder
levels: [S1, S2]
competencies:
  - name: Customer empathy
    description: Hears what the customer needs
    levels:
      S1: Restates the problem before answering
      S2: Spots the need behind the question
"""


@pytest.fixture
def shown(monkeypatch):
    said = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda _parent, title, text, _kind=kind: said.append((_kind, title, text)))
    return said


def test_a_framework_file_becomes_the_active_framework(qtbot, session, shown, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    path = tmp_path / "support.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    with qtbot.waitSignal(session.sig_changed):
        message = import_framework_file(session, parent, path)
    active = session.store.frameworks.active()
    assert active.name == "Support ladder" and active.levels == ("S1", "S2")
    assert shown == [("information", "Framework imported", message)]
    assert message.endswith("1 competency, levels S1, S2.")


def test_a_refused_file_says_where_and_changes_nothing(qtbot, session, shown, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    before = session.store.competencies.list()
    path = tmp_path / "broken.yaml"
    path.write_text("name: Broken\nlevels: [S1]\ncompetencies:\n  - description: no name\n",
                    encoding="utf-8")
    message = import_framework_file(session, parent, path)
    assert shown[0][0] == "warning" and "broken.yaml" in shown[0][2]
    assert "Nothing was changed" in shown[0][2] and message in shown[0][2]
    assert session.store.competencies.list() == before and session.store.frameworks.active() is None
