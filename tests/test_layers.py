"""The layers of tui/, held by a test (issue 12).

Bottom up: ``tui.base`` (inert text, private files) → ``tui.api`` (the HTTP client)
→ ``tui.config`` → ``tui.emulator`` → ``tui.polling`` (policy, the one scheduler,
budget, stores) → ``tui.ui`` (the Textual app: the only layer that imports
Textual) → ``tui.cli`` (the entry point, which may start the UI). A module may
import its own layer and the layers below it, never one above — at module level,
inside a function, or for type checking alike. And no two modules import each
other, directly or round a circle, when the program runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TUI = Path(__file__).resolve().parent.parent / "tui"
LAYERS = ("base", "api", "config", "emulator", "polling", "ui", "cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(TUI.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    """The rank of a ``tui`` module's layer; the package's own files sit on top."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        return len(LAYERS)
    return LAYERS.index(parts[1])


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.Module, module: str) -> Iterator[tuple[str, int, bool, bool]]:
    """(imported module, line, at module level, for type checking only) of every import."""

    def walk(node: ast.AST, top: bool, typing_only: bool) -> Iterator[tuple[str, int, bool, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, top, typing_only
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: resolve against this module's package
                    package = module.split(".")[: -child.level or None]
                    base = ".".join([*package, base] if base else package)
                yield base, child.lineno, top, typing_only
                for alias in child.names:  # `from tui import cli` imports tui.cli
                    yield f"{base}.{alias.name}", child.lineno, top, typing_only
            elif isinstance(child, ast.If) and is_type_checking(child):
                yield from walk(child, top, True)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield from walk(child, False, typing_only)
            else:
                yield from walk(child, top, typing_only)

    yield from walk(tree, True, False)


MODULES = {module_name(p): p for p in sorted(TUI.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


def tui_target(name: str) -> str | None:
    """The tui module an import names (``tui.cli.watch`` → itself, ``tui.x.Name`` → tui.x)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    rank = layer_of(module)
    upward = []
    for name, line, _top, _typing in imports(TREES[module], module):
        target = tui_target(name) if name.startswith("tui") else None
        if target is not None and target != "tui" and layer_of(target) > rank:
            upward.append(f"line {line}: {name}")
    assert not upward, f"{module} imports a higher layer: {upward}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_ui_layer_imports_textual(module: str) -> None:
    if module.startswith("tui.ui"):
        return
    found = [
        f"line {line}: {name}"
        for name, line, _top, _typing in imports(TREES[module], module)
        if name == "textual" or name.startswith("textual.")
    ]
    assert not found, f"{module} imports Textual: {found}"


def runtime_graph() -> dict[str, set[str]]:
    """Module → the tui modules it imports when it runs (lazy imports too; not the
    imports made for type checking only)."""
    graph: dict[str, set[str]] = {}
    for module, tree in TREES.items():
        edges = graph.setdefault(module, set())
        for name, _line, _top, typing_only in imports(tree, module):
            target = tui_target(name) if name.startswith("tui") else None
            # A module's own packages run before it anyway: importing them is no circle.
            own_package = module.startswith(f"{target}.")
            if target and target != module and not typing_only and not own_package:
                edges.add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    graph = runtime_graph()
    # A package and its own modules: the package re-exports them, they never import it
    # back (checked here too, since the package's file is a module like the others).
    assert circles(graph) == []


def test_the_layers_cover_every_module() -> None:
    """Every module lives in a layer (or is the package's own entry point)."""
    outside = [m for m in MODULES if layer_of(m) == len(LAYERS)]
    assert sorted(outside) == ["tui", "tui.__main__"]


def test_the_circle_finder_finds_one() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


#: Where Textual's private names may be used (issue 12.5): each use says what it works
#: around, to be deleted when Textual offers a public way.
PRIVATE_FENCE = {"tui.ui.driver", "tui.ui.widgets.footer"}


def _textual_privates(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("textual"):
            parts = node.module.split(".") + [alias.name for alias in node.names]
            if any(part.startswith("_") for part in parts):
                found.append(f"from {node.module} import …")
        elif isinstance(node, ast.Constant) and node.value in ("_exception", "_driver"):
            found.append(repr(node.value))
        elif isinstance(node, ast.Attribute) and node.attr in ("_driver", "_exception"):
            found.append(f".{node.attr}")
    return found


@pytest.mark.parametrize("module", sorted(set(MODULES) - PRIVATE_FENCE))
def test_textual_privates_stay_in_the_driver_and_footer(module: str) -> None:
    assert not _textual_privates(TREES[module]), (module, _textual_privates(TREES[module]))
