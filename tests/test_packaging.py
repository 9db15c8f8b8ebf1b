"""The built wheel ships every rule pack, the validators and the hooks under `secretshift.`."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

_SKIP = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".mypy_cache", ".pytest_cache")


def test_wheel_contains_rule_packs_validators_and_hooks(tmp_path: Path) -> None:
    source = tmp_path / "src"
    # A copy keeps setuptools' build/ and egg-info out of the checkout; symlinks stay links,
    # as in a clone, so the test proves the `secretshift/plugins -> ../plugins` mapping.
    shutil.copytree(ROOT, source, symlinks=True, ignore=_SKIP)
    out = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (wheel,) = out.glob("secretshift-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packs = sorted(p.name for p in (ROOT / "plugins" / "rules").glob("*.toml"))
    assert packs, "no rule packs in the checkout"
    missing = [f"secretshift/plugins/rules/{p}" for p in packs if f"secretshift/plugins/rules/{p}" not in names]
    assert missing == []
    for required in ("secretshift/hooks/__init__.py", "secretshift/plugins/validators.py", "secretshift/plugins/__init__.py"):
        assert required in names
    # Only one top-level import package: nothing generic like `plugins/` lands in site-packages.
    assert {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")} == {"secretshift"}
