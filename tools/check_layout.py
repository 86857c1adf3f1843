"""Check the package's layout rules: they keep the code readable and its layers apart.

* no import cycle between the package's modules (imports inside functions count too);
* no ``_``-prefixed name imported from another module, in the package, the tests or the
  benchmarks (private modules such as ``eikura._engine`` export public names; the tests'
  NumPy reference keeps its own helpers);
* no module of the package over MAX_MODULE_LINES lines, no function over
  MAX_FUNCTION_LINES lines of code (docstrings not counted).

``python tools/check_layout.py`` prints every violation and exits 1 if there is any.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "python" / "eikura"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 100
# Files whose own private helpers other files of the same folder may use.
PRIVATE_IMPORT_EXCEPTIONS = {"reference"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(path: Path, modules: set[str]) -> Iterator[tuple[str, int]]:
    """Modules of the package that ``path`` imports, with the line of each import."""
    current = module_name(path)
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = resolve(node, current, path.name == "__init__.py")
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                name = submodule if submodule in modules else target
                if name in modules:
                    yield name, node.lineno


def import_cycles() -> list[str]:
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {name: {target for target, _ in imports_of(path, set(files)) if target != name}
             for name, path in files.items()}
    # A package's __init__ runs before its modules: importing the package from one of its
    # own modules is the cycle that matters; edges *from* an __init__ to its modules are not.
    for name, path in files.items():
        if path.name == "__init__.py":
            graph[name] = {target for target in graph[name] if not target.startswith(name + ".")}
    cycles, state = [], dict.fromkeys(graph, 0)

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state[target] == 1:
                cycles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif state[target] == 0:
                visit(target, [*trail, target])
        state[node] = 2

    for start in sorted(graph):
        if state[start] == 0:
            visit(start, [start])
    return cycles


def private_imports(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if (node.module or "").split(".")[-1] in PRIVATE_IMPORT_EXCEPTIONS:
                continue
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not name.startswith("__"):
                    base = (path.parent / f"{name}.py", path.parent / name)
                    is_module = node.module in (None, "eikura") and (
                        any(p.exists() for p in base) or name == "_core"
                        or (PACKAGE / f"{name}.py").exists())
                    if not is_module:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports private "
                                     f"name {name} from {node.module or '.'}")
    return found


def sizes() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text().count("\n")
        if lines > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(ROOT)}: {lines} lines (at most {MAX_MODULE_LINES})")
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = function_code_lines(node)
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} has "
                                 f"{length} lines of code (at most {MAX_FUNCTION_LINES})")
    return found


def function_code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                              ast.Constant):
        docstring = body[0]
        span = (docstring.end_lineno or docstring.lineno) - docstring.lineno + 1
    else:
        span = 0
    return (node.end_lineno or node.lineno) - node.lineno + 1 - span


def main() -> int:
    checked = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
               *(ROOT / "bench").rglob("*.py"), *(ROOT / "tools").rglob("*.py")]
    problems = [*(f"import cycle: {cycle}" for cycle in import_cycles()),
                *private_imports(checked), *sizes()]
    for problem in problems:
        print(problem)
    print(f"layout: {len(problems)} problems in {len(checked)} files")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
