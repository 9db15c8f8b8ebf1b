"""What every sample repository builder returns, and how it lays out files."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import git


@dataclass(frozen=True)
class Sample:
    root: Path
    values: dict[str, str]  # label -> planted plaintext
    test_only: frozenset[str] = field(default_factory=frozenset)  # labels only under test paths
    references: tuple[str, ...] = ()  # texts that look secret-ish but are references, must stay


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def commit_all(root: Path, message: str = "initial") -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
