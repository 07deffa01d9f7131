"""Dependencies point one way (GUIDE: the house in one picture). A new import that breaks
the direction fails here, naming the file and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"command_center", "layouts", "feeds", "video", "geo"}
SHELL = {"command_center.server", "command_center.cli"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] in OURS}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _is_shell(module: str) -> bool:
    return any(module == s or module.startswith(s + ".") for s in SHELL)


def _allowed(module: str, imported: str) -> bool:
    package = module.split(".")[0]
    target = imported.split(".")[0]
    if package == "command_center":
        # The shell assembles everything; contracts import only contracts.
        return _is_shell(module) or (target == "command_center" and not _is_shell(imported))
    if package == "geo":
        return target == "geo"
    contracts = target == "command_center" and not _is_shell(imported)
    if package == "layouts":
        return target == "layouts" or contracts
    if package == "feeds":
        return target in ("feeds", "geo") or contracts
    if package == "video":
        return target == "video" or contracts
    return False


FILES = sorted(p for pkg in OURS for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    module = _module(path)
    wrong = sorted(i for i in _imports(path) if not _allowed(module, i))
    assert not wrong, f"{module} may not import {', '.join(wrong)}"


TEST_FILES = sorted((ROOT / "tests").rglob("*.py"))


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_module_imports_another(path: Path) -> None:
    """What tests share lives in support modules (``tests/*support.py``, conftest fixtures):
    a test module imported by another runs its module-level setup twice and ties two
    unrelated files together."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    wrong = sorted(name for name in imported if name.split(".")[-1].startswith("test_"))
    assert not wrong, f"{path.name} imports test module(s) {', '.join(wrong)}"


HUB_PARTS = ("fanout", "presence", "switching", "timers")


@pytest.mark.parametrize("part", HUB_PARTS)
def test_the_hubs_parts_never_import_the_hub(part: str) -> None:
    """``server/hub.py`` assembles its parts; a part that reached back into the hub would
    tie the concepts together again. The clocks (``timers.py``) import nothing of ours."""
    imported = _imports(ROOT / "command_center" / "server" / f"{part}.py")
    wrong = imported if part == "timers" else {"command_center.server.hub"} & imported
    assert not wrong, f"{part}.py may not import {', '.join(sorted(wrong))}"


# Decisions kept apart from the media stack: testable without aiortc peers (GUIDE 4).
PURE = ("video.switchboard", "video.speaker")
MEDIA_STACK = {"aiortc", "av", "aioice"}


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {
        n.module
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module and not n.level
    }


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_reach_no_media_stack(module: str) -> None:
    """Neither the module nor anything of ours it imports (all the way down) imports
    aiortc, PyAV or aioice."""
    seen: set[str] = set()
    todo = [module]
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = ROOT.joinpath(*name.split(".")).with_suffix(".py")
        if not path.exists():
            continue  # a package's __init__ or a name imported from one
        for imported in _all_imports(path):
            if imported.split(".")[0] in OURS:
                todo.append(imported)
            else:
                reached.add(imported.split(".")[0])
    assert not reached & MEDIA_STACK, f"{module} reaches {', '.join(sorted(reached & MEDIA_STACK))}"


PY_FILES = [
    *sorted(p for folder in (*OURS, "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")),
    ROOT / "run_wall.py",
]
MAX_LINES = 450


def test_no_python_module_is_over_450_lines() -> None:
    """A module that long holds more than one concept (issue 12): split it by concept."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in PY_FILES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines: {long}"
