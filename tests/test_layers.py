"""The package's layers, as docs/ARCHITECTURE.md draws them: every import statement, wherever it stands (inside
functions too), goes to the same layer or one beneath it, so there is no import cycle between layers; and no cycle
between modules either."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sc_plugin"

# Each layer and the layers beneath it that it may import.
ALLOWED = {
    "errors": set(), "files": {"errors"}, "progress": set(),
    "aig": {"errors", "files"},
    "cuts": {"aig"},
    "abc": {"aig", "errors", "files"},
    "verify": {"abc", "aig", "errors"},
    "learned": {"aig", "errors"},
    "engines": {"abc", "aig", "cuts", "errors", "learned"},
    "rewrite": {"abc", "aig", "cuts", "engines", "errors", "verify"},
    "training": {"aig", "cuts", "engines", "errors", "learned", "progress"},
    "flows": {"abc", "aig", "errors", "files", "progress", "rewrite", "verify"},
    "yosys": {"abc", "aig", "errors", "files", "rewrite", "verify"},
    "cli": {"abc", "aig", "cuts", "engines", "errors", "files", "flows", "learned", "progress", "rewrite",
            "training", "verify", "yosys"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        targets.update(c for c in candidates if c in modules and c != name)
    return targets


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "sc_plugin"


def test_every_import_goes_to_the_same_layer_or_beneath():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        layer = _layer(name)
        for target in _imports(name, path, modules):
            if _layer(target) not in ALLOWED.get(layer, set()) | {layer, "sc_plugin"}:
                wrong.append(f"{name} imports {target}")
    assert not wrong, wrong


def test_no_import_cycle_between_modules():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in graph[node]:
            if state.get(target) == 1:
                return path + [node, target]
            if target not in state:
                cycle = visit(target, path + [node])
                if cycle:
                    return cycle
        state[node] = 2
        return None

    for name in graph:
        if name not in state:
            cycle = visit(name, [])
            assert cycle is None, " -> ".join(cycle)
