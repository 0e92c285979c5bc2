"""The house: rooms named for what they hold, a thin page, no module too long to read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src" / "sitmap"
PACKAGES = ["validation", "io", "analysis", "mapview", "page", "briefing"]


def imports_of(path: Path) -> set[str]:
    """Every sitmap module a file imports (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sitmap"):
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("sitmap")}
    return found


def test_the_page_is_thin() -> None:
    lines = (REPO / "app.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"app.py has {lines} lines; layout and widgets only (at most 250)"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_is_too_long_to_read(path: Path) -> None:
    assert path.read_text(encoding="utf-8").count("\n") <= 600


@pytest.mark.parametrize("package", PACKAGES)
def test_each_room_says_what_it_holds(package: str) -> None:
    init = SRC / package / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{package}/__init__.py needs a docstring saying its job"


def test_the_page_package_never_imports_streamlit() -> None:
    for path in (SRC / "page").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from) streamlit", text, re.M), path.name


def test_internal_modules_are_used_only_inside_their_package() -> None:
    for path in [*SRC.rglob("*.py"), REPO / "app.py"]:
        here = path.parent.name if path.parent != SRC else ""
        for name in imports_of(path):
            parts = name.split(".")
            if len(parts) >= 3 and parts[2].startswith("_") and not parts[2].startswith("__"):
                assert parts[1] == here, f"{path.name} imports internal {name}"


def test_nothing_imports_upward() -> None:
    """Data flows one way: nothing below the page imports page/ or app."""
    # panels/ (the Streamlit widgets) and briefing/ (the page's view on paper) sit above page/
    above = {"page", "panels", "briefing"}
    below_page = [p for p in SRC.rglob("*.py") if not above & set(p.parts)]
    for path in below_page:
        assert not any(n.startswith("sitmap.page") for n in imports_of(path)), path.name
    for package in ("validation", "analysis"):
        for path in (SRC / package).glob("*.py"):
            names = imports_of(path)
            assert not any(n.startswith(("sitmap.mapview", "sitmap.io")) for n in names), path
