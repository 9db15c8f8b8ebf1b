"""The `secretshift-migrate` hook: `secretshift migrate plan [ARGS]`, in the manual stage.

The migration planner is a separate part of secretshift; where this installation does not have
it, the hook says so and fails (exit 2) rather than pretending to have planned anything.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

from secretshift.errors import EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    from secretshift.cli import COMMANDS
    from secretshift.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    if "migrate" not in COMMANDS:
        print(
            "secretshift-migrate: the migration planner (`secretshift migrate plan`) is not "
            "available in this version of secretshift",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return cli_main(["migrate", "plan", *args])


if __name__ == "__main__":
    raise SystemExit(main())
