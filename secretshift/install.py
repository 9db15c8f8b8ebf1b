"""Where this secretshift runs, and the commands that work there.

A hint is only useful if its command runs where the user is. Inside pre-commit, `secretshift` is
installed in pre-commit's own environment and is not on the user's PATH: the fixes go through
`pre-commit run HOOK --hook-stage manual`. secretshift is installed from its repository at a
release tag (not from a package index), so an install command names that URL and tag.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from secretshift import __version__

REPOSITORY = "https://github.com/secretshift/secretshift"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
# Hook ids of .pre-commit-hooks.yaml that the fix hints name.
BASELINE_HOOK = "secretshift-baseline"
MIGRATE_HOOK = "secretshift-migrate"


def under_pre_commit(environ: Mapping[str, str] | None = None) -> bool:
    """True when `pre-commit run` started us: it sets PRE_COMMIT=1 for every hook it runs."""
    return (os.environ if environ is None else environ).get("PRE_COMMIT") == "1"


def requirement(extra: str | None = None) -> str:
    """The pip/pipx requirement of this release, with ``extra``."""
    name = f"secretshift[{extra}]" if extra else "secretshift"
    return f"{name} @ git+{REPOSITORY}@v{__version__}"


def installed_by_pipx(prefix: str | None = None) -> bool:
    """pipx keeps each application in `.../pipx/venvs/NAME`."""
    parts = Path(sys.prefix if prefix is None else prefix).parts
    return len(parts) >= 3 and parts[-3:-1] == ("pipx", "venvs")


def install_command(extra: str | None = None, environ: Mapping[str, str] | None = None,
                    prefix: str | None = None) -> str:
    """The one command that gives the user secretshift with ``extra``, on their PATH.

    Inside pre-commit the hook's environment is private, so the user gets their own copy
    (pipx: one isolated command). Elsewhere the environment that runs us gets the extra."""
    if under_pre_commit(environ) or installed_by_pipx(prefix):
        force = "" if under_pre_commit(environ) else "--force "
        return f'pipx install {force}"{requirement(extra)}"'
    return f'pip install "{requirement(extra)}"'


def pre_commit_hook_listed(hook_id: str, root: Path) -> bool:
    """Whether the repository's pre-commit config names ``hook_id`` (a text search: the hint
    must not need a YAML parser, and a false "yes" only costs a clear pre-commit error)."""
    try:
        text = (root / PRE_COMMIT_CONFIG).read_text("utf-8", errors="replace")
    except OSError:
        return False
    return any(line.split("#")[0].strip().removeprefix("-").strip() in (f"id: {hook_id}", f"id: '{hook_id}'",
                                                                           f'id: "{hook_id}"')
               for line in text.splitlines())


def manual_hook_command(hook_id: str) -> str:
    return f"pre-commit run {hook_id} --hook-stage manual"
