"""The core is Qt-free and llama_cpp is imported in one place only."""

import ast
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_app_never_imports_qt():
    offenders = [str(p) for p in (REPO / "app").rglob("*.py") if "PySide6" in _imports(p)]
    assert offenders == []


def test_only_app_llm_imports_llama_cpp():
    sources = [*REPO.joinpath("app").rglob("*.py"), *REPO.joinpath("ui").rglob("*.py")]
    offenders = [str(p) for p in sources
                 if "llama_cpp" in _imports(p) and "app/llm" not in p.as_posix()]
    assert offenders == []


def test_cli_runs_with_pyside6_unavailable(tmp_path):
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "from app.cli import main\n"
            "sys.exit(main(['doctor', '--json']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '"ok": true' in result.stdout
