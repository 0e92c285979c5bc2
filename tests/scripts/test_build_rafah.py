"""The committed Rafah layers are exactly what scripts/build_rafah.py makes of the reference."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import RAFAH, REPO

REFERENCE = REPO.parent / "shared" / "reference"


def build_script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The script as ``python scripts/build_rafah.py`` runs it (its folder on the path)."""
    monkeypatch.syspath_prepend(str(REPO / "scripts"))
    spec = importlib.util.spec_from_file_location(
        "build_rafah", REPO / "scripts" / "build_rafah.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside the repo")
def test_the_committed_layers_are_what_the_build_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_script(monkeypatch).main(REFERENCE, out=tmp_path)
    built = sorted(path.name for path in tmp_path.iterdir())
    assert len(built) == 8
    differ = [
        name for name in built if (tmp_path / name).read_bytes() != (RAFAH / name).read_bytes()
    ]
    assert not differ, f"edited by hand, or the script changed without a rebuild: {differ}"
