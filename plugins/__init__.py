"""Detectors: declarative rule packs (``rules/*.toml``) and the Python detectors that need code.

Both registries are explicit: a rule pack is any ``rules/*.toml`` file shipped in this package;
a Python detector is listed in :data:`DETECTORS` by name.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from secretshift.scanner.detector import Detector


# This folder is installed as `secretshift.plugins` (pyproject's package-dir). With the repository
# root on sys.path it would also import as `plugins`: a second copy of every module, with its own
# classes and registries. One module, one name.
if __name__ != "secretshift.plugins":
    raise ImportError(f"import secretshift.plugins, not {__name__}: this folder is the secretshift.plugins package")


def rule_pack_files() -> list[Path]:
    # A plain path rather than importlib.resources, whose imports (tempfile, zipfile, ...) cost
    # the commit hook ~10 ms; the package is installed as files (wheel and editable alike).
    folder = Path(__file__).resolve().parent / "rules"
    return sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)


def _detectors() -> dict[str, Callable[[], Detector]]:
    # Imported on demand so that a scan only pays for what it enables.
    from secretshift.plugins.credfiles import CredentialFileDetector
    from secretshift.plugins.encoded import EncodedSecretDetector
    from secretshift.plugins.generic import GenericSecretDetector
    from secretshift.plugins.kubernetes import KubernetesSecretDetector

    registry: dict[str, Callable[[], Detector]] = {
        "generic": GenericSecretDetector,
        "kubernetes-secret": KubernetesSecretDetector,
        "encoded": EncodedSecretDetector,
        "credential-files": CredentialFileDetector,
    }
    return registry


def detector_factories() -> dict[str, Callable[[], Detector]]:
    return _detectors()
