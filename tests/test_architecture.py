"""The layers: the core is Qt-free and never imports the window, llama_cpp is imported in
one place only, and no two modules import each other, however indirectly."""

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


# --- the import graph of app/ and ui/ (every import, also inside functions) ------------

def _modules() -> dict[str, Path]:
    found = {}
    for package in ("app", "ui"):
        for path in (REPO / package).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _targets(module: str, node: ast.AST, modules: dict[str, Path]) -> list[str]:
    """The modules of app/ and ui/ that one import statement imports."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            here = module.split(".")
            package = here if modules[module].name == "__init__.py" else here[:-1]
            parent = package[:len(package) - node.level + 1]
            base = ".".join(parent + ([node.module] if node.module else []))
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                 for alias in node.names]
    found = []
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.append(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {target for node in ast.walk(tree)
                         if isinstance(node, (ast.Import, ast.ImportFrom))
                         for target in _targets(module, node, modules)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node), on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_app_never_imports_ui_not_even_inside_a_function():
    graph = import_graph()
    offenders = {m: sorted(t for t in targets if t == "ui" or t.startswith("ui."))
                 for m, targets in graph.items() if m.startswith("app")}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_no_module_imports_itself_through_others():
    assert cycles(import_graph()) == []


def test_the_graph_check_sees_cycles_and_relative_imports():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = import_graph()
    assert "app.cli.common" in graph["app.cli.data"]  # "from .common import …"
    assert "app.store.keys" in graph["app.store.unlock_pin"]  # "from .keys import …"
    assert "app.cli" not in graph["app.cli.drafts"]  # the helpers live in app.cli.common
