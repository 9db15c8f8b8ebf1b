"""The `secretshift-adr` hook: `secretshift adr check` on the staged IaC files.

Off by default in the README's example; IaC repositories turn it on. Offline: the `--aws` live
mode is for CI and people, never for a commit hook.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from secretshift.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    options = [a for a in args if a.startswith("-")]
    paths = [a for a in args if not a.startswith("-")]
    # pre-commit calls it only when IaC files are staged; without paths (run by hand) it checks ".".
    return cli_main(["adr", "check", *options, *with_modules(paths)])


def with_modules(paths: Sequence[str]) -> list[str]:
    """A Terraform file is judged with its module: the other .tf files of its directory hold
    the rotation resource or the variable it refers to."""
    import glob
    import os

    expanded: dict[str, None] = {}
    for path in paths:
        if path.endswith(".tf"):
            folder = os.path.dirname(path) or "."
            for sibling in sorted(glob.glob(os.path.join(glob.escape(folder), "*.tf"))):
                expanded[os.path.normpath(sibling) if folder != "." else os.path.basename(sibling)] = None
        expanded.setdefault(path, None)
    return list(expanded)


if __name__ == "__main__":
    raise SystemExit(main())
