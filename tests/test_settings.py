"""Every setting defined once: declared with default and meaning, read only by settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitmap import settings
from tests.conftest import REPO

SRC = REPO / "src" / "sitmap"


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_every_variable_has_a_default_and_a_meaning() -> None:
    names = [v.name for v in settings.VARIABLES]
    assert len(names) == len(set(names))
    assert all(v.name.startswith("SITMAP_") and v.meaning for v in settings.VARIABLES)


def test_every_variable_named_in_the_code_is_declared() -> None:
    declared = {v.name for v in settings.VARIABLES}
    named = set()
    for path in [*sources(), REPO / "app.py"]:
        named |= set(re.findall(r"SITMAP_[A-Z_]+", path.read_text(encoding="utf-8")))
    # SITMAP_IMPORT_<NAME> is how the import limits are described in prose
    undeclared = {n for n in named - declared if not n.endswith("_")}
    assert not undeclared, f"read but not declared in sitmap.settings: {sorted(undeclared)}"


def test_the_readme_lists_every_variable() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [v.name for v in settings.VARIABLES if v.name not in readme]
    assert not missing, f"README does not document {missing}"


@pytest.mark.parametrize(
    "pattern",
    [r"os\.environ", r"os\.getenv", r"\.parents\[", r"Path\(__file__\)"],
)
def test_only_settings_reads_the_environment_or_locates_the_repository(pattern: str) -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in sources()
        if path.name != "settings.py" and re.search(pattern, path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"{pattern} outside sitmap.settings: {offenders}"


def test_an_undeclared_name_is_refused() -> None:
    with pytest.raises(KeyError, match="SITMAP_NOPE is not a sitmap setting"):
        settings.value("SITMAP_NOPE")


def test_values_come_from_the_environment_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITMAP_SITUATION", "  /tmp/elsewhere ")
    assert settings.situation_dir() == Path("/tmp/elsewhere")
    monkeypatch.setenv("SITMAP_SITUATION", "")
    assert settings.situation_dir() == settings.DEFAULT_SITUATION
    monkeypatch.setenv("SITMAP_IMPORT_MAX_MB", "nan")
    assert settings.import_limit("max_mb") == 50.0
    monkeypatch.setenv("SITMAP_IMPORT_MAX_MB", "-3")
    assert settings.import_limit("max_mb") == 50.0
    monkeypatch.setenv("SITMAP_IMPORT_MAX_MB", "7.5")
    assert settings.import_limit("max_mb") == 7.5
    monkeypatch.setenv("SITMAP_MAX_LAYER_MB", "oops")
    assert settings.max_layer_bytes() == 100_000_000


def test_paths_point_into_the_checkout() -> None:
    assert (settings.REPO_ROOT / "pyproject.toml").is_file()
    assert (settings.DEFAULT_SITUATION / "situation.toml").is_file()
    assert (settings.OWN_STATIC_DIR / "sitmap.js").is_file()
    assert settings.WGS84 == "EPSG:4326"
