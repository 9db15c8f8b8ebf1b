"""This checkout as an installable git repository: its work tree (tracked and new files, as they
are now) committed in a temporary repository, so pre-commit and pip install what is under test."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import ROOT, git


def snapshot(target: Path, message: str = "snapshot of the checkout under test") -> str:
    """Copy the work tree into ``target``, commit it there; returns the commit."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source, copy = ROOT / name, target / name
        if not os.path.lexists(source):
            continue  # deleted in the work tree
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), copy)
        else:
            shutil.copy2(source, copy)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-qm", message)
    return git(target, "rev-parse", "HEAD").strip()
