"""The import rules of the three rooms (ARCHITECTURE.md), read from the source with ``ast``.

- No module of ``etl``, ``review`` or ``dashboard`` uses another module's private name (``_x``):
  neither ``from m import _x`` nor ``m._x`` on an imported module.
- ``etl`` imports nothing from ``review`` or ``dashboard``; ``review`` nothing from ``dashboard``.

Imports inside functions count as much as those at the top. The exemptions below are the only
ones, each with its reason; a new one needs the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("etl", "review", "dashboard")
FORBIDDEN = {"etl": ("review", "dashboard"), "review": ("dashboard",), "dashboard": ()}

ROOM_EXEMPTIONS = {
    ("etl.__main__", "review.cli"): "`python -m etl reviews` is the review store's CLI under the name analysts "
                                    "already use (an alias of `python -m review`); the ETL library never imports review",
}
PRIVATE_EXEMPTIONS: dict[tuple[str, str], str] = {}


def modules() -> dict[str, Path]:
    """Every module of the three packages by dotted name."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, path: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Return (every module or name imported, as dotted names; every ``alias._name`` used on an imported module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    known = modules()
    names: list[tuple[str, int]] = []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                names.append((a.name, node.lineno))
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node, path.name == "__init__.py")
            for a in node.names:
                full = f"{base}.{a.name}"
                names.append((full, node.lineno))
                if full in known:  # ``from dashboard import queries``: a module under its own name
                    aliases[a.asname or a.name] = full
    private = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            private.append((f"{aliases[node.value.id]}.{node.attr}", node.lineno))
    return names, private


def _in_project(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_uses_another_modules_private_name(module):
    path = modules()[module]
    names, private = imports(module, path)
    used = [(n, line) for n, line in names if _in_project(n) and n.rsplit(".", 1)[-1].startswith("_")
            and not n.rsplit(".", 1)[-1].startswith("__")] + [(n, line) for n, line in private if _in_project(n)]
    wrong = [f"{path.relative_to(ROOT)}:{line}: {n}" for n, line in used
             if n.rsplit(".", 1)[0] != module and (module, n) not in PRIVATE_EXEMPTIONS]
    assert not wrong, "private names of another module:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(modules()))
def test_each_room_imports_only_the_rooms_it_may(module):
    room = module.split(".")[0]
    path = modules()[module]
    names, _ = imports(module, path)
    wrong = [f"{path.relative_to(ROOT)}:{line}: {n}" for n, line in names
             if n.split(".")[0] in FORBIDDEN[room]
             and not any(module == m and (n == target or n.startswith(target + ".")) for m, target in ROOM_EXEMPTIONS)]
    assert not wrong, f"{room} must not import {', '.join(FORBIDDEN[room])}:\n" + "\n".join(wrong)


def test_the_rules_catch_what_they_forbid(tmp_path):
    """The checks see a forbidden import inside a function and a private name through an alias."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from dashboard import queries as q\n    return q._run\n"
                   "from review.store import _current_status\n", encoding="utf-8")
    names, private = imports("etl.bad", bad)
    assert ("dashboard.queries", 2) in names and ("review.store._current_status", 4) in names
    assert ("dashboard.queries._run", 3) in private


def test_every_exemption_is_still_needed():
    for module, target in list(ROOM_EXEMPTIONS) + [(m, t.rsplit(".", 1)[0]) for m, t in PRIVATE_EXEMPTIONS]:
        names, private = imports(module, modules()[module])
        seen = {n for n, _ in names} | {n for n, _ in private} | {n.rsplit(".", 1)[0] for n, _ in private}
        assert any(n == target or n.startswith(target + ".") for n in seen), f"{module} no longer uses {target}"


def bare_expressions(source: str) -> list[int]:
    """Lines of expressions a page states without a call (magic would write them; it is off)."""
    tree = ast.parse(source)
    docstrings = {id(n.body[0]) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body}
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Expr) and id(n) not in docstrings
            and not isinstance(n.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))]


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "dashboard" / "views").glob("*.py")) + ["../app.py"])
def test_no_page_relies_on_streamlit_magic(page):
    """``.streamlit/config.toml`` turns magic off: a bare ``frame`` or ``"text"`` in a page would show nothing."""
    assert "magicEnabled = false" in (ROOT / ".streamlit" / "config.toml").read_text()
    assert bare_expressions((ROOT / "dashboard" / "views" / page).read_text(encoding="utf-8")) == []


def test_a_bare_expression_is_found():
    assert bare_expressions('"""Doc."""\nimport streamlit as st\nframe = 1\nframe\n"shown by magic"\nst.write(1)\n') == [4, 5]
