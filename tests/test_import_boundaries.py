"""One-way imports: papers -> {theory, montecarlo} -> assoc (DESIGN.md "Packages")."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "assoc": {"theory", "montecarlo", "papers"},
    "theory": {"montecarlo", "papers"},
    "montecarlo": {"theory", "papers"},
}


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"package {package} has no modules"
    bad = {
        str(f.relative_to(ROOT)): sorted(_imports(f) & FORBIDDEN[package])
        for f in files
        if _imports(f) & FORBIDDEN[package]
    }
    assert not bad, f"forbidden imports: {bad}"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(name: str) -> str | None:
    """The module ``name`` if it is a file of the repository, else None."""
    base = ROOT.joinpath(*name.split("."))
    return name if base.with_suffix(".py").exists() or (base / "__init__.py").exists() else None


def _edges(path: pathlib.Path) -> set[str]:
    """Modules of the repository that ``path`` imports, anywhere in it (also inside
    functions: a lazy import is still a dependency), with the packages that importing them
    initialises."""
    me = _module_name(path)
    pkg = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if _resolve(f"{mod}.{a.name}") else mod
                       for a in node.names]
        for t in targets:
            parts = t.split(".")
            for k in range(1, len(parts) + 1):  # the module and the packages it initialises
                name = ".".join(parts[:k])
                if _resolve(name) and not me.startswith(name + ".") and name != me:
                    out.add(name)
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_cycles_inside_a_package(package):
    graph = {_module_name(f): _edges(f) for f in (ROOT / package).rglob("*.py")}
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 done
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(n):] + [n]))
            if n in graph and not state.get(n):
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if not state.get(m):
            visit(m)
