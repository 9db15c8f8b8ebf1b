"""The `secretshift-baseline` hook: `secretshift baseline update [ARGS]` (rescan, keep labels).

A manual-stage hook: running it on every commit would accept every new secret silently.
"""
from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    from secretshift.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    return cli_main(["baseline", "update", *args])


if __name__ == "__main__":
    raise SystemExit(main())
