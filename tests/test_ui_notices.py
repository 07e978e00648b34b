"""Typed change notices: every notice listened for is sent somewhere, and every one sent is
heard (issue 16). Read from the source, so a new listener for a notice nobody sends, the
way the evidence panel once waited for "frameworks", fails here."""

import ast
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from conftest import REPO  # noqa: E402
from ui.notices import Change, Notice  # noqa: E402
from ui.session import Session  # noqa: E402


def _changes_in(call: ast.Call) -> set[str]:
    """The ``Change.X`` names in a call's arguments (``*REFRESHED_BY`` is looked up)."""
    return {node.attr for arg in call.args for node in ast.walk(arg)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "Change"}


def sent_and_heard() -> tuple[set[str], set[str]]:
    sent, heard = set(), set()
    for path in (REPO / "ui").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tuples = {target.id: _changes_in(ast.Call(func=None, args=[node.value], keywords=[]))
                  for node in ast.walk(tree) if isinstance(node, ast.Assign)
                  for target in node.targets if isinstance(target, ast.Name)}
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = getattr(call.func, "attr", None)
            if name in ("changed", "_announce"):
                sent |= _changes_in(call)
            elif name == "listen":
                heard |= _changes_in(call)
                heard |= {k for arg in call.args if isinstance(arg, ast.Starred)
                          and isinstance(arg.value, ast.Name) for k in tuples.get(arg.value.id, ())}
    return sent, heard


def test_no_listener_waits_for_a_notice_nobody_sends():
    sent, heard = sent_and_heard()
    assert heard - sent == set()
    assert sent - heard <= {"SETTINGS"}  # settings are read when used; nothing reloads
    assert sent | heard <= {c.name for c in Change}


def test_a_notice_reaches_only_those_who_listen_for_it(qtbot):
    session = Session()
    heard = []
    session.listen(heard.append, Change.NOTES)
    session.changed(Change.GOALS, person_id="p-ana")
    session.changed(Change.NOTES, person_id="p-ana")
    assert heard == [Notice(Change.NOTES, "p-ana")]
    assert heard[0].concerns("p-ana") and not heard[0].concerns("p-li")
    assert Notice(Change.NOTES).concerns("p-li")  # not about one person: everyone's
    with pytest.raises(TypeError):
        session.changed("notes")
