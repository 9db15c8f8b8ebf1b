"""Packaging: `hooks/` and `plugins/` are top-level folders of the repository and sub-packages of
the one installed package (setuptools package-dir, no symlinks). Proven from a clone made as on
Windows (`core.symlinks=false`): the wheel, `pip install .` and an editable install all import
`secretshift.hooks` / `secretshift.plugins` from those folders, and never under a second name."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, git

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.subprocess

_PROBE = (
    "import json, secretshift, secretshift.hooks.detect as d, secretshift.plugins.generic as g;"
    "from secretshift.plugins import rule_pack_files;"
    "print(json.dumps([secretshift.__file__, d.__file__, g.__file__, len(rule_pack_files())]))"
)


def _pip(*args: str, python: str = sys.executable) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", python, *args, "-q", "--no-deps",
                           "--no-build-isolation", "--disable-pip-version-check"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def windows_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's work tree, committed, then cloned with symlinks off."""
    snapshot = tmp_path_factory.mktemp("snapshot")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            target = snapshot / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-qm", "snapshot")
    clone = tmp_path_factory.mktemp("clone") / "secretshift"
    git(clone.parent, "-c", "core.symlinks=false", "clone", "-q", str(snapshot), str(clone))
    return clone


def test_the_repository_holds_no_symlinks() -> None:
    staged = git(ROOT, "ls-files", "-s").splitlines()
    assert [line for line in staged if line.startswith("120000")] == []


def test_every_package_folder_is_listed_and_mapped() -> None:
    """A folder with an __init__.py that pyproject does not list would be missing from the wheel."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapped = settings["package-dir"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "secretshift").rglob("__init__.py")}
    found |= {name + "." + ".".join(p.parent.relative_to(ROOT / folder).parts) if p.parent != ROOT / folder else name
              for name, folder in mapped.items() for p in (ROOT / folder).rglob("__init__.py")}
    assert sorted(settings["packages"]) == sorted(found)
    assert mapped == {"secretshift.hooks": "hooks", "secretshift.plugins": "plugins"}
    typecheck = (ROOT / ".ci" / "typecheck").read_text()  # mypy's view of the same mapping
    assert '{"secretshift/hooks": "hooks", "secretshift/plugins": "plugins"}' in typecheck


def test_wheel_from_a_windows_clone(windows_clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
         str(windows_clone)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = out.glob("secretshift-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packs = sorted(p.name for p in (ROOT / "plugins" / "rules").glob("*.toml"))
    assert packs, "no rule packs in the checkout"
    assert [p for p in packs if f"secretshift/plugins/rules/{p}" not in names] == []
    for required in ("secretshift/hooks/__init__.py", "secretshift/hooks/detect.py",
                     "secretshift/plugins/validators.py", "secretshift/plugins/__init__.py", "secretshift/py.typed"):
        assert required in names
    # Only one top-level import package: nothing generic like `plugins/` lands in site-packages.
    assert {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")} == {"secretshift"}


def _venv(where: Path) -> str:
    """A bare venv that borrows this one's dependencies (a .pth line), so installing is offline
    and quick; secretshift itself comes only from what is installed into it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = str(where / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _probe(python: str, cwd: Path) -> list[object]:
    import json

    proc = subprocess.run([python, "-c", _PROBE], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded: list[object] = json.loads(proc.stdout)
    return loaded


@pytest.mark.parametrize("editable", [False, True], ids=["pip-install", "editable"])
def test_install_from_a_windows_clone(windows_clone: Path, tmp_path: Path, editable: bool) -> None:
    python = _venv(tmp_path / "venv")
    _pip("install", *(["-e"] if editable else []), str(windows_clone), python=python)
    package, hook, detector, packs = _probe(python, tmp_path)
    if editable:  # the clone's own folders, mapped in
        assert (package, hook, detector) == (str(windows_clone / "secretshift" / "__init__.py"),
                                             str(windows_clone / "hooks" / "detect.py"),
                                             str(windows_clone / "plugins" / "generic.py"))
    else:
        installed = Path(str(package)).parent
        assert installed.is_relative_to(tmp_path / "venv")
        assert (hook, detector) == (str(installed / "hooks" / "detect.py"), str(installed / "plugins" / "generic.py"))
    assert packs == len(list((ROOT / "plugins" / "rules").glob("*.toml")))
    scan = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-m", "secretshift", "rules"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert scan.returncode == 0 and "aws-access-key-id" in scan.stdout, scan.stderr


@pytest.mark.parametrize("name", ["plugins", "hooks", "plugins.generic"])
def test_a_mapped_folder_never_loads_under_a_second_name(name: str) -> None:
    """With the repository root on sys.path (as in this test run), `plugins` would otherwise be a
    second copy of `secretshift.plugins`, with its own classes and registries."""
    proc = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert proc.returncode != 0
    assert f"import secretshift.{name.split('.')[0]}, not {name.split('.')[0]}" in proc.stderr
